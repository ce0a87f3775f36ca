"""Looking after a rollup history over the years (``pimxl history``): what runs it holds, dropping a run made
with a wrong as-of date, and giving the space of dropped rows back to the disk.

A history grows by about 17 MB a week at 1,000 projects (the snapshot's rows of every project, stage, payment,
risk and finding, and each project's model); its parse cache stays the size of the centre. Deleted rows leave free
pages that SQLite reuses but does not give back: :func:`compact` rewrites the file without them.

This works on the database as it is, through a connection of its own — not :class:`~pimxl.rollup.history.History`,
whose opening brings a history up to this pimxl (tables added, the parse cache of another pimxl version dropped):
looking at the history of a centre whose weekly job runs another pimxl version must not cost that job its cache.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from .changes import TABLES
from .lock import RunLock

__all__ = ["RUN_TABLES", "RunInfo", "cached_files", "compact", "drop_runs", "file_size", "list_runs", "opened"]

#: The tables holding rows of one run each (``as_of``): the run itself, its projects' models, its snapshot.
RUN_TABLES: tuple[str, ...] = ("runs", "run_projects", *TABLES)


@dataclass
class RunInfo:
    """One run the history holds: its as-of date, when it ran, with which pimxl, its KPIs and its summary."""

    as_of: date
    run_at: str
    version: str
    kpis: dict[str, Any]
    summary: str | None

    def json(self) -> dict[str, Any]:
        return {"as_of": self.as_of.isoformat(), "run_at": self.run_at, "version": self.version,
                "summary": self.summary, "kpis": self.kpis}


@contextmanager
def opened(path: Path, *, write: bool = False, wait: float | None = None) -> Iterator[sqlite3.Connection]:
    """A connection to the history at ``path`` (which must exist): read-only, or — ``write`` — for changing it,
    with the rollup's lock held (waiting up to ``wait`` seconds for a run: :class:`~pimxl.rollup.lock.LockTimeout`).
    """
    lock = RunLock(path.with_name(path.name + ".lock"), timeout=wait) if write else None
    if lock is not None:
        lock.acquire()
    try:
        uri = f"{path.resolve().as_uri()}?mode={'rw' if write else 'ro'}"
        conn = sqlite3.connect(uri, uri=True, isolation_level=None, timeout=30)
        try:
            conn.execute("PRAGMA busy_timeout=30000")
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()  # not a database: raises here
            yield conn
        finally:
            conn.close()
    finally:
        if lock is not None:
            lock.release()


def _tables(conn: sqlite3.Connection) -> set[str]:
    return {name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def file_size(path: Path) -> int:
    """The database's bytes on disk, with its write-ahead log."""
    return sum(p.stat().st_size for p in (path, path.with_name(path.name + "-wal")) if p.exists())


def list_runs(conn: sqlite3.Connection) -> list[RunInfo]:
    """Every run, oldest first (none in a database that holds no runs table)."""
    if "runs" not in _tables(conn):
        return []
    have = {r[1] for r in conn.execute("PRAGMA table_info(runs)")}
    summary = "summary" if "summary" in have else "NULL"  # a history from before the unchanged re-run
    out = []
    for as_of, run_at, version, kpis, where in conn.execute(
            f"SELECT as_of, run_at, version, kpis, {summary} FROM runs ORDER BY as_of"):
        try:
            figures = json.loads(kpis) if kpis else {}
        except ValueError:
            figures = {}
        out.append(RunInfo(date.fromisoformat(as_of), run_at or "", version or "", figures, where))
    return out


def cached_files(conn: sqlite3.Connection) -> int:
    """How many files the parse cache holds."""
    return conn.execute("SELECT count(*) FROM cache").fetchone()[0] if "cache" in _tables(conn) else 0


def drop_runs(conn: sqlite3.Connection, dates: Sequence[date]) -> dict[str, int]:
    """Delete the runs of ``dates`` — each one's row, its projects and its snapshot — in one transaction; returns
    the rows deleted by table. Raises KeyError (nothing deleted) when a date has no run."""
    keys = sorted({d.isoformat() for d in dates})
    held = {r.as_of.isoformat() for r in list_runs(conn)}
    missing = [k for k in keys if k not in held]
    if missing:
        raise KeyError(", ".join(missing))
    present = _tables(conn)
    counts = {table: 0 for table in RUN_TABLES if table in present}
    conn.execute("BEGIN IMMEDIATE")
    try:
        for table in counts:
            for key in keys:
                counts[table] += conn.execute(f"DELETE FROM {table} WHERE as_of = ?", (key,)).rowcount
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return counts


def compact(conn: sqlite3.Connection, path: Path) -> tuple[int, int]:
    """Rewrite the database without its free pages (SQLite's VACUUM: needs as much free disk as the file holds);
    returns its size on disk before and after."""
    before = file_size(path)
    conn.execute("VACUUM")
    # The rewritten pages went through the write-ahead log: copied into the file, the log emptied.
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return before, file_size(path)
