"""Write a :class:`~pimxl.merge.diff.MergePlan` into BASE's openpyxl workbook (a copy; BASE is never saved).

Cells are edited in place, so BASE's formatting, data validation, defined names, tables and
identity sheet stay as they are. When rows are added or deleted, a table's rows are rewritten in
their new order: each row's values, styles, comments, links and height move with it, formulas are
translated to their new row, rows that are no longer needed become blank rows (formulas kept, as
in a fresh template), and the Excel table grows when the rows need more room. A field BASE has no
column for (a user column of a copy) becomes a new column at the table's right end.
"""

from __future__ import annotations

from collections.abc import Iterable
from copy import copy
from dataclasses import dataclass
from typing import Any

from openpyxl.comments import Comment
from openpyxl.formula.translate import Translator
from openpyxl.styles import PatternFill
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.table import TableColumn

from ..address import a1, col_letter, sheet_address
from ..io.writer_sheets import cell_value
from ..io.writer_style import formula_inputs
from ..records import WorkbookRecord
from ..schema import Table, Template
from .diff import DELETED, Conflict, MergePlan, RowPlan
from .locate import TableLoc, is_formula
from .model import EXTRA, Item, RowKey

__all__ = ["CONFLICT_FILL", "apply_plan", "conflict_note", "mark", "show"]

CONFLICT_FILL = "F8CBAD"


@dataclass
class _Grabbed:
    """One sheet row's cells (within the table's columns), as they were before rewriting."""

    row: int
    cells: list[tuple[Any, Any, Any, Any]]  # (value, style array, hyperlink, comment)
    height: float | None


def show(value: Any) -> str:
    from ..findings import format_value

    return "（空）" if value is None or value == "" else format_value(value)


def _to_cell(table: Table | None, template: Template, fid: str, item: Item) -> Any:
    value = item[0]
    if fid.startswith(EXTRA):
        return ", ".join(map(str, value)) if isinstance(value, tuple | list) else value
    f = template.form.field(fid) if table is None else table.column(fid)
    numeric = table is not None and fid in formula_inputs(table)
    return cell_value(f, value, numeric)


def _grab(loc: TableLoc, r: int) -> _Grabbed:
    ws = loc.ws
    cells = []
    for c in range(loc.first_col, loc.last_col + 1):
        cell = ws.cell(r, c)
        cells.append((cell.value, copy(cell._style), copy(cell.hyperlink) if cell.hyperlink else None,
                      copy(cell.comment) if cell.comment else None))
    return _Grabbed(r, cells, ws.row_dimensions[r].height if r in ws.row_dimensions else None)


def _blank(g: _Grabbed) -> _Grabbed:
    """A row like ``g`` with only its formulas (and styles): what an empty table row holds."""
    return _Grabbed(g.row, [(v if is_formula(v) else None, s, None, None) for v, s, _, _ in g.cells], g.height)


def _put(loc: TableLoc, r: int, g: _Grabbed) -> None:
    ws = loc.ws
    for c, (value, style, link, note) in zip(range(loc.first_col, loc.last_col + 1), g.cells, strict=True):
        cell = ws.cell(r, c)
        if isinstance(value, str) and value.startswith("=") and r != g.row:
            value = Translator(value, origin=a1(g.row, c)).translate_formula(a1(r, c))
        cell._style = copy(style)
        cell.hyperlink = copy(link) if link is not None else None
        cell.value = value
        cell.comment = copy(note) if note is not None else None
    ws.row_dimensions[r].height = g.height


def _add_column(loc: TableLoc, fid: str, text: str) -> None:
    """A new column at the right end of the table, styled like its neighbour, in the Excel table."""
    ws, src, c = loc.ws, loc.last_col, loc.last_col + 1
    for r in range(max(loc.header_row - 1, 1), max(loc.last_row, loc.header_row) + 1):
        ws.cell(r, c)._style = copy(ws.cell(r, src)._style)
        if r > loc.header_row:
            ws.cell(r, c).number_format = "General"
    ws.cell(loc.header_row, c).value = text
    ws.column_dimensions[col_letter(c)].width = max(ws.column_dimensions[col_letter(src)].width or 12, 12)
    if loc.xl is not None:
        loc.xl.tableColumns.append(TableColumn(id=max((t.id for t in loc.xl.tableColumns), default=0) + 1,
                                               name=text))
    loc.last_col, loc.columns[fid] = c, c
    _resize(loc, loc.last_row)


def _resize(loc: TableLoc, last_row: int) -> None:
    """Set the Excel table's range (and its filter's) to the table's columns and ``last_row``."""
    if loc.xl is None:
        return
    totals = loc.xl.totalsRowCount or 0
    ref = f"{col_letter(loc.first_col)}{loc.header_row}:{col_letter(loc.last_col)}{last_row + totals}"
    loc.xl.ref = ref
    if loc.xl.autoFilter is not None:
        loc.xl.autoFilter.ref = f"{col_letter(loc.first_col)}{loc.header_row}:{col_letter(loc.last_col)}{last_row}"
    loc.last_row = last_row


def _reshape(loc: TableLoc, rows: list[RowPlan], base_rows: dict[RowKey, int]) -> dict[RowKey, int]:
    """Rewrite the table's rows in the plan's order; the sheet row of every key in OUT."""
    first = loc.first_row
    end = max([loc.last_row, *base_rows.values()])
    grabbed = {r: _grab(loc, r) for r in range(first, end + 1)}
    used = set(base_rows.values())
    # New rows take the look of the first empty table row (formulas included), else of the last row.
    spare = next((r for r in range(first, end + 1) if r not in used), None)
    model = grabbed[spare] if spare is not None else _blank(grabbed[max(used)]) if used else None
    out: dict[RowKey, int] = {}
    for i, rp in enumerate(rows):
        r = first + i
        g = grabbed[base_rows[rp.key]] if rp.in_base else model
        if g is not None:
            _put(loc, r, g)
        out[rp.key] = r
    for r in range(first + len(rows), end + 1):
        if model is not None:
            _put(loc, r, model)
    if first + len(rows) - 1 > loc.last_row:
        _resize(loc, first + len(rows) - 1)
    return out


def mark(wb: Workbook, sheet: str, row: int, col: int, text: str) -> None:
    cell = wb[sheet].cell(row, col)
    cell.fill = PatternFill("solid", fgColor=CONFLICT_FILL)
    if cell.comment is not None:
        text = cell.comment.text + "\n\n" + text
    cell.comment = Comment(text, "pimxl", width=300, height=60 + 18 * text.count("\n"))


def conflict_note(c: Conflict, lang: str) -> str:
    zh = lang == "zh"
    if c.kind == "delete-edit":
        head = "合并冲突：此行在一个副本中被删除、在另一个副本中被修改" if zh else \
            "merge conflict: this row was deleted in one copy and edited in another"
        lines = [f"{n}: {'已删除' if v == DELETED else '已修改'}" if zh else f"{n}: {v}" for n, v in c.values]
    else:
        head = "合并冲突 / merge conflict"
        lines = [f"{'基准' if zh else 'BASE'}: {show(c.base)}"] + [f"{n}: {show(v)}" for n, v in c.values]
    if c.resolved_by is None:
        tail = "保留基准值，请确认" if zh else "BASE kept; please decide"
    else:
        tail = (f"已采用：{c.resolved_by}" if zh else f"resolved: {c.resolved_by}")
    return "\n".join([head, *lines, tail])


def apply_plan(wb: Workbook, template: Template, base: WorkbookRecord, locs: dict[str, TableLoc],
               base_rows: dict[str, dict[RowKey, int]], plan: MergePlan, lang: str = "zh") -> None:
    """Write ``plan`` into ``wb``; fills in the address of every change and conflict."""
    where: dict[tuple[str | None, RowKey | None, str], tuple[str, int, int]] = {}
    for key, item in plan.form.items():
        cell = base.form[key].cell
        assert cell is not None  # only fields BASE has a cell for are in BASE's snapshot…
        wb[cell.sheet].cell(cell.row, cell.col).value = _to_cell(None, template, key, item)
    for key, v in base.form.items():
        if v.cell is not None:
            where[(None, None, key)] = (v.cell.sheet, v.cell.row, v.cell.col)
    for tkey, tplan in plan.tables.items():
        table, loc = template.table(tkey), locs.get(tkey)
        if loc is None:
            _nowhere(plan, tkey)
            continue
        headers = {**{c.key: c.zh for c in table.columns}, **tplan.new_headers}
        for fid in _needed(tplan.rows, loc.columns):
            _add_column(loc, fid, headers.get(fid, fid.lstrip(EXTRA)))
        rows_at = _reshape(loc, tplan.rows, base_rows[tkey]) if tplan.reshaped else dict(base_rows[tkey])
        for rp in tplan.rows:
            r = rows_at[rp.key]
            for fid, item in rp.sets.items():
                loc.ws.cell(r, loc.columns[fid]).value = _to_cell(table, template, fid, item)
        key_col = min((loc.columns[k] for k in table.row_key if k in loc.columns), default=loc.first_col)
        for rkey, r in rows_at.items():
            where[(tkey, rkey, "")] = (loc.ws.title, r, key_col)
            for fid, c in loc.columns.items():
                where[(tkey, rkey, fid)] = (loc.ws.title, r, c)
        for rkey in tplan.deleted:
            where[(tkey, rkey, "")] = (loc.ws.title, base_rows[tkey][rkey], key_col)
    for ch in plan.changes:
        if ch.sheet:
            continue  # free cells and added sheets: placed by .cells
        if (spot := where.get((ch.table, ch.key, ch.field))) is not None:
            ch.address = sheet_address(*spot)
    for cf in plan.conflicts:
        if cf.sheet:
            continue
        spot = where.get((cf.table, cf.key, cf.field))
        if spot is None:
            continue
        cf.address = sheet_address(*spot)
        if cf.chosen != DELETED:
            mark(wb, *spot, conflict_note(cf, lang))


def _nowhere(plan: MergePlan, tkey: str) -> None:
    """BASE has no such table (its sheet is gone): the copies' rows cannot be written — say so, never drop them."""
    plan.changes[:] = [c for c in plan.changes if c.table != tkey]
    for rp in plan.tables[tkey].rows:
        if rp.sets:
            values = {fid: it[0] for fid, it in rp.sets.items() if it[1] is not None}
            plan.conflicts.append(Conflict(tkey, rp.key, "", "no-place", None, [("", values)], ()))


def _needed(rows: Iterable[RowPlan], columns: dict[str, int]) -> list[str]:
    """Field ids some row writes that BASE's table has no column for, in first-use order."""
    return list(dict.fromkeys(fid for rp in rows for fid in rp.sets if fid not in columns))
