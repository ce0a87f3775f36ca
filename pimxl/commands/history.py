"""pimxl history — the runs a rollup history holds; drop a run; compact the file."""

from __future__ import annotations

import json
import sqlite3
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import click

from ..errors import PimxlError, UsageError
from .common import AS_OF, find_history, lang_option, settings_for

HISTORY_OPTION = click.option("--history", type=click.Path(dir_okay=False, path_type=Path), default=None,
                              help="历史数据库 / SQLite history of the rollup (default: pimxl.toml's, else "
                                   "pimxl-history.sqlite in the working folder)")
JSON_OPTION = click.option("--json", "as_json", is_flag=True, help="输出一个 JSON 文档 / print one JSON document")
WAIT_OPTION = click.option("--wait", type=click.FloatRange(min=0), default=60.0, show_default=True,
                           help="等待正在运行的汇总的秒数 / seconds to wait for a rollup that is running")


def _from_group(history: Path | None, as_json: bool, lang: str | None) -> tuple[Path | None, bool, str | None]:
    """A subcommand's --history, --json and --lang, else those given before it (``pimxl history --history DB drop
    …`` means that DB)."""
    parent = click.get_current_context().parent
    given = parent.params if parent is not None else {}
    return history or given.get("history"), as_json or bool(given.get("as_json")), lang or given.get("lang")


def _mb(n: int) -> str:
    return f"{n / 2**20:.1f} MB"


@contextmanager
def _opened(path: Path | None, lang: str | None, *, wait: float | None = None) -> Iterator[tuple[Any, Path, str]]:
    """A connection to the history (never created here: a path that holds none is a usage error) — for changing it,
    with the rollup's lock held, when ``wait`` is given — and the language of messages."""
    from ..rollup.history_admin import opened
    from ..rollup.lock import LockTimeout

    settings = settings_for(None, lang=lang)
    path = path or find_history(Path.cwd(), settings)
    if not path.is_file():
        raise UsageError(f"没有历史数据库 / no history database: {path}")
    try:
        with opened(path, write=wait is not None, wait=wait) as conn:
            yield conn, path, settings.lang
    except LockTimeout:
        raise PimxlError(f"汇总正在运行，稍后再试 / a rollup is using the history, try again later: {path}") from None
    except sqlite3.DatabaseError as e:
        raise PimxlError(f"历史数据库不可用 / history database unusable: {e}") from None


@click.group(invoke_without_command=True, help="""历史数据库：列出各周的汇总运行，删除一次运行，压缩文件。
The rollup history: list its weekly runs (the default), drop a run, compact the file.""")
@HISTORY_OPTION
@JSON_OPTION
@lang_option
@click.pass_context
def history(ctx: click.Context, history: Path | None, as_json: bool, lang: str | None) -> None:
    if ctx.invoked_subcommand is None:
        ctx.invoke(list_command, history=history, as_json=as_json, lang=lang)


@history.command("list", help="列出历史中的每次运行（基准日、运行时间、版本、项目数、红黄绿）。"
                              "List every run the history holds (as-of date, when, pimxl version, projects, RAG).")
@HISTORY_OPTION
@JSON_OPTION
@lang_option
def list_command(history: Path | None, as_json: bool, lang: str | None) -> None:
    from ..rollup.history_admin import cached_files, file_size, list_runs
    from ..terminal import ljust, width

    history, as_json, lang = _from_group(history, as_json, lang)
    with _opened(history, lang) as (conn, path, lang):
        runs = list_runs(conn)
        cached = cached_files(conn)
    size = file_size(path)
    if as_json:
        click.echo(json.dumps({"history": str(path), "bytes": size, "cached_files": cached,
                               "runs": [r.json() for r in runs]}, ensure_ascii=False, indent=1))
        return
    en = lang == "en"
    click.echo(f"history: {path} ({_mb(size)}; {len(runs)} runs, {cached} files cached)" if en else
               f"历史数据库：{path}（{_mb(size)}；{len(runs)} 次运行，缓存 {cached} 个文件）")
    head = ("as of", "run at", "version", "projects", "red", "amber", "green", "files") if en else (
        "基准日", "运行时间", "版本", "项目", "红", "黄", "绿", "文件")
    rows = [(r.as_of.isoformat(), r.run_at.replace("T", " "), r.version,
             *(str(r.kpis.get(k, "")) for k in ("projects", "red", "amber", "green", "files_found"))) for r in runs]
    widths = [max(width(x) for x in col) for col in zip(head, *rows, strict=True)]
    for row in (head, *rows):
        click.echo("  ".join(ljust(x, w) for x, w in zip(row, widths, strict=True)).rstrip())


@history.command("drop", help="""删除某个基准日的运行（该次的快照、项目和汇总记录）：例如用错了基准日的一次运行。
之后各周的本周变化和趋势按剩下的运行计算（重跑这些周，或 pimxl summary，更新其汇总）。
--before DATE 删除该日期之前的全部运行（只保留近期的历史）。
Drop the run of each DATE (its snapshot rows, projects and run record), e.g. one made with a wrong as-of date;
--before DATE drops every run before DATE (to keep only recent years). Later weeks' changes and trend then follow
the runs left (re-run them, or pimxl summary, to refresh their summaries).
Exit 0 dropped, 2 no such run, nothing before DATE, or not confirmed.""")
@click.argument("dates", nargs=-1, type=AS_OF)
@click.option("--before", type=AS_OF, default=None, help="删除此日期之前的全部运行 / drop every run before this date")
@click.option("--yes", is_flag=True, help="不再询问 / do not ask for confirmation")
@HISTORY_OPTION
@WAIT_OPTION
@JSON_OPTION
@lang_option
def drop_command(dates: tuple[date, ...], before: date | None, yes: bool, history: Path | None, wait: float,
                 as_json: bool, lang: str | None) -> None:
    from ..rollup.history_admin import drop_runs, list_runs

    if not dates and before is None:
        raise UsageError("给出要删除的基准日或 --before / give the dates to drop, or --before DATE")
    history, as_json, lang = _from_group(history, as_json, lang)
    with _opened(history, lang, wait=wait) as (conn, path, lang):
        en = lang == "en"
        held = {r.as_of for r in list_runs(conn)}
        missing = sorted(d.isoformat() for d in set(dates) - held)
        if missing:
            raise UsageError(f"历史中没有这些基准日的运行 / no run of {', '.join(missing)} in {path}")
        if before is not None:
            older = {d for d in held if d < before}
            if not older:
                raise UsageError(f"历史中没有 {before} 之前的运行 / no run before {before} in {path}")
            dates = (*dates, *older)
        listed = ", ".join(sorted(d.isoformat() for d in set(dates)))
        if not yes:
            if not sys.stdin.isatty():
                raise UsageError(f"删除 {listed} 的运行须加 --yes 确认 / add --yes to drop the run of {listed}")
            click.confirm(f"{'Drop the run of' if en else '删除运行'} {listed}?", abort=True, err=True)
        counts = drop_runs(conn, dates)
    if as_json:
        click.echo(json.dumps({"history": str(path), "dropped": sorted(d.isoformat() for d in set(dates)),
                               "rows": counts}, ensure_ascii=False))
        return
    rows = sum(counts.values())
    click.echo(f"dropped the run of {listed} ({rows} rows) from {path}" if en else
               f"已删除 {listed} 的运行（{rows} 行）：{path}")


@history.command("compact", help="""压缩历史数据库：把删除留下的空闲空间还给磁盘（需要与数据库同样大小的空闲磁盘）。
Compact the history: give the space of deleted rows back to the disk (needs as much free disk as the file holds).""")
@HISTORY_OPTION
@WAIT_OPTION
@JSON_OPTION
@lang_option
def compact_command(history: Path | None, wait: float, as_json: bool, lang: str | None) -> None:
    from ..rollup.history_admin import compact

    history, as_json, lang = _from_group(history, as_json, lang)
    with _opened(history, lang, wait=wait) as (conn, path, lang):
        before, after = compact(conn, path)
    if as_json:
        click.echo(json.dumps({"history": str(path), "bytes_before": before, "bytes_after": after},
                              ensure_ascii=False))
        return
    click.echo(f"{path}: {_mb(before)} → {_mb(after)}")
