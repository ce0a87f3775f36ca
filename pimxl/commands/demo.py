"""pimxl demo — a realistic sample centre, rolled up over two weeks."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from .common import as_of_option, lang_option, settings_for


@click.command(help="""生成一个示例中心（数十个项目，各种状态和常见错误），并连续汇总两周。
Build a realistic sample centre (dozens of projects in every state, with the usual mistakes) and roll
it up for two consecutive weeks. The quickest way to see everything pimxl does.""")
@click.argument("directory", required=False, default="pimxl-demo", type=click.Path(file_okay=False, path_type=Path))
@click.option("--projects", type=click.IntRange(4, 2000), default=44, show_default=True,
              help="项目数 / number of projects")
@click.option("--weeks", type=click.IntRange(1, 12), default=2, show_default=True, help="汇总几周 / weeks to roll up")
@as_of_option
@lang_option
def demo(directory: Path, projects: int, weeks: int, as_of: date | None, lang: str | None) -> None:
    from ..demo.run import run_demo

    settings = settings_for(directory if directory.exists() else None, lang=lang)
    lang = settings.lang
    runs = run_demo(directory, as_of or date.today(), weeks=weeks, projects=projects, lang=lang,
                    say=lambda s: click.echo(s, err=True))
    last = runs[-1]
    k = last.kpis
    if lang == "en":
        click.echo(f"sample centre: {directory / '项目'}  ({k['files_found']} files, {k['projects']} projects)")
        click.echo(f"summary:       {last.summary}")
        click.echo(f"history:       {last.history}")
        if last.outputs.get("views"):
            click.echo(f"role views:    {Path(last.outputs['views'][0]).parent}  ({len(last.outputs['views'])} files)")
        click.echo(f"red {k['red']} · amber {k['amber']} · green {k['green']}; receivable ¥{k['receivable']:,.2f}")
        click.echo("next: open the summary in Excel/WPS, or run  pimxl validate " + str(directory / "项目"))
    else:
        click.echo(f"示例中心：{directory / '项目'}（文件 {k['files_found']} 个，项目 {k['projects']} 个）")
        click.echo(f"汇总工作簿：{last.summary}")
        click.echo(f"历史数据库：{last.history}")
        if last.outputs.get("views"):
            click.echo(f"角色视图：{Path(last.outputs['views'][0]).parent}（{len(last.outputs['views'])} 个文件）")
        click.echo(f"红 {k['red']} · 黄 {k['amber']} · 绿 {k['green']}；应收 ¥{k['receivable']:,.2f}")
        click.echo("下一步：用 Excel/WPS 打开汇总工作簿，或运行  pimxl validate " + str(directory / "项目"))
