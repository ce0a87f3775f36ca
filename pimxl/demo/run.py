"""Build the sample centre for two consecutive weeks and roll each week up."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

from ..config import load_settings
from .build import CONFIG_TOML, build_centre

__all__ = ["run_demo", "week_name"]


def week_name(prefix: str, as_of: date, suffix: str = ".xlsx") -> str:
    """汇总-2026-W48.xlsx (ISO week of the as-of date)."""
    y, w, _ = as_of.isocalendar()
    return f"{prefix}-{y}-W{w:02d}{suffix}"


def run_demo(target: Path, as_of: date, *, weeks: int = 2, projects: int = 44, lang: str = "zh",
             views: bool = True, say: Callable[[str], None] = lambda s: None) -> list:
    """Returns the RollupRun of every week, oldest first."""
    from ..rollup.run import run_rollup

    source = target / "项目"
    out = target / "汇总"
    target.mkdir(parents=True, exist_ok=True)
    config = target / "pimxl.toml"
    if not config.exists():
        config.write_text(CONFIG_TOML, "utf-8")
    runs = []
    for k in range(weeks - 1, -1, -1):
        cut = as_of - timedelta(days=7 * k)
        stats = build_centre(source, cut, projects=projects, centre_as_of=as_of)
        say(f"{cut}: 写入工作簿 {stats['written']} 个，未变 {stats['kept']} 个 / wrote {stats['written']}, "
            f"unchanged {stats['kept']}")
        settings = load_settings(source)
        run = run_rollup(source, out / week_name("汇总", cut), as_of=cut, settings=settings.with_overrides(lang=lang),
                         history=out / "pimxl-history.sqlite", lang=lang)
        if views:
            try:
                from ..rollup.views_run import write_views
            except ImportError:  # views arrive with their own issue
                pass
            else:
                run.outputs["views"] = [str(p) for p in write_views(run, out / "视图", lang=lang)]
        runs.append(run)
    return runs
