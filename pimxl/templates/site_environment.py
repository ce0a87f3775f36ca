"""用户场地环境确认表 (site environment confirmation), id ``site-environment`` — SPEC §2.4. One per site."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..schema import Field, FieldType, Form, Table, Template
from .header import HEADER_FIELDS

__all__ = ["CHECK_ITEMS", "CHECK_RESULTS", "CONCLUSIONS", "SITE_ENVIRONMENT", "as_number", "check_result"]

D, C, N = FieldType.DATE, FieldType.CHOICE, FieldType.NUMBER
CHECK_RESULTS: tuple[str, ...] = ("符合", "不符合", "不适用")
CONCLUSIONS: tuple[str, ...] = ("具备", "有条件具备", "不具备")
G1, G2 = "场地信息", "检查与确认"

FORM = Form("info", "场地信息", "Site", HEADER_FIELDS + (
    Field("site_name", "场地名称", "Site name", required=True, group=G1),
    Field("site_address", "场地地址", "Site address", required=True, group=G1),
    Field("customer_contact", "客户联系人", "Customer contact", required=True, group=G1),
    Field("contact_phone", "联系电话", "Phone", group=G1),
    Field("room_class", "机房等级", "Room class", C, choices=("A", "B", "C"), group=G1,
          help_zh="GB 50174-2017 A/B/C 级"),
    Field("planned_entry", "计划进场日期", "Planned entry", D, required=True, group=G1),
    Field("checked_on", "检查日期", "Checked on", D, group=G2),
    Field("checked_by", "检查人", "Checked by", group=G2),
    Field("customer_confirmed_by", "客户确认人", "Confirmed by (customer)", group=G2),
    Field("customer_confirmed_on", "客户确认日期", "Customer confirmed on", D, group=G2),
    Field("conclusion", "结论", "Conclusion", C, choices=CONCLUSIONS, group=G2,
          help_zh="具备：全部符合或不适用且客户已确认"),
))

#: (item, requirement text, unit, lower bound, upper bound) — GB 50174-2017 style defaults.
CHECK_ITEMS: tuple[tuple[str, str, str, float | None, float | None], ...] = (
    ("机房面积", "满足设备布置及维护通道", "m²", None, None),
    ("净高", "≥2.6", "m", 2.6, None),
    ("防静电地板高度", "≥0.3", "m", 0.3, None),
    ("地板承重", "≥8", "kN/m²", 8, None),
    ("温度", "18–27", "°C", 18, 27),
    ("相对湿度", "≤60", "%", None, 60),
    ("供电制式", "TN-S", "", None, None),
    ("UPS容量", "≥1.1×设备负载", "kVA", None, None),
    ("零地电压", "≤2", "V", None, 2),
    ("接地电阻", "≤4", "Ω", None, 4),
    ("空调", "精密空调，容量满足设备散热", "", None, None),
    ("消防", "气体灭火", "", None, None),
    ("照明", "≥500", "lx", 500, None),
    ("综合布线/桥架", "已敷设，满足走线", "", None, None),
    ("网络接入", "线路已开通", "", None, None),
    ("门禁安防", "门禁、视频监控已启用", "", None, None),
    ("设备搬运通道", "通道、电梯满足设备尺寸与重量", "", None, None),
)


def as_number(v: Any) -> float | None:
    """实测值 is a text column (it may say 已具备); a number typed there still counts as a number."""
    if isinstance(v, bool):
        return None
    if isinstance(v, int | float):
        return float(v)
    if isinstance(v, str):
        try:
            return float(v.strip())
        except ValueError:
            return None
    return None


def check_result(row: Mapping[str, Any], form: Mapping[str, Any] | None = None) -> str | None:
    """符合/不符合 where the requirement has numeric bounds and the measurement is a number."""
    v, lo, hi = as_number(row.get("measured")), row.get("lower"), row.get("upper")
    if v is None or (lo is None and hi is None):
        return None
    ok = (lo is None or v >= lo) and (hi is None or v <= hi)
    return "符合" if ok else "不符合"


CHECKS = Table("checks", "检查项", "Checks", (
    Field("item", "检查项", "Item", required=True, width=16),
    Field("requirement", "要求", "Requirement", width=24),
    Field("unit", "单位", "Unit", width=7),
    Field("lower", "下限", "Lower bound", N, width=7, help_zh="数值下限，用于自动判定"),
    Field("upper", "上限", "Upper bound", N, width=7, help_zh="数值上限，用于自动判定"),
    Field("measured", "实测值", "Measured", width=12, help_zh="数值或文字"),
    Field("auto_result", "自动判定", "Computed result", C, choices=("符合", "不符合"), width=9,
          formula='=IF(OR(NOT(ISNUMBER({measured})),AND({lower}="",{upper}="")),"",'
                  'IF(AND(OR({lower}="",{measured}>={lower}),OR({upper}="",{measured}<={upper})),"符合","不符合"))',
          compute=check_result),
    Field("result", "结果", "Result", C, choices=CHECK_RESULTS),
    Field("remedy", "整改措施", "Remedy", width=24),
    Field("remedy_due", "整改期限", "Remedy due", D),
    Field("remarks", "备注", "Remarks", width=20),
), row_key=("item",),
    rows=tuple({"item": i, "requirement": r, "unit": u, "lower": lo, "upper": hi} for i, r, u, lo, hi in CHECK_ITEMS),
    blank_rows=5, help_zh="有数值上下限的项目由“自动判定”列计算；“结果”与自动判定不一致会被标出。不符合须填整改措施和期限。")

SITE_ENVIRONMENT = Template(
    id="site-environment", version=1, zh="用户场地环境确认表", en="Site environment confirmation",
    form=FORM, tables=(CHECKS,),
    instructions_zh=(
        "每个场地填写一份，在计划进场日期前完成检查并由客户确认。",
        "逐项填写实测值与结果；有数值要求的项目由“自动判定”列计算，“结果”应与之一致。",
        "结果为“不符合”的项目必须填写整改措施和整改期限。",
        "结论为“具备”要求全部检查项为“符合”或“不适用”，并有客户确认人和确认日期。",
        "打印后由检查人和客户确认人签字。",
    ),
    instructions_en=(
        "One form per site, checked and confirmed by the customer before the planned entry date.",
        "Enter each measurement; numeric requirements are judged by the computed column.",
        "A non-conforming item needs a remedy and a deadline.",
        "具备 requires every item conforming or not applicable, plus the customer's confirmation.",
        "Print and sign.",
    ),
    signers_zh="检查人、客户确认人签字",
)
