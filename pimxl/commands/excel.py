"""pimxl excel — Excel buttons through xlwings: set them up, or export the VBA module."""

from __future__ import annotations

from pathlib import Path

import click


@click.group(help="""Excel 按钮（xlwings）。Excel buttons through xlwings (pip install 'pimxl[excel]').

按钮“校验本工作簿”和“刷新汇总”经 xlwings 加载项（xlwings addin install）调用 pimxl。
The buttons call pimxl through the xlwings add-in; see the README, "Excel buttons (xlwings)".""")
def excel() -> None:
    pass


@excel.command(help="""生成带按钮的 .xlsm。Write an .xlsm with the pimxl buttons.

FILE 是模板或已填写的工作簿 (.xlsx)：输出为它的 .xlsm 副本，表单页上有“校验本工作簿”和“刷新汇总”
两个按钮，数据与模板标识不变。不给 FILE 时生成一个只带“刷新汇总”按钮的工具工作簿。
FILE is a template or filled workbook (.xlsx); OUT is its .xlsm copy with the buttons on the
form sheet, values and template identity unchanged. Without FILE, a small tools workbook with
the refresh button only.""")
@click.argument("file", required=False, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("-o", "--output", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="输出的 .xlsm / the .xlsm to write")
@click.option("--root", default=None, type=click.Path(file_okay=False, path_type=Path),
              help="刷新汇总用的中心根目录（默认：工作簿上级目录中 pimxl.toml 所在处）/ centre root for the refresh "
                   "button (default: the folder of the nearest pimxl.toml above the workbook)")
@click.option("--summary", default=None, type=click.Path(dir_okay=False, path_type=Path),
              help="汇总工作簿路径（默认：根目录下 中心项目汇总.xlsx）/ summary workbook (default: ROOT/中心项目汇总.xlsx)")
def setup(file: Path | None, out: Path, root: Path | None, summary: Path | None) -> None:
    from ..excel.setup import setup_workbook

    written = setup_workbook(file, out, root=str(root.resolve()) if root else None,
                             summary=str(summary.resolve()) if summary else None)
    click.echo(str(written))


@excel.command(help="""导出按钮的 VBA 模块 (.bas)。Write the buttons' VBA module as a .bas file.

供手工导入（VBA 编辑器：文件 → 导入文件）。For importing by hand (VBA editor: File → Import File).""")
@click.option("-o", "--output", "out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="写入此文件（默认输出到标准输出）/ write to this file (default: stdout)")
def vba(out: Path | None) -> None:
    from ..excel.macros import module_source

    text = module_source()
    if out is None:
        click.echo(text, nl=False)
        return
    # The VBA editor imports .bas files in the system code page; the module is ASCII, CRLF.
    out.write_bytes(text.replace("\n", "\r\n").encode("ascii"))
    click.echo(str(out))
