"""pimxl templates build [--check] — the generated templates in workbooks/templates/."""

from __future__ import annotations

import tempfile
from pathlib import Path

import click

from .common import lang_option, settings_for

DEFAULT_DIR = Path("workbooks/templates")


@click.group(help="""标准模板：生成或检查。The standard templates: build or check them.""")
def templates() -> None:
    pass


@templates.command(help="""生成 workbooks/templates/<模板编号>.xlsx；--check 只检查已提交的文件是否与声明一致。

Write workbooks/templates/<template-id>.xlsx for every template; with --check, write nothing and
exit 1 naming every file and part that differs from the declarations (0 when all match).""")
@click.option("--check", is_flag=True, help="只检查，不写入 / compare only, write nothing")
@click.option("--dir", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=DEFAULT_DIR,
              show_default=True, help="模板目录 / templates folder")
@lang_option
def build(check: bool, out_dir: Path, lang: str | None) -> None:
    from ..io.golden import compare_xlsx
    from ..io.writer import FIXED_TIMESTAMP, write_template
    from ..templates import TEMPLATES

    zh = settings_for(out_dir if out_dir.exists() else None, lang=lang).lang == "zh"
    if not check:
        for t in TEMPLATES.values():
            path = write_template(t, out_dir / f"{t.id}.xlsx", timestamp=FIXED_TIMESTAMP)
            click.echo(f"{'已生成' if zh else 'wrote'} {path}")
        return
    failed = 0
    with tempfile.TemporaryDirectory(prefix="pimxl-golden-") as tmp:
        for t in TEMPLATES.values():
            committed = out_dir / f"{t.id}.xlsx"
            if not committed.is_file():
                click.echo(f"{committed}: {'缺失' if zh else 'missing'}")
                failed += 1
                continue
            fresh = write_template(t, Path(tmp) / committed.name, timestamp=FIXED_TIMESTAMP)
            diffs = compare_xlsx(committed, fresh)
            failed += bool(diffs)
            for d in diffs:
                click.echo(f"{committed}: {d}")
            if not diffs:
                click.echo(f"{committed}: {'一致' if zh else 'up to date'}")
    if failed:
        click.echo(f"{failed} 个模板与声明不一致，请运行 pimxl templates build" if zh
                   else f"{failed} template(s) differ from the declarations; run pimxl templates build", err=True)
        raise SystemExit(1)
