"""Where a table section is: its Excel table ``tbl_<key>``, else its header row found by labels.

Columns map by header label (zh, en, aliases; width/space/case folded), never by position, so
moved columns and extra user columns read; the header-row search (on the sheet named
``Table.zh`` first, then any sheet) survives rows inserted above the table, renamed sheets and
data pasted into a fresh workbook.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from .. import layout
from ..schema import Table
from .read_book import Grid, is_blank
from .read_context import ReadContext
from .read_labels import label_keys, label_lookup

__all__ = ["TablePlace", "locate_table"]

#: How far down a sheet the header-row search looks.
HEADER_SCAN_ROWS = 200
_SPECIAL = (layout.IDENTITY_SHEET, layout.LISTS_SHEET, layout.INSTRUCTIONS_SHEET)


@dataclass
class TablePlace:
    """A located table: 1-based header row, last row (None: until the data runs out), column maps."""

    sheet: str
    header_row: int
    last_row: int | None
    columns: dict[str, int]  # field key → column
    extra: dict[int, str] = field(default_factory=dict)  # column → header text of a user's own column
    by_label: bool = False


def _match_header(lookup: dict[str, str], line: list[Any], first_col: int = 1, last_col: int | None = None,
                  names: tuple[str, ...] = ()) -> tuple[dict[str, int], dict[int, str]]:
    """Map the cells of a header row to column keys; unmatched non-empty cells are extra columns."""
    columns: dict[str, int] = {}
    extra: dict[int, str] = {}
    end = last_col if last_col is not None else len(line)
    for c in range(first_col, end + 1):
        text = line[c - 1] if c <= len(line) else ""
        if is_blank(text) and names:
            text = names[c - first_col] if c - first_col < len(names) else ""
        key = next((lookup[k] for k in label_keys(text) if k in lookup), None)
        if key is not None and key not in columns:
            columns[key] = c
        elif not is_blank(text):
            extra[c] = str(text).strip()
    return columns, extra


def _from_excel_table(ctx: ReadContext, table: Table) -> TablePlace | None:
    td = ctx.parts.table(table.excel_name)
    if td is None or not ctx.book.has(td.sheet) or td.header_rows < 1:
        return None
    header = td.first_row + td.header_rows - 1
    grid = ctx.book.grid(td.sheet)
    line = grid[header - 1] if header <= len(grid) else []
    columns, extra = _match_header(label_lookup(table), line, td.first_col, td.last_col, td.columns)
    if not columns:
        return None
    return TablePlace(td.sheet, header, td.last_row - td.totals_rows, columns, extra)


def _threshold(table: Table) -> int:
    n = len(table.columns)
    return min(n, max(2, math.ceil(n / 2)))


def _find_header(table: Table, grid: Grid) -> tuple[int, dict[str, int], dict[int, str]] | None:
    """The best header row of a sheet (1-based), merging a stacked en/zh header block."""
    need, lookup = _threshold(table), label_lookup(table)
    best: tuple[int, dict[str, int], dict[int, str]] | None = None
    for r, line in enumerate(grid[:HEADER_SCAN_ROWS], start=1):
        columns, extra = _match_header(lookup, line)
        if len(columns) >= need and (best is None or len(columns) > len(best[1])):
            best = (r, columns, extra)
    if best is None:
        return None
    r, columns, extra = best
    # A header block (en labels above zh labels): the data starts below its last row.
    while r < len(grid):
        below, below_extra = _match_header(lookup, grid[r])
        if len(below) < need:
            break
        r, columns, extra = r + 1, {**columns, **below}, below_extra
    return r, columns, extra


def locate_table(ctx: ReadContext, table: Table, claimed: set[str]) -> TablePlace | None:
    place = _from_excel_table(ctx, table)
    if place is not None:
        return place
    # The sheet named like the table first, then every other sheet not already holding a table.
    candidates = [table.zh] if ctx.book.has(table.zh) else []
    candidates += [s for s in ctx.book.names if s != table.zh and s not in _SPECIAL and s not in claimed]
    best: TablePlace | None = None
    for sheet in candidates:
        hit = _find_header(table, ctx.book.grid(sheet))
        if hit is None:
            continue
        r, columns, extra = hit
        if sheet == table.zh:
            return TablePlace(sheet, r, None, columns, extra, by_label=True)
        if best is None or len(columns) > len(best.columns):
            best = TablePlace(sheet, r, None, columns, extra, by_label=True)
    return best
