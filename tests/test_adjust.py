"""pimxl adjust: two approved forms and one pending against a plan and a contract table.

Expectations are written out by hand: which cell of OUT holds what is looked up in OUT with openpyxl
(the row whose WBS编码 / 里程碑 / 收款节点 is the item, the column whose header is the field).
"""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest

from pimxl.cli import cli
from pimxl.io.reader import read_workbook
from pimxl.io.writer import write_template
from pimxl.templates import ADJUSTMENT, CONTRACT_PROGRESS, PROJECT_PLAN

D = date
AS_OF = "2026-11-27"
HEADER = {"project_id": "PRJ-2026-031", "project_name": "市医保平台升级", "contract_no": "HT-2026-031",
          "customer": "市医疗保障局", "division": "系统集成事业二部", "project_manager": "李强", "sales_rep": "周敏",
          "prepared_by": "李强", "prepared_on": D(2026, 3, 1)}
SIGNED = {"pm_name": "李强", "pm_signed_on": D(2026, 5, 6), "sales_name": "周敏", "sales_opinion": "同意",
          "sales_signed_on": D(2026, 5, 7), "manager_name": "赵主任", "manager_signed_on": D(2026, 5, 10)}


def _adjustment(path: Path, no: str, result: str, items: list[dict], **form: object) -> Path:
    values = {**HEADER, "adjustment_no": no, "requested_by": "李强", "requested_on": D(2026, 5, 5),
              "adjustment_type": "进度", "content": "调整", "reason": "到货延迟", "result": result, **form}
    return write_template(ADJUSTMENT, path, values=values, rows={"items": items})


@pytest.fixture
def project(tmp_path: Path) -> dict[str, Path]:
    plan = write_template(PROJECT_PLAN, tmp_path / "plan.xlsx", values={
        **HEADER, "contract_amount": 1000000, "planned_start": D(2026, 3, 2), "planned_finish": D(2026, 12, 31),
        "current_phase": "项目实施"}, rows={
        "wbs": [{"wbs_code": "2.4", "planned_finish": D(2026, 6, 30)}, {"wbs_code": "2.7", "planned_finish": D(2026, 7, 15)}],
        "milestones": [{"milestone": "系统初验", "planned_date": D(2026, 7, 20)}]})
    contract = write_template(CONTRACT_PROGRESS, tmp_path / "contract.xlsx", values={
        **HEADER, "contract_amount": 1000000, "signed_on": D(2026, 3, 1), "last_updated": D(2026, 11, 20)},
        rows={"stages": [{"stage": "系统初验", "planned_date": D(2026, 7, 20)}]})
    a = _adjustment(tmp_path / "ADJ-01.xlsx", "ADJ-01", "批准", [
        {"item": "2.4", "field": "计划完成", "before": "2026-06-30", "after": "2026-07-15"},
        {"item": "系统初验", "field": "计划日期", "before": "2026-07-20", "after": "2026-08-05"},
    ], old_finish=D(2026, 12, 31), new_finish=D(2027, 1, 15), schedule_impact_days=15, **SIGNED)
    b = _adjustment(tmp_path / "ADJ-02.xlsx", "ADJ-02", "批准", [
        {"item": "初验款", "field": "应收日期", "after": "2026-09-01"},
        {"item": "2.7", "field": "计划完成", "before": "2026-07-01", "after": "2026-08-10"},  # before is wrong
    ], adjustment_type="合同", old_amount=1000000, new_amount=1050000, cost_impact=50000,
        **{**SIGNED, "manager_signed_on": D(2026, 6, 1)})
    c = _adjustment(tmp_path / "ADJ-03.xlsx", "ADJ-03", "待审批", [
        {"item": "2.4", "field": "计划完成", "after": "2026-09-30"}])
    return {"plan": plan, "contract": contract, "a": a, "b": b, "c": c, "dir": tmp_path}


def _run(runner, p: dict[str, Path], *forms: Path, out: str = "out.xlsx", extra: tuple[str, ...] = ()):
    args = ["adjust", *map(str, forms), "--plan", str(p["plan"]), "--contract", str(p["contract"]),
            "-o", str(p["dir"] / "o" / out), "--contract-out", str(p["dir"] / "o" / f"c-{out}"),
            "--as-of", AS_OF, "--json", *extra]
    return runner.invoke(cli, args)


def _cell(path: Path, sheet: str, key_header: str, key: str, header: str) -> str:
    """The A1 address of the row whose ``key_header`` column is ``key``, in the column headed ``header``."""
    ws = openpyxl.load_workbook(path)[sheet]
    heads = {ws.cell(2, c).value: c for c in range(1, ws.max_column + 1)}
    row = next(r for r in range(3, ws.max_row + 1) if str(ws.cell(r, heads[key_header]).value) == key)
    return ws.cell(row, heads[header]).coordinate


def _form_cell(path: Path, label: str) -> str:
    wb = openpyxl.load_workbook(path)
    ws = wb["项目信息" if "项目信息" in wb.sheetnames else "合同信息"]
    row = next(r for r in range(1, ws.max_row + 1) if str(ws.cell(r, 1).value).rstrip(" *") == label)
    return f"B{row}"


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_two_approved_applied_pending_refused(runner, project):
    p = project
    before = {k: _sha(v) for k, v in p.items() if k != "dir"}
    res = _run(runner, p, p["a"], p["b"], p["c"])
    assert res.exit_code == 1, res.output  # one form refused
    doc = json.loads(res.stdout)
    status = {Path(f["file"]).name: f["status"] for f in doc["forms"]}
    assert status == {"ADJ-01.xlsx": "applied", "ADJ-02.xlsx": "applied", "ADJ-03.xlsx": "refused"}
    refused = next(f for f in doc["forms"] if f["adjustment_no"] == "ADJ-03")
    assert [r["code"] for r in refused["reasons"]] == ["not-approved"] and "待审批" in refused["reasons"][0]["message"]
    warned = next(f for f in doc["forms"] if f["adjustment_no"] == "ADJ-02")["warnings"]
    assert [w["code"] for w in warned] == ["before-mismatch"] and "2026-07-01" in warned[0]["message"]

    out, cout = p["dir"] / "o" / "out.xlsx", p["dir"] / "o" / "c-out.xlsx"
    wbs_24 = _cell(p["plan"], "WBS工作分解", "WBS编码", "2.4", "计划完成")
    wbs_27 = _cell(p["plan"], "WBS工作分解", "WBS编码", "2.7", "计划完成")
    ms = _cell(p["plan"], "里程碑", "里程碑", "系统初验", "计划日期")
    node = _cell(p["contract"], "收款计划", "收款节点", "初验款", "应收日期")
    finish, amount, camount = _form_cell(out, "计划完成"), _form_cell(out, "合同金额"), _form_cell(cout, "合同金额")
    wb, cwb = openpyxl.load_workbook(out), openpyxl.load_workbook(cout)
    got = {
        wbs_24: wb["WBS工作分解"][wbs_24].value.date(), wbs_27: wb["WBS工作分解"][wbs_27].value.date(),
        ms: wb["里程碑"][ms].value.date(), finish: wb["项目信息"][finish].value.date(),
        amount: wb["项目信息"][amount].value, "c" + node: cwb["收款计划"][node].value.date(),
        "c" + camount: cwb["合同信息"][camount].value,
    }
    assert got == {wbs_24: D(2026, 7, 15), wbs_27: D(2026, 8, 10), ms: D(2026, 8, 5), finish: D(2027, 1, 15),
                   amount: 1050000, "c" + node: D(2026, 9, 1), "c" + camount: 1050000}

    # The 调整记录 sheet of the plan: one row per changed cell, ADJ-01 (approved first) then ADJ-02.
    log = [r[1:] for r in wb["调整记录"].iter_rows(min_row=3, values_only=True)]
    assert log == [
        ("ADJ-01", "ADJ-01.xlsx", f"'WBS工作分解'!{wbs_24}", "2.4", "计划完成", "2026-06-30", "2026-07-15", "2026-06-30"),
        ("ADJ-01", "ADJ-01.xlsx", f"'里程碑'!{ms}", "系统初验", "计划日期", "2026-07-20", "2026-08-05", "2026-07-20"),
        ("ADJ-01", "ADJ-01.xlsx", f"'项目信息'!{finish}", "新计划完成日期", "计划完成", "2026-12-31", "2027-01-15",
         "2026-12-31"),
        ("ADJ-02", "ADJ-02.xlsx", f"'WBS工作分解'!{wbs_27}", "2.7", "计划完成", "2026-07-15", "2026-08-10", "2026-07-01"),
        ("ADJ-02", "ADJ-02.xlsx", f"'项目信息'!{amount}", "新合同金额", "合同金额", "1000000", "1050000", "1000000"),
    ]
    clog = [r[1:3] + r[3:4] for r in cwb["调整记录"].iter_rows(min_row=3, values_only=True)]
    assert clog == [("ADJ-02", "ADJ-02.xlsx", f"'收款计划'!{node}"), ("ADJ-02", "ADJ-02.xlsx", f"'合同信息'!{camount}")]
    # 应用时间: when, as a real date-time.
    assert all(isinstance(r[0], datetime) for r in wb["调整记录"].iter_rows(min_row=3, values_only=True))

    # The copy keeps what the plan had: identity, names, tables, validation; inputs are unchanged.
    rec = read_workbook(out)
    assert (rec.template_id, rec.version, rec.get("planned_finish")) == ("project-plan", PROJECT_PLAN.version,
                                                                         D(2027, 1, 15))
    assert "fld_planned_finish" in wb.defined_names and "tbl_wbs" in wb["WBS工作分解"].tables
    assert wb["WBS工作分解"].data_validations.dataValidation
    assert {k: _sha(v) for k, v in p.items() if k != "dir"} == before


def test_applying_twice_changes_nothing(runner, project):
    p = project
    assert _run(runner, p, p["a"], p["b"]).exit_code == 0
    out = p["dir"] / "o" / "out.xlsx"
    first = [tuple(r) for r in openpyxl.load_workbook(out)["调整记录"].iter_rows(values_only=True)]
    # Again, on the adjusted outputs.
    again = runner.invoke(cli, ["adjust", str(p["a"]), str(p["b"]), "--plan", str(out), "--contract",
                                str(p["dir"] / "o" / "c-out.xlsx"), "-o", str(p["dir"] / "o2.xlsx"),
                                "--contract-out", str(p["dir"] / "c2.xlsx"), "--as-of", AS_OF, "--json"])
    assert again.exit_code == 0, again.output
    assert {f["status"] for f in json.loads(again.stdout)["forms"]} == {"already-applied"}
    second = openpyxl.load_workbook(p["dir"] / "o2.xlsx")
    assert [tuple(r) for r in second["调整记录"].iter_rows(values_only=True)] == first
    assert read_workbook(p["dir"] / "o2.xlsx").form_values() == read_workbook(out).form_values()


def test_same_values_already_in_plan_are_unchanged(runner, project, tmp_path):
    """A form whose new values the plan already shows (typed by hand) changes nothing and logs nothing."""
    p = project
    plan = write_template(PROJECT_PLAN, tmp_path / "plan2.xlsx", values={
        **HEADER, "contract_amount": 1000000, "planned_start": D(2026, 3, 2), "planned_finish": D(2027, 1, 15)},
        rows={"wbs": [{"wbs_code": "2.4", "planned_finish": D(2026, 7, 15)}],
              "milestones": [{"milestone": "系统初验", "planned_date": D(2026, 8, 5)}]})
    res = runner.invoke(cli, ["adjust", str(p["a"]), "--plan", str(plan), "-o", str(tmp_path / "o3.xlsx"),
                              "--as-of", AS_OF, "--json"])
    assert res.exit_code == 0 and json.loads(res.stdout)["forms"][0]["status"] == "unchanged"
    assert "调整记录" not in openpyxl.load_workbook(tmp_path / "o3.xlsx").sheetnames


@pytest.mark.parametrize(("change", "codes"), [
    ({"manager_name": None, "manager_signed_on": None}, ["approval-missing", "approval-missing"]),
    ({"sales_opinion": None}, ["sales-opinion-missing"]),
    ({"pm_signed_on": D(2026, 5, 1)}, ["approval-date-before-request"]),
    ({"result": "否决"}, ["not-approved"]),
    ({"project_id": "PRJ-OTHER"}, ["other-project"]),
    ({"adjustment_no": None}, ["adjustment-no-missing"]),
])
def test_refusal_reasons(runner, project, change, codes):
    p = project
    form = {**SIGNED, "result": "批准", "adjustment_no": "ADJ-09", **change}
    no, result = form.pop("adjustment_no"), form.pop("result")
    path = _adjustment(p["dir"] / "bad.xlsx", no, result,
                       [{"item": "2.4", "field": "计划完成", "after": "2026-08-01"}], **form)
    res = _run(runner, p, path)
    assert res.exit_code == 1
    doc = json.loads(res.stdout)
    assert [r["code"] for r in doc["forms"][0]["reasons"]] == codes
    assert all(r["message"] for r in doc["forms"][0]["reasons"])
    assert "调整记录" not in openpyxl.load_workbook(p["dir"] / "o" / "out.xlsx").sheetnames


@pytest.mark.parametrize(("item", "code"), [
    ({"item": "9.9", "field": "计划完成", "after": "2026-08-01"}, "adjustment-item-unknown"),
    ({"item": "2.4", "field": "颜色", "after": "红"}, "adjustment-field-unknown"),
    ({"item": "2.4", "field": "计划完成", "after": "下个月"}, "adjustment-after-invalid"),
])
def test_items_that_cannot_be_applied_refuse_the_whole_form(runner, project, item, code):
    p = project
    form = _adjustment(p["dir"] / "bad.xlsx", "ADJ-08", "批准",
                       [{"item": "系统初验", "field": "计划日期", "after": "2026-08-05"}, item], **SIGNED)
    res = _run(runner, p, form)
    assert res.exit_code == 1
    forms = json.loads(res.stdout)["forms"]
    assert [r["code"] for r in forms[0]["reasons"]] == [code] and forms[0]["changes"] == []
    ws = openpyxl.load_workbook(p["dir"] / "o" / "out.xlsx")["里程碑"]
    ms = _cell(p["plan"], "里程碑", "里程碑", "系统初验", "计划日期")
    assert ws[ms].value.date() == D(2026, 7, 20)  # nothing of the refused form was applied


def test_output_may_not_overwrite_an_input(runner, project):
    p = project
    res = runner.invoke(cli, ["adjust", str(p["a"]), "--plan", str(p["plan"]), "-o", str(p["plan"])])
    assert res.exit_code == 2


def test_text_report(runner, project):
    p = project
    res = runner.invoke(cli, ["adjust", str(p["a"]), str(p["c"]), "--plan", str(p["plan"]), "-o",
                              str(p["dir"] / "t.xlsx"), "--as-of", AS_OF])
    assert res.exit_code == 1
    assert "ADJ-01.xlsx ADJ-01: 已应用" in res.stdout and "ADJ-03.xlsx ADJ-03: 拒绝" in res.stdout
    assert "2026-06-30 → 2026-07-15" in res.stdout


@pytest.mark.libreoffice
def test_adjusted_outputs_open_in_libreoffice(runner, project, tmp_path):
    from lo import convert

    p = project
    assert _run(runner, p, p["a"], p["b"]).exit_code == 0
    outs = convert([p["dir"] / "o" / "out.xlsx", p["dir"] / "o" / "c-out.xlsx"], "xlsx", tmp_path / "lo")
    plan, contract = (openpyxl.load_workbook(o, data_only=True) for o in outs)
    assert plan["调整记录"]["B3"].value == "ADJ-01"
    # The contract's 金额 formulas recompute from the adjusted 合同金额: 初验款 is 20 % of 1 050 000.
    node = _cell(p["contract"], "收款计划", "收款节点", "初验款", "金额")
    assert contract["收款计划"][node].value == 210000
