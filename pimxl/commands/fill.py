"""pimxl fill TEMPLATE-ID OUT --data FILE — one template filled from data."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from ..errors import UsageError
from .common import lang_option, settings_for


def load_checked(path: Path, lang: str) -> dict[str, Any]:
    """A data file as a dict; any problem becomes a one-line usage error (exit 2)."""
    from ..io.datafile import DataFileError, load_data

    try:
        return load_data(path)
    except DataFileError as e:
        raise UsageError(str(e)) from None


@click.command(help="""用数据填写一个模板。Fill one template from data.

\b
TEMPLATE-ID: project-plan | adjustment | site-environment | contract-progress
数据文件 (JSON/YAML)：{"form": {字段: 值}, "tables": {"wbs": [{列: 值}, …]}}，或只含表单字段的平面映射；
CSV：每行 key,value（仅表单字段）。表格记录按行键（如 WBS 编码、阶段）填入预置行，其余追加。
Data (JSON/YAML): {"form": {key: value}, "tables": {"wbs": [{column: value}, ...]}} or a flat mapping
of form keys; CSV: key,value lines (form fields only). Table records fill the pre-filled row with
the same row key (WBS code, stage, ...) or are appended. Bad data: one line naming the field, exit 2.""")
@click.argument("template_id", metavar="TEMPLATE-ID")
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--data", "data_file", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="数据文件 / data file (.json .yaml .yml .csv)")
@click.option("--force", is_flag=True, help="覆盖已存在的文件 / overwrite an existing file")
@lang_option
def fill(template_id: str, out: Path, data_file: Path, force: bool, lang: str | None) -> None:
    from ..io.fill import DataError, prepare
    from ..io.writer import write_template
    from ..templates import TEMPLATES

    settings = settings_for(out.parent, lang=lang)
    zh = settings.lang == "zh"
    template = TEMPLATES.get(template_id)
    if template is None:
        known = ", ".join(TEMPLATES)
        raise UsageError(f"未知模板 {template_id!r}（可用：{known}）" if zh
                         else f"unknown template {template_id!r} (known: {known})")
    if out.exists() and not force:
        raise UsageError(f"{out} 已存在，使用 --force 覆盖" if zh else f"{out} exists; use --force to overwrite")
    data = load_checked(data_file, settings.lang)
    try:
        values, rows = prepare(template, data, pattern=settings.project_id_pattern)
    except DataError as e:
        raise UsageError(e.message(settings.lang)) from None
    path = write_template(template, out, values=values, rows=rows)
    click.echo(str(path))
