"""What every step of reading one workbook shares, and the one place a cell becomes a :class:`Value`."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from ..address import a1
from ..findings import Finding
from ..normalize import normalize
from ..records import Cell, Value
from ..schema import Field, Template
from .read_book import Book, cell_at
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

    @property
    def file(self) -> str:
        return str(self.path)

    def raw(self, sheet: str, row: int, col: int) -> Any:
        """What the cell holds: its value, its error text (``#REF!``), or None when empty."""
        v = cell_at(self.book.grid(sheet), row, col)
        if v == "":
            # calamine reads error values as ''; the xlsx sheet XML still has them.
            return self.parts.errors(sheet).get((row, col)) if self.parts.sheet_paths else None
        return v

    def value(self, f: Field, raw: Any, sheet: str, row: int, col: int) -> Value:
        """Normalise one cell's raw content; the normaliser's findings go into the record."""
        value, found = normalize(raw, f, as_of=self.as_of, file=self.file, sheet=sheet, cell=a1(row, col))
        self.findings.extend(found)
        return Value(value, raw, Cell(sheet, row, col))
