"""The summary written in a forked child beside the history (pimxl/rollup/forked.py): the same summary and history
as when written in the run's own process, and a child that fails makes the run fail with the history and the
previous summary as they were, no temp file left.

The small generated centre of tests/e2e_helpers.py, rolled up in this process with the size threshold lowered so
that its 8 projects fork (a real centre forks from 100 projects).
"""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import sys
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from e2e_helpers import CUT, history_rows, kill_hook, shared_centre, summary_cells

from pimxl.commands.common import settings_for
from pimxl.rollup import forked, run, summary_writer

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux") or (os.cpu_count() or 1) < 2,
                                reason="the summary is forked on Linux with two CPUs or more only")


@pytest.fixture(scope="module")
def centre_src(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return shared_centre(tmp_path_factory)






def _history(db: Path) -> dict[str, list[tuple]]:
    """Every history row but the caches' and the runs' time and fingerprint (it holds the output folder)."""
    rows = history_rows(db, skip=("cache", "cross", "seen", "meta", "runs"))
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        rows["runs"] = con.execute("SELECT as_of, version, kpis, model, doc FROM runs ORDER BY as_of").fetchall()
    finally:
        con.close()
    return rows


def _run(root: Path, out: Path, db: Path, as_of: date = CUT) -> run.RollupRun:
    return run.run_rollup(root.resolve(), out.resolve(), as_of=as_of, settings=settings_for(root), history=db,
                          jobs=2)


def test_forked_summary_equals_the_one_written_here(centre_src: Path, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    root = centre_src
    forks: list[int] = []
    real_child = forked.Child.__init__

    def counting(self: forked.Child, work: object) -> None:
        real_child(self, work)  # type: ignore[arg-type]
        forks.append(self.pid)

    monkeypatch.setattr(forked.Child, "__init__", counting)
    monkeypatch.setattr(forked, "MIN_PROJECTS", 0)
    here = tmp_path / "here"
    monkeypatch.setattr(run, "worth_forking", lambda *a: False)
    serial = _run(root, here / "汇总.xlsx", here / "h.sqlite")
    assert forks == []
    monkeypatch.setattr(run, "worth_forking", forked.worth_forking)
    there = tmp_path / "there"
    child = _run(root, there / "汇总.xlsx", there / "h.sqlite")
    assert len(forks) == 1 and forks[0] > 0
    assert list(child.timings) == list(serial.timings)
    assert (there / "汇总.xlsx").read_bytes() == (here / "汇总.xlsx").read_bytes()
    assert summary_cells(there / "汇总.xlsx") == summary_cells(here / "汇总.xlsx")
    assert _history(there / "h.sqlite") == _history(here / "h.sqlite")
    assert child.kpis == serial.kpis and child.json()["projects"] == serial.json()["projects"]
    assert not list(there.glob(".~*"))


@pytest.mark.parametrize("how", ["raises", "killed"])
def test_a_failing_child_fails_the_run_and_keeps_the_last_week(centre_src: Path, tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch, how: str) -> None:
    root = shutil.copytree(centre_src.parent, tmp_path / "c") / centre_src.name
    out, db = tmp_path / "out" / "汇总.xlsx", tmp_path / "out" / "h.sqlite"
    _run(root, out, db)
    summary, rows = out.read_bytes(), _history(db)
    monkeypatch.setattr(forked, "MIN_PROJECTS", 0)
    parent = os.getpid()

    def broken(*a: object, **k: object) -> None:
        assert os.getpid() != parent  # only ever called in the child
        if how == "killed":
            os.kill(os.getpid(), signal.SIGKILL)
        raise OSError(28, "No space left on device", str(out))

    monkeypatch.setattr(summary_writer, "write_summary", broken)
    with pytest.raises((OSError, RuntimeError)) as failed:
        _run(root, out, db, as_of=date(2026, 12, 4))
    if how == "raises":  # the child's own exception, as if raised here
        assert isinstance(failed.value, OSError) and failed.value.errno == 28
    else:
        assert "signal 9" in str(failed.value)
    assert out.read_bytes() == summary and _history(db) == rows
    assert not list(out.parent.glob(".~*"))


def test_worth_forking(monkeypatch: pytest.MonkeyPatch) -> None:
    assert 0 < forked._rss() < 2**40
    monkeypatch.setattr(forked, "_rss", lambda: 100 * 2**20)
    assert forked.worth_forking(1000, 0) and forked.worth_forking(100, 2)
    assert not forked.worth_forking(99, 0)  # a small centre: not worth a process
    assert not forked.worth_forking(1000, 1)  # one job asked for
    monkeypatch.setattr(forked, "_rss", lambda: forked.MAX_RSS)
    assert not forked.worth_forking(1000, 0)  # parent and child could outgrow the memory budget
    monkeypatch.setattr(forked, "_rss", lambda: 0)
    assert not forked.worth_forking(1000, 0)  # memory cannot be told


# The small centre's summary is written by a forked child.
FORK_KILL_HOOK = kill_hook("from pimxl.rollup import forked\nforked.MIN_PROJECTS = 0\n")


@pytest.mark.parametrize("where", ["stages", "rename"])
def test_killed_beside_its_forked_child_the_run_leaves_a_usable_week(centre_src: Path, tmp_path: Path,
                                                                    where: str) -> None:
    """Killed while the child writes (mid-transaction) or after the commit: the previous summary stays whole, the
    history holds the old week alone or the new one in full, and the next run completes and leaves no temp file."""
    import subprocess
    import time

    root = shutil.copytree(centre_src.parent, tmp_path / "c") / centre_src.name
    out, db = tmp_path / "out" / "汇总.xlsx", tmp_path / "out" / "h.sqlite"
    _run(root, out, db)
    summary, before = out.read_bytes(), _history(db)
    args = ["rollup", str(root), "-o", str(out), "--history", str(db), "--as-of", "2026-12-04", "--quiet", "--jobs", "2"]
    proc = subprocess.run([sys.executable, "-c", FORK_KILL_HOOK, *args], capture_output=True, text=True,
                          env={**os.environ, "QA_KILL_AT": where}, timeout=120)
    assert proc.returncode == -signal.SIGKILL, proc.stderr[-2000:]
    time.sleep(2)  # an orphaned child finishes its temp file (it never touches the summary or the history)
    assert out.read_bytes() == summary
    openpyxl.load_workbook(out, read_only=True).close()
    now = _history(db)
    weeks = sorted(r[0] for r in now["runs"])
    if where == "stages":
        assert now == before and weeks == [CUT.isoformat()]
    else:
        assert weeks == [CUT.isoformat(), "2026-12-04"]
    again = _run(root, out, db, as_of=date(2026, 12, 4))
    assert again.unchanged is False and out.read_bytes() != summary
    assert not list(out.parent.glob(".~*"))
