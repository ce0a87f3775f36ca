"""A re-run does not read a file to hash it when its stat is as when an earlier run hashed it (history.Seen, issue
8: hashing every file was an eighth of a re-run) — and still finds every change of content: a file rewritten with
the same size and modification time (a sync tool putting the old time back) has a new status-change time.

The small generated centre of tests/e2e_helpers.py, rolled up in this process (``file_digest`` counted).
"""

from __future__ import annotations

import hashlib
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from e2e_helpers import CUT, copy_centre, shared_centre

from pimxl.commands.common import settings_for
from pimxl.rollup import history, reading, run, scanning
from pimxl.rollup.history import Seen
from pimxl.rollup.lock import RunLock


@pytest.fixture(scope="module")
def centre_src(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return shared_centre(tmp_path_factory)


def _rollup(root: Path, out: Path, db: Path, **kw: object) -> run.RollupRun:
    kw.setdefault("jobs", 1)
    return run.run_rollup(root.resolve(), out.resolve(), as_of=CUT, settings=settings_for(root), history=db, **kw)


def _hashed(monkeypatch: pytest.MonkeyPatch, root: Path) -> list[str]:
    """The names of the files under ``root`` the run hashes itself from now on (workers hash what they parse;
    the run also hashes its summary, outside ``root``)."""
    calls: list[str] = []
    real = run.file_digest

    def counted(path: Path) -> str:
        if Path(path).resolve().is_relative_to(root.resolve()):
            calls.append(Path(path).name)
        return real(path)

    # The scan hashes what it must, and reading the few files whose cache entry has the file's size and time.
    monkeypatch.setattr(scanning, "file_digest", counted)
    monkeypatch.setattr(reading, "file_digest", counted)
    return calls


@pytest.mark.parametrize(("stat", "expected"), [
    ((100, 5_000_000_000, 6_000_000_000, 7), True),  # as it was, last written 4 s before it was looked at
    ((101, 5_000_000_000, 6_000_000_000, 7), False),  # size
    ((100, 5_000_000_001, 6_000_000_000, 7), False),  # modification time
    ((100, 5_000_000_000, 6_000_000_001, 7), False),  # status-change time
    ((100, 5_000_000_000, 6_000_000_000, 8), False),  # inode: another file renamed over it
])
def test_seen_vouches_only_for_the_very_same_stat(stat: tuple[int, int, int, int], expected: bool) -> None:
    seen = Seen(100, 5_000_000_000, 6_000_000_000, 7, seen_ns=10_000_000_000, sha256="ab" * 32)
    assert seen.vouches(*stat) is expected


def test_seen_never_vouches_for_a_file_written_shortly_before_it_was_looked_at() -> None:
    # Written 2.9 s before the stat (RACY_NS is 3 s): a file system keeping times to 2 s (FAT) could let a second
    # write within the same tick keep that time — so the file is read again next time.
    assert history.RACY_NS == 3_000_000_000
    assert not Seen(1, 7_100_000_000, 7_100_000_000, 1, 10_000_000_000, "ab" * 32).vouches(1, 7_100_000_000,
                                                                                         7_100_000_000, 1)
    assert Seen(1, 6_900_000_000, 6_900_000_000, 1, 10_000_000_000, "ab" * 32).vouches(1, 6_900_000_000,
                                                                                      6_900_000_000, 1)
    assert not Seen(1, 1, 1, 1, 10_000_000_000, "").vouches(1, 1, 1, 1)  # no hash to vouch for


def test_rerun_hashes_only_the_files_whose_stat_changed(centre_src: Path, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(history, "RACY_NS", 0)  # the copies were made a moment ago
    root = copy_centre(centre_src, tmp_path / "c")
    out, db = tmp_path / "out" / "汇总.xlsx", tmp_path / "out" / "h.sqlite"
    candidates = sorted(p.name for p in root.rglob("*.xlsx") if not p.name.startswith(("~$", ".")))
    hashed = _hashed(monkeypatch, root)
    first = _rollup(root, out, db)
    # The first run hashes every file the cache could answer for: none (empty cache); the workers hash the rest.
    assert hashed == [] and first.parsed == len(candidates)
    with sqlite3.connect(db) as con:
        assert con.execute("SELECT count(*) FROM seen").fetchone()[0] == len(candidates)

    contract = next(root.rglob("PRJ-2026-002-合同进程表.xlsx"))
    contract.write_bytes(contract.read_bytes() + b"\0")  # a changed size (the zip reader ignores trailing bytes)
    again = _rollup(root, out, db)
    assert hashed == [contract.name]  # the unchanged-run check hashed the one file whose stat changed
    assert again.parsed == 1 and not again.unchanged

    hashed.clear()
    third = _rollup(root, out, db)
    assert hashed == [] and third.unchanged  # its new stat was remembered: nothing is read to be hashed

    contract.unlink()  # a file gone is forgotten
    _rollup(root, out, db)
    with sqlite3.connect(db) as con:
        paths = {p for (p,) in con.execute("SELECT path FROM seen")}
    assert len(paths) == len(candidates) - 1 and str(contract.resolve()) not in paths


def test_same_size_and_time_but_new_content_is_read_again(centre_src: Path, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(history, "RACY_NS", 0)
    root = copy_centre(centre_src, tmp_path / "c")
    out, db = tmp_path / "out" / "汇总.xlsx", tmp_path / "out" / "h.sqlite"
    plan = next(root.rglob("PRJ-2026-003-项目计划书.xlsx"))
    first = _rollup(root, out, db)
    assert next(r for r in first.results if r.path.endswith(plan.name)).status == "ok"

    # The zip's end record damaged (its signature, 22 bytes from the end), the size kept and the old modification
    # time put back, as a sync tool restoring times would: only the status-change time (set by the system) tells.
    st = plan.stat()
    data = bytearray(plan.read_bytes())
    assert data[-22:-18] == b"PK\x05\x06"
    data[-22] ^= 0xFF
    plan.write_bytes(bytes(data))
    os.utime(plan, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert (plan.stat().st_size, plan.stat().st_mtime_ns) == (st.st_size, st.st_mtime_ns)
    hashed = _hashed(monkeypatch, root)
    again = _rollup(root, out, db)
    assert hashed == [plan.name] and again.parsed == 1
    # The damaged file is found, not the cached parse of the old content taken.
    result = next(r for r in again.results if r.path.endswith(plan.name))
    assert result.status == "unreadable" and result.sha256 == hashlib.sha256(data).hexdigest()


def test_force_hashes_every_file_again(centre_src: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(history, "RACY_NS", 0)
    root = copy_centre(centre_src, tmp_path / "c")
    out, db = tmp_path / "out" / "汇总.xlsx", tmp_path / "out" / "h.sqlite"
    first = _rollup(root, out, db)
    hashed = _hashed(monkeypatch, root)
    forced = _rollup(root, out, db, force=True)
    # Every file the cache holds a parse of (every candidate: an unreadable file's finding is cached too) is hashed
    # to be taken from the cache.
    candidates = sorted(p.name for p in root.rglob("*.xlsx") if not p.name.startswith(("~$", ".")))
    assert first.parsed == len(candidates) and sorted(hashed) == candidates
    assert forced.parsed == 0


_KILLED_WHILE_READING = r"""
import os, signal, sys
from pimxl.rollup import reading
real = reading._flatten
def flatten(batches, settled):
    for i, item in enumerate(real(batches, settled)):
        if i == 0:  # the workers parse: note them, then die as a killed run would
            me = str(os.getpid())
            kids = [p for p in os.listdir("/proc") if p.isdigit()
                    and open(f"/proc/{p}/stat").read().rpartition(")")[2].split()[1] == me]
            open(os.environ["QA_KIDS"], "w").write(" ".join(kids))
            os.kill(os.getpid(), signal.SIGKILL)
        yield item
reading._flatten = flatten
from pimxl.cli import main
sys.exit(main(sys.argv[1:]))
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="workers die with the run on Linux")
def test_a_run_killed_while_its_workers_parse_leaves_neither_them_nor_its_lock(centre_src: Path,
                                                                              tmp_path: Path) -> None:
    root = copy_centre(centre_src, tmp_path / "c")
    out, db, kids = tmp_path / "out" / "汇总.xlsx", tmp_path / "out" / "h.sqlite", tmp_path / "kids"
    # Output to a file, not a pipe: workers left alive would hold a pipe open, and this test would wait for them.
    with open(tmp_path / "stderr", "w") as err:
        proc = subprocess.run([sys.executable, "-c", _KILLED_WHILE_READING, "rollup", str(root), "-o", str(out),
                               "--history", str(db), "--as-of", CUT.isoformat(), "--quiet", "--jobs", "2"],
                              stdout=subprocess.DEVNULL, stderr=err, env={**os.environ, "QA_KIDS": str(kids)},
                              timeout=120)
    assert proc.returncode == -signal.SIGKILL, (tmp_path / "stderr").read_text()[-2000:]
    workers = [int(p) for p in kids.read_text().split()]
    assert len(workers) == 2

    def alive(pid: int) -> bool:
        try:  # a zombie nobody reaps (PID 1 of a container may not) is dead too
            return Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0] != "Z"
        except FileNotFoundError:
            return False

    deadline = time.monotonic() + 10
    while any(map(alive, workers)) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(map(alive, workers))
    # No copy of the lock is left open: the next run takes it at once and completes.
    with RunLock(db.with_name(db.name + ".lock"), timeout=2):
        pass
    assert _rollup(root, out, db).parsed == 26


def test_workers_started_early_are_gone_when_the_run_returns(centre_src: Path, tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    import multiprocessing

    root = copy_centre(centre_src, tmp_path / "c")
    out, db = tmp_path / "out" / "汇总.xlsx", tmp_path / "out" / "h.sqlite"
    events: list[str] = []
    real_start, real_scan = run.Pool.start, run.scan

    def start(self: run.Pool):  # noqa: ANN202
        if self.executor is None:
            events.append(f"start {self.workers}")
        return real_start(self)

    def scan(*a, **k):  # noqa: ANN002, ANN003, ANN202
        events.append("scan")
        return real_scan(*a, **k)

    monkeypatch.setattr(run.Pool, "start", start)
    monkeypatch.setattr(run, "scan", scan)
    _rollup(root, out, db, jobs=2)  # the cache is empty: the pool starts when the files are known
    assert events == ["scan", "start 2"] and not multiprocessing.active_children()
    # The cache now holds all 26 files (≥ POOL_THRESHOLD): the pool starts before the scan — for nothing, since
    # nothing changed — and is shut down before the unchanged run returns.
    events.clear()
    again = _rollup(root, out, db, jobs=2)
    assert again.unchanged and events == ["start 2", "scan"] and not multiprocessing.active_children()
    events.clear()
    (next(root.rglob("PRJ-2026-002-合同进程表.xlsx"))).touch()
    third = _rollup(root, out, db, jobs=2)
    assert third.parsed == 1 and events == ["start 2", "scan"] and not multiprocessing.active_children()


def test_the_scan_takes_each_files_stat_from_its_folders_listing(centre_src: Path, tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    # On Windows a folder's listing carries its files' stat: no request per file to a network share. Here:
    # the scan asks no file for its own stat, and gets what the file's own stat says.
    import pathlib

    root = copy_centre(centre_src, tmp_path / "c")
    asked: list[str] = []
    real_stat, root_real = pathlib.Path.stat, os.path.realpath(root)

    def stat(self: Path, *a, **k):  # noqa: ANN002, ANN003, ANN202
        if os.path.realpath(os.fspath(self)) != root_real:  # the root itself is looked at, once or twice
            asked.append(self.name)
        return real_stat(self, *a, **k)

    monkeypatch.setattr(pathlib.Path, "stat", stat)
    found = scanning.scan(root)
    monkeypatch.undo()
    candidates = [s for s in found if s.status == "candidate"]
    assert len(candidates) >= 20 and asked == []
    for s in candidates:
        st = os.stat(s.path)
        assert (s.size, s.mtime_ns, s.ctime_ns, s.inode) == (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)
