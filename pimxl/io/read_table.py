"""A located table's rows: every non-empty row below the header, typed, each value with its cell.

A row is empty when every input cell is empty (or holds only the column's default, such as the
状态 未开始 a user left in a blank row) and so are the user's own columns: formula-only rows
count as empty. Without an Excel table the rows run until 50 empty rows in a row.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

from ..normalize_fast import SLOW, Typer, fast_typer
from ..records import _SHARED, Row, Value, shared_cell
from ..schema import Field, FieldType, Table
from .read_book import is_blank
from .read_codes import ROWS_BELOW_TABLE
from .read_context import ReadContext
from .read_formulas import settle
from .read_locate import TablePlace

__all__ = ["read_rows"]

#: Without an Excel table, this many empty rows in a row end the data.
EMPTY_RUN = 50


class _Column(NamedTuple):
    """An input column, prepared once per table: where it is and how its cells are typed."""

    field: Field
    key: str
    col: int  # 1-based
    pos: int  # 0-based, into a grid line (not "index": that is tuple's method)
    typer: Typer  # the field's fast path (see normalize_fast)
    default: str | None  # the column's default as text: a cell holding only it counts as empty
    # TEXT or LONGTEXT: a formula sees a number typed in it as the number (实测值 2.8), not as the text.
    text: bool


class _RowReader:
    def __init__(self, ctx: ReadContext, table: Table, place: TablePlace, form: Mapping[str, Any]) -> None:
        self.ctx, self.place, self.form = ctx, place, form
        self.grid = ctx.book.grid(place.sheet)
        self.inputs = [_Column(f, f.key, c, c - 1, fast_typer(f), None if f.default is None else str(f.default),
                               f.type in (FieldType.TEXT, FieldType.LONGTEXT))
                       for f in table.columns if not f.computed and (c := place.columns.get(f.key)) is not None]
        self.computed = [(f, place.columns[f.key]) for f in table.columns if f.computed and f.key in place.columns]
        # The row's keys in the declaration's order (computed columns sit among the inputs); when
        # that is the reading order too, the cells need no reordering.
        read_order = [col.key for col in self.inputs] + [f.key for f, _ in self.computed]
        present = set(read_order)
        self.order = [f.key for f in table.columns if f.key in present]
        self.reorder = self.order != read_order
        self.extra = [(c - 1, head) for c, head in place.extra.items()]
        self.errors = ctx.parts.errors(place.sheet) if ctx.parts.sheet_paths else {}

    def empty(self, r: int) -> bool:
        grid = self.grid
        line = grid[r - 1] if r <= len(grid) else ()
        n = len(line)
        for col in self.inputs:
            if col.pos >= n:
                continue
            v = line[col.pos]
            if v is None:
                continue
            if not isinstance(v, str):
                return False
            # Blank, or only the column's default (状态 未开始 left in an unused row).
            s = v.strip()
            if s and s != col.default:
                return False
        for i, _ in self.extra:
            if i < n and not is_blank(line[i]):
                return False
        # An error value in an input cell reads as '' through calamine, but is not empty.
        return not (self.errors and any((r, col.col) in self.errors for col in self.inputs))

    def read(self, r: int) -> Row:
        ctx, sheet, errors = self.ctx, self.place.sheet, self.errors
        line = self.grid[r - 1] if r <= len(self.grid) else ()
        n = len(line)
        # With computed columns in between, the cells' keys are laid out in the declaration's order first
        # (None keeps each key's place until its Value is set below).
        cells: dict[str, Value] = (
            dict.fromkeys(self.order) if self.reorder else {})  # type: ignore[assignment]  # None placeholders
        # What the formulas see of every input cell (its typed value; a number typed in a text column
        # stays a number), gathered as the cells are read.
        typed_row: dict[str, Any] | None = {} if self.computed else None
        # The shared Cell of a place straight from its table (shared_cell makes it the first time).
        known = _SHARED.get
        for f, key, c, i, typer, _, text in self.inputs:
            raw = line[i] if i < n else ""
            if raw == "":
                raw = errors.get((r, c)) if errors else None
                # Empty cells skip the normaliser: most cells of a table are empty.
                if raw is None:
                    cells[key] = Value(None, None, known((sheet, r, c)) or shared_cell(sheet, r, c))
                    if typed_row is not None:
                        typed_row[key] = None
                    continue
            typed = typer(raw)
            if typed is not SLOW:
                cells[key] = Value(typed, raw, known((sheet, r, c)) or shared_cell(sheet, r, c))
            else:
                v = cells[key] = ctx.normalized(f, raw, sheet, r, c)
                typed = v.value
            if typed_row is not None:
                typed_row[key] = raw if text and isinstance(raw, int | float) and not isinstance(raw, bool) else typed
        if typed_row is not None:
            for f, c in self.computed:
                cells[f.key] = settle(ctx, f, ctx.value(f, ctx.raw(sheet, r, c), sheet, r, c), typed_row, self.form)
        extra: dict[str, Any] = {}
        if self.extra:
            for i, head in self.extra:
                raw = line[i] if i < n else ""
                extra.setdefault(head, None if is_blank(raw) else raw)
        return Row(cells, r, extra)


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
