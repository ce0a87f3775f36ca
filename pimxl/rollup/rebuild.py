"""A past week's summary workbook, rebuilt from the history alone (``pimxl summary``).

The run of that as-of date stored its model and snapshot; 本周变化 is diffed against the run before it, and 趋势
holds the runs up to it — the summary as it was that week, without reading any project file again. Written like
every summary: to a hidden temporary file beside the output, then renamed into place.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from .views_run import ViewsError, stored_root, stored_run

__all__ = ["rebuild_summary"]


def rebuild_summary(history: Path, output: Path, *, as_of: date | None = None, lang: str | None = None,
                    root: Path | None = None) -> date:
    """Write the summary of the run of ``as_of`` (the latest when None) to ``output``; returns the as-of date.

    Raises :class:`~pimxl.rollup.views_run.ViewsError` when the history has no such run.
    """
    from .changes import diff
    from .history import History
    from .sheets import build_summary
    from .summary_writer import write_summary

    as_of, model, stamp = stored_run(history, as_of)
    # As History.replay, without loading the model a second time.
    with History(history, past_runs_only=True) as h:
        snapshot, previous, trend = h.snapshot(as_of), h.previous(as_of), h.trend(until=as_of)
    if snapshot is None:
        raise ViewsError(f"{as_of} 的记录不完整 / the run of {as_of} is incomplete in the history")
    lang = lang or model.settings.lang
    summary = build_summary(model, snapshot.kpis, diff(snapshot, previous), trend,
                            had_previous=previous is not None, lang=lang)
    output.parent.mkdir(parents=True, exist_ok=True)
    write_summary(summary, output, lang=lang, base_dir=root or stored_root(model, stamp, history))
    return as_of
