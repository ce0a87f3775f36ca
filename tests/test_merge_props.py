"""Property tests (hypothesis) of ``pimxl merge`` on generated project plans edited like people do.

Each example makes copies of one filled plan with openpyxl — cells set (dates typed as text,
percentages as "50%"), rows deleted, rows inserted inside the table — and merges them. The
expectations are computed on plain dicts (see test_merge_support), never by the merge code.
Free cells (beside the form, beside and below a table, on a user sheet, on a sheet copies add)
are edited the same way, with rows inserted into the table above some of them.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from fixtures_reader import write_sample
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st
from test_merge_support import CopyEdits, changed_cells, expected_copy, flat, make_copy, sha256

from pimxl.merge import merge_files
from pimxl.merge.model import norm

SETTINGS = settings(max_examples=25, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

#: Typed input → what it means (the reader normalises it; the merge must compare meanings).
TYPED: dict[Any, Any] = {"2026/3/5": date(2026, 3, 5), "2026.3.6": date(2026, 3, 6), "50%": 0.5,
                         "2026/10/31": date(2026, 10, 31)}
POOLS: dict[str, list[Any]] = {
    "owner": ["张伟", "李娜", "王五", None],
    "planned_start": [date(2026, 3, 5), "2026/3/5", date(2026, 3, 6), "2026.3.6", None],
    "percent_complete": [0.5, "50%", 1, 1.0, None],
    "remarks": ["待客户确认", "已延期", None],
    "status": ["进行中", "已完成", "延期"],
}
FORM_POOLS: dict[str, list[Any]] = {
    "customer": ["华东某集团", "华南某集团"],
    "planned_finish": [date(2026, 10, 31), "2026/10/31", date(2026, 11, 30)],
    "scope": ["核心网络", "机房建设", None],
}


# Every example works in a folder under one root that is removed when the test process ends
# (hypothesis runs hundreds of examples; leaving their folders in /tmp would fill it).
_ROOT = Path(tempfile.mkdtemp(prefix="pimxl-merge-props-"))
atexit.register(shutil.rmtree, _ROOT, True)


@cache
def base_plan() -> Path:
    folder = Path(tempfile.mkdtemp(prefix="base-", dir=_ROOT))
    return write_sample("project-plan", folder / "base.xlsx")


@cache
def base_flat() -> tuple[dict, set, list[str]]:
    values, rows = flat(base_plan())
    keys = sorted({k[0] for t, k in rows if t == "wbs"}, key=lambda c: [int(p) for p in c.split(".")])
    return values, rows, keys


def _workdir() -> Path:
    return Path(tempfile.mkdtemp(prefix="ex-", dir=_ROOT))


@st.composite
def edits_for(draw: st.DrawFn, keys: list[str], prefix: str, inserts: bool = True) -> CopyEdits:
    """Random edits on ``keys`` of the WBS (cells, deletions, insertions) and on the form."""
    e = CopyEdits()
    for f in draw(st.lists(st.sampled_from(sorted(FORM_POOLS)), max_size=2, unique=True)):
        e.form[f] = draw(st.sampled_from(FORM_POOLS[f]))
    mine = draw(st.lists(st.sampled_from(keys), max_size=6, unique=True)) if keys else []
    for key in mine:
        if draw(st.integers(0, 4)) == 0:
            e.deletes.append(("wbs", key))
            continue
        for f in draw(st.lists(st.sampled_from(sorted(POOLS)), min_size=1, max_size=2, unique=True)):
            e.sets[("wbs", key, f)] = draw(st.sampled_from(POOLS[f]))
    deleted = {k for _, k in e.deletes}
    anchors = [k for k in base_flat()[2] if k not in deleted]
    for i in range(draw(st.integers(0, 2)) if inserts else 0):
        row = {"wbs_code": f"{prefix}.{i + 1}", "task": f"新任务{prefix}{i}",
               "owner": draw(st.sampled_from(["赵强", None]))}
        e.inserts.append(("wbs", draw(st.sampled_from(anchors)), {k: v for k, v in row.items() if v is not None}))
    return e


@st.composite
def disjoint_pair(draw: st.DrawFn) -> tuple[CopyEdits, CopyEdits]:
    """Two copies' edits on disjoint rows and form fields (so no conflict can arise)."""
    keys = base_flat()[2]
    split = draw(st.permutations(keys))
    x = draw(edits_for(split[:20], "8"))
    y = draw(edits_for(split[20:40], "9"))
    for f in set(x.form) & set(y.form):
        del y.form[f]
    return x, y


def _no_edit_lost(base: dict, copies: list[dict], out: dict, conflicts: set) -> None:
    for c in copies:
        for k in changed_cells(base, c):
            assert out.get(k) == c.get(k) or k in conflicts or _row(k) in conflicts, (k, c.get(k), out.get(k))


def _row(k: tuple) -> tuple:
    return (k[0], k[1], "")


def _conflict_cells(run: Any) -> set:
    return {(c.table or "form", c.key or (), c.field) for c in run.plan.conflicts}


def test_merge_with_itself_is_base() -> None:
    base = base_plan()
    d = _workdir()
    before = sha256(base)
    run = merge_files(base, [base, base], d / "out.xlsx")
    assert sha256(base) == before
    assert run.plan.changes == [] and run.plan.conflicts == [] and run.exit_code == 0
    assert flat(d / "out.xlsx") == flat(base)


@SETTINGS
@given(edits_for(base_flat()[2], "8"))
def test_merge_one_copy_gives_the_copy(edits: CopyEdits) -> None:
    values, rows, _ = base_flat()
    d = _workdir()
    x = make_copy(base_plan(), d / "x.xlsx", edits)
    want = expected_copy(values, rows, edits, TYPED)
    assert flat(x) == want  # the copy reads as intended (checks the fixture itself)
    run = merge_files(base_plan(), [x], d / "out.xlsx")
    assert run.plan.conflicts == [] and run.exit_code == 0
    assert flat(d / "out.xlsx") == want


@SETTINGS
@given(disjoint_pair())
def test_disjoint_edits_all_survive_and_commute(pair: tuple[CopyEdits, CopyEdits]) -> None:
    values, rows, _ = base_flat()
    x_edits, y_edits = pair
    d = _workdir()
    x = make_copy(base_plan(), d / "x.xlsx", x_edits)
    y = make_copy(base_plan(), d / "y.xlsx", y_edits)
    hashes = [sha256(p) for p in (base_plan(), x, y)]
    want_x, want_y = expected_copy(values, rows, x_edits, TYPED), expected_copy(values, rows, y_edits, TYPED)
    # Both copies' edits on BASE: disjoint, so applying one after the other is the merge.
    want = dict(values)
    for k in changed_cells(values, want_x[0]) | changed_cells(values, want_y[0]):
        v = want_x[0].get(k) if k in changed_cells(values, want_x[0]) else want_y[0].get(k)
        if v is None:
            want.pop(k, None)
        else:
            want[k] = v
    want_rows = (rows & want_x[1] & want_y[1]) | (want_x[1] - rows) | (want_y[1] - rows)
    xy = merge_files(base_plan(), [x, y], d / "xy.xlsx")
    yx = merge_files(base_plan(), [y, x], d / "yx.xlsx")
    assert xy.plan.conflicts == [] and yx.plan.conflicts == []
    got_xy, got_yx = flat(d / "xy.xlsx"), flat(d / "yx.xlsx")
    assert got_xy == (want, want_rows)
    assert got_yx == got_xy
    _no_edit_lost(values, [want_x[0], want_y[0]], got_xy[0], set())
    assert [sha256(p) for p in (base_plan(), x, y)] == hashes


@st.composite
def overlapping_pair(draw: st.DrawFn) -> tuple[CopyEdits, CopyEdits]:
    """Two copies setting cells of the same few rows and form fields, often the same cell."""
    keys = base_flat()[2][:2]
    pairs = []
    for _ in range(2):
        e = CopyEdits()
        for f in draw(st.lists(st.sampled_from(sorted(FORM_POOLS)), max_size=2, unique=True)):
            e.form[f] = draw(st.sampled_from(FORM_POOLS[f]))
        for key, f in draw(st.lists(st.tuples(st.sampled_from(keys), st.sampled_from(["owner", "planned_start"])),
                                    max_size=4, unique=True)):
            e.sets[("wbs", key, f)] = draw(st.sampled_from(POOLS[f]))
        pairs.append(e)
    return pairs[0], pairs[1]


@SETTINGS
@given(overlapping_pair(), st.sampled_from([None, "first", "last", "base"]))
def test_conflict_exactly_when_same_cell_differs(pair: tuple[CopyEdits, CopyEdits], prefer: str | None) -> None:
    values, rows, _ = base_flat()
    d = _workdir()
    x = make_copy(base_plan(), d / "x.xlsx", pair[0])
    y = make_copy(base_plan(), d / "y.xlsx", pair[1])
    fx, fy = expected_copy(values, rows, pair[0], TYPED)[0], expected_copy(values, rows, pair[1], TYPED)[0]
    cx, cy = changed_cells(values, fx), changed_cells(values, fy)
    conflicts = {k for k in cx & cy if fx.get(k) != fy.get(k)}
    event(f"conflicts: {min(len(conflicts), 2)}; same edits: {min(len(cx & cy) - len(conflicts), 2)}")
    run = merge_files(base_plan(), [x, y], d / "out.xlsx", prefer=prefer)  # type: ignore[arg-type]
    assert _conflict_cells(run) == conflicts
    assert run.exit_code == (1 if conflicts and prefer is None else 0)
    got, _ = flat(d / "out.xlsx")
    for k in cx | cy:
        if k in conflicts:
            want = {None: values, "base": values, "first": fx, "last": fy}[prefer].get(k)
        else:
            want = fx.get(k) if k in cx else fy.get(k)
        assert got.get(k) == want, (k, prefer)
    assert {k: v for k, v in got.items() if k not in cx | cy} == {k: v for k, v in values.items() if k not in cx | cy}
    _no_edit_lost(values, [fx, fy], got, conflicts)


def test_norm_compares_meanings() -> None:
    assert norm(1) == norm(1.0) and norm(0.1 + 0.2) == norm(0.3)
    assert norm(date(2026, 3, 5)) == norm(__import__("datetime").datetime(2026, 3, 5))
    assert norm("  x \r\n") == norm("x") and norm("") is None and norm("  ") is None


# ---- free cells and added sheets ---------------------------------------------------------------
#: Cells outside the template's places: beside the form, beside and below the WBS table, a user sheet.
FREE_CELLS = [("项目信息", "F3"), ("项目信息", "E7"), ("WBS工作分解", "P4"), ("WBS工作分解", "B70"),
              ("我的笔记", "A1"), ("我的笔记", "C2"), ("新表", "A1"), ("新表", "B3")]
#: BASE's values of those cells ("新表" is a sheet only copies add).
FREE_BASE: dict[tuple[str, str], Any] = {("项目信息", "F3"): "原注", ("WBS工作分解", "B70"): 5, ("我的笔记", "A1"): "原"}
FREE_POOL: list[Any] = ["甲", " 甲 ", "乙", 1, 1.0, 5, date(2026, 3, 5), None]


@cache
def free_base() -> Path:
    import openpyxl

    folder = Path(tempfile.mkdtemp(prefix="free-base-", dir=_ROOT))
    wb = openpyxl.load_workbook(base_plan())
    wb.create_sheet("我的笔记")
    for (sheet, ref), value in FREE_BASE.items():
        wb[sheet][ref] = value
    wb.save(folder / "base.xlsx")
    return folder / "base.xlsx"


def _free_copy(path: Path, sets: dict[tuple[str, str], Any], inserts: int) -> Path:
    """FREE_BASE with ``sets``, after ``inserts`` WBS rows were inserted (cells below the table move down)."""
    import openpyxl
    from test_merge_support import table_ref_rows

    wb = openpyxl.load_workbook(free_base())
    wbs = wb["WBS工作分解"]
    if inserts:
        wbs.insert_rows(10, inserts)
        table_ref_rows(wbs, inserts)
        for i in range(inserts):
            wbs.cell(10 + i, 1, f"9.{path.stem}.{i}")
    for (sheet, ref), value in sets.items():
        ws = wb[sheet] if sheet in wb.sheetnames else wb.create_sheet(sheet)
        if ws is wbs and ref == "B70":
            ref = f"B{70 + inserts}"
        ws[ref] = value
    wb.save(path)
    return path


@SETTINGS
@given(st.lists(st.dictionaries(st.sampled_from(FREE_CELLS), st.sampled_from(FREE_POOL), max_size=5),
                min_size=1, max_size=3),
       st.sampled_from([None, "first", "last", "base"]), st.lists(st.integers(0, 2), min_size=3, max_size=3))
# Found by Hypothesis on CI: two copies add the same sheet, one with a date in B3, the other with 5; the last
# copy's 5 must not be shown (and read back) as the date 1900-01-05 through the first copy's number format.
@example([{("新表", "B3"): date(2026, 3, 5)}, {("项目信息", "F3"): "甲", ("项目信息", "E7"): "甲", ("新表", "B3"): 5}],
         "last", [0, 0, 0])
def test_free_cell_edits_never_lost(sets: list[dict[tuple[str, str], Any]], prefer: str | None,
                                    inserts: list[int]) -> None:
    import openpyxl

    d = _workdir()
    copies = [_free_copy(d / f"c{i}.xlsx", s, inserts[i]) for i, s in enumerate(sets)]
    run = merge_files(free_base(), copies, d / "out.xlsx", prefer=prefer)  # type: ignore[arg-type]
    wb = openpyxl.load_workbook(d / "out.xlsx")
    conflicts = set()
    for cell in FREE_CELLS:
        base = norm(FREE_BASE.get(cell))
        # What each copy has there (a cell it did not set is BASE's; "新表" exists only where a copy set it).
        having = [s for s in sets if cell[0] != "新表" or any(k[0] == "新表" for k in s)]
        seen = [norm(s.get(cell, FREE_BASE.get(cell))) for s in having]
        changed = [v for v in seen if v != base]
        if len(set(changed)) > 1:
            conflicts.add(cell)
            want = {None: base, "base": base, "first": changed[0], "last": changed[-1]}[prefer]
        else:
            want = changed[0] if changed else base
        got = norm(wb[cell[0]][cell[1]].value) if cell[0] in wb.sheetnames else None
        assert got == want, (cell, seen, got)
    assert {(c.sheet, c.address.split("!")[-1]) for c in run.plan.conflicts} == conflicts
    assert run.exit_code == (1 if conflicts and prefer is None else 0)
    assert not [c for c in run.plan.conflicts if c.kind in ("no-place", "no-room")]
    # Every free cell that took a copy's value is in the log, with that value.
    logged = {(c.sheet, c.address.split("!")[-1]): norm(c.new) for c in run.plan.changes if c.kind == "free-cell"}
    for cell, value in logged.items():
        assert norm(wb[cell[0]][cell[1]].value) == value
    assert all(cell in logged for cell in FREE_CELLS if cell[0] != "新表"
               and norm(wb[cell[0]][cell[1]].value) != norm(FREE_BASE.get(cell)))
