"""What the reader makes of a workbook: typed values, each with the cell it came from.

Rules, merge and rollup work on these records only; none of them touches a spreadsheet library.

Memory: a rollup keeps every cell of every workbook as a :class:`Value` with its :class:`Cell`
(millions at a few thousand workbooks), so these classes have ``__slots__`` (no per-instance dict:
a Cell is 56 instead of 104 bytes + its dict). Subclasses must declare slots too
(``@dataclass(slots=True)``), and no code may set other attributes on them.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from .address import a1, sheet_address
from .findings import Finding

__all__ = ["Cell", "Row", "Value", "WorkbookRecord", "placed_value", "shared_cell"]


@dataclass(frozen=True, slots=True)
class Cell:
    """A cell's place: sheet name and 1-based row and column."""

    sheet: str
    row: int
    col: int

    @property
    def a1(self) -> str:
        return a1(self.row, self.col)

    @property
    def address(self) -> str:
        return sheet_address(self.sheet, self.row, self.col)


_SHARED: dict[tuple[str, int, int], Cell] = {}
_SHARED_MAX = 500_000


def shared_cell(sheet: str, row: int, col: int) -> Cell:
    """The one :class:`Cell` for this place, shared by every record that refers to it.

    Cells are immutable and compared by value, and workbooks of one template put their values in the
    same places: a rollup loading thousands of records (:func:`pimxl.pipeline.compact_loads`) keeps
    a few thousand Cells instead of one per value of every workbook. The table is bounded (cleared
    when full: sharing is only an economy).
    """
    key = (sheet, row, col)
    cell = _SHARED.get(key)
    if cell is None:
        if len(_SHARED) >= _SHARED_MAX:
            _SHARED.clear()
        cell = _SHARED[key] = Cell(sys.intern(sheet) if type(sheet) is str else sheet, row, col)
    return cell


@dataclass(slots=True)
class Value:
    """``value`` is the normalised typed value (None when empty or unusable), ``raw`` what the cell held."""

    value: Any
    raw: Any = None
    cell: Cell | None = None


_EMPTY: dict[tuple[str, int, int], Value] = {}


def placed_value(value: Any, raw: Any, sheet: str, row: int, col: int) -> Value:
    """A :class:`Value` in the shared :class:`Cell` of its place; an empty one is itself shared.

    Half the values of a filled-in template are empty cells in the same places in every workbook: a
    rollup loading thousands of records keeps one empty Value per place (Values are never changed
    once read). For :func:`pimxl.pipeline.compact_loads`: one call per value instead of two.
    """
    if value is None and raw is None:
        key = (sheet, row, col)
        empty = _EMPTY.get(key)
        if empty is None:
            if len(_EMPTY) >= _SHARED_MAX:
                _EMPTY.clear()
            empty = _EMPTY[key] = Value(None, None, shared_cell(sheet, row, col))
        return empty
    return Value(value, raw, shared_cell(sheet, row, col))


@dataclass(slots=True)
class Row:
    """A table row: values by column key; ``extra`` keeps the user's own columns by header text."""

    cells: dict[str, Value]
    sheet_row: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    def get(self, key: str, default: Any = None) -> Any:
        v = self.cells.get(key)
        return default if v is None or v.value is None else v.value

    def cell(self, key: str) -> Cell | None:
        v = self.cells.get(key)
        return v.cell if v else None

    def values(self) -> dict[str, Any]:
        return {k: v.value for k, v in self.cells.items()}

    def is_empty(self) -> bool:
        return all(v.value is None and v.raw in (None, "") for v in self.cells.values()) and not any(
            x not in (None, "") for x in self.extra.values()
        )


@dataclass(slots=True)
class WorkbookRecord:
    """One template workbook, read."""

    path: str
    template_id: str
    version: int
    form: dict[str, Value] = field(default_factory=dict)
    tables: dict[str, list[Row]] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)  # findings made while reading (normalisation…)
    sheets: dict[str, str] = field(default_factory=dict)  # section key → actual sheet name in this file

    def get(self, key: str, default: Any = None) -> Any:
        v = self.form.get(key)
        return default if v is None or v.value is None else v.value

    def cell(self, key: str) -> Cell | None:
        v = self.form.get(key)
        return v.cell if v else None

    def form_values(self) -> dict[str, Any]:
        return {k: v.value for k, v in self.form.items()}

    def rows(self, table: str) -> Iterator[Row]:
        return iter(self.tables.get(table, []))
