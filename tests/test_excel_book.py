"""Values as xlwings hands them over (floats, datetimes, None) read into the file reader's record."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from fixtures_reader import SAMPLES, copy_values_only, expected, snapshot, write_sample

from pimxl.config import Settings
from pimxl.excel.book import BookData, TableRange, check_data, grid_from_values, parts_from, record_from_data
from pimxl.io.reader import read_workbook
from pimxl.pipeline import process_file
from pimxl.records import WorkbookRecord

AS_OF = date(2026, 3, 10)


def xlwings_value(v: Any) -> Any:
    """A cell value as xlwings returns it: every number a float, every date a datetime."""
    if isinstance(v, bool) or v is None:
        return v
    if isinstance(v, int | float):
        return float(v)
    if isinstance(v, date) and not isinstance(v, datetime):
        return datetime(v.year, v.month, v.day)
    return v


def xlwings_shaped(path: Path) -> BookData:
    """What LiveBook.read() would collect from ``path`` open in Excel (formulas: cached values only)."""
    wb = openpyxl.load_workbook(path, data_only=True)
    data = BookData(path=str(path), sheets={})
    for ws in wb.worksheets:
        rows = [[xlwings_value(c.value) for c in line] for line in ws.iter_rows(min_row=1, min_col=1)]
        data.sheets[ws.title] = rows
        if ws.sheet_state != "visible":
            data.hidden.add(ws.title)
        for table in ws.tables.values():
            data.tables.append(TableRange(table.displayName, ws.title, table.ref, table.headerRowCount != 0,
                                          bool(table.totalsRowCount)))
    for name, dn in wb.defined_names.items():
        data.names[name] = "=" + dn.attr_text
    return data


def cells(record: WorkbookRecord) -> list[tuple[str, Any, str]]:
    """Every value with its cell, for comparing two records cell by cell."""
    out = [(k, v.value, v.cell.address if v.cell else "") for k, v in record.form.items()]
    for key, rows in record.tables.items():
        out += [(f"{key}.{k}", v.value, v.cell.address if v.cell else "") for r in rows for k, v in r.cells.items()]
    return out


def findings(record_or_list: Any) -> list[tuple[str, str, str, str]]:
    items = record_or_list.findings if hasattr(record_or_list, "findings") else record_or_list
    return sorted((f.code, f.sheet, f.cell, f.severity.value) for f in items)


@pytest.mark.parametrize("template_id", sorted(SAMPLES))
def test_same_record_as_the_file_reader(tmp_path: Path, template_id: str) -> None:
    path = write_sample(template_id, tmp_path / f"{template_id}.xlsx")
    from_file = read_workbook(path, as_of=AS_OF)
    live = record_from_data(xlwings_shaped(path), as_of=AS_OF)
    assert (live.template_id, live.version, live.sheets) == (from_file.template_id, from_file.version, from_file.sheets)
    assert snapshot(live) == snapshot(from_file) == expected(template_id)
    assert cells(live) == cells(from_file)
    assert findings(live) == findings(from_file)


def _edit(src: Path, dst: Path, edits: dict[tuple[str, str], Any]) -> Path:
    wb = openpyxl.load_workbook(src)
    for (sheet, cell), value in edits.items():
        wb[sheet][cell] = value
    wb.save(dst)
    return dst


def test_mistakes_give_the_same_findings(tmp_path: Path) -> None:
    plan = write_sample("project-plan", tmp_path / "plan.xlsx")
    path = _edit(plan, tmp_path / "bad.xlsx", {
        ("项目信息", "B5"): None,              # 项目名称 missing
        ("项目信息", "B14"): "120万",          # money as people type it
        ("风险", "D3"): "#REF!",               # an error value (xlwings' err_to_str)
        ("风险", "E4"): "很高",                # not a number
    })
    from_file = read_workbook(path, as_of=AS_OF)
    live = record_from_data(xlwings_shaped(path), as_of=AS_OF)
    assert cells(live) == cells(from_file)
    assert findings(live) == findings(from_file)
    assert [f for f in findings(live) if f[1] == "风险" or f[2] == "B14"] == [
        ("cell-error", "风险", "D3", "error"), ("number-invalid", "风险", "E4", "error"),
        ("number-normalised", "项目信息", "B14", "info")]
    checked = check_data(xlwings_shaped(path), as_of=AS_OF, settings=Settings())
    by_file = process_file(path, as_of=AS_OF, settings=Settings())
    assert findings(checked.findings) == findings(by_file.findings)
    assert checked.status == by_file.status == "errors"
    assert ("required-missing", "项目信息", "B5", "error") in findings(checked.findings)


def test_label_fallback_without_names_or_tables(tmp_path: Path) -> None:
    plan = write_sample("project-plan", tmp_path / "plan.xlsx")
    pasted = copy_values_only(plan, tmp_path / "pasted.xlsx")
    from_file = read_workbook(pasted, as_of=AS_OF)
    live = record_from_data(xlwings_shaped(pasted), as_of=AS_OF)
    assert snapshot(live) == snapshot(from_file)
    assert findings(live) == findings(from_file)
    assert "identity-missing" in {f[0] for f in findings(live)}


def test_not_a_template_is_a_status_not_an_exception() -> None:
    data = BookData(path="其它.xlsx", sheets={"Sheet1": [["hello", None], [1.0, 2.0]]})
    result = check_data(data, as_of=AS_OF, settings=Settings())
    assert (result.status, result.code, result.record) == ("unreadable", "not-a-template", None)


@pytest.mark.parametrize(("values", "grid"), [
    (None, []),
    (5.0, [[5.0]]),
    (["a", None], [["a", ""]]),
    ([[None, 1.0], ["x", None]], [["", 1.0], ["x", ""]]),
])
def test_grid_from_values(values: Any, grid: list[list[Any]]) -> None:
    assert grid_from_values(values) == grid


def test_parts_from_names_and_tables() -> None:
    data = BookData(path="x.xlsx", sheets={"风险": [[None], ["风险编号", "描述"], ["R01", "延迟"]]},
                    names={"fld_project_id": "='项目信息'!$B$4", "风险!fld_local": "=风险!$A$1",
                           "_xlnm.Print_Area": "=风险!$A$1:$B$3", "broken": "=#REF!"},
                    tables=[TableRange("tbl_risks", "风险", "$A$2:$B$3")])
    parts = parts_from(data)
    assert parts.names == {"fld_project_id": ("项目信息", 4, 2), "fld_local": ("风险", 1, 1)}
    td = parts.table("TBL_RISKS")
    assert td is not None
    assert (td.sheet, td.first_row, td.first_col, td.last_row, td.last_col, td.columns) == (
        "风险", 2, 1, 3, 2, ("风险编号", "描述"))
