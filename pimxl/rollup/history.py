"""History in an embedded SQLite database: one snapshot per as-of date, and the parse cache.

Schema (``as_of`` is an ISO date)::

    meta(key PRIMARY KEY, value)                  schema version, pimxl version of the cache
    runs(as_of PRIMARY KEY, run_at, version, kpis JSON, model BLOB, fingerprint, summary, summary_sha256, doc JSON)
                                                  model = zlib(pickle(RollupModel)) without its projects
                                                  (their ids only) and overdue items, which are
    run_projects(as_of, project_id, signature, blob)  one row a project: zlib(pickle((project without
                                                  its WBS tasks, its overdue items))) and the signature
                                                  of its files (reuse.group_signature), so a past week's
                                                  summary and views can be rebuilt exactly, and a
                                                  re-run takes unchanged projects over (a model stored
                                                  whole by an earlier pimxl is read as it is);
                                                  fingerprint = what the run's summary depended on
                                                  (files, settings, version, lang, other runs), with
                                                  the summary's path and sha256 and the --json
                                                  document: an unchanged re-run reuses the summary
    projects, contracts, stages, milestones, payments, risks, adjustments, sites, findings, overdue,
    sources (as_of, …columns of changes.TABLES)
    cache(path PRIMARY KEY, size, mtime_ns, sha256, version, blob, checked_key, checked, read_key)
                                                  blob = the parsed result as reuse.split_dumps makes it
                                                  (head and record apart); checked = the
                                                  findings of the workbook rules for checked_key
                                                  (as-of date and settings), zlib(pickle(list));
                                                  read_key = what reading depends on besides the file
                                                  (the as-of year: 3月5日 takes it), see run.read_key
    cross(path PRIMARY KEY, cross_key, blob)      the cross-workbook findings attached to a file, found
                                                  for the project group whose signature is cross_key
                                                  (reuse.group_signature); a table of its own, so that
                                                  storing them never rewrites a cache row's blob
    meta 'layout:<id>'                            every model layout (stored_model.LAYOUT) the history was
                                                  opened with, to load the projects a past week stored
    seen(path PRIMARY KEY, size, mtime_ns, ctime_ns, inode, seen_ns, sha256)
                                                  a file's stat when it was last hashed (see Seen): a
                                                  file whose stat is as it was is not read to be hashed

A snapshot is written in ONE transaction (``BEGIN IMMEDIATE`` … ``COMMIT``): re-running an as-of date
replaces its rows, and a run killed or failing half-way leaves the previous snapshot as it was. WAL mode
and a busy timeout let a reader look while a run writes; two runs are serialised by :meth:`History.lock`.
"""

from __future__ import annotations

import copy
import hashlib
import io
import json
import pickle
import sqlite3
import zlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from types import TracebackType
from typing import Any, NamedTuple

from .. import __version__
from .changes import TABLES, Change, Snapshot, diff, snapshot_of
from .lock import RunLock
from .model import OverdueItem, Project, RollupModel
from .rag import sort_overdue
from .stored_model import LAYOUT, LAYOUT_ID
from .stored_model import dumps as model_dumps
from .stored_model import loads as model_loads

__all__ = ["CACHE_FORMAT", "RACY_NS", "SCHEMA_VERSION", "CacheEntry", "History", "RunRecord", "RunStamp", "Seen",
           "StoredProject", "project_blob"]

SCHEMA_VERSION = "1"
#: Part of the cache's version: bumped when what the cache stores changes shape.
CACHE_FORMAT = "4"  # 4: split blobs (head and record apart, see reuse.py) and the cross-workbook findings


@dataclass
class RunRecord:
    """What a run needs from history for its summary: 本周变化 against the previous run, and the trend."""

    previous: Snapshot | None
    changes: list[Change]
    trend: list[dict[str, Any]]


@dataclass
class RunStamp:
    """What an unchanged re-run of one as-of date needs: the run's fingerprint, its summary, its --json."""

    fingerprint: str
    summary: str
    summary_sha256: str
    kpis: dict[str, Any]
    doc: dict[str, Any]


@dataclass
class StoredProject:
    """One project of a stored run (``run_projects``): its signature, the project without its WBS tasks, its
    overdue items, and the row's blob (stored again as it is when the project is taken over unchanged)."""

    signature: str
    project: Project
    overdue: list[OverdueItem]
    blob: bytes
    findings: dict[str, int]  # the project's finding counts as stored (a re-run counts them again)

    @classmethod
    def load(cls, signature: str, blob: bytes,
             layouts: Callable[[str], Mapping[str, Any] | None] = lambda _: None) -> StoredProject:
        """From a row's blob (:func:`project_blob`); raises for a damaged one. ``layouts``: see
        :func:`~pimxl.rollup.stored_model.loads` (the history's, for a blob an older pimxl stored)."""
        project, overdue = model_loads(blob, layouts)
        if not isinstance(project, Project):
            raise ValueError("not a project")
        return cls(signature, project, overdue, blob, dict(project.findings))


#: A file whose size, times and inode are as when it was hashed keeps that hash only when it had not been written
#: for this long before it was looked at: a file written again within its file system's time resolution (FAT: 2 s)
#: could keep its modification time.
RACY_NS = 3_000_000_000


class Seen(NamedTuple):
    """A file's stat when it was hashed (``seen_ns``: the wall clock just before the stat), and the hash.

    Like git's index: a file whose size, modification time, status-change time (ctime: set by the system on every
    write, which no program can set back; the creation time on Windows) and inode are all as they were is taken to
    hold what it held, without being read again — unless it had been written shortly before it was looked at
    (:data:`RACY_NS`). ``pimxl rollup --force`` reads every file again."""

    size: int
    mtime_ns: int
    ctime_ns: int
    inode: int
    seen_ns: int
    sha256: str

    def vouches(self, size: int, mtime_ns: int, ctime_ns: int, inode: int) -> bool:
        """Whether a file with this stat still holds the content of :attr:`sha256`."""
        same = (self.size, self.mtime_ns, self.ctime_ns, self.inode) == (size, mtime_ns, ctime_ns, inode)
        return same and bool(self.sha256) and max(mtime_ns, ctime_ns) < self.seen_ns - RACY_NS


@dataclass
class CacheEntry:
    """One row of the parse cache: the file's key, the parsed result, and the rule findings of one run."""

    size: int
    mtime_ns: int
    sha256: str
    blob: bytes
    checked_key: str | None
    checked: bytes | None
    read_key: str | None = None


class _Deflater(io.RawIOBase):
    """A write-only file that deflates what is written to it, keeping only the compressed bytes."""

    def __init__(self, level: int) -> None:
        self.z = zlib.compressobj(level)
        self.parts: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, b: Any) -> int:
        self.parts.append(self.z.compress(b))
        return len(b)

    def value(self) -> bytes:
        return b"".join([*self.parts, self.z.flush()])


def _deflated_pickle(obj: Any, level: int = 6) -> bytes:
    """``zlib.compress(pickle.dumps(obj), level)`` without holding the whole pickle in memory (it is
    written in frames of ~64 KB and deflated as it goes); ``zlib.decompress`` reads it back."""
    out = _Deflater(level)
    pickle.Pickler(out, protocol=pickle.HIGHEST_PROTOCOL).dump(obj)
    return out.value()


def project_blob(p: Project, overdue: list[OverdueItem]) -> bytes:
    """One ``run_projects`` blob: (project without its WBS tasks, its overdue items), by stored_model.dumps.

    Tasks are most of a project (50 a plan: 60 % of its pickle, time and size in the history every week), and
    what the summary and the views take from them — % complete, forecast, overdue tasks — is already in the
    project's figures and its overdue items once the model is built. The run's own model is not changed.
    """
    q = copy.copy(p)
    q.tasks = []
    return model_dumps((q, overdue))


class History:
    """``with History(path) as h: h.save_snapshot(as_of, model, kpis)``."""

    def __init__(self, path: str | Path, timeout: float = 30.0, version: str = __version__, *,
                 past_runs_only: bool = False) -> None:
        """``past_runs_only``: opened to read past runs (a summary or views rebuilt), not to roll up — the parse
        cache is then left as it is even when another pimxl version filled it (the weekly job's may be another)."""
        self.path = Path(path)
        self.version = version
        self.past_runs_only = past_runs_only
        self._layouts: dict[str, dict[str, list[str]] | None] = {}
        self.cache_version = f"{version}+{CACHE_FORMAT}"
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # isolation_level=None: we issue BEGIN/COMMIT ourselves, so a transaction is exactly what we say.
        self.conn = sqlite3.connect(str(self.path), timeout=timeout, isolation_level=None)
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute(f"PRAGMA busy_timeout={int(timeout * 1000)}")
        self.conn.execute("PRAGMA synchronous=NORMAL")
        self._create()

    # ------------------------------------------------------------ housekeeping

    def _create(self) -> None:
        c = self.conn
        c.execute("BEGIN IMMEDIATE")
        try:
            c.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)")
            c.execute("CREATE TABLE IF NOT EXISTS runs (as_of TEXT PRIMARY KEY, run_at TEXT, version TEXT, "
                      "kpis TEXT, model BLOB)")
            # The unchanged re-run's stamp (a database from before it gets the columns, empty).
            have = {r[1] for r in c.execute("PRAGMA table_info(runs)")}
            for col in ("fingerprint", "summary", "summary_sha256", "doc"):
                if col not in have:
                    c.execute(f"ALTER TABLE runs ADD COLUMN {col} TEXT")
            for table, cols in TABLES.items():
                c.execute(f"CREATE TABLE IF NOT EXISTS {table} (as_of TEXT NOT NULL, {', '.join(cols)})")
                c.execute(f"CREATE INDEX IF NOT EXISTS ix_{table}_as_of ON {table}(as_of)")
            c.execute("CREATE TABLE IF NOT EXISTS cross (path TEXT PRIMARY KEY, cross_key TEXT, blob BLOB)")
            c.execute("CREATE TABLE IF NOT EXISTS run_projects (as_of TEXT NOT NULL, project_id TEXT NOT NULL, "
                      "signature TEXT, blob BLOB, PRIMARY KEY (as_of, project_id))")
            # What a file's stat was when it was last hashed (see :class:`Seen`): independent of the pimxl version.
            c.execute("CREATE TABLE IF NOT EXISTS seen (path TEXT PRIMARY KEY, size INTEGER, mtime_ns INTEGER, "
                      "ctime_ns INTEGER, inode INTEGER, seen_ns INTEGER, sha256 TEXT)")
            c.execute("CREATE TABLE IF NOT EXISTS cache (path TEXT PRIMARY KEY, size INTEGER, mtime_ns INTEGER, "
                      "sha256 TEXT, version TEXT, blob BLOB, checked_key TEXT, checked BLOB)")
            # A database from before the rule findings were cached: add their columns.
            have = {r[1] for r in c.execute("PRAGMA table_info(cache)")}
            # … and before the as-of year was part of the parse's key (NULL never matches: a miss).
            for col, kind in (("checked_key", "TEXT"), ("checked", "BLOB"), ("read_key", "TEXT")):
                if col not in have:
                    c.execute(f"ALTER TABLE cache ADD COLUMN {col} {kind}")
            c.execute("INSERT OR IGNORE INTO meta VALUES ('schema', ?)", (SCHEMA_VERSION,))
            # The layout this pimxl stores projects with: a later pimxl loads them by field name.
            c.execute("INSERT OR IGNORE INTO meta VALUES (?, ?)", (f"layout:{LAYOUT_ID}", json.dumps(LAYOUT)))
            # Parsed results of another pimxl version may differ: drop the whole cache once.
            row = c.execute("SELECT value FROM meta WHERE key='cache_version'").fetchone()
            if not self.past_runs_only and (row is None or row[0] != self.cache_version):
                c.execute("DELETE FROM cache")
                c.execute("DELETE FROM cross")
                c.execute("INSERT OR REPLACE INTO meta VALUES ('cache_version', ?)", (self.cache_version,))
            c.execute("COMMIT")
        except BaseException:
            c.execute("ROLLBACK")
            raise

    def lock(self, timeout: float | None = None) -> RunLock:
        """The lock file beside the database (``history.db.lock``) that serialises runs."""
        return RunLock(self.path.with_name(self.path.name + ".lock"), timeout=timeout)

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> History:
        return self

    def __exit__(self, et: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None) -> None:
        self.close()

    # ------------------------------------------------------------ snapshots

    def save_snapshot(self, as_of: date, model: RollupModel, kpis: dict[str, Any],
                      run_at: datetime | None = None, stamp: RunStamp | Callable[[], RunStamp] | None = None,
                      snap: Snapshot | None = None, reused: Mapping[str, StoredProject] | None = None) -> Snapshot:
        """Replace the snapshot of ``as_of`` with this run's, atomically. Returns what was stored.

        ``reused``: the projects :meth:`load_projects` gave back and the model took over; stored as they were.

        ``stamp`` (the rollup's) lets a re-run with nothing changed keep the summary; without it, a
        re-run of this date always rebuilds it. A callable is called once the rows are in, just before the
        commit (the rollup waits there for the summary written beside it). ``snap``: ``snapshot_of(model, kpis)`` when the caller
        has it already (the rollup diffs it against the previous run first).
        """
        snap = snap if snap is not None else snapshot_of(model, kpis)
        key = as_of.isoformat()
        # The model goes in pieces: one row a project (run_projects), the rest in the run's row with the
        # projects' ids only. A project taken over unchanged from this date's earlier run keeps its blob.
        overdue: dict[str, list[OverdueItem]] = {pid: [] for pid in model.projects}
        for o in model.overdue:
            overdue.setdefault(o.project_id, []).append(o)
        pieces = []
        for pid, p in model.projects.items():
            sig = model.signatures.get(pid, "")
            old = (reused or {}).get(pid)
            same = old is not None and old.project is p and old.signature == sig and old.findings == p.findings
            pieces.append((key, pid, sig, old.blob if same and old is not None else project_blob(p, overdue[pid])))
        rest = copy.copy(model)
        rest.projects, rest.overdue = dict.fromkeys(model.projects), []  # type: ignore[assignment]  # ids only
        blob = _deflated_pickle(rest, level=1)  # level 1: half the time of 6 for 1.5 × the bytes (~0.6 MB)
        c = self.conn
        c.execute("BEGIN IMMEDIATE")
        try:
            for table in TABLES:
                c.execute(f"DELETE FROM {table} WHERE as_of = ?", (key,))
                self._insert(table, key, snap.tuples(table))
            c.execute("DELETE FROM run_projects WHERE as_of = ?", (key,))
            c.executemany("INSERT INTO run_projects (as_of, project_id, signature, blob) VALUES (?, ?, ?, ?)", pieces)
            if callable(stamp):
                stamp = stamp()
            c.execute("INSERT OR REPLACE INTO runs (as_of, run_at, version, kpis, model, fingerprint, summary, "
                      "summary_sha256, doc) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", (
                key, (run_at or datetime.now()).isoformat(timespec="seconds"), self.version,
                json.dumps(kpis, ensure_ascii=False, sort_keys=True), blob,
                *((stamp.fingerprint, stamp.summary, stamp.summary_sha256,
                   json.dumps(stamp.doc, ensure_ascii=False, default=str)) if stamp else (None,) * 4),
            ))
            c.execute("COMMIT")
        except BaseException:
            c.execute("ROLLBACK")
            raise
        return snap

    def record(self, model: RollupModel, kpis: dict[str, Any]) -> RunRecord:
        """Diff against the previous run, then store this one (one transaction); for build_summary."""
        previous = self.previous(model.as_of)
        changes = diff(snapshot_of(model, kpis), previous)
        self.save_snapshot(model.as_of, model, kpis)
        return RunRecord(previous, changes, self.trend(until=model.as_of))

    def replay(self, as_of: date) -> tuple[RollupModel, dict[str, Any], RunRecord] | None:
        """A past run as it was: its model, KPIs, 本周变化 and trend up to it (to rebuild its summary/views)."""
        model, snap = self.load_model(as_of), self.snapshot(as_of)
        if model is None or snap is None:
            return None
        previous = self.previous(as_of)
        return model, snap.kpis, RunRecord(previous, diff(snap, previous), self.trend(until=as_of))

    def _insert(self, table: str, as_of: str, rows: Sequence[tuple[Any, ...]]) -> None:
        """Insert ``rows`` (values in the order of ``TABLES[table]``) for ``as_of``."""
        cols = TABLES[table]
        sql = f"INSERT INTO {table} (as_of, {', '.join(cols)}) VALUES (?{', ?' * len(cols)})"
        self.conn.executemany(sql, [(as_of, *r) for r in rows])

    def runs(self) -> list[date]:
        return [date.fromisoformat(r[0]) for r in self.conn.execute("SELECT as_of FROM runs ORDER BY as_of")]

    def run_stamp(self, as_of: date) -> RunStamp | None:
        """The stamp the run of ``as_of`` left (None for a run without one, or no run)."""
        row = self.conn.execute("SELECT fingerprint, summary, summary_sha256, kpis, doc FROM runs WHERE as_of = ?",
                                (as_of.isoformat(),)).fetchone()
        if row is None or None in row:
            return None
        try:
            return RunStamp(row[0], row[1], row[2], json.loads(row[3]), json.loads(row[4]))
        except ValueError:
            return None

    def others_digest(self, as_of: date) -> str:
        """A digest of every other run (date, time, version, KPIs, fingerprint): the summary's 本周变化 and
        趋势 come from them, so a run of another date added or redone since changes it."""
        h = hashlib.sha256()
        for row in self.conn.execute("SELECT as_of, run_at, version, kpis, fingerprint FROM runs WHERE as_of != ? "
                                     "ORDER BY as_of", (as_of.isoformat(),)):
            h.update(repr(row).encode())
        return h.hexdigest()

    def snapshot(self, as_of: date) -> Snapshot | None:
        key = as_of.isoformat()
        row = self.conn.execute("SELECT kpis FROM runs WHERE as_of = ?", (key,)).fetchone()
        if row is None:
            return None
        snap = Snapshot(as_of, json.loads(row[0]))
        for table, cols in TABLES.items():
            cur = self.conn.execute(f"SELECT {', '.join(cols)} FROM {table} WHERE as_of = ? ORDER BY rowid", (key,))
            snap.tables[table] = [dict(zip(cols, r, strict=True)) for r in cur]
        return snap

    def previous(self, as_of: date) -> Snapshot | None:
        """The latest snapshot strictly before ``as_of``."""
        row = self.conn.execute("SELECT max(as_of) FROM runs WHERE as_of < ?", (as_of.isoformat(),)).fetchone()
        return self.snapshot(date.fromisoformat(row[0])) if row and row[0] else None

    def trend(self, until: date | None = None) -> list[dict[str, Any]]:
        """One row per run (up to ``until``), oldest first: ``{"as_of": date, "run_at": …, **kpis}``."""
        out = []
        last = (until or date.max).isoformat()
        cur = self.conn.execute("SELECT as_of, run_at, kpis FROM runs WHERE as_of <= ? ORDER BY as_of", (last,))
        for as_of, run_at, kpis in cur:
            out.append({"as_of": date.fromisoformat(as_of), "run_at": run_at, **json.loads(kpis)})
        return out

    def load_model(self, as_of: date) -> RollupModel | None:
        """The model of a past run, to rebuild its summary or views."""
        row = self.conn.execute("SELECT model FROM runs WHERE as_of = ?", (as_of.isoformat(),)).fetchone()
        if row is None or row[0] is None:
            return None
        try:
            model = pickle.loads(zlib.decompress(row[0]))
            if model.projects and all(p is None for p in model.projects.values()):  # stored in pieces
                pieces = self.load_projects(as_of)
                if set(pieces) != set(model.projects):
                    return None
                items: list[OverdueItem] = []
                for pid in model.projects:
                    model.projects[pid] = pieces[pid].project
                    items += pieces[pid].overdue
                model.overdue = sort_overdue(items)
            return model
        except Exception:  # a model stored by an incompatible pimxl: the rows remain
            return None

    def layout(self, layout_id: str) -> dict[str, list[str]] | None:
        """A model layout this history was opened with (class → field names), None when it was not."""
        if layout_id not in self._layouts:
            row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (f"layout:{layout_id}",)).fetchone()
            try:
                self._layouts[layout_id] = json.loads(row[0]) if row else None
            except ValueError:
                self._layouts[layout_id] = None
        return self._layouts[layout_id]

    def has_projects(self, as_of: date) -> bool:
        """Whether the run of ``as_of`` stored its projects a row each (pimxl before that stored them whole)."""
        return self.conn.execute("SELECT 1 FROM run_projects WHERE as_of = ? LIMIT 1",
                                 (as_of.isoformat(),)).fetchone() is not None

    def load_projects(self, as_of: date, wanted: Mapping[str, str] | None = None) -> dict[str, StoredProject]:
        """The projects stored for ``as_of`` (only those whose signature is in ``wanted``: project id → signature,
        when given), by project id. A damaged row is left out."""
        out = {}
        for pid, sig, blob in self.conn.execute(
                "SELECT project_id, signature, blob FROM run_projects WHERE as_of = ?", (as_of.isoformat(),)):
            if wanted is not None and (not sig or wanted.get(pid) != sig):
                continue
            try:
                out[pid] = StoredProject.load(sig, blob, self.layout)
            except Exception:  # a damaged piece: built again
                continue
        return out

    # ------------------------------------------------------------ parse cache

    def cache_count(self) -> int:
        """How many files the parse cache holds."""
        return self.conn.execute("SELECT count(*) FROM cache").fetchone()[0]

    def cache_entries(self) -> dict[str, CacheEntry]:
        """Every cache row of this version by path, in one query (the caller compares the keys)."""
        cur = self.conn.execute("SELECT path, size, mtime_ns, sha256, blob, checked_key, checked, read_key "
                                "FROM cache WHERE version = ?", (self.cache_version,))
        return {r[0]: CacheEntry(*r[1:]) for r in cur}

    def cache_store(self, rows: Iterable[tuple[str, int, int, str, bytes, str | None, bytes | None]],
                    read_key: str = "") -> None:
        """Store ready blobs: (path, size, mtime_ns, sha256, zlib(pickle(result)), checked_key, checked),
        all parsed with the same ``read_key`` (what reading depended on besides the file: the as-of year)."""
        data = [(p, s, m, h, self.cache_version, blob, key, checked, read_key)
                for p, s, m, h, blob, key, checked in rows]
        if data:
            self._write("INSERT OR REPLACE INTO cache (path, size, mtime_ns, sha256, version, blob, checked_key, "
                        "checked, read_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", data)

    def cache_store_checked(self, rows: Iterable[tuple[str, str, bytes]]) -> None:
        """Remember the rule findings of cached files for one key (as-of date and settings): (path, key, blob)."""
        data = [(key, blob, path) for path, key, blob in rows]
        if data:
            self._write("UPDATE cache SET checked_key = ?, checked = ? WHERE path = ?", data)

    def seen_entries(self) -> dict[str, Seen]:
        """What every file's stat was when it was last hashed, by path (:class:`Seen`)."""
        return {r[0]: Seen(*r[1:]) for r in self.conn.execute(
            "SELECT path, size, mtime_ns, ctime_ns, inode, seen_ns, sha256 FROM seen")}

    def seen_store(self, rows: Iterable[tuple[str, Seen]]) -> None:
        """Remember the stat and hash of files hashed by this run: (path, :class:`Seen`)."""
        data = [(path, *seen) for path, seen in rows]
        if data:
            self._write("INSERT OR REPLACE INTO seen (path, size, mtime_ns, ctime_ns, inode, seen_ns, sha256) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?)", data)

    def cross_entries(self) -> dict[str, tuple[str | None, bytes | None]]:
        """Every file's cross-workbook findings with the group signature they were found for, by path."""
        return {path: (key, blob) for path, key, blob in self.conn.execute("SELECT path, cross_key, blob FROM cross")}

    def cache_store_cross(self, rows: Iterable[tuple[str, str, bytes | None]]) -> None:
        """Remember the cross-workbook findings attached to files for their group's signature: (path, key, blob)."""
        data = list(rows)
        if data:
            self._write("INSERT OR REPLACE INTO cross (path, cross_key, blob) VALUES (?, ?, ?)", data)

    def _write(self, sql: str, data: list[tuple[Any, ...]]) -> None:
        c = self.conn
        c.execute("BEGIN IMMEDIATE")
        try:
            c.executemany(sql, data)
            c.execute("COMMIT")
        except BaseException:
            c.execute("ROLLBACK")
            raise

    def cache_prune(self, keep: Iterable[str]) -> int:
        """Forget files no longer found (their parse and cross-workbook findings); returns how many parses."""
        keep = set(keep)
        self._prune("cross", keep)
        return self._prune("cache", keep)

    def seen_prune(self, keep: Iterable[str]) -> None:
        """Forget the stat of files no longer found (``keep``: the paths of those found, as :meth:`seen_store`
        keys them)."""
        self._prune("seen", set(keep))

    def _prune(self, table: str, keep: set[str]) -> int:
        """Delete the rows of ``table`` whose path is not in ``keep``; returns how many."""
        gone = [(p,) for (p,) in self.conn.execute(f"SELECT path FROM {table}") if p not in keep]
        if gone:
            self._write(f"DELETE FROM {table} WHERE path = ?", gone)
        return len(gone)
