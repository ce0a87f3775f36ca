"""Build FileResults with WorkbookRecords from plain dicts, for rollup tests.

Cells follow the template layout (form values in column B from row 3 in declaration order; table rows
from row 3, one column per declared field), so links and addresses in the rollup are realistic.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from pimxl.findings import Finding, Severity
from pimxl.records import Cell, Row, Value, WorkbookRecord
from pimxl.results import FileResult
from pimxl.templates import get_template
from pimxl.templates.vocab import CONTRACT_STAGES, PAYMENT_NODES

__all__ = ["adjustment", "contract", "file_result", "finding", "plan", "record", "site", "unreadable"]


def record(template_id: str, form: Mapping[str, Any], tables: Mapping[str, Iterable[Mapping[str, Any]]],
           path: str) -> WorkbookRecord:
    t = get_template(template_id)
    rec = WorkbookRecord(path=path, template_id=template_id, version=t.version)
    for i, f in enumerate(t.form.fields):
        if f.key in form:
            rec.form[f.key] = Value(form[f.key], form[f.key], Cell(t.form.zh, 3 + i, 2))
    rec.sheets[t.form.key] = t.form.zh
    for table in t.tables:
        rec.sheets[table.key] = table.zh
        cols = {c.key: j + 1 for j, c in enumerate(table.columns)}
        rows = []
        for r, data in enumerate(tables.get(table.key, [])):
            cells = {k: Value(data.get(k), data.get(k), Cell(table.zh, 3 + r, col)) for k, col in cols.items()}
            rows.append(Row(cells=cells, sheet_row=3 + r))
        rec.tables[table.key] = rows
    return rec


def file_result(template_id: str, form: Mapping[str, Any], tables: Mapping[str, Any] | None = None, *,
                path: str, findings: Iterable[Finding] = ()) -> FileResult:
    rec = record(template_id, form, tables or {}, path)
    fr = FileResult(path=path, kind="xlsx", template_id=template_id, version=rec.version, record=rec,
                    findings=list(findings))
    fr.settle_status()
    return fr


def unreadable(path: str, code: str = "file-corrupt", reason: str = "文件已损坏", status: str = "unreadable") -> FileResult:
    return FileResult(path=path, status=status, kind="xlsx", code=code, reason_zh=reason, reason_en=reason)


def finding(code: str, severity: str, path: str, sheet: str = "合同进程", cell: str = "B3") -> Finding:
    return Finding(code=code, severity=Severity(severity), message_zh=f"{code} 中文", message_en=code,
                   file=path, sheet=sheet, cell=cell)


def header(pid: str, **kw: Any) -> dict[str, Any]:
    h = {
        "project_id": pid, "project_name": f"{pid} 项目", "contract_no": f"HT-{pid}", "customer": f"{pid} 客户",
        "division": "系统集成事业一部", "project_manager": "王磊", "sales_rep": "李娜", "prepared_by": "王磊",
        "prepared_on": date(2026, 1, 5),
    }
    h.update(kw)
    return h


def plan(pid: str, *, amount: float, milestones: Iterable[Mapping[str, Any]] = (),
         risks: Iterable[Mapping[str, Any]] = (), wbs: Iterable[Mapping[str, Any]] = (),
         path: str | None = None, findings: Iterable[Finding] = (), **form: Any) -> FileResult:
    f = header(pid, contract_amount=amount, planned_start=date(2026, 1, 1), planned_finish=date(2026, 12, 31),
               current_phase="项目实施", **form)
    return file_result("project-plan", f, {"milestones": list(milestones), "risks": list(risks), "wbs": list(wbs)},
                       path=path or f"{pid}/项目计划书.xlsx", findings=findings)


def contract(pid: str, *, amount: float, stages: Mapping[str, tuple[Any, ...]],
             payments: Iterable[Mapping[str, Any]] | None = None, last_updated: date | None = None,
             contract_no: str | None = None, path: str | None = None, findings: Iterable[Finding] = (),
             **form: Any) -> FileResult:
    """``stages``: name → (planned, actual[, status]); unnamed stages are 未开始 without dates.

    ``payments`` default to the standard nodes with ratio and trigger stage, nothing received.
    """
    rows = []
    for name in CONTRACT_STAGES:
        planned, actual, *rest = stages.get(name, (None, None))
        status = rest[0] if rest else ("已完成" if actual else "未开始")
        rows.append({"stage": name, "planned_date": planned, "actual_date": actual, "status": status,
                     "owner": "赵工"})
    if payments is None:
        payments = [{"node": n, "ratio": r, "trigger_stage": s} for n, r, s in PAYMENT_NODES]
    no = contract_no or f"HT-{pid}"
    f = header(pid, contract_no=no, contract_amount=amount, signed_on=date(2026, 1, 2),
               last_updated=last_updated, **form)
    return file_result("contract-progress", f, {"stages": rows, "payments": list(payments)},
                       path=path or f"{pid}/合同进程表-{no}.xlsx", findings=findings)


def adjustment(pid: str, no: str, *, result: str, requested_on: date, path: str | None = None,
               **form: Any) -> FileResult:
    f = header(pid, adjustment_no=no, requested_by="王磊", requested_on=requested_on, adjustment_type="进度",
               content="延期", reason="到货延迟", result=result, **form)
    return file_result("adjustment", f, {}, path=path or f"{pid}/调整-{no}.xlsx")


def site(pid: str, name: str, *, conclusion: str, planned_entry: date | None,
         checks: Iterable[Mapping[str, Any]] = (), path: str | None = None) -> FileResult:
    f = header(pid, site_name=name, site_address="北京", customer_contact="张三", planned_entry=planned_entry,
               conclusion=conclusion)
    return file_result("site-environment", f, {"checks": list(checks)}, path=path or f"{pid}/场地-{name}.xlsx")
