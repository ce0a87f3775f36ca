"""Helpers for the merge tests: copies of a generated workbook edited the way people edit them.

A copy is made from BASE with openpyxl: cells set (by row key and field, wherever that row is),
rows deleted (the sheet row removed, the Excel table shrunk) and rows inserted (a sheet row
inserted inside the table, the table grown). The expected values are computed independently, on
plain dicts: ``flat(path)`` reads a workbook into {(table, row key, field): comparable value}.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import openpyxl

from pimxl.address import col_letter, parse_a1
from pimxl.io.reader import read_workbook
from pimxl.merge.model import from_record, norm
from pimxl.templates import TEMPLATES

__all__ = ["CopyEdits", "flat", "make_copy", "sha256", "table_ref_rows"]

Flat = dict[tuple[str, tuple[str, ...], str], Any]


def sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


@dataclass
class CopyEdits:
    """What one copy does to BASE. Keys are row-key texts (a WBS code…); values as typed into a cell."""

    form: dict[str, Any] = field(default_factory=dict)
    sets: dict[tuple[str, str, str], Any] = field(default_factory=dict)  # (table, key, field) → value
    deletes: list[tuple[str, str]] = field(default_factory=list)  # (table, key)
    inserts: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)  # (table, before key, row)


def flat(path: Path, template_id: str | None = None) -> tuple[Flat, set[tuple[str, tuple[str, ...]]]]:
    """A workbook's values (non-empty, comparable) by (table, row key, field), and its row keys."""
    rec = read_workbook(Path(path))
    snap = from_record(rec, TEMPLATES[template_id or rec.template_id], Path(path).name)
    out: Flat = {("form", (), k): it[1] for k, it in snap.form.items() if it[1] is not None}
    rows: set[tuple[str, tuple[str, ...]]] = set()
    for t, table in snap.tables.items():
        for key, cells in table.items():
            rows.add((t, key))
            out.update({(t, key, f): it[1] for f, it in cells.items() if it[1] is not None})
    return out, rows


def table_ref_rows(ws: Any, delta: int) -> None:
    """Grow (or shrink) every Excel table of a sheet by ``delta`` rows, as Excel does on insert/delete."""
    for tbl in ws.tables.values():
        a, b = tbl.ref.split(":")
        (r1, c1), (r2, c2) = parse_a1(a), parse_a1(b)
        tbl.ref = f"{col_letter(c1)}{r1}:{col_letter(c2)}{r2 + delta}"
        if tbl.autoFilter is not None:
            tbl.autoFilter.ref = tbl.ref


def _columns(ws: Any, header_row: int = 2) -> dict[str, int]:
    """Column of each field by the zh header text (so a moved column is found where it is)."""
    return {str(c.value): c.column for c in ws[header_row] if c.value is not None}


@cache
def _read_cached(path: Path, mtime: int) -> Any:
    return read_workbook(path)


def make_copy(base: Path, dst: Path, edits: CopyEdits) -> Path:
    """BASE with ``edits`` applied by openpyxl; BASE itself is only read."""
    rec = _read_cached(Path(base), Path(base).stat().st_mtime_ns)
    template = TEMPLATES[rec.template_id]
    wb = openpyxl.load_workbook(base)
    for k, v in edits.form.items():
        cell = rec.form[k].cell
        assert cell is not None
        wb[cell.sheet].cell(cell.row, cell.col).value = v
    # Each table: the row keys in sheet order from its first data row (a generated BASE has no gaps).
    for table in template.tables:
        rows = rec.tables[table.key]
        if not rows:
            continue
        ws = wb[rec.sheets[table.key]]
        cols = _columns(ws)
        first = rows[0].sheet_row
        order = [str(norm(r.get(table.row_key[0])) or "") for r in rows]
        for (t, key, fkey), v in edits.sets.items():
            if t == table.key:
                ws.cell(first + order.index(key), cols[table.column(fkey).zh]).value = v
        for t, key in edits.deletes:
            if t == table.key:
                ws.delete_rows(first + order.index(key))
                order.remove(key)
                table_ref_rows(ws, -1)
        for t, before, row in edits.inserts:
            if t != table.key:
                continue
            at = order.index(before)
            ws.insert_rows(first + at)
            order.insert(at, str(row[table.row_key[0]]))
            table_ref_rows(ws, 1)
            for fkey, v in row.items():
                ws.cell(first + at, cols[table.column(fkey).zh]).value = v
    wb.save(dst)
    return dst


def expected_copy(base_flat: Flat, base_rows: set, edits: CopyEdits, typed: Mapping[Any, Any]) -> tuple[Flat, set]:
    """What reading the copy must give, computed on plain dicts; ``typed`` maps typed input to its value."""
    out, rows = dict(base_flat), set(base_rows)

    def put(k: tuple, v: Any) -> None:
        n = norm(typed.get(v, v) if _hashable(v) else v)
        if n is None:
            out.pop(k, None)
        else:
            out[k] = n

    for k, v in edits.form.items():
        put(("form", (), k), v)
    for (t, key, f), v in edits.sets.items():
        put((t, (key,), f), v)
    for t, key in edits.deletes:
        rows.discard((t, (key,)))
        for k in [k for k in out if k[0] == t and k[1] == (key,)]:
            del out[k]
    for t, _, row in edits.inserts:
        key = (str(row[_key_field(t)]),)
        rows.add((t, key))
        for f, v in row.items():
            put((t, key, f), v)
    return out, rows


def _key_field(table: str) -> str:
    for t in TEMPLATES.values():
        for tb in t.tables:
            if tb.key == table:
                return tb.row_key[0]
    raise KeyError(table)


def _hashable(v: Any) -> bool:
    try:
        hash(v)
    except TypeError:
        return False
    return True


def changed_cells(base: Flat, other: Flat) -> set[tuple]:
    """Cells whose value differs between two flats (a cleared cell counts)."""
    return {k for k in set(base) | set(other) if base.get(k) != other.get(k)}
