"""The summary writer: what a user opening the workbook sees, read back with openpyxl (and LibreOffice)."""

from __future__ import annotations

import math
import re
import shutil
import subprocess
import zipfile
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from pathlib import Path, PureWindowsPath
from typing import Any

import openpyxl
import pytest
from lo import convert
from summaryfactory import SHEET_KEYS, SHEET_NAMES, sample_summary, source_paths

import pimxl.rollup.summary_writer as sw
from pimxl.rollup.sheetspec import ChartSpec, Column, Link, SheetSpec, Summary
from pimxl.rollup.summary_writer import _sheet_name, write_summary
from pimxl.rollup.xlsx_charts import CHART_DATA_SHEET
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
    def broken_write(skeleton: bytes, out: Any, chunks: Any) -> None:
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
    import os

    from pimxl.rollup.summary_writer import write_summary

    dead = tmp_path / ".~汇总.999999.deadbeef.xlsx"  # pid 999999: no such process
    mine = tmp_path / f".~汇总.{os.getpid()}.cafebabe.xlsx"  # a run still going (this process)
    for p in (dead, mine):
        p.write_bytes(b"partial")
    write_summary(sample_summary(), tmp_path / "汇总.xlsx")
    assert not dead.exists() and mine.exists() and (tmp_path / "汇总.xlsx").exists()
