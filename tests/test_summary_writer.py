"""The summary writer: what a user opening the workbook sees, read back with openpyxl (and LibreOffice)."""

from __future__ import annotations

import io
import math
import os
import re
import shutil
import subprocess
import zipfile
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from pathlib import Path, PureWindowsPath
from typing import Any
from xml.etree import ElementTree as ET

import openpyxl
import pytest
from lo import convert
from python_calamine import CalamineWorkbook
from summaryfactory import SHEET_KEYS, SHEET_NAMES, sample_summary, source_paths

import pimxl.rollup.summary_writer as sw
from pimxl.rollup import xlsx_cells
from pimxl.rollup.sheetspec import ChartSpec, Column, Kpi, Link, SheetSpec, Summary
from pimxl.rollup.summary_writer import _sheet_name, write_summary
from pimxl.rollup.xlsx_cells import Chunk
from pimxl.rollup.xlsx_charts import CHART_DATA_SHEET
from pimxl.rollup.xlsx_links import LinkWriter
from pimxl.rollup.xlsx_package import splice, write_package
from pimxl.rollup.xlsx_style import column_width, display_width
from pimxl.rollup.xlsx_table import EMPTY_TEXT, coerce, headers


@pytest.fixture(scope="module")
def centre(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """src/ holds the sources the sample links to; out/ the summary — sibling folders, as on a share."""
    root = tmp_path_factory.mktemp("centre")
    for rel in source_paths():
        (root / "src" / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / "src" / rel).write_bytes(b"")
    (root / "out").mkdir()
    write_summary(sample_summary(), root / "out" / "汇总.xlsx", base_dir=root / "src")
    return root


@pytest.fixture(scope="module")
def wb(centre: Path) -> openpyxl.Workbook:
    return openpyxl.load_workbook(centre / "out" / "汇总.xlsx")


def _top(spec: SheetSpec) -> int:
    """1-based row of the table header: title, [note], second-language labels, header."""
    return 3 + bool(spec.note)


def _expected(value: Any) -> Any:
    if isinstance(value, Link):
        return value.text
    if isinstance(value, date) and not isinstance(value, datetime):
        return datetime(value.year, value.month, value.day)
    return None if value == "" else value


def test_sheet_names_and_order(wb: openpyxl.Workbook) -> None:
    assert wb.sheetnames == [*SHEET_NAMES, CHART_DATA_SHEET]
    assert wb[CHART_DATA_SHEET].sheet_state == "hidden"
    assert all(wb[n].sheet_state == "visible" for n in SHEET_NAMES)


def test_every_data_sheet_is_a_table_with_its_headers(wb: openpyxl.Workbook) -> None:
    summary = sample_summary()
    for spec in summary.sheets[1:]:
        ws = wb[spec.name]
        (table,) = ws.tables.values()
        top = _top(spec)
        last = top + max(1, len(spec.rows))
        assert table.ref == f"A{top}:{openpyxl.utils.get_column_letter(len(spec.columns))}{last}", spec.key
        assert table.name == f"T_{spec.key}"
        assert table.autoFilter is not None and table.tableStyleInfo.showRowStripes
        assert [ws.cell(top, i + 1).value for i in range(len(spec.columns))] == [c.zh for c in spec.columns]
        assert [ws.cell(top - 1, i + 1).value for i in range(len(spec.columns))] == [c.en for c in spec.columns]
        assert ws["A1"].value == f"{spec.title}    截至 2026-11-27"


def test_values_equal_the_summary_rows(wb: openpyxl.Workbook) -> None:
    for spec in sample_summary().sheets[1:]:
        ws = wb[spec.name]
        top = _top(spec)
        got = [list(r) for r in ws.iter_rows(min_row=top + 1, max_row=top + len(spec.rows),
                                             max_col=len(spec.columns), values_only=True)]
        want = [[_expected(r.get(c.key)) for c in spec.columns] for r in spec.rows]
        assert got == want, spec.key


def test_money_dates_are_typed_and_formatted(wb: openpyxl.Workbook) -> None:
    spec = sample_summary().sheet("contracts")
    ws = wb[spec.name]
    row = _top(spec) + 1
    col = {c.key: i + 1 for i, c in enumerate(spec.columns)}
    amount, planned = ws.cell(row, col["amount"]), ws.cell(row, col["next_planned"])
    assert amount.value == spec.rows[0]["amount"] and amount.number_format == "¥#,##0.00"
    assert planned.value == datetime.combine(spec.rows[0]["next_planned"], datetime.min.time())
    assert planned.number_format == "yyyy-mm-dd" and planned.is_date
    assert ws.cell(row, col["days_late"]).number_format == "0"
    projects = wb["项目"]
    assert projects.cell(_top(sample_summary().sheet("projects")) + 2, 4).number_format == "0%"


def test_user_text_is_never_reinterpreted(wb: openpyxl.Workbook) -> None:
    findings = wb["校验"]
    messages = [r[3] for r in findings.iter_rows(min_row=5, values_only=True)]
    assert "=SUM(A1:A3)" in messages
    assert all(c.data_type != "f" for row in findings.iter_rows() for c in row)
    versions = {r[2] for r in wb["来源"].iter_rows(min_row=5, values_only=True)}
    assert "00123" in versions


def test_frozen_panes_below_the_header(wb: openpyxl.Workbook) -> None:
    for spec in sample_summary().sheets[1:]:
        first_col = "B" if len(spec.columns) >= 10 else "A"
        assert wb[spec.name].freeze_panes == f"{first_col}{_top(spec) + 1}", spec.key


def test_links_are_relative_and_resolve_to_the_source(centre: Path, wb: openpyxl.Workbook) -> None:
    ws = wb["合同进程表"]
    cell = ws.cell(_top(sample_summary().sheet("contracts")) + 1, 2)
    assert cell.value == "P-2026-001 合同进程表"
    link = cell.hyperlink
    assert link.target == r"..\src\projects\P-2026-001\合同进程表.xlsx"
    assert link.location == "'合同进程'!D7"
    # Resolve it as Excel does: relative to the summary's folder.
    resolved = (centre / "out" / Path(*PureWindowsPath(link.target).parts)).resolve()
    assert resolved == (centre / "src/projects/P-2026-001/合同进程表.xlsx").resolve() and resolved.is_file()
    links = [c.hyperlink for row in wb["校验"].iter_rows() for c in row if c.hyperlink]
    assert len(links) == 9 and all(not PureWindowsPath(h.target).is_absolute() for h in links)


def test_links_survive_moving_the_folder(centre: Path, tmp_path: Path) -> None:
    moved = tmp_path / "elsewhere"
    shutil.copytree(centre, moved)
    wb = openpyxl.load_workbook(moved / "out" / "汇总.xlsx")
    for row in wb["来源"].iter_rows(min_row=5):
        if row[0].hyperlink:
            assert (moved / "out" / Path(*PureWindowsPath(row[0].hyperlink.target).parts)).is_file()


def test_rag_severity_and_days_are_highlighted(wb: openpyxl.Workbook) -> None:
    def rules(ws: Any) -> dict[str, list[str]]:
        return {str(cf.sqref): [r.formula[0] for r in cf.rules] for cf in ws.conditional_formatting}

    contracts = rules(wb["合同进程表"])
    spec = sample_summary().sheet("contracts")
    col = openpyxl.utils.get_column_letter(1 + [c.key for c in spec.columns].index("rag"))
    top = _top(spec)
    assert set(contracts[f"{col}{top + 1}:{col}{top + len(spec.rows)}"]) >= {'"红"', '"黄"', '"绿"'}
    assert contracts[f"K{top + 1}:K{top + len(spec.rows)}"] == ["0"]  # days late > 0
    top = _top(sample_summary().sheet("findings"))
    assert set(rules(wb["校验"])[f"A{top + 1}:A{top + 10}"]) >= {'"错误"', '"警告"', '"提示"'}


def _charts_per_sheet(path: Path) -> dict[str, int]:
    """Sheet name → number of charts drawn on it, read from the package parts."""
    with zipfile.ZipFile(path) as z:
        names = re.findall(r'<sheet name="([^"]+)" sheetId="\d+"(?: state="\w+")? r:id="rId(\d+)"',
                           z.read("xl/workbook.xml").decode())
        out = {}
        for name, rid in names:
            rels = f"xl/worksheets/_rels/sheet{rid}.xml.rels"
            drawing = re.search(r"drawings/(drawing\d+\.xml)", z.read(rels).decode()) if rels in z.namelist() else None
            if drawing:
                out[name] = z.read(f"xl/drawings/_rels/{drawing[1]}.rels").decode().count('Target="../charts/')
        return out


def test_charts_on_overview_and_trend(centre: Path) -> None:
    path = centre / "out" / "汇总.xlsx"
    with zipfile.ZipFile(path) as z:
        assert len([n for n in z.namelist() if re.fullmatch(r"xl/charts/chart\d+\.xml", n)]) == 5
        chart = z.read("xl/charts/chart1.xml").decode()
    assert _charts_per_sheet(path) == {"总览": 4, "趋势": 1}
    assert f"<c:f>{CHART_DATA_SHEET}!$A$3:$A$9</c:f>" in chart  # stage names, from the helper sheet


def test_overview_kpis_and_print_setup(wb: openpyxl.Workbook) -> None:
    ws = wb["总览"]
    kpis = {r[0]: (r[1], r[2]) for r in ws.iter_rows(min_row=5, max_col=3, values_only=True) if r[0]}
    assert kpis["合同总额"][0] == "Contract value"
    assert kpis["合同总额"][1] == pytest.approx(sample_summary().kpis[3].value)
    assert ws["C9"].number_format == "¥#,##0.00" and kpis["按期比例"][1] == 0.83
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9
    # Fit to 1 × 1 pages: 1 is the default, so the attributes are left out.
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert (ws.page_setup.fitToWidth or 1, ws.page_setup.fitToHeight or 1) == (1, 1)
    contracts = wb["合同进程表"]
    assert contracts.print_title_rows == "$3:$4" and contracts.page_setup.fitToHeight == 0


def test_empty_sheet_says_so(wb: openpyxl.Workbook) -> None:
    ws = wb["本周变化"]
    (table,) = ws.tables.values()
    assert table.ref == "A3:E4" and ws["A4"].value == EMPTY_TEXT


def test_failure_midway_leaves_previous_summary(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "汇总.xlsx"
    write_summary(sample_summary(), target)
    before = target.read_bytes()
    calls = []
    real = sw.write_table

    def boom(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) == 3:  # the third table: the file already holds two sheets' worth
            raise RuntimeError("disk on fire")
        return real(*args, **kwargs)

    monkeypatch.setattr(sw, "write_table", boom)
    with pytest.raises(RuntimeError, match="disk on fire"):
        write_summary(sample_summary(), target)
    assert target.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["汇总.xlsx"]


def test_failure_while_saving_leaves_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken_write(skeleton: bytes, out: Any, chunks: Any, **kw: Any) -> None:
        out.write(b"PK half")  # the temp file holds part of the package
        raise OSError("no space left on device")

    monkeypatch.setattr(sw, "write_package", broken_write)
    with pytest.raises(OSError, match="no space"):
        write_summary(sample_summary(), tmp_path / "汇总.xlsx")
    assert list(tmp_path.iterdir()) == []


def test_failure_in_xlsxwriter_leaves_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken_close(self: Any) -> None:
        raise OSError("disk on fire")

    monkeypatch.setattr(sw.Workbook, "close", broken_close)
    with pytest.raises(OSError, match="disk on fire"):
        write_summary(sample_summary(), tmp_path / "汇总.xlsx")
    assert list(tmp_path.iterdir()) == []


def test_same_summary_same_bytes(tmp_path: Path) -> None:
    write_summary(sample_summary(), tmp_path / "a.xlsx")
    write_summary(sample_summary(), tmp_path / "b.xlsx")
    assert (tmp_path / "a.xlsx").read_bytes() == (tmp_path / "b.xlsx").read_bytes()


class Colour(Enum):
    RED = "红"


class Odd:
    def __str__(self) -> str:
        return "odd"


class Stamp(datetime):
    """Stands in for pandas.Timestamp: a datetime subclass xlsxwriter does not dispatch on."""


def test_odd_values_and_english_headers(tmp_path: Path) -> None:
    cols = [Column("a", "甲", "A", "money"), Column("b", "乙", "B", "date"), Column("c", "乙", "b", "rag"),
            Column("d", "丁", "D")]
    rows = [{"a": float("nan"), "b": Stamp(2026, 3, 1, 8, 30), "c": Colour.RED, "d": Decimal("1.5")},
            {"a": Decimal("2.25"), "b": None, "c": "绿", "d": Odd()}]
    summary = Summary(date(2026, 3, 2), sheets=[SheetSpec("x y", "a/b:c", "T", cols, rows)],
                      charts=[ChartSpec("nowhere", "c", "pie", [], [])])
    write_summary(summary, tmp_path / "s.xlsx", lang="en")
    ws = openpyxl.load_workbook(tmp_path / "s.xlsx")["a_b_c"]
    assert [c.value for c in ws[3]] == ["A", "B", "b2", "D"]  # unique headers, no note row
    assert [c.value for c in ws[2]] == ["甲", "乙", "乙", "丁"]
    assert [c.value for c in ws[4]][:4] == [None, datetime(2026, 3, 1, 8, 30), "红", 1.5]
    assert ws["A5"].value == 2.25 and ws["D5"].value == "odd"
    assert ws["A1"].value == "T    as of 2026-03-02"


def test_lang_must_be_known(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="lang"):
        write_summary(sample_summary(), tmp_path / "s.xlsx", lang="fr")


@pytest.mark.parametrize(("text", "width"), [("", 0), ("abc", 3), ("合同", 4), ("P-001 合同进程表", 16),
                                             ("¥1,000.00", 9)])
def test_display_width(text: str, width: int) -> None:
    assert display_width(text) == width


def test_column_width_is_capped_and_respects_given_width() -> None:
    assert column_width(Column("k", "说明", "x"), "说明", ["很长的说明" * 20]) == 50
    assert column_width(Column("k", "说明", "x", width=33), "说明", []) == 33
    assert column_width(Column("k", "金额", "x", "money"), "金额", [1_234_567.5]) == 16  # "¥1,234,567.50" + 3


@pytest.mark.parametrize(("name", "taken", "want"), [
    ("总览", set(), "总览"), ("a[b]:c*?/\\", set(), "a_b__c____"), ("x" * 40, set(), "x" * 31),
    ("来源", {"来源"}, "来源(2)"), ("History", set(), "History(2)"), ("'引号'", set(), "引号"),
])
def test_sheet_name(name: str, taken: set[str], want: str) -> None:
    assert _sheet_name(name, set(taken)) == want


@pytest.mark.parametrize(("value", "want"), [
    (float("inf"), None), (Decimal("1.1"), Decimal("1.1")), (Colour.RED, "红"), (Stamp(2026, 1, 2), datetime(2026, 1, 2)),
    (date(2026, 1, 2), date(2026, 1, 2)), (Link("t", "x"), Link("t", "x")), (b"x", "b'x'"),
])
def test_coerce(value: Any, want: Any) -> None:
    got = coerce(value)
    assert got == want and type(got) is type(want)


def test_headers_are_unique_ignoring_case() -> None:
    spec = SheetSpec("k", "n", "t", [Column("a", "Amount", "x"), Column("b", "amount", "y"), Column("c", "", "z")])
    assert headers(spec, "zh") == (["Amount", "amount2", "c"], ["x", "y", "z"])


@pytest.mark.libreoffice
def test_renders_in_libreoffice_with_charts(centre: Path, tmp_path: Path) -> None:
    (pdf,) = convert([centre / "out" / "汇总.xlsx"], "pdf", tmp_path)
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    pages = int(re.search(r"Pages:\s+(\d+)", info)[1])
    assert pages >= len(SHEET_KEYS)

    def text(page: int) -> str:
        return subprocess.run(["pdftotext", "-f", str(page), "-l", str(page), str(pdf), "-"],
                              capture_output=True, text=True).stdout

    first = text(1)
    # 总览 is one page with its KPIs and the four chart titles (chart text is only there if charts rendered).
    for word in ["中心项目汇总", "合同总额", "各阶段项目数", "项目状态", "应收账龄", "每周趋势", "¥26,447,736.30"]:
        assert word in first, word
    assert "合同进程表（每合同一行）" in text(2)
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True).stdout
    assert re.search(r"WenQuanYi|Noto.*CJK|Droid", fonts)
    assert not math.isnan(pages)


def test_stale_temp_files_of_dead_runs_are_removed(tmp_path: Path) -> None:
    dead = tmp_path / ".~汇总.999999.deadbeef.xlsx"  # pid 999999: no such process
    mine = tmp_path / f".~汇总.{os.getpid()}.cafebabe.xlsx"  # a run still going (this process)
    for p in (dead, mine):
        p.write_bytes(b"partial")
    write_summary(sample_summary(), tmp_path / "汇总.xlsx")
    assert not dead.exists() and mine.exists() and (tmp_path / "汇总.xlsx").exists()


# --- the data rows rendered as XML and spliced into xlsxwriter's package (xlsx_cells, xlsx_package) ---

# CT_Worksheet's children in schema order (the ones xlsxwriter or the splice can write).
_WORKSHEET_ORDER = ["sheetPr", "dimension", "sheetViews", "sheetFormatPr", "cols", "sheetData", "sheetProtection",
                    "autoFilter", "mergeCells", "conditionalFormatting", "dataValidations", "hyperlinks",
                    "printOptions", "pageMargins", "pageSetup", "headerFooter", "drawing", "legacyDrawing",
                    "tableParts"]
_NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
       "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
       "p": "http://schemas.openxmlformats.org/package/2006/relationships"}


def _parts(path: Path) -> dict[str, ET.Element]:
    """Every worksheet part and its .rels, parsed (a parse error fails the test)."""
    with zipfile.ZipFile(path) as z:
        return {n: ET.fromstring(z.read(n)) for n in z.namelist() if n.startswith("xl/worksheets/")}


def _column_index(ref: str) -> int:
    return openpyxl.utils.column_index_from_string(re.match(r"[A-Z]+", ref)[0])


def test_spliced_worksheets_are_well_formed_and_in_schema_order(centre: Path) -> None:
    parts = _parts(centre / "out" / "汇总.xlsx")
    sheets = {n: x for n, x in parts.items() if re.fullmatch(r"xl/worksheets/sheet\d+\.xml", n)}
    assert len(sheets) == len(SHEET_KEYS) + 1
    linked = 0
    for name, sheet in sheets.items():
        children = [child.tag.split("}")[1] for child in sheet]
        assert children == sorted(children, key=_WORKSHEET_ORDER.index), name
        # Rows ascending and unique, cells in a row ascending, every cell in its own row.
        rows = sheet.findall("m:sheetData/m:row", _NS)
        numbers = [int(r.get("r")) for r in rows]
        assert numbers == sorted(set(numbers)), name
        for row in rows:
            refs = [c.get("r") for c in row]
            assert all(re.fullmatch(rf"[A-Z]+{row.get('r')}", ref) for ref in refs), (name, refs)
            assert [_column_index(r) for r in refs] == sorted({_column_index(r) for r in refs}), (name, refs)
        # Every hyperlink refers to a hyperlink relationship of its own worksheet; ids are unique.
        rels = parts.get(name.replace("worksheets/", "worksheets/_rels/") + ".rels")
        links = sheet.findall("m:hyperlinks/m:hyperlink", _NS)
        if links:
            assert rels is not None
            ids = [rel.get("Id") for rel in rels]
            assert len(ids) == len(set(ids)), name
            targets = {rel.get("Id"): rel for rel in rels}
            for link in links:
                rel = targets[link.get(f"{{{_NS['r']}}}id")]
                assert rel.get("Type").endswith("/hyperlink") and rel.get("TargetMode") == "External"
            linked += 1
    assert linked >= 5  # contracts, projects, … findings, sources


def test_dimension_covers_the_rendered_rows(centre: Path) -> None:
    sheet = _parts(centre / "out" / "汇总.xlsx")["xl/worksheets/sheet2.xml"]  # 合同进程表
    spec = sample_summary().sheet("contracts")
    last = openpyxl.utils.get_column_letter(len(spec.columns))
    assert sheet.find("m:dimension", _NS).get("ref") == f"A1:{last}{_top(spec) + len(spec.rows)}"


def _one_sheet(rows: list[dict[str, Any]], cols: list[Column] | None = None) -> Summary:
    cols = cols or [Column("t", "文本", "Text"), Column("l", "链接", "Link", "link"), Column("m", "金额", "Amount", "money")]
    return Summary(date(2026, 3, 2), sheets=[SheetSpec("s", "表", "T", cols, rows)])


def test_text_is_escaped_and_read_back_unchanged(tmp_path: Path) -> None:
    texts = ['a<b>&"c\'', "x\x01y\x1fz", "_x000D_ literal", "CR\rLF\nTAB\t", "<r>not rich text</r>",
             "  padded  ", "中文 & <标签>", "=1+1"]
    rows = [{"t": t, "m": 1.5} for t in texts] + [{"t": "x" * 40_000}]
    write_summary(_one_sheet(rows), tmp_path / "s.xlsx")
    # calamine decodes _xHHHH_ as Excel does (openpyxl leaves it as typed).
    sheet_rows = CalamineWorkbook.from_path(str(tmp_path / "s.xlsx")).get_sheet_by_name("表").to_python()
    got = [r[0] for r in sheet_rows[3:]]
    assert got[:-1] == texts
    assert got[-1] == "x" * 32_767
    with zipfile.ZipFile(tmp_path / "s.xlsx") as z:
        shared = z.read("xl/sharedStrings.xml").decode()
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
    assert "_x005F_x000D_ literal" in shared and "x_x0001_y_x001F_z" in shared
    assert "a&lt;b&gt;&amp;\"c'" in shared
    # Text that looks like xlsxwriter's raw rich-string markup is written inline, escaped.
    assert '<is><t xml:space="preserve">&lt;r&gt;not rich text&lt;/r&gt;</t></is>' in sheet


@pytest.mark.parametrize("share", [False, True])
def test_links_to_one_file_share_a_relationship(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, share: bool) -> None:
    """One relationship per hyperlink, as Excel writes them (default), or one per file (SHARE_RELATIONSHIPS)."""
    from pimxl.rollup import xlsx_package

    monkeypatch.setattr(xlsx_package, "SHARE_RELATIONSHIPS", share)
    (tmp_path / "src" / "a b&c").mkdir(parents=True)
    rows = [{"t": "x", "l": Link("甲", "a b&c/计划.xlsx", "'风险'!L3")},
            {"t": "y", "l": Link("乙", "a b&c/计划.xlsx", "'风险'!L4")},
            {"t": "z", "l": Link("", "a b&c/计划.xlsx")},
            {"t": "w", "l": Link("丙", "other.xlsx", "'A&B'!C1")},
            {"t": "v", "l": Link("无目标", "")}]
    (tmp_path / "out").mkdir()
    write_summary(_one_sheet(rows), tmp_path / "out" / "s.xlsx", base_dir=tmp_path / "src")
    parts = _parts(tmp_path / "out" / "s.xlsx")
    rels = [r for r in parts["xl/worksheets/_rels/sheet1.xml.rels"] if r.get("Type").endswith("/hyperlink")]
    plan, other = r"..\src\a%20b&c\计划.xlsx", r"..\src\other.xlsx"
    assert sorted(r.get("Target") for r in rels) == ([plan, other] if share else [plan, plan, plan, other])
    links = parts["xl/worksheets/sheet1.xml"].findall("m:hyperlinks/m:hyperlink", _NS)
    assert [link.get("ref") for link in links] == ["B4", "B5", "B6", "B7"]
    ids = [link.get(f"{{{_NS['r']}}}id") for link in links]
    assert len(set(ids[:3])) == (1 if share else 3) and len(set(ids)) == (2 if share else 4)
    assert {r.get("Id") for r in rels} == set(ids)
    ws = openpyxl.load_workbook(tmp_path / "out" / "s.xlsx")["表"]
    got = [(c.value, c.hyperlink and (c.hyperlink.target, c.hyperlink.location), c.font.u) for c in ws["B"][3:8]]
    assert got == [("甲", (r"..\src\a%20b&c\计划.xlsx", "'风险'!L3"), "single"),
                   ("乙", (r"..\src\a%20b&c\计划.xlsx", "'风险'!L4"), "single"),
                   (r"..\src\a b&c\计划.xlsx", (r"..\src\a%20b&c\计划.xlsx", None), "single"),
                   ("丙", (r"..\src\other.xlsx", "'A&B'!C1"), "single"),
                   ("无目标", None, None)]


def test_links_past_excels_limit_stay_text(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(xlsx_cells, "MAX_LINKS", 2)
    rows = [{"t": str(i), "l": Link(f"L{i}", f"f{i}.xlsx")} for i in range(3)]
    write_summary(_one_sheet(rows), tmp_path / "s.xlsx")
    ws = openpyxl.load_workbook(tmp_path / "s.xlsx")["表"]
    assert [(c.value, c.hyperlink is not None) for c in ws["B"][3:6]] == [("L0", True), ("L1", True), ("L2", False)]


def test_tables_sharing_a_worksheet_keep_their_rows_in_order(tmp_path: Path) -> None:
    top = SheetSpec("a", "共用", "上表", [Column("x", "金额", "Amount", "money"), Column("d", "日期", "Date", "date")],
                    [{"x": 1.25, "d": date(2026, 1, 2)}, {"x": None, "d": None}])
    empty = SheetSpec("b", "b", "空表", [Column("y", "数量", "Count", "int")], [], below="a")
    below = SheetSpec("c", "c", "下表", [Column("t", "说明", "Note"), Column("n", "数量", "Count", "int")],
                      [{"t": "甲", "n": 3}, {"t": "乙", "n": None}], below="b")
    write_summary(Summary(date(2026, 3, 2), sheets=[top, empty, below]), tmp_path / "s.xlsx")
    ws = openpyxl.load_workbook(tmp_path / "s.xlsx")["共用"]
    values = [[c.value for c in row][:2] for row in ws.iter_rows()]
    assert values == [["上表    截至 2026-03-02", None], ["Amount", "Date"], ["金额", "日期"],
                      [1.25, datetime(2026, 1, 2)], [None, None], [None, None],
                      ["空表    截至 2026-03-02", None], ["Count", None], ["数量", None], [EMPTY_TEXT, None],
                      [None, None],
                      ["下表    截至 2026-03-02", None], ["Note", "Count"], ["说明", "数量"], ["甲", 3], ["乙", None]]
    # A shared worksheet's cells carry their table's formats, empty ones too.
    assert (ws["A4"].number_format, ws["A5"].number_format, ws["B5"].number_format) == \
        ("¥#,##0.00", "¥#,##0.00", "yyyy-mm-dd")
    assert ws["B15"].number_format == "0"
    assert sorted(t.ref for t in ws.tables.values()) == ["A14:B16", "A3:B5", "A9:A10"]


def test_cell_types_as_xlsxwriter_wrote_them(tmp_path: Path) -> None:
    cols = [Column("v", "值", "Value")]
    values = [True, 3, -2.5, 1e-05, 12345678901234567, date(1900, 1, 5), datetime(2026, 3, 1, 12, 0),
              Decimal("0.1"), float("nan"), ""]
    write_summary(_one_sheet([{"v": v} for v in values], cols), tmp_path / "s.xlsx")
    sheet = _parts(tmp_path / "s.xlsx")["xl/worksheets/sheet1.xml"]
    cells = {c.get("r"): (c.get("t"), c.findtext("m:v", namespaces=_NS)) for c in sheet.iter(f"{{{_NS['m']}}}c")}
    assert [cells.get(f"A{4 + i}") for i in range(len(values))] == [
        ("b", "1"), (None, "3"), (None, "-2.5"), (None, "1E-05"), (None, "1.234567890123457E+16"), (None, "5"),
        (None, "46082.5"), (None, "0.1"), None, None]


@pytest.mark.skipif(os.sep != "/", reason="the shortcut is POSIX-only")
@pytest.mark.parametrize(("summary_dir", "base_dir", "target", "want"), [
    ("/c/out", "/c/src", "p/x.xlsx", "../src/p/x.xlsx"),
    ("/c/out", "/c/src", "../out/x.xlsx", "x.xlsx"),
    ("/c/out", "/c/src", "p//x.xlsx", "../src/p/x.xlsx"),
    ("/c/out", "/c/src", "./p/./x.xlsx", "../src/p/x.xlsx"),
    ("/c/out", "/c/src", "/elsewhere/x.xlsx", "../../elsewhere/x.xlsx"),
    ("/c/src/p", "/c/src", "p/x.xlsx", "x.xlsx"),  # the summary inside base_dir: relpath cuts into the target
    ("/c/src", "/c/src", "p/x.xlsx", "p/x.xlsx"),
    ("/c", "/c/src", "p/x.xlsx", "src/p/x.xlsx"),
    ("/", "/c", "x.xlsx", "c/x.xlsx"),
    ("/c/out", "/c/src", "p/x.xlsx/", "../src/p/x.xlsx"),
])
def test_link_paths_equal_relpath(summary_dir: str, base_dir: str, target: str, want: str) -> None:
    links = LinkWriter(Path(summary_dir), Path(base_dir))
    assert links._path(target) == want == os.path.relpath(os.path.join(base_dir, target), summary_dir)


def test_xlsxwriters_links_and_rendered_links_share_a_worksheet(tmp_path: Path) -> None:
    """A KPI value link (written by xlsxwriter) and the overview table's links (rendered) on one worksheet."""
    cols = [Column("f", "文件", "File", "link"), Column("n", "数量", "Count", "int")]
    overview = SheetSpec("overview", "总览", "总览", cols,
                         [{"f": Link("甲", "a.xlsx", "'表'!A1"), "n": 1}, {"f": Link("乙", "b.xlsx"), "n": 2}])
    kpis = [Kpi("worst", "最差", "Worst", Link("丙", "c.xlsx", "'表'!B2"), "text")]
    write_summary(Summary(date(2026, 3, 2), kpis=kpis, sheets=[overview]), tmp_path / "s.xlsx", base_dir=tmp_path)
    parts = _parts(tmp_path / "s.xlsx")
    sheet = parts["xl/worksheets/sheet1.xml"]
    assert len(sheet.findall("m:hyperlinks", _NS)) == 1
    ids = [r.get("Id") for r in parts["xl/worksheets/_rels/sheet1.xml.rels"]]
    assert len(ids) == len(set(ids)) == 4  # three files and the table
    ws = openpyxl.load_workbook(tmp_path / "s.xlsx")["总览"]
    links = sorted((c.coordinate, c.value, c.hyperlink.target, c.hyperlink.location)
                   for row in ws.iter_rows() for c in row if c.hyperlink)
    assert links == [("A8", "甲", "a.xlsx", "'表'!A1"), ("A9", "乙", "b.xlsx", None), ("C4", "丙", "c.xlsx", "'表'!B2")]


def test_package_members_are_deflated_at_the_given_level(tmp_path: Path) -> None:
    skeleton = io.BytesIO()
    with zipfile.ZipFile(skeleton, "w") as z:
        z.writestr("xl/a.xml", "<a>" + "".join(f"<b>{i}</b>" for i in range(5000)) + "</a>")
    sizes = []
    for level in (0, 9):
        out = io.BytesIO()
        write_package(skeleton.getvalue(), out, {}, level)
        with zipfile.ZipFile(out) as z:
            (info,) = z.infolist()
            assert (info.filename, info.compress_type, info.date_time) == ("xl/a.xml", zipfile.ZIP_DEFLATED,
                                                                          (1980, 1, 1, 0, 0, 0))
            assert z.read("xl/a.xml") == zipfile.ZipFile(skeleton).read("xl/a.xml")
            sizes.append(info.compress_size)
    assert sizes[0] > info.file_size > 4 * sizes[1]  # level 0 stores (plus block headers), 9 deflates


def test_splice_refuses_rows_xlsxwriter_wrote() -> None:
    sheet = ('<worksheet><sheetData><row r="1"><c r="A1"/></row><row r="3"><c r="A3"/></row></sheetData>'
             '<pageMargins/></worksheet>')
    spliced, rels = splice(sheet, None, [Chunk(1, 1, '<row r="2"><c r="A2"/></row>', [("A2", "t.xlsx", "")])])
    assert spliced.decode() == ('<worksheet><sheetData><row r="1"><c r="A1"/></row><row r="2"><c r="A2"/></row>'
                                '<row r="3"><c r="A3"/></row></sheetData><hyperlinks>'
                                '<hyperlink ref="A2" r:id="rId1"/></hyperlinks><pageMargins/></worksheet>')
    assert rels is not None and b'Id="rId1"' in rels and b'Target="t.xlsx" TargetMode="External"' in rels
    with pytest.raises(ValueError, match="rows 2–3"):
        splice(sheet, None, [Chunk(1, 2, "<row/><row/>")])


@pytest.mark.parametrize("name", ["PRJ#1 计划.xlsx", "50%进度 #2.xlsx", "a#b/c d.xlsx", "plain name.xlsx"])
def test_links_reach_files_whose_names_hold_hash_or_percent(tmp_path: Path, name: str) -> None:
    """A "#" in a folder or file name is %23 in the link (a raw one would cut the path there and make the rest
    the link's cell); the link, decoded as Excel and LibreOffice decode it, names the file."""
    from urllib.parse import unquote

    source = tmp_path / "src" / name
    source.parent.mkdir(parents=True, exist_ok=True)
    source.write_bytes(b"x")
    rows = [{"t": "x", "l": Link("甲", name, "'风险'!L3")}, {"t": "y", "l": Link("", name)}]
    (tmp_path / "out").mkdir()
    write_summary(_one_sheet(rows), tmp_path / "out" / "s.xlsx", base_dir=tmp_path / "src")
    ws = openpyxl.load_workbook(tmp_path / "out" / "s.xlsx")["表"]
    links = [(c.value, c.hyperlink.target, c.hyperlink.location) for c in ws["B"][3:5]]
    for _, target, _ in links:
        assert "#" not in target
        assert (tmp_path / "out" / unquote(target).replace("\\", "/")).resolve() == source.resolve()
    assert [(text, location) for text, _, location in links] == [
        ("甲", "'风险'!L3"), (str(Path("..") / "src" / name).replace("/", "\\"), None)]
