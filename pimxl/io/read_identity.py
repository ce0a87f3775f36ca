"""Which template a workbook is: from its identity, never from its file name.

Sources, in order: the very hidden ``_pimxl`` sheet, the custom document properties, and — when a
user copied the data into a fresh workbook — the form labels themselves: a sheet whose label
column holds most of the common header labels (项目编号, 项目名称, …) plus most of one template's
own form labels is that template's form.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .. import layout
from ..schema import Template
from ..templates import TEMPLATES
from ..templates.header import HEADER_FIELDS
from .read_book import Book
from .read_labels import field_labels, label_index
from .read_parts import XlsxParts

__all__ = ["Identity", "LabelMatch", "guess_template", "read_identity"]

#: How far down and across the fallback looks for form labels.
SCAN_ROWS, SCAN_COLS = 200, 4
#: "Most" of the common header labels, and of a template's own labels.
MIN_HEADER, MIN_OWN = 0.6, 0.5

_PROP_ALIASES = {
    "template_id": ("template_id", "pimxl_template_id", "pimxl.template_id"),
    "template_version": ("template_version", "pimxl_template_version", "pimxl.template_version"),
    "pimxl_version": ("pimxl_version", "pimxl.version"),
}


@dataclass(frozen=True)
class Identity:
    template_id: str
    version: int | None
    pimxl_version: str
    source: str  # "sheet" or "properties"


@dataclass(frozen=True)
class LabelMatch:
    template: Template
    sheet: str
    score: float


def _version(value: Any) -> int | None:
    try:
        return int(float(str(value).strip()))
    except (TypeError, ValueError):
        return None


def read_identity(book: Book, parts: XlsxParts) -> Identity | None:
    """The identity the template writer left, or None when there is none."""
    values: dict[str, Any] = {}
    source = ""
    if book.has(layout.IDENTITY_SHEET):
        for line in book.grid(layout.IDENTITY_SHEET)[:50]:
            if len(line) >= 2 and isinstance(line[0], str) and line[0].strip() in layout.IDENTITY_KEYS:
                values[line[0].strip()] = line[1]
        source = "sheet"
    if not str(values.get("template_id", "")).strip() and parts.custom:
        values = {k: next((parts.custom[a] for a in aliases if a in parts.custom), "")
                  for k, aliases in _PROP_ALIASES.items()}
        source = "properties"
    template_id = str(values.get("template_id") or "").strip()
    if not template_id:
        return None
    return Identity(template_id, _version(values.get("template_version")),
                    str(values.get("pimxl_version") or "").strip(), source)


def _own_labels(t: Template) -> list[frozenset[str]]:
    header = {f.key for f in HEADER_FIELDS}
    return [field_labels(f) for f in t.form.fields if f.key not in header]


def guess_template(book: Book) -> LabelMatch | None:
    """The template whose form labels a sheet holds, or None when no sheet looks like a form."""
    header_labels = [field_labels(f) for f in HEADER_FIELDS]
    best: LabelMatch | None = None
    for sheet in book.names:
        if sheet in (layout.IDENTITY_SHEET, layout.LISTS_SHEET, layout.INSTRUCTIONS_SHEET):
            continue
        index = label_index(book.head(sheet, SCAN_ROWS), SCAN_COLS)
        if not index:
            continue
        found = set(index)
        header_hits = sum(1 for labels in header_labels if labels & found)
        if header_hits < MIN_HEADER * len(header_labels):
            continue
        for t in TEMPLATES.values():
            own = _own_labels(t)
            score = sum(1 for labels in own if labels & found) / max(len(own), 1)
            if score >= MIN_OWN and (best is None or score > best.score):
                best = LabelMatch(t, sheet, score)
    return best
