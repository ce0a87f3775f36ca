"""Every value of an old workbook that has no place in the current template (the 未迁移 sheet).

A non-empty cell of the old workbook is one of:

- a value the reader read into a field (it moves to the field's new cell);
- part of the template itself: a label, heading, title or note of the old or the current version,
  a column's default left in an empty row (状态 未开始), the hidden and instruction sheets;
- anything else — a column or sheet of the user's own, a note typed beside the form, a field the
  new version dropped, a number typed over a formula — which is a *leftover*: listed with its
  sheet, cell, the header or label it stood under, and its value. Nothing is dropped silently.

Values come from the calamine grid (any format the reader reads); formula and error positions
from the xlsx parts.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import layout
from ..address import sheet_address
from ..io.read_book import Book, Grid, cell_at, is_blank
from ..io.read_labels import fold
from ..io.read_parts import XlsxParts
from ..records import Value, WorkbookRecord
from ..rules.values import MONEY_TOL, num, same
from ..schema import Table, Template

__all__ = ["Leftover", "find_leftovers"]

_SKIP = (layout.IDENTITY_SHEET, layout.LISTS_SHEET, layout.INSTRUCTIONS_SHEET)
#: How far down a table sheet the header row is looked for (as the reader does).
_HEADER_SCAN = 200


@dataclass(frozen=True)
class Leftover:
    """A value with no place in the current template."""

    sheet: str
    row: int
    col: int
    label: str  # the header (table) or label (form) it stood under; '' on a sheet of the user's own
    value: Any
    note_zh: str = ""
    note_en: str = ""

    @property
    def address(self) -> str:
        return sheet_address(self.sheet, self.row, self.col)


def _scaffold_texts(*templates: Template) -> set[str]:
    """Folded texts that a generated workbook of these declarations carries by itself."""
    out = {fold(s) for s in ("字段", "填写内容", "Field · 说明")}
    for t in templates:
        out.add(fold(f"{t.zh}  {t.en}"))
        for f in t.form.fields:
            out |= {fold(f.zh), fold(f.group), fold(f.en + (f" · {f.help_zh}" if f.help_zh else ""))}
        for tb in t.tables:
            for c in tb.columns:
                out |= {fold(c.zh), fold(c.en), *(fold(a) for a in c.aliases)}
    out.discard("")
    return out


def _accounted(record: WorkbookRecord) -> set[tuple[str, int, int]]:
    """Cells whose value the reader took (their values move to the new template)."""
    values: list[Value] = list(record.form.values())
    for rows in record.tables.values():
        for row in rows:
            values += row.cells.values()
    return {(v.cell.sheet, v.cell.row, v.cell.col) for v in values if v.cell is not None}


def _header_row(grid: Grid, table: Table, parts: XlsxParts, sheet: str, labels: set[str]) -> int:
    """The table's header row: from its Excel table, else the last row above the data with labels."""
    td = parts.table(table.excel_name)
    if td is not None and td.sheet == sheet:
        return td.first_row + td.header_rows - 1
    best = 0
    for r, line in enumerate(grid[:_HEADER_SCAN], start=1):
        if sum(1 for v in line if fold(v) in labels) >= 2:
            best = r
        elif best:
            break
    return best


def _cells(grid: Grid, parts: XlsxParts, sheet: str) -> dict[tuple[int, int], Any]:
    """Every non-empty cell: values, error values, and formulas that have no cached value (None)."""
    out: dict[tuple[int, int], Any] = {}
    for r, line in enumerate(grid, start=1):
        for c, v in enumerate(line, start=1):
            if not is_blank(v):
                out[(r, c)] = v
    if parts.sheet_paths:
        for rc in parts.formulas(sheet):
            out.setdefault(rc, None)
        out.update(parts.errors(sheet))
    return out


class _Scan:
    def __init__(self, book: Book, parts: XlsxParts, record: WorkbookRecord, old: Template,
                 current: Template) -> None:
        self.book, self.parts, self.record, self.old = book, parts, record, old
        self.labels = _scaffold_texts(old, current)
        self.accounted = _accounted(record)
        self.found: list[Leftover] = []

    def add(self, sheet: str, rc: tuple[int, int], label: Any, value: Any, zh: str = "", en: str = "") -> None:
        if value is None:
            zh, en = zh or "公式（文件中没有计算结果）", en or "a formula with no cached value"
        text = "" if is_blank(label) else str(label).strip().removesuffix(layout.REQUIRED_MARK.strip()).strip()
        self.found.append(Leftover(sheet, rc[0], rc[1], text, value, zh, en))

    def form_sheet(self, sheet: str) -> None:
        grid = self.book.grid(sheet)
        for rc, v in _cells(grid, self.parts, sheet).items():
            if (sheet, *rc) in self.accounted or fold(v) in self.labels:
                continue
            self.add(sheet, rc, cell_at(grid, rc[0], layout.FORM_LABEL_COL), v, "表单旁填写的内容",
                     "typed beside the form")

    def table_sheet(self, sheet: str, table: Table) -> None:
        grid = self.book.grid(sheet)
        header = _header_row(grid, table, self.parts, sheet, self.labels)
        defaults = {fold(c.zh): c.default for c in table.columns if c.default is not None}
        defaults |= {fold(c.en): c.default for c in table.columns if c.default is not None}
        user_heads: dict[int, Any] = {}
        listed: set[int] = set()
        for rc, v in sorted(_cells(grid, self.parts, sheet).items()):
            r, c = rc
            if (sheet, r, c) in self.accounted or (r <= header and fold(v) in self.labels):
                continue
            head = cell_at(grid, header, c) if header else ""
            if r == header:
                user_heads[c] = v  # a user column's header labels that column's values
                continue
            if r > header and fold(head) in defaults and str(v).strip() == str(defaults[fold(head)]):
                continue  # a default (状态 未开始) left in a row that is otherwise empty
            if r < header:
                note = ("表格上方的内容", "above the table")
            elif fold(head) in self.labels:
                note = ("新版本没有此列", "the new version has no such column")
            else:
                note = ("用户自己的列", "a column of the user's own")
            self.add(sheet, rc, head, v, *note)
            listed.add(c)
        # A user column with a header and no values: the header itself is kept.
        for c, v in user_heads.items():
            if c not in listed:
                self.add(sheet, (header, c), "", v, "用户自己的列（仅表头）", "a column of the user's own (header only)")
        self._typed_over_formulas(table)

    def _typed_over_formulas(self, table: Table) -> None:
        """A number typed over a formula the new template restores: kept when it differs from the formula."""
        if not self.parts.sheet_paths:
            return  # without the xlsx parts a formula cannot be told from a typed value
        for row in self.record.rows(table.key):
            for col in (c for c in table.columns if c.computed):
                v = row.cells.get(col.key)
                if v is None or v.cell is None or is_blank(v.raw):
                    continue
                if (v.cell.row, v.cell.col) in self.parts.formulas(v.cell.sheet):
                    continue
                computed = getattr(v, "recomputed", None)
                if computed is not None and same(num(v.raw), num(computed), MONEY_TOL):
                    continue
                self.add(v.cell.sheet, (v.cell.row, v.cell.col), col.zh, v.raw,
                         f"公式列中手填的值；新模板按公式计算为 {computed}",
                         f"typed over the formula; the new template computes {computed}")

    def user_sheet(self, sheet: str) -> None:
        grid = self.book.grid(sheet)
        for rc, v in sorted(_cells(grid, self.parts, sheet).items()):
            self.add(sheet, rc, "", v, "用户自己的工作表", "a sheet of the user's own")


def find_leftovers(book: Book, parts: XlsxParts, record: WorkbookRecord, old: Template,
                   current: Template) -> list[Leftover]:
    """The values of ``record``'s workbook that have no place in ``current`` (see the module doc)."""
    scan = _Scan(book, parts, record, old, current)
    sections = {sheet: key for key, sheet in record.sheets.items()}
    for sheet in book.names:
        if sheet in _SKIP:
            continue
        key = sections.get(sheet)
        if key == current.form.key:
            scan.form_sheet(sheet)
        elif key is not None:
            scan.table_sheet(sheet, current.table(key))
        else:
            scan.user_sheet(sheet)
    return scan.found


def open_source(path: Path) -> tuple[Book, XlsxParts]:
    """The calamine book and the xlsx parts of a file the reader has already accepted."""
    from ..io.probe import probe
    from ..io.read_book import open_book
    from ..io.read_parts import read_parts

    # One probe: its kind for calamine, its inflated parts for read_parts (not read and inflated again).
    probed = probe(path, keep=True)
    if not probed.ok:  # changed since the reader accepted it: the same one-line refusal
        raise probed.problem()
    return open_book(path, probed.kind), read_parts(path, probed.parts)
