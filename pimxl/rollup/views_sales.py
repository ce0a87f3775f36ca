"""合同状态反馈表: one workbook per sales person — "how is my project going, any risk?".

Whose rows (names resolved by the roster):

* **contracts** whose 合同进程表 names the person as 销售人员;
* **projects** (for risks and adjustments): those whose header names the person, or that hold one of their
  contracts;
* **adjustments to agree**: pending forms (待审批) without the sales manager's sign-off date, of the person's
  projects; a form that names someone else as 销售经理 also goes to that person's workbook, who has to agree.

Sheets: 合同状态 (feedback date, the person's totals, one row per contract: current stage vs plan, deviation,
next stage and days late, money, RAG and why), 风险 (open risks), 待协商调整, 待催收应收 (every due node with
money still to come, oldest first).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from .model import AdjustmentRow, Contract, PaymentRow, Project, RiskRow, RollupModel
from .roster import Roster
from .sheetspec import Kpi, SheetSpec, Summary
from .views import SALES, View, cols, link, rag, rag_note, short_why, view_file_name, widen

__all__ = ["sales_views"]

NO_STAGE = "未开始"
_LEVEL_RANK = {"高": 0, "中": 1, "低": 2}


class _Scope:
    def __init__(self) -> None:
        self.contracts: list[Contract] = []
        self.projects: dict[str, Project] = {}
        self.to_agree: dict[tuple[str, str], AdjustmentRow] = {}


def needs_sales(a: AdjustmentRow) -> bool:
    """Pending and not yet agreed by the sales manager."""
    return a.pending and a.sales_signed_on is None


def sales_views(model: RollupModel, roster: Roster, lang: str) -> list[View]:
    scopes: dict[str, _Scope] = defaultdict(_Scope)
    for p in model.projects.values():
        people = {roster.resolve(p.sales_rep)} | {roster.resolve(c.sales_rep) for c in p.contracts}
        for c in p.contracts:
            scopes[roster.resolve(c.sales_rep)].contracts.append(c)
        for person in people:
            scopes[person].projects[p.project_id] = p
        for a in p.adjustments:
            if not needs_sales(a):
                continue
            named = {roster.resolve(a.sales_name)} if a.sales_name else set()
            for person in people | named:
                scopes[person].to_agree[(p.project_id, a.adjustment_no or a.path)] = a
                scopes[person].projects.setdefault(p.project_id, p)
    return [_view(model, person, scopes[person], roster, lang) for person in sorted(scopes)]


def _view(model: RollupModel, person: str, scope: _Scope, roster: Roster, lang: str) -> View:
    as_of, en = model.as_of, lang == "en"
    projects = scope.projects
    names = {pid: p.project_name for pid, p in projects.items()}
    risks = sorted((r for p in projects.values() for r in p.risks if r.is_open),
                   key=lambda r: (_LEVEL_RANK.get(r.level, 3), -(r.score or 0), r.project_id, r.risk_id))
    adjs = sorted(scope.to_agree.values(), key=lambda a: (-a.pending_days, a.project_id, a.adjustment_no))
    chase = sorted((n for c in scope.contracts for n in c.payments if n.receivable > 0),
                   key=lambda n: (-n.days_past_due, n.project_id, n.contract_no, n.node))
    contracts = scope.contracts
    money = {k: round(sum(getattr(c, k) for c in contracts), 2)
             for k in ("amount", "received", "receivable", "overdue_receivable")}
    kpis = [
        Kpi("feedback_date", "反馈日期", "Feedback date", as_of, "date"),
        Kpi("contracts", "合同数", "Contracts", len(contracts)),
        Kpi("contract_value", "合同金额", "Contract value", money["amount"], "money"),
        Kpi("received", "已收款", "Received", money["received"], "money"),
        Kpi("receivable", "应收款", "Receivable", money["receivable"], "money"),
        Kpi("overdue_receivable", "逾期应收", "Overdue receivable", money["overdue_receivable"], "money"),
        # The RAG shown on a contract's row is its project's (it includes risks, sites and adjustments).
        *(Kpi(level, f"{rag(level, 'zh')}（合同数）", f"{level.capitalize()} (contracts)",
              sum(projects[c.project_id].rag == level for c in contracts)) for level in ("red", "amber", "green")),
        Kpi("open_risks", "开放风险", "Open risks", len(risks)),
        Kpi("to_agree", "待协商调整", "Adjustments to agree", len(adjs)),
        Kpi("to_chase", "待催收笔数", "Receivables to chase", len(chase)),
    ]
    title = f"{SALES}　{person}" if not en else f"Contract status feedback — {person}"
    note = (f"Feedback date {as_of:%Y-%m-%d}. " if en else f"反馈日期 {as_of:%Y-%m-%d}。") + rag_note(model, lang)
    if not roster.known(person):
        note += (" The roster in pimxl.toml does not know this name." if en else "（此姓名不在 pimxl.toml 名单中。）")
    rows = [_contract_row(c, projects, lang) for c in contracts]
    risk_rows = [_risk_row(r, names) for r in risks]
    adj_rows = [_adj_row(a, names) for a in adjs]
    summary = Summary(as_of=as_of, title=title, kpis=kpis, sheets=[
        SheetSpec("overview", "合同状态", title, widen(_contract_cols(), rows, "reasons", cap=56), rows, note),
        SheetSpec("risks", "风险", "开放风险" if not en else "Open risks",
                  widen(_risk_cols(), risk_rows, "description", "response", cap=40), risk_rows,
                  "按等级（高、中、低）和风险值排序。"),
        SheetSpec("adjustments", "待协商调整", "待销售经理协商同意的调整" if not en else "Adjustments awaiting sales agreement",
                  widen(_adj_cols(), adj_rows, "content", cap=40), adj_rows,
                  "待审批且销售经理尚未签署协商意见的项目调整确认表。"),
        SheetSpec("receivables", "待催收应收", "待催收应收款" if not en else "Receivables to chase", _chase_cols(),
                  [_chase_row(n, contracts, names) for n in chase], "已到期未收清的收款节点，按逾期天数排序。"),
    ])
    return View(SALES, person, view_file_name(SALES, as_of, person), summary, unknown_name=not roster.known(person),
                counts={"contracts": len(contracts), "to_agree": len(adjs), "to_chase": len(chase)})


def _contract_cols() -> list[Any]:
    # Few enough columns to print one page wide at a readable size; the summary's 合同进程表 has the rest.
    return cols(
        ("contract_no", "合同编号", "Contract no.", "link"), ("project_name", "项目名称", "Project", "text"),
        ("project_manager", "项目经理", "PM", "text"), ("amount", "合同金额", "Amount", "money"),
        ("current_stage", "当前阶段", "Current stage", "text"),
        ("current_planned", "计划日期", "Planned", "date"), ("current_actual", "实际日期", "Actual", "date"),
        ("current_slip", "偏差天数", "Deviation (days)", "int"),
        ("next_stage", "下一阶段", "Next stage", "text"), ("days_late", "逾期天数", "Days late", "days"),
        ("received", "已收款", "Received", "money"), ("receivable", "应收款", "Receivable", "money"),
        ("overdue_receivable", "逾期应收", "Overdue receivable", "money"),
        ("rag", "RAG", "RAG", "rag"), ("reasons", "原因", "Why", "text"))


def _contract_row(c: Contract, projects: dict[str, Project], lang: str) -> dict[str, Any]:
    cur = c.stage(c.current_stage) if c.current_stage else None
    p = projects[c.project_id]
    return {
        "contract_no": link(c.contract_no, c.path), "project_name": c.project_name,
        "project_manager": c.project_manager, "amount": c.amount,
        "current_stage": c.current_stage or NO_STAGE, "current_planned": cur.planned if cur else None,
        "current_actual": cur.actual if cur else None, "current_slip": cur.slip_days if cur else None,
        "next_stage": c.next_stage, "days_late": c.days_late,
        "received": c.received, "receivable": c.receivable, "overdue_receivable": c.overdue_receivable,
        "rag": rag(p.rag, lang), "reasons": short_why(p.reasons, lang, limit=56),
    }


def _risk_cols() -> list[Any]:
    return cols(
        ("project_id", "项目编号", "Project ID", "text"), ("project_name", "项目名称", "Project", "text"),
        ("risk_id", "风险编号", "Risk ID", "link"), ("description", "风险描述", "Description", "text"),
        ("level", "等级", "Level", "text"), ("score", "风险值", "Score", "number"), ("owner", "责任人", "Owner", "text"),
        ("response", "应对措施", "Response", "text"), ("due", "应对期限", "Due", "date"),
        ("days_overdue", "超期天数", "Days overdue", "days"))


def _risk_row(r: RiskRow, names: dict[str, str]) -> dict[str, Any]:
    return {"project_id": r.project_id, "project_name": names.get(r.project_id, ""),
            "risk_id": link(r.risk_id, r.path, r.cell), "description": r.description, "level": r.level,
            "score": r.score, "owner": r.owner, "response": r.response, "due": r.due, "days_overdue": r.days_overdue}


def _adj_cols() -> list[Any]:
    return cols(
        ("project_id", "项目编号", "Project ID", "text"), ("project_name", "项目名称", "Project", "text"),
        ("adjustment_no", "调整单号", "Adjustment no.", "link"), ("adjustment_type", "调整类型", "Type", "text"),
        ("urgency", "紧急程度", "Urgency", "text"), ("content", "调整内容", "Content", "text"),
        ("requested_by", "申请人", "Requested by", "text"), ("requested_on", "申请日期", "Requested on", "date"),
        ("schedule_impact_days", "进度影响(天)", "Schedule impact", "int"),
        ("cost_impact", "成本影响", "Cost impact", "money"), ("new_finish", "新计划完成", "New finish", "date"),
        ("sales_name", "销售经理", "Sales manager", "text"), ("pending_days", "待审批天数", "Days pending", "days"))


def _adj_row(a: AdjustmentRow, names: dict[str, str]) -> dict[str, Any]:
    return {"project_id": a.project_id, "project_name": names.get(a.project_id, ""),
            "adjustment_no": link(a.adjustment_no or "（无单号）", a.path, a.cell), "adjustment_type": a.adjustment_type,
            "urgency": a.urgency, "content": a.content, "requested_by": a.requested_by,
            "requested_on": a.requested_on, "schedule_impact_days": a.schedule_impact_days,
            "cost_impact": a.cost_impact, "new_finish": a.new_finish, "sales_name": a.sales_name,
            "pending_days": a.pending_days}


def _chase_cols() -> list[Any]:
    return cols(
        ("project_id", "项目编号", "Project ID", "text"), ("project_name", "项目名称", "Project", "text"),
        ("contract_no", "合同编号", "Contract no.", "link"), ("customer", "客户名称", "Customer", "text"),
        ("node", "收款节点", "Payment node", "text"), ("amount", "金额", "Amount", "money"),
        ("due_date", "到期日", "Due", "date"), ("received", "已到账", "Received", "money"),
        ("receivable", "应收金额", "Receivable", "money"), ("days_past_due", "逾期天数", "Days overdue", "days"),
        ("bucket", "账龄", "Ageing", "text"))


def _chase_row(n: PaymentRow, contracts: list[Contract], names: dict[str, str]) -> dict[str, Any]:
    customer = next((c.customer for c in contracts if c.contract_no == n.contract_no), "")
    return {"project_id": n.project_id, "project_name": names.get(n.project_id, ""),
            "contract_no": link(n.contract_no, n.path, n.cell), "customer": customer, "node": n.node,
            "amount": n.amount, "due_date": n.due_date, "received": n.received, "receivable": n.receivable,
            "days_past_due": n.days_past_due, "bucket": n.bucket}

