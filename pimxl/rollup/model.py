"""The rollup model: typed rows built from every project's workbooks (see aggregate.py).

Everything here is plain data with the figures already computed, so the sheets, the JSON, the
history snapshot and the role views all read the same numbers. Every row keeps ``path`` (the source
file as given to the rollup) and ``cell`` (``'合同进程'!D7``) so a figure can be traced to its cell.

Definitions (also in the 总览 note and the README):

* a stage / milestone is *done* when it has an actual date or status 已完成; *days late* is
  ``as_of − planned`` for an applicable stage that is not done and whose planned date has passed;
  a stage completed late is not overdue (its ``slip_days`` = actual − planned is kept for views);
* the *current stage* of a contract is the last applicable stage (standard order) that is done; the
  *next stage* is the first applicable stage after it that is not done;
* see ageing.py for payments (due date, receivable, overdue receivable, buckets) and rag.py for RAG.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from ..config import Settings

__all__ = [
    "AMBER", "GREEN", "RAG_EN", "RAG_ZH", "RED",
    "AdjustmentRow", "Contract", "FindingRow", "MilestoneRow", "OverdueItem", "PaymentRow", "Project",
    "Reason", "RiskRow", "RollupModel", "SiteRow", "SourceRow", "StageRow", "TaskRow", "worst",
]

RED, AMBER, GREEN = "red", "amber", "green"
RAG_ZH = {RED: "红", AMBER: "黄", GREEN: "绿"}
RAG_EN = {RED: "red", AMBER: "amber", GREEN: "green"}
_RANK = {RED: 0, AMBER: 1, GREEN: 2}


def worst(levels: list[str]) -> str:
    """The worst of some RAG levels (green when there are none)."""
    return min(levels, key=_RANK.__getitem__, default=GREEN)


@dataclass(frozen=True)
class Reason:
    """Why a project or contract is red or amber, in words."""

    level: str  # red | amber
    zh: str
    en: str

    def text(self, lang: str = "zh") -> str:
        return self.en if lang == "en" else self.zh


@dataclass
class StageRow:
    project_id: str
    contract_no: str
    seq: int  # position in CONTRACT_STAGES (user-added stages follow, in row order)
    stage: str
    planned: date | None
    actual: date | None
    status: str
    owner: str
    applicable: bool
    done: bool
    days_late: int = 0  # open and past its planned date: as_of − planned
    slip_days: int | None = None  # done: actual − planned (negative = early)
    path: str = ""
    cell: str = ""


@dataclass
class PaymentRow:
    project_id: str
    contract_no: str
    node: str
    ratio: float | None
    amount: float  # 金额, or ratio × contract amount when empty
    trigger_stage: str
    scheduled: date | None  # 应收日期 as written
    due_date: date | None  # payment_due(): the later of the trigger stage's actual date and 应收日期; None while
    # an applicable trigger stage is not done; 应收日期 when there is no applicable trigger stage
    is_due: bool  # due_date ≤ as_of
    invoiced: float
    received: float
    unpaid: float  # amount − received (≥ 0)
    receivable: float  # unpaid when due, else 0
    days_past_due: int  # as_of − due_date when due, else 0
    bucket: str  # 未到期 / 0–30 / … / >90, or 已收讫 when nothing is unpaid
    overdue: bool  # receivable > 0 and days_past_due > OVERDUE_GRACE_DAYS
    path: str = ""
    cell: str = ""


@dataclass
class MilestoneRow:
    project_id: str
    milestone: str
    planned: date | None
    actual: date | None
    status: str
    done: bool
    days_late: int = 0
    slip_days: int | None = None
    path: str = ""
    cell: str = ""


@dataclass
class TaskRow:
    project_id: str
    wbs_code: str
    task: str
    owner: str
    planned_finish: date | None
    actual_finish: date | None
    percent: float  # 0..1 (1 when 已完成)
    status: str
    leaf: bool
    days_late: int = 0
    path: str = ""
    cell: str = ""


@dataclass
class RiskRow:
    project_id: str
    risk_id: str
    description: str
    category: str
    score: float | None
    level: str  # 高/中/低, or "" when probability/impact are missing
    owner: str
    strategy: str
    response: str
    identified_on: date | None
    due: date | None
    status: str
    is_open: bool
    days_overdue: int = 0  # open and past its response deadline
    path: str = ""
    cell: str = ""


@dataclass
class AdjustmentRow:
    project_id: str
    adjustment_no: str
    adjustment_type: str
    urgency: str
    content: str
    requested_by: str
    requested_on: date | None
    schedule_impact_days: int | None
    cost_impact: float | None
    old_finish: date | None
    new_finish: date | None
    result: str  # 待审批 when empty
    pending: bool
    pending_days: int  # days since 申请日期 while pending
    sales_name: str
    sales_signed_on: date | None
    manager_signed_on: date | None
    path: str = ""
    cell: str = ""


@dataclass
class SiteRow:
    project_id: str
    site_name: str
    site_address: str
    planned_entry: date | None
    reference_date: date | None  # 计划进场日期, else the contract's 安装调试 planned date
    conclusion: str
    checked_on: date | None
    customer_confirmed_on: date | None
    nonconforming: list[str]  # "净高 2.4（≥2.6）整改：… 期限 2026-03-01"
    ready: bool  # 结论 具备
    days_to_entry: int | None  # reference_date − as_of
    not_ready: bool  # not 具备, installation not done, and within site_lead_days of the reference date
    path: str = ""
    cell: str = ""


@dataclass
class OverdueItem:
    kind: str  # stage | milestone | task | payment | risk
    project_id: str
    contract_no: str
    item: str
    due_date: date | None
    days: int
    owner: str
    amount: float | None = None  # payments: the overdue receivable
    path: str = ""
    cell: str = ""

    KIND_ZH = {"stage": "合同阶段", "milestone": "里程碑", "task": "WBS任务", "payment": "应收款", "risk": "风险应对"}

    @property
    def key(self) -> str:
        """Identity across weeks (for 本周变化)."""
        return f"{self.kind}|{self.project_id}|{self.contract_no}|{self.item}"

    @property
    def kind_zh(self) -> str:
        return self.KIND_ZH.get(self.kind, self.kind)


@dataclass
class Contract:
    contract_no: str
    project_id: str
    project_name: str
    customer: str
    division: str
    project_manager: str
    sales_rep: str
    amount: float
    signed_on: date | None
    last_updated: date | None
    stale_days: int | None  # as_of − 最后更新日期 (None when missing)
    stages: list[StageRow] = field(default_factory=list)
    payments: list[PaymentRow] = field(default_factory=list)
    current_stage: str = ""  # "" = nothing done yet
    next_stage: str = ""
    next_planned: date | None = None
    days_late: int = 0  # the largest days_late of its open stages
    received: float = 0.0
    receivable: float = 0.0
    overdue_receivable: float = 0.0
    rag: str = GREEN
    reasons: list[Reason] = field(default_factory=list)
    path: str = ""

    def stage(self, name: str) -> StageRow | None:
        return next((s for s in self.stages if s.stage == name), None)


@dataclass
class Project:
    project_id: str
    project_name: str = ""
    customer: str = ""
    division: str = ""
    project_manager: str = ""
    sales_rep: str = ""
    phase: str = ""  # 当前阶段 of the plan
    plan_amount: float | None = None
    planned_finish: date | None = None
    forecast_finish: date | None = None
    percent_complete: float | None = None
    contracts: list[Contract] = field(default_factory=list)
    milestones: list[MilestoneRow] = field(default_factory=list)
    tasks: list[TaskRow] = field(default_factory=list)
    risks: list[RiskRow] = field(default_factory=list)
    adjustments: list[AdjustmentRow] = field(default_factory=list)
    sites: list[SiteRow] = field(default_factory=list)
    plan_path: str = ""
    files: list[str] = field(default_factory=list)
    findings: dict[str, int] = field(default_factory=lambda: {"error": 0, "warning": 0, "info": 0})
    current_stage: str = ""  # least advanced current stage of its contracts
    rag: str = GREEN
    reasons: list[Reason] = field(default_factory=list)

    @property
    def contract_value(self) -> float:
        """Contract tables' amounts when there are any, else the plan's 合同金额."""
        if self.contracts:
            return round(sum(c.amount for c in self.contracts), 2)
        return round(self.plan_amount or 0.0, 2)

    @property
    def received(self) -> float:
        return round(sum(c.received for c in self.contracts), 2)

    @property
    def receivable(self) -> float:
        return round(sum(c.receivable for c in self.contracts), 2)

    @property
    def overdue_receivable(self) -> float:
        return round(sum(c.overdue_receivable for c in self.contracts), 2)

    @property
    def open_high_risks(self) -> int:
        return sum(1 for r in self.risks if r.is_open and r.level == "高")

    @property
    def pending_adjustments(self) -> int:
        return sum(1 for a in self.adjustments if a.pending)


@dataclass
class FindingRow:
    path: str
    project_id: str
    code: str
    severity: str  # error | warning | info
    sheet: str
    cell: str  # A1 within sheet
    address: str  # 'Sheet'!A1
    field: str
    value: str
    message_zh: str
    message_en: str


@dataclass
class SourceRow:
    path: str
    kind: str
    template_id: str
    version: int
    project_id: str
    status: str  # ok | warnings | errors | unreadable | skipped
    code: str
    reason_zh: str
    reason_en: str
    errors: int = 0
    warnings: int = 0
    infos: int = 0


@dataclass
class RollupModel:
    as_of: date
    settings: Settings
    projects: dict[str, Project] = field(default_factory=dict)
    overdue: list[OverdueItem] = field(default_factory=list)
    findings: list[FindingRow] = field(default_factory=list)
    sources: list[SourceRow] = field(default_factory=list)
    #: project_id → the signature of its files (rollup.reuse.group_signature): a re-run of the same as-of date
    #: takes over a project whose signature is unchanged instead of building it again.
    signatures: dict[str, str] = field(default_factory=dict)

    @property
    def contracts(self) -> list[Contract]:
        return [c for p in self.projects.values() for c in p.contracts]

    def payments(self) -> list[PaymentRow]:
        return [n for c in self.contracts for n in c.payments]
