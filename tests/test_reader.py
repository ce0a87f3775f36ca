"""The reader: generated workbooks read back to the values put in, each with its cell."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import openpyxl
import pytest
from fixtures_reader import SAMPLES, expected, snapshot, write_sample

from pimxl.errors import FileProblem
from pimxl.findings import Report, Severity
from pimxl.io.read_formulas import ComputedValue
from pimxl.io.reader import read_workbook
from pimxl.templates import PROJECT_PLAN, TEMPLATES


@pytest.fixture(scope="module")
def plan(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_sample("project-plan", tmp_path_factory.mktemp("plan") / "plan.xlsx")


def _edit(src: Path, dst: Path, sheet: str, cell: str, value: object) -> Path:
    wb = openpyxl.load_workbook(src)
    wb[sheet][cell] = value
    wb.save(dst)
    return dst


@pytest.mark.parametrize("template_id", sorted(SAMPLES))
def test_filled_template_reads_back_exactly(tmp_path: Path, template_id: str) -> None:
    rec = read_workbook(write_sample(template_id, tmp_path / f"{template_id}.xlsx"))
    assert rec.template_id == template_id and rec.version == TEMPLATES[template_id].version
    assert snapshot(rec) == expected(template_id)
    # Nothing to report but the formulas pimxl computed (the writer leaves no cached values).
    assert {f.code for f in rec.findings} <= {"formula-recomputed"}


def test_cells_are_addressed(plan: Path) -> None:
    rec = read_workbook(plan)
    assert rec.sheets == {"info": "项目信息", "wbs": "WBS工作分解", "milestones": "里程碑", "risks": "风险",
                          "resources": "资源", "communication": "沟通计划", "budget": "预算"}
    # Row 3 is the 项目信息 group heading, the fields follow it.
    assert rec.cell("project_id").address == "'项目信息'!B4"
    assert rec.cell("contract_amount").address == "'项目信息'!B14"
    risk = next(rec.rows("risks"))
    assert (risk.sheet_row, risk.cell("risk_id").address, risk.cell("score").address) == (3, "'风险'!A3", "'风险'!F3")


def test_empty_required_cell_has_its_address(tmp_path: Path, plan: Path) -> None:
    path = _edit(plan, tmp_path / "p.xlsx", "项目信息", "B5", None)  # 项目名称
    path = _edit(path, path, "风险", "B4", None)  # R02's 风险描述
    rec = read_workbook(path)
    assert rec.get("project_name") is None and rec.cell("project_name").address == "'项目信息'!B5"
    r02 = list(rec.rows("risks"))[1]
    assert r02.get("risk_id") == "R02"
    assert r02.get("description") is None and r02.cell("description").address == "'风险'!B4"


def test_formula_without_cached_value_is_recomputed(plan: Path) -> None:
    rec = read_workbook(plan)
    r01, r02 = list(rec.rows("risks"))
    score = r01.cells["score"]
    assert isinstance(score, ComputedValue)
    assert (score.value, score.raw, score.recomputed, score.recomputed_by_pimxl) == (0.2, None, 0.2, True)
    assert (r01.get("level"), r02.get("score"), r02.get("level")) == ("高", 0.03, "低")
    # One info per column, at its first recomputed cell, counting the cells.
    infos = Report([f for f in rec.findings if f.sheet == "风险"]).flatten(["cell", "code", "field", "value"])
    assert infos == [["F3", "formula-recomputed", "score", 2], ["G3", "formula-recomputed", "level", 2]]
    info = next(f for f in rec.findings if f.field == "score")
    assert (info.severity, info.message_zh) == (
        Severity.INFO, "风险值：2 个公式单元格没有缓存值（文件未在电子表格软件中打开过），已由 pimxl 重算（共 2 行）")
    # Blank formula rows are empty rows, not risks without an id.
    assert len(list(rec.rows("risks"))) == 2


def test_number_typed_over_a_formula_keeps_both(tmp_path: Path, plan: Path) -> None:
    rec = read_workbook(_edit(plan, tmp_path / "p.xlsx", "风险", "F3", 0.9))
    score = next(rec.rows("risks")).cells["score"]
    assert isinstance(score, ComputedValue)
    assert (score.value, score.raw, score.recomputed, score.recomputed_by_pimxl) == (0.9, 0.9, 0.2, False)
    # F4 alone was recomputed in the 风险值 column: the info counts one cell, from F4.
    assert [[f.cell, f.value] for f in rec.findings if f.code == "formula-recomputed" and f.field == "score"] == [
        ["F4", 1]]


def test_error_values_are_cell_errors(tmp_path: Path, plan: Path) -> None:
    # openpyxl writes '#REF!' as an error cell (t="e"), which calamine alone reads as ''.
    path = _edit(plan, tmp_path / "p.xlsx", "项目信息", "B14", "#REF!")
    path = _edit(path, path, "WBS工作分解", "E3", "#N/A")
    rec = read_workbook(path)
    errors = Report([f for f in rec.findings if f.severity == Severity.ERROR])
    assert errors.flatten(["sheet", "cell", "code", "value"]) == [
        ["项目信息", "B14", "cell-error", "#REF!"], ["WBS工作分解", "E3", "cell-error", "#N/A"]]
    assert rec.get("contract_amount") is None


def test_normalisation_findings_are_recorded(tmp_path: Path, plan: Path) -> None:
    path = _edit(plan, tmp_path / "p.xlsx", "项目信息", "B12", "2026年3月5日")
    path = _edit(path, path, "项目信息", "B14", "120万")
    rec = read_workbook(path, as_of=date(2026, 3, 9))
    assert (rec.get("prepared_on"), rec.get("contract_amount")) == (date(2026, 3, 5), 1200000.0)
    assert rec.form["contract_amount"].raw == "120万"
    cells = [f.cell for f in rec.findings if f.sheet == "项目信息"]
    assert cells == ["B12", "B14"]


def test_not_a_template(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    wb.active.append(["姓名", "部门", "电话"])
    wb.active.append(["张三", "客服中心", "123"])
    wb.save(tmp_path / "x.xlsx")
    with pytest.raises(FileProblem) as e:
        read_workbook(tmp_path / "x.xlsx")
    assert e.value.code == "not-a-template" and e.value.reason_zh and e.value.reason_en


def _identity(src: Path, dst: Path, key: str, value: str) -> Path:
    wb = openpyxl.load_workbook(src)
    ws = wb["_pimxl"]
    for row in ws.iter_rows():
        if row[0].value == key:
            row[1].value = value
    wb.save(dst)
    return dst


def test_unknown_template_and_newer_version(tmp_path: Path, plan: Path) -> None:
    with pytest.raises(FileProblem) as e:
        read_workbook(_identity(plan, tmp_path / "a.xlsx", "template_id", "weekly-report"))
    assert e.value.code == "template-unknown"
    with pytest.raises(FileProblem) as e:
        read_workbook(_identity(plan, tmp_path / "b.xlsx", "template_version", str(PROJECT_PLAN.version + 1)))
    assert e.value.code == "template-version-newer"


def test_older_version_reads_with_a_warning(tmp_path: Path, plan: Path) -> None:
    rec = read_workbook(_identity(plan, tmp_path / "a.xlsx", "template_version", "0"))
    assert rec.version == 0 and rec.get("project_id") == "PRJ-2026-001"
    assert [(f.code, f.severity) for f in rec.findings if f.code.startswith("template")] == [
        ("template-version-old", Severity.WARNING)]


def test_identity_from_custom_properties_when_the_sheet_is_gone(tmp_path: Path, plan: Path) -> None:
    wb = openpyxl.load_workbook(plan)
    del wb["_pimxl"]
    wb.save(tmp_path / "p.xlsx")
    rec = read_workbook(tmp_path / "p.xlsx")
    assert rec.template_id == "project-plan"
    assert "identity-missing" not in [f.code for f in rec.findings]
