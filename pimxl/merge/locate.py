"""Where each table is in BASE, as openpyxl sees it: its Excel table, header row and column of every field.

The reader already found the tables (with calamine); this finds the same places in the openpyxl
workbook that OUT is written from, including the column of each user column (by header text) and
which of those hold formulas (those follow their inputs and are not merged as values).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.table import Table as XlTable
from openpyxl.worksheet.worksheet import Worksheet

from ..address import parse_a1
from ..io.read_labels import fold, label_keys, label_lookup
from ..records import Row
from ..schema import Table
from .model import EXTRA

__all__ = ["TableLoc", "is_formula", "locate"]

#: How far down a sheet without an Excel table the header row is looked for.
HEADER_SCAN_ROWS = 200


def is_formula(value: Any) -> bool:
    return (isinstance(value, str) and value.startswith("=")) or type(value).__name__ in (
        "ArrayFormula", "DataTableFormula")


@dataclass
class TableLoc:
    ws: Worksheet
    xl: XlTable | None
    header_row: int
    first_col: int
    last_col: int
    last_row: int  # the Excel table's last data row; without one, the last row read
    columns: dict[str, int] = field(default_factory=dict)  # field id → column
    formula_extras: set[str] = field(default_factory=set)  # user columns holding formulas

    @property
    def first_row(self) -> int:
        return self.header_row + 1


def _excel_table(ws: Worksheet, table: Table) -> XlTable | None:
    for xl in ws.tables.values():
        if (xl.displayName or xl.name or "").lower() == table.excel_name.lower():
            return xl
    return None


def _match(lookup: dict[str, str], text: Any) -> str | None:
    return next((lookup[k] for k in label_keys(text) if k in lookup), None)


def _header_row(ws: Worksheet, table: Table, rows: list[Row]) -> int:
    """Without an Excel table: the row above the data with most labels (the lower of a zh/en pair)."""
    lookup = label_lookup(table)
    limit = min(rows[0].sheet_row - 1, HEADER_SCAN_ROWS) if rows else HEADER_SCAN_ROWS
    best, best_n = 0, 0
    for r in range(1, max(limit, 0) + 1):
        n = len({k for c in range(1, ws.max_column + 1) if (k := _match(lookup, ws.cell(r, c).value))})
        if n and n >= best_n:
            best, best_n = r, n
    return best or (rows[0].sheet_row - 1 if rows else 1)


def locate(wb: Workbook, sheet: str, table: Table, rows: list[Row]) -> TableLoc:
    """The place of ``table`` on ``sheet`` of BASE, ``rows`` being what the reader read there."""
    ws = wb[sheet]
    xl = _excel_table(ws, table)
    names: tuple[str, ...] = ()
    if xl is not None:
        (r1, c1), (r2, c2) = (parse_a1(p) for p in xl.ref.split(":"))
        header = r1 + max((xl.headerRowCount if xl.headerRowCount is not None else 1) - 1, 0)
        last_row = r2 - (xl.totalsRowCount or 0)
        names = tuple(str(tc.name) for tc in xl.tableColumns)
    else:
        header = _header_row(ws, table, rows)
        c1 = 1
        c2 = max((c for c in range(1, ws.max_column + 1) if ws.cell(header, c).value not in (None, "")),
                 default=1)
        last_row = max((r.sheet_row for r in rows), default=header)
    loc = TableLoc(ws, xl, header, c1, c2, last_row)
    lookup = label_lookup(table)
    for c in range(c1, c2 + 1):
        text = ws.cell(header, c).value
        if (text is None or str(text).strip() == "") and c - c1 < len(names):
            text = names[c - c1]
        key = _match(lookup, text)
        if key is not None and key not in loc.columns:
            loc.columns[key] = c
        elif text is not None and fold(str(text)):
            fid = EXTRA + fold(str(text))
            loc.columns.setdefault(fid, c)
            end = max(last_row, max((r.sheet_row for r in rows), default=0))
            if any(is_formula(ws.cell(r, c).value) for r in range(header + 1, end + 1)):
                loc.formula_extras.add(fid)
    return loc
