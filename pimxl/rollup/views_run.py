"""Write the role views of a run (``pimxl rollup --views DIR``) or of a past week from the history
(``pimxl views DIR --as-of DATE``).

Each view is written by the summary writer: to a hidden temporary file in DIR, then renamed into place, so a
crash never leaves a half-written view. Hyperlinks point at the source files relative to the views' folder;
the sources' root is the one the run was given (``root=``), else found from the source paths (below).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..results import FileResult
from .model import RollupModel
from .roster import Roster
from .summary_writer import write_summary
from .views import View, build_views

if TYPE_CHECKING:
    from .run import RollupRun

__all__ = ["ViewsError", "find_root", "rebuild_views", "stored_root", "stored_run", "write_model_views",
           "write_views"]


class ViewsError(Exception):
    """The history cannot give the asked week (no history, no such run, or no stored model)."""


def find_root(model: RollupModel, near: Iterable[Path], results: Iterable[FileResult] = ()) -> Path | None:
    """The folder the model's source paths are relative to, looked for around ``near``.

    Candidates, in order: the folder of the pimxl.toml the run read and the folders up to two levels below it
    (ROOT is at or under it), then each folder of ``near``, its parents and their sub-folders. A candidate
    must hold the first rolled-up source files; when ``results`` give their size and modification time (a
    run's results do), those must match too, so a copy of the same centre elsewhere is never taken.
    """
    stamps = {r.path: (r.size, r.mtime) for r in results if r.size}
    probes = [s.path for s in model.sources if s.status not in ("skipped", "unreadable")][:5]
    if not probes:
        return None
    if all(Path(p).is_absolute() for p in probes):
        return Path("/")

    def holds(folder: Path) -> bool:
        for rel in probes:
            try:
                st = (folder / rel).stat()
            except OSError:
                return False
            if rel in stamps and (st.st_size, st.st_mtime) != stamps[rel]:
                return False
        return True

    def below(folder: Path, depth: int) -> list[Path]:
        try:
            kids = sorted(c for c in folder.iterdir() if c.is_dir() and not c.name.startswith("."))
        except OSError:
            return []
        return kids + ([g for k in kids for g in below(k, depth - 1)] if depth > 1 else [])

    starts: list[Path] = []
    if model.settings.source:
        config_dir = Path(model.settings.source).resolve().parent
        starts += [config_dir, *below(config_dir, 2)]
    for start in near:
        for folder in [start.resolve(), *start.resolve().parents]:
            starts += [folder, *below(folder, 1)]
    seen: set[Path] = set()
    for cand in starts:
        if cand not in seen:
            seen.add(cand)
            if holds(cand):
                return cand
    return None


def write_model_views(model: RollupModel, out_dir: Path, *, lang: str = "zh", root: Path | None = None,
                      roster: Mapping[str, Iterable[str]] | None = None) -> list[tuple[View, Path]]:
    """Build and write every view of ``model``; returns each view with the file written.

    ``roster`` (canonical name → aliases) replaces the one of the run's settings when given.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    people = Roster.from_settings(roster if roster else model.settings.roster)
    for view in build_views(model, lang, people):
        path = out_dir / view.file_name
        write_summary(view.summary, path, lang=lang, base_dir=root, one_page=view.one_page)
        written.append((view, path))
    return written


def write_views(run: RollupRun, out_dir: Path, *, lang: str = "zh", root: Path | None = None) -> list[Path]:
    """The views of a finished rollup run, in ``out_dir``; returns the files written."""
    if root is None:
        root = run.root or find_root(run.model, [run.summary.parent, Path.cwd()], run.results)
    return [path for _, path in write_model_views(run.model, out_dir, lang=lang, root=root)]


def stored_run(history: Path, as_of: date | None) -> tuple[date, RollupModel, Any]:
    """The model and stamp of the run of ``as_of`` (the latest when None) in ``history``; ViewsError if none."""
    from .history import History

    if not Path(history).is_file():
        raise ViewsError(f"没有历史数据库 / no history database: {history}")
    with History(history, past_runs_only=True) as h:
        runs = h.runs()
        if not runs:
            raise ViewsError(f"历史数据库中没有汇总记录 / the history holds no runs: {history}")
        as_of = as_of or runs[-1]
        if as_of not in runs:
            shown = ", ".join(d.isoformat() for d in runs[-8:])
            raise ViewsError(f"没有 {as_of} 的汇总记录 / no run as of {as_of} (runs: {shown})")
        model = h.load_model(as_of)
        stamp = h.run_stamp(as_of)
    if model is None:
        raise ViewsError(f"{as_of} 的记录没有可用的模型（由其他版本的 pimxl 写入）/ the run of {as_of} has no "
                         "usable model (written by another pimxl version)")
    return as_of, model, stamp


def stored_root(model: RollupModel, stamp: Any, history: Path) -> Path | None:
    """The folder a stored run rolled up when it is still there with the files; else looked for."""
    ran = Path(stamp.doc["root"]) if stamp is not None and stamp.doc.get("root") else None
    if ran is not None and find_root(model, [ran]) == ran:
        return ran
    return find_root(model, [Path(history).parent, Path.cwd()])


def rebuild_views(history: Path, out_dir: Path, *, as_of: date | None = None, lang: str | None = None,
                  root: Path | None = None, roster: Mapping[str, Iterable[str]] | None = None,
                  ) -> tuple[date, list[tuple[View, Path]]]:
    """The views of a past run, from the model stored in the history; the latest run when ``as_of`` is None."""
    as_of, model, stamp = stored_run(history, as_of)
    if root is None:
        root = stored_root(model, stamp, history)
    return as_of, write_model_views(model, out_dir, lang=lang or model.settings.lang, root=root, roster=roster)
