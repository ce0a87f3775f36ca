"""Reading every file found, using and filling the parse cache: the files that changed are read a folder at a time
by worker processes (:class:`Pool`), each of which also runs the workbook rules and — for a folder it reads whole —
the cross-workbook rules and builds the folder's projects (:func:`~pimxl.rollup.reuse.folder_pieces`).
"""

from __future__ import annotations

import functools
import gc
import hashlib
import multiprocessing
import os
import signal
import sys
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from ..config import Settings
from ..pipeline import POOL_THRESHOLD, check_file, compact_dumps, compact_loads, file_digest, read_file
from ..results import FileResult
from .reuse import folder_pieces, load_split, split_dumps
from .scanning import Scanned, scan

__all__ = ["BATCH", "POOL_THRESHOLD", "STORE_EVERY", "Pool", "Progress", "Settled", "checked_key", "read_all",
           "read_key"]


Progress = Callable[[int, int], None]


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
            from_cache = _from_cache(entries[shown], key)
            if from_cache is None:  # a damaged entry: parse the file after all
                results[index] = _read_here(job, as_of, settings, key, parsing)
                continue
            cached_result, rules_restored = from_cache
            cached_result.path = shown
            results[index] = cached_result
            if not rules_restored and key is not None:
                unchecked.append((index, cached_result))
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
        for index, unchecked_result in unchecked:
            rules = ran.get(index)
            if rules is not None:  # checked by the worker that settled its folder
                _checked(unchecked_result, compact_loads(rules))
            else:
                before = len(unchecked_result.findings)
                check_file(unchecked_result, as_of=as_of, settings=settings)
                rules = compact_dumps(unchecked_result.findings[before:])
            store.append((unchecked_result.path, key, rules))
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

