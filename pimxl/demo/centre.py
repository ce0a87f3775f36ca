"""The sample centre as data: each project has a timeline, and a week's workbooks are that timeline
cut at the week's as-of date. Two cuts a week apart give real 本周变化 (stages completed, new risks,
a replanned date), with no hand-written "diff".

Pure Python and seeded: the same seed and as-of date give the same centre.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from ..templates.header import DIVISIONS
from ..templates.vocab import CONTRACT_STAGES, IMPORT_STAGES, PAYMENT_NODES
from . import people

__all__ = ["DemoProject", "make_centre", "workbooks_at"]

# Typical days from the previous stage to each stage (合同签订 first).
STAGE_DAYS = (0, 5, 10, 25, 10, 7, 3, 5, 15, 10, 7, 30, 10, 7, 14)
# Plan WBS rows that follow a contract stage: WBS code → stage.
WBS_STAGE = {
    "1.3.1": "产品下单", "1.3.2": "国际运输", "1.3.3": "清关", "1.3.4": "国内运输", "2.3": "到货验货",
    "2.1": "机房环境确认", "2.4": "安装调试", "2.7": "系统初验", "2.8": "培训", "2.9": "系统试运行",
    "2.10": "系统终验", "3.2": "付款资料提交", "3.8": "项目结项",
}
MILESTONE_STAGE = {"设备到货验货": "到货验货", "安装调试完成": "安装调试", "系统初验": "系统初验",
                   "系统终验": "系统终验", "项目结项": "项目结项"}
PHASE_OF_STAGE = {0: "准备阶段", 1: "商务运作", 6: "项目实施", 13: "项目结项"}


@dataclass
class DemoProject:
    index: int
    project_id: str
    name: str
    customer: str
    contract_no: str
    division: str
    pm: str
    sales: str
    amount: float
    signed: date
    domestic: bool
    planned: dict[str, date]  # stage → planned date (final plan)
    actual: dict[str, date]  # stage → actual date (when it happens, possibly after as-of)
    replanned: dict[str, tuple[date, date]] = field(default_factory=dict)  # stage → (old, new), new from when
    replanned_on: date | None = None
    pay_delay: dict[str, int | None] = field(default_factory=dict)  # node → days after due when paid
    risks: list[dict[str, Any]] = field(default_factory=list)
    adjustments: list[dict[str, Any]] = field(default_factory=list)
    site: dict[str, Any] | None = None
    stale_since: date | None = None  # the contract table stopped being updated on this day
    mistakes: tuple[str, ...] = ()


def make_centre(as_of: date, *, projects: int = 44, seed: int = 2026) -> list[DemoProject]:
    rng = random.Random(seed)
    out = []
    for i in range(projects):
        out.append(_project(rng, i, as_of, projects))
    return out


def _project(rng: random.Random, i: int, as_of: date, n: int) -> DemoProject:
    customer = people.CUSTOMERS[i % len(people.CUSTOMERS)]
    system = people.SYSTEMS[(i * 7) % len(people.SYSTEMS)]
    # Spread the ages so that every stage is reached by some contract.
    age = 2 + int((i / max(n - 1, 1)) ** 1.1 * 270) + rng.randint(0, 6)
    signed = as_of - timedelta(days=age)
    domestic = i % 5 in (1, 3)
    scale = rng.choice((0.8, 1.0, 1.0, 1.2, 1.5))
    planned: dict[str, date] = {}
    day = signed
    for stage, d in zip(CONTRACT_STAGES, STAGE_DAYS, strict=True):
        if domestic and stage in IMPORT_STAGES:
            continue
        day = day + timedelta(days=round(d * scale))
        planned[stage] = day
    # Actual dates: a small drift per stage, and for some projects a stall at one stage.
    stall_at = rng.randrange(2, len(planned)) if i % 4 == 0 else None
    actual: dict[str, date] = {}
    slip = 0
    for k, (stage, p) in enumerate(planned.items()):
        slip += rng.choice((0, 0, 1, 2, -1, 3))
        if stall_at is not None and k >= stall_at:
            slip += rng.choice((15, 25, 40)) if k == stall_at else 0
        actual[stage] = p + timedelta(days=max(slip, -2))
    actual["合同签订"] = signed
    proj = DemoProject(
        index=i, project_id=f"PRJ-2026-{i + 1:03d}", name=f"{customer}{system}", customer=customer,
        contract_no=f"HT-{signed.year}-{1000 + i * 13}", division=DIVISIONS[i % 4],
        pm=people.PROJECT_MANAGERS[i % len(people.PROJECT_MANAGERS)],
        sales=people.SALES_REPS[(i * 3) % len(people.SALES_REPS)],
        amount=float(rng.choice((38, 56, 80, 120, 185, 260, 430, 760, 1200))) * 10_000,
        signed=signed, domestic=domestic, planned=planned, actual=actual,
    )
    # Customers pay late, some very late, a few not at all (receivables in every ageing bucket).
    for node, _, _ in PAYMENT_NODES:
        proj.pay_delay[node] = rng.choice((5, 12, 20, 35, 50, 75, 100, None, 8))
    # A replan in the last week for some projects: the install date slips by 10 days.
    if i % 9 == 2 and "安装调试" in planned and actual["安装调试"] > as_of:
        old = planned["安装调试"]
        proj.replanned["安装调试"] = (old, old + timedelta(days=10))
        proj.replanned_on = as_of - timedelta(days=3)
    _risks(rng, proj, as_of)
    _adjustments(rng, proj, as_of)
    _site(rng, proj, as_of)
    if i % 11 == 6:
        proj.stale_since = as_of - timedelta(days=rng.choice((12, 20, 30)))
    proj.mistakes = {5: ("date-text",), 9: ("money-text",), 13: ("ambiguous-date",), 17: ("stage-order",),
                     21: ("missing-customer",), 25: ("percent-status",)}.get(i, ())
    return proj


def _risks(rng: random.Random, proj: DemoProject, as_of: date) -> None:
    for k in range(rng.choice((0, 1, 2, 2, 3))):
        desc, cat, p, impact = people.RISKS[(proj.index + k * 3) % len(people.RISKS)]
        identified = proj.signed + timedelta(days=rng.randint(3, max(4, (as_of - proj.signed).days)))
        # One project gets a brand-new risk this week.
        if proj.index % 7 == 3 and k == 0:
            identified = as_of - timedelta(days=2)
        closed = rng.random() < 0.3
        proj.risks.append({
            "risk_id": f"R{k + 1:02d}", "description": desc, "category": cat, "probability": p, "impact": impact,
            "owner": proj.pm if k % 2 == 0 else people.ENGINEERS[proj.index % len(people.ENGINEERS)],
            "strategy": rng.choice(("减轻", "规避", "转移", "接受")),
            "response": "每周跟踪，提前与客户和供应商协调" if rng.random() < 0.85 else None,
            "identified_on": identified, "due": identified + timedelta(days=rng.choice((7, 14, 30, 45))),
            "status": "已关闭" if closed else "开放",
        })


def _adjustments(rng: random.Random, proj: DemoProject, as_of: date) -> None:
    if proj.index % 4 != 1:
        return
    install = proj.planned.get("安装调试")
    kinds = ("批准", "待审批", "批准", "否决", "待审批")
    result = kinds[(proj.index // 4) % len(kinds)]
    requested = as_of - timedelta(days=rng.choice((2, 5, 12, 20)))
    days = rng.choice((7, 10, 14))
    adj = {
        "adjustment_no": "ADJ-01", "requested_by": proj.pm, "requested_on": requested, "adjustment_type": "进度",
        "urgency": "一般", "content": f"安装调试计划完成日期推迟 {days} 天", "reason": "客户机房改造延期，设备无法按期上架",
        "schedule_impact_days": days, "cost_impact": 0.0,
        "old_finish": install, "new_finish": install + timedelta(days=days) if install else None,
        "old_amount": proj.amount, "new_amount": proj.amount,
        "pm_name": proj.pm, "pm_signed_on": requested, "result": result,
        "items": [{"item": "2.4", "field": "计划完成", "before": install.isoformat() if install else None,
                   "after": (install + timedelta(days=days)).isoformat() if install else None}],
    }
    if result in ("批准", "否决"):
        adj.update(sales_name=people.SALES_MANAGERS[proj.division], sales_opinion="同意，已与客户沟通",
                   sales_signed_on=requested + timedelta(days=1), manager_name=people.CENTRE_MANAGER,
                   manager_signed_on=requested + timedelta(days=2))
    proj.adjustments.append(adj)


def _site(rng: random.Random, proj: DemoProject, as_of: date) -> None:
    if proj.index % 10 in (4, 8):
        return  # no site form yet: the PM's to-do list will say so
    entry = proj.planned.get("安装调试", as_of) - timedelta(days=7)
    ready_on = proj.actual.get("机房环境确认")
    proj.site = {"site_name": f"{proj.customer}主机房", "planned_entry": entry, "ready_on": ready_on,
                 "humidity": rng.choice((45, 52, 58, 66)), "ground": rng.choice((1.5, 3.2, 5.5))}


def workbooks_at(p: DemoProject, cut: date) -> dict[str, Any]:
    """The project's workbooks as data on day ``cut``: {"plan": …, "contract": …, "adjustments": […], "site": …}."""
    from .workbooks import contract_data, plan_data, site_data

    adjustments = [a for a in p.adjustments if a["requested_on"] <= cut]
    return {
        "plan": plan_data(p, cut),
        "contract": contract_data(p, cut),
        "adjustments": adjustments,
        "site": site_data(p, cut) if p.site else None,
    }
