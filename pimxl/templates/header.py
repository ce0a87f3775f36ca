"""The common project header (项目信息) carried by every template (SPEC §2.1)."""

from __future__ import annotations

from ..schema import Field, FieldType

__all__ = ["DEFAULT_PROJECT_ID_PATTERN", "DIVISIONS", "HEADER_FIELDS", "HEADER_KEYS"]

DEFAULT_PROJECT_ID_PATTERN = r"^[A-Z0-9][A-Z0-9-]{2,31}$"

DIVISIONS: tuple[str, ...] = ("系统集成事业一部", "系统集成事业二部", "网络集成事业部", "服务与培训事业部")

G = "项目信息"

HEADER_FIELDS: tuple[Field, ...] = (
    Field("project_id", "项目编号", "Project ID", required=True, pattern=DEFAULT_PROJECT_ID_PATTERN,
          group=G, help_zh="大写字母、数字和连字符，3–32 位，如 PRJ-2026-001", help_en="A-Z, 0-9 and '-', 3–32 characters"),
    Field("project_name", "项目名称", "Project name", required=True, group=G),
    Field("contract_no", "合同编号", "Contract no.", required=True, group=G),
    Field("customer", "客户名称", "Customer", required=True, group=G),
    Field("division", "事业部", "Division", FieldType.CHOICE, required=True, choices=DIVISIONS, group=G),
    Field("project_manager", "项目经理", "Project manager", required=True, group=G),
    Field("sales_rep", "销售人员", "Sales rep", required=True, group=G),
    Field("prepared_by", "填表人", "Prepared by", required=True, group=G),
    Field("prepared_on", "填表日期", "Prepared on", FieldType.DATE, required=True, group=G),
)

HEADER_KEYS: tuple[str, ...] = tuple(f.key for f in HEADER_FIELDS)
