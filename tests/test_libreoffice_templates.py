"""The generated templates in a real spreadsheet application (LibreOffice headless): they render to
PDF with Chinese in a CJK font, fit the page width, and their formulas compute the right values."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import openpyxl
import pytest
from lo import convert

from pimxl.io.writer import write_template
from pimxl.templates import CONTRACT_PROGRESS, PROJECT_PLAN, SITE_ENVIRONMENT, TEMPLATES

pytestmark = pytest.mark.libreoffice

COMMITTED = Path(__file__).resolve().parent.parent / "workbooks" / "templates"
CJK_FONT = re.compile(r"WenQuanYi|ZenHei|Noto\w*CJK|SourceHan|Droid\w*Fallback|SimSun|YaHei|DengXian", re.I)


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("pdf")
    files = [COMMITTED / f"{tid}.xlsx" for tid in TEMPLATES]
    return {p.stem: p for p in convert(files, "pdf", out)}


def pages(pdf: Path) -> list[tuple[float, float, str]]:
    """(width, height, text) of every page."""
    info = subprocess.run(["pdfinfo", "-f", "1", "-l", "999", str(pdf)], capture_output=True, text=True).stdout
    sizes = [(float(w), float(h)) for w, h in re.findall(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+)", info)]
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True).stdout
    texts = text.split("\f")
    return [(w, h, texts[i] if i < len(texts) else "") for i, (w, h) in enumerate(sizes)]


@pytest.mark.parametrize("tid", list(TEMPLATES))
def test_pdf_has_chinese_in_an_embedded_cjk_font(pdfs, tid):
    fonts = subprocess.run(["pdffonts", str(pdfs[tid])], capture_output=True, text=True).stdout.splitlines()[2:]
    cjk = [ln for ln in fonts if CJK_FONT.search(ln)]
    assert cjk, fonts
    assert all(" yes " in ln for ln in cjk)  # embedded
    text = "".join(t for _, _, t in pages(pdfs[tid]))
    assert TEMPLATES[tid].zh in text and TEMPLATES[tid].form.fields[0].zh in text


@pytest.mark.parametrize("tid", list(TEMPLATES))
def test_pages_are_a4_and_every_table_fits_the_width(pdfs, tid):
    ps = pages(pdfs[tid])
    for w, h, _ in ps:
        assert sorted((round(w), round(h))) == [595, 842]  # A4, either orientation
    # Fit to width: a table's first and last column headers print on the same (landscape) page.
    for table in TEMPLATES[tid].tables:
        first, last = table.columns[0].en, table.columns[-1].en
        page = next(p for p in ps if re.search(rf"(^|\s){re.escape(first)}\s", p[2]))
        assert last in page[2], (table.key, first, last)
        assert page[0] > page[1]  # landscape
    # The form (first page) fits the width too: label, value column heading and help column.
    assert "字段" in ps[0][2] and "Field · 说明" in ps[0][2]
    # Sanity: not exploded into many narrow pages.
    assert len(ps) <= {"project-plan": 14}.get(tid, 6)


def test_formulas_compute_after_libreoffice_recalculation(tmp_path):
    plan = write_template(PROJECT_PLAN, tmp_path / "plan.xlsx", values={"project_id": "PRJ-1"}, rows={"risks": [
        {"risk_id": "R01", "description": "到货延迟", "probability": 0.5, "impact": 0.4},
        {"risk_id": "R02", "description": "人员变动", "probability": 0.3, "impact": 0.2},
        {"risk_id": "R03", "description": "文档缺失", "probability": 0.1, "impact": 0.05},
        {"risk_id": "R04", "description": "边界值", "probability": 0.9, "impact": 0.2}]})
    cp = write_template(CONTRACT_PROGRESS, tmp_path / "cp.xlsx", values={"contract_amount": 1_000_000},
                        rows={"payments": [{"node": "预付款", "ratio": 0.3, "received": 120_000}]})
    site = write_template(SITE_ENVIRONMENT, tmp_path / "site.xlsx", rows={"checks": [
        {"item": "温度", "measured": 25}, {"item": "相对湿度", "measured": 70}, {"item": "净高", "measured": 2.6},
        {"item": "零地电压", "measured": 2.5}, {"item": "机房面积", "measured": "满足"},
        {"item": "供电制式", "measured": 1}]})
    out = {p.stem: p for p in convert([plan, cp, site], "xlsx", tmp_path / "out")}

    ws = openpyxl.load_workbook(out["plan"], data_only=True)["风险"]
    got = [(r[0], r[5], r[6]) for r in ws.iter_rows(min_row=3, max_row=7, values_only=True)]
    # 0.9 × 0.2 = 0.18 sits exactly on the 高 threshold; an empty row computes to blank.
    assert got[:4] == [("R01", 0.2, "高"), ("R02", 0.06, "中"), ("R03", 0.005, "低"), ("R04", 0.18, "高")]
    assert got[4][1:] in ((None, None), ("", ""))

    ws = openpyxl.load_workbook(out["cp"], data_only=True)["收款计划"]
    rows = {r[0]: r for r in ws.iter_rows(min_row=3, max_row=7, values_only=True)}
    unpaid = [c.key for c in CONTRACT_PROGRESS.table("payments").columns].index("unpaid")  # K since v2 (发票号)
    assert rows["预付款"][2] == pytest.approx(300_000) and rows["预付款"][unpaid] == pytest.approx(180_000)
    assert rows["到货款"][2] == pytest.approx(300_000) and rows["到货款"][unpaid] == pytest.approx(300_000)
    assert rows["质保金"][2] == pytest.approx(50_000)
    assert sum(r[2] for r in rows.values()) == pytest.approx(1_000_000)

    ws = openpyxl.load_workbook(out["site"], data_only=True)["检查项"]
    auto = {r[0]: r[6] for r in ws.iter_rows(min_row=3, values_only=True) if r[0]}
    assert (auto["温度"], auto["相对湿度"], auto["净高"], auto["零地电压"]) == ("符合", "不符合", "符合", "不符合")
    assert auto["机房面积"] in (None, "") and auto["供电制式"] in (None, "")  # text / no numeric bound
