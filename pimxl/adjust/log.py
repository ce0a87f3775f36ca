"""The 调整记录 sheet: which adjustment changed which cell, from what to what, and when.

One row per changed cell, appended run after run. The sheet is also how a re-run knows a form was
already applied to this file (its 调整单号 is listed), which makes ``pimxl adjust`` idempotent.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from .. import layout
from ..findings import format_value

__all__ = ["LOG_HEADS", "LOG_SHEET", "append_log", "logged_numbers"]

LOG_SHEET = "调整记录"
LOG_HEADS: tuple[tuple[str, str, float], ...] = (
    ("应用时间", "Applied at", 17), ("调整单号", "Adjustment no.", 12), ("调整确认表", "Adjustment form", 26),
    ("单元格", "Cell", 16), ("调整项", "Item", 18), ("字段", "Field", 12), ("原值", "Old value", 14),
    ("新值", "New value", 14), ("调整单所写调整前", "Before (as stated)", 14),
)
_NO_COL = 2  # 调整单号


def logged_numbers(wb: Any) -> set[str]:
    """The 调整单号 already recorded in the workbook's 调整记录 sheet."""
    if LOG_SHEET not in wb.sheetnames:
        return set()
    ws = wb[LOG_SHEET]
    out = set()
    for (value,) in ws.iter_rows(min_row=3, min_col=_NO_COL, max_col=_NO_COL, values_only=True):
        if value is not None and str(value).strip():
            out.add(str(value).strip())
    return out


def _sheet(wb: Any) -> Any:
    from openpyxl.styles import Font, PatternFill

    if LOG_SHEET in wb.sheetnames:
        return wb[LOG_SHEET]
    # Before the instructions sheet (and the hidden ones), where staff see it.
    at = wb.sheetnames.index(layout.INSTRUCTIONS_SHEET) if layout.INSTRUCTIONS_SHEET in wb.sheetnames else None
    ws = wb.create_sheet(LOG_SHEET, at)
    for j, (zh, en, width) in enumerate(LOG_HEADS, start=1):
        ws.cell(1, j, en).font = Font(size=8, color="7F7F7F")
        head = ws.cell(2, j, zh)
        head.font, head.fill = Font(bold=True), PatternFill("solid", fgColor="D9E1F2")
        ws.column_dimensions[head.column_letter].width = width
    ws.freeze_panes = "A3"
    return ws


def append_log(wb: Any, rows: Sequence[Sequence[Any]], when: datetime) -> None:
    """Append ``rows`` (调整单号, form file, cell, item, field, old, new, stated before) stamped ``when``."""
    if not rows:
        return
    ws = _sheet(wb)
    for row in rows:
        r = ws.max_row + 1
        stamp = ws.cell(r, 1, when)
        stamp.number_format = "yyyy-mm-dd hh:mm"
        for j, value in enumerate(row, start=2):
            # Old and new values as they read (dates as yyyy-mm-dd), so the log never reformats them.
            ws.cell(r, j, value if isinstance(value, str) or value is None else format_value(value))
