"""合同进程表 (contract progress table), id ``contract-progress`` — SPEC §2.5. One per contract."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from ..schema import Field, FieldType, Form, Table, Template
from . import vocab
from .header import HEADER_FIELDS

__all__ = ["CONTRACT_PROGRESS", "payment_amount", "payment_due", "unpaid_amount"]

D, M, P, C = FieldType.DATE, FieldType.MONEY, FieldType.PERCENT, FieldType.CHOICE
G = "合同信息"

FORM = Form("info", "合同信息", "Contract", HEADER_FIELDS + (
    Field("contract_amount", "合同金额", "Contract amount", M, required=True, minimum=0, group=G),
    Field("signed_on", "签订日期", "Signed on", D, required=True, group=G),
    Field("payment_terms", "付款方式", "Payment terms", FieldType.LONGTEXT, group=G),
    Field("currency", "币种", "Currency", C, choices=("CNY", "USD", "EUR", "HKD", "JPY"), default="CNY", group=G),
    Field("last_updated", "最后更新日期", "Last updated", D, required=True, group=G,
          help_zh="每次更新本表时填写；超过规定天数未更新视为过期", help_en="staleness is measured from it"),
))

STAGES = Table("stages", "合同进程", "Stages", (
    Field("stage", "阶段", "Stage", required=True, width=14),
    Field("planned_date", "计划日期", "Planned date", D),
    Field("actual_date", "实际日期", "Actual date", D),
    Field("status", "状态", "Status", C, choices=vocab.STAGE_STATUSES, default="未开始"),
    # v2: 负责人 → 责任人 (the word the centre uses for who answers for a stage); old label still read.
    Field("owner", "责任人", "Owner", aliases=("负责人",)),
    Field("remarks", "备注", "Remarks", width=30),
), row_key=("stage",), rows=tuple({"stage": s, "status": "未开始"} for s in vocab.CONTRACT_STAGES), blank_rows=0,
    help_zh="按顺序记录各阶段计划与实际日期；纯国内合同将“国际运输”“清关”标为“不适用”。")


def payment_amount(row: Mapping[str, Any], form: Mapping[str, Any]) -> float | None:
    ratio, total = row.get("ratio"), form.get("contract_amount")
    if not isinstance(ratio, int | float) or not isinstance(total, int | float):
        return None
    return round(float(ratio) * float(total), 2)


def payment_due(trigger_defined: bool, trigger_actual: date | None, scheduled: date | None) -> date | None:
    """When a payment node falls due — the one definition the rules and the rollup share.

    A node with an applicable trigger stage falls due once that stage is done, but not before its
    应收日期 (the agreed payment term, e.g. 质保金 a year after 项目结项): the later of the two. A node
    without a trigger stage falls due at its 应收日期. Taking the earlier of the two would call a
    warranty retention overdue on the day of final acceptance.
    """
    if trigger_defined:
        if trigger_actual is None:
            return None
        return max(trigger_actual, scheduled) if scheduled is not None else trigger_actual
    return scheduled


def unpaid_amount(row: Mapping[str, Any], form: Mapping[str, Any]) -> float | None:
    amount = row.get("amount")
    if amount is None:
        amount = payment_amount(row, form)
    if not isinstance(amount, int | float):
        return None
    received = row.get("received")
    return round(float(amount) - (float(received) if isinstance(received, int | float) else 0.0), 2)


PAYMENTS = Table("payments", "收款计划", "Payments", (
    Field("node", "收款节点", "Payment node", C, required=True, choices=tuple(n for n, _, _ in vocab.PAYMENT_NODES)),
    Field("ratio", "比例", "Ratio", P, minimum=0, maximum=1),
    Field("amount", "金额", "Amount", M, width=15,
          formula='=IF(OR({ratio}="",{@contract_amount}=""),"",ROUND({ratio}*{@contract_amount},2))', compute=payment_amount),
    Field("trigger_stage", "触发阶段", "Trigger stage", C, choices=vocab.CONTRACT_STAGES),
    Field("due_date", "应收日期", "Due date", D),
    Field("invoiced", "开票金额", "Invoiced", M, minimum=0, width=15),
    Field("invoiced_on", "开票日期", "Invoiced on", D),
    # v2: the invoice number, so that a payment chased with the customer's finance names its invoice.
    Field("invoice_no", "发票号", "Invoice no.", width=16,
          help_zh="开票后填写；多张发票用逗号分隔", help_en="after invoicing; several separated by commas"),
    Field("received", "到账金额", "Received", M, minimum=0, width=15),
    Field("received_on", "到账日期", "Received on", D),
    Field("unpaid", "未收金额", "Unpaid", M, width=15,
          formula='=IF({amount}="","",{amount}-N({received}))', compute=unpaid_amount),
    Field("remarks", "备注", "Remarks", width=24),
), row_key=("node",), rows=tuple({"node": n, "ratio": r, "trigger_stage": s} for n, r, s in vocab.PAYMENT_NODES),
    blank_rows=0, help_zh="比例合计 100%，金额 = 比例 × 合同金额（公式）；到账金额 ≤ 开票金额 ≤ 金额。")

CONTRACT_PROGRESS = Template(
    id="contract-progress", version=2, zh="合同进程表", en="Contract progress",
    form=FORM, tables=(STAGES, PAYMENTS),
    instructions_zh=(
        "每份合同一张，由项目经理随时更新，客服中心部门经理每周查看。",
        "每次更新后填写“最后更新日期”；超过 7 天未更新视为过期。",
        "“合同进程”按顺序填写各阶段计划日期、实际日期和状态；已完成必须有实际日期，实际日期不得倒序。",
        "纯国内合同将“国际运输”“清关”标为“不适用”。",
        "“收款计划”比例合计 100%，金额由公式计算；到账金额不超过开票金额，到账日期不早于开票日期。",
    ),
    instructions_en=(
        "One per contract, kept current by the project manager, watched weekly by the centre manager.",
        "Update 最后更新日期 on every change; older than 7 days is stale.",
        "Stages in order with planned/actual dates; 已完成 needs an actual date; actual dates never go back.",
        "A domestic-only contract marks 国际运输 and 清关 不适用.",
        "Payment ratios sum to 100 %; amounts are formulas; received ≤ invoiced; received on ≥ invoiced on.",
    ),
    signers_zh="项目经理维护；客服中心部门经理查看",
)
