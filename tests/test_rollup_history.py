"""History (SQLite snapshots, trend, parse cache), 本周变化 and the run lock."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
import rollupcentre as C

from pimxl.results import FileResult
from pimxl.rollup.aggregate import build_model
from pimxl.rollup.changes import TABLES, diff, snapshot_of
from pimxl.rollup.history import History
from pimxl.rollup.kpis import compute_kpis
from pimxl.rollup.lock import LockTimeout, RunLock
from pimxl.rollup.reuse import load_split, split_dumps
from pimxl.rollup.sheets import build_summary


def _run(h: History, week: int, as_of: date) -> tuple:
    model = build_model(C.centre(week), as_of)
    kpis = compute_kpis(model)
    prev = h.previous(as_of)
    changes = diff(snapshot_of(model, kpis), prev)
    h.save_snapshot(as_of, model, kpis)
    return model, kpis, changes, prev


def _changes(changes: list, kind: str) -> list[tuple]:
    return [(c.project_id, c.item, c.before, c.after, c.days) for c in changes if c.kind == kind]


def test_two_weeks(tmp_path: Path) -> None:
    with History(tmp_path / "history.db") as h:
        _, _, first, prev = _run(h, 1, C.AS_OF_1)
        assert prev is None and first == []
        model, kpis, changes, prev = _run(h, 2, C.AS_OF_2)
        assert prev is not None and prev.as_of == C.AS_OF_1
        assert _changes(changes, "new_project") == [("P4", "P4 项目", "", "绿", None)]
        assert _changes(changes, "stage_completed") == [("P1", "国际运输", "进行中", "2026-02-12", None)]
        assert _changes(changes, "date_slipped") == [("P1", "清关", "2026-02-15", "2026-02-20", 5)]
        assert [c[:2] for c in _changes(changes, "new_risk")] == [("P1", "R02"), ("P4", "R01")]
        # Week 1: 清关 was 22 days late under another planned date, so the item is the same, not new.
        new_overdue = [(c[0], c[1]) for c in _changes(changes, "new_overdue")]
        assert ("P1", "清关") not in new_overdue
        assert ("P2", "国内运输") in new_overdue  # planned 03-11: not yet late on 03-09
        trend = h.trend()
        assert [r["as_of"] for r in trend] == [C.AS_OF_1, C.AS_OF_2]
        assert trend[1]["receivable"] == kpis["receivable"]
        s = build_summary(model, kpis, changes, trend)
        assert len(s.sheet("trend").rows) == 2
        assert len(s.sheet("changes").rows) == len(changes)
        slipped = next(r for r in s.sheet("changes").rows if r["kind"] == "日期推迟")
        assert slipped["item"].cell == "'合同进程'!B7" and slipped["days"] == 5


def test_rag_change(tmp_path: Path) -> None:
    with History(tmp_path / "h.db") as h:
        _run(h, 2, C.AS_OF_2)
        # A week later with the same files: P2's stage is 12 days late → amber becomes red.
        _, _, changes, _ = _run(h, 2, date(2026, 3, 23))
        rag = {c.project_id: (c.before, c.after) for c in changes if c.kind == "rag_changed"}
        assert rag["P2"] == ("黄", "红")
        assert "阶段“国内运输”逾期 12 天" in next(c.detail_zh for c in changes if c.kind == "rag_changed")


def test_rerun_replaces(tmp_path: Path) -> None:
    with History(tmp_path / "h.db") as h:
        _run(h, 1, C.AS_OF_2)
        _run(h, 2, C.AS_OF_2)
        assert h.runs() == [C.AS_OF_2]
        assert len(h.trend()) == 1
        snap = h.snapshot(C.AS_OF_2)
        assert snap is not None
        assert {r["project_id"] for r in snap.rows("projects")} == {"P1", "P2", "P3", "P4"}
        assert len(snap.rows("stages")) == 4 * 15
        n = h.conn.execute("SELECT count(*) FROM projects").fetchone()[0]
        assert n == 4


def test_snapshot_round_trip_and_model(tmp_path: Path) -> None:
    with History(tmp_path / "h.db") as h:
        model, kpis, _, _ = _run(h, 2, C.AS_OF_2)
        stored = h.snapshot(C.AS_OF_2)
        assert stored is not None
        assert stored.kpis == kpis
        made = snapshot_of(model, kpis)
        assert {t: stored.rows(t) for t in TABLES} == {t: made.rows(t) for t in TABLES}
        assert {t: stored.tuples(t) for t in TABLES} == made.values
        again = h.load_model(C.AS_OF_2)
        assert again is not None and compute_kpis(again) == kpis
        # Stored without the WBS tasks (most of a model); their figures are kept, the run's model untouched.
        assert sum(len(p.tasks) for p in model.projects.values()) > 0
        assert all(p.tasks == [] for p in again.projects.values())
        assert [p.percent_complete for p in again.projects.values()] == [
            p.percent_complete for p in model.projects.values()]
        assert [(o.kind, o.item, o.days) for o in again.overdue] == [(o.kind, o.item, o.days) for o in model.overdue]
        assert any(o.kind == "task" for o in again.overdue)


def test_interrupted_snapshot_keeps_previous(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with History(tmp_path / "h.db") as h:
        _run(h, 1, C.AS_OF_2)
        before = h.snapshot(C.AS_OF_2)
        real = History._insert

        def failing(self: History, table: str, as_of: str, rows: list) -> None:
            if table == "risks":  # projects, contracts, stages… already replaced inside the transaction
                raise RuntimeError("killed")
            real(self, table, as_of, rows)

        monkeypatch.setattr(History, "_insert", failing)
        with pytest.raises(RuntimeError):
            _run(h, 2, C.AS_OF_2)
        monkeypatch.undo()
        after = h.snapshot(C.AS_OF_2)
        assert after is not None and before is not None
        assert after.tables == before.tables and after.kpis == before.kpis
        _run(h, 2, C.AS_OF_2)  # the database is usable afterwards
        assert len(h.snapshot(C.AS_OF_2).rows("projects")) == 4  # type: ignore[union-attr]


def test_killed_process_leaves_history(tmp_path: Path) -> None:
    db = tmp_path / "h.db"
    with History(db) as h:
        _run(h, 1, C.AS_OF_1)
    # A child process starts the week-2 transaction and dies without commit or rollback.
    code = (
        "import os, sys; sys.path.insert(0, 'tests')\n"
        "import rollupcentre as C\n"
        "from pimxl.rollup.aggregate import build_model\nfrom pimxl.rollup.kpis import compute_kpis\n"
        "from pimxl.rollup.history import History\n"
        "h = History(sys.argv[1]); real = History._insert\n"
        "def die(self, t, a, r):\n    real(self, t, a, r)\n    if t == 'stages': os._exit(9)\n"
        "History._insert = die\n"
        "m = build_model(C.centre(2), C.AS_OF_1); h.save_snapshot(C.AS_OF_1, m, compute_kpis(m))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code, str(db)], cwd=Path(__file__).parent.parent)
    assert proc.returncode == 9
    with History(db) as h:
        snap = h.snapshot(C.AS_OF_1)
        assert snap is not None
        assert {r["project_id"] for r in snap.rows("projects")} == {"P1", "P2", "P3"}
        assert sqlite3.connect(db).execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def _store(h: History, path: str, size: int, mtime: int, sha: str, result: FileResult, read_key: str = "") -> None:
    """Store a parse as the run does: a split blob (reuse.split_dumps), no rules' findings."""
    h.cache_store([(path, size, mtime, sha, split_dumps(result), None, None)], read_key=read_key)


def test_cache(tmp_path: Path) -> None:
    db = tmp_path / "h.db"
    fr = C.centre(2)[0]
    with History(db) as h:
        assert h.cache_entries() == {} and h.cache_count() == 0
        _store(h, fr.path, 100, 5, "abc", fr)
        entry = h.cache_entries()[fr.path]
        # The keys the run compares, and the parse as it was stored.
        assert (entry.size, entry.mtime_ns, entry.sha256, entry.checked_key, entry.read_key) == (
            100, 5, "abc", None, "")
        hit = load_split(entry.blob)
        assert hit.path == fr.path and hit.record.get("project_id") == "P1"
        _store(h, "a.xlsx", 1, 1, "x", fr)
        _store(h, "b.xlsx", 1, 1, "y", fr)
        assert h.cache_count() == 3
        assert h.cache_prune([fr.path, "a.xlsx"]) == 1
        assert set(h.cache_entries()) == {fr.path, "a.xlsx"}
    # Another pimxl version does not trust the cache.
    with History(db, version="9.9.9") as h:
        assert h.cache_entries() == {}
        assert h.conn.execute("SELECT count(*) FROM cache").fetchone()[0] == 0


def test_cache_read_key(tmp_path: Path) -> None:
    """A parse is stored with its read key (the as-of year); entries from before the key have none."""
    from pimxl.rollup.run import read_key

    assert read_key(date(2026, 12, 28)) == read_key(date(2026, 1, 1)) != read_key(date(2027, 1, 4))
    db = tmp_path / "h.db"
    with History(db) as h:
        _store(h, "a.xlsx", 1, 1, "x", C.centre(1)[0], read_key="year=2026")
        assert h.cache_entries()["a.xlsx"].read_key == "year=2026"
        # A database written before the column existed: its rows have no key (read_all never matches None).
        h.conn.execute("UPDATE cache SET read_key = NULL")
        assert h.cache_entries()["a.xlsx"].read_key is None


def test_compact_records_share_cells_and_pickle() -> None:
    """Records loaded from the cache share one Cell per place (memory), and still pickle and compare."""
    import pickle

    from pimxl.io.read_formulas import ComputedValue
    from pimxl.pipeline import compact_dumps, compact_loads
    from pimxl.records import Cell, Row, Value, WorkbookRecord

    def record() -> WorkbookRecord:
        cell = Cell("合同进程", 3, 2)
        row = Row({"a": Value("已完成", " 已完成", cell), "b": ComputedValue(1.0, None, Cell("合同进程", 3, 4), 1.0, True)})
        return WorkbookRecord("x.xlsx", "T", 1, form={"k": Value(1, 1, Cell("项目信息", 2, 2))}, tables={"t": [row]})

    one, two = compact_loads(compact_dumps(record())), compact_loads(compact_dumps(record()))
    assert one == two == record()
    assert one.tables["t"][0].cells["a"].cell is two.tables["t"][0].cells["a"].cell
    assert isinstance(one.tables["t"][0].cells["b"], ComputedValue) and one.tables["t"][0].cells["b"].recomputed_by_pimxl
    assert pickle.loads(pickle.dumps(one)) == one
    with pytest.raises(AttributeError):
        one.tables["t"][0].cells["a"].note = "no dict"  # type: ignore[attr-defined]


def test_lock(tmp_path: Path) -> None:
    with History(tmp_path / "h.db") as h:
        first = h.lock()
        with first:
            assert first.locked
            with pytest.raises(LockTimeout):
                RunLock(first.path, timeout=0.2, poll=0.05).acquire()
        assert not first.locked
        with RunLock(first.path, timeout=0.2):
            pass


def test_lock_across_processes(tmp_path: Path) -> None:
    path = tmp_path / "run.lock"
    code = ("import sys, time\nfrom pimxl.rollup.lock import RunLock\n"
            "with RunLock(sys.argv[1]):\n    print('held', flush=True)\n    time.sleep(2)\n")
    child = subprocess.Popen([sys.executable, "-c", code, str(path)], stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None and child.stdout.readline().strip() == "held"
        with pytest.raises(LockTimeout):
            RunLock(path, timeout=0.3, poll=0.05).acquire()
        with RunLock(path, timeout=10):  # released when the other run ends
            pass
    finally:
        child.wait(timeout=10)


def test_record_and_replay(tmp_path: Path) -> None:
    with History(tmp_path / "h.db") as h:
        m1 = build_model(C.centre(1), C.AS_OF_1)
        first = h.record(m1, compute_kpis(m1))
        assert first.previous is None and first.changes == [] and len(first.trend) == 1
        m2 = build_model(C.centre(2), C.AS_OF_2)
        k2 = compute_kpis(m2)
        second = h.record(m2, k2)
        assert second.previous is not None and len(second.trend) == 2
        # Rebuilding week 2 later gives the same 本周变化, and week 1's trend stops at week 1.
        replay = h.replay(C.AS_OF_2)
        assert replay is not None
        model, kpis, run = replay
        assert kpis == k2 and compute_kpis(model) == k2
        assert [(c.kind, c.project_id, c.item) for c in run.changes] == [
            (c.kind, c.project_id, c.item) for c in second.changes]
        week1 = h.replay(C.AS_OF_1)
        assert week1 is not None and len(week1[2].trend) == 1
        assert h.replay(date(2020, 1, 1)) is None


def test_model_stored_a_project_a_row_and_whole_models_of_before_still_load(tmp_path: Path) -> None:
    import pickle
    import zlib

    with History(tmp_path / "h.db") as h:
        model, kpis, _, _ = _run(h, 2, C.AS_OF_2)
        ids = list(model.projects)
        rows = h.conn.execute("SELECT project_id, signature FROM run_projects WHERE as_of = ? ORDER BY project_id",
                              (C.AS_OF_2.isoformat(),)).fetchall()
        assert [pid for pid, _ in rows] == sorted(ids) and len(ids) >= 3
        # Only the projects asked for, with the signature asked for.
        wanted = {ids[0]: "", ids[1]: "not its signature"}
        assert h.load_projects(C.AS_OF_2, wanted) == {}
        assert set(h.load_projects(C.AS_OF_2)) == set(ids)
        again = h.load_model(C.AS_OF_2)
        assert again is not None and list(again.projects) == ids
        assert [(o.kind, o.project_id, o.item, o.days) for o in again.overdue] == [
            (o.kind, o.project_id, o.item, o.days) for o in model.overdue]
        # A model stored whole (pimxl before this change) is read as it was.
        whole = zlib.compress(pickle.dumps(again))
        h.conn.execute("UPDATE runs SET model = ? WHERE as_of = ?", (whole, C.AS_OF_2.isoformat()))
        h.conn.execute("DELETE FROM run_projects")
        old = h.load_model(C.AS_OF_2)
        assert old is not None and list(old.projects) == ids and compute_kpis(old) == kpis
        # A project row missing: the model is incomplete, so none is given (its summary cannot be rebuilt).
        h.save_snapshot(C.AS_OF_2, model, kpis)
        h.conn.execute("DELETE FROM run_projects WHERE project_id = ?", (ids[1],))
        assert h.load_model(C.AS_OF_2) is None
