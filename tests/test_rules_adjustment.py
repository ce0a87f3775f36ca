"""Adjustment confirmation rules (SPEC §2.3)."""

from __future__ import annotations

from datetime import date

import pytest
from recordfactory import AS_OF, Data, flat, sample_adjustment

from pimxl.config import Settings
from pimxl.findings import Finding
from pimxl.rules import check_workbook

D = date
E, W = "error", "warning"
SIGN_OFF_KEYS = ["pm_name", "pm_signed_on", "sales_name", "sales_signed_on", "manager_name", "manager_signed_on"]


def run(d: Data, settings: Settings | None = None) -> list[Finding]:
    return check_workbook(d.build(), as_of=AS_OF, settings=settings)


def pending(**form: object) -> Data:
    """A fresh pending request (no sign-offs yet), made two days before the as-of date."""
    d = sample_adjustment()
    d.form.update({k: None for k in SIGN_OFF_KEYS}, sales_opinion=None, result="待审批",
                  requested_on=D(2026, 6, 13))
    d.form.update(form)
    return d


@pytest.mark.parametrize("key", SIGN_OFF_KEYS)
def test_approval_missing(key: str) -> None:
    d = sample_adjustment()
    d.form[key] = None
    assert flat(run(d)) == [(d.a1(key), "approval-missing", E)]


def test_pending_needs_no_sign_offs() -> None:
    assert flat(run(pending())) == []


@pytest.mark.parametrize("result", ["否决", "悬置"])
def test_rejected_or_on_hold_need_no_sign_offs(result: str) -> None:
    assert flat(run(pending(result=result))) == []


@pytest.mark.parametrize("key", ["pm_signed_on", "sales_signed_on", "manager_signed_on"])
def test_approval_date_before_request(key: str) -> None:
    d = sample_adjustment()
    d.form[key] = D(2026, 5, 19)
    assert flat(run(d)) == [(d.a1(key), "approval-date-before-request", E)]


def test_sign_off_on_the_request_day() -> None:
    d = sample_adjustment()
    d.form.update(sales_signed_on=D(2026, 5, 20), manager_signed_on=D(2026, 5, 20))
    assert flat(run(d)) == []


def test_sales_opinion_missing_when_approved() -> None:
    d = sample_adjustment()
    d.form["sales_opinion"] = ""
    (f,) = run(d)
    assert flat([f]) == [(d.a1("sales_opinion"), "sales-opinion-missing", E)]
    assert "销售经理" in f.message_zh and "sales manager" in f.message_en


def test_new_finish_mismatch() -> None:
    d = sample_adjustment()
    d.form["new_finish"] = D(2026, 6, 26)
    (f,) = run(d)
    assert flat([f]) == [(d.a1("new_finish"), "new-finish-mismatch", W)]
    assert "2026-06-25" in f.message_zh


@pytest.mark.parametrize("form", [
    {"schedule_impact_days": None},                                   # nothing to compute from
    {"schedule_impact_days": -3, "new_finish": D(2026, 6, 15)},       # brought forward
    {"schedule_impact_days": 0, "new_finish": D(2026, 6, 18)},
])
def test_new_finish_agrees(form: dict[str, object]) -> None:
    d = sample_adjustment()
    d.form.update(form)
    assert flat(run(d)) == []


def test_new_amount_mismatch() -> None:
    d = sample_adjustment()
    d.form["cost_impact"] = 50_000.0
    assert flat(run(d)) == [(d.a1("new_amount"), "new-amount-mismatch", W)]
    d.form["new_amount"] = 1_050_000.004  # within a fen
    assert flat(run(d)) == []


def test_empty_cost_impact_means_none() -> None:
    d = sample_adjustment()
    d.form["cost_impact"] = None
    assert flat(run(d)) == []


@pytest.mark.parametrize(("requested_on", "days", "expected"), [
    (D(2026, 6, 8), 7, False),   # exactly the limit
    (D(2026, 6, 7), 8, True),
    (D(2026, 5, 1), 45, True),
])
def test_adjustment_pending_long(requested_on: date, days: int, expected: bool) -> None:
    d = pending(requested_on=requested_on)
    findings = run(d)
    assert flat(findings) == ([(d.a1("result"), "adjustment-pending-long", W)] if expected else [])
    if expected:
        assert f"{days} 天" in findings[0].message_zh


def test_pending_limit_from_settings() -> None:
    d = pending(requested_on=D(2026, 6, 7))
    assert flat(run(d, Settings(pending_adjustment_days=10))) == []
