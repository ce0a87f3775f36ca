"""pimxl merge BASE COPY… -o OUT — bring edited copies of one workbook together."""

from __future__ import annotations

import json
from pathlib import Path

import click

from .common import lang_option, settings_for


@click.command(help="""合并同一工作簿的多个修改副本。Merge edited copies of one workbook into the copy they started from.

\b
行按行键匹配（WBS 编码、风险编号、阶段、收款节点、检查项…），字段按列名匹配，与位置无关；
不同单元格的修改全部保留；同一单元格被改成不同的值为冲突：默认保留基准值、在输出中标出并列入“合并冲突”表，
退出码 1；--prefer first/last 采用第一个/最后一个副本的值，--prefer base 保留基准值（退出码 0）。
模板之外的单元格（表单旁的备注、表格下方的数字、用户自己的工作表）按地址合并；副本新增的工作表连同公式和格式复制到输出中。
无法复制的内容（图表工作表、形状和文本框、未装 Pillow 时的图片）列入“合并记录”，须手动复制，退出码 1。
Rows match by row key, fields by column name, never by position. Edits to different cells all
survive; a cell edited to different values is a conflict: BASE's value is kept, the cell marked and
listed on a 合并冲突 sheet, exit 1 — unless --prefer says how. Cells outside the template (notes
beside the form, figures below a table, the user's own sheets) merge by address; sheets a copy
added are copied into OUT with their formulas and styles. What cannot be carried (chart sheets, shapes
and text boxes, pictures without Pillow) is listed as not merged, to copy by hand: exit 1. Exit 2: inputs that cannot be merged
(different templates or projects); 3: an unreadable input. Inputs are never modified.""")
@click.argument("base", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("copies", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("-o", "--out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="合并结果文件 / the merged workbook (.xlsx/.xlsm)")
@click.option("--prefer", type=click.Choice(["base", "first", "last"]), default=None,
              help="冲突时采用 基准/第一个/最后一个 副本的值 / how to resolve conflicts")
@click.option("--json", "as_json", is_flag=True, help="输出一个 JSON 文档 / print one JSON document")
@lang_option
def merge(base: Path, copies: tuple[Path, ...], out: Path, prefer: str | None, as_json: bool,
          lang: str | None) -> None:
    from ..merge import merge_files

    settings = settings_for(base.parent, lang=lang)
    run = merge_files(base, list(copies), out, prefer=prefer, lang=settings.lang)  # type: ignore[arg-type]
    if as_json:
        click.echo(json.dumps(run.to_json(), ensure_ascii=False, indent=1))
    else:
        click.echo(run.text())
    raise SystemExit(run.exit_code)
