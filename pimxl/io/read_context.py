"""What every step of reading one workbook shares, and the one place a cell becomes a :class:`Value`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from ..address import a1
from ..findings import Finding
from ..records import Cell, Value
from ..schema import Field, Template
from .read_book import Book, cell_at, is_blank
from .read_parts import XlsxParts

__all__ = ["ReadContext", "normalizer"]

Normalizer = Callable[..., tuple[Any, list[Finding]]]


def _fallback_normalize(raw: Any, field: Field, **_: Any) -> tuple[Any, list[Finding]]:
    """Used only until :mod:`pimxl.normalize` is importable: strip text, whole floats → int."""
    if is_blank(raw):
        return None, []
    if isinstance(raw, str):
        return raw.strip(), []
    if isinstance(raw, float) and raw.is_integer() and field.type.value == "integer":
        return int(raw), []
    return raw, []


def normalizer() -> Normalizer:
    try:
        from ..normalize import normalize
    except ImportError:
        return _fallback_normalize
    return normalize


@dataclass
class ReadContext:
    path: Path
    template: Template
    book: Book
    parts: XlsxParts
    as_of: date | None = None
    findings: list[Finding] = field(default_factory=list)
    normalize: Normalizer = field(default_factory=normalizer)

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
        if is_blank(raw):
            raw = None if raw is None or raw == "" else raw
        value, found = self.normalize(raw, f, as_of=self.as_of, file=self.file, sheet=sheet, cell=a1(row, col))
        self.findings.extend(found)
        return Value(value, raw, Cell(sheet, row, col))
