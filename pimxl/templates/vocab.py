"""Dropdown vocabularies and small pure rules shared by several templates."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = [
    "CONTRACT_STAGES",
    "PAYMENT_NODES",
    "PHASES",
    "RAG",
    "RISK_HIGH",
    "RISK_IMPACTS",
    "RISK_MEDIUM",
    "RISK_PROBABILITIES",
    "STAGE_STATUSES",
    "TASK_STATUSES",
    "risk_level",
    "risk_score",
]

#: 当前阶段 of a project (project plan).
PHASES: tuple[str, ...] = ("准备阶段", "项目管理", "商务运作", "项目实施", "项目结项", "已归档")
RAG: tuple[str, ...] = ("绿", "黄", "红")
TASK_STATUSES: tuple[str, ...] = ("未开始", "进行中", "已完成", "延期", "取消")
MILESTONE_STATUSES: tuple[str, ...] = ("未开始", "进行中", "已完成", "延期")
STAGE_STATUSES: tuple[str, ...] = ("未开始", "进行中", "已完成", "不适用")

#: The 15 stages of the contract progress table, in their order (SPEC §2.5).
CONTRACT_STAGES: tuple[str, ...] = (
    "合同签订", "国内采购通知", "产品下单", "国际运输", "清关", "国内运输", "到货验货", "机房环境确认",
    "安装调试", "系统初验", "培训", "系统试运行", "系统终验", "付款资料提交", "项目结项",
)
#: Stages a domestic-only contract marks 不适用.
IMPORT_STAGES: tuple[str, ...] = ("国际运输", "清关")

#: Default payment nodes: (node, ratio, trigger stage).
PAYMENT_NODES: tuple[tuple[str, float, str], ...] = (
    ("预付款", 0.30, "合同签订"),
    ("到货款", 0.30, "到货验货"),
    ("初验款", 0.20, "系统初验"),
    ("终验款", 0.15, "系统终验"),
    ("质保金", 0.05, "项目结项"),
)

RISK_PROBABILITIES: tuple[str, ...] = ("0.1", "0.3", "0.5", "0.7", "0.9")
RISK_IMPACTS: tuple[str, ...] = ("0.05", "0.1", "0.2", "0.4", "0.8")
RISK_CATEGORIES: tuple[str, ...] = ("进度", "成本", "质量", "技术", "供应商", "客户", "商务", "人员", "其他")
RISK_STRATEGIES: tuple[str, ...] = ("规避", "转移", "减轻", "接受")
RISK_STATUSES: tuple[str, ...] = ("开放", "已关闭")

#: Default risk matrix (P×I, PMBOK style): at or above RISK_HIGH is 高, at or above RISK_MEDIUM is 中.
RISK_HIGH = 0.18
RISK_MEDIUM = 0.05


def risk_score(row: Mapping[str, Any], form: Mapping[str, Any] | None = None) -> float | None:
    p, i = row.get("probability"), row.get("impact")
    if not isinstance(p, int | float) or not isinstance(i, int | float):
        return None
    return round(float(p) * float(i), 4)


def risk_level(score: float | None, high: float = RISK_HIGH, medium: float = RISK_MEDIUM) -> str | None:
    if score is None:
        return None
    # A tiny epsilon so that 0.9×0.2 = 0.18000000000000002 and 0.18 land on the same side.
    if score >= high - 1e-9:
        return "高"
    if score >= medium - 1e-9:
        return "中"
    return "低"
