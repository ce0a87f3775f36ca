"""pimxl upgrade FILE… -o DIR — move workbooks filled in an older template version onto the current one."""

from __future__ import annotations

import json
from pathlib import Path

import click

from ..errors import UsageError
from .common import lang_option, settings_for


@click.command(help="""把按旧版本模板填写的工作簿迁移到当前版本。Move workbooks filled in an older template
version onto the current version.

\b
每个值从旧单元格移到新单元格并逐一列出；新版本中没有位置的值（用户自己的列或工作表、表单旁的备注、
手填覆盖公式的值）保存在输出文件的“未迁移”工作表中，不会丢失。已是当前版本的文件原样复制。
输入文件不会被修改；输出写入 DIR/<同名文件>（.xls/.ods/.xlsm 输出为 .xlsx）。
Every value moved is listed (old cell → new cell); values with no place in the new version are kept
in an 未迁移 sheet. Files already current are copied as they are. Inputs are never modified.
Exit: 0 done, 2 usage, 3 a file could not be read (the others are still upgraded).""")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("-o", "--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="输出文件夹 / output folder")
@click.option("--json", "as_json", is_flag=True, help="输出一个 JSON 文档 / print one JSON document")
@lang_option
def upgrade(files: tuple[Path, ...], out_dir: Path, as_json: bool, lang: str | None) -> None:
    from ..upgrade import target_path, upgrade_file
    from ..upgrade.report import exit_code, render_text, to_json

    lang = settings_for(files[0].parent, lang=lang).lang
    zh = lang == "zh"
    # Refuse before writing anything: an output that would replace an input, or two inputs one output.
    targets: dict[Path, Path] = {}
    for f in files:
        t = target_path(f, out_dir).resolve()
        if t == f.resolve() or (out_dir / f.name).resolve() == f.resolve():
            raise UsageError(f"输出会覆盖输入文件 {f}；请换一个输出文件夹" if zh
                             else f"the output would overwrite the input {f}; choose another output folder")
        if t in targets:
            raise UsageError(f"{targets[t]} 与 {f} 会写到同一个输出文件 {t}" if zh
                             else f"{targets[t]} and {f} would both be written to {t}")
        targets[t] = f
    results = [upgrade_file(f, out_dir) for f in files]
    if as_json:
        click.echo(json.dumps(to_json(results, lang), ensure_ascii=False, indent=1))
    else:
        click.echo(render_text(results, lang))
    raise SystemExit(exit_code(results))
