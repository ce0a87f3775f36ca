"""Cell formats, column widths and conditional formats for the summary writer (xlsxwriter).

Formats are created once per workbook (:class:`Styles`); a column's kind picks its number format and its
conditional formats. The column format is set on the column (for cells typed in later) and its style index on
each data cell the row renderer (:mod:`xlsx_cells`) writes, as xlsxwriter stamps it on unformatted cells.
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import islice
from typing import Any

from xlsxwriter.format import Format
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from pimxl.rollup.sheetspec import Column

__all__ = ["NUM_FORMATS", "Styles", "add_kind_highlights", "column_width", "display_width"]

NUM_FORMATS: dict[str, str] = {
    "money": "¥#,##0.00",
    "date": "yyyy-mm-dd",
    "percent": "0%",
    "int": "0",
    "days": "0",
    "number": "#,##0.00",
}

# Excel's "Good / Neutral / Bad" palette: readable when printed in grey, and what users already know.
_RED = {"bg_color": "#FFC7CE", "font_color": "#9C0006"}
_AMBER = {"bg_color": "#FFEB9C", "font_color": "#9C5700"}
_GREEN = {"bg_color": "#C6EFCE", "font_color": "#006100"}
_BLUE = {"bg_color": "#DDEBF7", "font_color": "#1F4E78"}

# Cell text → highlight, per kind. English words too, so an English-language view colours the same way.
_HIGHLIGHTS: dict[str, list[tuple[tuple[str, ...], dict[str, str]]]] = {
    "rag": [(("红", "red"), _RED), (("黄", "amber"), _AMBER), (("绿", "green"), _GREEN)],
    "severity": [(("错误", "error"), _RED), (("警告", "warning"), _AMBER), (("提示", "info"), _BLUE)],
}

_MIN_WIDTH, _MAX_WIDTH = 6.0, 50.0
_NONE = type(None)
_SAMPLE_ROWS = 300  # widths from the first rows only: measuring 750,000 cells would cost more than writing them


class Styles:
    """Every format the summary uses, created once per workbook."""

    def __init__(self, wb: Workbook) -> None:
        self.wb = wb
        self.title = wb.add_format({"bold": True, "font_size": 14})
        self.note = wb.add_format({"italic": True, "font_color": "#595959"})
        self.sublabel = wb.add_format({"font_size": 8, "font_color": "#7F7F7F", "text_wrap": True,
                                       "valign": "bottom"})
        self.header = wb.add_format({"bold": True, "text_wrap": True, "valign": "vcenter",
                                     "bg_color": "#1F4E78", "font_color": "#FFFFFF", "border": 1})
        self.empty = wb.add_format({"italic": True, "font_color": "#7F7F7F"})
        self.kpi_label = wb.add_format({"bold": True, "border": 1, "bg_color": "#F2F2F2"})
        self.kpi_sublabel = wb.add_format({"font_color": "#595959", "border": 1, "font_size": 9})
        self._columns: dict[str, Format | None] = {}
        self._kpis: dict[str, Format] = {}
        self._highlights: dict[int, Format] = {}

    def column(self, kind: str) -> Format | None:
        """The format stamped on a column of this kind (None for plain text)."""
        if kind not in self._columns:
            props: dict[str, Any] = {}
            if kind in NUM_FORMATS:
                props["num_format"] = NUM_FORMATS[kind]
            # Figures keep a little gap from the left-aligned text in the next column; dates and short
            # status words read best centred.
            if kind in ("money", "int", "days", "number", "percent"):
                props.update(align="right", indent=1)
            elif kind in ("date", "rag", "severity"):
                props["align"] = "center"
            self._columns[kind] = self.wb.add_format(props) if props else None
        return self._columns[kind]

    def kpi_value(self, kind: str) -> Format:
        if kind not in self._kpis:
            props: dict[str, Any] = {"bold": True, "border": 1, "font_size": 12, "align": "right"}
            if kind in NUM_FORMATS:
                props["num_format"] = NUM_FORMATS[kind]
            self._kpis[kind] = self.wb.add_format(props)
        return self._kpis[kind]

    def highlight(self, props: dict[str, str]) -> Format:
        key = id(props)
        if key not in self._highlights:
            self._highlights[key] = self.wb.add_format(props)
        return self._highlights[key]


def add_kind_highlights(ws: Worksheet, styles: Styles, kind: str, first_row: int, last_row: int,
                        col: int) -> None:
    """Conditional formats for one column: RAG / severity words coloured, overdue days in red.

    One rule per range, never per cell: per-cell rules make Excel slow and files large.
    """
    if last_row < first_row:
        return
    if kind == "days":
        ws.conditional_format(first_row, col, last_row, col,
                              {"type": "cell", "criteria": ">", "value": 0, "format": styles.highlight(_RED)})
        return
    for words, props in _HIGHLIGHTS.get(kind, []):
        for word in words:
            ws.conditional_format(first_row, col, last_row, col,
                                  {"type": "cell", "criteria": "==", "value": f'"{word}"',
                                   "format": styles.highlight(props)})


def display_width(text: str) -> int:
    """Width in Excel character units: a CJK (3-byte UTF-8) character takes about two."""
    n = len(text)
    # Counting via the UTF-8 length avoids a per-character unicodedata lookup.
    return n + (len(text.encode("utf-8")) - n) // 2


def _shown(value: Any, kind: str) -> str:
    if value is None:
        return ""
    if kind == "date":
        return "2026-01-01"
    if kind in ("money", "number") and isinstance(value, int | float):
        return f"¥{value:,.2f} "  # a space's more room: right-aligned figures next to left-aligned text
    if kind == "percent" and isinstance(value, int | float):
        return f"{value:.0%}"
    return str(getattr(value, "text", value))


def _shown_texts(values: list[Any], kind: str) -> set[str]:
    """``{_shown(value, kind) for value in values}``, without a call a value for the common columns: text, and
    dates, figures of one class."""
    classes = set(map(type, values))
    if kind == "date":  # every value but None shows as a date
        return {"2026-01-01"} if classes - {_NONE} else set()
    if classes <= {str, _NONE}:  # text shows as it is, None as ""
        return {"" if value is None else value for value in dict.fromkeys(values)}
    if kind in ("money", "number") and classes <= {float, int, _NONE}:
        return {f"¥{value:,.2f} " if value is not None else "" for value in values}
    if kind in ("int", "days") and classes <= {int, _NONE}:
        return {str(value) if value is not None else "" for value in dict.fromkeys(values)}
    return {_shown(value, kind) for value in values}


def column_width(column: Column, header: str, values: Iterable[Any]) -> float:
    """The width for a column: as given, else sized to the header and the first rows, capped."""
    if column.width:
        return column.width
    # The header wraps onto two lines at most, so half its width (rounded up) is enough.
    widest = max(6, (display_width(header) + 1) // 2 + 2)
    # Each distinct text measured once (names, stages and dates repeat).
    widest = max(widest, max(map(display_width, _shown_texts(list(islice(values, _SAMPLE_ROWS)), column.kind)),
                             default=0))
    return min(_MAX_WIDTH, max(_MIN_WIDTH, widest + 2.0))
