"""Bridge from the record factory's in-memory :class:`~recordfactory.Data` to real workbook files.

:func:`write_data` writes a (mutated) sample as a user would have it: the template writer fills the
template (typed dates and numbers, formulas in computed columns, the template's pre-filled rows with
the given rows laid over them by key). Where the in-memory mutation is something the writer cannot
express, the bridge applies it as a user would in Excel, on the workbook before it is saved:

* a pre-filled row the mutation removed (or re-keyed) has its contents cleared (select the row,
  press Delete); a re-keyed row is then found appended at the end of the table;
* a computed column (a formula) whose value the mutation changed is overwritten with that value
  (the user typed over the formula);
* ``None`` in a table row clears a value the template pre-fills (``merge_rows`` keeps pre-filled
  values under ``None``, so ``None`` is passed as ``""``);
* :class:`~recordfactory.Raw` text is typed as that text.

:class:`FileCells` answers "which cell" from the written FILE — the row by its key, the column by its
header label, a form field by its label — never from the factory's own arithmetic.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from recordfactory import Data, Raw

from pimxl.address import a1
from pimxl.findings import Finding, Severity
from pimxl.io.writer import build_workbook, save_atomic, workbook_bytes, write_template
from pimxl.layout import FORM_LABEL_COL, FORM_VALUE_COL, REQUIRED_MARK, TABLE_HEADER_ROW
from pimxl.results import FileResult
from pimxl.schema import Table
from pimxl.templates import TEMPLATES

__all__ = ["FileCells", "loud", "reader_findings", "rule_findings", "write_data"]


_COPY = "\u2063copy"


def _plain(v: Any) -> Any:
    return v.text if isinstance(v, Raw) else v


def _key(table: Table, row: Mapping[str, Any]) -> tuple[str, ...] | None:
    parts = tuple("" if row.get(k) is None else str(row.get(k)).strip() for k in table.row_key)
    return parts if all(parts) else None


def _by_key(table: Table, rows: Iterable[Mapping[str, Any]]) -> dict[tuple[str, ...], Mapping[str, Any]]:
    out: dict[tuple[str, ...], Mapping[str, Any]] = {}
    for r in rows:
        k = _key(table, r)
        if k is not None:
            out.setdefault(k, r)
    return out


def write_data(d: Data, path: Path, base: Data | None = None, typed: bool = False) -> Path:
    """Write ``d`` to ``path`` through the template writer; ``base`` is the unmutated sample (to see
    which pre-filled rows the mutation removed and which formulas it overwrote). ``typed``: every
    computed value ``d`` holds is typed over its formula (the user replaced the formulas)."""
    t = TEMPLATES[d.template_id]
    values = {k: _plain(v) for k, v in d.form.items() if v is not None}
    rows: dict[str, list[dict[str, Any]]] = {}
    cleared: dict[str, set[tuple[str, ...]]] = {}
    overwrite: dict[str, dict[tuple[str, ...], dict[str, Any]]] = {}
    copies: dict[str, dict[str, str]] = {}  # stand-in key → the repeated key, per table
    for tb in t.tables:
        given = d.tables.get(tb.key, [])
        rows[tb.key] = []
        seen: set[tuple[str, ...]] = set()
        for r in given:
            row = {k: "" if v is None else _plain(v) for k, v in r.items()}
            k = _key(tb, r)
            if k is not None and k in seen:
                # merge_rows would lay a repeated key over the first row: write it under a stand-in
                # key and type the real one back in (the user pasted a copy of the row).
                first = tb.row_key[0]
                stand_in = f"{row[first]}{_COPY}{len(copies.setdefault(tb.key, {}))}"
                copies[tb.key][stand_in] = row[first]
                row[first] = stand_in
            elif k is not None:
                seen.add(k)
            rows[tb.key].append(row)
        if base is None:
            continue
        now, before = _by_key(tb, given), _by_key(tb, base.tables.get(tb.key, []))
        prefilled = {k for r in tb.rows if (k := _key(tb, r)) is not None}
        cleared[tb.key] = {k for k in before if k in prefilled and k not in now}
        computed = [c.key for c in tb.columns if c.computed]
        for k, r in now.items():
            old = before.get(k)
            changed = {c: r[c] for c in computed
                       if r.get(c) is not None and (typed or (old is not None and r.get(c) != old.get(c)))}
            if changed:
                overwrite.setdefault(tb.key, {})[k] = changed
    if not any(cleared.values()) and not overwrite and not copies:
        return write_template(t, path, values=values, rows=rows)
    wb = build_workbook(t, values, rows)
    for tb in t.tables:
        if not cleared.get(tb.key) and not overwrite.get(tb.key) and not copies.get(tb.key):
            continue
        ws = wb[tb.zh]
        cols = [c.key for c in tb.columns]
        kcol = cols.index(tb.row_key[0]) + 1
        for r in range(TABLE_HEADER_ROW + 1, ws.max_row + 1):
            if ws.cell(r, kcol).value in copies.get(tb.key, {}):
                ws.cell(r, kcol).value = copies[tb.key][ws.cell(r, kcol).value]
                continue
            k = _key(tb, {c: ws.cell(r, j).value for j, c in enumerate(cols, start=1)})
            if k in cleared.get(tb.key, ()):
                for j in range(1, len(cols) + 1):
                    ws.cell(r, j).value = None
            elif k in overwrite.get(tb.key, {}):
                for c, v in overwrite[tb.key][k].items():
                    ws.cell(r, cols.index(c) + 1).value = v
    return save_atomic(workbook_bytes(wb), path)


@functools.cache
def _sheets(path: str) -> dict[str, list[tuple[Any, ...]]]:
    wb = load_workbook(path, read_only=True)
    try:
        return {ws.title: [tuple(row) for row in ws.iter_rows(values_only=True)] for ws in wb.worksheets}
    finally:
        wb.close()


def _text(v: Any) -> str:
    return "" if v is None else str(v).strip()


class FileCells:
    """Cells of a written workbook, found the way a reader of the file would find them."""

    def __init__(self, path: Path, template_id: str) -> None:
        self.path = str(path)
        self.template_id = template_id

    def a1(self, key: str, table: str | None = None, key_value: str | None = None, nth: int = 0) -> str:
        """A form field's value cell (by its label), or a table row's column: the row whose first key
        column reads ``key_value`` (the ``nth`` such row; -1 for the last), the column by its zh header."""
        t = TEMPLATES[self.template_id]
        if table is None:
            f = next(x for x in t.form.fields if x.key == key)
            labels = {f.zh, f.zh + REQUIRED_MARK}
            grid = _sheets(self.path)[t.form.zh]
            (r,) = [i for i, row in enumerate(grid, start=1) if _text(row[FORM_LABEL_COL - 1]) in labels]
            return a1(r, FORM_VALUE_COL)
        tb = t.table(table)
        grid = _sheets(self.path)[tb.zh]
        header = [_text(v) for v in grid[TABLE_HEADER_ROW - 1]]
        label = {c.key: c.zh for c in tb.columns}
        kcol = header.index(label[tb.row_key[0]])
        col = header.index(label[key]) + 1
        hits = [i for i, row in enumerate(grid, start=1)
                if i > TABLE_HEADER_ROW and kcol < len(row) and _text(row[kcol]) == key_value]
        assert hits, f"{key_value!r} not found in {tb.zh} of {self.path}"
        # A pre-filled row with only part of a two-column key (资源: role without a name) is not the
        # row a test means when a complete one reads the same.
        kcols = [header.index(label[k]) for k in tb.row_key]
        complete = [i for i in hits if all(_text(grid[i - 1][c]) for c in kcols)]
        hits = complete or hits
        return a1(hits[nth], col)


def reader_findings(result: FileResult) -> list[Finding]:
    """The reader's own findings (normalisation, recomputed formulas, …): they come first."""
    assert result.record is not None, (result.status, result.reason_en)
    return result.findings[: len(result.record.findings)]


def rule_findings(result: FileResult) -> list[Finding]:
    """The findings the rules added after reading (single-workbook, then cross-workbook ones)."""
    assert result.record is not None, (result.status, result.reason_en)
    return result.findings[len(result.record.findings):]


def loud(findings: Iterable[Finding]) -> list[Finding]:
    return [f for f in findings if f.severity in (Severity.ERROR, Severity.WARNING)]
