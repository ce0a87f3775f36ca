"""pimxl summary — a past week's summary workbook, rebuilt from the history."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import click

from ..errors import UsageError
from .common import find_history, history_options, settings_for


@click.command(help="""重建汇总：从历史数据库重新生成某一周的汇总工作簿到 OUTPUT（不重新读取任何项目文件）——
当周的数字、本周变化（对比上一周）和截至当周的趋势，与当时一致。
Rebuild a past week's summary workbook into OUTPUT from the rollup history alone (no project file is read):
that week's figures, its changes against the week before and the trend up to it, as they were.

默认取历史中最近一周；历史数据库默认为 pimxl.toml 的 history，其次 OUTPUT 所在文件夹或当前文件夹的
pimxl-history.sqlite。Exit 0 done, 2 no such week / no history.""")
@click.argument("output", type=click.Path(dir_okay=False, path_type=Path))
@history_options
def summary(output: Path, history: Path | None, root: Path | None, as_json: bool, as_of: date | None,
            lang: str | None) -> None:
    from ..rollup.rebuild import rebuild_summary
    from ..rollup.views_run import ViewsError

    if output.suffix.lower() != ".xlsx":
        raise UsageError(f"汇总须为 .xlsx / the summary must be an .xlsx file: {output}")
    settings = settings_for(root, lang=lang)
    history = history or find_history(output.parent, settings)
    try:
        week = rebuild_summary(history, output, as_of=as_of, lang=lang or settings.lang, root=root)
    except ViewsError as e:
        raise UsageError(str(e)) from None
    if as_json:
        click.echo(json.dumps({"as_of": week.isoformat(), "history": str(history), "summary": str(output)},
                              ensure_ascii=False))
        return
    click.echo(str(output))
