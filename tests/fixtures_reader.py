"""Workbooks for the reader tests: filled templates, and the ways people change them.

Each mutator edits a generated workbook with openpyxl the way a user would in Excel (rows inserted
above a table, a column moved, a column of their own, a renamed sheet, data pasted into a fresh
workbook) and saves it under a new name.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from copy import copy
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.worksheet.table import TableColumn

from pimxl import layout
from pimxl.address import col_letter, parse_a1
from pimxl.io.writer import merge_rows, write_template
from pimxl.records import WorkbookRecord
from pimxl.schema import Field, FieldType, Template
from pimxl.templates import TEMPLATES

__all__ = [
    "SAMPLES",
    "add_column",
    "copy_values_only",
    "expected",
    "insert_rows_above",
    "move_column",
    "rename_sheet",
    "snapshot",
    "write_sample",
]

HEADER = {
    "project_id": "PRJ-2026-001", "project_name": "智慧园区集成项目", "contract_no": "HT-2026-018",
    "customer": "华东某集团", "division": "网络集成事业部", "project_manager": "张伟", "sales_rep": "李娜",
    "prepared_by": "张伟", "prepared_on": date(2026, 3, 5),
}

#: Per template: form values and table rows (rows matching a pre-filled row key fill that row).
SAMPLES: dict[str, tuple[dict[str, Any], dict[str, list[dict[str, Any]]]]] = {
    "project-plan": (
        {**HEADER, "contract_amount": 1200000.0, "planned_start": date(2026, 3, 1),
         "planned_finish": date(2026, 9, 30), "current_phase": "项目实施", "overall_status": "黄",
         "scope": "核心网络与机房建设", "approver": "王主任", "approved_on": date(2026, 3, 6)},
        {
            "wbs": [{"wbs_code": "1.1.1", "owner": "张伟", "planned_start": date(2026, 3, 1),
                     "planned_finish": date(2026, 3, 3), "actual_start": date(2026, 3, 1),
                     "actual_finish": date(2026, 3, 3), "percent_complete": 1.0, "status": "已完成"},
                    {"wbs_code": "2.4.4", "task": "机柜加固", "phase": "项目实施", "owner": "赵强",
                     "predecessors": ("2.4.1", "2.4.2"), "status": "未开始"}],
            "risks": [{"risk_id": "R01", "description": "进口设备到货延迟", "category": "供应商",
                       "probability": 0.5, "impact": 0.4, "owner": "张伟", "strategy": "减轻",
                       "response": "提前下单", "due": date(2026, 4, 30), "status": "开放"},
                      {"risk_id": "R02", "description": "客户机房改造滞后", "category": "客户",
                       "probability": 0.3, "impact": 0.1, "status": "开放"}],
            "resources": [{"role": "项目经理", "name": "张伟", "allocation": 0.5}],
            "budget": [{"item": "硬件", "budget": 800000.0, "actual": 650000.0}],
        },
    ),
    "contract-progress": (
        {**HEADER, "contract_amount": 1200000.0, "signed_on": date(2026, 2, 20), "payment_terms": "3-3-2-1.5-0.5",
         "currency": "CNY", "last_updated": date(2026, 3, 5)},
        {
            "stages": [{"stage": "合同签订", "planned_date": date(2026, 2, 20), "actual_date": date(2026, 2, 20),
                        "status": "已完成", "owner": "李娜"},
                       {"stage": "国际运输", "status": "不适用"}],
            "payments": [{"node": "预付款", "due_date": date(2026, 3, 20), "invoiced": 360000.0,
                          "invoiced_on": date(2026, 3, 1), "received": 300000.0, "received_on": date(2026, 3, 10)}],
        },
    ),
    "adjustment": (
        {**HEADER, "adjustment_no": "ADJ-01", "requested_by": "张伟", "requested_on": date(2026, 3, 5),
         "adjustment_type": "进度", "urgency": "紧急", "content": "终验推迟两周", "reason": "客户机房改造滞后",
         "schedule_impact_days": 14, "cost_impact": 0.0, "old_finish": date(2026, 9, 30),
         "new_finish": date(2026, 10, 14), "result": "待审批"},
        {"items": [{"item": "2.10", "field": "计划完成", "before": "2026-09-30", "after": "2026-10-14"}]},
    ),
    "site-environment": (
        {**HEADER, "site_name": "一号机房", "site_address": "上海市浦东新区某路 1 号", "customer_contact": "陈工",
         "contact_phone": "021-5555-0101", "room_class": "B", "planned_entry": date(2026, 4, 1),
         "checked_on": date(2026, 3, 5), "checked_by": "赵强", "conclusion": "有条件具备"},
        {"checks": [{"item": "净高", "measured": 2.8, "result": "符合"},
                    {"item": "温度", "measured": 30, "result": "不符合", "remedy": "加装空调",
                     "remedy_due": date(2026, 3, 25)}]},
    ),
}


def write_sample(template_id: str, path: Path) -> Path:
    values, rows = SAMPLES[template_id]
    return write_template(TEMPLATES[template_id], path, values=values, rows=rows)


def _as_read(f: Field, v: Any) -> Any:
    """A value as it reads back typed: '' is empty; a number in a text column is its text (2.8 → '2.8')."""
    if v == "":
        return None
    if f.type in (FieldType.TEXT, FieldType.LONGTEXT) and isinstance(v, int | float):
        return f"{v:g}"
    return v


def expected(template_id: str) -> dict[str, Any]:
    """What reading the sample must give: {'form': {key: value}, table key: [row dicts]}."""
    t: Template = TEMPLATES[template_id]
    values, rows = SAMPLES[template_id]
    form = {f.key: values.get(f.key, f.default) for f in t.form.fields}
    out: dict[str, Any] = {"form": form}
    for table in t.tables:
        lines = []
        for merged in merge_rows(table, rows.get(table.key)):
            line: dict[str, Any] = {}
            for f in table.columns:
                if f.computed:
                    # A formula sees a number typed in a text column as a number.
                    numbers = {k: v for k, v in merged.items() if isinstance(v, int | float)}
                    line[f.key] = f.compute({**line, **numbers}, form) if f.compute else None
                else:
                    line[f.key] = _as_read(f, merged.get(f.key))
            lines.append(line)
        out[table.key] = lines
    return out


def snapshot(record: WorkbookRecord) -> dict[str, Any]:
    """A record as plain data, comparable with :func:`expected`."""
    out: dict[str, Any] = {"form": record.form_values()}
    for key, rows in record.tables.items():
        out[key] = [r.values() for r in rows]
    return out


def _load(path: Path) -> openpyxl.Workbook:
    return openpyxl.load_workbook(path)


def _shift(ref: str, rows: int = 0, cols: int = 0) -> str:
    a, b = ref.split(":")
    (r1, c1), (r2, c2) = parse_a1(a), parse_a1(b)
    return f"{col_letter(c1)}{r1 + rows}:{col_letter(c2 + cols)}{r2 + rows}"


def insert_rows_above(src: Path, dst: Path, sheet: str, n: int = 3, *, keep_table: bool = True) -> Path:
    """Insert ``n`` rows (with a note) above a table; Excel moves the table, ``keep_table=False`` drops it."""
    wb = _load(src)
    ws = wb[sheet]
    ws.insert_rows(1, n)
    ws.cell(1, 1, "说明：本表由项目组每周更新")
    for name in list(ws.tables):
        if keep_table:
            ws.tables[name].ref = _shift(ws.tables[name].ref, rows=n)
        else:
            del ws.tables[name]
    wb.save(dst)
    return dst


def move_column(src: Path, dst: Path, sheet: str, from_col: int, to_col: int) -> Path:
    """Move a column of a table sheet (values of every row) and its table column, as Excel does."""
    wb = _load(src)
    ws = wb[sheet]
    # Values move with their number formats (a date format left behind would turn 100 % into a date).
    grid = [[(c.value, c.number_format) for c in row]
            for row in ws.iter_rows(min_row=1, max_row=ws.max_row, max_col=ws.max_column)]
    for line in grid:
        line.insert(to_col - 1, line.pop(from_col - 1))
    for r, line in enumerate(grid, start=1):
        for c, (v, fmt) in enumerate(line, start=1):
            ws.cell(r, c).value, ws.cell(r, c).number_format = v, fmt
    for tbl in ws.tables.values():
        cols = list(tbl.tableColumns)
        cols.insert(to_col - 1, cols.pop(from_col - 1))
        tbl.tableColumns = cols
    wb.save(dst)
    return dst


def add_column(src: Path, dst: Path, sheet: str, at: int, header: str, values: Mapping[int, Any]) -> Path:
    """Insert a user's own column at ``at`` inside the table; ``values`` by sheet row."""
    wb = _load(src)
    ws = wb[sheet]
    ws.insert_cols(at)
    ws.cell(layout.TABLE_HEADER_ROW, at, header)
    for r, v in values.items():
        ws.cell(r, at, v)
    for tbl in ws.tables.values():
        tbl.ref = _shift(tbl.ref, cols=1)
        cols = list(tbl.tableColumns)
        cols.insert(at - 1, TableColumn(id=max(c.id for c in cols) + 1, name=header))
        tbl.tableColumns = cols
    wb.save(dst)
    return dst


def rename_sheet(src: Path, dst: Path, old: str, new: str, *, update_names: bool) -> Path:
    """Rename a sheet; Excel updates the defined names pointing at it, some tools do not."""
    wb = _load(src)
    wb[old].title = new
    if update_names:
        for dn in wb.defined_names.values():
            dn.attr_text = dn.attr_text.replace(f"'{old}'!", f"'{new}'!")
    wb.save(dst)
    return dst


def copy_values_only(src: Path, dst: Path, *, sheets: Sequence[str] | None = None,
                     rename: Mapping[str, str] | None = None) -> Path:
    """Paste the values of the visible sheets into a fresh workbook: no names, tables or identity."""
    source = openpyxl.load_workbook(src, data_only=True)
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for ws in source.worksheets:
        if ws.sheet_state != "visible" or (sheets is not None and ws.title not in sheets):
            continue
        out = wb.create_sheet((rename or {}).get(ws.title, ws.title))
        for row in ws.iter_rows():
            for c in row:
                if c.value is not None:
                    cell = out.cell(c.row, c.column, c.value)
                    cell.number_format = copy(c.number_format)
    wb.save(dst)
    return dst

