"""Look of generated workbooks: fonts, fills, number formats and column widths for Chinese text.

Only the template writer imports this module; it holds no layout (see :mod:`pimxl.layout`).
"""

from __future__ import annotations

import copy
import functools
import unicodedata
from collections.abc import Iterable
from typing import Any

from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side

from ..schema import Field, FieldType, Table

__all__ = [
    "BORDER",
    "FONT_NAME",
    "LOCKED",
    "UNLOCKED",
    "column_width",
    "copy_style",
    "font",
    "formula_inputs",
    "number_format",
    "row_height",
    "text_width",
]

# 等线 is Excel's default Chinese UI font (Windows/macOS Office); where it is missing (WPS on Linux,
# LibreOffice) fontconfig substitutes a CJK font such as WenQuanYi Zen Hei.
FONT_NAME = "等线"


@functools.cache
def font(size: float = 10.5, bold: bool = False, color: str | None = None, italic: bool = False) -> Font:
    # One Font object per look (openpyxl stores fonts by value; building one is costly, and a
    # workbook sets thousands). Never change a returned Font: assign a new one instead.
    return Font(name=FONT_NAME, size=size, bold=bold, color=color, italic=italic)


def copy_style(cell: Any, model: Any) -> None:
    """Give ``cell`` the whole look of ``model`` (a cell of the same workbook) at once.

    openpyxl's per-attribute setters (font, border, fill, …) look each value up in the workbook's
    style lists; the first cell of a look is styled attribute by attribute and the others copy its
    style array — the same style ids, so the same bytes, in a fraction of the time.
    """
    cell._style = copy.copy(model._style)


FILL_TITLE = PatternFill("solid", fgColor="1F4E78")
FILL_HEADER = PatternFill("solid", fgColor="DDEBF7")
FILL_EN = PatternFill("solid", fgColor="F2F2F2")
FILL_GROUP = PatternFill("solid", fgColor="E2EFDA")
FILL_FORMULA = PatternFill("solid", fgColor="F2F2F2")
FILL_INPUT = PatternFill("solid", fgColor="FFFFFF")

_THIN = Side(style="thin", color="A6A6A6")
BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)

LOCKED = Protection(locked=True)
UNLOCKED = Protection(locked=False)

WRAP_TOP = Alignment(wrap_text=True, vertical="top")
WRAP_CENTER = Alignment(wrap_text=True, vertical="center")
HEADER_ALIGN = Alignment(wrap_text=True, vertical="center", horizontal="center")

_FORMATS: dict[FieldType, str] = {
    FieldType.DATE: "yyyy-mm-dd",
    FieldType.MONEY: "¥#,##0.00",
    FieldType.PERCENT: "0%",
    FieldType.INTEGER: "0",
    FieldType.TEXT: "@",
    FieldType.LONGTEXT: "@",
    FieldType.CODES: "@",
}


def formula_inputs(table: Table) -> set[str]:
    """Keys of the columns that some formula column of ``table`` reads (``{key}``)."""
    keys: set[str] = set()
    for col in table.columns:
        if col.formula:
            keys.update(c.key for c in table.columns if "{" + c.key + "}" in col.formula)
    return keys


def number_format(f: Field, numeric_text: bool = False) -> str:
    """Excel number format for a field.

    Text columns are formatted as text (``@``) so that a WBS code ``1.10`` or a phone number
    ``010…`` is not turned into a number by Excel — except where a formula reads the column
    (``numeric_text``): there a typed number must stay a number.
    """
    if f.computed and f.type in (FieldType.TEXT, FieldType.CHOICE):
        return "General"
    if numeric_text and f.type in (FieldType.TEXT, FieldType.LONGTEXT):
        return "General"
    return _FORMATS.get(f.type, "General")


def text_width(text: Any) -> float:
    """Display width in Excel width units: 2 per CJK (wide/full-width) character, 1.1 otherwise."""
    s = "" if text is None else str(text)
    return sum(2.0 if unicodedata.east_asian_width(ch) in "WF" else 1.1 for ch in s)


_MIN_WIDTH: dict[FieldType, float] = {
    FieldType.DATE: 12,
    FieldType.MONEY: 15,
    FieldType.PERCENT: 9,
    FieldType.LONGTEXT: 30,
}


def column_width(f: Field, samples: Iterable[Any] = ()) -> float:
    """Width of a table column: ``Field.width`` when declared, else from the labels and values."""
    if f.width is not None:
        return float(f.width)
    widest = max([text_width(f.zh) + 2, text_width(f.en) * 0.8 + 1, *(text_width(s) + 1 for s in samples)])
    return round(min(max(widest, _MIN_WIDTH.get(f.type, 8.0)), 40.0), 1)


def row_height(cells: Iterable[tuple[Any, float]], line: float = 18.0) -> float:
    """Row height in points for wrapped text: enough lines for the widest (text, column width) pair."""
    lines = 1
    for text, width in cells:
        if text is not None and width > 0:
            lines = max(lines, -int(-text_width(text) // max(width - 1, 1)))
    return line * min(lines, 6)
