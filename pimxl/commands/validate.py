"""pimxl validate — point at every bad cell."""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from typing import Any

import click

from .common import as_of_option, lang_option, settings_for


@click.command(help="""校验工作簿，逐个指出有问题的单元格。Validate workbooks and point at every bad cell.

PATH 可以是文件或文件夹（递归）。Exit: 0 无错误 / no errors, 1 有错误 / errors found,
2 用法错误 / usage, 3 指定的文件无法读取 / a named file could not be read.""")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="输出一个 JSON 文档 / print one JSON document")
@click.option("--annotate", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="把标注了问题单元格的副本写入此文件夹 / write annotated copies into DIR")
@click.option("--no-info", is_flag=True, help="不显示提示级信息 / hide info findings")
@click.option("--jobs", type=click.IntRange(0, 64), default=None,
              help="并行进程数 / worker processes for many workbooks (0 = CPUs)")
@click.option("--quiet", is_flag=True, help="不显示进度条 / no progress bar")
@as_of_option
@lang_option
def validate(paths: tuple[Path, ...], as_json: bool, annotate: Path | None, no_info: bool, jobs: int | None,
             quiet: bool, as_of: date | None, lang: str | None) -> None:
    from ..validate import render_text, to_json, validate_paths

    settings = settings_for(paths[0], lang=lang)
    lang = settings.lang
    bar: Any = None

    def progress(done: int, total: int) -> None:
        # A bar on a terminal only, for a folder of workbooks (one file is read in a blink).
        nonlocal bar
        if quiet or total < 10 or not sys.stderr.isatty():
            return
        if bar is None:
            bar = click.progressbar(length=total, label="校验 / checking", file=sys.stderr)
            bar.__enter__()
        bar.update(1)

    try:
        run = validate_paths(list(paths), as_of=as_of or date.today(), settings=settings, jobs=jobs,
                             progress=progress)
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)
    if annotate is not None:
        from ..io.annotate import annotate_results

        written = annotate_results(run.results, list(paths), annotate, lang=lang)
        click.echo(("已写入标注副本 {n} 个 → {d}" if lang == "zh" else "wrote {n} annotated copies → {d}")
                   .format(n=len(written), d=annotate), err=True)
    if as_json:
        click.echo(json.dumps(to_json(run, lang), ensure_ascii=False, indent=1))
    else:
        click.echo(render_text(run, lang, show_info=not no_info))
    raise SystemExit(run.exit_code)
