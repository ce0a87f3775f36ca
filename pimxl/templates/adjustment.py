"""项目调整确认表 (adjustment confirmation), id ``adjustment`` — SPEC §2.3. One workbook per adjustment."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..schema import Field, FieldType, Form, Table, Template
from .header import HEADER_FIELDS

__all__ = ["ADJUSTMENT", "ADJUSTMENT_TYPES", "APPROVAL_RESULTS", "is_blank_adjustment"]

D, M, C, L, INT = FieldType.DATE, FieldType.MONEY, FieldType.CHOICE, FieldType.LONGTEXT, FieldType.INTEGER

ADJUSTMENT_TYPES: tuple[str, ...] = ("范围", "进度", "成本", "资源", "人员", "技术方案", "合同")
URGENCIES: tuple[str, ...] = ("一般", "紧急", "特急")
APPROVAL_RESULTS: tuple[str, ...] = ("待审批", "批准", "否决", "悬置")
G1, G2, G3 = "调整内容", "影响", "会签"

FORM = Form("info", "调整确认", "Adjustment", HEADER_FIELDS + (
    Field("adjustment_no", "调整单号", "Adjustment no.", required=True, group=G1,
          help_zh="项目内唯一，如 ADJ-01", help_en="unique within the project"),
    Field("requested_by", "申请人", "Requested by", required=True, group=G1),
    Field("requested_on", "申请日期", "Requested on", D, required=True, group=G1),
    Field("adjustment_type", "调整类型", "Type", C, required=True, choices=ADJUSTMENT_TYPES, group=G1),
    Field("urgency", "紧急程度", "Urgency", C, choices=URGENCIES, default="一般", group=G1),
    Field("content", "调整内容", "What changes", L, required=True, group=G1),
    Field("reason", "调整原因", "Reason", L, required=True, group=G1),
    Field("schedule_impact_days", "进度影响(天)", "Schedule impact (days)", INT, group=G2),
    Field("cost_impact", "成本影响(元)", "Cost impact (CNY)", M, group=G2),
    Field("old_finish", "原计划完成日期", "Old planned finish", D, group=G2),
    Field("new_finish", "新计划完成日期", "New planned finish", D, group=G2,
          help_zh="应等于原计划完成日期 + 进度影响(天)"),
    Field("old_amount", "原合同金额", "Old contract amount", M, group=G2),
    Field("new_amount", "新合同金额", "New contract amount", M, group=G2, help_zh="应等于原合同金额 + 成本影响"),
    Field("pm_name", "项目经理签字", "PM signature", group=G3),
    Field("pm_signed_on", "项目经理签字日期", "PM signed on", D, group=G3),
    Field("sales_name", "销售经理", "Sales manager", group=G3, help_zh="调整必须与事业部销售经理协商一致"),
    Field("sales_opinion", "销售经理协商意见", "Sales manager's opinion", L, group=G3),
    Field("sales_signed_on", "销售经理签字日期", "Sales manager signed on", D, group=G3),
    Field("manager_name", "客服中心部门经理审批", "Centre manager", group=G3),
    Field("manager_signed_on", "部门经理审批日期", "Centre manager signed on", D, group=G3),
    Field("customer_name", "客户确认（可选）", "Customer confirmation (optional)", group=G3),
    Field("customer_signed_on", "客户确认日期", "Customer confirmed on", D, group=G3),
    Field("result", "审批结果", "Result", C, required=True, choices=APPROVAL_RESULTS, default="待审批", group=G3),
))

ITEMS = Table("items", "调整明细", "Adjustment items", (
    Field("item", "调整项", "Item", required=True, width=16,
          help_zh="WBS 编码、里程碑名称或收款节点", help_en="a WBS code, milestone or payment node"),
    Field("field", "调整字段", "Field", required=True, width=14,
          help_zh="如 计划完成、计划日期、金额", help_en="e.g. 计划完成"),
    Field("before", "调整前", "Before", width=16),
    Field("after", "调整后", "After", width=16),
    Field("remarks", "备注", "Remarks", width=30),
), row_key=("item", "field"), blank_rows=15)

ADJUSTMENT = Template(
    id="adjustment", version=1, zh="项目调整确认表", en="Adjustment confirmation",
    form=FORM, tables=(ITEMS,),
    instructions_zh=(
        "每次计划调整填写一份，调整单号在项目内唯一。",
        "调整必须与事业部销售经理协商一致；“批准”需项目经理、销售经理、客服中心部门经理三方签字且日期不早于申请日期。",
        "新计划完成日期 = 原计划完成日期 + 进度影响(天)；新合同金额 = 原合同金额 + 成本影响。",
        "“调整明细”逐项列出调整的 WBS 任务、里程碑或收款节点，调整前后的值。",
        "批准后由项目经理运行 pimxl adjust 将调整写入项目计划。",
        "打印后签字存档。",
    ),
    instructions_en=(
        "One form per plan adjustment; the adjustment number is unique within the project.",
        "Must be agreed with the division's sales manager; 批准 needs all three internal signatures.",
        "New finish = old finish + schedule impact; new amount = old amount + cost impact.",
        "List each changed WBS task, milestone or payment node with before and after values.",
        "Once approved, run pimxl adjust to apply it to the plan.",
        "Print and sign.",
    ),
    signers_zh="项目经理、销售经理、客服中心部门经理签字；客户确认（可选）",
)


#: What a used form has filled in; a form with none of these is a blank copy kept for the next adjustment.
_USED_WHEN = ("adjustment_no", "requested_by", "requested_on", "content", "reason")


def is_blank_adjustment(form: Mapping[str, Any], items: Sequence[Mapping[str, Any]] = ()) -> bool:
    """A blank copy (``pimxl new`` puts one in every project folder): nothing of an adjustment filled in.

    Such a form is not pending, not an error and not counted in the rollup; the defaults (审批结果 待审批,
    紧急程度 一般) and the shared project header do not make it used.
    """
    if any(form.get(k) not in (None, "") for k in _USED_WHEN):
        return False
    return not any(r.get("item") not in (None, "") for r in items)
