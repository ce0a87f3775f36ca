"""Payment nodes: when they fall due, what is receivable, how old it is.

Definitions (SPEC §2.5, §5):

* **amount** = 金额, or 比例 × 合同金额 when the amount cell is empty;
* **due date** = :func:`pimxl.templates.contract_progress.payment_due` (the one definition the rules'
  payment-overdue shares): when the trigger stage is an applicable stage of the table, its actual date but
  not before 应收日期 (the later of the two), and no due date at all while that stage is not done;
  应收日期 alone when the node has no applicable trigger stage (none, not in the table, or 不适用);
  a node **is due** when its due date is on or before the as-of date;
* **received** = 到账金额 (0 when empty); **unpaid** = amount − received (never below 0);
* **receivable** = unpaid of due nodes only (``receivable = due − received``); a node not yet due
  counts in the 未到期 ageing bucket with its unpaid amount but not in the receivable total;
* **days past due** = as_of − due date; ageing buckets by days past due: 未到期, 0–30, 31–60,
  61–90, >90 (edges from ``settings.ageing_buckets``);
* **overdue receivable** = receivable of nodes more than ``OVERDUE_GRACE_DAYS`` (0) days past their due
  date, i.e. the due date is strictly before the as-of date. The same definition feeds the KPI, the
  应收 and 逾期 sheets and the JSON.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date

from ..templates.contract_progress import payment_due
from .model import PaymentRow

__all__ = ["NOT_DUE", "OVERDUE_GRACE_DAYS", "PAID", "ageing_totals", "bucket_labels", "bucket_of", "payment_row"]

NOT_DUE = "未到期"
PAID = "已收讫"
OVERDUE_GRACE_DAYS = 0


def bucket_labels(edges: Iterable[int]) -> list[str]:
    """(30, 60, 90) → ['未到期', '0–30', '31–60', '61–90', '>90']."""
    labels, low = [NOT_DUE], 0
    edges = list(edges)
    for e in edges:
        labels.append(f"{low}–{e}")
        low = e + 1
    labels.append(f">{edges[-1]}" if edges else "≥0")
    return labels


def bucket_of(days_past_due: int, edges: Iterable[int]) -> str:
    """The ageing bucket of a due node ``days_past_due`` days after its due date."""
    low = 0
    for e in edges:
        if days_past_due <= e:
            return f"{low}–{e}"
        low = e + 1
    return f">{low - 1}" if low else "≥0"


def _num(v: object) -> float | None:
    return float(v) if isinstance(v, int | float) and not isinstance(v, bool) else None


def payment_row(
    row: Mapping[str, object],
    *,
    contract_amount: float | None,
    stage_actuals: Mapping[str, date | None],
    as_of: date,
    edges: Iterable[int],
    project_id: str = "",
    contract_no: str = "",
    path: str = "",
    cell: str = "",
) -> PaymentRow:
    """One 收款计划 row → its figures. ``row`` holds typed values by column key; ``stage_actuals`` maps
    every applicable (not 不适用) stage of the table to its actual date, or None while it is not done."""
    ratio = _num(row.get("ratio"))
    amount = _num(row.get("amount"))
    if amount is None:
        amount = round(ratio * contract_amount, 2) if ratio is not None and contract_amount is not None else 0.0
    trigger = str(row.get("trigger_stage") or "").strip()
    due = row.get("due_date")
    scheduled = due if isinstance(due, date) else None
    # ``stage_actuals`` holds the applicable stages only; an empty name is no trigger stage (as in the rules).
    defined = bool(trigger) and trigger in stage_actuals
    due_date = payment_due(defined, stage_actuals.get(trigger) if defined else None, scheduled)
    is_due = due_date is not None and due_date <= as_of
    received = _num(row.get("received")) or 0.0
    unpaid = round(max(amount - received, 0.0), 2)
    receivable = unpaid if is_due else 0.0
    days = (as_of - due_date).days if is_due and due_date else 0
    if unpaid <= 0:
        bucket = PAID
    elif not is_due:
        bucket = NOT_DUE
    else:
        bucket = bucket_of(days, edges)
    return PaymentRow(
        project_id=project_id, contract_no=contract_no, node=str(row.get("node") or ""), ratio=ratio,
        amount=round(amount, 2), trigger_stage=trigger, scheduled=scheduled, due_date=due_date, is_due=is_due,
        invoiced=_num(row.get("invoiced")) or 0.0, received=round(received, 2), unpaid=unpaid,
        receivable=round(receivable, 2), days_past_due=days, bucket=bucket,
        overdue=receivable > 0 and days > OVERDUE_GRACE_DAYS, path=path, cell=cell,
    )


def ageing_totals(payments: Iterable[PaymentRow], edges: Iterable[int]) -> dict[str, float]:
    """Unpaid amount per bucket (未到期 included, 已收讫 left out), every bucket present."""
    edges = list(edges)
    totals = dict.fromkeys(bucket_labels(edges), 0.0)
    for p in payments:
        if p.bucket in totals:
            totals[p.bucket] += p.unpaid
    return {k: round(v, 2) for k, v in totals.items()}
