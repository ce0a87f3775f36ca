"""``pimxl excel setup``: the .xlsm keeps the workbook intact and carries the macros and buttons."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from fixtures_reader import snapshot, write_sample
from lo import convert
from openpyxl.comments import Comment
from test_excel_book import AS_OF, cells, findings
from test_excel_vba import olevba

from pimxl.cli import cli
from pimxl.errors import UsageError
from pimxl.excel.setup import setup_workbook
from pimxl.io.reader import read_workbook

CHANGED = {"[Content_Types].xml", "xl/workbook.xml", "xl/_rels/workbook.xml.rels"}


@pytest.fixture(scope="module")
def plan(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_sample("project-plan", tmp_path_factory.mktemp("setup") / "plan.xlsx")


@pytest.fixture(scope="module")
def xlsm(plan: Path) -> Path:
    return setup_workbook(plan, plan.with_name("plan.xlsm"), root="D:\\中心")


def _parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


def test_identity_and_data_intact(plan: Path, xlsm: Path) -> None:
    before, after = read_workbook(plan, as_of=AS_OF), read_workbook(xlsm, as_of=AS_OF)
    assert (after.template_id, after.version) == (before.template_id, before.version)
    assert snapshot(after) == snapshot(before) and cells(after) == cells(before)
    assert findings(after) == findings(before)
    old, new = _parts(plan), _parts(xlsm)
    # Every part but the workbook, its relationships, the content types and the sheets' sheetPr is
    # byte for byte the original.
    touched = {n for n in old if old[n] != new[n]}
    assert touched - CHANGED <= {n for n in old if n.startswith("xl/worksheets/sheet")}
    for name in touched - CHANGED:
        assert re.sub(rb' codeName="Sheet\d+"|<sheetPr codeName="Sheet\d+"/>|<legacyDrawing [^>]*/>', b"",
                      new[name]) == old[name]
    assert old["docProps/custom.xml"] == new["docProps/custom.xml"]
    assert set(new) - set(old) == {"xl/vbaProject.bin", "xl/drawings/vmlDrawing1.vml",
                                   "xl/worksheets/_rels/sheet1.xml.rels"}


def test_macro_enabled_parts(xlsm: Path) -> None:
    parts = _parts(xlsm)
    types = parts["[Content_Types].xml"].decode()
    assert 'PartName="/xl/workbook.xml" ContentType="application/vnd.ms-excel.sheet.macroEnabled.main+xml"' in types
    assert 'Extension="bin" ContentType="application/vnd.ms-office.vbaProject"' in types
    assert "relationships/vbaProject" in parts["xl/_rels/workbook.xml.rels"].decode()
    book = parts["xl/workbook.xml"].decode()
    assert 'codeName="ThisWorkbook"' in book
    assert '<definedName name="pimxl_root">"D:\\中心"</definedName>' in book
    vml = parts["xl/drawings/vmlDrawing1.vml"].decode()
    assert re.findall(r"<x:FmlaMacro>(.*?)</x:FmlaMacro>", vml) == ["[0]!ValidateThisWorkbook", "[0]!RefreshSummary"]
    assert "校验本工作簿" in vml and "刷新汇总" in vml
    assert "<legacyDrawing" in parts["xl/worksheets/sheet1.xml"].decode()  # 项目信息, the form sheet


def test_the_vba_calls_the_buttons_functions(xlsm: Path) -> None:
    parser = olevba().VBA_Parser(str(xlsm))
    found = {name: code for _, _, name, code in parser.extract_macros()}
    sheets = openpyxl.load_workbook(xlsm, keep_vba=True).worksheets
    assert set(found) == {"ThisWorkbook.cls", "pimxl.bas", *(f"{ws.sheet_properties.codeName}.cls" for ws in sheets)}
    code = found["pimxl.bas"]
    assert 'PimxlRun "import pimxl.excel.buttons as b; b.validate_active_book()"' in code
    assert 'PimxlRun "import pimxl.excel.buttons as b; b.refresh_summary()"' in code


def test_buttons_join_a_sheets_notes(tmp_path: Path, plan: Path) -> None:
    wb = openpyxl.load_workbook(plan)
    wb["项目信息"]["B5"].comment = Comment("请填写", "pimxl")
    wb.save(tmp_path / "noted.xlsx")
    parts = _parts(setup_workbook(tmp_path / "noted.xlsx", tmp_path / "noted.xlsm"))
    vmls = [n for n in parts if n.endswith(".vml")]
    assert len(vmls) == 1
    vml = parts[vmls[0]].decode()
    assert vml.count("<x:FmlaMacro>") == 2 and 'ObjectType="Note"' in vml
    ids = re.findall(r'id="_x0000_s(\d+)"', vml)
    assert len(ids) == len(set(ids)) == 3
    assert read_workbook(tmp_path / "noted.xlsm").get("project_id") == "PRJ-2026-001"


def test_companion_workbook(tmp_path: Path) -> None:
    out = setup_workbook(None, tmp_path / "工具.xlsm", summary="D:\\汇总.xlsx")
    parts = _parts(out)
    vml = next(v.decode() for n, v in parts.items() if n.endswith(".vml"))
    assert re.findall(r"<x:FmlaMacro>(.*?)</x:FmlaMacro>", vml) == ["[0]!RefreshSummary"]
    assert '<definedName name="pimxl_summary">"D:\\汇总.xlsx"</definedName>' in parts["xl/workbook.xml"].decode()


def test_refusals(tmp_path: Path, plan: Path, xlsm: Path) -> None:
    with pytest.raises(UsageError, match="macros"):
        setup_workbook(xlsm, tmp_path / "again.xlsm")
    with pytest.raises(UsageError, match=r"\.xlsm"):
        setup_workbook(plan, tmp_path / "out.xlsx")
    (tmp_path / "x.txt").write_text("hello")
    with pytest.raises(UsageError, match="xlsx"):
        setup_workbook(tmp_path / "x.txt", tmp_path / "x.xlsm")


def test_commands(runner: CliRunner, tmp_path: Path, plan: Path) -> None:
    result = runner.invoke(cli, ["excel", "setup", str(plan), "-o", str(tmp_path / "p.xlsm")])
    assert result.exit_code == 0 and result.stdout.strip() == str(tmp_path / "p.xlsm")
    result = runner.invoke(cli, ["excel", "setup", str(plan), "-o", str(tmp_path / "p.xlsx")])
    assert result.exit_code == 2 and ".xlsm" in result.stderr
    result = runner.invoke(cli, ["excel", "vba"])
    assert result.exit_code == 0 and "Public Sub ValidateThisWorkbook()" in result.stdout
    runner.invoke(cli, ["excel", "vba", "-o", str(tmp_path / "pimxl.bas")])
    assert (tmp_path / "pimxl.bas").read_bytes().startswith(b'Attribute VB_Name = "pimxl"\r\n')
    assert "excel" in runner.invoke(cli, ["--help"]).stdout


@pytest.mark.libreoffice
def test_libreoffice_opens_it_and_binds_the_buttons(tmp_path: Path, xlsm: Path) -> None:
    ods, pdf = convert([xlsm], "ods", tmp_path)[0], convert([xlsm], "pdf", tmp_path)[0]
    assert pdf.stat().st_size > 1000
    parts = _parts(ods)
    # LibreOffice's own VBA import found the module and tied each button to its macro.
    assert b"validate_active_book" in parts["Basic/VBAProject/pimxl.xml"]
    content = parts["content.xml"].decode()
    for macro in ("ValidateThisWorkbook", "RefreshSummary"):
        assert f"vnd.sun.star.script:VBAProject.pimxl.{macro}?language=Basic" in content
    assert read_workbook(ods, as_of=AS_OF).get("project_id") == "PRJ-2026-001"
