"""pimxl views — the role views of a past week, rebuilt from the history."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import click

from ..errors import UsageError
from .common import find_history, history_options, settings_for


@click.command(help="""角色视图：从历史数据库重新生成某一周的合同状态反馈表（每位销售）、合同进程简表（领导）和
项目经理待办（每位项目经理）到 DIR。
Role views: rebuild a past week's contract status feedback (one per sales person), the leaders' one-page
contract progress brief and the project managers' to-do lists into DIR, from the rollup history.

默认取历史中最近一周；历史数据库默认为 pimxl.toml 的 history，其次 DIR 上一级或当前文件夹的
pimxl-history.sqlite。Exit 0 done, 2 no such week / no history.""")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@history_options
def views(directory: Path, history: Path | None, root: Path | None, as_json: bool, as_of: date | None,
          lang: str | None) -> None:
    from ..rollup.views_run import ViewsError, rebuild_views

    settings = settings_for(root, lang=lang)
    history = history or find_history(directory.parent, settings)
    try:
        week, written = rebuild_views(history, directory, as_of=as_of, lang=lang or settings.lang, root=root,
                                      roster=settings.roster or None)
    except ViewsError as e:
        raise UsageError(str(e)) from None
    unknown = sorted({v.person for v, _ in written if v.unknown_name})
    if as_json:
        click.echo(json.dumps({
            "as_of": week.isoformat(), "history": str(history),
            "views": [{"kind": v.kind, "person": v.person, "file": str(p), **v.counts} for v, p in written],
            "unknown_names": unknown}, ensure_ascii=False, indent=1))
        return
    for _, path in written:
        click.echo(str(path))
    if unknown:
        click.echo(f"名单中没有 / not in the roster: {'、'.join(unknown)}", err=True)
