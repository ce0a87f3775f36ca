"""Project plan rules (SPEC §2.2): each rule with a passing and a failing record."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from recordfactory import AS_OF, Data, flat, sample_plan

from pimxl.config import Settings
from pimxl.findings import Finding
from pimxl.rules import check_workbook

D = date
E, W = "error", "warning"


def run(data: Data, settings: Settings | None = None) -> list[Finding]:
    return check_workbook(data.build(), as_of=AS_OF, settings=settings)


def wbs(d: Data, code: str, key: str) -> str:
    return d.a1(key, "wbs", code)


def set_row(table: str, key: str, **values: object) -> Callable[[Data], None]:
    return lambda d: d.row(table, key).update(values)


def test_sample_plan_is_clean() -> None:
    assert flat(run(sample_plan())) == []


# Each case: (mutation, expected [(cell getter, code, severity)]).
CASES: dict[str, tuple[Callable[[Data], None], list[tuple[Callable[[Data], str], str, str]]]] = {
    "form finish before start": (
        lambda d: d.form.update(planned_finish=D(2026, 2, 1)),
        [(lambda d: d.a1("planned_finish"), "date-order", E)]),
    "wbs planned finish before start": (
        set_row("wbs", "2.3", planned_finish=D(2026, 6, 30)),
        [(lambda d: wbs(d, "2.3", "planned_finish"), "date-order", E)]),
    "wbs actual finish before start": (
        set_row("wbs", "1.1", actual_finish=D(2026, 3, 2)),
        [(lambda d: wbs(d, "1.1", "actual_finish"), "date-order", E)]),
    "resource finish before start": (
        set_row("resources", "实施工程师", finish=D(2026, 4, 1)),
        [(lambda d: d.a1("finish", "resources", "实施工程师"), "date-order", E)]),
    "actual finish without start": (
        set_row("wbs", "2.1", actual_start=None),
        [(lambda d: wbs(d, "2.1", "actual_start"), "actual-finish-without-start", E)]),
    "100 % but in progress and no finish": (
        set_row("wbs", "2.2", percent_complete=1.0),
        [(lambda d: wbs(d, "2.2", "percent_complete"), "complete-status-mismatch", E)]),
    "finished at 100 % but status not done": (
        set_row("wbs", "2.1", status="进行中"),
        [(lambda d: wbs(d, "2.1", "status"), "complete-status-mismatch", E)]),
    "done at 100 % without actual finish": (
        set_row("wbs", "2.1", actual_finish=None),
        [(lambda d: wbs(d, "2.1", "actual_finish"), "complete-status-mismatch", E)]),
    "milestone done without actual date": (
        set_row("milestones", "安装调试完成", status="已完成"),
        [(lambda d: d.a1("actual_date", "milestones", "安装调试完成"), "complete-status-mismatch", E)]),
    "milestone with actual date not done": (
        set_row("milestones", "项目启动", status="进行中"),
        [(lambda d: d.a1("status", "milestones", "项目启动"), "complete-status-mismatch", E)]),
    "actual start in the future": (
        set_row("wbs", "2.2", actual_start=D(2026, 6, 20)),
        [(lambda d: wbs(d, "2.2", "actual_start"), "actual-in-future", E)]),
    "milestone actual in the future": (
        set_row("milestones", "项目启动", actual_date=D(2026, 7, 1)),
        [(lambda d: d.a1("actual_date", "milestones", "项目启动"), "actual-in-future", E)]),
    "planned start before predecessor's planned finish": (
        set_row("wbs", "2.3", planned_start=D(2026, 6, 20)),
        [(lambda d: wbs(d, "2.3", "planned_start"), "predecessor-order", E)]),
    "actual start before predecessor's actual finish (a fact: warning)": (
        set_row("wbs", "2.2", actual_start=D(2026, 4, 25)),
        [(lambda d: wbs(d, "2.2", "actual_start"), "predecessor-order", W)]),
    "predecessor unknown": (
        set_row("wbs", "2.3", predecessors=("2.2", "9.9")),
        [(lambda d: wbs(d, "2.3", "predecessors"), "predecessor-unknown", E)]),
    "predecessor is the task itself": (
        set_row("wbs", "2.3", predecessors=("2.3",)),
        [(lambda d: wbs(d, "2.3", "predecessors"), "predecessor-unknown", E)]),
    "wbs code malformed": (
        set_row("wbs", "3.2", wbs_code="3..2"),
        [(lambda d: wbs(d, "3..2", "wbs_code"), "wbs-code-invalid", E)]),
    "wbs parent missing": (
        lambda d: (set_row("wbs", "3.2", wbs_code="4.1", predecessors=None)(d)),
        [(lambda d: wbs(d, "4.1", "wbs_code"), "wbs-parent-missing", E)]),
    "high risk without owner": (
        set_row("risks", "R01", owner=None),
        [(lambda d: d.a1("owner", "risks", "R01"), "risk-high-incomplete", E)]),
    "high risk without response": (
        set_row("risks", "R01", response=" "),
        [(lambda d: d.a1("response", "risks", "R01"), "risk-high-incomplete", E)]),
    "high risk without deadline": (
        set_row("risks", "R01", due=None),
        [(lambda d: d.a1("due", "risks", "R01"), "risk-high-incomplete", E)]),
    # The cached 等级 says 低, but 0.9 × 0.2 = 0.18 is 高: the level is computed, not trusted.
    "high by P×I though the cell says low": (
        set_row("risks", "R02", probability=0.9, impact=0.2, status="开放", owner=None, due=D(2026, 7, 1)),
        [(lambda d: d.a1("score", "risks", "R02"), "risk-level-mismatch", W),
         (lambda d: d.a1("level", "risks", "R02"), "risk-level-mismatch", W),
         (lambda d: d.a1("owner", "risks", "R02"), "risk-high-incomplete", E)]),
    "open risk past its deadline": (
        set_row("risks", "R01", due=D(2026, 6, 10)),
        [(lambda d: d.a1("due", "risks", "R01"), "risk-overdue", W)]),
    "cached score overwritten": (
        set_row("risks", "R01", score=0.25),
        [(lambda d: d.a1("score", "risks", "R01"), "risk-level-mismatch", W)]),
    "cached level overwritten": (
        set_row("risks", "R01", level="中"),
        [(lambda d: d.a1("level", "risks", "R01"), "risk-level-mismatch", W)]),
    "budget over the contract amount": (
        set_row("budget", "硬件", budget=700_000.0),
        # Anchored at the last counted line (应急储备), 管理储备 excluded.
        [(lambda d: d.a1("budget", "budget", "应急储备"), "budget-over-contract", W)]),
    "milestone overdue": (
        set_row("milestones", "安装调试完成", planned_date=D(2026, 6, 10)),
        [(lambda d: d.a1("planned_date", "milestones", "安装调试完成"), "milestone-overdue", W)]),
    "task overdue": (
        set_row("wbs", "2.2", planned_finish=D(2026, 6, 12)),
        [(lambda d: wbs(d, "2.2", "planned_finish"), "task-overdue", W)]),
}


@pytest.mark.parametrize("name", list(CASES))
def test_failing(name: str) -> None:
    mutate, expected = CASES[name]
    d = sample_plan()
    mutate(d)
    assert flat(run(d)) == [(cell(d), code, sev) for cell, code, sev in expected]


PASSING: dict[str, Callable[[Data], None]] = {
    "finish on the start day": set_row("wbs", "2.3", planned_finish=D(2026, 7, 1)),
    "cancelled task at 0 % is not a mismatch": set_row("wbs", "2.3", status="取消", percent_complete=None),
    "start on the predecessor's finish day": set_row("wbs", "2.3", planned_start=D(2026, 6, 25)),
    "predecessors as text": set_row("wbs", "2.3", predecessors="2.2, 2.1"),
    "closed high risk needs nothing": set_row("risks", "R02", probability=0.9, impact=0.8, score=0.72, level="高",
                                              owner=None, response=None, due=None),
    "closed risk past its deadline": set_row("risks", "R02", due=D(2026, 1, 1)),
    "risk due today is not overdue": set_row("risks", "R01", due=AS_OF),
    "management reserve not counted": set_row("budget", "管理储备", budget=5_000_000.0),
    "budget exactly the contract amount": set_row("budget", "硬件", budget=650_000.0),
    "milestone due today": set_row("milestones", "安装调试完成", planned_date=AS_OF),
    "completed milestone in the past": set_row("milestones", "项目启动", planned_date=D(2026, 3, 1)),
    "summary task late only through its children is not reported": set_row("wbs", "2", planned_finish=D(2026, 9, 15)),
    "cancelled task past its finish": set_row("wbs", "2.2", planned_finish=D(2026, 6, 1), status="取消",
                                              percent_complete=0.5),
    "actual date today": set_row("wbs", "2.2", actual_start=AS_OF),
    "datetime values compare with dates": set_row("wbs", "2.2", actual_start=__import__("datetime").datetime(
        2026, 6, 2, 9, 30)),
}


@pytest.mark.parametrize("name", list(PASSING))
def test_passing(name: str) -> None:
    d = sample_plan()
    PASSING[name](d)
    assert flat(run(d)) == []


def test_summary_task_not_overdue_but_leaf_is() -> None:
    d = sample_plan()
    d.row("wbs", "2").update(planned_finish=D(2026, 6, 1))
    d.row("wbs", "2.2").update(planned_finish=D(2026, 6, 1))
    assert flat(run(d)) == [(wbs(d, "2.2", "planned_finish"), "task-overdue", W)]


def test_risk_thresholds_come_from_settings() -> None:
    d = sample_plan()
    d.row("risks", "R01").update(owner=None)
    # With a stricter matrix, 0.2 is no longer 高 — and the cached level disagrees with the new one.
    findings = run(d, Settings(risk_high=0.3))
    assert flat(findings) == [(d.a1("level", "risks", "R01"), "risk-level-mismatch", W)]


def test_predecessor_order_names_the_predecessor_cell() -> None:
    d = sample_plan()
    d.row("wbs", "2.3").update(planned_start=D(2026, 6, 20))
    (f,) = run(d)
    assert f.related == (f"{d.path} '{'WBS工作分解'}'!{wbs(d, '2.2', 'planned_finish')}",)
    assert "2.2" in f.message_zh and "2026-06-25" in f.message_zh
    assert "predecessor 2.2" in f.message_en


def test_complete_mismatch_message_says_which_disagree() -> None:
    d = sample_plan()
    d.row("wbs", "2.2").update(percent_complete=1.0)
    (f,) = run(d)
    assert f.field == "percent_complete" and f.value == 1.0
    assert "完成% 为 100%" in f.message_zh and "进行中" in f.message_zh and "实际完成为空" in f.message_zh
    assert "status '进行中'" in f.message_en


def test_budget_finding_names_the_contract_amount() -> None:
    d = sample_plan()
    d.row("budget", "硬件").update(budget=700_000.0)
    (f,) = run(d)
    assert f.related == (f"{d.path} '项目信息'!{d.a1('contract_amount')}",)
    assert "1050000" in f.message_zh
