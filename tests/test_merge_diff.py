"""The three-way merge on plain data (no workbooks): tables of cases."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest

from pimxl.merge.diff import DELETED, merge_snapshots
from pimxl.merge.model import Snapshot, norm


def snap(name: str, form: dict[str, Any] | None = None, rows: dict[str, dict[str, Any]] | None = None,
         headers: dict[str, str] | None = None) -> Snapshot:
    s = Snapshot(name, form={k: (v, norm(v)) for k, v in (form or {}).items()})
    s.tables["t"] = {(k,): {f: (v, norm(v)) for f, v in r.items()} for k, r in (rows or {}).items()}
    s.headers["t"] = headers or {}
    return s


@pytest.mark.parametrize(("a", "b", "same"), [
    (1, 1.0, True), (date(2026, 3, 5), datetime(2026, 3, 5), True), (" 张伟\n", "张伟", True),
    ("", None, True), ((), None, True), (("1", "2"), ("1", "2"), True), (0.30000000000000004, 0.3, True),
    (date(2026, 3, 5), date(2026, 3, 6), False), ("1.10", "1.1", False), (1, "1", False),
])
def test_norm(a: Any, b: Any, same: bool) -> None:
    assert (norm(a) == norm(b)) is same


BASE = snap("base", {"x": "a", "y": 1}, {"1": {"k": "1", "v": "p"}, "2": {"k": "2", "v": "q"}})


@pytest.mark.parametrize(("copies", "prefer", "form", "conflicts"), [
    ([{"x": "a"}, {"x": "a"}], None, {}, []),  # nothing changed
    ([{"x": "b"}, {"x": "a"}], None, {"x": "b"}, []),  # one copy edited
    ([{"x": "b"}, {"x": "b"}], None, {"x": "b"}, []),  # the same edit twice: no conflict
    ([{"y": 1.0}, {"y": 1}], None, {}, []),  # 1 == 1.0: no edit at all
    ([{"x": "b"}, {"x": "c"}], None, {}, [("x", None)]),  # different edits: BASE kept
    ([{"x": "b"}, {"x": "c"}], "first", {"x": "b"}, [("x", "first.xlsx")]),
    ([{"x": "b"}, {"x": "c"}], "last", {"x": "c"}, [("x", "last.xlsx")]),
    ([{"x": "b"}, {"x": "c"}], "base", {}, [("x", "base")]),
    ([{"x": "b"}, {"y": 2}], None, {"x": "b", "y": 2}, []),  # different cells both survive
    ([{}, {"x": "b"}], None, {"x": "b"}, []),  # a copy without the field has no say
])
def test_form_cells(copies: list[dict], prefer: str | None, form: dict, conflicts: list) -> None:
    names = ["first.xlsx", "last.xlsx"]
    base_rows = {"1": {"k": "1", "v": "p"}, "2": {"k": "2", "v": "q"}}
    cs = [snap(n, c, base_rows) for n, c in zip(names, copies, strict=True)]
    plan = merge_snapshots(BASE, cs, prefer)  # type: ignore[arg-type]
    assert {k: it[0] for k, it in plan.form.items()} == form
    assert [(c.field, c.resolved_by) for c in plan.conflicts] == conflicts


def _rows(plan: Any) -> list[tuple[str, dict[str, Any]]]:
    return [(r.key[0], {f: it[0] for f, it in r.sets.items()}) for r in plan.tables["t"].rows]


def test_rows_added_deleted_and_placed() -> None:
    base = snap("b", rows={"1": {"k": "1"}, "2": {"k": "2"}, "3": {"k": "3"}})
    x = snap("x", rows={"1": {"k": "1"}, "1a": {"k": "1a"}, "2": {"k": "2"}, "3": {"k": "3"}})
    y = snap("y", rows={"1": {"k": "1"}, "2": {"k": "2"}, "2a": {"k": "2a", "v": "n"}})  # deleted 3
    plan = merge_snapshots(base, [x, y])
    assert _rows(plan) == [("1", {}), ("1a", {"k": "1a"}), ("2", {}), ("2a", {"k": "2a", "v": "n"})]
    assert plan.tables["t"].deleted == [("3",)] and plan.conflicts == []
    assert sorted(c.kind for c in plan.changes) == ["row-added", "row-added", "row-deleted"]


def test_delete_edit_conflict() -> None:
    base = snap("b", rows={"1": {"k": "1", "v": "p"}})
    x = snap("x", rows={})
    y = snap("y", rows={"1": {"k": "1", "v": "edited"}})
    plan = merge_snapshots(base, [x, y])
    assert _rows(plan) == [("1", {"v": "edited"})]
    [c] = plan.conflicts
    assert (c.kind, c.values, c.resolved_by) == ("delete-edit", [("x", DELETED), ("y", "edited")], None)
    assert merge_snapshots(base, [x, y], "first").tables["t"].rows == []
    assert _rows(merge_snapshots(base, [x, y], "last")) == [("1", {"v": "edited"})]


def test_same_row_added_twice_and_user_columns() -> None:
    base = snap("b", rows={"1": {"k": "1", "+note": None}}, headers={"+note": "说明"})
    x = snap("x", rows={"1": {"k": "1", "+note": "x说", "+mine": "新列"}, "9": {"k": "9", "v": 1}},
             headers={"+note": "说明", "+mine": "我的列"})
    y = snap("y", rows={"1": {"k": "1", "+note": "x说"}, "9": {"k": "9", "v": 1.0}}, headers={"+note": "说明"})
    plan = merge_snapshots(base, [x, y])
    assert plan.conflicts == []
    assert _rows(plan) == [("1", {"+note": "x说", "+mine": "新列"}), ("9", {"k": "9", "v": 1})]
    assert plan.tables["t"].new_headers == {"+mine": "我的列"}
    [added] = [c for c in plan.changes if c.kind == "row-added"]
    assert added.sources == ("x", "y")
