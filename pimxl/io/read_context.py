"""What every step of reading one workbook shares, and the one place a cell becomes a :class:`Value`."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from ..address import a1
from ..findings import Finding
from ..normalize import normalize
from ..normalize_fast import SLOW, fast_typer
from ..records import Cell, Value
from ..schema import Field, Template
from .read_book import Book, cell_at
from .read_codes import FORMULA_RECOMPUTED
from .read_parts import XlsxParts

__all__ = ["ReadContext"]

@dataclass
class ReadContext:
    path: Path
    template: Template
    book: Book
    parts: XlsxParts
    as_of: date | None = None
    findings: list[Finding] = field(default_factory=list)
    file: str = field(init=False, default="")
    # (field, type, raw) → typed value, for input the normaliser had nothing to say about: a
    # template repeats values (状态 未开始 fifty times), and the values are immutable.
    _memo: dict[tuple[int, type, Any], Any] = field(init=False, default_factory=dict)
    # (sheet, field key) → [field, first cell, cells, rows] of formula cells pimxl recomputed.
    _recomputed: dict[tuple[str, str], list[Any]] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        self.file = str(self.path)
        # Resolved once: the normaliser would ask for today's date on every cell.
        self.as_of = self.as_of or date.today()

    def raw(self, sheet: str, row: int, col: int) -> Any:
        """What the cell holds: its value, its error text (``#REF!``), or None when empty."""
        v = cell_at(self.book.grid(sheet), row, col)
        if v == "":
            # calamine reads error values as ''; the xlsx sheet XML still has them.
            return self.parts.errors(sheet).get((row, col)) if self.parts.sheet_paths else None
        return v

    def value(self, f: Field, raw: Any, sheet: str, row: int, col: int) -> Value:
        """Normalise one cell's raw content; the normaliser's findings go into the record."""
        if raw is None:  # most cells of a table are empty: no need to ask the normaliser
            return Value(None, None, Cell(sheet, row, col))
        # A clean value (a float in a money field, a date in a date field …) has a fast path.
        typed = fast_typer(f)(raw)
        if typed is not SLOW:
            return Value(typed, raw, Cell(sheet, row, col))
        return self.normalized(f, raw, sheet, row, col)

    def normalized(self, f: Field, raw: Any, sheet: str, row: int, col: int) -> Value:
        """:meth:`value` the general way, for a non-empty raw value its field's fast path declined."""
        key: tuple[int, type, Any] | None  # None: no memo for this raw value
        key = (id(f), raw.__class__, raw)
        try:
            return Value(self._memo[key], raw, Cell(sheet, row, col))
        except KeyError:
            pass
        except TypeError:  # an unhashable raw value (never from calamine, but be safe)
            key = None
        value, found = normalize(raw, f, as_of=self.as_of, file=self.file, sheet=sheet, cell=a1(row, col))
        if found:
            self.findings.extend(found)
        elif key is not None:
            self._memo[key] = value
        return Value(value, raw, Cell(sheet, row, col))

    def recomputed(self, f: Field, cell: Cell) -> None:
        """Note a formula cell without a cached value that pimxl computed (reported by :meth:`flush`)."""
        tally = self._recomputed.get((cell.sheet, f.key))
        if tally is None:
            self._recomputed[(cell.sheet, f.key)] = [f, cell, 1, {cell.row}]
        else:
            tally[2] += 1
            tally[3].add(cell.row)

    def flush(self) -> None:
        """One ``formula-recomputed`` info per column (or form field) noted so far, at its first cell.

        A file written by a program has no cached values at all: one finding per cell would be
        hundreds of identical infos per file.
        """
        for (sheet, key), (f, first, count, rows) in self._recomputed.items():
            self.findings.append(FORMULA_RECOMPUTED(file=self.file, sheet=sheet, cell=first.a1, field=key,
                                                    value=count, rows=len(rows), label_zh=f.zh, label_en=f.en))
        self._recomputed.clear()
