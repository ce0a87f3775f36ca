"""Site environment rules (SPEC §2.4)."""

from __future__ import annotations

from datetime import date

import pytest
from recordfactory import AS_OF, Data, flat, sample_site

from pimxl.config import Settings
from pimxl.findings import Finding
from pimxl.rules import check_workbook

D = date
E, W = "error", "warning"


def run(d: Data, settings: Settings | None = None) -> list[Finding]:
    return check_workbook(d.build(), as_of=AS_OF, settings=settings)


def result_cell(d: Data, item: str, key: str = "result") -> str:
    return d.a1(key, "checks", item)


@pytest.mark.parametrize(("item", "measured"), [
    ("温度", 30.0),        # range 18–27
    ("温度", 17.9),
    ("相对湿度", "65"),    # measured typed as text
    ("净高", 2.5),         # lower bound
    ("接地电阻", 4.5),     # upper bound
])
def test_check_result_mismatch(item: str, measured: object) -> None:
    d = sample_site()
    d.row("checks", item)["measured"] = measured
    assert flat(run(d)) == [(result_cell(d, item), "check-result-mismatch", E)]


def test_check_result_from_requirement_text_when_bounds_are_empty() -> None:
    d = sample_site()
    d.row("checks", "净高").update(lower=None, upper=None, measured=2.4)
    (f,) = run(d)
    assert flat([f]) == [(result_cell(d, "净高"), "check-result-mismatch", E)]
    assert "≥2.6" in f.message_zh and "不符合" in f.message_zh


@pytest.mark.parametrize(("item", "measured", "result"), [
    ("温度", 27.0, "符合"),          # on the bound
    ("温度", 18.0, "符合"),
    ("温度", 30.0, "不适用"),        # the user's call
    ("UPS容量", "999", "符合"),      # "≥1.1×设备负载" is not a numeric bound
    ("消防", "七氟丙烷", "符合"),
])
def test_check_result_agrees(item: str, measured: object, result: str) -> None:
    d = sample_site()
    d.row("checks", item).update(measured=measured, result=result)
    assert flat(run(d)) == []


def test_non_conforming_item_with_remedy_and_conditional_conclusion() -> None:
    d = sample_site()
    d.row("checks", "温度").update(measured=30.0, result="不符合", remedy="增加精密空调", remedy_due=D(2026, 6, 30))
    d.form.update(conclusion="有条件具备", planned_entry=D(2026, 7, 1))
    assert flat(run(d)) == []


@pytest.mark.parametrize("missing", [("remedy",), ("remedy_due",), ("remedy", "remedy_due")])
def test_remedy_missing(missing: tuple[str, ...]) -> None:
    d = sample_site()
    d.row("checks", "温度").update(measured=30.0, result="不符合", remedy="增加精密空调", remedy_due=D(2026, 6, 30))
    d.row("checks", "温度").update({k: None for k in missing})
    d.form.update(conclusion="有条件具备", planned_entry=D(2026, 7, 1))
    assert flat(run(d)) == [(result_cell(d, "温度", k), "remedy-missing", E) for k in missing]


def test_site_conclusion_unsupported_by_items() -> None:
    d = sample_site()
    d.row("checks", "照明")["result"] = None
    d.row("checks", "温度").update(measured=30.0, result="不符合", remedy="增加精密空调", remedy_due=D(2026, 6, 30))
    findings = run(d)
    assert flat(findings) == [(result_cell(d, "温度"), "site-conclusion-unsupported", E),
                              (result_cell(d, "照明"), "site-conclusion-unsupported", E)]
    assert "不符合" in findings[0].message_zh and "未填写结果" in findings[1].message_zh


@pytest.mark.parametrize("key", ["customer_confirmed_by", "customer_confirmed_on"])
def test_site_conclusion_needs_customer_confirmation(key: str) -> None:
    d = sample_site()
    d.form[key] = None
    assert flat(run(d)) == [(d.a1(key), "site-conclusion-unsupported", E)]


def test_not_ready_without_conclusion_claim_needs_no_confirmation() -> None:
    d = sample_site()
    d.form.update(conclusion="不具备", customer_confirmed_by=None, customer_confirmed_on=None,
                  planned_entry=D(2026, 8, 1))
    assert flat(run(d)) == []


@pytest.mark.parametrize(("conclusion", "entry", "expected"), [
    ("不具备", D(2026, 6, 18), True),       # 3 days away
    ("有条件具备", D(2026, 6, 22), True),   # exactly the lead time
    ("不具备", D(2026, 6, 23), False),      # 8 days away
    (None, D(2026, 6, 1), True),            # entry passed, no conclusion
    ("具备", D(2026, 6, 1), False),
])
def test_site_not_ready(conclusion: str | None, entry: date, expected: bool) -> None:
    d = sample_site()
    d.form.update(conclusion=conclusion, planned_entry=entry)
    assert flat(run(d)) == ([(d.a1("conclusion"), "site-not-ready", W)] if expected else [])


def test_site_lead_days_from_settings() -> None:
    d = sample_site()
    d.form.update(conclusion="不具备", planned_entry=D(2026, 6, 30))
    assert flat(run(d)) == []
    assert flat(run(d, Settings(site_lead_days=20))) == [(d.a1("conclusion"), "site-not-ready", W)]


def test_site_not_ready_message() -> None:
    d = sample_site()
    d.form.update(conclusion="不具备", planned_entry=D(2026, 6, 18))
    (f,) = run(d)
    assert "不具备" in f.message_zh and "2026-06-18" in f.message_zh and "3 天" in f.message_zh
    assert "when can engineers go on site" in f.message_en
