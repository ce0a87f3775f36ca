"""Free cells and added sheets: the three-way merge by address of what the template merge does not handle.

*Free cells* are cells of BASE's sheets outside the template's places (a note beside the form, a
figure below a table, every cell of a sheet of the user's own that BASE already has): a cell one or
more copies changed the same way takes that value (an emptied cell is a change too); different
changes are a conflict, decided as elsewhere (``--prefer``; BASE kept by default, marked, listed).
A copy that lacks a sheet BASE has has no say on it: the sheet is kept, and the log says so.

Cells below a table are lined up across rows inserted into / deleted from the table (each copy's
table end against BASE's). A copy's cell that lines up with no free cell of BASE (a row the user
inserted into the form) is a ``no-place`` conflict; a free cell that OUT's grown table now covers is
``no-room`` (:func:`clashes`). Both are listed, not written, exit 1: never dropped in silence.

*Added sheets* (a copy's sheet BASE lacks) are copied into OUT — values, formulas, styles, column
widths, row heights, merged cells, freeze panes, tab colour. The same new sheet in several copies
merges its cells against an empty BASE. Each added sheet is one change (with its values).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ..address import a1, sheet_address
from .diff import EMPTY, Change, Conflict, Prefer, decide
from .grids import OWN_SHEETS, Addr, Grid, Rect
from .model import Item

__all__ = ["AddedSheet", "CellPlan", "FreeSet", "clashes", "merge_cells"]


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


@dataclass
class _View:
    """One copy's say on one of BASE's sheets: its cells, and how its rows line up with BASE's.

    Cells below a table move when rows are inserted into or deleted from the table: a copy whose
    table ends ``shift`` rows lower than BASE's has the cell of BASE's row r (below the table) at
    row r + shift. Cells beside a table are compared by address.
    """

    grid: Grid
    sheet: str
    base_end: int | None
    shift: int
    consulted: set[Addr] = field(default_factory=set)

    def to_copy(self, r: int) -> int:
        return r + self.shift if self.base_end is not None and r > self.base_end else r

    def to_base(self, r: int) -> int:
        return r - self.shift if self.base_end is not None and r > self.base_end + self.shift else r

    def item(self, r: int, c: int) -> Item | None:
        """The copy's item for BASE's (r, c); None when the copy's template merge handles that place."""
        at = (self.to_copy(r), c)
        if self.grid.owns(self.sheet, *at):
            return None
        self.consulted.add(at)
        return self.grid.sheets[self.sheet].get(at, EMPTY)


#: How far (in rows) cells below a table are looked for in a copy without Excel tables.
SHIFT_RANGE = 100


def _shift(base: Grid, sheet: str, base_end: int, g: Grid, s: str) -> int:
    """How many rows lower the cells below the table are in copy ``g``.

    Excel moves a table's end with the rows inserted into it: when both have an Excel table, the
    difference of their ends. Otherwise (a copy re-saved as .ods, whose blank table rows cannot be
    told from the sheet below) the shift that lines up most of BASE's cells below the table, 0 on a tie.
    """
    end = g.table_end(s)
    if end is not None and sheet in base.exact and s in g.exact:
        return end - base_end
    below = [(r, c, it[1]) for (r, c), it in base.sheets[sheet].items() if r > base_end][:200]
    cells = g.sheets[s]
    best, best_hits = 0, 0
    for k in sorted(range(-SHIFT_RANGE, SHIFT_RANGE + 1), key=abs):
        hits = sum(1 for r, c, key in below if cells.get((r + k, c), EMPTY)[1] == key)
        if hits > best_hits:
            best, best_hits = k, hits
    return best


def _views(base: Grid, sheet: str, copies: Sequence[Grid]) -> list[_View]:
    views = []
    base_end = base.table_end(sheet)
    for g in copies:
        if (s := g.sheet_named(sheet)) is not None:
            if base_end is None or g.table_end(s) is None:
                views.append(_View(g, s, None, 0))
            else:
                views.append(_View(g, s, base_end, _shift(base, sheet, base_end, g, s)))
    return views


def _free(base: Grid, copies: Sequence[Grid], prefer: Prefer, changes: list[Change], plan: CellPlan) -> None:
    template_sheets = set(base.record.sheets.values())
    for sheet, bcells in base.sheets.items():
        if sheet in OWN_SHEETS:
            continue
        views = _views(base, sheet, copies)
        missing = tuple(g.name for g in copies if g.sheet_named(sheet) is None)
        if missing and sheet not in template_sheets:
            # A copy deleted a sheet: it has no say on its cells, and the sheet stays — said in the log.
            changes.append(Change(None, None, "", "sheet-kept", None, None, missing,
                                  sheet_address(sheet, 1, 1), sheet=sheet))
        addrs = set(bcells)
        for v in views:
            addrs.update((v.to_base(r), c) for r, c in v.grid.sheets[v.sheet])
        # Cells under BASE's merged ranges take no value: a copy's value there is listed as no-place.
        covered = base.covered(sheet)
        for r, c in sorted(addrs):
            if base.owns(sheet, r, c) or (r, c) in covered:
                continue
            bitem = bcells.get((r, c), EMPTY)
            formula = isinstance(bitem[1], str) and bitem[1].startswith(("=", "{"))
            props: list[tuple[Grid, Item]] = []
            for v in views:
                item = v.item(r, c)
                # A values-only copy shows a formula's result, not the formula: no say on BASE's formulas.
                if item is not None and not (v.grid.values_only and formula):
                    props.append((v.grid, item))
            at = Change(None, None, "", "free-cell", None, None, (), sheet_address(sheet, r, c), sheet=sheet)
            chosen = decide(at, bitem, [(g.name, it) for g, it in props], prefer, changes, plan.conflicts)
            if chosen is not None:
                plan.free.append(FreeSet(sheet, (r, c), chosen, _source(chosen, props)))
        # Values BASE has outside the template's places: a copy's value found among them was moved, not lost.
        free_values = {it[1] for (r, c), it in bcells.items() if not base.owns(sheet, r, c)}
        for v in views:
            _no_place(v, sheet, free_values, plan)


def _no_place(v: _View, sheet: str, free_values: set[Any], plan: CellPlan) -> None:
    """A copy's own cell that no BASE cell lines up with (rows it inserted in the form…): listed, never dropped."""
    for (r, c), item in v.grid.sheets[v.sheet].items():
        if (r, c) in v.consulted or item[1] is None or item[1] in free_values or v.grid.owns(v.sheet, r, c):
            continue
        plan.conflicts.append(Conflict(None, None, "", "no-place", None, [(v.grid.name, {a1(r, c): item[0]})],
                                       (v.grid.name,), sheet=sheet))


def clashes(plan: CellPlan, base: Grid, grown: dict[str, list[Rect]], changes: list[Change],
            conflicts: list[Conflict]) -> None:
    """Free cells that OUT's grown tables now cover (rows or columns added): listed as ``no-room``, not written.

    ``grown``: each table's range in OUT, by sheet. A free cell a copy set there is not written (it
    would overwrite a table cell) and its change is withdrawn; a BASE value there was overwritten by
    the table's new rows, unless the copies changed it (their value is listed) or moved it (written
    at another free cell).
    """
    def inside(sheet: str, r: int, c: int) -> bool:
        return not base.owns(sheet, r, c) and any(r1 <= r <= r2 and c1 <= c <= c2
                                                  for r1, c1, r2, c2 in grown.get(sheet, ()))

    keep: list[FreeSet] = []
    seen: set[tuple[str, Any]] = set()  # values accounted for: written elsewhere, or listed here
    touched: set[tuple[str, Addr]] = set()  # BASE cells the copies changed: their value stands for BASE's
    withdrawn: set[str] = set()
    for fs in plan.free:
        if not inside(fs.sheet, *fs.at):
            keep.append(fs)
            seen.add((fs.sheet, fs.item[1]))
            continue
        touched.add((fs.sheet, fs.at))
        withdrawn.add(sheet_address(fs.sheet, *fs.at))
        if fs.item[1] is not None:
            name = fs.source.name if fs.source is not None else ""
            was = base.sheets.get(fs.sheet, {}).get(fs.at, EMPTY)[0]
            conflicts.append(Conflict(None, None, "", "no-room", was, [(name, {a1(*fs.at): fs.item[0]})],
                                      (name,), sheet=fs.sheet))
            seen.add((fs.sheet, fs.item[1]))
    plan.free[:] = keep
    changes[:] = [ch for ch in changes if not (ch.kind == "free-cell" and ch.address in withdrawn)]
    # BASE's own values under the grown table were overwritten by its new rows or column.
    for sheet in grown:
        for (r, c), item in base.sheets.get(sheet, {}).items():
            if inside(sheet, r, c) and (sheet, (r, c)) not in touched and (sheet, item[1]) not in seen:
                conflicts.append(Conflict(None, None, "", "no-room", item[0], [(base.name, {a1(r, c): item[0]})],
                                          (), sheet=sheet))


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
