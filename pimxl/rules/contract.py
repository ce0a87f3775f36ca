"""Rules of the contract progress table (合同进程表, SPEC §2.5)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from ..findings import Code, Finding, Severity
from ..records import Row
from ..templates.contract_progress import payment_due
from ..templates.vocab import CONTRACT_STAGES
from .common import future_actuals
from .context import Context, ref, rule, with_related
from .values import MONEY_TOL, RATIO_TOL, as_date, num, same, text

__all__ = ["NOT_APPLICABLE", "payment_due_date", "payment_amount", "stage_index"]

E, W = Severity.ERROR, Severity.WARNING
CONTRACT = "contract-progress"
DONE, NOT_APPLICABLE = "已完成", "不适用"

STAGE_ORDER = Code(
    "stage-order", E,
    "{where}实际日期 {value} 早于前一阶段「{prev}」的实际日期 {prev_date}；各阶段实际日期应按顺序不倒退，请核对。",
    "{where_en}actual date {value} is before the actual date {prev_date} of the earlier stage '{prev}'; "
    "actual dates follow the stage order.",
)
STAGE_MISSING = Code(
    "stage-missing", W,
    "合同进程表缺少标准阶段「{value}」；请补回该行（不涉及的阶段标为“不适用”，不要删除）。",
    "The standard stage '{value}' is missing; add the row back (mark a stage that does not apply 不适用).",
)
STAGE_UNKNOWN = Code(
    "stage-unknown", W,
    "{where}阶段「{value}」不是标准阶段（{known}）；请使用标准阶段名称，说明写在备注中。",
    "{where_en}stage '{value}' is not a standard stage; use the standard names and put notes in 备注.",
)
STAGE_STATUS_MISMATCH = Code(
    "stage-status-mismatch", E,
    "{where}状态为「{status}」而实际日期{actual}；“已完成”与填写实际日期应同时成立，请核对「{label}」。",
    "{where_en}status '{status}' while the actual date is {actual_en}; 已完成 and an actual date go together. "
    "Check '{label_en}'.",
)
RATIO_SUM = Code(
    "ratio-sum", E,
    "收款比例合计为 {total}，不是 100%；请核对各收款节点的比例。",
    "Payment ratios sum to {total}, not 100 %; check the ratio of each payment node.",
)
AMOUNT_SUM = Code(
    "amount-sum", E,
    "收款金额合计 {total} 元不等于合同金额 {contract} 元；请核对各收款节点金额。",
    "Payment amounts total {total}, not the contract amount {contract}.",
)
AMOUNT_RATIO_MISMATCH = Code(
    "amount-ratio-mismatch", E,
    "{where}金额 {value} 不等于比例 {ratio} × 合同金额 {contract} = {expected}（公式可能被覆盖）；请恢复公式或更正。",
    "{where_en}amount {value} is not ratio {ratio} × contract amount {contract} = {expected} (the formula may "
    "have been overwritten).",
)
RECEIVED_OVER_INVOICED = Code(
    "received-over-invoiced", W,
    "{where}到账金额 {value} 超过开票金额 {invoiced}；通常应先开票后收款，请核对。",
    "{where_en}received {value} exceeds invoiced {invoiced}; invoicing normally comes first.",
)
INVOICED_OVER_AMOUNT = Code(
    "invoiced-over-amount", E,
    "{where}开票金额 {value} 超过该节点金额 {amount}；请核对开票金额。",
    "{where_en}invoiced {value} exceeds the node's amount {amount}.",
)
RECEIVED_BEFORE_INVOICED = Code(
    "received-before-invoiced", E,
    "{where}到账日期 {value} 早于开票日期 {invoiced_on}；请核对日期。",
    "{where_en}received on {value}, before the invoice date {invoiced_on}.",
)
STALE_TABLE = Code(
    "stale-table", W,
    "合同进程表最后更新日期为 {value}，已 {days} 天未更新（超过 {limit} 天）；请更新各阶段进展并填写最后更新日期。",
    "Last updated {value}, {days} days ago (limit {limit}); bring the stages up to date and set the date.",
)
PAYMENT_OVERDUE = Code(
    "payment-overdue", W,
    "{where}收款节点已于 {due} 到期（{why}），已过 {value} 天，尚有 {unpaid} 元未到账；请催收。",
    "{where_en}payment fell due on {due} ({why_en}), {value} days ago, and {unpaid} is still outstanding; "
    "chase it.",
)
TRIGGER_STAGE_UNKNOWN = Code(
    "trigger-stage-unknown", W,
    "{where}触发阶段「{value}」{why}，该收款节点无法判断何时到期；请选择本表中适用的阶段或填写应收日期。",
    "{where_en}trigger stage '{value}' {why_en}, so pimxl cannot tell when the payment falls due; choose an "
    "applicable stage of this table or fill in the due date.",
)


def stage_index(ctx: Context) -> dict[str, Row]:
    """Stage rows by stage name (first occurrence); built once per check, callers must not change it."""
    return ctx.once("stage_index", lambda: _stage_index(ctx))


def _stage_index(ctx: Context) -> dict[str, Row]:
    index: dict[str, Row] = {}
    for row in ctx.rows("stages"):
        name = text(row.get("stage"))
        if name:
            index.setdefault(name, row)
    return index


def _applicable(row: Row) -> bool:
    return text(row.get("status")) != NOT_APPLICABLE


@rule(CONTRACT)
def stage_order(ctx: Context) -> Iterator[Finding]:
    """Along the standard order, each applicable stage's actual date is not before the previous dated one.

    Only the previous dated stage is compared, so one mistyped date gives one finding, not one per stage.
    """
    index = stage_index(ctx)
    prev: tuple[str, Row, date] | None = None
    for name in CONTRACT_STAGES:
        row = index.get(name)
        actual = as_date(row.get("actual_date")) if row is not None and _applicable(row) else None
        if row is None or actual is None:
            continue
        if prev is not None and actual < prev[2]:
            f = ctx.at_row(STAGE_ORDER, "stages", row, "actual_date", prev=prev[0], prev_date=prev[2])
            yield with_related(f, ref(ctx.record, prev[1].cell("actual_date")))
        prev = (name, row, actual)


@rule(CONTRACT)
def stage_missing_or_unknown(ctx: Context) -> Iterator[Finding]:
    index = stage_index(ctx)
    for name in CONTRACT_STAGES:
        if name not in index:
            yield ctx.at_sheet(STAGE_MISSING, "stages", field="stage", value=name)
    for name, row in index.items():
        if name not in CONTRACT_STAGES:
            yield ctx.at_row(STAGE_UNKNOWN, "stages", row, "stage", known="、".join(CONTRACT_STAGES))


@rule(CONTRACT)
def stage_status_mismatch(ctx: Context) -> Iterator[Finding]:
    for row in ctx.rows("stages"):
        status = text(row.get("status"))
        actual = as_date(row.get("actual_date"))
        if (status == DONE) == (actual is not None):
            continue
        # 已完成 without a date: the date is missing; a date with another status: the status is stale.
        key = "actual_date" if status == DONE else "status"
        yield ctx.at_row(STAGE_STATUS_MISMATCH, "stages", row, key, status=status or "空",
                         actual=f"为 {actual}" if actual else "为空", actual_en=str(actual or "empty"))


@rule(CONTRACT)
def actual_in_future(ctx: Context) -> Iterator[Finding]:
    yield from future_actuals(ctx, "stages", ("actual_date",))
    yield from future_actuals(ctx, "payments", ("invoiced_on", "received_on"))


def payment_amount(ctx: Context, row: Row) -> float | None:
    """The node's amount: the cell, else ratio × contract amount (the formula's rule)."""
    amount = num(row.get("amount"))
    if amount is not None:
        return amount
    ratio, contract = num(row.get("ratio")), ctx.num("contract_amount")
    return round(ratio * contract, 2) if ratio is not None and contract is not None else None


def _ratios(ctx: Context) -> tuple[list[Row], float | None]:
    """Payment rows with a ratio, and the sum of ratios when every node has one."""
    rows = list(ctx.rows("payments"))
    with_ratio = [r for r in rows if num(r.get("ratio")) is not None]
    total = sum(num(r.get("ratio")) or 0.0 for r in with_ratio) if with_ratio else None
    return with_ratio, total


@rule(CONTRACT)
def ratio_sum(ctx: Context) -> Iterator[Finding]:
    rows, total = _ratios(ctx)
    if total is not None and not same(total, 1.0, RATIO_TOL):
        # Anchored at the last ratio cell, where a total would go.
        yield ctx.at_row(RATIO_SUM, "payments", rows[-1], "ratio", value=round(total, 6), total=f"{total:.2%}")


@rule(CONTRACT)
def amount_sum(ctx: Context) -> Iterator[Finding]:
    contract = ctx.num("contract_amount")
    rows = [r for r in ctx.rows("payments") if payment_amount(ctx, r) is not None]
    if contract is None or not rows:
        return
    # When every amount follows its ratio and the ratios are off, ratio-sum already says why.
    _, ratio_total = _ratios(ctx)
    if ratio_total is not None and not same(ratio_total, 1.0, RATIO_TOL) and all(
            _amount_follows_ratio(ctx, r) for r in rows):
        return
    total = round(sum(payment_amount(ctx, r) or 0.0 for r in rows), 2)
    if not same(total, contract, MONEY_TOL):
        f = ctx.at_row(AMOUNT_SUM, "payments", rows[-1], "amount", total=total, contract=contract)
        yield with_related(f, ref(ctx.record, ctx.record.cell("contract_amount")))


def _amount_follows_ratio(ctx: Context, row: Row) -> bool:
    amount, ratio, contract = num(row.get("amount")), num(row.get("ratio")), ctx.num("contract_amount")
    if amount is None or ratio is None or contract is None:
        return True
    return same(amount, round(ratio * contract, 2), MONEY_TOL)


@rule(CONTRACT)
def amount_ratio_mismatch(ctx: Context) -> Iterator[Finding]:
    contract = ctx.num("contract_amount")
    for row in ctx.rows("payments"):
        if not _amount_follows_ratio(ctx, row):
            ratio = num(row.get("ratio")) or 0.0
            yield ctx.at_row(AMOUNT_RATIO_MISMATCH, "payments", row, "amount", ratio=f"{ratio:.2%}",
                             contract=contract, expected=round(ratio * (contract or 0.0), 2))


@rule(CONTRACT)
def invoiced_and_received(ctx: Context) -> Iterator[Finding]:
    """到账金额 ≤ 开票金额 (warning) ≤ 金额 (error); 到账日期 ≥ 开票日期."""
    for row in ctx.rows("payments"):
        amount, invoiced, received = payment_amount(ctx, row), num(row.get("invoiced")), num(row.get("received"))
        if received is not None and received > (invoiced or 0.0) + MONEY_TOL:
            yield ctx.at_row(RECEIVED_OVER_INVOICED, "payments", row, "received", invoiced=invoiced or 0)
        if invoiced is not None and amount is not None and invoiced > amount + MONEY_TOL:
            yield ctx.at_row(INVOICED_OVER_AMOUNT, "payments", row, "invoiced", amount=amount)
        invoiced_on, received_on = as_date(row.get("invoiced_on")), as_date(row.get("received_on"))
        if invoiced_on is not None and received_on is not None and received_on < invoiced_on:
            yield ctx.at_row(RECEIVED_BEFORE_INVOICED, "payments", row, "received_on", invoiced_on=invoiced_on)


@rule(CONTRACT)
def stale_table(ctx: Context) -> Iterator[Finding]:
    last = ctx.date("last_updated")
    limit = ctx.settings.stale_days
    if last is not None and (ctx.as_of - last).days > limit:
        yield ctx.at_form(STALE_TABLE, "last_updated", days=(ctx.as_of - last).days, limit=limit)


def payment_due_date(ctx: Context, row: Row, stages: dict[str, Row]) -> tuple[date | None, str, str]:
    """When a node falls due (:func:`payment_due`, shared with the rollup), and why in words."""
    name = text(row.get("trigger_stage"))
    trigger = stages.get(name)
    defined = trigger is not None and _applicable(trigger)
    actual = as_date(trigger.get("actual_date")) if defined and trigger is not None else None
    scheduled = as_date(row.get("due_date"))
    due = payment_due(defined, actual, scheduled)
    if due is None:
        return None, "", ""
    if defined and due == actual:
        return due, f"触发阶段「{name}」已完成", f"trigger stage '{name}' done"
    return due, "应收日期", "due date"


@rule(CONTRACT)
def payment_overdue(ctx: Context) -> Iterator[Finding]:
    stages = stage_index(ctx)
    for row in ctx.rows("payments"):
        due, why, why_en = payment_due_date(ctx, row, stages)
        amount = payment_amount(ctx, row)
        # Due today is not yet overdue (the same definition as the rollup's 逾期应收).
        if due is None or due >= ctx.as_of or not amount:
            continue
        unpaid = round(amount - (num(row.get("received")) or 0.0), 2)
        if unpaid > MONEY_TOL:
            yield ctx.at_row(PAYMENT_OVERDUE, "payments", row, "received", value=(ctx.as_of - due).days,
                             due=due, why=why, why_en=why_en, unpaid=unpaid)


@rule(CONTRACT)
def trigger_stage_unknown(ctx: Context) -> Iterator[Finding]:
    stages = stage_index(ctx)
    for row in ctx.rows("payments"):
        name = text(row.get("trigger_stage"))
        if not name:
            continue
        stage = stages.get(name)
        if stage is None:
            yield ctx.at_row(TRIGGER_STAGE_UNKNOWN, "payments", row, "trigger_stage",
                             why="不在本表的合同进程阶段中", why_en="is not a stage of this table")
        elif not _applicable(stage):
            yield ctx.at_row(TRIGGER_STAGE_UNKNOWN, "payments", row, "trigger_stage",
                             why="已标为“不适用”", why_en="is marked 不适用 (not applicable)")
