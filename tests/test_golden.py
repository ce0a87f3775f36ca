"""Committed templates equal freshly generated ones; a changed declaration makes --check fail."""

from __future__ import annotations

import zipfile
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from pimxl.cli import cli
from pimxl.io.golden import compare_xlsx
from pimxl.io.writer import FIXED_TIMESTAMP, write_template
from pimxl.templates import ADJUSTMENT, TEMPLATES

COMMITTED = Path(__file__).resolve().parent.parent / "workbooks" / "templates"


def test_committed_templates_match_the_declarations(runner):
    result = runner.invoke(cli, ["templates", "build", "--check", "--dir", str(COMMITTED)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in COMMITTED.glob("*.xlsx")) == sorted(f"{t}.xlsx" for t in TEMPLATES)


def test_build_is_byte_stable(tmp_path):
    a = write_template(ADJUSTMENT, tmp_path / "a.xlsx", timestamp=FIXED_TIMESTAMP)
    b = write_template(ADJUSTMENT, tmp_path / "b.xlsx", timestamp=FIXED_TIMESTAMP)
    assert a.read_bytes() == b.read_bytes()


def test_timestamps_are_ignored_but_content_is_not(tmp_path):
    a = write_template(ADJUSTMENT, tmp_path / "a.xlsx", timestamp=FIXED_TIMESTAMP)
    b = write_template(ADJUSTMENT, tmp_path / "b.xlsx", timestamp=datetime(2030, 5, 6, 7, 8, 9))
    with zipfile.ZipFile(b) as z:
        assert b"2030-05-06T07:08:09Z" in z.read("docProps/core.xml")
    assert compare_xlsx(a, b) == []
    changed = replace(ADJUSTMENT, form=replace(ADJUSTMENT.form, zh="调整确认单"))
    c = write_template(changed, tmp_path / "c.xlsx", timestamp=FIXED_TIMESTAMP)
    diffs = compare_xlsx(a, c)
    assert any(d.startswith("xl/workbook.xml: differs") for d in diffs)


def test_changed_declaration_fails_the_check_naming_file_and_part(runner, tmp_path, monkeypatch):
    assert runner.invoke(cli, ["templates", "build", "--dir", str(tmp_path)]).exit_code == 0
    assert runner.invoke(cli, ["templates", "build", "--check", "--dir", str(tmp_path)]).exit_code == 0
    fields = tuple(replace(f, zh="调整事由") if f.key == "reason" else f for f in ADJUSTMENT.form.fields)
    monkeypatch.setitem(TEMPLATES, "adjustment", replace(ADJUSTMENT, form=replace(ADJUSTMENT.form, fields=fields)))
    result = runner.invoke(cli, ["templates", "build", "--check", "--dir", str(tmp_path), "--lang", "en"])
    assert result.exit_code == 1
    lines = [ln for ln in result.stdout.splitlines() if "differs" in ln]
    assert lines and all(ln.startswith(str(tmp_path / "adjustment.xlsx")) for ln in lines)
    assert any("xl/worksheets/sheet1.xml" in ln for ln in lines)
    assert "1 template(s) differ" in result.stderr


def test_missing_template_fails_the_check(runner, tmp_path):
    runner.invoke(cli, ["templates", "build", "--dir", str(tmp_path)])
    (tmp_path / "site-environment.xlsx").unlink()
    result = runner.invoke(cli, ["templates", "build", "--check", "--dir", str(tmp_path), "--lang", "en"])
    assert result.exit_code == 1
    assert "site-environment.xlsx: missing" in result.stdout
