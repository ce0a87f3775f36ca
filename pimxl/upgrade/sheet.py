"""The 未迁移 sheet: values of an old workbook that have no place in the current template."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from .. import layout
from .leftovers import Leftover

__all__ = ["LEFTOVER_SHEET", "write_leftovers"]

LEFTOVER_SHEET = "未迁移"
_HEADS = (("原工作表", "Sheet"), ("原单元格", "Cell"), ("表头/标签", "Header / label"), ("值", "Value"),
          ("说明", "Note"))
_WIDTHS = (14, 10, 18, 30, 40)


def write_leftovers(wb: Any, leftovers: Sequence[Leftover]) -> Any:
    """Add the sheet (before 填写说明, so that it is seen) listing each leftover; returns it."""
    from openpyxl.styles import Font, PatternFill

    at = wb.sheetnames.index(layout.INSTRUCTIONS_SHEET) if layout.INSTRUCTIONS_SHEET in wb.sheetnames else None
    ws = wb.create_sheet(LEFTOVER_SHEET, at)
    for j, (zh, en) in enumerate(_HEADS, start=1):
        ws.cell(1, j, en).font = Font(size=8, color="7F7F7F")
        head = ws.cell(2, j, zh)
        head.font, head.fill = Font(bold=True), PatternFill("solid", fgColor="D9E1F2")
        ws.column_dimensions[head.column_letter].width = _WIDTHS[j - 1]
    for i, lo in enumerate(leftovers, start=3):
        ws.cell(i, 1, lo.sheet)
        ws.cell(i, 2, lo.address.rsplit("!", 1)[1])
        ws.cell(i, 3, lo.label or None)
        value = ws.cell(i, 4, _safe(lo.value))
        if isinstance(lo.value, str) and lo.value.startswith("="):
            value.data_type = "s"  # a formula's text is kept as text, never evaluated here
        if isinstance(lo.value, datetime | date):
            value.number_format = "yyyy-mm-dd hh:mm" if isinstance(lo.value, datetime) else "yyyy-mm-dd"
        ws.cell(i, 5, f"{lo.note_zh} / {lo.note_en}" if lo.note_zh else None)
    ws.freeze_panes = "A3"
    return ws


def _safe(value: Any) -> Any:
    """Values openpyxl can store as they are; anything else as text."""
    if value is None or isinstance(value, str | int | float | bool | date | datetime):
        return value
    return str(value)
