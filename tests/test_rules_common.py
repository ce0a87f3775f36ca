"""Rules shared by every template, the catalogue itself, and robustness against odd values."""

from __future__ import annotations

from datetime import date

import pytest
from recordfactory import (
    AS_OF,
    Data,
    Raw,
    flat,
    sample_adjustment,
    sample_contract,
    sample_plan,
    sample_project,
    sample_site,
)

from pimxl.config import Settings
from pimxl.findings import CODES, Finding, Severity
from pimxl.records import Row, Value
from pimxl.rules import check_project, check_workbook, rules_for
from pimxl.rules.common import untouched
from pimxl.templates import TEMPLATES

E, W = "error", "warning"
SAMPLES = {"project-plan": sample_plan, "contract-progress": sample_contract, "site-environment": sample_site,
           "adjustment": sample_adjustment}


def run(data: Data, settings: Settings | None = None) -> list[Finding]:
    return check_workbook(data.build(), as_of=AS_OF, settings=settings)


@pytest.mark.parametrize("template_id", list(SAMPLES))
def test_samples_are_clean(template_id: str) -> None:
    assert flat(run(SAMPLES[template_id]())) == []


def test_sample_project_is_clean() -> None:
    records = [d.build() for d in sample_project()]
    findings = [f for r in records for f in check_workbook(r, as_of=AS_OF)]
    findings += check_project(records, as_of=AS_OF)
    assert [f for f in findings if f.severity in (Severity.ERROR, Severity.WARNING)] == []
    assert findings == []


# -- required-missing -------------------------------------------------------------------------------

@pytest.mark.parametrize("template_id", list(SAMPLES))
@pytest.mark.parametrize("key", ["project_name", "prepared_on"])
def test_required_form_field_missing(template_id: str, key: str) -> None:
    d = SAMPLES[template_id]()
    d.form[key] = None
    assert flat(run(d)) == [(d.a1(key), "required-missing", E)]


def test_required_missing_message() -> None:
    d = sample_plan()
    d.form["customer"] = None
    (f,) = run(d)
    assert (f.sheet, f.field, f.value) == ("项目信息", "customer", None)
    assert f.message_zh == "必填项「客户名称」为空，请填写。"
    assert f.message_en.startswith("required field 'Customer'")
    assert f.address == f"'项目信息'!{d.a1('customer')}"


def test_unreadable_value_is_not_also_missing() -> None:
    # The normaliser reported "2026-13-45"; the rules do not add a second finding for the same cell.
    d = sample_plan()
    d.form["prepared_on"] = Raw("2026-13-45")
    assert flat(run(d)) == []


def test_required_table_column_missing() -> None:
    d = sample_plan()
    d.row("risks", "R01")["description"] = None
    assert flat(run(d)) == [(d.a1("description", "risks", "R01"), "required-missing", E)]


def test_required_missing_in_adjustment_items() -> None:
    d = sample_adjustment()
    d.tables["items"][1]["field"] = None
    assert flat(run(d)) == [(d.a1("field", "items", "安装调试完成"), "required-missing", E)]


def test_empty_rows_are_skipped() -> None:
    d = sample_plan()
    d.tables["risks"].append({})
    d.tables["wbs"].append({"wbs_code": None, "task": " "})
    assert flat(run(d)) == []


def test_untouched_prefilled_row_is_not_half_filled() -> None:
    # The template pre-fills 资源 role 商务 with no name: left as is, it is "not used".
    d = sample_plan()
    d.tables["resources"].append({"role": "商务"})
    assert flat(run(d)) == []
    d.tables["resources"][-1]["allocation"] = 0.2
    assert flat(run(d)) == [(d.a1("name", "resources", "商务"), "required-missing", E)]


def _row(**values: object) -> Row:
    return Row({k: Value(v, v) for k, v in values.items()})


@pytest.mark.parametrize(("values", "expected"), [
    ({"node": "预付款", "ratio": 0.3, "trigger_stage": "合同签订"}, True),  # only the template's values
    ({"node": "预付款", "ratio": 0.3, "trigger_stage": " ", "invoiced": None, "amount": 12.0}, True),  # blanks; computed
    ({"node": "预付款", "ratio": 0.4}, False),  # a template value changed
    ({"node": "预付款", "due_date": date(2026, 3, 5)}, False),  # a date where the template has nothing
    ({"node": "预付款", "received": 0.0}, False),  # a number (even 0) where the template has nothing
    ({"node": "预付款", "remarks": "已催"}, False),  # text where the template has nothing
    ({"node": "其他", "ratio": 0.3}, False),  # not a pre-filled row
])
def test_untouched_compares_every_template_value(values: dict[str, object], expected: bool) -> None:
    payments = TEMPLATES["contract-progress"].table("payments")
    assert untouched(payments, _row(**values)) is expected


# -- division-unknown -------------------------------------------------------------------------------

def test_division_unknown_with_configured_divisions() -> None:
    d = sample_site()
    settings = Settings(divisions=("数字化事业部", "系统集成事业一部"))
    assert flat(run(d, settings)) == [(d.a1("division"), "division-unknown", E)]
    d.form["division"] = "数字化事业部"
    assert flat(run(d, settings)) == []


def test_division_left_to_the_normaliser_with_default_divisions() -> None:
    d = sample_site()
    d.form["division"] = "不存在的事业部"
    assert flat(run(d)) == []


# -- duplicate-key ----------------------------------------------------------------------------------

def test_duplicate_wbs_code() -> None:
    d = sample_plan()
    d.tables["wbs"].append({**d.row("wbs", "3.2"), "task": "归档（重复）"})
    j = len(d.tables["wbs"]) - 1
    (f,) = run(d)
    from recordfactory import table_a1
    assert flat([f]) == [(table_a1("project-plan", "wbs", j, "wbs_code"), "duplicate-key", E)]
    assert f.related == (f"{d.path} 'WBS工作分解'!{d.a1('wbs_code', 'wbs', '3.2')}",)
    assert "第 13 行" in f.message_zh and "row 13" in f.message_en


@pytest.mark.parametrize(("template_id", "table", "key"), [
    ("project-plan", "risks", "R01"),
    ("project-plan", "budget", "硬件"),
    ("contract-progress", "stages", "培训"),
    ("contract-progress", "payments", "质保金"),
    ("site-environment", "checks", "温度"),
])
def test_duplicate_row_keys(template_id: str, table: str, key: str) -> None:
    d = SAMPLES[template_id]()
    first = d.index(table, key)
    d.tables[table].append(dict(d.tables[table][first]))
    j = len(d.tables[table]) - 1
    findings = [f for f in run(d) if f.code == "duplicate-key"]
    from recordfactory import table_a1
    key_col = TEMPLATES[template_id].table(table).row_key[0]
    assert flat(findings) == [(table_a1(template_id, table, j, key_col), "duplicate-key", E)]


def test_two_column_key_duplicates_only_when_both_repeat() -> None:
    d = sample_plan()
    d.tables["resources"].append({"role": "项目经理", "name": "王五"})  # same role, other person: fine
    assert flat(run(d)) == []
    d.tables["resources"].append({"role": "项目经理", "name": "张伟"})
    from recordfactory import table_a1
    assert flat(run(d)) == [(table_a1("project-plan", "resources", 3, "role"), "duplicate-key", E)]


# -- person-unknown ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("roster", "expected"), [
    ({}, []),
    ({"张伟": [], "李娜": []}, []),
    ({"张伟": [], "李娜娜": ["李娜"]}, []),
    ({"张伟": []}, [("sales_rep", "person-unknown", W)]),
    ({"王五": []}, [("project_manager", "person-unknown", W), ("sales_rep", "person-unknown", W)]),
])
def test_person_unknown(roster: dict[str, list[str]], expected: list[tuple[str, str, str]]) -> None:
    d = sample_contract()
    assert flat(run(d, Settings(roster=roster))) == [(d.a1(k), c, s) for k, c, s in expected]


# -- the catalogue ----------------------------------------------------------------------------------

RULE_CODES = {
    "required-missing", "division-unknown", "duplicate-key", "person-unknown", "actual-in-future",
    "date-order", "actual-finish-without-start", "complete-status-mismatch", "predecessor-order",
    "predecessor-unknown", "wbs-parent-missing", "wbs-code-invalid", "risk-high-incomplete", "risk-overdue",
    "risk-level-mismatch", "budget-over-contract", "milestone-overdue", "task-overdue",
    "approval-missing", "approval-date-before-request", "sales-opinion-missing", "new-finish-mismatch",
    "new-amount-mismatch", "adjustment-pending-long",
    "check-result-mismatch", "remedy-missing", "site-conclusion-unsupported", "site-not-ready",
    "stage-order", "stage-missing", "stage-unknown", "stage-status-mismatch", "ratio-sum", "amount-sum",
    "amount-ratio-mismatch", "received-over-invoiced", "invoiced-over-amount", "received-before-invoiced",
    "stale-table", "payment-overdue", "trigger-stage-unknown",
    "header-mismatch", "plan-outside-contract", "adjustment-item-unknown", "adjustment-field-unknown",
    "adjustment-not-applied", "adjustment-no-duplicate", "site-not-ready-for-install", "project-form-missing",
    "rule-failed",
}


def test_catalogue_codes_are_declared_once_with_both_languages() -> None:
    assert RULE_CODES <= set(CODES)
    for code in RULE_CODES:
        c = CODES[code]
        assert c.zh and c.en and c.severity in Severity
        assert code == code.lower() and " " not in code


@pytest.mark.parametrize("template_id", list(TEMPLATES))
def test_every_template_has_rules(template_id: str) -> None:
    names = [r.__name__ for r in rules_for(template_id)]
    assert names[:4] == ["required_missing", "division_unknown", "duplicate_key", "person_unknown"]
    assert len(names) > 4


# -- robustness -------------------------------------------------------------------------------------

@pytest.mark.parametrize("template_id", list(SAMPLES))
def test_odd_values_never_crash_a_rule(template_id: str) -> None:
    """Text where dates and numbers belong, numbers where text belongs: findings, never rule-failed."""
    d = SAMPLES[template_id]()
    odd = ["n/a", 42, 3.5, True, (), date(2026, 1, 1), "2026-02-30", "", " ", ("x",)]
    for i, key in enumerate(d.form):
        d.form[key] = odd[i % len(odd)]
    for rows in d.tables.values():
        for r, row in enumerate(rows):
            for i, key in enumerate(list(row)):
                row[key] = odd[(i + r) % len(odd)]
    findings = run(d, Settings(roster={"张伟": []}, divisions=("X",)))
    assert "rule-failed" not in {f.code for f in findings}
    cross = check_project([d.build(), sample_plan().build(), sample_contract().build()], as_of=AS_OF)
    assert "rule-failed" not in {f.code for f in cross}


def test_a_failing_rule_costs_only_that_rule(monkeypatch: pytest.MonkeyPatch) -> None:
    from pimxl.rules import context

    def broken(ctx: object) -> list[Finding]:
        raise ZeroDivisionError("boom")

    monkeypatch.setitem(context.RULES, "site-environment", [broken, *context.RULES["site-environment"]])
    d = sample_site()
    d.form["conclusion"] = "不具备"
    assert flat(run(d), "code", "value") == [("site-not-ready", "不具备"), ("rule-failed", "broken")]


def test_unknown_template_has_no_findings() -> None:
    d = sample_site().build()
    d.template_id = "something-else"
    assert check_workbook(d, as_of=AS_OF) == []


def test_renamed_sheet_is_reported_under_its_name() -> None:
    d = sample_contract()
    d.row("stages", "培训")["status"] = "已完成"
    rec = d.build()
    rec.sheets["stages"] = "进程"
    for row in rec.tables["stages"]:
        for v in row.cells.values():
            v.cell = type(v.cell)("进程", v.cell.row, v.cell.col)
    (f,) = check_workbook(rec, as_of=AS_OF)
    assert (f.sheet, f.cell, f.code) == ("进程", d.a1("actual_date", "stages", "培训"), "stage-status-mismatch")
