"""The highlight plan: cells, colours by severity, notes, and undoing the previous run."""

from __future__ import annotations

from pimxl.excel.highlight import (
    MARKS_SHEET,
    RESULT_SHEET,
    SEVERITY_COLORS,
    CellState,
    Change,
    Mark,
    cells_to_read,
    marks_from_rows,
    marks_to_rows,
    plan_highlight,
    result_rows,
)
from pimxl.findings import Code, Severity

ERR = Code("test-hl-error", Severity.ERROR, "错了：{value}", "wrong: {value}")
WARN = Code("test-hl-warning", Severity.WARNING, "可疑", "suspicious")
INFO = Code("test-hl-info", Severity.INFO, "已规范化", "normalised")
RED, YELLOW, BLUE = SEVERITY_COLORS[Severity.ERROR], SEVERITY_COLORS[Severity.WARNING], SEVERITY_COLORS[Severity.INFO]
USER_GREEN = (198, 239, 206)
SHEETS = ["项目信息", "风险"]


def test_colours_are_the_annotated_copies_fills() -> None:
    assert (RED, YELLOW, BLUE) == ((0xFF, 0xC7, 0xCE), (0xFF, 0xEB, 0x9C), (0xDD, 0xEB, 0xF7))


def test_worst_severity_colours_a_cell_and_every_finding_is_in_its_note() -> None:
    found = [ERR(sheet="风险", cell="D3", value="x"), INFO(sheet="风险", cell="D3"),
             WARN(sheet="项目信息", cell="B5"), INFO(sheet="项目信息", cell="B14"),
             ERR(sheet="别的表", cell="A1"),       # not a sheet of this book: listed, never coloured
             ERR(sheet="项目信息", cell="")]        # no cell: listed only
    plan = plan_highlight(found, [], {}, SHEETS)
    assert [(c.sheet, c.cell, c.state.color) for c in plan.changes] == [
        ("项目信息", "B5", YELLOW), ("项目信息", "B14", BLUE), ("风险", "D3", RED)]
    d3 = plan.changes[-1].state.note
    assert d3 == "[错误] 错了：x\n[提示] 已规范化"
    assert plan_highlight(found, [], {}, SHEETS, lang="en").changes[-1].state.note == "[error] wrong: x\n[info] normalised"
    assert [(m.sheet, m.cell, m.previous) for m in plan.marks] == [
        ("项目信息", "B5", CellState()), ("项目信息", "B14", CellState()), ("风险", "D3", CellState())]


def test_previous_fill_and_note_are_remembered() -> None:
    found = [ERR(sheet="风险", cell="D3", value="x")]
    now = {("风险", "D3"): CellState(USER_GREEN, "客户要求")}
    plan = plan_highlight(found, [], now, SHEETS)
    assert plan.marks == [Mark("风险", "D3", RED, "[错误] 错了：x", CellState(USER_GREEN, "客户要求"))]


def _mark(cell: str, previous: CellState | None = None) -> Mark:
    return Mark("风险", cell, RED, "[错误] 旧", previous or CellState())


def test_clearing_restores_previous_fills_and_notes() -> None:
    stored = [_mark("A1"), _mark("B1", CellState(USER_GREEN, "我的批注"))]
    now = {("风险", "A1"): CellState(RED, "[错误] 旧"), ("风险", "B1"): CellState(RED, "[错误] 旧")}
    plan = plan_highlight([], stored, now, SHEETS)
    assert plan.changes == [Change("风险", "A1", CellState(None, None)),
                            Change("风险", "B1", CellState(USER_GREEN, "我的批注"))]
    assert plan.marks == []


def test_clearing_leaves_what_the_user_changed_since() -> None:
    stored = [_mark("A1", CellState(USER_GREEN, None)), _mark("B1")]
    now = {("风险", "A1"): CellState((0, 0, 255), "[错误] 旧"),   # user recoloured it: the colour stays
           ("风险", "B1"): CellState(RED, "已与客户确认")}          # user rewrote the note: the note stays
    plan = plan_highlight([], stored, now, SHEETS)
    assert plan.changes == [Change("风险", "A1", CellState((0, 0, 255), None), color=False, note=True),
                            Change("风险", "B1", CellState(None, "已与客户确认"), color=True, note=False)]


def test_a_cell_still_wrong_keeps_its_original_previous_state() -> None:
    # Marked last time over the user's green; still wrong now: recoloured, and the green is still remembered.
    stored = [_mark("D3", CellState(USER_GREEN, None))]
    now = {("风险", "D3"): CellState(RED, "[错误] 旧")}
    plan = plan_highlight([WARN(sheet="风险", cell="D3")], stored, now, SHEETS)
    assert plan.changes == [Change("风险", "D3", CellState(YELLOW, "[警告] 可疑"))]
    assert plan.marks[0].previous == CellState(USER_GREEN, None)


def test_unchanged_cells_are_not_written() -> None:
    stored = [Mark("风险", "D3", YELLOW, "[警告] 可疑")]
    now = {("风险", "D3"): CellState(YELLOW, "[警告] 可疑")}
    plan = plan_highlight([WARN(sheet="风险", cell="D3")], stored, now, SHEETS)
    assert plan.changes == [] and len(plan.marks) == 1


def test_pimxl_sheets_are_never_marked_and_cells_to_read() -> None:
    found = [ERR(sheet=RESULT_SHEET, cell="A2"), ERR(sheet=MARKS_SHEET, cell="A2"), ERR(sheet="风险", cell="D3")]
    sheets = [*SHEETS, RESULT_SHEET, MARKS_SHEET]
    assert cells_to_read(found, [_mark("A1")], sheets) == {("风险", "D3"), ("风险", "A1")}


def test_marks_round_trip_through_sheet_rows() -> None:
    marks = [Mark("2026", "A1", RED, "[错误] x", CellState((0, 0, 0), "")),
             Mark("风险", "AB12", BLUE, "[提示] y", CellState(None, None)),
             Mark("风险", "C3", YELLOW, "z", CellState(USER_GREEN, "我的"))]
    rows = marks_to_rows(marks)
    assert rows[1] == ["2026", "A1", "#FFC7CE", "[错误] x", "#000000", "N:"]
    assert marks_from_rows(rows) == marks
    # Rows a user broke are skipped; None cells (as xlwings reads empty cells) are fine.
    assert marks_from_rows([rows[0], ["风险", "not a cell", "#FFC7CE"], ["风险", "B2", "#FFC7CE", None, None, None]]) \
        == [Mark("风险", "B2", RED, "", CellState())]
    assert marks_from_rows(None) == []


def test_result_rows_link_to_their_cells() -> None:
    rows = result_rows([INFO(sheet="风险", cell="D3"), ERR(sheet="项目信息", cell="B5", value="x"),
                        WARN(sheet="项目信息")])
    assert rows[0] == ["严重程度", "位置", "代码", "字段", "值", "说明"]
    assert [r[0] for r in rows[1:]] == ["错误", "警告", "提示"]
    assert rows[1][1] == """=HYPERLINK("#'项目信息'!B5","'项目信息'!B5")"""
    assert rows[2][1] == "'项目信息'"
    assert result_rows([], lang="en") == [["Severity", "Cell", "Code", "Field", "Value", "Message"]]
