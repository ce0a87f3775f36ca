"""Every cell of a workbook by address, and which of them the template merge already handles.

The template merge (model/diff/apply) knows a workbook's form fields and table rows; everything
else — notes beside the form, cells below a table, sheets of the user's own — is a *free cell*,
merged by address (:mod:`.cells`). A :class:`Grid` holds one workbook's non-empty cells as
:data:`~pimxl.merge.model.Item` s and the places the template merge owns in *that* workbook (a
copy's own table may have grown or moved), so that a free cell is one outside both BASE's and the
copy's template places.

.xlsx/.xlsm copies are opened with openpyxl (formulas as formulas, styles for added sheets); other
formats (.xls, .ods, .xlsb) through python-calamine: values only (formulas come as their cached
results, no styles).
"""

from __future__ import annotations

import io
from collections.abc import Hashable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import layout
from ..io.annotate import RESULT_SHEET
from ..io.read_book import is_blank
from ..records import WorkbookRecord
from ..schema import Template
from .locate import TableLoc, is_formula, locate
from .model import Item, norm

__all__ = ["OWN_SHEETS", "Grid", "Rect", "cell_item", "read_grid"]

#: Sheets pimxl writes itself: never merged as free cells nor copied as added sheets.
OWN_SHEETS = frozenset({"合并记录", "合并冲突", RESULT_SHEET, layout.IDENTITY_SHEET, layout.LISTS_SHEET})
#: Formats openpyxl reads (formulas and styles).
OPENPYXL_FORMATS = (".xlsx", ".xlsm")
#: (first row, first column, last row, last column), inclusive.
Rect = tuple[int, int, int, int]
Addr = tuple[int, int]


def cell_item(value: Any) -> Item:
    """A cell value as an Item: formulas compare by their text, numbers and dates by meaning."""
    if value is None or is_blank(value):
        return None, None
    if type(value).__name__ == "ArrayFormula":
        return value, "{" + str(value.text)
    if is_formula(value):
        return value, str(getattr(value, "text", value)).strip()
    # calamine gives every number as a float: write 42, not 42.0, when it is a whole number.
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        value = int(value)
    key: Hashable = norm(value)
    return value, key


@dataclass
class Grid:
    """One workbook's cells: sheet → (row, col) → Item, non-empty cells only."""

    name: str
    record: WorkbookRecord
    sheets: dict[str, dict[Addr, Item]]
    wb: Any = None  # the openpyxl workbook (formulas and styles); None: values only
    owned: dict[str, list[Rect]] = field(default_factory=dict)  # template places, by sheet
    table_rows: dict[str, list[int]] = field(default_factory=dict)  # each table's last row, by sheet
    exact: set[str] = field(default_factory=set)  # sheets whose table end is an Excel table's (moves with rows)

    @property
    def values_only(self) -> bool:
        return self.wb is None

    def owns(self, sheet: str, r: int, c: int) -> bool:
        """Whether the template merge handles this cell (a form field's row, a table's range)."""
        return any(r1 <= r <= r2 and c1 <= c <= c2 for r1, c1, r2, c2 in self.owned.get(sheet, ()))

    def table_end(self, sheet: str) -> int | None:
        """The last row of the one table on ``sheet`` (None: no table, or several)."""
        ends = self.table_rows.get(sheet, [])
        return ends[0] if len(ends) == 1 else None

    def covered(self, sheet: str) -> set[Addr]:
        """The cells of ``sheet`` hidden under a merged range (all but its top-left): they take no value."""
        if self.wb is None or sheet not in self.wb.sheetnames:
            return set()
        return {(r, c) for rng in self.wb[sheet].merged_cells.ranges
                for r in range(rng.min_row, rng.max_row + 1) for c in range(rng.min_col, rng.max_col + 1)
                if (r, c) != (rng.min_row, rng.min_col)}

    def sheet_named(self, name: str) -> str | None:
        """This workbook's sheet of that name (sheet names are case-insensitive in Excel)."""
        folded = name.casefold()
        return next((s for s in self.sheets if s.casefold() == folded), None)


def _openpyxl_cells(wb: Any) -> dict[str, dict[Addr, Item]]:
    out: dict[str, dict[Addr, Item]] = {}
    for ws in wb.worksheets:
        cells: dict[Addr, Item] = {}
        # ws._cells holds only the cells the file has: no walk over the empty used range.
        for (r, c), cell in ws._cells.items():
            item = cell_item(cell.value)
            if item[1] is not None:
                cells[(r, c)] = item
        out[ws.title] = cells
    return out


def _calamine_cells(path: Path) -> dict[str, dict[Addr, Item]]:
    from ..io.read_book import open_book

    book = open_book(path)
    out: dict[str, dict[Addr, Item]] = {}
    for sheet in book.names:
        cells: dict[Addr, Item] = {}
        for r, line in enumerate(book.grid(sheet), start=1):
            for c, value in enumerate(line, start=1):
                item = cell_item(value)
                if item[1] is not None:
                    cells[(r, c)] = item
        out[sheet] = cells
    return out


def _table_rect(loc: TableLoc, rows_end: int) -> Rect:
    # From the en-label row above the header to the table's last row (its totals row included).
    totals = (loc.xl.totalsRowCount or 0) if loc.xl is not None else 0
    return max(loc.header_row - 1, 1), loc.first_col, max(loc.last_row + totals, rows_end), loc.last_col


def _owned(grid: Grid, template: Template, locs: dict[str, TableLoc] | None) -> dict[str, list[Rect]]:
    rec = grid.record
    owned: dict[str, list[Rect]] = {}
    # A form field's row: its label (left), value and note (right) are the template's.
    for v in rec.form.values():
        if v.cell is not None:
            owned.setdefault(v.cell.sheet, []).append((v.cell.row, max(v.cell.col - 1, 1), v.cell.row,
                                                       v.cell.col + 1))
    for table in template.tables:
        sheet = rec.sheets.get(table.key)
        if sheet is None or sheet not in grid.sheets:
            continue
        rows = rec.tables.get(table.key, [])
        end = max((r.sheet_row for r in rows), default=0)
        loc = (locs or {}).get(table.key)
        if loc is None and grid.wb is not None:
            loc = locate(grid.wb, sheet, table, rows)
        if loc is not None:
            owned.setdefault(sheet, []).append(rect := _table_rect(loc, end))
            grid.table_rows.setdefault(sheet, []).append(rect[2])
            if loc.xl is not None:
                grid.exact.add(sheet)
            continue
        # Values only: the header row is above the first row read; the table spans its non-empty headers.
        header = min(r.sheet_row for r in rows) - 1 if rows else layout.TABLE_HEADER_ROW
        cells = grid.sheets[sheet]
        last_col = max((c for (r, c) in cells if r == header), default=len(table.columns))
        owned.setdefault(sheet, []).append((max(header - 1, 1), 1, max(end, header), last_col))
        grid.table_rows.setdefault(sheet, []).append(max(end, header))
    return owned


def read_grid(path: Path, record: WorkbookRecord, template: Template, name: str, *, wb: Any = None,
              locs: dict[str, TableLoc] | None = None) -> Grid:
    """The grid of ``path`` (``wb``: its openpyxl workbook when already loaded — BASE's, before editing)."""
    path = Path(path)
    if wb is None and path.suffix.lower() in OPENPYXL_FORMATS:
        from openpyxl import load_workbook

        try:
            # From bytes: the file is never held open (nor written).
            wb = load_workbook(io.BytesIO(path.read_bytes()), keep_links=False)
        except Exception:  # a file calamine reads but openpyxl does not: its values still merge
            wb = None
    sheets = _openpyxl_cells(wb) if wb is not None else _calamine_cells(path)
    grid = Grid(name, record, sheets, wb)
    grid.owned = _owned(grid, template, locs)
    return grid
