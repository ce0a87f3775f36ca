"""Headline figures of a run (KPIs), the same numbers for 总览, 趋势, history and ``--json``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .ageing import ageing_totals
from .model import RollupModel
from .sheetspec import Kpi

__all__ = ["KPI_LABELS", "TREND_KEYS", "compute_kpis", "kpi_list", "rollup_json"]

#: key → (zh, en, kind), in the order 总览 shows them.
KPI_LABELS: dict[str, tuple[str, str, str]] = {
    "projects": ("项目数", "Projects", "int"),
    "contracts": ("合同数", "Contracts", "int"),
    "contract_value": ("合同总额", "Contract value", "money"),
    "received": ("已收款", "Received", "money"),
    "receivable": ("应收款", "Receivable", "money"),
    "overdue_receivable": ("逾期应收款", "Overdue receivable", "money"),
    "red": ("红色项目", "Red projects", "int"),
    "amber": ("黄色项目", "Amber projects", "int"),
    "green": ("绿色项目", "Green projects", "int"),
    "overdue_items": ("逾期事项", "Overdue items", "int"),
    "overdue_stages": ("逾期合同阶段", "Overdue stages", "int"),
    "open_high_risks": ("开放高风险", "Open high risks", "int"),
    "pending_adjustments": ("待审批调整", "Pending adjustments", "int"),
    "sites_not_ready": ("场地未具备", "Sites not ready", "int"),
    "files_found": ("发现文件", "Files found", "int"),
    "files_read": ("已读取文件", "Files read", "int"),
    "files_skipped": ("跳过文件", "Files skipped", "int"),
    "files_unreadable": ("无法读取文件", "Unreadable files", "int"),
    "files_with_errors": ("有错误的文件", "Files with errors", "int"),
    "findings_error": ("错误", "Errors", "int"),
    "findings_warning": ("警告", "Warnings", "int"),
    "findings_info": ("提示", "Infos", "int"),
}

#: The KPIs 趋势 shows, one column each.
TREND_KEYS: tuple[str, ...] = (
    "projects", "contract_value", "received", "receivable", "overdue_receivable", "red", "amber", "green",
    "overdue_items", "pending_adjustments", "sites_not_ready", "findings_error",
)


def compute_kpis(model: RollupModel) -> dict[str, Any]:
    projects = list(model.projects.values())
    status = [s.status for s in model.sources]
    sev = [f.severity for f in model.findings]
    k: dict[str, Any] = {
        "projects": len(projects),
        "contracts": len(model.contracts),
        "contract_value": round(sum(p.contract_value for p in projects), 2),
        "received": round(sum(p.received for p in projects), 2),
        "receivable": round(sum(p.receivable for p in projects), 2),
        "overdue_receivable": round(sum(p.overdue_receivable for p in projects), 2),
        "red": sum(p.rag == "red" for p in projects),
        "amber": sum(p.rag == "amber" for p in projects),
        "green": sum(p.rag == "green" for p in projects),
        "overdue_items": len(model.overdue),
        "overdue_stages": sum(o.kind == "stage" for o in model.overdue),
        "open_high_risks": sum(p.open_high_risks for p in projects),
        "pending_adjustments": sum(p.pending_adjustments for p in projects),
        "sites_not_ready": sum(s.not_ready for p in projects for s in p.sites),
        "files_found": len(status),
        "files_read": sum(s in ("ok", "warnings", "errors") for s in status),
        "files_skipped": status.count("skipped"),
        "files_unreadable": status.count("unreadable"),
        "files_with_errors": status.count("errors"),
        "findings_error": sev.count("error"),
        "findings_warning": sev.count("warning"),
        "findings_info": sev.count("info"),
    }
    return k


def kpi_list(kpis: Mapping[str, Any]) -> list[Kpi]:
    return [Kpi(key, zh, en, kpis.get(key, 0), kind) for key, (zh, en, kind) in KPI_LABELS.items()]


def rollup_json(model: RollupModel, kpis: Mapping[str, Any], outputs: Mapping[str, Any] | Sequence[str]) -> dict:
    """The ``--json`` document of issue 4, plus ``ageing`` (unpaid amount per bucket)."""
    return {
        "as_of": model.as_of.isoformat(),
        "files": {
            "found": kpis["files_found"], "read": kpis["files_read"],
            "skipped": kpis["files_skipped"], "unreadable": kpis["files_unreadable"],
        },
        "projects": kpis["projects"],
        "contracts": kpis["contracts"],
        "totals": {k: kpis[k] for k in ("contract_value", "received", "receivable", "overdue_receivable")},
        "rag": {k: kpis[k] for k in ("red", "amber", "green")},
        "overdue_items": kpis["overdue_items"],
        "pending_adjustments": kpis["pending_adjustments"],
        "sites_not_ready": kpis["sites_not_ready"],
        "findings": {"error": kpis["findings_error"], "warning": kpis["findings_warning"],
                     "info": kpis["findings_info"]},
        "ageing": ageing_totals(model.payments(), model.settings.ageing_buckets),
        # Every file that was not read, and why (also in 来源): what an operator's script acts on.
        "problem_files": [{"path": s.path, "status": s.status, "code": s.code, "reason_zh": s.reason_zh,
                           "reason_en": s.reason_en} for s in model.sources if s.status in ("unreadable", "skipped")],
        "outputs": dict(outputs) if isinstance(outputs, Mapping) else list(outputs),
    }
