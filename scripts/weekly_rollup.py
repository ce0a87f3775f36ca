#!/usr/bin/env python3
"""Scheduler entry point for the weekly rollup (cron / Windows Task Scheduler).

    python scripts/weekly_rollup.py --root /srv/客服中心/项目 --out /srv/客服中心/汇总

Reads pimxl.toml (found by walking up from --root), writes the dated summary
(汇总-2026-W48.xlsx), the role views (视图/…) and appends to a log (pimxl-weekly.log) in --out.
Exit codes: 0 the run completed (bad input files are findings, not failures); 1 the run itself
failed (output folder not writable, history damaged, another run still holding the history after
--wait seconds, …; details in the log); 2 bad arguments or configuration.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
import traceback
from datetime import date
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="pimxl weekly rollup (每周汇总)")
    ap.add_argument("--root", type=Path, required=True, help="folder holding every project's workbooks")
    ap.add_argument("--out", type=Path, required=True, help="folder for the dated summaries, views, history, log")
    ap.add_argument("--as-of", type=date.fromisoformat, default=None, help="as-of date (default today)")
    ap.add_argument("--history", type=Path, default=None, help="SQLite history (default: pimxl.toml, else in --out)")
    ap.add_argument("--no-views", action="store_true", help="do not write the role views")
    ap.add_argument("--jobs", type=int, default=None, help="worker processes (default: pimxl.toml, else CPUs)")
    ap.add_argument("--force", action="store_true",
                    help="rebuild the summary even when nothing changed since this week's last run")
    ap.add_argument("--wait", type=float, default=3600.0,
                    help="seconds to wait for another run holding the history lock (default 3600)")
    args = ap.parse_args(argv)

    log = logging.getLogger("pimxl.weekly")
    log.setLevel(logging.DEBUG)
    log.handlers.clear()  # main() may run more than once in a process (tests, a service)
    fmt = logging.Formatter("%(asctime)s %(levelname)s %(message)s")
    to_console = logging.StreamHandler(sys.stderr)
    to_console.setLevel(logging.INFO)
    to_console.setFormatter(fmt)
    log.addHandler(to_console)
    try:
        args.out.mkdir(parents=True, exist_ok=True)
        # The log file keeps the details (tracebacks at DEBUG) for the maintainer; the console gets one line.
        to_file = logging.FileHandler(args.out / "pimxl-weekly.log", encoding="utf-8")
    except OSError as e:
        log.error("rollup FAILED: output folder %s is not writable: %s", args.out, e.strerror or e)
        return 1
    to_file.setLevel(logging.DEBUG)
    to_file.setFormatter(fmt)
    log.addHandler(to_file)
    try:
        return _run(args, log)
    finally:
        log.removeHandler(to_file)
        to_file.close()


def _run(args: argparse.Namespace, log: logging.Logger) -> int:
    from pimxl.config import ConfigError, load_settings
    from pimxl.demo.run import week_name
    from pimxl.rollup.lock import LockTimeout, RunLock
    from pimxl.rollup.run import default_history

    as_of = args.as_of or date.today()
    if not args.root.is_dir():
        log.error("root folder not found: %s", args.root)
        return 2
    try:
        settings = load_settings(args.root)
    except ConfigError as e:
        log.error("bad configuration: %s", e)
        return 2
    output = args.out / week_name("汇总", as_of)
    # A relative history path in pimxl.toml is relative to that file, as for `pimxl rollup`.
    history = args.history or default_history(output, settings)
    log.info("rollup start: root=%s as_of=%s output=%s config=%s", args.root, as_of, output,
             settings.source or "(defaults)")
    started = time.perf_counter()
    try:
        # Another run (last week's, still going) holds the history: wait for it, up to --wait seconds.
        with RunLock(history.with_name(history.name + ".lock"), timeout=args.wait):
            pass
    except LockTimeout:
        log.error("rollup FAILED: another run still holds the history %s after %.0f s", history, args.wait)
        return 1
    except OSError as e:
        log.error("rollup FAILED: history folder not usable: %s: %s", history.parent, e.strerror or e)
        return 1
    try:
        from pimxl.rollup.run import run_rollup

        run = run_rollup(args.root, output, as_of=as_of, settings=settings, history=history, jobs=args.jobs,
                         lang=settings.lang, force=args.force)
        if not args.no_views:
            try:
                from pimxl.rollup.views_run import write_views
            except ImportError:
                pass
            else:
                written = write_views(run, args.out / "视图", lang=settings.lang)
                log.info("views written: %d", len(written))
    except Exception as e:
        log.error("rollup FAILED after %.1f s: %s: %s (details in %s)", time.perf_counter() - started,
                  type(e).__name__, e, args.out / "pimxl-weekly.log")
        log.debug("%s", traceback.format_exc())
        return 1
    k = run.kpis
    log.info("rollup done in %.1f s: files found=%d read=%d skipped=%d unreadable=%d (parsed %d, cached %d); "
             "projects=%d (%d taken over unchanged) red=%d amber=%d green=%d receivable=%.2f; findings error=%d "
             "warning=%d",
             time.perf_counter() - started, k["files_found"], k["files_read"], k["files_skipped"],
             k["files_unreadable"], run.parsed, run.cached, k["projects"], run.reused, k["red"], k["amber"], k["green"],
             k["receivable"], k["findings_error"], k["findings_warning"])
    if run.unchanged:
        log.info("nothing changed since this week's last run: its summary was kept (--force rebuilds)")
    if run.timings:
        log.info("steps (s): %s", ", ".join(f"{step} {sec:.1f}" for step, sec in run.timings.items()))
    _log_history_size(history, log)
    # From the run's --json document: an unchanged re-run (which reads nothing) lists them too.
    for p in run.json().get("problem_files", []):
        log.info("%s %s: %s", p["status"], p["path"], p["reason_en"])
    print(output)
    return 0


def _log_history_size(history: Path, log: logging.Logger) -> None:
    """How large the history has grown and how many runs it holds (≈ 17 MB a week at 1,000 projects): the
    maintainer sees it in the log, and `pimxl history drop` / `compact` trim it."""
    import sqlite3

    from pimxl.rollup.history_admin import file_size, list_runs, opened

    try:
        with opened(history) as conn:
            runs = len(list_runs(conn))
        log.info("history %s: %.1f MB, %d runs (pimxl history lists them; drop / compact trim it)", history,
                 file_size(history) / 2**20, runs)
    except (OSError, sqlite3.Error) as e:  # only a report: never fail a completed run over it
        log.debug("history size not read: %s", e)


if __name__ == "__main__":
    sys.exit(main())
