"""A workbook as plain data for merging: form values by key, table rows by row key, cells by field.

Every cell is an :data:`Item`: the value to write (the reader's typed value; what was typed when
the reader could not type it) and a comparable form of it (:func:`norm`), so that ``2026/3/5``
equals a real date 2026-03-05 and the number 1 equals 1.0. The user's own columns (``Row.extra``)
take part too, as fields named ``+<folded header>``. Formula (computed) columns do not: they
follow their inputs. No spreadsheet library is imported here.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from ..io.read_labels import fold
from ..records import Row, Value, WorkbookRecord
from ..schema import Table, Template

__all__ = ["EXTRA", "Item", "RowKey", "Snapshot", "from_record", "norm", "row_keys"]

#: Prefix of the field id of a user's own column.
EXTRA = "+"
#: A row key: the row-key columns' comparable texts (plus an occurrence mark for duplicates).
RowKey = tuple[str, ...]
#: (value to write, comparable form).
Item = tuple[Any, Hashable]


def norm(value: Any) -> Hashable:
    """The comparable form of a cell value: empty → None, dates as dates, numbers as 12-digit floats."""
    if value is None:
        return None
    if isinstance(value, str):
        text = value.replace("\r\n", "\n").strip()
        return text or None
    if isinstance(value, bool):
        return value
    if isinstance(value, datetime):
        # A date typed into a date-time cell is still that date.
        return value.date() if value.time() == datetime.min.time() else value
    if isinstance(value, date):
        return value
    if isinstance(value, int | float):
        return float(f"{float(value):.12g}")
    if isinstance(value, list | tuple):
        parts = tuple(norm(v) for v in value)
        return parts or None
    return str(value)


def _item(v: Value) -> Item:
    """What a reader Value contributes: its typed value, else the text that was typed."""
    if v.value is not None:
        return v.value, norm(v.value)
    raw = v.raw
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None, None
    return raw, norm(raw)


@dataclass
class Snapshot:
    """One workbook as plain data. Only fields the workbook has are present (a missing column is no edit)."""

    name: str
    form: dict[str, Item] = field(default_factory=dict)
    tables: dict[str, dict[RowKey, dict[str, Item]]] = field(default_factory=dict)  # rows in sheet order
    headers: dict[str, dict[str, str]] = field(default_factory=dict)  # table → folded header → header text


def _key_text(value: Any) -> str:
    n = norm(value)
    if n is None:
        return ""
    if isinstance(n, float):
        return f"{n:g}"
    if isinstance(n, tuple):
        return ", ".join(str(p) for p in n)
    return str(n)


def row_keys(table: Table, rows: Sequence[Row]) -> list[RowKey]:
    """Each row's key, aligned with ``rows``.

    The key is the row-key columns' texts; a key seen before gets an occurrence mark, so duplicates
    stay apart. A row whose key columns are all empty is keyed by its whole content: it can only
    be matched by an identical row (an edit to it reads as one row deleted and another added).
    """
    out: list[RowKey] = []
    seen: dict[RowKey, int] = {}
    for row in rows:
        key: RowKey = tuple(_key_text(row.get(k)) for k in table.row_key)
        if not any(key):
            content = [f"{k}={_key_text(v.value if v.value is not None else v.raw)}" for k, v in row.cells.items()]
            content += [f"{EXTRA}{fold(h)}={_key_text(v)}" for h, v in row.extra.items()]
            key = ("", "\x00" + "\x1f".join(content))
        n = seen.get(key, 0) + 1
        seen[key] = n
        out.append(key if n == 1 else (*key, f"\x00#{n}"))
    return out


def _row_items(table: Table, row: Row, skip: Iterable[str]) -> tuple[dict[str, Item], dict[str, str]]:
    computed = {c.key for c in table.columns if c.computed}
    items = {k: _item(v) for k, v in row.cells.items() if k not in computed and v.cell is not None}
    heads: dict[str, str] = {}
    skipped = set(skip)
    for header, raw in row.extra.items():
        fid = EXTRA + fold(header)
        if fid == EXTRA or fid in skipped or fid in items:
            continue
        items[fid] = (raw, norm(raw)) if norm(raw) is not None else (None, None)
        heads[fid] = header
    return items, heads


def from_record(record: WorkbookRecord, template: Template, name: str,
                skip: dict[str, set[str]] | None = None) -> Snapshot:
    """The record as a :class:`Snapshot`; ``skip`` names user columns to leave out, by table (formula columns)."""
    snap = Snapshot(name)
    for f in template.form.fields:
        v = record.form.get(f.key)
        if v is not None and v.cell is not None and not f.computed:
            snap.form[f.key] = _item(v)
    for table in template.tables:
        rows = record.tables.get(table.key, [])
        out: dict[RowKey, dict[str, Item]] = {}
        heads: dict[str, str] = {}
        for key, row in zip(row_keys(table, rows), rows, strict=True):
            out[key], h = _row_items(table, row, (skip or {}).get(table.key, ()))
            for fid, text in h.items():
                heads.setdefault(fid, text)
        snap.tables[table.key] = out
        snap.headers[table.key] = heads
    return snap
