"""Which adjustment forms may be applied, and why the others are refused.

A form is applied only when the validator's own approval rules pass: 审批结果 批准, the three internal
sign-offs with names and dates (``approval-missing``), the sales manager's opinion
(``sales-opinion-missing``), no sign-off dated before the request (``approval-date-before-request``).
It must also carry its 调整单号 (the 调整记录 sheet names every change by it), belong to the plan's
project, and name only items and fields pimxl can find (``adjustment-item-unknown`` /
``adjustment-field-unknown``): a form is applied whole or not at all.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from ..config import Settings
from ..findings import Finding
from ..records import WorkbookRecord
from ..rules.adjustment import APPROVED, approval_date_before_request, approval_missing, sales_opinion_missing
from ..rules.context import Context
from ..rules.values import blank, text
from ..templates import TEMPLATES

__all__ = ["Reason", "approval_reasons", "project_reasons"]

#: The approval rules a form must pass, reused from the validator.
APPROVAL_RULES = (approval_missing, sales_opinion_missing, approval_date_before_request)


@dataclass(frozen=True)
class Reason:
    """Why a form (or one of its items) is refused; ``cell`` points at the form's cell when known."""

    zh: str
    en: str
    cell: str = ""
    code: str = ""
    extra: dict[str, str] = field(default_factory=dict)

    def text(self, lang: str = "zh") -> str:
        return self.en if lang == "en" else self.zh


def _from_findings(found: Iterable[Finding]) -> list[Reason]:
    return [Reason(f.message("zh"), f.message("en"), f.address, f.code) for f in found]


def approval_reasons(adj: WorkbookRecord, as_of: date, settings: Settings) -> list[Reason]:
    """Empty when the form is approved and complete; else every reason it is not."""
    if adj.template_id != "adjustment":
        t = TEMPLATES[adj.template_id]
        return [Reason(f"不是项目调整确认表（是{t.zh}）", f"not an adjustment form (a {t.en.lower()})",
                       code="not-an-adjustment")]
    reasons: list[Reason] = []
    result = text(adj.get("result"))
    if result != APPROVED:
        cell = adj.cell("result")
        reasons.append(Reason(f"审批结果为“{result or '空'}”，只有“批准”的调整单才能应用",
                              f"the result is '{result or 'empty'}'; only approved (批准) forms are applied",
                              cell.address if cell else "", "not-approved"))
    if blank(adj.get("adjustment_no")):
        reasons.append(Reason("没有调整单号，无法记录调整", "no adjustment number: the change could not be recorded",
                              code="adjustment-no-missing"))
    ctx = Context(adj, TEMPLATES["adjustment"], as_of, settings)
    for rule in APPROVAL_RULES:
        reasons += _from_findings(rule(ctx))
    return reasons


def project_reasons(adj: WorkbookRecord, plan: WorkbookRecord) -> list[Reason]:
    """A form of another project (项目编号 or 合同编号 differ from the plan's) is refused."""
    out: list[Reason] = []
    for key, zh in (("project_id", "项目编号"), ("contract_no", "合同编号")):
        mine, theirs = text(adj.get(key)), text(plan.get(key))
        if mine and theirs and mine != theirs:
            out.append(Reason(f"{zh}「{mine}」与计划的「{theirs}」不同：不是本项目的调整单",
                              f"{key} '{mine}' differs from the plan's '{theirs}': another project's form",
                              code="other-project"))
    return out


def name(path: str) -> str:
    return Path(path).name
