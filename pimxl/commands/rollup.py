"""pimxl rollup — the weekly centre summary."""

from __future__ import annotations

import json
import sqlite3
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import click

from ..errors import PimxlError
from .common import as_of_option, collector_off_until_exit, exit_now, lang_option, settings_for

if TYPE_CHECKING:
    from ..rollup.run import RollupRun


@click.command(help="""每周汇总：读取 ROOT 下全部项目工作簿，生成中心项目汇总工作簿。
The weekly rollup: read every project workbook under ROOT and write the centre summary workbook.

一个坏文件不会中断运行；每个文件都列在“来源”页。Exit 0 when the run completed (whatever the
findings), 1 when the run itself failed.""")
@click.argument("root", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="汇总工作簿路径 / summary workbook to write (.xlsx)")
@click.option("--history", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="历史数据库 / SQLite history (default: pimxl.toml, else beside the summary)")
@click.option("--views", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="同时生成角色视图到此文件夹 / also write the role views into DIR")
@click.option("--jobs", type=click.IntRange(0, 64), default=None, help="并行进程数 / worker processes (0 = CPUs)")
@click.option("--json", "as_json", is_flag=True, help="输出一个 JSON 文档 / print one JSON document")
@click.option("--quiet", "-q", is_flag=True, help="不显示进度 / no progress bar")
@click.option("--force", is_flag=True,
              help="即使输入未变化也重新汇总，并重新读取每个文件以核对内容 / rebuild even when nothing changed since "
                   "this as-of date's last run, and read every file again to hash it")
@as_of_option
@lang_option
def rollup(root: Path, output: Path, history: Path | None, views: Path | None, jobs: int | None, as_json: bool,
           quiet: bool, force: bool, as_of: date | None, lang: str | None) -> None:
    from ..rollup.run import run_rollup

    settings = settings_for(root, lang=lang)
    lang = settings.lang
    show = not quiet and not as_json and sys.stderr.isatty()
    bar = None

    def progress(done: int, total: int) -> None:
        nonlocal bar
        if not show:
            return
        if bar is None:
            bar = click.progressbar(length=total, label="读取 / reading", file=sys.stderr)
            bar.__enter__()
        bar.update(1)

    if views is None:  # the views are many workbooks whose garbage the collector frees as they are written
        collector_off_until_exit()
    try:
        run = run_rollup(root, output, as_of=as_of or date.today(), settings=settings, history=history, jobs=jobs,
                         lang=lang, progress=progress, exclude=[views] if views else [], force=force)
    except OSError as e:  # the output or history folder cannot be written: the user's to fix, not a bug
        where = f" ({e.filename})" if e.filename else ""
        raise PimxlError(f"汇总失败，无法写入 / rollup failed, cannot write: {e.strerror or e}{where}") from None
    except sqlite3.DatabaseError as e:
        raise PimxlError(f"历史数据库不可用 / history database unusable: {e}") from None
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)
    if views is not None:
        from ..rollup.views_run import write_views

        run.outputs["views"] = [str(p) for p in write_views(run, views, lang=lang)]
    if as_json:
        click.echo(json.dumps(run.json(), ensure_ascii=False, indent=1, default=str))
    else:
        click.echo(render_outcome(run, lang))
    exit_now(0)


def render_outcome(run: RollupRun, lang: str) -> str:
    k = run.kpis
    if lang == "en":
        lines = [
            f"summary: {run.summary}",
            f"as of {run.as_of}: {k['projects']} projects, {k['contracts']} contracts; "
            f"red {k['red']}, amber {k['amber']}, green {k['green']}",
            f"contract value ¥{k['contract_value']:,.2f}, received ¥{k['received']:,.2f}, "
            f"receivable ¥{k['receivable']:,.2f} (overdue ¥{k['overdue_receivable']:,.2f})",
            f"files: {k['files_found']} found, {k['files_read']} read, {k['files_skipped']} skipped, "
            f"{k['files_unreadable']} unreadable; parsed {run.parsed}, from cache {run.cached}",
        ]
        if run.unchanged:
            lines.append("unchanged: nothing changed since this as-of date's last run; its summary was kept "
                         "(--force rebuilds it)")
    else:
        lines = [
            f"汇总：{run.summary}",
            f"基准日 {run.as_of}：项目 {k['projects']} 个，合同 {k['contracts']} 份；"
            f"红 {k['red']}，黄 {k['amber']}，绿 {k['green']}",
            f"合同额 ¥{k['contract_value']:,.2f}，已收 ¥{k['received']:,.2f}，"
            f"应收 ¥{k['receivable']:,.2f}（逾期 ¥{k['overdue_receivable']:,.2f}）",
            f"文件：发现 {k['files_found']}，读取 {k['files_read']}，跳过 {k['files_skipped']}，"
            f"无法读取 {k['files_unreadable']}；本次解析 {run.parsed}，取自缓存 {run.cached}",
        ]
        if run.unchanged:
            lines.append("未变化：自该基准日上次运行以来没有任何变化，沿用其汇总（--force 重新生成）")
    return "\n".join(lines)
