"""Cross-workbook rules among the workbooks of one project folder (check_project)."""

from __future__ import annotations

from datetime import date

import pytest
from recordfactory import (
    AS_OF,
    Data,
    flat,
    sample_adjustment,
    sample_contract,
    sample_plan,
    sample_project,
    sample_site,
)

from pimxl.config import Settings
from pimxl.findings import Finding
from pimxl.records import WorkbookRecord
from pimxl.rules import check_project, check_workbook

D = date
E, W, I = "error", "warning", "info"  # noqa: E741


def run(*datas: Data, settings: Settings | None = None) -> list[Finding]:
    return check_project([d.build() for d in datas], as_of=AS_OF, settings=settings)


def where(f: Finding) -> tuple[str, str, str, str]:
    return (f.file, f.cell, f.code, f.severity)


def ref(d: Data, key: str, table: str | None = None, key_value: str | None = None) -> str:
    from pimxl.templates import TEMPLATES
    t = TEMPLATES[d.template_id]
    sheet = t.form.zh if table is None else t.table(table).zh
    return f"{d.path} '{sheet}'!{d.a1(key, table, key_value)}"


def test_clean_project() -> None:
    assert run(*sample_project()) == []


def test_single_workbook_projects_are_not_cross_checked_for_headers() -> None:
    assert flat(run(sample_plan(), sample_contract())) == []


# -- header-mismatch --------------------------------------------------------------------------------

def test_header_mismatch_names_every_cell() -> None:
    plan, contract, site, adj = sample_project()
    site.form["customer"] = "某市大数据局"
    (f,) = run(plan, contract, site, adj)
    assert where(f) == (site.path, site.a1("customer"), "header-mismatch", E)
    assert f.related == (ref(plan, "customer"), ref(contract, "customer"), ref(adj, "customer"))
    assert "某市大数据管理局" in f.message_zh and "某市大数据局" in f.message_zh


def test_header_mismatch_tie_goes_to_the_contract_table() -> None:
    plan, contract = sample_plan(), sample_contract()
    plan.form["contract_amount"] = 1_100_000.0
    (f,) = run(plan, contract)
    assert where(f) == (plan.path, plan.a1("contract_amount"), "header-mismatch", E)
    assert f.related == (ref(contract, "contract_amount"),)


@pytest.mark.parametrize("key", ["project_id", "contract_no"])
def test_header_mismatch_keys(key: str) -> None:
    plan, contract, site, adj = sample_project()
    adj.form[key] = "X-999"
    assert [where(f) for f in run(plan, contract, site, adj)] == [(adj.path, adj.a1(key), "header-mismatch", E)]


def test_header_values_compare_after_normalising() -> None:
    plan, contract, site, adj = sample_project()
    site.form["customer"] = " 某市大数据管理局 "  # stray spaces
    contract.form["contract_amount"] = 1_000_000.004
    assert run(plan, contract, site, adj) == []


# -- plan-outside-contract --------------------------------------------------------------------------

def test_plan_starts_before_signing() -> None:
    plan, contract = sample_plan(), sample_contract()
    plan.form["planned_start"] = D(2026, 3, 1)
    (f,) = run(plan, contract)
    assert where(f) == (plan.path, plan.a1("planned_start"), "plan-outside-contract", W)
    assert f.related == (ref(contract, "signed_on"),)


def test_plan_finishes_after_the_contracts_last_stage() -> None:
    plan, contract = sample_plan(), sample_contract()
    plan.form["planned_finish"] = D(2026, 10, 20)
    (f,) = run(plan, contract)
    assert where(f) == (plan.path, plan.a1("planned_finish"), "plan-outside-contract", W)
    assert f.related == (ref(contract, "planned_date", "stages", "项目结项"),)


def test_final_acceptance_bounds_when_there_is_no_closing_stage() -> None:
    plan, contract = sample_plan(), sample_contract()
    contract.row("stages", "项目结项")["planned_date"] = None
    (f,) = run(plan, contract)
    assert f.related == (ref(contract, "planned_date", "stages", "系统终验"),)


# -- adjustment items -------------------------------------------------------------------------------

@pytest.mark.parametrize(("item", "field"), [("2.2", "备注"), ("2.2 硬件安装", "remarks"), ("安装调试完成", "交付物"),
                                            ("初验款", "备注"), ("安装调试", "备注")])
def test_adjustment_item_known(item: str, field: str) -> None:
    plan, contract, site, adj = sample_project()
    adj.tables["items"].append({"item": item, "field": field, "after": "x"})
    # Known, so at most "not applied" (备注 is not "x" yet) — never unknown.
    assert {f.code for f in run(plan, contract, site, adj)} == {"adjustment-not-applied"}


def test_adjustment_item_unknown() -> None:
    plan, contract, site, adj = sample_project()
    adj.tables["items"][0]["item"] = "9.9"
    assert [where(f) for f in run(plan, contract, site, adj)] == [
        (adj.path, adj.a1("item", "items", "9.9"), "adjustment-item-unknown", E)]


def test_adjustment_items_not_checked_without_plan_or_contract() -> None:
    adj = sample_adjustment()
    adj.tables["items"][0]["item"] = "9.9"
    assert {f.code for f in run(sample_site(), adj)} == {"project-form-missing"}


def test_adjustment_field_unknown() -> None:
    plan, contract, site, adj = sample_project()
    adj.tables["items"][0]["field"] = "工期"
    (f,) = run(plan, contract, site, adj)
    assert where(f) == (adj.path, adj.a1("field", "items", "2.2"), "adjustment-field-unknown", I)
    assert "计划完成" in f.message_zh


# -- adjustment-not-applied -------------------------------------------------------------------------

def test_approved_adjustment_not_in_the_plan() -> None:
    plan, contract, site, adj = sample_project()
    plan.row("wbs", "2.2")["planned_finish"] = D(2026, 6, 18)
    plan.row("milestones", "安装调试完成")["planned_date"] = D(2026, 6, 18)
    findings = run(plan, contract, site, adj)
    assert [where(f) for f in findings] == [
        (plan.path, plan.a1("planned_finish", "wbs", "2.2"), "adjustment-not-applied", W),
        (plan.path, plan.a1("planned_date", "milestones", "安装调试完成"), "adjustment-not-applied", W),
    ]
    assert findings[0].related == (f"{adj.path} '调整明细'!{adj.a1('after', 'items', '2.2')}",)
    assert "ADJ-01" in findings[0].message_zh and "2026-06-25" in findings[0].message_zh


@pytest.mark.parametrize("result", ["待审批", "否决", "悬置"])
def test_unapproved_adjustment_need_not_be_applied(result: str) -> None:
    plan, contract, site, adj = sample_project()
    adj.form["result"] = result
    adj.form["requested_on"] = AS_OF  # not pending long
    plan.row("wbs", "2.2")["planned_finish"] = D(2026, 6, 18)
    assert run(plan, contract, site, adj) == []


def test_latest_approved_adjustment_wins() -> None:
    plan, contract, site, adj = sample_project()
    later = sample_adjustment()
    later.path = "PRJ-2026-001/调整确认表-ADJ-02.xlsx"
    later.form.update(adjustment_no="ADJ-02", requested_on=D(2026, 6, 1), pm_signed_on=D(2026, 6, 1),
                      sales_signed_on=D(2026, 6, 2), manager_signed_on=D(2026, 6, 3))
    later.tables["items"] = [{"item": "2.2", "field": "计划完成日期", "before": "2026-06-25", "after": "2026/6/30"}]
    findings = run(plan, contract, site, adj, later)
    assert [where(f) for f in findings] == [
        (plan.path, plan.a1("planned_finish", "wbs", "2.2"), "adjustment-not-applied", W)]
    assert "ADJ-02" in findings[0].message_zh
    plan.row("wbs", "2.2")["planned_finish"] = D(2026, 6, 30)
    assert run(plan, contract, site, adj, later) == []


def test_adjustment_of_a_payment_amount_in_the_contract_table() -> None:
    plan, contract, site, adj = sample_project()
    adj.tables["items"].append({"item": "初验款", "field": "应收日期", "before": "", "after": "2026年7月20日"})
    (f,) = run(plan, contract, site, adj)
    assert where(f) == (contract.path, contract.a1("due_date", "payments", "初验款"), "adjustment-not-applied", W)
    contract.row("payments", "初验款")["due_date"] = D(2026, 7, 20)
    assert run(plan, contract, site, adj) == []


def test_unreadable_after_value_is_not_compared() -> None:
    plan, contract, site, adj = sample_project()
    adj.tables["items"][0]["after"] = "月底前"
    assert run(plan, contract, site, adj) == []


# -- adjustment-no-duplicate ------------------------------------------------------------------------

def test_adjustment_no_duplicate() -> None:
    plan, contract, site, adj = sample_project()
    other = sample_adjustment()
    other.path = "PRJ-2026-001/调整确认表-副本.xlsx"
    findings = run(plan, contract, site, adj, other)
    # One finding in each file, naming the other (findings are sorted by file).
    assert [where(f) for f in findings] == [
        (adj.path, adj.a1("adjustment_no"), "adjustment-no-duplicate", E),
        (other.path, other.a1("adjustment_no"), "adjustment-no-duplicate", E),
    ]
    assert findings[0].related == (f"{other.path} '调整确认'!{other.a1('adjustment_no')}",)
    assert findings[1].related == (f"{adj.path} '调整确认'!{adj.a1('adjustment_no')}",)


# -- site-not-ready-for-install ---------------------------------------------------------------------

@pytest.mark.parametrize(("conclusion", "install", "actual", "expected"), [
    ("不具备", D(2026, 6, 20), None, True),          # 5 days before installation
    ("有条件具备", D(2026, 6, 22), None, True),      # exactly site_lead_days
    ("不具备", D(2026, 6, 23), None, False),         # 8 days away
    ("不具备", D(2026, 6, 10), None, True),          # installation date passed, not done
    ("不具备", D(2026, 6, 10), D(2026, 6, 12), False),  # already installed
    ("具备", D(2026, 6, 20), None, False),
])
def test_site_not_ready_for_install(conclusion: str, install: date, actual: date | None, expected: bool) -> None:
    plan, contract, site, adj = sample_project()
    # Keep the site's own entry date far away so only the cross rule speaks.
    site.form.update(conclusion=conclusion, planned_entry=D(2026, 9, 1))
    contract.row("stages", "安装调试").update(planned_date=install, actual_date=actual,
                                             status="已完成" if actual else "进行中")
    findings = run(plan, contract, site, adj)
    if expected:
        (f,) = findings
        assert where(f) == (site.path, site.a1("conclusion"), "site-not-ready-for-install", W)
        assert f.related == (ref(contract, "planned_date", "stages", "安装调试"),)
    else:
        assert findings == []


# -- project-form-missing ---------------------------------------------------------------------------

def test_project_form_missing() -> None:
    site, adj = sample_site(), sample_adjustment()
    findings = run(site, adj)
    assert [(f.file, f.code, f.severity, f.value) for f in findings] == [
        (site.path, "project-form-missing", I, "PRJ-2026-001"),
        (site.path, "project-form-missing", I, "PRJ-2026-001"),
    ]
    assert "项目计划书" in findings[0].message_zh and "合同进程表" in findings[1].message_zh


def test_contract_alone_misses_the_plan() -> None:
    assert [f.code for f in run(sample_contract())] == ["project-form-missing"]


def test_no_records_no_findings() -> None:
    assert check_project([], as_of=AS_OF) == []


# -- the whole project, as the validate command runs it ---------------------------------------------

def test_typical_mistakes_in_one_project() -> None:
    """A project with one mistake per workbook: each finding lands in its own file and cell."""
    plan, contract, site, adj = sample_project()
    plan.row("wbs", "2.2")["percent_complete"] = 1.0
    contract.row("stages", "产品下单")["actual_date"] = D(2026, 3, 8)
    site.form["conclusion"] = "不具备"
    adj.form["sales_opinion"] = None
    records: list[WorkbookRecord] = [d.build() for d in (plan, contract, site, adj)]
    findings = [f for r in records for f in check_workbook(r, as_of=AS_OF)] + check_project(records, as_of=AS_OF)
    assert [where(f) for f in findings] == [
        (plan.path, plan.a1("percent_complete", "wbs", "2.2"), "complete-status-mismatch", E),
        (contract.path, contract.a1("actual_date", "stages", "产品下单"), "stage-order", E),
        (site.path, site.a1("conclusion"), "site-not-ready", W),
        (adj.path, adj.a1("sales_opinion"), "sales-opinion-missing", E),
        (site.path, site.a1("conclusion"), "site-not-ready-for-install", W),
    ]
