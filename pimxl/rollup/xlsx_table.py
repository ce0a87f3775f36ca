"""One SheetSpec as an Excel table: title, note, header labels, typed rows, filters, highlights, print setup."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from xlsxwriter.utility import xl_range
from xlsxwriter.worksheet import Worksheet

from pimxl.rollup.sheetspec import Link, SheetSpec
from pimxl.rollup.xlsx_cells import RowSink, column_values
from pimxl.rollup.xlsx_style import Styles, add_kind_highlights, column_width

__all__ = ["TableBox", "coerce", "headers", "setup_print", "write_table", "write_title"]

EMPTY_TEXT = "（无）"
_FREEZE_FIRST_COLUMN_FROM = 10  # wide tables keep their first column (project, file…) in view
_A4 = 9
# About 145 character units fit across A4 landscape at 100%; beyond ~240 a one-page-wide print drops below 60%
# and gets unreadable, so wider tables print over several pages across, first column repeated.
_CHARS_PER_PAGE = 240


@dataclass(frozen=True)
class TableBox:
    """Where a table landed (0-based, inclusive)."""

    label_row: int
    header_row: int
    last_row: int
    last_col: int
    width: float  # sum of the column widths, in Excel character units
    widths: tuple[float, ...] = ()  # each column's width


def write_title(ws: Worksheet, styles: Styles, row: int, title: str, as_of: date, lang: str,
                note: str = "") -> int:
    """Title with the as-of date, and the note under it; returns the next free row."""
    stamp = f"截至 {as_of:%Y-%m-%d}" if lang == "zh" else f"as of {as_of:%Y-%m-%d}"
    ws.write_string(row, 0, f"{title}    {stamp}", styles.title)
    ws.set_row(row, 24)
    row += 1
    if note:
        ws.write_string(row, 0, note, styles.note)
        row += 1
    return row


def headers(spec: SheetSpec, lang: str) -> tuple[list[str], list[str]]:
    """(table headers, second-language labels). Excel requires unique table headers: repeats get a suffix."""
    shown: list[str] = []
    seen: set[str] = set()
    for i, c in enumerate(spec.columns):
        name = (c.zh if lang == "zh" else c.en) or c.key or f"列{i + 1}"
        candidate, n = name, 2
        # Table headers compare case-insensitively in Excel.
        while candidate.lower() in seen:
            candidate, n = f"{name}{n}", n + 1
        seen.add(candidate.lower())
        shown.append(candidate)
    other = [(c.en if lang == "zh" else c.zh) for c in spec.columns]
    return shown, other


def coerce(value: Any) -> Any:
    """A value xlsxwriter's write() accepts, for the rare values the cell renderer has no case for."""
    if value is None or isinstance(value, str | bool | int | Decimal | Link):
        return value
    if isinstance(value, float):
        return None if math.isnan(value) or math.isinf(value) else value
    if isinstance(value, datetime):  # pandas.Timestamp and other datetime subclasses
        return datetime(value.year, value.month, value.day, value.hour, value.minute, value.second)
    if isinstance(value, date):
        return date(value.year, value.month, value.day)
    if isinstance(value, Enum):
        return coerce(value.value)
    try:  # numpy scalars and the like
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    return None if math.isnan(number) or math.isinf(number) else number


def _table_name(key: str, taken: set[str]) -> str:
    base = "T_" + (re.sub(r"[^A-Za-z0-9_]", "_", key) or "sheet")
    name, n = base, 2
    while name.lower() in taken:
        name, n = f"{base}_{n}", n + 1
    taken.add(name.lower())
    return name


def write_table(ws: Worksheet, styles: Styles, spec: SheetSpec, top: int, lang: str,
                table_names: set[str], sink: RowSink, *, freeze: bool = True,
                min_widths: dict[int, float] | None = None, cell_formats: bool = False) -> TableBox:
    """Write ``spec`` as an Excel table whose label row is ``top``; returns where it landed.

    xlsxwriter writes the table's frame (labels, header, column formats, highlights); the data rows go to
    ``sink`` as XML. ``cell_formats``: a worksheet holding several tables whose columns differ (a column format
    can serve one table only): columns get no format, every cell (empty ones too) its column's style.
    """
    shown, other = headers(spec, lang)
    label_row, header_row = top, top + 1
    first_data = header_row + 1
    ncols = max(1, len(spec.columns))

    # Column formats, for cells typed in later; the rendered cells carry the same style index themselves.
    # The columns' values once, for their widths and the rendered rows.
    keys = [c.key for c in spec.columns]
    columns = column_values(spec.rows, keys)
    widths: list[float] = []
    for i, c in enumerate(spec.columns):
        widths.append(max(column_width(c, shown[i], columns[i]), (min_widths or {}).get(i, 0.0)))
        ws.set_column(i, i, widths[-1], None if cell_formats else styles.column(c.kind))

    if any(other):
        ws.write_row(label_row, 0, other, styles.sublabel)
        ws.set_row(label_row, 22)
    ws.set_row(header_row, 32)

    last_row = first_data + max(1, len(spec.rows)) - 1
    # xlsxwriter checks a table against earlier tables cell by cell (a tuple and three dict operations each:
    # 0.07 s for the summary's 370,000 cells). Tables placed here never overlap (each starts below the last):
    # add the table over its header and first row, then widen its ranges to the last row.
    ws.add_table(header_row, 0, header_row + 1, ncols - 1, {
        "name": _table_name(spec.key, table_names),
        "style": "Table Style Medium 2",
        "banded_rows": True,
        "autofilter": True,
        "columns": [{"header": h, "header_format": styles.header} for h in shown] or [{"header": "—"}],
    })
    table = ws.tables[-1]
    table["range"] = table["a_range"] = table["autofilter"] = xl_range(header_row, 0, last_row, ncols - 1)

    # The data rows as XML, each cell with its column's style index (0: none).
    formats = [styles.column(c.kind) for c in spec.columns]
    sink.render(ws, spec.rows, keys, first_data, [f._get_xf_index() if f is not None else 0 for f in formats],
                styled_blanks=cell_formats, columns=columns)
    if not spec.rows:
        # Excel tables need one data row: make the empty table say so.
        ws.write_string(first_data, 0, EMPTY_TEXT, styles.empty)
    else:
        for i, c in enumerate(spec.columns):
            add_kind_highlights(ws, styles, c.kind, first_data, last_row, i)
    if freeze:
        ws.freeze_panes(first_data, 1 if ncols >= _FREEZE_FIRST_COLUMN_FROM else 0)
    return TableBox(label_row, header_row, last_row, ncols - 1, sum(widths), tuple(widths))


def setup_print(ws: Worksheet, title: str, as_of: date, *, one_page: bool,
                repeat: tuple[int, int] | None = None, width: float = 0.0) -> None:
    """A4 landscape, fitted to the page width (or to one page), header rows repeated on every page."""
    ws.set_paper(_A4)
    ws.set_landscape()
    ws.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
    wide = 1 if one_page else max(1, math.ceil(width / _CHARS_PER_PAGE))
    ws.fit_to_pages(wide, 1 if one_page else 0)
    if repeat is not None and not one_page:
        ws.repeat_rows(*repeat)
    if wide > 1:
        ws.repeat_columns(0)
    # &P, &N: page number and count; "&&" is a literal ampersand in Excel header/footer codes.
    ws.set_footer(f"&L{title.replace('&', '&&')}&C&P / &N&R{as_of:%Y-%m-%d}")
