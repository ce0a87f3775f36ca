"""``pimxl merge`` keeps what the template does not declare: sheets a copy added and free cells.

A project manager's copy of the plan gets a sheet of notes, a remark beside the form, a figure
below a table. None of it is a template field, and none of it may be lost: each case below builds
copies with openpyxl from the generated project-plan template and checks OUT cell by cell, the
合并记录 / 合并冲突 sheets, the text summary and --json.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from openpyxl.chart import BarChart, Reference
from openpyxl.comments import Comment
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.worksheet.datavalidation import DataValidation
from test_merge_support import sha256

from pimxl.cli import cli
from pimxl.merge import merge_files
from pimxl.merge.apply import CONFLICT_FILL

TEMPLATE = Path(__file__).resolve().parent.parent / "workbooks" / "templates" / "project-plan.xlsx"
FORM, WBS, NOTES = "项目信息", "WBS工作分解", "我的笔记"


@pytest.fixture
def base(tmp_path: Path) -> Path:
    return Path(shutil.copy(TEMPLATE, tmp_path / "base.xlsx"))


def edited(base: Path, name: str, cells: dict[tuple[str, str], Any], drop: tuple[str, ...] = ()) -> Path:
    """A copy of ``base`` with ``cells`` set ((sheet, cell) → value; new sheets made) and sheets dropped."""
    wb = openpyxl.load_workbook(base)
    for sheet in drop:
        del wb[sheet]
    for (sheet, ref), value in cells.items():
        ws = wb[sheet] if sheet in wb.sheetnames else wb.create_sheet(sheet)
        ws[ref] = value
    out = base.parent / name
    wb.save(out)
    return out


def log_rows(out: Path) -> list[tuple[Any, ...]]:
    """合并记录 as (sheet, cell, kind, from, to, source) rows."""
    ws = openpyxl.load_workbook(out)["合并记录"]
    return [(r[0], r[1], r[4], r[5], r[6], r[7]) for r in ws.iter_rows(min_row=2, values_only=True)]


def test_reproduction_sheet_and_free_cell_survive(base: Path, runner: Any) -> None:
    copy = edited(base, "copy.xlsx", {(NOTES, "A1"): "客户联系人：张三", (NOTES, "B2"): 42,
                                      (FORM, "F3"): "自由单元格备注"})
    before = sha256(copy), sha256(base)
    out = base.parent / "out.xlsx"
    result = runner.invoke(cli, ["merge", str(base), str(copy), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "自由单元格 1 处，新增工作表 1 个，冲突 0 处" in result.output
    wb = openpyxl.load_workbook(out)
    assert wb[NOTES]["A1"].value == "客户联系人：张三"
    assert wb[NOTES]["B2"].value == 42
    assert wb[FORM]["F3"].value == "自由单元格备注"
    # The added sheet comes after the template's visible sheets, before the log; _pimxl stays last.
    assert wb.sheetnames[-4:] == ["填写说明", NOTES, "合并记录", "_pimxl"]
    assert log_rows(out) == [
        (FORM, "F3", "自由单元格", "（空）", "自由单元格备注", "copy.xlsx"),
        (NOTES, "A1", "新增工作表", "（空）", "A1=客户联系人：张三; B2=42", "copy.xlsx"),
    ]
    doc = json.loads(runner.invoke(cli, ["merge", str(base), str(copy), "-o", str(out), "--json"]).output)
    assert doc["summary"] == {"changes": 2, "conflicts": 0, "unresolved": 0, "free-cell": 1, "sheet-added": 1}
    assert [(c["kind"], c["cell"], c["from"], c["to"], c["source"]) for c in doc["changes"]] == [
        ("free-cell", "'项目信息'!F3", None, "自由单元格备注", ["copy.xlsx"]),
        ("sheet-added", "'我的笔记'!A1", None, {"A1": "客户联系人：张三", "B2": 42}, ["copy.xlsx"]),
    ]
    assert (sha256(copy), sha256(base)) == before  # inputs untouched


def test_same_sheet_added_by_two_copies_disjoint_cells(base: Path) -> None:
    a = edited(base, "a.xlsx", {(NOTES, "A1"): "甲的笔记", (NOTES, "A3"): 5})
    b = edited(base, "b.xlsx", {(NOTES, "B1"): "乙的笔记", (NOTES, "A3"): 5.0})
    out = base.parent / "out.xlsx"
    run = merge_files(base, [a, b], out)
    assert run.exit_code == 0 and run.plan.conflicts == []
    ws = openpyxl.load_workbook(out)[NOTES]
    assert (ws["A1"].value, ws["B1"].value, ws["A3"].value) == ("甲的笔记", "乙的笔记", 5)
    [change] = run.plan.changes
    assert (change.kind, change.sources, change.new) == ("sheet-added", ("a.xlsx", "b.xlsx"),
                                                         {"A1": "甲的笔记", "A3": 5, "B1": "乙的笔记"})


@pytest.mark.parametrize(("prefer", "expected", "exit_code"),
                         [(None, None, 1), ("base", None, 0), ("first", "甲", 0), ("last", "乙", 0)])
def test_same_sheet_added_by_two_copies_conflicting_cell(base: Path, prefer: Any, expected: Any,
                                                          exit_code: int) -> None:
    a = edited(base, "a.xlsx", {(NOTES, "A1"): "甲", (NOTES, "A2"): "同"})
    b = edited(base, "b.xlsx", {(NOTES, "A1"): "乙", (NOTES, "A2"): "同"})
    out = base.parent / "out.xlsx"
    run = merge_files(base, [a, b], out, prefer=prefer)
    assert run.exit_code == exit_code
    wb = openpyxl.load_workbook(out)
    cell = wb[NOTES]["A1"]
    assert (cell.value, wb[NOTES]["A2"].value) == (expected, "同")
    # Marked like any conflict: coloured, a comment with every copy's value; listed on 合并冲突.
    assert cell.fill.fgColor.rgb.endswith(CONFLICT_FILL)
    assert "a.xlsx: 甲" in cell.comment.text and "b.xlsx: 乙" in cell.comment.text
    rows = list(wb["合并冲突"].iter_rows(min_row=2, values_only=True))
    assert [(r[0], r[1], r[6], r[7]) for r in rows] == [(NOTES, "A1", "甲", "乙")]
    [conflict] = run.plan.conflicts
    assert (conflict.sheet, conflict.address, conflict.base) == (NOTES, "'我的笔记'!A1", None)


@pytest.mark.parametrize(("prefer", "expected", "exit_code", "resolved_by"),
                         [(None, "原备注", 1, None), ("base", "原备注", 0, "base"),
                          ("first", "张工的备注", 0, "a.xlsx"), ("last", "李经理的备注", 0, "b.xlsx")])
def test_free_cell_conflict_with_each_prefer(base: Path, prefer: Any, expected: str, exit_code: int,
                                             resolved_by: Any, runner: Any) -> None:
    start = edited(base, "start.xlsx", {(FORM, "F3"): "原备注", (FORM, "F5"): "不变"})
    a = edited(start, "a.xlsx", {(FORM, "F3"): "张工的备注", (FORM, "G9"): 2, (FORM, "G10"): " 同一句 "})
    b = edited(start, "b.xlsx", {(FORM, "F3"): "李经理的备注", (FORM, "G9"): 2.0, (FORM, "G10"): "同一句"})
    out = base.parent / "out.xlsx"
    args = ["merge", str(start), str(a), str(b), "-o", str(out), "--json"] + (["--prefer", prefer] if prefer else [])
    result = runner.invoke(cli, args)
    assert result.exit_code == exit_code, result.output
    doc = json.loads(result.output)
    [conflict] = doc["conflicts"]
    assert (conflict["cell"], conflict["base"], conflict["values"], conflict["resolved_by"], conflict["free"]) == (
        "'项目信息'!F3", "原备注", {"a.xlsx": "张工的备注", "b.xlsx": "李经理的备注"}, resolved_by, True)
    ws = openpyxl.load_workbook(out)[FORM]
    assert (ws["F3"].value, ws["F5"].value) == (expected, "不变")
    # 2 and 2.0, " 同一句 " and "同一句" mean the same: one change each, no conflict.
    assert ws["G9"].value == 2
    same = [c for c in doc["changes"] if c["cell"] in ("'项目信息'!G9", "'项目信息'!G10")]
    assert [(c["kind"], c["to"], c["source"]) for c in same] == [("free-cell", 2, ["a.xlsx", "b.xlsx"]),
                                                                 ("free-cell", " 同一句 ", ["a.xlsx", "b.xlsx"])]


def test_free_cells_on_table_sheets_and_deleted_cells(base: Path) -> None:
    start = edited(base, "start.xlsx", {(WBS, "A70"): "表下方的说明", (WBS, "P3"): "旁注", (FORM, "E4"): "删掉我"})
    a = edited(start, "a.xlsx", {(WBS, "A70"): "说明已更新", (FORM, "E4"): None})
    b = edited(start, "b.xlsx", {(WBS, "P5"): 12, (WBS, "D4"): "张伟"})  # D4: a table cell, merged as a field
    out = base.parent / "out.xlsx"
    run = merge_files(start, [a, b], out)
    assert run.exit_code == 0
    wb = openpyxl.load_workbook(out)
    assert (wb[WBS]["A70"].value, wb[WBS]["P3"].value, wb[WBS]["P5"].value, wb[WBS]["D4"].value) == (
        "说明已更新", "旁注", 12, "张伟")
    assert wb[FORM]["E4"].value is None
    assert sorted((c.kind, c.address, c.old, c.new, c.sources) for c in run.plan.changes) == [
        ("cell", "'WBS工作分解'!D4", None, "张伟", ("b.xlsx",)),
        ("free-cell", "'WBS工作分解'!A70", "表下方的说明", "说明已更新", ("a.xlsx",)),
        ("free-cell", "'WBS工作分解'!P5", None, 12, ("b.xlsx",)),
        ("free-cell", "'项目信息'!E4", "删掉我", None, ("a.xlsx",)),
    ]
    assert ("项目信息", "E4", "自由单元格", "删掉我", "（空）", "a.xlsx") in log_rows(out)


def test_form_labels_and_notes_are_not_free_cells(base: Path) -> None:
    # The label and note beside a form value are the template's text: a copy's own wording is no edit…
    a = edited(base, "a.xlsx", {(FORM, "C4"): "改过的说明", (FORM, "B4"): "PRJ-2026-001"})
    run = merge_files(base, [a], base.parent / "out.xlsx")
    # …while the value itself merges as the form field it is.
    assert [(c.kind, c.field, c.new) for c in run.plan.changes] == [("cell", "project_id", "PRJ-2026-001")]


def _styled_copy(base: Path) -> Path:
    wb = openpyxl.load_workbook(base)
    ws = wb.create_sheet(NOTES)
    ws["A1"], ws["A2"], ws["A3"], ws["B3"] = 2, 3.5, "=A1*A2", "=SUM(A1:A3)"
    ws["A1"].font = Font(bold=True, color="FF0000", size=14)
    ws["A2"].fill = PatternFill("solid", fgColor="FFFF00")
    ws["A2"].number_format = "0.00"
    ws["A3"].border = Border(bottom=Side(style="thick"))
    ws["A3"].alignment = Alignment(horizontal="center", wrap_text=True)
    ws["C1"] = "合并单元格"
    ws.merge_cells("C1:D2")
    ws.column_dimensions["A"].width = 31
    ws.row_dimensions[2].height = 40
    ws.freeze_panes = "B2"
    ws["E5"].fill = PatternFill("solid", fgColor="00B0F0")  # styled, no value
    ws["F1"], ws["F1"].hyperlink, ws["F2"] = "客户网站", "https://example.com/", "见批注"
    ws["F2"].comment = Comment("电话 138 0000 0000", "张三")
    dv = DataValidation(type="list", formula1='"是,否"')
    ws.add_data_validation(dv)
    dv.add("G1:G10")
    ws.conditional_formatting.add("A1:A3", CellIsRule(operator="greaterThan", formula=["3"],
                                                      fill=PatternFill("solid", bgColor="FFC7CE")))
    chart = BarChart()
    chart.add_data(Reference(ws, min_col=1, min_row=1, max_row=3))
    ws.add_chart(chart, "I2")
    wb.save(base.parent / "styled.xlsx")
    return base.parent / "styled.xlsx"


def test_added_sheet_keeps_formulas_and_styles(base: Path) -> None:
    out = base.parent / "out.xlsx"
    merge_files(base, [_styled_copy(base)], out)
    ws = openpyxl.load_workbook(out)[NOTES]
    assert [ws[r].value for r in ("A1", "A2", "A3", "B3", "C1")] == [2, 3.5, "=A1*A2", "=SUM(A1:A3)", "合并单元格"]
    assert (ws["A1"].font.b, ws["A1"].font.color.rgb, ws["A1"].font.sz) == (True, "00FF0000", 14)
    assert (ws["A2"].fill.fgColor.rgb, ws["A2"].number_format) == ("00FFFF00", "0.00")
    assert ws["A3"].border.bottom.style == "thick"
    assert (ws["A3"].alignment.horizontal, ws["A3"].alignment.wrap_text) == ("center", True)
    assert ws["E5"].fill.fgColor.rgb == "0000B0F0"
    assert [str(r) for r in ws.merged_cells.ranges] == ["C1:D2"]
    assert (ws.column_dimensions["A"].width, ws.row_dimensions[2].height, ws.freeze_panes) == (31, 40, "B2")
    assert (ws["F1"].hyperlink.target, ws["F2"].comment.text) == ("https://example.com/", "电话 138 0000 0000")
    assert [(str(v.sqref), v.formula1) for v in ws.data_validations.dataValidation] == [("G1:G10", '"是,否"')]
    [cf] = list(ws.conditional_formatting)
    [rule] = cf.rules
    assert (str(cf.sqref), rule.operator, rule.formula, rule.dxf.fill.bgColor.rgb) == (
        "A1:A3", "greaterThan", ["3"], "00FFC7CE")
    [chart] = ws._charts
    assert chart.series[0].val.numRef.f == "'我的笔记'!$A$1:$A$3"


@pytest.mark.libreoffice
def test_added_sheet_formulas_compute_in_libreoffice(base: Path) -> None:
    from lo import convert

    out = base.parent / "out.xlsx"
    merge_files(base, [_styled_copy(base)], out)
    [recalculated] = convert([out], "xlsx", base.parent / "lo")
    ws = openpyxl.load_workbook(recalculated, data_only=True)[NOTES]
    assert (ws["A3"].value, ws["B3"].value) == (7, 12.5)


def test_sheet_deleted_in_a_copy_is_kept(base: Path, runner: Any) -> None:
    start = edited(base, "start.xlsx", {(NOTES, "A1"): "客户联系人：张三"})
    a = edited(start, "a.xlsx", {}, drop=(NOTES,))
    b = edited(start, "b.xlsx", {(NOTES, "B1"): "电话 138"})
    out = base.parent / "out.xlsx"
    result = runner.invoke(cli, ["merge", str(start), str(a), str(b), "-o", str(out)])
    assert result.exit_code == 0, result.output
    ws = openpyxl.load_workbook(out)[NOTES]
    assert (ws["A1"].value, ws["B1"].value) == ("客户联系人：张三", "电话 138")
    assert log_rows(out) == [
        (NOTES, "A1", "保留工作表（副本中已删除）", "（空）", "（空）", "a.xlsx"),
        (NOTES, "B1", "自由单元格", "（空）", "电话 138", "b.xlsx"),
    ]
    assert "保留工作表（副本中已删除）" in result.output


def test_user_sheet_in_base_merges_cell_by_cell(base: Path) -> None:
    start = edited(base, "start.xlsx", {(NOTES, "A1"): "x", (NOTES, "A2"): "=A1&\"!\""})
    a = edited(start, "a.xlsx", {(NOTES, "A1"): "甲改"})
    b = edited(start, "b.xlsx", {(NOTES, "C3"): "=A1&\"?\""})
    run = merge_files(start, [a, b], base.parent / "out.xlsx")
    ws = openpyxl.load_workbook(base.parent / "out.xlsx")[NOTES]
    assert [ws[r].value for r in ("A1", "A2", "C3")] == ["甲改", "=A1&\"!\"", "=A1&\"?\""]
    assert [(c.kind, c.address) for c in run.plan.changes] == [("free-cell", "'我的笔记'!A1"),
                                                               ("free-cell", "'我的笔记'!C3")]


def test_nothing_changed_means_no_free_changes(base: Path) -> None:
    same = edited(base, "same.xlsx", {})
    run = merge_files(base, [same, same], base.parent / "out.xlsx")
    assert run.plan.changes == [] and run.plan.conflicts == []


@pytest.mark.libreoffice
@pytest.mark.parametrize("fmt", ["ods", "xls"])
def test_ods_and_xls_copies_bring_values(base: Path, fmt: str) -> None:
    from lo import convert

    copy = edited(base, "copy.xlsx", {(NOTES, "A1"): "客户联系人：张三", (NOTES, "B2"): 42,
                                      (FORM, "F3"): "自由单元格备注", (FORM, "F4"): "=1+1"})
    [other] = convert([copy], fmt, base.parent / "lo")
    out = base.parent / "out.xlsx"
    run = merge_files(base, [other], out)
    wb = openpyxl.load_workbook(out)
    # Values only: python-calamine reads .ods/.xls values (a formula as its result), not styles.
    assert (wb[NOTES]["A1"].value, wb[NOTES]["B2"].value) == ("客户联系人：张三", 42)
    assert (wb[FORM]["F3"].value, wb[FORM]["F4"].value) == ("自由单元格备注", 2)
    assert sorted((c.kind, c.address) for c in run.plan.changes) == [
        ("free-cell", "'项目信息'!F3"), ("free-cell", "'项目信息'!F4"), ("sheet-added", "'我的笔记'!A1")]


def _insert_table_rows(src: Path, dst: Path, at: int, codes: list[str], cells: dict[str, Any] | None = None) -> Path:
    """``src`` with ``codes`` inserted as WBS rows at sheet row ``at`` (the Excel table grows, as in Excel)."""
    from test_merge_support import table_ref_rows

    wb = openpyxl.load_workbook(src)
    ws = wb[WBS]
    ws.insert_rows(at, len(codes))
    table_ref_rows(ws, len(codes))
    for i, code in enumerate(codes):
        ws.cell(at + i, 1, code)
        ws.cell(at + i, 2, f"任务{code}")
    for ref, value in (cells or {}).items():
        ws[ref] = value
    wb.save(dst)
    return dst


def test_cells_below_a_table_follow_inserted_rows(base: Path) -> None:
    # BASE's WBS table ends at row 62; a note below it. Both copies insert rows, so in each the note
    # is two rows lower; copy a also edits it there. The table has room (blank rows): OUT's doesn't grow.
    start = edited(base, "start.xlsx", {(WBS, "A64"): "表下说明", (WBS, "B65"): 99})
    a = _insert_table_rows(start, base.parent / "a.xlsx", 10, ["1.9.1", "1.9.2"], {"A66": "说明已更新"})
    b = _insert_table_rows(start, base.parent / "b.xlsx", 20, ["2.9.1", "2.9.2"])
    out = base.parent / "out.xlsx"
    run = merge_files(start, [a, b], out)
    assert run.exit_code == 0 and run.plan.conflicts == []
    ws = openpyxl.load_workbook(out)[WBS]
    assert (ws["A64"].value, ws["B65"].value, ws["A66"].value, ws["B67"].value) == ("说明已更新", 99, None, None)
    assert [(c.kind, c.address, c.old, c.new) for c in run.plan.changes if c.sheet] == [
        ("free-cell", "'WBS工作分解'!A64", "表下说明", "说明已更新")]


def test_rows_inserted_in_the_form_are_listed_not_dropped(base: Path) -> None:
    # A user inserts a row of their own into the form (Excel moves the defined names down with it).
    wb = openpyxl.load_workbook(base)
    ws = wb[FORM]
    ws.insert_rows(10)
    ws["A10"], ws["B10"], ws["B4"] = "备用联系人", "李四", "PRJ-2026-001"
    for dn in wb.defined_names.values():
        sheet, _, ref = dn.attr_text.rpartition("!")
        col, row = ref.strip("$").split("$")
        if dn.name.startswith("fld_") and int(row) >= 10:
            dn.attr_text = f"{sheet}!${col}${int(row) + 1}"
    wb.save(base.parent / "inserted.xlsx")
    run = merge_files(base, [base.parent / "inserted.xlsx"], base.parent / "out.xlsx")
    assert run.exit_code == 1
    assert [(c.kind, c.sheet, c.values) for c in run.plan.conflicts] == [
        ("no-place", FORM, [("inserted.xlsx", {"A10": "备用联系人"})]),
        ("no-place", FORM, [("inserted.xlsx", {"B10": "李四"})])]
    # The field values still merge by name; no label or note below the new row reads as an edit.
    assert [(c.kind, c.field, c.new) for c in run.plan.changes] == [("cell", "project_id", "PRJ-2026-001")]
    assert "基准中没有位置，未写入：A10=备用联系人" in run.text()


def test_a_table_grown_over_free_cells_lists_them(base: Path) -> None:
    # BASE's table is full (no blank rows) with a note right below; both copies add rows: OUT's table
    # grows over the note, which cannot stay where it was — listed, exit 1.
    wb = openpyxl.load_workbook(base)
    ws = wb[WBS]
    last = max(r for r in range(3, 63) if ws.cell(r, 1).value)
    ws.delete_rows(last + 1, 62 - last)
    ws.tables["tbl_wbs"].ref = ws.tables["tbl_wbs"].autoFilter.ref = f"A2:M{last}"
    ws.cell(last + 2, 1, "表下说明")
    wb.save(base.parent / "full.xlsx")
    full = base.parent / "full.xlsx"
    a = _insert_table_rows(full, base.parent / "a.xlsx", 10, ["1.9.1", "1.9.2"], {f"A{last + 4}": "说明已更新"})
    b = _insert_table_rows(full, base.parent / "b.xlsx", 20, ["2.9.1", "2.9.2"])
    run = merge_files(full, [a, b], base.parent / "out.xlsx")
    assert run.exit_code == 1
    assert [(c.kind, c.base, c.values) for c in run.plan.conflicts] == [
        ("no-room", "表下说明", [("a.xlsx", {f"A{last + 2}": "说明已更新"})])]
    assert not [c for c in run.plan.changes if c.kind == "free-cell"]
    assert "表格扩展后占用此位置，未写入" in run.text()
    ws = openpyxl.load_workbook(base.parent / "out.xlsx")[WBS]
    assert ws.tables["tbl_wbs"].ref == f"A2:M{last + 4}"


@pytest.mark.libreoffice
def test_ods_copy_lines_up_cells_below_a_table(base: Path) -> None:
    from lo import convert

    # An .ods copy has no Excel table: its blank table rows look like the sheet below. The note
    # below the table is still found two rows lower after two inserted rows, and its edit lands.
    # (Without an Excel table the reader takes rows up to 50 blank rows below the data as table
    # rows, so the note sits further down than that.)
    start = edited(base, "start.xlsx", {(WBS, "A120"): "表下说明", (WBS, "B121"): 99})
    a = _insert_table_rows(start, base.parent / "a.xlsx", 10, ["1.9.1", "1.9.2"], {"A122": "说明已更新"})
    [same, moved] = convert([start, a], "ods", base.parent / "lo")
    run = merge_files(start, [same], base.parent / "same.xlsx")
    assert run.plan.changes == [] and run.plan.conflicts == []
    run = merge_files(start, [moved], base.parent / "out.xlsx")
    assert run.plan.conflicts == []
    assert [(c.kind, c.address, c.new) for c in run.plan.changes if c.sheet] == [
        ("free-cell", "'WBS工作分解'!A120", "说明已更新")]
    ws = openpyxl.load_workbook(base.parent / "out.xlsx")[WBS]
    assert (ws["A120"].value, ws["B121"].value, ws["A122"].value) == ("说明已更新", 99, None)


def test_value_under_a_merged_range_of_base_is_listed(base: Path) -> None:
    # The copy unmerged the form's title (A1:C1) and typed beside it: BASE's C1 takes no value.
    wb = openpyxl.load_workbook(base)
    wb[FORM].unmerge_cells("A1:C1")
    wb[FORM]["C1"] = "写在标题旁"
    wb.save(base.parent / "unmerged.xlsx")
    run = merge_files(base, [base.parent / "unmerged.xlsx"], base.parent / "out.xlsx")
    assert run.exit_code == 1
    assert [(c.kind, c.sheet, c.values) for c in run.plan.conflicts] == [
        ("no-place", FORM, [("unmerged.xlsx", {"C1": "写在标题旁"})])]
    assert "项目信息  基准中无位置: 基准中没有位置，未写入：C1=写在标题旁" in run.text()
    assert [str(r) for r in openpyxl.load_workbook(base.parent / "out.xlsx")[FORM].merged_cells.ranges] == ["A1:C1"]
