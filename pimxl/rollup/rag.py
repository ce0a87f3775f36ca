"""RAG with reasons, and the overdue list (逾期).

Defaults come from :class:`~pimxl.config.Settings` (SPEC §5):

* **red** — an open contract stage or plan milestone more than ``red_days_late`` days late; a receivable
  more than ``red_receivable_days`` days past its due date; an open 高 risk past its response deadline; a
  site not 具备 within ``site_lead_days`` of its planned entry (or of 安装调试's planned date);
* **amber** — an open stage or milestone 1…``red_days_late`` days late; an adjustment 待审批 for more than
  ``pending_adjustment_days`` days; a contract table not updated for more than ``stale_amber_days``
  days (or with no 最后更新日期);
* **green** otherwise.

A contract is rated on its own table (stages, payments, staleness). A project is rated on its contracts'
reasons plus its plan (milestones, risks), sites and adjustments. Every reason is kept, in zh and en.

Overdue items: every open applicable stage, milestone and leaf WBS task past its planned date (a task
已完成 or 取消 is not overdue), every payment node with an overdue receivable (see ageing.py; the sales
rep is its owner, who chases it) and every open risk past its response deadline.
"""

from __future__ import annotations

from ..config import Settings
from .model import GREEN, Contract, OverdueItem, Project, Reason, RollupModel, worst

__all__ = ["contract_reasons", "evaluate", "evaluate_project", "money", "project_reasons", "sort_overdue"]

RED, AMBER = "red", "amber"


def money(v: float) -> str:
    return f"¥{v:,.2f}"


def _late_level(days: int, red_days: int) -> str:
    return RED if days > red_days else AMBER


def contract_reasons(c: Contract, red_days: int, red_receivable_days: int, stale_amber_days: int) -> list[Reason]:
    out: list[Reason] = []
    for st in c.stages:
        if st.applicable and st.days_late > 0:
            out.append(Reason(_late_level(st.days_late, red_days), f"阶段“{st.stage}”逾期 {st.days_late} 天",
                              f"stage '{st.stage}' {st.days_late} days late"))
    for n in c.payments:
        if n.receivable > 0 and n.days_past_due > red_receivable_days:
            out.append(Reason(RED, f"应收“{n.node}”{money(n.receivable)} 逾期 {n.days_past_due} 天",
                              f"receivable '{n.node}' {money(n.receivable)} {n.days_past_due} days overdue"))
    if c.stale_days is None:
        out.append(Reason(AMBER, "合同进程表未填写最后更新日期", "contract table has no last-updated date"))
    elif c.stale_days > stale_amber_days:
        out.append(Reason(AMBER, f"合同进程表 {c.stale_days} 天未更新",
                          f"contract table not updated for {c.stale_days} days"))
    return _sorted(out)


def project_reasons(p: Project, red_days: int, pending_days: int) -> list[Reason]:
    out: list[Reason] = []
    many = len(p.contracts) > 1
    for c in p.contracts:
        for r in c.reasons:
            # With several contracts, say which one the reason is about.
            out.append(Reason(r.level, f"[{c.contract_no}] {r.zh}", f"[{c.contract_no}] {r.en}") if many else r)
    for m in p.milestones:
        if m.days_late > 0:
            out.append(Reason(_late_level(m.days_late, red_days), f"里程碑“{m.milestone}”逾期 {m.days_late} 天",
                              f"milestone '{m.milestone}' {m.days_late} days late"))
    for risk in p.risks:
        if risk.is_open and risk.level == "高" and risk.days_overdue > 0:
            out.append(Reason(RED, f"高风险“{risk.risk_id}”超过应对期限 {risk.days_overdue} 天",
                              f"high risk '{risk.risk_id}' {risk.days_overdue} days past its response deadline"))
    for s in p.sites:
        if s.not_ready:
            when_zh = (f"距计划进场 {s.days_to_entry} 天" if (s.days_to_entry or 0) >= 0
                       else f"已过计划进场 {-(s.days_to_entry or 0)} 天")
            when_en = (f"{s.days_to_entry} days before planned entry" if (s.days_to_entry or 0) >= 0
                       else f"{-(s.days_to_entry or 0)} days after planned entry")
            out.append(Reason(RED, f"场地“{s.site_name}”未具备（{s.conclusion or '未填写结论'}），{when_zh}",
                              f"site '{s.site_name}' not ready ({s.conclusion or 'no conclusion'}), {when_en}"))
    for a in p.adjustments:
        if a.pending and a.pending_days > pending_days:
            out.append(Reason(AMBER, f"调整“{a.adjustment_no}”待审批 {a.pending_days} 天",
                              f"adjustment '{a.adjustment_no}' pending for {a.pending_days} days"))
    return _sorted(out)


def _sorted(reasons: list[Reason]) -> list[Reason]:
    # Red first; the order within a level is the order found (stage order, then payments…).
    return [r for r in reasons if r.level == RED] + [r for r in reasons if r.level != RED]


def _overdue(p: Project) -> list[OverdueItem]:
    out: list[OverdueItem] = []
    for c in p.contracts:
        for st in c.stages:
            if st.applicable and st.days_late > 0:
                out.append(OverdueItem("stage", p.project_id, c.contract_no, st.stage, st.planned, st.days_late,
                                       st.owner or c.project_manager, path=st.path, cell=st.cell))
        for n in c.payments:
            if n.overdue:
                out.append(OverdueItem("payment", p.project_id, c.contract_no, n.node, n.due_date, n.days_past_due,
                                       c.sales_rep, amount=n.receivable, path=n.path, cell=n.cell))
    for m in p.milestones:
        if m.days_late > 0:
            out.append(OverdueItem("milestone", p.project_id, "", m.milestone, m.planned, m.days_late,
                                   p.project_manager, path=m.path, cell=m.cell))
    for t in p.tasks:
        if t.leaf and t.days_late > 0:
            out.append(OverdueItem("task", p.project_id, "", f"{t.wbs_code} {t.task}".strip(), t.planned_finish,
                                   t.days_late, t.owner or p.project_manager, path=t.path, cell=t.cell))
    for r in p.risks:
        if r.days_overdue > 0:
            out.append(OverdueItem("risk", p.project_id, "", f"{r.risk_id} {r.description}".strip(), r.due,
                                   r.days_overdue, r.owner or p.project_manager, path=r.path, cell=r.cell))
    return out


def evaluate_project(p: Project, s: Settings) -> list[OverdueItem]:
    """Fill the RAG and reasons of ``p`` and its contracts; returns its overdue items."""
    for c in p.contracts:
        c.reasons = contract_reasons(c, s.red_days_late, s.red_receivable_days, s.stale_amber_days)
        c.rag = worst([r.level for r in c.reasons]) if c.reasons else GREEN
    p.reasons = project_reasons(p, s.red_days_late, s.pending_adjustment_days)
    p.rag = worst([r.level for r in p.reasons]) if p.reasons else GREEN
    return _overdue(p)


def sort_overdue(items: list[OverdueItem]) -> list[OverdueItem]:
    """The overdue list's order: most days first, then project, kind, contract, item."""
    kinds = ("stage", "milestone", "payment", "risk", "task")
    return sorted(items, key=lambda o: (-o.days, o.project_id, kinds.index(o.kind), o.contract_no, o.item))


def evaluate(model: RollupModel) -> None:
    """Fill every contract's and project's RAG and reasons, and the model's overdue list."""
    overdue: list[OverdueItem] = []
    for p in model.projects.values():
        overdue.extend(evaluate_project(p, model.settings))
    model.overdue = sort_overdue(overdue)
