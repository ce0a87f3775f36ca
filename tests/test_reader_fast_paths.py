"""Reading a workbook with the normaliser's fast paths gives exactly what reading without them gives.

Filled samples of every template, and a plan whose cells hold what people type (stray spaces,
full-width text, a date with a time, numbers as text, -0.0, an error value …), are read twice: as
usual, and with every field's fast path declining (so every cell goes through ``normalize``). The
records (value, raw value and cell of every value) and the findings must be the same.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from fixtures_reader import write_sample

import pimxl.io.read_context as read_context
import pimxl.io.read_table as read_table
from pimxl.io.reader import read_workbook
from pimxl.normalize_fast import SLOW
from pimxl.records import WorkbookRecord
from pimxl.templates import TEMPLATES

AS_OF = datetime(2026, 6, 15).date()


def _exact(v: Any) -> Any:
    """A value compared by type and repr: -0.0 is not 0.0, 3 is not 3.0."""
    return (type(v).__name__, repr(v))


def _dump(record: WorkbookRecord) -> Any:
    form = {k: (_exact(v.value), _exact(v.raw), v.cell) for k, v in record.form.items()}
    tables = {key: [(r.sheet_row, {k: (_exact(v.value), _exact(v.raw), v.cell) for k, v in r.cells.items()}, r.extra)
                    for r in rows] for key, rows in record.tables.items()}
    findings = [(f.code, f.severity, f.sheet, f.cell, f.field, _exact(f.value), f.message_zh, f.message_en)
                for f in record.findings]
    return form, tables, findings


def _slow_typer(field: object) -> Any:
    return lambda raw: SLOW


def _both(path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Any, Any]:
    fast = _dump(read_workbook(path, as_of=AS_OF))
    with monkeypatch.context() as m:
        m.setattr(read_table, "fast_typer", _slow_typer)
        m.setattr(read_context, "fast_typer", _slow_typer)
        slow = _dump(read_workbook(path, as_of=AS_OF))
    return fast, slow


@pytest.mark.parametrize("template_id", sorted(TEMPLATES))
def test_samples_read_the_same_without_fast_paths(tmp_path: Path, template_id: str,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_sample(template_id, tmp_path / f"{template_id}.xlsx")
    fast, slow = _both(path, monkeypatch)
    assert fast == slow
    assert fast[1]  # the sample has rows: something was compared


# What people type, by WBS column: each value goes into one row of the plan's WBS table.
MESSY: dict[str, list[Any]] = {
    "task": [" 需求调研", "需求\n调研", "ＡＰＩ设计", "实施  部署", "12.50", 2.0, -0.0, "#REF!", "＃ＮＵＬＬ！", "测试\u3000验收"],
    "status": ["进行中 ", "ｄｏｎｅ", "已完成", "未知", "进行中", "已完成\u200b", "not started", "x", "未开始", "完成"],
    "planned_start": [datetime(2026, 3, 5, 14, 30), datetime(2026, 3, 5), "2026/3/5", 46086.0, "3月5日", "03/05/2026",
                      "待定", "2026-02-30", True, datetime(2026, 3, 6)],
    "percent_complete": [0.5, 50.0, "30%", -0.0, 1.0, "1e308", float("1e308"), "abc", 0.3, True],
}


def test_messy_cells_read_the_same_without_fast_paths(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_sample("project-plan", tmp_path / "plan.xlsx")
    rows = read_workbook(path, as_of=AS_OF).tables["wbs"]
    book = openpyxl.load_workbook(path)
    for key, values in MESSY.items():
        for row, value in zip(rows, values, strict=False):
            cell = row.cells[key].cell
            assert cell is not None
            book[cell.sheet].cell(cell.row, cell.col).value = value
    messy = tmp_path / "messy.xlsx"
    book.save(messy)
    fast, slow = _both(messy, monkeypatch)
    assert fast == slow
    codes = {f[0] for f in fast[2]}
    # The normalisations are all still reported (not silently taken by a fast path).
    assert {"text-normalised", "choice-normalised", "datetime-truncated", "date-normalised", "cell-error",
            "percent-assumed", "placeholder-empty"} <= codes
    tasks = [r[1]["task"][0] for r in fast[1]["wbs"][:len(MESSY["task"])]]
    assert tasks[:7] == [("str", "'需求调研'"), ("str", "'需求 调研'"), ("str", "'API设计'"), ("str", "'实施 部署'"),
                         ("str", "'12.50'"), ("str", "'2'"), ("str", "'0'")]
