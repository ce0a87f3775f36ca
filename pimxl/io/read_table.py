"""A located table's rows: every non-empty row below the header, typed, each value with its cell.

A row is empty when every input cell is empty (or holds only the column's default, such as the
状态 未开始 a user left in a blank row) and so are the user's own columns: formula-only rows
count as empty. Without an Excel table the rows run until 50 empty rows in a row.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..records import Cell, Row, Value
from ..schema import Field, FieldType, Table
from .read_book import is_blank
from .read_codes import ROWS_BELOW_TABLE
from .read_context import ReadContext
from .read_formulas import settle
from .read_locate import TablePlace

__all__ = ["read_rows"]

#: Without an Excel table, this many empty rows in a row end the data.
EMPTY_RUN = 50


def _at(line: list[Any], col: int) -> Any:
    return line[col - 1] if col <= len(line) else ""


def _blank(f: Field, v: Any) -> bool:
    if is_blank(v):
        return True
    return f.default is not None and isinstance(v, str) and v.strip() == str(f.default)


def _input(f: Field, v: Value) -> Any:
    """A value as a formula sees it: a number typed in a text column (实测值 2.8) is still a number."""
    if f.type in (FieldType.TEXT, FieldType.LONGTEXT) and isinstance(v.raw, int | float) and not isinstance(v.raw, bool):
        return v.raw
    return v.value


class _RowReader:
    def __init__(self, ctx: ReadContext, table: Table, place: TablePlace, form: Mapping[str, Any]) -> None:
        self.ctx, self.place, self.form = ctx, place, form
        self.grid = ctx.book.grid(place.sheet)
        self.inputs = [(f, place.columns[f.key]) for f in table.columns if not f.computed and f.key in place.columns]
        self.computed = [(f, place.columns[f.key]) for f in table.columns if f.computed and f.key in place.columns]
        self.order = [f.key for f in table.columns]
        self.errors = ctx.parts.errors(place.sheet) if ctx.parts.sheet_paths else {}

    def empty(self, r: int) -> bool:
        line = self.grid[r - 1] if r <= len(self.grid) else []
        if any(not _blank(f, _at(line, c)) for f, c in self.inputs):
            return False
        if any(not is_blank(_at(line, c)) for c in self.place.extra):
            return False
        # An error value in an input cell reads as '' through calamine, but is not empty.
        return not (self.errors and any((r, c) in self.errors for _, c in self.inputs))

    def read(self, r: int) -> Row:
        ctx, sheet, errors = self.ctx, self.place.sheet, self.errors
        line = self.grid[r - 1] if r <= len(self.grid) else []
        cells: dict[str, Value] = {}
        for f, c in self.inputs:
            raw = line[c - 1] if c <= len(line) else ""
            if raw == "":
                raw = errors.get((r, c)) if errors else None
            # Empty cells skip the normaliser: most cells of a table are empty.
            cells[f.key] = ctx.value(f, raw, sheet, r, c) if raw is not None else Value(None, None, Cell(sheet, r, c))
        typed = {f.key: _input(f, cells[f.key]) for f, _ in self.inputs} if self.computed else {}
        for f, c in self.computed:
            cells[f.key] = settle(ctx, f, ctx.value(f, ctx.raw(sheet, r, c), sheet, r, c), typed, self.form)
        extra = {}
        for c, head in self.place.extra.items():
            v = _at(line, c)
            extra.setdefault(head, None if is_blank(v) else v)
        # In the declaration's column order (computed columns sit among the inputs).
        return Row({k: cells[k] for k in self.order if k in cells}, sheet_row=r, extra=extra)


def read_rows(ctx: ReadContext, table: Table, place: TablePlace, form: Mapping[str, Any]) -> list[Row]:
    reader = _RowReader(ctx, table, place, form)
    rows: list[Row] = []
    height = len(reader.grid)
    if place.last_row is not None:
        for r in range(place.header_row + 1, min(place.last_row, height) + 1):
            if not reader.empty(r):
                rows.append(reader.read(r))
        # Rows typed right below the table (a tool that did not grow it): read, and say so.
        below = 0
        r = place.last_row + 1
        while r <= height and not reader.empty(r):
            rows.append(reader.read(r))
            below, r = below + 1, r + 1
        if below:
            ctx.findings.append(ROWS_BELOW_TABLE(file=ctx.file, sheet=place.sheet, cell=f"A{place.last_row + 1}",
                                                 count=below))
        return rows
    run = 0
    for r in range(place.header_row + 1, height + 1):
        if reader.empty(r):
            run += 1
            if run >= EMPTY_RUN:
                break
            continue
        run = 0
        rows.append(reader.read(r))
    return rows
