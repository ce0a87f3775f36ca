"""The weekly job: discover → read (cached, in parallel) → check → aggregate → summary + history.

One bad file never stops the run; a second run waits for the first (a lock beside the history).

Where the work is done: the files that changed are read a folder at a time by worker processes, each of
which also checks and builds the projects of the folder (taking the folder's unchanged files from the parse
cache; :mod:`.reading` — the files are found and hashed by :mod:`.scanning`): the run then takes those projects,
and projects whose files are all as in this as-of date's earlier run, through one signature check (:mod:`.reuse`),
and builds only the rest itself. The summary is written by
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
import os
import re
import secrets
import shutil
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from ..config import Settings
from ..pipeline import file_digest
from ..results import FileResult
from .forked import Child, worth_forking
from .reading import POOL_THRESHOLD, Pool, Progress, Settled, checked_key, read_all, read_key
from .reuse import check_projects_reusing
from .scanning import Scanned, scan
from .sheetspec import collector_paused

# Scanned, Settled, checked_key, read_all, read_key and scan live in .scanning and .reading; named here too, where
# the run's callers have always found them.
__all__ = ["RollupRun", "Scanned", "Settled", "checked_key", "default_history", "fingerprint", "read_all", "read_key",
           "run_rollup", "scan"]


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

            with History(self.history, past_runs_only=True) as h:
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
