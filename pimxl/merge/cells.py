"""Free cells and added sheets: the three-way merge by address of what the template merge does not handle.

*Free cells* are cells of BASE's sheets outside the template's places (a note beside the form, a
figure below a table, every cell of a sheet of the user's own that BASE already has): a cell one or
more copies changed the same way takes that value (an emptied cell is a change too); different
changes are a conflict, decided as elsewhere (``--prefer``; BASE kept by default, marked, listed).
A copy that lacks a sheet BASE has has no say on it: the sheet is kept, and the log says so.

*Added sheets* (a copy's sheet BASE lacks) are copied into OUT — values, formulas, styles, column
widths, row heights, merged cells, freeze panes, tab colour. The same new sheet in several copies
merges its cells against an empty BASE. Each added sheet is one change (with its values).
"""

from __future__ import annotations

from collections.abc import Sequence
from copy import copy
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from ..address import parse_a1, sheet_address
from .apply import conflict_note, mark
from .diff import EMPTY, Change, Conflict, Prefer, decide
from .grids import OWN_SHEETS, Addr, Grid
from .model import Item

__all__ = ["AddedSheet", "CellPlan", "FreeSet", "apply_cells", "merge_cells"]


@dataclass
class FreeSet:
    """A value to write into OUT: sheet, cell, item, and the copy it came from (for its style)."""

    sheet: str
    at: Addr
    item: Item
    source: Grid | None


@dataclass
class AddedSheet:
    name: str
    layout: Grid  # the first copy that added it: column widths, merged cells… come from it
    sheet: str  # its name in that copy
    cells: dict[Addr, tuple[Item, Grid]] = field(default_factory=dict)


@dataclass
class CellPlan:
    free: list[FreeSet] = field(default_factory=list)
    added: list[AddedSheet] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)  # of free cells and added sheets (to mark)


def _source(item: Item, proposals: list[tuple[Grid, Item]]) -> Grid | None:
    return next((g for g, it in proposals if it[1] == item[1]), None)


def _free(base: Grid, copies: Sequence[Grid], prefer: Prefer, changes: list[Change], plan: CellPlan) -> None:
    template_sheets = set(base.record.sheets.values())
    for sheet, bcells in base.sheets.items():
        if sheet in OWN_SHEETS:
            continue
        having = [(g, s) for g in copies if (s := g.sheet_named(sheet)) is not None]
        missing = tuple(g.name for g in copies if g.sheet_named(sheet) is None)
        if missing and sheet not in template_sheets:
            # A copy deleted a sheet: it has no say on its cells, and the sheet stays — said in the log.
            changes.append(Change(None, None, "", "sheet-kept", None, None, missing,
                                  sheet_address(sheet, 1, 1), sheet=sheet))
        addrs = set(bcells)
        for g, s in having:
            addrs.update(g.sheets[s])
        for r, c in sorted(addrs):
            if base.owns(sheet, r, c):
                continue
            bitem = bcells.get((r, c), EMPTY)
            props: list[tuple[Grid, Item]] = []
            for g, s in having:
                if g.owns(s, r, c):
                    continue
                item = g.sheets[s].get((r, c), EMPTY)
                # A values-only copy shows a formula's result, not the formula: no say on BASE's formulas.
                if g.values_only and isinstance(bitem[1], str) and bitem[1].startswith(("=", "{")):
                    continue
                props.append((g, item))
            at = Change(None, None, "", "free-cell", None, None, (), sheet_address(sheet, r, c), sheet=sheet)
            chosen = decide(at, bitem, [(g.name, it) for g, it in props], prefer, changes, plan.conflicts)
            if chosen is not None:
                plan.free.append(FreeSet(sheet, (r, c), chosen, _source(chosen, props)))


def _added(base: Grid, copies: Sequence[Grid], prefer: Prefer, changes: list[Change], plan: CellPlan) -> None:
    groups: dict[str, list[tuple[Grid, str]]] = {}
    for g in copies:
        theirs = set(g.record.sheets.values())
        for s in g.sheets:
            # Template sheets BASE lacks are the template merge's (it reports their rows as having no place).
            if s in OWN_SHEETS or s in theirs or base.sheet_named(s) is not None:
                continue
            groups.setdefault(s.casefold(), []).append((g, s))
    for having in groups.values():
        first, fsheet = having[0]
        added = AddedSheet(fsheet, first, fsheet)
        addrs = sorted({a for g, s in having for a in g.sheets[s]})
        scratch: list[Change] = []
        for r, c in addrs:
            props = [(g, g.sheets[s].get((r, c), EMPTY)) for g, s in having]
            at = Change(None, None, "", "cell", None, None, (), sheet_address(fsheet, r, c), sheet=fsheet)
            chosen = decide(at, EMPTY, [(g.name, it) for g, it in props], prefer, scratch, plan.conflicts)
            if chosen is not None and chosen[1] is not None:
                source = _source(chosen, props)
                assert source is not None  # the chosen item is one of the proposals
                added.cells[(r, c)] = (chosen, source)
        plan.added.append(added)
        # One change for the whole sheet, with its values (as a row added is one change).
        values = {sheet_address(fsheet, r, c).split("!")[-1]: it[0] for (r, c), (it, _) in added.cells.items()}
        changes.append(Change(None, None, "", "sheet-added", None, values, tuple(g.name for g, _ in having),
                              sheet_address(fsheet, 1, 1), sheet=fsheet))


def merge_cells(base: Grid, copies: Sequence[Grid], prefer: Prefer, changes: list[Change],
                conflicts: list[Conflict]) -> CellPlan:
    """Merge free cells and added sheets; changes and conflicts are appended to the given lists."""
    plan = CellPlan()
    _free(base, copies, prefer, changes, plan)
    _added(base, copies, prefer, changes, plan)
    conflicts.extend(plan.conflicts)
    return plan


# ---- writing into OUT ---------------------------------------------------------------------------

def _copy_style(dst: Any, src: Any) -> None:
    """Copy a cell's look between workbooks: the style objects, not the style id (ids are per workbook)."""
    dst.font, dst.fill, dst.border = copy(src.font), copy(src.fill), copy(src.border)
    dst.alignment, dst.protection = copy(src.alignment), copy(src.protection)
    dst.number_format = src.number_format


def _src_cell(source: Grid | None, sheet: str, r: int, c: int) -> Any:
    """The cell a value came from, when its copy was opened with openpyxl (else None: no style to copy)."""
    if source is None or source.wb is None or (name := source.sheet_named(sheet)) is None:
        return None
    return source.wb[name].cell(r, c)


def _put(ws: Any, r: int, c: int, item: Item, src: Any) -> None:
    cell = ws.cell(r, c)
    value = item[0]
    # A cell BASE never formatted takes the look it has in the copy it came from.
    if src is not None and src.has_style and not cell.has_style and value is not None:
        _copy_style(cell, src)
    cell.value = copy(value) if type(value).__name__ == "ArrayFormula" else value
    # A date from a values-only copy in an unformatted cell would show as a serial number.
    if isinstance(value, date) and cell.number_format == "General":
        timed = isinstance(value, datetime) and value.time() != datetime.min.time()
        cell.number_format = "yyyy-mm-dd hh:mm" if timed else "yyyy-mm-dd"


def _sheet_layout(ws: Any, src: Any) -> None:
    """Column widths, row heights, styled empty cells, merged cells, freeze panes and tab colour of ``src``."""
    for key, dim in src.column_dimensions.items():
        ws.column_dimensions[key].width = dim.width
        ws.column_dimensions[key].hidden = dim.hidden
    for r, dim in src.row_dimensions.items():
        if dim.height is not None:
            ws.row_dimensions[r].height = dim.height
        ws.row_dimensions[r].hidden = dim.hidden
    for (r, c), cell in src._cells.items():
        if cell.has_style:
            _copy_style(ws.cell(r, c), cell)
    ws.freeze_panes = src.freeze_panes
    if src.sheet_properties.tabColor is not None:
        ws.sheet_properties.tabColor = copy(src.sheet_properties.tabColor)


def apply_cells(wb: Any, plan: CellPlan, at: int, lang: str) -> None:
    """Write ``plan`` into OUT's workbook: free cells in place, added sheets inserted at index ``at``."""
    for fs in plan.free:
        _put(wb[fs.sheet], *fs.at, fs.item, _src_cell(fs.source, fs.sheet, *fs.at))
    for i, added in enumerate(plan.added):
        ws = wb.create_sheet(added.name, at + i)
        src = added.layout.wb[added.sheet] if added.layout.wb is not None else None
        if src is not None:
            _sheet_layout(ws, src)
        for (r, c), (item, source) in added.cells.items():
            _put(ws, r, c, item, _src_cell(source, added.name, r, c))
        # Merged last: merging turns the covered cells into MergedCells, which take no value.
        if src is not None:
            for rng in src.merged_cells.ranges:
                ws.merge_cells(str(rng))
    # Conflicts are coloured and commented like the template merge's.
    for cf in plan.conflicts:
        r, c = parse_a1(cf.address.rsplit("!", 1)[1])
        mark(wb, cf.sheet, r, c, conflict_note(cf, lang))
