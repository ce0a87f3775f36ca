"""Rules of the adjustment confirmation form (项目调整确认表, SPEC §2.3)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from ..findings import Code, Finding, Severity
from .context import Context, rule
from .values import MONEY_TOL, as_date, blank, same

__all__ = ["APPROVED", "PENDING", "SIGN_OFFS"]

E, W = Severity.ERROR, Severity.WARNING
ADJ = "adjustment"
APPROVED, PENDING = "批准", "待审批"
#: The three internal sign-offs: (name key, date key).
SIGN_OFFS: tuple[tuple[str, str], ...] = (
    ("pm_name", "pm_signed_on"),
    ("sales_name", "sales_signed_on"),
    ("manager_name", "manager_signed_on"),
)

APPROVAL_MISSING = Code(
    "approval-missing", E,
    "审批结果为“批准”，但「{label}」为空；批准须有项目经理、销售经理和客服中心部门经理三方签字及日期，请补齐。",
    "The result is 批准 (approved) but '{label_en}' is empty; approval needs the PM, the sales manager and "
    "the centre manager, each with a date.",
)
APPROVAL_DATE_BEFORE_REQUEST = Code(
    "approval-date-before-request", E,
    "{label} {value} 早于申请日期 {requested_on}；签字日期不能早于申请日期，请核对。",
    "{label_en} {value} is before the request date {requested_on}; a sign-off cannot precede the request.",
)
SALES_OPINION_MISSING = Code(
    "sales-opinion-missing", E,
    "审批结果为“批准”，但没有销售经理协商意见；按流程，计划调整必须与事业部销售经理协商一致，请填写其意见。",
    "The result is 批准 (approved) but the sales manager's opinion is empty; the process requires every "
    "adjustment to be agreed with the division's sales manager.",
)
NEW_FINISH_MISMATCH = Code(
    "new-finish-mismatch", W,
    "新计划完成日期 {value} 不等于原计划完成日期 {old} + 进度影响 {days} 天 = {expected}；请核对。",
    "New planned finish {value} is not old finish {old} + schedule impact {days} days = {expected}.",
)
NEW_AMOUNT_MISMATCH = Code(
    "new-amount-mismatch", W,
    "新合同金额 {value} 不等于原合同金额 {old} + 成本影响 {impact} = {expected}；请核对。",
    "New contract amount {value} is not old amount {old} + cost impact {impact} = {expected}.",
)
ADJUSTMENT_PENDING_LONG = Code(
    "adjustment-pending-long", W,
    "调整申请（{requested_on}）已待审批 {days} 天，超过 {limit} 天；请催办销售经理协商和部门经理审批。",
    "The adjustment requested on {requested_on} has been pending for {days} days (limit {limit}); chase the "
    "sales manager's agreement and the centre manager's approval.",
)


def _result(ctx: Context) -> str:
    return ctx.text("result")


@rule(ADJ)
def approval_missing(ctx: Context) -> Iterator[Finding]:
    if _result(ctx) != APPROVED:
        return
    for name_key, date_key in SIGN_OFFS:
        for key in (name_key, date_key):
            if blank(ctx.get(key)):
                yield ctx.at_form(APPROVAL_MISSING, key)


@rule(ADJ)
def approval_date_before_request(ctx: Context) -> Iterator[Finding]:
    """Sign-off dates are on or after 申请日期, whatever the result (a date before the request is a typo)."""
    requested = ctx.date("requested_on")
    if requested is None:
        return
    for _, date_key in SIGN_OFFS:
        signed = ctx.date(date_key)
        if signed is not None and signed < requested:
            yield ctx.at_form(APPROVAL_DATE_BEFORE_REQUEST, date_key, requested_on=requested)


@rule(ADJ)
def sales_opinion_missing(ctx: Context) -> Iterator[Finding]:
    """Only 批准 needs the opinion: a pending form without it is simply not agreed yet."""
    if _result(ctx) == APPROVED and blank(ctx.get("sales_opinion")):
        yield ctx.at_form(SALES_OPINION_MISSING, "sales_opinion")


@rule(ADJ)
def new_finish_mismatch(ctx: Context) -> Iterator[Finding]:
    """新计划完成日期 = 原计划完成日期 + 进度影响 in calendar days."""
    old, new, days = ctx.date("old_finish"), ctx.date("new_finish"), ctx.num("schedule_impact_days")
    if old is None or new is None or days is None:
        return
    expected = old + timedelta(days=int(days))
    if new != expected:
        yield ctx.at_form(NEW_FINISH_MISMATCH, "new_finish", old=old, days=int(days), expected=expected)


@rule(ADJ)
def new_amount_mismatch(ctx: Context) -> Iterator[Finding]:
    old, new = ctx.num("old_amount"), ctx.num("new_amount")
    impact = ctx.num("cost_impact")
    if old is None or new is None:
        return
    # An empty 成本影响 means no cost impact.
    expected = round(old + (impact or 0.0), 2)
    if not same(new, expected, MONEY_TOL):
        yield ctx.at_form(NEW_AMOUNT_MISMATCH, "new_amount", old=old, impact=impact or 0, expected=expected)


@rule(ADJ)
def adjustment_pending_long(ctx: Context) -> Iterator[Finding]:
    requested = as_date(ctx.get("requested_on"))
    if _result(ctx) != PENDING or requested is None:
        return
    days = (ctx.as_of - requested).days
    limit = ctx.settings.pending_adjustment_days
    if days > limit:
        yield ctx.at_form(ADJUSTMENT_PENDING_LONG, "result", requested_on=requested, days=days, limit=limit)
