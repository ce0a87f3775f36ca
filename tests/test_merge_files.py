"""``pimxl merge`` on a realistic case, against expectations written out by hand.

BASE is a filled project plan. Copy A (an engineer on site) moved the 负责人 column to the end of
the WBS table, inserted two tasks after 2.4.3 and edited cells; copy B (the project manager) added
a column of their own, deleted task 3.5, edited cells, a risk and the form. Both edited 2.6's owner
(differently: a conflict) and 2.7's status (the same way: no conflict).
"""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from fixtures_reader import add_column, move_column, write_sample
from test_merge_support import sha256, table_ref_rows

from pimxl.cli import cli
from pimxl.io.reader import read_workbook
from pimxl.io.writer import write_template
from pimxl.merge import merge_files
from pimxl.templates import TEMPLATES

WBS = "WBS工作分解"


def _row_of(ws: Any, code: str) -> int:
    return next(c.row for c in ws["A"] if c.value == code)


def _col_of(ws: Any, header: str) -> int:
    return next(c.column for c in ws[2] if c.value == header)


def _copy_a(base: Path, d: Path) -> Path:
    moved = move_column(base, d / "moved.xlsx", WBS, 4, 13)  # 负责人 D → M (the last column)
    wb = openpyxl.load_workbook(moved)
    ws = wb[WBS]
    at = _row_of(ws, "2.4.3") + 1
    ws.insert_rows(at, 2)
    table_ref_rows(ws, 2)
    for r, (code, task, owner) in enumerate((("2.4.5", "机柜接地", "赵强"), ("2.4.6", "标签制作", None)), start=at):
        ws.cell(r, _col_of(ws, "WBS编码"), code)
        ws.cell(r, _col_of(ws, "任务名称"), task)
        ws.cell(r, _col_of(ws, "负责人"), owner)
    ws.cell(_row_of(ws, "2.5"), _col_of(ws, "负责人"), "王五")
    ws.cell(_row_of(ws, "1.1.2"), _col_of(ws, "实际开始"), "2026/3/4")  # a date typed as text
    ws.cell(_row_of(ws, "2.6"), _col_of(ws, "负责人"), "赵强")
    ws.cell(_row_of(ws, "2.7"), _col_of(ws, "状态"), "进行中")
    wb.save(d / "现场-张工.xlsx")
    return d / "现场-张工.xlsx"


def _copy_b(base: Path, d: Path) -> Path:
    wb = openpyxl.load_workbook(base)
    ws = wb[WBS]
    ws.cell(_row_of(ws, "2.5"), 13, "等待软件授权")  # 备注
    ws.cell(_row_of(ws, "2.6"), 4, "钱七")
    ws.cell(_row_of(ws, "2.7"), 10, "进行中")
    ws.delete_rows(_row_of(ws, "3.5"))
    table_ref_rows(ws, -1)
    wb["风险"].cell(4, 4, 0.5)  # R02 概率 0.3 → 0.5
    rec = read_workbook(base)
    cell = rec.form["planned_finish"].cell
    wb[cell.sheet].cell(cell.row, cell.col, date(2026, 10, 31))
    wb.save(d / "b0.xlsx")
    wb = openpyxl.load_workbook(d / "b0.xlsx")
    row_111 = _row_of(wb[WBS], "1.1.1")
    return add_column(d / "b0.xlsx", d / "项目经理.xlsx", WBS, 14, "客户意见", {row_111: "同意"})


@pytest.fixture
def case(tmp_path: Path) -> dict[str, Path]:
    base = write_sample("project-plan", tmp_path / "计划-基准.xlsx")
    return {"base": base, "a": _copy_a(base, tmp_path), "b": _copy_b(base, tmp_path), "dir": tmp_path}


def _wbs(path: Path) -> dict[str, dict[str, Any]]:
    rec = read_workbook(path)
    return {r.get("wbs_code"): {**r.values(), **r.extra} for r in rec.tables["wbs"]}


def test_inserted_rows_and_moved_column(case: dict[str, Path]) -> None:
    inputs = [case["base"], case["a"], case["b"]]
    before = [sha256(p) for p in inputs]
    out = case["dir"] / "合并.xlsx"
    run = merge_files(case["base"], [case["a"], case["b"]], out)
    assert [sha256(p) for p in inputs] == before

    codes = [r.get("wbs_code") for r in read_workbook(out).tables["wbs"]]
    base_codes = [r.get("wbs_code") for r in read_workbook(case["base"]).tables["wbs"]]
    want = list(base_codes)
    want.remove("3.5")
    at = want.index("2.4.3") + 1
    want[at:at] = ["2.4.5", "2.4.6"]
    assert codes == want

    wbs = _wbs(out)
    assert wbs["2.4.5"]["task"] == "机柜接地" and wbs["2.4.5"]["owner"] == "赵强"
    assert wbs["2.4.6"]["task"] == "标签制作" and wbs["2.4.6"]["owner"] is None
    assert wbs["2.5"]["owner"] == "王五" and wbs["2.5"]["remarks"] == "等待软件授权"
    assert wbs["1.1.2"]["actual_start"] == date(2026, 3, 4)
    assert wbs["2.6"]["owner"] is None  # conflict: BASE's (empty) value kept
    assert wbs["2.7"]["status"] == "进行中"
    assert wbs["1.1.1"]["客户意见"] == "同意" and wbs["1.1"]["客户意见"] is None
    # Untouched rows are exactly BASE's.
    base_wbs = _wbs(case["base"])
    for code in ("1", "1.2.3", "3.8", "2.4.4"):
        assert {k: v for k, v in wbs[code].items() if k != "客户意见"} == base_wbs[code]

    rec = read_workbook(out)
    risks = {r.get("risk_id"): r for r in rec.tables["risks"]}
    assert risks["R02"].get("probability") == 0.5 and risks["R01"].get("probability") == 0.5
    assert rec.get("planned_finish") == date(2026, 10, 31)

    assert [(c.kind, c.key, c.field) for c in run.plan.conflicts] == [("cell", ("2.6",), "owner")]
    assert dict(run.plan.conflicts[0].values) == {"现场-张工.xlsx": "赵强", "项目经理.xlsx": "钱七"}
    assert run.exit_code == 1
    kinds = sorted((c.kind, c.field, c.sources) for c in run.plan.changes if c.key in {("2.7",), ("3.5",)})
    assert kinds == [("cell", "status", ("现场-张工.xlsx", "项目经理.xlsx")), ("row-deleted", "", ("项目经理.xlsx",))]


def _validations(ws: Any) -> list[tuple[str, str, str]]:
    return sorted((str(v.sqref), str(v.type), str(v.formula1)) for v in ws.data_validations.dataValidation)


def test_out_keeps_base_workbook_and_marks_conflicts(case: dict[str, Path]) -> None:
    out = case["dir"] / "合并.xlsx"
    merge_files(case["base"], [case["a"], case["b"]], out)
    base, wb = openpyxl.load_workbook(case["base"]), openpyxl.load_workbook(out)
    assert wb.sheetnames[0] == "合并冲突" and "合并记录" in wb.sheetnames
    assert [s for s in wb.sheetnames if s not in ("合并冲突", "合并记录")] == base.sheetnames
    assert wb["_pimxl"].sheet_state == "veryHidden"
    assert [[c.value for c in r] for r in wb["_pimxl"].iter_rows()] == \
        [[c.value for c in r] for r in base["_pimxl"].iter_rows()]
    assert {n: d.attr_text for n, d in wb.defined_names.items()} == \
        {n: d.attr_text for n, d in base.defined_names.items()}
    for name in base.sheetnames:
        assert _validations(wb[name]) == _validations(base[name]), name
    ws = wb[WBS]
    table = ws.tables["tbl_wbs"]
    assert table.ref == base[WBS].tables["tbl_wbs"].ref.replace("M", "N")  # one column more: 客户意见
    assert [c.name for c in table.tableColumns][-1] == "客户意见" and ws.cell(2, 14).value == "客户意见"
    conflict = ws.cell(_row_of(ws, "2.6"), 4)
    assert conflict.fill.fgColor.rgb.endswith("F8CBAD")
    assert "赵强" in conflict.comment.text and "钱七" in conflict.comment.text
    # Formulas stay formulas (the risk score of R02).
    assert str(wb["风险"].cell(4, 6).value).startswith("=")
    rows = [[c.value for c in r] for r in wb["合并冲突"].iter_rows(min_row=2)]
    assert rows[0][:4] == ["WBS工作分解", "D" + str(_row_of(ws, "2.6")), "2.6", "负责人"]
    assert rows[0][6:8] == ["赵强", "钱七"]
    log = [[c.value for c in r] for r in wb["合并记录"].iter_rows(min_row=2)]
    assert ["WBS工作分解", "2.5", "备注", "（空）", "等待软件授权", "项目经理.xlsx"] in [
        [x[0], x[2], x[3], x[5], x[6], x[7]] for x in log]


def test_prefer_resolves(case: dict[str, Path]) -> None:
    for prefer, owner in (("first", "赵强"), ("last", "钱七"), ("base", None)):
        out = case["dir"] / f"合并-{prefer}.xlsx"
        run = merge_files(case["base"], [case["a"], case["b"]], out, prefer=prefer)  # type: ignore[arg-type]
        assert run.exit_code == 0 and run.plan.conflicts[0].resolved_by is not None
        assert _wbs(out)["2.6"]["owner"] == owner


def test_cli_text_json_and_exit_codes(case: dict[str, Path], runner: Any) -> None:
    out = case["dir"] / "out.xlsx"
    res = runner.invoke(cli, ["merge", str(case["base"]), str(case["a"]), str(case["b"]), "-o", str(out), "--json"])
    assert res.exit_code == 1, res.output
    doc = json.loads(res.stdout)
    assert doc["summary"]["unresolved"] == 1 and doc["exit_code"] == 1
    assert doc["conflicts"][0]["values"] == {"现场-张工.xlsx": "赵强", "项目经理.xlsx": "钱七"}
    change = next(c for c in doc["changes"] if c["row"] == "1.1.2")
    assert change == {"kind": "cell", "sheet": WBS, "cell": change["cell"], "cell_in": "out", "table": "wbs",
                      "row": "1.1.2",
                      "field": "actual_start", "label": "实际开始", "from": None, "to": "2026-03-04",
                      "source": ["现场-张工.xlsx"]}
    res = runner.invoke(cli, ["merge", str(case["base"]), str(case["a"]), "-o", str(out), "--lang", "en"])
    assert res.exit_code == 0 and res.stdout.startswith("merged → ")

    other = write_template(TEMPLATES["contract-progress"], case["dir"] / "合同.xlsx")
    res = runner.invoke(cli, ["merge", str(case["base"]), str(other), "-o", str(out)])
    assert res.exit_code == 2 and len(res.stderr.strip().splitlines()) == 1
    wb = openpyxl.load_workbook(case["a"])
    rec = read_workbook(case["a"])
    cell = rec.form["project_id"].cell
    wb[cell.sheet].cell(cell.row, cell.col, "PRJ-2026-999")
    wb.save(case["dir"] / "别的项目.xlsx")
    res = runner.invoke(cli, ["merge", str(case["base"]), str(case["dir"] / "别的项目.xlsx"), "-o", str(out)])
    assert res.exit_code == 2 and "PRJ-2026-999" in res.stderr
    res = runner.invoke(cli, ["merge", str(case["base"]), str(case["a"]), "-o", str(case["base"])])
    assert res.exit_code == 2


def test_delete_edit_conflict_keeps_row_with_edit(case: dict[str, Path]) -> None:
    wb = openpyxl.load_workbook(case["base"])
    ws = wb[WBS]
    ws.cell(_row_of(ws, "3.5"), 4, "孙八")  # copy B deleted 3.5; this copy edits it
    wb.save(case["dir"] / "edit35.xlsx")
    run = merge_files(case["base"], [case["b"], case["dir"] / "edit35.xlsx"], case["dir"] / "o.xlsx")
    assert [(c.kind, c.key) for c in run.plan.conflicts] == [("delete-edit", ("3.5",))]
    assert _wbs(case["dir"] / "o.xlsx")["3.5"]["owner"] == "孙八"
    run = merge_files(case["base"], [case["b"], case["dir"] / "edit35.xlsx"], case["dir"] / "o.xlsx", prefer="first")
    assert "3.5" not in _wbs(case["dir"] / "o.xlsx")


@pytest.mark.libreoffice
def test_out_opens_in_libreoffice_and_a_libreoffice_copy_merges(case: dict[str, Path]) -> None:
    from lo import convert

    out = case["dir"] / "合并.xlsx"
    merge_files(case["base"], [case["a"], case["b"]], out)
    # A copy re-saved by LibreOffice (another producer) merges to the same values.
    lo_dir = case["dir"] / "lo"
    [lo_out, lo_a] = convert([out, case["a"]], "xlsx", lo_dir)
    assert _wbs(lo_out) == _wbs(out)
    shutil.copy(lo_a, case["dir"] / "现场-张工-lo.xlsx")
    out2 = case["dir"] / "合并2.xlsx"
    merge_files(case["base"], [case["dir"] / "现场-张工-lo.xlsx", case["b"]], out2)
    assert _wbs(out2) == _wbs(out)
    # Formulas compute in LibreOffice: R02's score is 0.5 × 0.1.
    risks = {r.get("risk_id"): r for r in read_workbook(lo_out).tables["risks"]}
    assert risks["R02"].cells["score"].raw == pytest.approx(0.05)


def test_rows_with_no_place_in_base_are_reported(case: dict[str, Path]) -> None:
    wb = openpyxl.load_workbook(case["base"])
    del wb["风险"]
    wb.save(case["dir"] / "no-risks.xlsx")
    wb = openpyxl.load_workbook(case["base"])
    wb["风险"].cell(5, 1, "R03")
    wb["风险"].cell(5, 2, "新风险")
    wb.save(case["dir"] / "r03.xlsx")
    run = merge_files(case["dir"] / "no-risks.xlsx", [case["dir"] / "r03.xlsx"], case["dir"] / "o.xlsx")
    assert run.exit_code == 1
    assert [(c.kind, c.key) for c in run.plan.conflicts if c.key == ("R03",)] == [("no-place", ("R03",))]
    assert "新风险" in run.text()
