"""The three-way merge itself, on :class:`~pimxl.merge.model.Snapshot` s: no spreadsheet library here.

For every cell, BASE's value is compared with each copy's (by comparable form). A cell that no
copy changed keeps BASE's value; a cell that one or more copies changed to the same value takes
it; a cell changed to different values is a :class:`Conflict`: it keeps BASE's value unless
``prefer`` is ``first`` or ``last`` (the first / last copy that changed it wins). A copy that lacks
a field (a column it deleted) has no say on that field, so nothing is lost by deleting a column.

Rows match by row key. A row missing from a copy was deleted there; it is deleted unless another
copy edited it (a ``delete-edit`` conflict: the row and the edits stay, unless ``prefer`` picks a
copy that deleted it). A row only in copies was added; it is placed after the row that precedes it
in the copy that added it, and its cells merge as above against an empty BASE.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from .model import Item, RowKey, Snapshot

__all__ = ["Change", "Conflict", "MergePlan", "RowPlan", "TablePlan", "decide", "merge_snapshots"]

Prefer = Literal["base", "first", "last"] | None
EMPTY: Item = (None, None)


@dataclass
class Change:
    """One edit applied to OUT. ``field`` is '' for a whole row (``row-added``/``row-deleted``)."""

    table: str | None  # None: the form
    key: RowKey | None
    field: str
    kind: str  # "cell" | "row-added" | "row-deleted"
    old: Any
    new: Any
    sources: tuple[str, ...]
    address: str = ""  # where in OUT (BASE for a deleted row); filled in when OUT is written
    sheet: str = ""  # free cells and added sheets: the sheet's name (``table`` is then None)
    what: str = ""  # not-copied: "chartsheet" | "shapes" | "pictures" | "charts" | "unreadable"
    count: int = 0  # not-copied: how many


@dataclass
class Conflict:
    """A cell edited to different values, or a row deleted in one copy and edited in another."""

    table: str | None
    key: RowKey | None
    field: str
    kind: str  # "cell" | "delete-edit" | "no-place" (BASE lacks the form field)
    base: Any
    values: list[tuple[str, Any]]  # every copy that has the cell: (name, value); "deleted" rows: marker
    changed: tuple[str, ...]  # the copies whose value differs from BASE
    resolved_by: str | None = None  # None: unresolved (BASE kept); "base", or the winning copy's name
    chosen: Any = None
    address: str = ""
    sheet: str = ""  # free cells and added sheets: the sheet's name (``table`` is then None)


@dataclass
class RowPlan:
    key: RowKey
    in_base: bool
    sets: dict[str, Item] = field(default_factory=dict)  # field id → item to write (new rows: every value)


@dataclass
class TablePlan:
    rows: list[RowPlan]  # OUT's rows in order
    deleted: list[RowKey]
    new_headers: dict[str, str]  # user columns BASE lacks: field id → header text

    @property
    def reshaped(self) -> bool:
        """Rows deleted or added: the table's rows are rewritten, not just cells."""
        return bool(self.deleted) or any(not r.in_base for r in self.rows)


@dataclass
class MergePlan:
    form: dict[str, Item]
    tables: dict[str, TablePlan]
    changes: list[Change]
    conflicts: list[Conflict]


#: Marker shown for a copy that deleted a row.
DELETED = "<deleted>"


class _Merger:
    def __init__(self, base: Snapshot, copies: Sequence[Snapshot], prefer: Prefer) -> None:
        self.base, self.copies, self.prefer = base, list(copies), prefer
        self.changes: list[Change] = []
        self.conflicts: list[Conflict] = []

    def cell(self, table: str | None, key: RowKey | None, fid: str, base: Item,
             proposals: list[tuple[str, Item]], log: bool = True) -> Item | None:
        """The item to write for one cell, or None to keep BASE's; ``log``: record it as a change."""
        return decide(Change(table, key, fid, "cell", base[0], None, ()), base, proposals, self.prefer,
                      self.changes if log else [], self.conflicts)

    def form(self) -> dict[str, Item]:
        sets: dict[str, Item] = {}
        keys = list(self.base.form) + [k for c in self.copies for k in c.form if k not in self.base.form]
        for k in dict.fromkeys(keys):
            props = [(c.name, c.form[k]) for c in self.copies if k in c.form]
            if k not in self.base.form:
                # BASE has no cell for this field (its name and label are gone): nowhere to write it.
                if any(it[1] is not None for _, it in props):
                    self.conflicts.append(Conflict(None, None, k, "no-place", None, [(n, it[0]) for n, it in props],
                                                   tuple(n for n, it in props if it[1] is not None)))
                continue
            item = self.cell(None, None, k, self.base.form.get(k, EMPTY), props)
            if item is not None:
                sets[k] = item
        return sets

    def table(self, t: str) -> TablePlan:
        base = self.base.tables.get(t, {})
        copies = [(c.name, c.tables.get(t, {})) for c in self.copies]
        headers = dict(self.base.headers.get(t, {}))
        new_headers: dict[str, str] = {}
        for c in self.copies:
            for fid, text in c.headers.get(t, {}).items():
                if fid not in headers:
                    headers[fid] = new_headers[fid] = text
        order = list(base)
        deleted: list[RowKey] = []
        for key in base:
            if not self._keep(t, key, base[key], copies):
                deleted.append(key)
                order.remove(key)
        self._place_added(order, base, copies)
        plans: list[RowPlan] = []
        for key in order:
            brow = base.get(key)
            having = [(n, rows[key]) for n, rows in copies if key in rows]
            fids = list(brow or {}) + [f for _, r in having for f in r if f not in (brow or {})]
            sets: dict[str, Item] = {}
            for fid in dict.fromkeys(fids):
                props = [(n, r[fid]) for n, r in having if fid in r]
                # A new row is one change (with its values), not one per cell.
                item = self.cell(t, key, fid, (brow or {}).get(fid, EMPTY), props, log=brow is not None)
                if item is not None:
                    sets[fid] = item
            if brow is None:
                values = {fid: it[0] for fid, it in sets.items() if it[1] is not None}
                self.changes.append(Change(t, key, "", "row-added", None, values, tuple(n for n, _ in having)))
            plans.append(RowPlan(key, brow is not None, sets))
        return TablePlan(plans, deleted, new_headers)

    def _keep(self, t: str, key: RowKey, brow: dict[str, Item], copies: list[tuple[str, dict]]) -> bool:
        """Whether a BASE row stays; records its deletion or the delete/edit conflict."""
        deleters = [n for n, rows in copies if key not in rows]
        if not deleters:
            return True
        editors = [n for n, rows in copies if key in rows and _edited(brow, rows[key])]
        if not editors:
            self.changes.append(Change(t, key, "", "row-deleted", {f: it[0] for f, it in brow.items()}, None,
                                       tuple(deleters)))
            return False
        touching = [n for n, _ in copies if n in deleters or n in editors]
        values = [(n, DELETED if n in deleters else "edited") for n, _ in copies]
        conflict = Conflict(t, key, "", "delete-edit", None, values, tuple(touching))
        self.conflicts.append(conflict)
        if self.prefer in ("first", "last"):
            winner = touching[0] if self.prefer == "first" else touching[-1]
            conflict.resolved_by = winner
            if winner in deleters:
                conflict.chosen = DELETED
                self.changes.append(Change(t, key, "", "row-deleted", {f: it[0] for f, it in brow.items()},
                                           None, (winner,)))
                return False
            conflict.chosen = "kept"
            return True
        conflict.resolved_by = "base" if self.prefer == "base" else None
        conflict.chosen = "kept"
        return True

    @staticmethod
    def _place_added(order: list[RowKey], base: dict[RowKey, Any], copies: list[tuple[str, dict]]) -> None:
        """Insert rows BASE lacks after the row preceding them in the (first) copy that has them."""
        placed = set(order)
        for _, rows in copies:
            prev: RowKey | None = None
            for key in rows:
                if key in base and key not in placed:
                    continue  # a BASE row deleted by another copy (or kept by conflict) — no anchor
                if key not in placed:
                    at = order.index(prev) + 1 if prev is not None else 0
                    # After any rows already placed right behind the same anchor (stable across copies).
                    while at < len(order) and order[at] not in base and prev is not None and order[at] != key:
                        at += 1
                    order.insert(at, key)
                    placed.add(key)
                prev = key


def decide(change: Change, base: Item, proposals: list[tuple[str, Item]], prefer: Prefer,
           changes: list[Change], conflicts: list[Conflict]) -> Item | None:
    """One cell's three-way merge: the item to write, or None to keep BASE's.

    ``change`` is the template of what is recorded (where; ``new`` and ``sources`` are filled in):
    appended to ``changes`` when copies changed the cell one way or ``prefer`` picked a copy; a
    cell changed to different values appends a :class:`Conflict` at the same place to ``conflicts``.
    """
    changed = [(n, it) for n, it in proposals if it[1] != base[1]]
    if not changed:
        return None
    if len({it[1] for _, it in changed}) == 1:
        item = changed[0][1]
        changes.append(replace(change, old=base[0], new=item[0], sources=tuple(n for n, _ in changed)))
        return item
    conflict = Conflict(change.table, change.key, change.field, "cell", base[0], [(n, it[0]) for n, it in proposals],
                        tuple(n for n, _ in changed), address=change.address, sheet=change.sheet)
    conflicts.append(conflict)
    if prefer in ("first", "last"):
        name, item = changed[0] if prefer == "first" else changed[-1]
        conflict.resolved_by, conflict.chosen = name, item[0]
        changes.append(replace(change, old=base[0], new=item[0], sources=(name,)))
        return item
    conflict.resolved_by = "base" if prefer == "base" else None
    conflict.chosen = base[0]
    return None


def _edited(brow: dict[str, Item], crow: dict[str, Item]) -> bool:
    return any(it[1] != brow.get(f, EMPTY)[1] for f, it in crow.items())


def merge_snapshots(base: Snapshot, copies: Sequence[Snapshot], prefer: Prefer = None) -> MergePlan:
    """The merge of ``copies`` into ``base``: what to write to OUT, every change and every conflict."""
    m = _Merger(base, copies, prefer)
    form = m.form()
    tables = {t: m.table(t) for t in dict.fromkeys([*base.tables, *(t for c in copies for t in c.tables)])}
    return MergePlan(form, tables, m.changes, m.conflicts)
