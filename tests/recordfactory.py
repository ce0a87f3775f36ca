"""Build WorkbookRecords from plain dicts, for rule tests, with cells placed per pimxl/layout.py.

Form field i sits in column B of the form sheet, one row per field starting at FORM_FIRST_ROW, with one
heading row before each new ``Field.group`` (as the template writer lays it out). Table row j sits at
sheet row TABLE_HEADER_ROW + 1 + j, in the column of its key's position in ``Table.columns``.
Tests compute expected cells with :func:`form_a1` / :func:`table_a1`, independently of the rules.

The samples form one fully correct project (as of :data:`AS_OF`): a plan, a contract progress table,
a site that is ready and an approved adjustment the plan already carries.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from pimxl.address import a1
from pimxl.findings import Finding
from pimxl.layout import FORM_FIRST_ROW, FORM_VALUE_COL, TABLE_HEADER_ROW
from pimxl.records import Cell, Row, Value, WorkbookRecord
from pimxl.templates import TEMPLATES
from pimxl.templates.vocab import CONTRACT_STAGES

AS_OF = date(2026, 6, 15)
D = date


@dataclass(frozen=True)
class Raw:
    """A cell whose text the normaliser could not read: value None, raw text kept."""

    text: str


def form_rows(template_id: str) -> dict[str, int]:
    """Sheet row of every form field: a heading row precedes each new group."""
    rows: dict[str, int] = {}
    r, group = FORM_FIRST_ROW, None
    for f in TEMPLATES[template_id].form.fields:
        if f.group and f.group != group:
            r += 1  # the group's heading row
            group = f.group
        rows[f.key] = r
        r += 1
    return rows


def form_a1(template_id: str, key: str) -> str:
    return a1(form_rows(template_id)[key], FORM_VALUE_COL)


def table_a1(template_id: str, table: str, j: int, key: str) -> str:
    cols = [c.key for c in TEMPLATES[template_id].table(table).columns]
    return a1(TABLE_HEADER_ROW + 1 + j, cols.index(key) + 1)


def _value(v: Any, cell: Cell) -> Value:
    if isinstance(v, Raw):
        return Value(None, v.text, cell)
    return Value(v, v, cell)


@dataclass
class Data:
    """A workbook as plain data: form values by key, table rows as dicts by column key."""

    template_id: str
    form: dict[str, Any]
    tables: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    path: str = ""

    def index(self, table: str, key_value: str) -> int:
        """Position of the row whose first row-key column equals ``key_value``."""
        key = TEMPLATES[self.template_id].table(table).row_key[0]
        return next(j for j, r in enumerate(self.tables[table]) if r.get(key) == key_value)

    def row(self, table: str, key_value: str) -> dict[str, Any]:
        return self.tables[table][self.index(table, key_value)]

    def a1(self, key: str, table: str | None = None, key_value: str | None = None) -> str:
        """The cell the factory gives a form field, or a table row's column (row found by its key)."""
        if table is None:
            return form_a1(self.template_id, key)
        assert key_value is not None
        return table_a1(self.template_id, table, self.index(table, key_value), key)

    def copy(self) -> Data:
        return copy.deepcopy(self)

    def build(self) -> WorkbookRecord:
        return build(self)


def build(data: Data) -> WorkbookRecord:
    t = TEMPLATES[data.template_id]
    sheets = {t.form.key: t.form.zh, **{tb.key: tb.zh for tb in t.tables}}
    rows = form_rows(data.template_id)
    form = {f.key: _value(data.form.get(f.key), Cell(t.form.zh, rows[f.key], FORM_VALUE_COL))
            for f in t.form.fields}
    tables: dict[str, list[Row]] = {}
    for tb in t.tables:
        out = []
        for j, values in enumerate(data.tables.get(tb.key, [])):
            sheet_row = TABLE_HEADER_ROW + 1 + j
            cells = {c.key: _value(values.get(c.key), Cell(tb.zh, sheet_row, i + 1)) for i, c in enumerate(tb.columns)}
            out.append(Row(cells, sheet_row))
        tables[tb.key] = out
    return WorkbookRecord(path=data.path or f"{data.template_id}.xlsx", template_id=data.template_id, version=t.version,
                          form=form, tables=tables, sheets=sheets)


def flat(findings: Iterable[Finding], *attrs: str) -> list[tuple[Any, ...]]:
    """Findings as (cell, code, severity) rows — or the named attributes — frictionless style."""
    names = attrs or ("cell", "code", "severity")
    return [tuple(getattr(f, n) for n in names) for f in findings]


# -- the sample project ---------------------------------------------------------------------------

HEADER: dict[str, Any] = {
    "project_id": "PRJ-2026-001", "project_name": "市数据局数据中心网络改造", "contract_no": "HT-2026-018",
    "customer": "某市大数据管理局", "division": "网络集成事业部", "project_manager": "张伟", "sales_rep": "李娜",
    "prepared_by": "张伟", "prepared_on": D(2026, 6, 10),
}
CONTRACT_AMOUNT = 1_000_000.0


def _wbs(code: str, task: str, ps: date, pf: date, as_: date | None = None, af: date | None = None,
         pct: float = 0.0, status: str = "未开始", preds: tuple[str, ...] = ()) -> dict[str, Any]:
    return {"wbs_code": code, "task": task, "phase": "项目实施", "owner": "张伟", "planned_start": ps,
            "planned_finish": pf, "actual_start": as_, "actual_finish": af, "percent_complete": pct,
            "status": status, "predecessors": preds or None}


def sample_plan() -> Data:
    wbs = [
        _wbs("1", "项目策划组织", D(2026, 3, 2), D(2026, 3, 20), D(2026, 3, 2), D(2026, 3, 20), 1.0, "已完成"),
        _wbs("1.1", "项目启动会", D(2026, 3, 2), D(2026, 3, 6), D(2026, 3, 3), D(2026, 3, 6), 1.0, "已完成"),
        _wbs("1.2", "项目计划", D(2026, 3, 6), D(2026, 3, 20), D(2026, 3, 6), D(2026, 3, 20), 1.0, "已完成",
             ("1.1",)),
        _wbs("2", "项目实施", D(2026, 3, 21), D(2026, 9, 15), D(2026, 3, 21), None, 0.4, "进行中"),
        _wbs("2.1", "设备到货验货", D(2026, 4, 20), D(2026, 4, 28), D(2026, 4, 22), D(2026, 4, 28), 1.0, "已完成",
             ("1.2",)),
        _wbs("2.2", "硬件安装", D(2026, 6, 1), D(2026, 6, 25), D(2026, 6, 2), None, 0.5, "进行中", ("2.1",)),
        _wbs("2.3", "系统初验", D(2026, 7, 1), D(2026, 7, 10), preds=("2.2",)),
        _wbs("2.4", "系统终验", D(2026, 9, 1), D(2026, 9, 15), preds=("2.3",)),
        _wbs("3", "项目结项", D(2026, 9, 16), D(2026, 10, 15)),
        _wbs("3.1", "提交付款资料", D(2026, 9, 16), D(2026, 9, 25), preds=("2.4",)),
        _wbs("3.2", "归档", D(2026, 10, 1), D(2026, 10, 15), preds=("3.1",)),
    ]
    milestones = [
        {"milestone": "项目启动", "planned_date": D(2026, 3, 6), "actual_date": D(2026, 3, 6), "status": "已完成"},
        {"milestone": "设备到货验货", "planned_date": D(2026, 4, 28), "actual_date": D(2026, 4, 28),
         "status": "已完成"},
        {"milestone": "安装调试完成", "planned_date": D(2026, 6, 25), "status": "进行中"},
        {"milestone": "系统初验", "planned_date": D(2026, 7, 10), "status": "未开始"},
        {"milestone": "系统终验", "planned_date": D(2026, 9, 15), "status": "未开始"},
        {"milestone": "项目结项", "planned_date": D(2026, 10, 15), "status": "未开始"},
    ]
    risks = [
        {"risk_id": "R01", "description": "进口设备到货延迟", "category": "供应商", "probability": 0.5, "impact": 0.4,
         "score": 0.2, "level": "高", "owner": "张伟", "strategy": "减轻", "response": "提前下单并每周跟踪物流",
         "identified_on": D(2026, 3, 10), "due": D(2026, 6, 30), "status": "开放"},
        {"risk_id": "R02", "description": "客户机房空调改造", "category": "客户", "probability": 0.3, "impact": 0.1,
         "score": 0.03, "level": "低", "owner": "张伟", "strategy": "接受", "response": "跟踪",
         "identified_on": D(2026, 3, 10), "due": D(2026, 5, 30), "status": "已关闭"},
    ]
    resources = [
        {"role": "项目经理", "name": "张伟", "allocation": 0.5, "start": D(2026, 3, 2), "finish": D(2026, 10, 15)},
        {"role": "实施工程师", "name": "刘洋", "allocation": 1.0, "start": D(2026, 5, 1), "finish": D(2026, 9, 15)},
    ]
    communication = [
        {"topic": "项目周报", "frequency": "每周", "audience": "客服中心部门经理、销售人员", "channel": "周报"},
        {"topic": "项目例会", "frequency": "每周", "audience": "项目组、客户", "channel": "会议"},
    ]
    budget = [{"item": i, "budget": b} for i, b in (
        ("硬件", 600_000.0), ("软件", 150_000.0), ("实施服务", 100_000.0), ("差旅", 20_000.0), ("外包", 30_000.0),
        ("应急储备", 50_000.0), ("管理储备", 80_000.0))]
    form = {**HEADER, "contract_amount": CONTRACT_AMOUNT, "planned_start": D(2026, 3, 2),
            "planned_finish": D(2026, 10, 15), "pm_appointed_on": D(2026, 3, 3), "kickoff_on": D(2026, 3, 6),
            "current_phase": "项目实施", "overall_status": "绿", "scope": "核心网络设备供货、安装与调试",
            "objectives": "按期通过终验", "approver": "陈主任", "approved_on": D(2026, 3, 8)}
    return Data("project-plan", form, {"wbs": wbs, "milestones": milestones, "risks": risks,
                                       "resources": resources, "communication": communication, "budget": budget},
                path="PRJ-2026-001/项目计划书.xlsx")


def _stage(name: str, planned: date | None, actual: date | None = None, status: str | None = None) -> dict[str, Any]:
    if status is None:
        status = "已完成" if actual else "未开始"
    return {"stage": name, "planned_date": planned, "actual_date": actual, "status": status, "owner": "张伟"}


def sample_contract() -> Data:
    plan = {
        "合同签订": (D(2026, 3, 2), D(2026, 3, 2)), "国内采购通知": (D(2026, 3, 9), D(2026, 3, 10)),
        "产品下单": (D(2026, 3, 16), D(2026, 3, 16)), "国内运输": (D(2026, 4, 20), D(2026, 4, 22)),
        "到货验货": (D(2026, 4, 27), D(2026, 4, 28)), "机房环境确认": (D(2026, 5, 10), D(2026, 5, 8)),
        "安装调试": (D(2026, 6, 20), None), "系统初验": (D(2026, 7, 10), None), "培训": (D(2026, 7, 20), None),
        "系统试运行": (D(2026, 8, 1), None), "系统终验": (D(2026, 9, 15), None),
        "付款资料提交": (D(2026, 9, 25), None), "项目结项": (D(2026, 10, 15), None),
    }
    stages = []
    for name in CONTRACT_STAGES:
        if name in plan:
            stages.append(_stage(name, *plan[name], status="进行中" if name == "安装调试" else None))
        else:  # 国际运输, 清关: a domestic contract
            stages.append(_stage(name, None, None, "不适用"))
    payments = [
        {"node": "预付款", "ratio": 0.3, "amount": 300_000.0, "trigger_stage": "合同签订", "invoiced": 300_000.0,
         "invoiced_on": D(2026, 3, 5), "received": 300_000.0, "received_on": D(2026, 3, 20), "unpaid": 0.0},
        {"node": "到货款", "ratio": 0.3, "amount": 300_000.0, "trigger_stage": "到货验货", "invoiced": 300_000.0,
         "invoiced_on": D(2026, 4, 29), "received": 300_000.0, "received_on": D(2026, 5, 20), "unpaid": 0.0},
        {"node": "初验款", "ratio": 0.2, "amount": 200_000.0, "trigger_stage": "系统初验", "unpaid": 200_000.0},
        {"node": "终验款", "ratio": 0.15, "amount": 150_000.0, "trigger_stage": "系统终验", "unpaid": 150_000.0},
        {"node": "质保金", "ratio": 0.05, "amount": 50_000.0, "trigger_stage": "项目结项", "unpaid": 50_000.0},
    ]
    form = {**HEADER, "contract_amount": CONTRACT_AMOUNT, "signed_on": D(2026, 3, 2), "payment_terms": "3-3-2-1.5-0.5",
            "currency": "CNY", "last_updated": D(2026, 6, 12)}
    return Data("contract-progress", form, {"stages": stages, "payments": payments},
                path="PRJ-2026-001/合同进程表.xlsx")


def sample_site() -> Data:
    measured: dict[str, Any] = {
        "机房面积": "120", "净高": 3.0, "防静电地板高度": 0.4, "地板承重": 10.0, "温度": 23.0, "相对湿度": 45.0,
        "供电制式": "TN-S", "UPS容量": "200 kVA", "零地电压": 1.2, "接地电阻": 1.0, "空调": "精密空调 2 台",
        "消防": "七氟丙烷", "照明": 550.0, "综合布线/桥架": "已敷设", "网络接入": "已开通", "门禁安防": "已启用",
        "设备搬运通道": "货梯 2 t",
    }
    from pimxl.templates.site_environment import CHECK_ITEMS
    checks = [{"item": i, "requirement": r, "unit": u, "lower": lo, "upper": hi, "measured": measured[i],
               "result": "符合"} for i, r, u, lo, hi in CHECK_ITEMS]
    checks[CHECK_ITEMS.index(next(c for c in CHECK_ITEMS if c[0] == "门禁安防"))]["result"] = "不适用"
    form = {**HEADER, "site_name": "主数据中心", "site_address": "某市高新区数据大道 1 号", "customer_contact": "王强",
            "contact_phone": "0571-88888888", "room_class": "B", "planned_entry": D(2026, 6, 18),
            "checked_on": D(2026, 5, 6), "checked_by": "赵工", "customer_confirmed_by": "王强",
            "customer_confirmed_on": D(2026, 5, 8), "conclusion": "具备"}
    return Data("site-environment", form, {"checks": checks}, path="PRJ-2026-001/场地环境确认表-主数据中心.xlsx")


def sample_adjustment() -> Data:
    form = {**HEADER, "adjustment_no": "ADJ-01", "requested_by": "张伟", "requested_on": D(2026, 5, 20),
            "adjustment_type": "进度", "urgency": "一般", "content": "硬件安装完成推迟一周",
            "reason": "客户机房空调改造延期", "schedule_impact_days": 7, "cost_impact": 0.0,
            "old_finish": D(2026, 6, 18), "new_finish": D(2026, 6, 25), "old_amount": CONTRACT_AMOUNT,
            "new_amount": CONTRACT_AMOUNT, "pm_name": "张伟", "pm_signed_on": D(2026, 5, 20), "sales_name": "李娜",
            "sales_opinion": "同意，已与客户沟通", "sales_signed_on": D(2026, 5, 21), "manager_name": "陈主任",
            "manager_signed_on": D(2026, 5, 22), "result": "批准"}
    items = [
        {"item": "2.2", "field": "计划完成", "before": "2026-06-18", "after": "2026-06-25"},
        {"item": "安装调试完成", "field": "计划日期", "before": "2026-06-18", "after": "2026-06-25"},
    ]
    return Data("adjustment", form, {"items": items}, path="PRJ-2026-001/调整确认表-ADJ-01.xlsx")


def sample_project() -> list[Data]:
    return [sample_plan(), sample_contract(), sample_site(), sample_adjustment()]
