"""项目计划书 (project plan), id ``project-plan`` — SPEC §2.2."""

from __future__ import annotations

from ..schema import Field, FieldType, Form, Table, Template
from . import vocab
from .header import HEADER_FIELDS

__all__ = ["PROJECT_PLAN", "STANDARD_WBS"]

D, M, P, C, L = FieldType.DATE, FieldType.MONEY, FieldType.PERCENT, FieldType.CHOICE, FieldType.LONGTEXT

FORM = Form("info", "项目信息", "Project", HEADER_FIELDS + (
    Field("contract_amount", "合同金额", "Contract amount", M, required=True, group="计划概要", minimum=0),
    Field("planned_start", "计划开始", "Planned start", D, required=True, group="计划概要"),
    Field("planned_finish", "计划完成", "Planned finish", D, required=True, group="计划概要"),
    Field("pm_appointed_on", "项目经理任命日期", "PM appointed on", D, group="计划概要"),
    Field("kickoff_on", "项目启动会日期", "Kick-off meeting", D, group="计划概要"),
    Field("current_phase", "当前阶段", "Current phase", C, required=True, choices=vocab.PHASES,
          default="准备阶段", group="计划概要"),
    Field("overall_status", "总体状态", "Overall status", C, choices=vocab.RAG, default="绿", group="计划概要",
          help_zh="项目经理自评：绿=正常，黄=有风险，红=严重偏离", help_en="PM's self-assessment"),
    Field("scope", "工作范围", "Scope", L, group="计划概要"),
    Field("objectives", "项目目标", "Objectives", L, group="计划概要"),
    Field("approver", "计划审批人", "Approved by", group="审批", help_zh="客服中心部门经理",
          help_en="centre manager"),
    Field("approved_on", "审批日期", "Approved on", D, group="审批"),
))

# The standard task breakdown of the seed process (SPEC §1): (WBS code, task, phase).
STANDARD_WBS: tuple[tuple[str, str, str], ...] = (
    ("1", "项目策划组织", "准备阶段"),
    ("1.1", "项目准备", "准备阶段"),
    ("1.1.1", "合同资料", "准备阶段"),
    ("1.1.2", "指定项目经理（任命书）", "准备阶段"),
    ("1.1.3", "申请技术资源", "准备阶段"),
    ("1.1.4", "成立项目小组", "准备阶段"),
    ("1.1.5", "项目启动会（角色、职责、里程碑、会议纪要）", "准备阶段"),
    ("1.1.6", "项目协调会（分工含客户、WBS、计划）", "准备阶段"),
    ("1.1.7", "机房环境准备（通知客户）", "准备阶段"),
    ("1.2", "项目管理", "项目管理"),
    ("1.2.1", "项目计划（范围、时间、成本、资源、沟通、风险分析、以往经验）", "项目管理"),
    ("1.2.2", "资源管理", "项目管理"),
    ("1.2.3", "分包管理", "项目管理"),
    ("1.2.4", "沟通管理", "项目管理"),
    ("1.2.5", "变更管理", "项目管理"),
    ("1.2.6", "执行检测", "项目管理"),
    ("1.2.7", "风险管理", "项目管理"),
    ("1.2.8", "信息反馈", "项目管理"),
    ("1.2.9", "文档管理", "项目管理"),
    ("1.3", "商务运作", "商务运作"),
    ("1.3.1", "产品下单", "商务运作"),
    ("1.3.2", "国际运输", "商务运作"),
    ("1.3.3", "清关", "商务运作"),
    ("1.3.4", "国内运输", "商务运作"),
    ("1.3.5", "验货（错货、缺货、损坏）", "商务运作"),
    ("1.3.6", "错漏处理", "商务运作"),
    ("2", "项目实施", "项目实施"),
    ("2.1", "机房环境准备", "项目实施"),
    ("2.2", "货物运输", "项目实施"),
    ("2.3", "现场验货", "项目实施"),
    ("2.4", "硬件安装", "项目实施"),
    ("2.4.1", "设备上架", "项目实施"),
    ("2.4.2", "加电测试", "项目实施"),
    ("2.4.3", "设备调试", "项目实施"),
    ("2.5", "软件安装", "项目实施"),
    ("2.6", "整体联调", "项目实施"),
    ("2.7", "系统初验", "项目实施"),
    ("2.8", "培训（培训人与用户确认）", "项目实施"),
    ("2.9", "系统试运行", "项目实施"),
    ("2.10", "系统终验", "项目实施"),
    ("2.11", "验收文档（测试文档、验收报告、配置文档、维护手册）", "项目实施"),
    ("3", "项目结项", "项目结项"),
    ("3.1", "付款资料准备", "项目结项"),
    ("3.2", "提交付款资料", "项目结项"),
    ("3.3", "用户正式签署验收报告", "项目结项"),
    ("3.4", "用户付款", "项目结项"),
    ("3.5", "分包及培训付款", "项目结项"),
    ("3.6", "项目文档归集", "项目结项"),
    ("3.7", "项目总结（进度、变更、重大问题、成本）", "项目结项"),
    ("3.8", "归档", "项目结项"),
)

WBS = Table("wbs", "WBS工作分解", "WBS", (
    Field("wbs_code", "WBS编码", "WBS code", required=True, width=9,
          help_zh="层级编码 1、1.1、1.1.1，上级必须存在，不可重复", help_en="1, 1.1, 1.1.1; parent must exist"),
    Field("task", "任务名称", "Task", required=True, width=40),
    Field("phase", "阶段", "Phase", C, choices=vocab.PHASES[:-1]),
    Field("owner", "负责人", "Owner"),
    Field("planned_start", "计划开始", "Planned start", D),
    Field("planned_finish", "计划完成", "Planned finish", D),
    Field("actual_start", "实际开始", "Actual start", D),
    Field("actual_finish", "实际完成", "Actual finish", D),
    Field("percent_complete", "完成%", "% complete", P, minimum=0, maximum=1),
    Field("status", "状态", "Status", C, choices=vocab.TASK_STATUSES, default="未开始"),
    Field("predecessors", "前置任务", "Predecessors", FieldType.CODES,
          help_zh="前置任务的 WBS 编码，多个用逗号分隔（完成-开始关系）", help_en="WBS codes, comma separated"),
    Field("deliverable", "交付物", "Deliverable", width=22),
    Field("remarks", "备注", "Remarks", width=22),
), row_key=("wbs_code",),
    rows=tuple({"wbs_code": c, "task": t, "phase": p, "status": "未开始"} for c, t, p in STANDARD_WBS),
    blank_rows=10,
    help_zh="已预填标准任务分解，不适用的行请删除；可插入行。")

MILESTONES = Table("milestones", "里程碑", "Milestones", (
    Field("milestone", "里程碑", "Milestone", required=True, width=24),
    Field("planned_date", "计划日期", "Planned date", D, required=True),
    Field("actual_date", "实际日期", "Actual date", D),
    Field("deliverable", "交付物", "Deliverable", width=30),
    Field("status", "状态", "Status", C, choices=vocab.MILESTONE_STATUSES, default="未开始"),
), row_key=("milestone",), rows=tuple({"milestone": m, "status": "未开始"} for m in (
    "项目启动", "设备到货验货", "安装调试完成", "系统初验", "系统终验", "项目结项")), blank_rows=6)


def _score(row, form):  # noqa: ANN001 — the Field.compute signature
    return vocab.risk_score(row, form)


def _level(row, form):  # noqa: ANN001
    return vocab.risk_level(vocab.risk_score(row, form))


RISKS = Table("risks", "风险", "Risks", (
    Field("risk_id", "风险编号", "Risk ID", required=True, width=10, help_zh="如 R01", help_en="e.g. R01"),
    Field("description", "风险描述", "Description", required=True, width=34),
    Field("category", "类别", "Category", C, choices=vocab.RISK_CATEGORIES),
    Field("probability", "概率", "Probability", FieldType.NUMBER, required=True, choices=vocab.RISK_PROBABILITIES,
          help_zh="0.1 / 0.3 / 0.5 / 0.7 / 0.9"),
    Field("impact", "影响", "Impact", FieldType.NUMBER, required=True, choices=vocab.RISK_IMPACTS,
          help_zh="0.05 / 0.1 / 0.2 / 0.4 / 0.8"),
    Field("score", "风险值", "Score", FieldType.NUMBER, width=8,
          formula='=IF(OR({probability}="",{impact}=""),"",ROUND({probability}*{impact},4))', compute=_score),
    Field("level", "等级", "Level", C, choices=("高", "中", "低"), width=7,
          formula=f'=IF({{score}}="","",IF({{score}}>={vocab.RISK_HIGH - 1e-9:.9f},"高",'
                  f'IF({{score}}>={vocab.RISK_MEDIUM - 1e-9:.9f},"中","低")))', compute=_level),
    Field("owner", "责任人", "Owner"),
    Field("strategy", "应对策略", "Strategy", C, choices=vocab.RISK_STRATEGIES),
    Field("response", "应对措施", "Response", width=30),
    Field("identified_on", "识别日期", "Identified on", D),
    Field("due", "应对期限", "Response due", D),
    Field("status", "状态", "Status", C, choices=vocab.RISK_STATUSES, default="开放"),
), row_key=("risk_id",), blank_rows=15,
    help_zh="风险值=概率×影响；等级按风险矩阵自动计算（高≥0.18，中≥0.05）。高风险必须有责任人、应对措施和期限。")

RESOURCES = Table("resources", "资源", "Resources", (
    Field("role", "角色", "Role", required=True, width=16),
    Field("name", "姓名", "Name", required=True),
    Field("allocation", "投入比例%", "Allocation %", P, minimum=0, maximum=1),
    Field("start", "开始", "Start", D),
    Field("finish", "结束", "Finish", D),
), row_key=("role", "name"), rows=tuple({"role": r} for r in ("项目经理", "技术负责人", "实施工程师", "商务")),
    blank_rows=8)

COMMUNICATION = Table("communication", "沟通计划", "Communication", (
    Field("topic", "沟通事项", "Topic", required=True, width=20),
    Field("frequency", "频率", "Frequency", C, choices=("每日", "每周", "每两周", "每月", "里程碑", "按需")),
    Field("audience", "对象", "Audience", width=20),
    Field("channel", "方式", "Channel", C, choices=("会议", "邮件", "电话", "周报", "即时通讯", "书面报告")),
    Field("owner", "负责人", "Owner"),
    Field("document", "文档", "Document", width=20),
), row_key=("topic",), rows=(
    {"topic": "项目周报", "frequency": "每周", "audience": "客服中心部门经理、销售人员", "channel": "周报"},
    {"topic": "项目例会", "frequency": "每周", "audience": "项目组、客户", "channel": "会议"},
    {"topic": "里程碑汇报", "frequency": "里程碑", "audience": "客户、各级领导", "channel": "书面报告"},
), blank_rows=6)

BUDGET_ITEMS: tuple[str, ...] = ("硬件", "软件", "实施服务", "差旅", "外包", "应急储备", "管理储备")

BUDGET = Table("budget", "预算", "Budget", (
    Field("item", "科目", "Item", C, required=True, choices=BUDGET_ITEMS),
    Field("budget", "预算金额", "Budget", M, minimum=0),
    Field("actual", "实际金额", "Actual", M, minimum=0),
    Field("remarks", "备注", "Remarks", width=30),
), row_key=("item",), rows=tuple({"item": i} for i in BUDGET_ITEMS), blank_rows=0,
    help_zh="除管理储备外的预算合计不应超过合同金额。")

PROJECT_PLAN = Template(
    id="project-plan", version=1, zh="项目计划书", en="Project plan",
    form=FORM, tables=(WBS, MILESTONES, RISKS, RESOURCES, COMMUNICATION, BUDGET),
    instructions_zh=(
        "本计划书由项目经理在与项目组（含客户）讨论后编写，报客服中心部门经理审批。",
        "“项目信息”页填写项目基本信息与计划概要；带 * 的为必填项。",
        "“WBS工作分解”页已预填标准任务，不适用的行请删除，可插入行、增加自己的列。",
        "完成% 为 100% 时状态应为“已完成”并填写实际完成日期；实际日期不得晚于填表日期。",
        "“风险”页的风险值与等级由公式自动计算，请勿覆盖；高风险须填写责任人、应对措施和应对期限。",
        "计划调整须填写《项目调整确认表》，并与事业部销售经理协商一致。",
    ),
    instructions_en=(
        "Written by the project manager with the team (incl. the customer), approved by the centre manager.",
        "Fill in the project sheet; fields marked * are required.",
        "The WBS sheet comes with the standard breakdown: delete what does not apply, insert rows freely.",
        "100 % complete means status 已完成 and an actual finish date; no actual date after today.",
        "Risk score and level are formulas; a high risk needs owner, response and deadline.",
        "Any plan change goes through an adjustment confirmation form agreed with the sales manager.",
    ),
    signers_zh="编写：项目经理；审批：客服中心部门经理",
)
