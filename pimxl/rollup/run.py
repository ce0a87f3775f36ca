"""The weekly job: discover → read (cached, in parallel) → check → aggregate → summary + history.

One bad file never stops the run; a second run waits for the first (a lock beside the history).

Where the work is done: the files that changed are read a folder at a time by worker processes, each of
which also checks and builds the projects of the folder (taking the folder's unchanged files from the parse
cache): the run then takes those projects, and projects whose files are all as in this as-of date's earlier
run, through one signature check (:mod:`.reuse`), and builds only the rest itself. The summary is written by
a forked child while the snapshot's rows are stored (:mod:`.forked`).

Kill-safety: the new summary is written in full to a hidden temp file beside the output
(``.~<stem>.<pid>.<hex>.xlsx``, fsynced), then the history snapshot commits (one transaction), and
only then is the temp file renamed over the summary. A run killed at any moment leaves either

- the previous summary and the previous history (killed before the commit; a leftover temp file is
  removed by the next run), or
- the new history and the previous summary (killed between the commit and the rename): the summary
  is complete but one run old, and the next run — even on the same as-of date, whose snapshot it
  replaces — writes it again (the summary's sha256 no longer matches the run row, so it is no
  "unchanged" re-run).

Never a new summary over the old history, never a half-written file. When the summary is written by a forked
child beside the snapshot's inserts (:mod:`.forked`), the commit still waits for the child to have written and
synced it; a child that fails makes the run fail (rolled back) like a summary that cannot be written here.
"""

from __future__ import annotations

import functools
import gc
import hashlib
import multiprocessing
import os
import re
import secrets
import shutil
import signal
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..config import Settings
from ..pipeline import check_file, compact_dumps, compact_loads, file_digest, read_file
from ..results import FileResult
from .forked import Child, worth_forking
from .reuse import check_projects_reusing, folder_pieces, load_split, split_dumps
from .sheetspec import collector_paused

if TYPE_CHECKING:
    from .history import Seen

__all__ = ["RollupRun", "Scanned", "Settled", "checked_key", "default_history", "fingerprint", "read_all", "read_key",
           "run_rollup", "scan"]

#: Below this many files to parse, a process pool costs more than it saves.
POOL_THRESHOLD = 24

Progress = Callable[[int, int], None]


@dataclass
class RollupRun:
    """What a run did. An unchanged re-run (``unchanged``) read nothing: ``results`` is empty, ``kpis`` and
    the ``--json`` document are the earlier run's, and ``model`` is loaded from the history when asked for."""

    as_of: date
    summary: Path
    history: Path
    results: list[FileResult]  # status, findings, size and time of every file; ``record`` released (memory)
    _model: Any  # RollupModel
    kpis: dict[str, Any]
    parsed: int = 0  # files parsed this run (cache misses)
    cached: int = 0  # files taken from the cache
    outputs: dict[str, Any] = field(default_factory=dict)
    unchanged: bool = False  # nothing changed since this as-of date's last run: its summary was kept
    reused: int = 0  # projects taken over unchanged from this as-of date's earlier run (reuse.py)
    doc: dict[str, Any] | None = None  # the --json document of the earlier run (unchanged re-run)
    root: Path | None = None  # the folder rolled up (the sources' paths are relative to it)
    #: Wall seconds of each step (scan, read, cross_rules, model, summary, history), for the log and the benchmark.
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def model(self) -> Any:
        if self._model is None and self.unchanged:
            from .history import History

            with History(self.history) as h:
                self._model = h.load_model(self.as_of)
            if self._model is None:
                raise RuntimeError(f"the history holds no usable model for {self.as_of}: re-run with --force")
        return self._model

    def json(self) -> dict[str, Any]:
        from .kpis import rollup_json

        if self.doc is not None:
            doc = {**self.doc, "outputs": dict(self.outputs)}
        else:
            doc = rollup_json(self.model, self.kpis, self.outputs)
        if self.root is not None:
            doc["root"] = str(self.root)
        doc["cache"] = {"parsed": self.parsed, "cached": self.cached, "unchanged_run": self.unchanged,
                        "projects_reused": self.reused}
        doc["timings"] = {k: round(v, 3) for k, v in self.timings.items()}
        return doc


@dataclass
class Scanned:
    """One file found under the root: as shown, its state, and its size, time and content hash."""

    path: Path
    shown: str
    status: str  # candidate | skipped | unreadable (cannot even be stat'ed)
    kind: str = ""
    reason_zh: str = ""
    reason_en: str = ""
    size: int = 0
    mtime_ns: int = 0
    sha256: str = ""  # "" until hashed (or when the file cannot be read)
    ctime_ns: int = 0
    inode: int = 0
    seen_ns: int = 0  # the wall clock just before the stat
    vouched: bool = False  # sha256 is the hash of an earlier run, the stat being as it was then (history.Seen)

    def seen(self) -> Seen:
        """What the history remembers of this file's stat and hash."""
        from .history import Seen

        return Seen(self.size, self.mtime_ns, self.ctime_ns, self.inode, self.seen_ns, self.sha256)

    def key(self) -> tuple[Any, ...]:
        return (self.shown, self.status, self.kind, self.reason_en, self.size, self.mtime_ns, self.sha256)


def scan(root: Path, *, exclude: Sequence[Path] = (), hash_all: bool = False,
         known: Mapping[str, Seen] | None = None) -> list[Scanned]:
    """Every file under ``root`` (discovery order) with its size and time; ``hash_all``: and content hash.

    ``known`` (:meth:`History.seen_entries`): a file whose stat is as it was when an earlier run hashed it gets
    that hash without being read (:meth:`Seen.vouches`).
    """
    from ..io.discover import discover

    out = []
    # One clock reading before any stat: a file written after it is never vouched for by this run's stat.
    now = time.time_ns()
    for found in discover([root], exclude_outputs=exclude):
        s = Scanned(found.path, _display(found.path, root), found.status, found.kind, found.reason_zh,
                    found.reason_en)
        if s.status == "candidate":
            try:
                st = found.path.stat()
                s.size, s.mtime_ns, s.ctime_ns, s.inode, s.seen_ns = (st.st_size, st.st_mtime_ns, st.st_ctime_ns,
                                                                      st.st_ino, now)
            except OSError as e:
                s.status, s.reason_zh, s.reason_en = "unreadable", f"无法打开文件（{e.strerror}）", f"cannot open ({e.strerror})"
            else:
                seen = known.get(str(s.path)) if known else None
                if seen is not None and seen.vouches(s.size, s.mtime_ns, s.ctime_ns, s.inode):
                    s.sha256, s.vouched = seen.sha256, True
                elif hash_all:
                    try:
                        s.sha256 = file_digest(found.path)
                    except OSError:  # as a worker would find it: unreadable, no hash
                        s.sha256 = ""
        out.append(s)
    return out


def fingerprint(scanned: Sequence[Scanned], *, as_of: date, settings: Settings, lang: str, root: Path,
                output: Path, others: str) -> str:
    """Everything a run's summary depends on, as one digest.

    The files found (path, state, size, time, sha256), the as-of date and the settings, the pimxl version,
    the language, the root and the summary's folder (its links are relative to it), and the other runs in
    the history (``others``: 本周变化 and 趋势 come from them). Equal fingerprints give the same summary.
    """
    from .. import __version__
    from .history import CACHE_FORMAT

    h = hashlib.sha256(repr((__version__, CACHE_FORMAT, checked_key(as_of, settings), read_key(as_of), lang,
                             str(root), str(output.parent), others)).encode())
    for s in scanned:
        h.update(repr(s.key()).encode())
    return h.hexdigest()


def default_history(output: Path, settings: Settings) -> Path:
    if settings.history:
        p = Path(settings.history)
        if not p.is_absolute() and settings.source:
            p = Path(settings.source).parent / p
        return p
    return output.parent / "pimxl-history.sqlite"


def checked_key(as_of: date, settings: Settings) -> str:
    """What the workbook rules' findings depend on besides the record: the as-of date and the settings."""
    return f"{as_of.isoformat()}|{hashlib.sha256(repr(settings).encode()).hexdigest()[:16]}"


def read_key(as_of: date) -> str:
    """What reading a file depends on besides its bytes: the as-of year (a date typed as 3月5日 takes it).

    Part of the parse cache's key, so a parse from another year is never reused.
    """
    return f"year={as_of.year}"


def _read_job(args: tuple[str, str, date, Settings | None]) -> tuple[bytes, bytes | None]:
    """Read one file (and run its workbook rules) in a worker: the parse as a split blob (reuse.split_dumps),
    and the rules' findings.

    The parse goes back as the cache will keep it, so the parent neither pickles it again nor waits
    for the rules, which run here in parallel.
    """
    path, shown, as_of, settings = args
    blob, rules, _ = _read_one(path, shown, as_of, settings)
    return blob, rules


def _read_one(path: str, shown: str, as_of: date, settings: Settings | None) -> tuple[bytes, bytes | None,
                                                                                      FileResult]:
    # The content hash is taken before reading: a file saved meanwhile is parsed again next time.
    result = read_file(Path(path), as_of=as_of, display=shown, digest=True)
    blob = split_dumps(result)
    if settings is None:
        return blob, None, result
    before = len(result.findings)
    check_file(result, as_of=as_of, settings=settings)
    return blob, compact_dumps(result.findings[before:]), result


#: Parses are stored in the cache this many at a time while the workers parse.
STORE_EVERY = 500
#: At most this many files a task: a folder holding more (a flat folder of many projects) is read in pieces.
BATCH = 16


def _read_batch(args: tuple[list[tuple[int, str, str]], date, Settings | None, bool,
                             list[tuple[int, bytes, bytes | None]]]) -> tuple[
        list[tuple[bytes, bytes | None]], list[tuple[str, str, bytes]], list[tuple[str, str, bytes]],
        list[tuple[int, bytes]]]:
    """Read files of one folder (:func:`_read_job` each) in a worker. When with ``cached`` (the folder's other
    files, as the parse cache holds them, with their rules' findings when they are for this run's as-of date and
    settings) they are all the files of the folder (``whole``), also settle the folder's projects there
    (:func:`~pimxl.rollup.reuse.folder_pieces`): their cross-workbook findings and built projects, which the run
    then takes instead of loading those records and building those projects on one core. A cached file whose
    rules' findings are not for this run is checked here too; its findings go back by index. Files are taken in
    the run's order (``index``), as the run would."""
    files, as_of, settings, whole, cached = args
    outs, results = [], []
    for index, path, shown in files:
        blob, rules, result = _read_one(path, shown, as_of, settings)
        outs.append((blob, rules))
        results.append((index, result))
    if not whole or settings is None:
        return outs, [], [], []
    checked = []
    try:
        for index, blob, rules in cached:
            result = load_split(blob, eager=True)
            if rules is None:
                before = len(result.findings)
                check_file(result, as_of=as_of, settings=settings)
                checked.append((index, compact_dumps(result.findings[before:])))
            else:
                _checked(result, compact_loads(rules))
            results.append((index, result))
    except Exception:  # a damaged cache entry: the run finds it and builds the folder's projects itself
        return outs, [], [], checked
    results.sort(key=lambda x: x[0])
    cross, pieces = folder_pieces([r for _, r in results], as_of=as_of, settings=settings,
                                  key=checked_key(as_of, settings))
    return outs, cross, pieces, checked


def _display(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


def _checked(result: FileResult, findings: list[Any]) -> FileResult:
    result.findings += findings
    result.settle_status()
    return result


def read_all(root: Path, *, as_of: date, history: Any, jobs: int, exclude: Sequence[Path] = (),
             progress: Progress | None = None, settings: Settings | None = None,
             scanned: list[Scanned] | None = None, settled: Settled | None = None,
             pending: list[Callable[[], None]] | None = None, settle_cached: bool = False,
             pool: Pool | None = None) -> tuple[list[FileResult], int, int]:
    """Every file under ``root`` as a FileResult, using and filling the cache; also (parsed, cached).

    With ``settings`` the workbook rules have run on every result too (:func:`check_file`): in the
    workers for files parsed now, from the cache for unchanged files checked before with the same
    as-of date and settings, else here. ``scanned`` (from :func:`scan`, hashed or not) saves the
    discovery; every readable file's sha256 is filled in it.

    A file's record is loaded only when something reads it (reuse.CachedResult). Files are parsed a folder at
    a time; ``settled`` receives what the workers settled for the projects of the folders they read whole.
    ``pending``, when given, receives the storing of the parses in the cache instead of it being done here (the
    rollup does it while its summary is written). ``settle_cached``: folders where nothing changed go to the
    workers too, to be settled from the cache (a run of a new as-of date, whose projects no earlier run built).
    ``pool``: the workers (maybe started already), shut down when the files are read; by default ``jobs`` of them.
    """
    key = checked_key(as_of, settings) if settings is not None else None
    parse_key = read_key(as_of)
    entries = history.cache_entries()
    results: list[FileResult | None] = []
    todo: list[tuple[int, Path, str, tuple[int, int, str]]] = []
    hits: list[tuple[int, Path, str, tuple[int, int, str]]] = []
    found_files = scanned if scanned is not None else scan(root, exclude=exclude)
    by_index: dict[int, Scanned] = {}
    for found in found_files:
        shown = found.shown
        if found.status == "skipped":
            results.append(FileResult(path=shown, status="skipped", kind=found.kind,
                                      reason_zh=found.reason_zh, reason_en=found.reason_en))
            continue
        size, mtime = found.size, found.mtime_ns
        try:
            if found.status != "candidate":
                raise OSError
            entry = entries.get(shown)
            if entry is not None and entry.read_key != parse_key:  # parsed for another as-of year
                entry = None
            # Hash here only what the cache could answer for; a worker hashes the files it parses.
            if not found.sha256 and entry is not None and (entry.size, entry.mtime_ns) == (size, mtime):
                found.sha256 = file_digest(found.path)
            sha = found.sha256
        except OSError as e:  # cannot be stat'ed (scan) or hashed: as :func:`scan` with hash_all sees it
            zh, en = ((found.reason_zh, found.reason_en) if found.status != "candidate" else
                      (f"无法打开文件（{e.strerror}）", f"cannot open ({e.strerror})"))
            results.append(FileResult(path=shown, status="unreadable", code="read-failed", reason_zh=zh, reason_en=en))
            continue
        results.append(None)
        by_index[len(results) - 1] = found
        job = (len(results) - 1, found.path, shown, (size, mtime, sha))
        # A hit needs size and time too (a touched file is parsed again: its result carries the new time).
        hit = sha and entry is not None and (entry.size, entry.mtime_ns, entry.sha256) == (size, mtime, sha)
        (hits if hit else todo).append(job)

    # A folder's files to parse go to one worker together, with the folder's cached files: all of them together
    # are the folder "whole", and the worker settles its projects (at most BATCH files to parse a task: a larger
    # folder is read in pieces, and its projects built here).
    folders: dict[str, list[tuple[int, Path, str, tuple[int, int, str]]]] = {}
    for job in todo:
        folders.setdefault(job[2].rpartition("/")[0], []).append(job)
    readable = Counter(job[2].rpartition("/")[0] for job in (*todo, *hits))
    # The cached files of a folder go with it (their parse, and their rules' findings when they are for this
    # as-of date and settings), so that a worker can settle the folder's projects when a few of its files changed.
    cached_in: dict[str, list[tuple[int, bytes, bytes | None]]] = {}
    for job in hits:
        folder, entry = job[2].rpartition("/")[0], entries[job[2]]
        if (folder in folders or settle_cached) and key is not None:
            rules = entry.checked if entry.checked_key == key else None
            cached_in.setdefault(folder, []).append((job[0], entry.blob, rules))
    batches = []
    for folder, jobs_in in folders.items():
        if len(jobs_in) <= BATCH:
            others = cached_in.get(folder, [])
            whole = len(jobs_in) + len(others) == readable[folder]
            batches.append((jobs_in, whole, others if whole else []))
        else:
            batches += [(jobs_in[i:i + BATCH], False, []) for i in range(0, len(jobs_in), BATCH)]
    # Folders where nothing changed: settled from the cache alone (nothing to parse).
    batches += [([], True, others) for folder, others in cached_in.items()
                if folder not in folders and len(others) == readable[folder] and len(others) <= BATCH]
    todo = [job for part, _, _ in batches for job in part]
    with pool if pool is not None else Pool(jobs) as pool:
        # The workers start first (forked while this process is still small), and parse while
        # this process loads the cached results.
        parsing = _parse([([(i, str(p), s) for i, p, s, _ in part], as_of, settings, whole, others)
                          for part, whole, others in batches], pool, settled)
        del cached_in, batches
        unchecked: list[tuple[int, FileResult]] = []  # cached results whose rules must run (or ran in a worker)
        for job in hits:
            index, shown = job[0], job[2]
            hit = _from_cache(entries[shown], key)
            if hit is None:  # a damaged entry: parse the file after all
                results[index] = _read_here(job, as_of, settings, key, parsing)
                continue
            hit[0].path = shown
            results[index] = hit[0]
            if not hit[1] and key is not None:
                unchecked.append((index, hit[0]))
        del entries
        rows = []
        for done, ((index, _, shown, (size, mtime, sha)), (blob, rules)) in enumerate(
                zip(todo, parsing.results, strict=True), start=1):
            result = load_split(blob)
            results[index] = _checked(result, compact_loads(rules)) if rules is not None else result
            by_index[index].sha256 = result.sha256 or sha
            rows.append((shown, size, mtime, result.sha256 or sha, blob, key if rules is not None else None, rules))
            if len(rows) >= STORE_EVERY:
                # Stored as they come, while the workers parse (this process mostly waits for them).
                history.cache_store(rows, read_key=parse_key)
                rows = []
            if progress:
                progress(done, len(todo))
        rows += parsing.extra
    store_parses = functools.partial(history.cache_store, rows, read_key=parse_key)
    if pending is not None:
        pending.append(store_parses)
    else:
        store_parses()
    if unchecked and settings is not None and key is not None:
        store = []
        ran = settled.checked if settled is not None else {}
        for index, result in unchecked:
            rules = ran.get(index)
            if rules is not None:  # checked by the worker that settled its folder
                _checked(result, compact_loads(rules))
            else:
                before = len(result.findings)
                check_file(result, as_of=as_of, settings=settings)
                rules = compact_dumps(result.findings[before:])
            store.append((result.path, key, rules))
        history.cache_store_checked(store)
    final = [r for r in results if r is not None]
    parsed = len(todo) + len(parsing.extra)
    return final, parsed, len(final) - parsed - sum(1 for r in final if r.status == "skipped")


@dataclass
class Settled:
    """What workers settled for the projects of folders they read whole: cross-workbook findings by path, and
    built projects by project id, each with the signature of the files it was made from."""

    cross: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    projects: dict[str, list[Any]] = field(default_factory=dict)  # history.StoredProject
    checked: dict[int, bytes] = field(default_factory=dict)  # a cached file's rules' findings, by its index


@dataclass
class _Parsing:
    results: Iterator[tuple[bytes, bytes | None]]
    extra: list[tuple[str, int, int, str, bytes, str | None, bytes | None]] = field(default_factory=list)


def _flatten(batches: Iterator[tuple[list[tuple[bytes, bytes | None]], list[tuple[str, str, bytes]],
                                     list[tuple[str, str, bytes]], list[tuple[int, bytes]]]],
             settled: Settled | None) -> Iterator[tuple[bytes, bytes | None]]:
    """Each file's (parse, rules) in order, noting what the workers settled as their batches come back (their
    projects loaded now, while this process mostly waits for the workers)."""
    from .history import StoredProject

    for outs, cross, projects, checked in batches:
        if settled is not None:
            settled.checked.update(checked)
            for path, sig, blob in cross:
                settled.cross[path] = (sig, blob)
            for pid, sig, blob in projects:
                settled.projects.setdefault(pid, []).append(StoredProject.load(sig, blob))
        yield from outs


def _read_here(job: tuple[int, Path, str, tuple[int, int, str]], as_of: date, settings: Settings | None,
               key: str | None, parsing: _Parsing) -> FileResult:
    """Parse one file in this process (its cache entry was damaged), noting the cache row to store."""
    _, path, shown, (size, mtime, sha) = job
    blob, rules = _read_job((str(path), shown, as_of, settings))
    parsing.extra.append((shown, size, mtime, sha, blob, key if rules is not None else None, rules))
    result = load_split(blob, eager=True)
    return _checked(result, compact_loads(rules)) if rules is not None else result


def _from_cache(entry: Any, key: str | None) -> tuple[FileResult, bool] | None:
    """The cached result (and whether its rules' findings were restored), or None when damaged."""
    try:
        result = load_split(entry.blob)
        if key is not None and entry.checked_key == key and entry.checked is not None:
            return _checked(result, compact_loads(entry.checked)), True
    except Exception:  # a damaged entry is a miss, never a failed run
        return None
    return result, False


def _worker_init(parent: int, inherited: tuple[int, ...]) -> None:
    # A worker forked by the run (``parent``: its pid, 0 when workers are spawned and inherit nothing) never
    # outlives it: it closes its copy of the run's lock (``inherited``; with flock a copy left open keeps the
    # history locked), and dies with the run (on Linux) — else a run killed while it reads would leave its
    # workers waiting forever on a queue nobody writes to.
    if parent:
        for fd in inherited:
            with suppress(OSError):
                os.close(fd)
        _die_with(parent)
    # Forked from a run that switched the collector off: what the worker inherited is frozen (never
    # walked, so never copied), and its own garbage is collected as usual.
    gc.freeze()
    gc.enable()
    # What parsing needs, imported now: a pool started early does it while the run scans.
    import pimxl.io.reader  # noqa: F401
    import pimxl.rules  # noqa: F401


def _die_with(parent: int) -> None:
    """Be killed when ``parent`` (which forked this process, from its main thread) dies (Linux: PR_SET_PDEATHSIG)."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    with suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # 1: PR_SET_PDEATHSIG
    if os.getppid() != parent:  # it died before the line above
        os._exit(1)


def _ready() -> None:
    """A task that does nothing: submitting it launches the pool's processes."""


class Pool:
    """The worker processes that parse, launched when first needed — or early (:meth:`start`), so that they fork
    while the run is still small and import the reader while it scans. Leaving ``with`` shuts them down and waits
    for them to exit."""

    def __init__(self, jobs: int, inherited: tuple[int, ...] = ()) -> None:
        self.workers = jobs or os.cpu_count() or 1
        self.inherited = inherited  # descriptors the workers close (the run's lock)
        self.executor: ProcessPoolExecutor | None = None

    def start(self) -> ProcessPoolExecutor:
        if self.executor is None:
            # Only workers forked from this process hold copies of its descriptors (not spawned ones, nor those
            # of a fork server).
            forked = multiprocessing.get_start_method() == "fork"
            self.executor = ProcessPoolExecutor(max_workers=self.workers, initializer=_worker_init,
                                                initargs=(os.getpid(), self.inherited) if forked else (0, ()))
            # Forked workers are all launched on the first task (Python 3.11–3.13).
            self.executor.submit(_ready)
        return self.executor

    def __enter__(self) -> Pool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Shut the workers down and wait for them to exit (their memory given back, the lock's copy closed)."""
        if self.executor is not None:
            self.executor.shutdown(cancel_futures=True)
            self.executor = None


def _parse(batches: list[tuple[list[tuple[int, str, str]], date, Settings | None, bool,
                              list[tuple[int, bytes, bytes | None]]]], pool: Pool, settled: Settled | None,
           ) -> _Parsing:
    """Start parsing (in ``pool`` when worth it); results come back in order, lazily."""
    if pool.workers <= 1 or sum(len(b[0]) + len(b[4]) for b in batches) < POOL_THRESHOLD:
        return _Parsing(_flatten(map(_read_batch, batches), settled))
    # Several folders per task keep the pool's own overhead low; every task is submitted now.
    chunk = max(1, min(4, len(batches) // (pool.workers * 8)))
    return _Parsing(_flatten(pool.start().map(_read_batch, batches, chunksize=chunk), settled))


def _write_and_collect(write: Callable[[], None]) -> None:
    """Run ``write`` and free its garbage at once.

    The summary writer's workbook (every cell of the summary, ~1.4 M objects at 2,500 projects) is
    held by reference cycles, which the switched-off collector would keep until the run ends —
    under the history snapshot's memory at the peak. Everything alive before is frozen first, so
    the collection walks only what the writer made (0.3 s instead of 1.3 s at 2,500 projects).
    """
    already = gc.get_freeze_count()
    gc.freeze()
    try:
        write()
        gc.collect()
    finally:
        if not already:  # never thaw what a caller froze
            gc.unfreeze()


def _remove_stale_temps(output: Path) -> None:
    """Temp files of killed runs beside ``output``: ``.~<stem>.<pid>.<hex>.xlsx`` (this module's) and the
    writer's own inside it (``.~.~<stem>.<pid>.<hex>.<pid>.<hex>.xlsx``), when their process is gone."""
    from .summary_writer import _alive, glob_escape

    if not output.parent.is_dir():
        return
    stem = glob_escape(output.stem)
    for old in [*output.parent.glob(f".~{stem}.*.xlsx"), *output.parent.glob(f".~.~{stem}.*.xlsx")]:
        m = re.fullmatch(r"\.~.*\.(\d+)\.[0-9a-f]{8}\.xlsx", old.name)
        if m is not None and not _alive(int(m.group(1))):
            old.unlink(missing_ok=True)


def run_rollup(root: Path, output: Path, *, as_of: date, settings: Settings, history: Path | None = None,
               jobs: int | None = None, lang: str = "zh", progress: Progress | None = None,
               exclude: Sequence[Path] = (), force: bool = False) -> RollupRun:
    """Roll up every workbook under ``root`` into the summary ``output`` and the history snapshot of ``as_of``.

    A re-run of an as-of date with nothing changed (:func:`fingerprint`: same files with the same size,
    time and sha256, same settings, pimxl version and language, same other runs in the history) whose
    summary is still there byte for byte aggregates nothing: the summary is kept (or copied to
    ``output``) and the run says so (``unchanged``). ``force`` rebuilds anyway.
    """
    from .aggregate import build_model
    from .changes import diff, snapshot_of
    from .history import History, RunStamp
    from .kpis import compute_kpis, rollup_json
    from .sheets import build_summary
    from .summary_writer import write_summary

    root, output = root.resolve(), output.resolve()
    history_path = (history or default_history(output, settings)).resolve()
    excluded = [output, history_path, *exclude]
    clock = _Clock()
    # The cyclic collector off for the run: it builds millions of small objects that live until it ends (every
    # cell of every workbook with its address); each automatic collection walked all of them again, 40 % of a
    # re-run's time at 1,000 projects. The run makes few reference cycles, so memory does not grow.
    workers = jobs if jobs is not None else settings.jobs
    with (collector_paused(), History(history_path) as h, h.lock(timeout=3600) as lock,
          Pool(workers, (lock.fileno(),)) as pool):
        clock.lap("lock")
        if pool.workers > 1 and h.cache_count() >= POOL_THRESHOLD:
            # Files to parse are likely among as many cached ones: the workers start now and get ready while
            # this process scans (forked while it is small).
            pool.start()
        others = h.others_digest(as_of)
        scanned = None
        stamp = None if force else h.run_stamp(as_of)
        keep = _summary_to_keep(stamp, output) if stamp is not None else None
        # A file whose stat is as when an earlier run hashed it is not read to be hashed again (--force: all are).
        seen = {} if force else h.seen_entries()
        if stamp is not None and keep is not None:
            scanned = scan(root, exclude=excluded, hash_all=True, known=seen)
            if fingerprint(scanned, as_of=as_of, settings=settings, lang=lang, root=root, output=output,
                           others=others) == stamp.fingerprint:
                _remember_seen(h, scanned)
                if keep != output:
                    _copy_into_place(keep, output)
                clock.lap("scan")
                run = RollupRun(as_of=as_of, summary=output, history=history_path, results=[], _model=None,
                                kpis=stamp.kpis, cached=sum(s.status != "skipped" for s in scanned),
                                unchanged=True, doc=stamp.doc, timings=clock.laps, root=root)
                run.outputs = {"summary": str(output), "history": str(history_path)}
                return run
        scanned = scanned if scanned is not None else scan(root, exclude=excluded, known=seen)
        del seen
        clock.lap("scan")
        settled = Settled()
        # What the cache keeps of this run (the parses, the cross-workbook findings) is stored while the summary
        # is written — off the path of a run that waits for nothing else then.
        pending: list[Callable[[], None]] = []
        results, parsed, cached = read_all(
            root, as_of=as_of, history=h, jobs=jobs if jobs is not None else settings.jobs,
            exclude=excluded, progress=progress, settings=settings, scanned=scanned, settled=settled,
            pending=pending, settle_cached=stamp is None or not h.has_projects(as_of), pool=pool)
        pending.append(functools.partial(_remember_seen, h, scanned))
        clock.lap("read")
        # A project group is settled already when its files are those a worker read together (a folder read
        # whole), or all as before: its cross-workbook findings and its project come from the worker, or from
        # the cache and this as-of date's earlier run. Only the other groups load their records here (a re-run
        # after a few edits, a project spread over folders). ``--force`` takes nothing from earlier runs.
        key = checked_key(as_of, settings)
        known = {} if force else h.cross_entries()
        known.update(settled.cross)
        crossed = check_projects_reusing(results, as_of=as_of, settings=settings, key=key, known=known)
        pending.append(functools.partial(h.cache_store_cross, [
            *((path, sig, blob) for path, (sig, blob) in settled.cross.items()), *crossed]))
        del known, crossed
        clock.lap("cross_rules")
        taken: dict[str, Any] = {}
        reused: dict[str, Any] = {}  # taken from this as-of date's earlier run

        def reuse(signatures: dict[str, str]) -> dict[str, Any]:
            for pid, sig in signatures.items():
                piece = next((p for p in settled.projects.get(pid, ()) if p.signature == sig), None)
                if piece is not None:
                    taken[pid] = piece
            if stamp is not None:
                earlier = h.load_projects(as_of, {p: s for p, s in signatures.items() if p not in taken})
                taken.update(earlier)
                reused.update(earlier)
            return taken

        model = build_model(results, as_of, settings, key=key, reuse=reuse)
        settled.projects.clear()
        # The parsed records (every cell of every workbook) are most of a run's memory and nothing
        # needs them once the model is built: released before the summary is written.
        for r in results:
            r.record = None
        kpis = compute_kpis(model)
        previous = h.previous(as_of)
        trend = h.trend(until=as_of)
        clock.lap("model")
        snaps: list[Any] = []

        def snapshot() -> Any:
            # This run's snapshot rows, made once in a process: for 本周变化 (only when there is a previous
            # run to compare with) and for the history.
            if not snaps:
                snaps.append(snapshot_of(model, kpis))
            return snaps[0]

        def write() -> None:
            # The summary's rows live only while it is written: gone before the history snapshot (the peak).
            changes = diff(snapshot(), previous) if previous is not None else []
            summary = build_summary(model, kpis, changes, trend, had_previous=previous is not None, lang=lang)
            write_summary(summary, tmp, lang=lang, base_dir=root)

        def stamp_now() -> RunStamp:
            # Complete and on disk (write_summary fsyncs) before the history commits; renamed after.
            if child is not None:
                child.join()
                clock.lap("summary")  # the summary and, beside it, the history's rows
            return RunStamp(
                fingerprint(scanned, as_of=as_of, settings=settings, lang=lang, root=root, output=output,
                            others=others),
                str(output), file_digest(tmp), kpis, {**rollup_json(model, kpis, {}), "root": str(root)})

        output.parent.mkdir(parents=True, exist_ok=True)
        _remove_stale_temps(output)
        tmp = _temp_beside(output)
        child = Child(write) if worth_forking(len(model.projects), workers) else None
        try:
            if child is None:
                _write_and_collect(write)
                clock.lap("summary")
            for store in pending:
                store()
            h.save_snapshot(as_of, model, kpis, stamp=stamp_now, snap=snapshot(), reused=taken)
            os.replace(tmp, output)
        finally:
            if child is not None:
                child.stop()  # only still running when this run failed
            tmp.unlink(missing_ok=True)
        h.cache_prune(r.path for r in results)
        h.seen_prune(str(s.path) for s in scanned)
        clock.lap("history")
    run = RollupRun(as_of=as_of, summary=output, history=history_path, results=results, _model=model, kpis=kpis,
                    parsed=parsed, cached=cached, timings=clock.laps, root=root,
                    reused=sum(model.projects.get(pid) is stored.project for pid, stored in reused.items()))
    run.outputs = {"summary": str(output), "history": str(history_path)}
    return run


def _remember_seen(history: Any, scanned: Sequence[Scanned]) -> None:
    """Remember the stat and hash of every file this run hashed (not those it took an earlier hash for)."""
    history.seen_store((str(s.path), s.seen()) for s in scanned if s.sha256 and not s.vouched)


class _Clock:
    """Wall time between laps, by step name."""

    def __init__(self) -> None:
        self.laps: dict[str, float] = {}
        self._last = time.perf_counter()

    def lap(self, step: str) -> None:
        now = time.perf_counter()
        self.laps[step] = self.laps.get(step, 0.0) + now - self._last
        self._last = now


def _temp_beside(output: Path) -> Path:
    """A hidden temp name beside ``output`` (discovery skips it; :func:`_remove_stale_temps` knows it)."""
    return output.with_name(f".~{output.stem}.{os.getpid()}.{secrets.token_hex(4)}.xlsx")


def _summary_to_keep(stamp: Any, output: Path) -> Path | None:
    """The earlier run's summary, still byte-identical: ``output`` itself, else where that run wrote it."""
    for candidate in dict.fromkeys([output, Path(stamp.summary)]):
        try:
            if candidate.is_file() and file_digest(candidate) == stamp.summary_sha256:
                return candidate
        except OSError:
            continue
    return None


def _copy_into_place(source: Path, output: Path) -> None:
    """Copy ``source`` to ``output`` through a temp file, synced, then renamed (never a half-written copy)."""
    output.parent.mkdir(parents=True, exist_ok=True)
    _remove_stale_temps(output)
    tmp = _temp_beside(output)
    try:
        shutil.copyfile(source, tmp)
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
        os.replace(tmp, output)
    finally:
        tmp.unlink(missing_ok=True)
