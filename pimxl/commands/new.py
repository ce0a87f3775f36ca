"""pimxl new DIR — a project folder with the four templates, the header filled identically in each."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import click

from ..errors import UsageError
from .common import AS_OF, lang_option, settings_for
from .fill import load_checked

#: The header options, in the order of SPEC §2.1 (option name → form key).
HEADER_OPTIONS: tuple[tuple[str, str, str], ...] = (
    ("--project-id", "project_id", "项目编号 / project ID"),
    ("--project-name", "project_name", "项目名称 / project name"),
    ("--contract-no", "contract_no", "合同编号 / contract number"),
    ("--customer", "customer", "客户名称 / customer"),
    ("--division", "division", "事业部 / division"),
    ("--project-manager", "project_manager", "项目经理 / project manager"),
    ("--sales-rep", "sales_rep", "销售人员 / sales rep"),
    ("--prepared-by", "prepared_by", "填表人 / prepared by"),
)


def file_name(project_id: str, title: str) -> str:
    return f"{project_id}-{title}.xlsx"


def _header_options(f: Any) -> Any:
    for opt, key, help_text in reversed(HEADER_OPTIONS):
        f = click.option(opt, key, default=None, help=help_text)(f)
    return f


@click.command(help="""新建项目文件夹：四个标准模板，表头在每个文件中相同。
Create a project folder with the four standard workbooks, the project header filled identically.

\b
文件 / files: <项目编号>-项目计划书.xlsx, -项目调整确认表.xlsx (每次调整复制一份 / copy one per
adjustment), -用户场地环境确认表.xlsx (每个场地一份 / one per site), -合同进程表.xlsx.
--from: JSON/YAML（表头字段的映射，或 {"form": {...}}）或 CSV（key,value）；命令行选项优先。
Other form fields in the file (e.g. contract_amount) go into every template that has them.
填表日期默认为今天 / prepared-on defaults to today. Existing files are kept unless --force.""")
@click.argument("directory", metavar="DIR", type=click.Path(file_okay=False, path_type=Path))
@click.option("--from", "from_file", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="表头数据文件 / header data file (.json .yaml .yml .csv)")
@_header_options
@click.option("--prepared-on", "prepared_on", type=AS_OF, default=None, help="填表日期 / prepared on (yyyy-mm-dd)")
@click.option("--force", is_flag=True, help="覆盖已存在的文件 / overwrite existing files")
@lang_option
def new(directory: Path, from_file: Path | None, force: bool, lang: str | None, **header: Any) -> None:
    from ..io.fill import DataError, convert, split_data
    from ..io.writer import write_template
    from ..templates import TEMPLATES

    settings = settings_for(directory if directory.exists() else None, lang=lang)
    zh = settings.lang == "zh"
    data: dict[str, Any] = load_checked(from_file, settings.lang) if from_file else {}
    try:
        form, tables = split_data(data)
        if tables:
            raise DataError("tables", "pimxl new 只接受表单字段；表格请用 pimxl fill",
                            "pimxl new takes form fields only; use pimxl fill for tables")
        form.update({k: v for k, v in header.items() if v is not None})
        form.setdefault("prepared_on", date.today())
        # Every key must belong to some template's form; each template gets the keys it has.
        per_template: dict[str, dict[str, Any]] = {t: {} for t in TEMPLATES}
        for key, raw in form.items():
            owners = [t for t in TEMPLATES.values() if any(f.key == key for f in t.form.fields)]
            if not owners:
                raise DataError(key, "不是任何模板的表单字段", "is not a form field of any template")
            for t in owners:
                pattern = settings.project_id_pattern if key == "project_id" else None
                per_template[t.id][key] = convert(t.form.field(key), raw, key, pattern=pattern)
    except DataError as e:
        raise UsageError(e.message(settings.lang)) from None
    project_id = per_template["project-plan"].get("project_id")
    if not project_id:
        raise UsageError("缺少项目编号：请用 --project-id 或在 --from 文件中给出 project_id" if zh
                         else "project_id is missing: give --project-id or project_id in the --from file")
    targets = {t.id: directory / file_name(project_id, t.zh) for t in TEMPLATES.values()}
    existing = [p for p in targets.values() if p.exists()]
    if existing and not force:
        names = ", ".join(p.name for p in existing)
        raise UsageError(f"文件已存在（{names}），使用 --force 覆盖" if zh
                         else f"files exist ({names}); use --force to overwrite")
    for tid, path in targets.items():
        write_template(TEMPLATES[tid], path, values=per_template[tid])
        click.echo(str(path))
