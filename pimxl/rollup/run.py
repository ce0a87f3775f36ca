"""The weekly job: discover → read (cached, in parallel) → check → aggregate → summary + history.

One bad file never stops the run; a second run waits for the first (a lock beside the history);
the summary is written to a temp file and renamed, and the history snapshot is one transaction —
a run killed at any moment leaves the previous summary and history as they were.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from ..config import Settings
from ..pipeline import check_file, check_projects, file_digest, read_file
from ..results import FileResult

__all__ = ["RollupRun", "default_history", "run_rollup"]

#: Below this many files to parse, a process pool costs more than it saves.
POOL_THRESHOLD = 24

Progress = Callable[[int, int], None]


@dataclass
class RollupRun:
    as_of: date
    summary: Path
    history: Path
    results: list[FileResult]
    model: Any  # RollupModel
    kpis: dict[str, Any]
    parsed: int = 0  # files parsed this run (cache misses)
    cached: int = 0  # files taken from the cache
    outputs: dict[str, Any] = field(default_factory=dict)

    def json(self) -> dict[str, Any]:
        from .kpis import rollup_json

        doc = rollup_json(self.model, self.kpis, self.outputs)
        doc["cache"] = {"parsed": self.parsed, "cached": self.cached}
        return doc


def default_history(output: Path, settings: Settings) -> Path:
    if settings.history:
        p = Path(settings.history)
        if not p.is_absolute() and settings.source:
            p = Path(settings.source).parent / p
        return p
    return output.parent / "pimxl-history.sqlite"


def _read_job(args: tuple[str, str, date]) -> FileResult:
    path, shown, as_of = args
    return read_file(Path(path), as_of=as_of, display=shown)


def _display(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


def read_all(root: Path, *, as_of: date, history: Any, jobs: int, exclude: Sequence[Path] = (),
             progress: Progress | None = None) -> tuple[list[FileResult], int, int]:
    """Every file under ``root`` as a FileResult (read, not yet checked), using and filling the cache."""
    from ..io.discover import discover

    results: list[FileResult | None] = []
    todo: list[tuple[int, Path, str, tuple[int, int, str]]] = []
    for found in discover([root], exclude_outputs=exclude):
        shown = _display(found.path, root)
        if found.status != "candidate":
            results.append(FileResult(path=shown, status="skipped", kind=found.kind,
                                      reason_zh=found.reason_zh, reason_en=found.reason_en))
            continue
        try:
            st = found.path.stat()
            key = (st.st_size, st.st_mtime_ns, file_digest(found.path))
        except OSError as e:
            results.append(FileResult(path=shown, status="unreadable", code="read-failed",
                                      reason_zh=f"无法打开文件（{e.strerror}）", reason_en=f"cannot open ({e.strerror})"))
            continue
        hit = history.cache_get(shown, *key)
        if isinstance(hit, FileResult):
            hit.path = shown
            results.append(hit)
            continue
        results.append(None)
        todo.append((len(results) - 1, found.path, shown, key))

    done = 0
    total = len(todo)
    for (index, _, _shown, _), result in zip(todo, _parse([(str(p), s, as_of) for _, p, s, _ in todo], jobs),
                                           strict=True):
        results[index] = result
        done += 1
        if progress:
            progress(done, total)
    history.cache_put_many((shown, size, mtime, sha, results[index]) for index, _, shown, (size, mtime, sha) in todo)
    final = [r for r in results if r is not None]
    return final, total, len(final) - total - sum(1 for r in final if r.status == "skipped")


def _parse(jobs_args: list[tuple[str, str, date]], jobs: int) -> Iterator[FileResult]:
    workers = jobs or os.cpu_count() or 1
    if workers <= 1 or len(jobs_args) < POOL_THRESHOLD:
        yield from map(_read_job, jobs_args)
        return
    # Workers send back the compact typed record, not raw cells; chunks keep pickling overhead low.
    chunk = max(1, len(jobs_args) // (workers * 8))
    with ProcessPoolExecutor(max_workers=workers) as pool:
        yield from pool.map(_read_job, jobs_args, chunksize=chunk)


def run_rollup(root: Path, output: Path, *, as_of: date, settings: Settings, history: Path | None = None,
               jobs: int | None = None, lang: str = "zh", progress: Progress | None = None,
               exclude: Sequence[Path] = ()) -> RollupRun:
    from .aggregate import build_model
    from .changes import diff, snapshot_of
    from .history import History
    from .kpis import compute_kpis
    from .sheets import build_summary
    from .summary_writer import write_summary

    root, output = root.resolve(), output.resolve()
    history_path = (history or default_history(output, settings)).resolve()
    with History(history_path) as h, h.lock(timeout=3600):
        results, parsed, cached = read_all(
            root, as_of=as_of, history=h, jobs=jobs if jobs is not None else settings.jobs,
            exclude=[output, history_path, *exclude], progress=progress)
        for r in results:
            check_file(r, as_of=as_of, settings=settings)
        check_projects(results, as_of=as_of, settings=settings)
        model = build_model(results, as_of, settings)
        kpis = compute_kpis(model)
        previous = h.previous(as_of)
        changes = diff(snapshot_of(model, kpis), previous)
        summary = build_summary(model, kpis, changes, h.trend(), had_previous=previous is not None, lang=lang)
        output.parent.mkdir(parents=True, exist_ok=True)
        write_summary(summary, output, lang=lang, base_dir=root)
        h.save_snapshot(as_of, model, kpis)
        h.cache_prune(r.path for r in results)
    run = RollupRun(as_of=as_of, summary=output, history=history_path, results=results, model=model, kpis=kpis,
                    parsed=parsed, cached=cached)
    run.outputs = {"summary": str(output), "history": str(history_path)}
    return run
