"""Tolerant reading: what users do to a workbook still reads to the same records."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from fixtures_reader import (
    SAMPLES,
    add_column,
    copy_values_only,
    expected,
    insert_rows_above,
    move_column,
    rename_sheet,
    snapshot,
    write_sample,
)

from pimxl.findings import Severity
from pimxl.io.reader import read_workbook

PLAN = expected("project-plan")


@pytest.fixture(scope="module")
def plan(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_sample("project-plan", tmp_path_factory.mktemp("plan") / "plan.xlsx")


def _codes(rec: object, severity: Severity | None = None) -> set[str]:
    return {f.code for f in rec.findings if severity is None or f.severity == severity}  # type: ignore[attr-defined]


@pytest.mark.parametrize("keep_table", [True, False], ids=["table-moved", "table-lost"])
def test_rows_inserted_above_a_table(tmp_path: Path, plan: Path, keep_table: bool) -> None:
    path = insert_rows_above(plan, tmp_path / "p.xlsx", "WBS工作分解", 3, keep_table=keep_table)
    path = insert_rows_above(path, path, "风险", 2, keep_table=keep_table)
    rec = read_workbook(path)
    assert snapshot(rec) == PLAN
    first = next(rec.rows("wbs"))
    assert (first.sheet_row, first.cell("wbs_code").address) == (6, "'WBS工作分解'!A6")
    assert next(rec.rows("risks")).cell("score").address == "'风险'!F5"
    assert ("read-by-label" in _codes(rec)) is not keep_table
    assert not _codes(rec, Severity.WARNING) and not _codes(rec, Severity.ERROR)


def test_a_column_moved(tmp_path: Path, plan: Path) -> None:
    # 任务名称 (B) to the far right, 负责人 (D) to the front.
    path = move_column(plan, tmp_path / "p.xlsx", "WBS工作分解", 2, 13)
    path = move_column(path, path, "WBS工作分解", 3, 1)
    rec = read_workbook(path)
    assert snapshot(rec) == PLAN
    row = next(rec.rows("wbs"))
    assert (row.cell("owner").a1, row.cell("wbs_code").a1, row.cell("task").a1) == ("A3", "B3", "M3")


def test_an_extra_user_column(tmp_path: Path, plan: Path) -> None:
    path = add_column(plan, tmp_path / "p.xlsx", "WBS工作分解", 3, "现场联系人", {3: "陈工", 5: "刘工"})
    rec = read_workbook(path)
    assert snapshot(rec) == PLAN
    rows = list(rec.rows("wbs"))
    assert [r.extra for r in rows[:3]] == [{"现场联系人": "陈工"}, {"现场联系人": None}, {"现场联系人": "刘工"}]
    assert rows[0].cell("phase").a1 == "D3"  # moved right by the inserted column


def test_an_extra_column_holding_the_only_value_keeps_the_row(tmp_path: Path, plan: Path) -> None:
    last = 2 + len(PLAN["risks"])
    path = add_column(plan, tmp_path / "p.xlsx", "风险", 14, "跟踪记录", {last + 1: "待确认"})
    rec = read_workbook(path)
    rows = list(rec.rows("risks"))
    assert len(rows) == len(PLAN["risks"]) + 1 and rows[-1].extra == {"跟踪记录": "待确认"}


@pytest.mark.parametrize("update_names", [True, False], ids=["names-updated", "names-dangling"])
def test_renamed_sheets(tmp_path: Path, plan: Path, update_names: bool) -> None:
    path = rename_sheet(plan, tmp_path / "p.xlsx", "项目信息", "基本信息", update_names=update_names)
    path = rename_sheet(path, path, "WBS工作分解", "任务分解", update_names=update_names)
    rec = read_workbook(path)
    assert snapshot(rec) == PLAN
    assert rec.sheets["info"] == "基本信息" and rec.sheets["wbs"] == "任务分解"
    assert rec.cell("project_id").address == "'基本信息'!B4"
    assert not _codes(rec, Severity.WARNING)


@pytest.mark.parametrize("template_id", sorted(SAMPLES))
def test_data_copied_into_a_fresh_workbook(tmp_path: Path, template_id: str) -> None:
    src = write_sample(template_id, tmp_path / "src.xlsx")
    rec = read_workbook(copy_values_only(src, tmp_path / "copy.xlsx"))
    assert rec.template_id == template_id
    assert snapshot(rec) == expected(template_id)
    assert [(f.code, f.severity) for f in rec.findings if f.severity != Severity.INFO] == [
        ("identity-missing", Severity.WARNING)]


def test_copied_with_renamed_sheets_and_shifted_form(tmp_path: Path, plan: Path) -> None:
    """No names, no tables, no identity, every sheet renamed, the form one column to the right."""
    rename = {"项目信息": "Sheet1", "WBS工作分解": "Sheet2", "风险": "Sheet3", "里程碑": "Sheet4",
              "资源": "Sheet5", "沟通计划": "Sheet6", "预算": "Sheet7"}
    path = copy_values_only(plan, tmp_path / "copy.xlsx", rename=rename)
    wb = openpyxl.load_workbook(path)
    wb["Sheet1"].insert_cols(1)
    wb.save(path)
    rec = read_workbook(path)
    assert snapshot(rec) == PLAN
    assert rec.cell("project_id").address == "'Sheet1'!C4"
    assert {k: rec.sheets[k] for k in ("info", "wbs", "risks", "budget")} == {
        "info": "Sheet1", "wbs": "Sheet2", "risks": "Sheet3", "budget": "Sheet7"}


def test_labels_match_width_space_and_language(tmp_path: Path, plan: Path) -> None:
    """Labels retyped full-width, with stray spaces, or in English still match."""
    path = copy_values_only(plan, tmp_path / "copy.xlsx")
    wb = openpyxl.load_workbook(path)
    form, wbs = wb["项目信息"], wb["WBS工作分解"]
    form["A4"] = "项目 编号 ＊"
    form["A5"] = "Project name"
    form["A14"] = "合同金额："
    wbs["A2"], wbs["B2"], wbs["I2"] = "ＷＢＳ编码", "任务\n名称", "完成％"
    wb.save(path)
    rec = read_workbook(path)
    assert snapshot(rec) == PLAN


def test_a_table_that_cannot_be_found_is_reported(tmp_path: Path, plan: Path) -> None:
    path = copy_values_only(plan, tmp_path / "copy.xlsx", sheets=["项目信息", "WBS工作分解"])
    rec = read_workbook(path)
    assert snapshot(rec)["wbs"] == PLAN["wbs"]
    missing = sorted(f.field for f in rec.findings if f.code == "table-missing")
    assert missing == ["budget", "communication", "milestones", "resources", "risks"]
    assert rec.tables["risks"] == []


def test_rows_typed_below_the_table_are_read(tmp_path: Path, plan: Path) -> None:
    wb = openpyxl.load_workbook(plan)
    ws = wb["预算"]
    end = int(ws.tables["tbl_budget"].ref.split(":")[1][1:])
    ws.cell(end + 1, 1, "差旅")
    ws.cell(end + 1, 2, 5000)
    wb.save(tmp_path / "p.xlsx")
    rec = read_workbook(tmp_path / "p.xlsx")
    assert list(rec.rows("budget"))[-1].values() == {"item": "差旅", "budget": 5000.0, "actual": None, "remarks": None}
    assert [(f.code, f.cell) for f in rec.findings if f.code == "rows-below-table"] == [("rows-below-table", f"A{end + 1}")]
