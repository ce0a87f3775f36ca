"""Data validation for generated workbooks: one rule per table column (whole column range) or form cell.

Every rule carries a Chinese input message (title = label, text = help) and a Chinese error message.
List dropdowns whose inline formula would exceed Excel's 255-character limit (or whose values contain
a comma or a quote) are placed on the hidden ``_lists`` sheet and referenced by range.
"""

from __future__ import annotations

from datetime import date

from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.datavalidation import DataValidation

from ..address import col_letter, quote_sheet
from ..layout import LISTS_SHEET
from ..schema import Field, FieldType

__all__ = ["ListSheet", "validation_for"]

#: Excel's limit for the inline list of a list validation (the quoted, comma-joined values).
INLINE_LIST_LIMIT = 255

_EXCEL_EPOCH = date(1899, 12, 30)
# Accepted date range, as serial numbers (LibreOffice and Excel both read plain serials).
DATE_MIN = (date(1990, 1, 1) - _EXCEL_EPOCH).days
DATE_MAX = (date(2100, 12, 31) - _EXCEL_EPOCH).days


class ListSheet:
    """The hidden ``_lists`` sheet, created on first use; one column per distinct long list."""

    def __init__(self, wb: Workbook) -> None:
        self.wb = wb
        self._refs: dict[tuple[str, ...], str] = {}

    def ref(self, values: tuple[str, ...]) -> str:
        if values in self._refs:
            return self._refs[values]
        if LISTS_SHEET in self.wb.sheetnames:
            ws = self.wb[LISTS_SHEET]
        else:
            ws = self.wb.create_sheet(LISTS_SHEET)
            ws.sheet_state = "hidden"
            ws.protection.sheet = True
        col = len(self._refs) + 1
        for i, v in enumerate(values, start=1):
            ws.cell(row=i, column=col, value=v)
        letter = col_letter(col)
        ref = f"{quote_sheet(LISTS_SHEET)}!${letter}$1:${letter}${len(values)}"
        self._refs[values] = ref
        return ref


def _inline_list(values: tuple[str, ...]) -> str | None:
    if any("," in v or '"' in v for v in values):
        return None
    formula = '"' + ",".join(values) + '"'
    return formula if len(formula) <= INLINE_LIST_LIMIT else None


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _bounds(f: Field, lo: float | None, hi: float | None) -> tuple[str, str | None, str | None, str]:
    """(operator, formula1, formula2, human text) for a numeric rule."""
    lo = f.minimum if f.minimum is not None else lo
    hi = f.maximum if f.maximum is not None else hi
    if lo is not None and hi is not None:
        return "between", _num(lo), _num(hi), f"{_num(lo)} 至 {_num(hi)} 之间"
    if lo is not None:
        return "greaterThanOrEqual", _num(lo), None, f"不小于 {_num(lo)}"
    if hi is not None:
        return "lessThanOrEqual", _num(hi), None, f"不大于 {_num(hi)}"
    return "between", "-1E+15", "1E+15", "数值"


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else repr(float(x))


def validation_for(f: Field, lists: ListSheet) -> DataValidation | None:
    """The validation rule for a field (without a range), or None for a computed field."""
    if f.computed:
        return None
    kind: str | None = None
    op: str | None = None
    f1: str | None = None
    f2: str | None = None
    if f.choices:
        kind, f1 = "list", _inline_list(f.choices) or lists.ref(f.choices)
        rule = "请从下拉列表中选择：" + "、".join(f.choices)
    elif f.type is FieldType.DATE:
        kind, op, f1, f2 = "date", "between", str(DATE_MIN), str(DATE_MAX)
        rule = "请输入日期，如 2026-03-05"
    elif f.type is FieldType.INTEGER:
        kind = "whole"
        op, f1, f2, text = _bounds(f, None, None)
        rule = "请输入整数" + ("" if text == "数值" else "，" + text)
    elif f.type is FieldType.PERCENT:
        kind = "decimal"
        op, f1, f2, _ = _bounds(f, 0, 1)
        rule = "请输入百分比 0%–100%（如 30%）"
    elif f.type in (FieldType.MONEY, FieldType.NUMBER):
        kind = "decimal"
        op, f1, f2, text = _bounds(f, None, None)
        rule = ("请输入金额（元）" if f.type is FieldType.MONEY else "请输入数值") + (
            "" if text == "数值" else "，" + text)
    else:
        rule = ""
    help_text = f.help_zh or rule or f"请填写{f.zh}"
    if rule and f.help_zh:
        help_text = f"{f.help_zh}。{rule}"
    dv = DataValidation(
        type=kind,
        operator=op,
        formula1=f1,
        formula2=f2,
        allow_blank=True,
        showInputMessage=True,
        showErrorMessage=kind is not None,
        promptTitle=_clip(f.zh, 32),
        prompt=_clip(help_text, 255),
    )
    if kind is not None:
        dv.errorStyle = "stop"
        dv.errorTitle = _clip(f"{f.zh}：输入无效", 32)
        dv.error = _clip(rule, 225)
    return dv
