"""Money, number, integer and percentage normalisation (private helper of :mod:`pimxl.normalize`)."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date, time
from decimal import Decimal, InvalidOperation
from typing import Any

from .findings import Code, Finding, Severity
from .normalize_base import Ctx, Result, fmt_number, fmt_percent, fold_width
from .normalize_text import CHOICE_INVALID
from .schema import FieldType

__all__ = ["CURRENCY_IGNORED", "INTEGER_INVALID", "INTEGER_NORMALISED", "NUMBER_AMBIGUOUS", "NUMBER_INVALID",
           "NUMBER_NORMALISED", "NUMBER_OUT_OF_RANGE", "PERCENT_ASSUMED", "PERCENT_INVALID", "PERCENT_NORMALISED",
           "check_range", "integer_value", "number_value", "percent_value"]

NUMBER_NORMALISED = Code(
    "number-normalised", Severity.INFO,
    "{label_zh}：'{seen}' 已按数值 {normalized} 读取",
    "{label_en}: read '{seen}' as the number {normalized}",
    title_zh="数值已规范化",
)
CURRENCY_IGNORED = Code(
    "currency-ignored", Severity.WARNING,
    "{label_zh}：'{seen}' 已按 {normalized} 读取，货币 {currency} 未换算，请确认与合同币种一致",
    "{label_en}: read '{seen}' as {normalized}; the currency {currency} was not converted — "
    "check that it is the contract currency",
    title_zh="金额带外币符号",
)
NUMBER_AMBIGUOUS = Code(
    "number-ambiguous", Severity.ERROR,
    "{label_zh}：'{seen}' 的逗号用法不明确（可理解为 {readings}），请只填写数字，如 1234.56",
    "{label_en}: the comma in '{seen}' is ambiguous (it could be {readings}); enter a plain number such as 1234.56",
    title_zh="数值有歧义",
)
NUMBER_INVALID = Code(
    "number-invalid", Severity.ERROR,
    "{label_zh}：'{seen}' 不是有效数值",
    "{label_en}: '{seen}' is not a number",
    title_zh="数值无效",
)
INTEGER_NORMALISED = Code(
    "integer-normalised", Severity.INFO,
    "{label_zh}：'{seen}' 已按整数 {normalized} 读取",
    "{label_en}: read '{seen}' as the whole number {normalized}",
    title_zh="整数已规范化",
)
INTEGER_INVALID = Code(
    "integer-invalid", Severity.ERROR,
    "{label_zh}：'{seen}' 不是整数",
    "{label_en}: '{seen}' is not a whole number",
    title_zh="不是整数",
)
PERCENT_NORMALISED = Code(
    "percent-normalised", Severity.INFO,
    "{label_zh}：'{seen}' 已按百分比 {normalized} 读取",
    "{label_en}: read '{seen}' as the percentage {normalized}",
    title_zh="百分比已规范化",
)
PERCENT_ASSUMED = Code(
    "percent-assumed", Severity.WARNING,
    "{label_zh}：'{seen}' 大于 1，已按 {normalized} 读取（假定为百分数），请填写 {normalized}",
    "{label_en}: '{seen}' is more than 1 and was read as {normalized} (assumed to be a percentage); "
    "enter {normalized}",
    title_zh="按百分数理解",
)
PERCENT_INVALID = Code(
    "percent-invalid", Severity.ERROR,
    "{label_zh}：'{seen}' 不是有效百分比，请填写如 30%",
    "{label_en}: '{seen}' is not a percentage; enter e.g. 30%",
    title_zh="百分比无效",
)
NUMBER_OUT_OF_RANGE = Code(
    "number-out-of-range", Severity.ERROR,
    "{label_zh}：{normalized} 超出允许范围 {range}",
    "{label_en}: {normalized} is outside the allowed range {range}",
    title_zh="数值超出范围",
)

_CNY = {"¥", "rmb", "cny", "人民币", "元", "元整", "块", "块钱"}
_CURRENCY = r"RMB|CNY|人民币|¥|US\$|HK\$|\$|USD|EUR|€|HKD|JPY|GBP|£|美元|欧元|港币|港元|日元|英镑"
_MULTIPLIERS = {"千": 3, "k": 3, "万": 4, "w": 4, "百万": 6, "千万": 7, "亿": 8}
_COUNT_UNITS = {"天", "日", "个", "人", "次", "台", "套", "项"}
# [sign] [currency] [sign] digits-with-grouping [exponent] [万/亿…] [元/%/天…]
_NUMBER = re.compile(
    rf"^(?P<s1>[-+])?\s*(?P<pre>{_CURRENCY})?\s*(?P<s2>[-+])?\s*"
    r"(?P<num>\d[\d, ]*(?:\.\d*)?|\.\d+)(?P<exp>e[-+]?\d+)?\s*"
    r"(?P<mult>百万|千万|万|亿|千|k|w)?\s*"
    rf"(?P<suf>元整|元|块钱|块|%|{_CURRENCY}|天|日|个|人|次|台|套|项)?$",
    re.IGNORECASE,
)


class _Unreadable(Exception):
    """Text that is not a number; ``readings`` when it could be more than one."""

    def __init__(self, readings: tuple[str, ...] = ()) -> None:
        super().__init__(readings)
        self.readings = readings


@dataclass(frozen=True)
class _Parsed:
    value: Decimal
    percent: bool = False
    currency: str = ""  # '' none, 'CNY', or the foreign symbol as typed
    multiplied: bool = False
    unit: str = ""  # a count unit such as 天


def _digits(num: str) -> str:
    """Check the thousands grouping of '1,234,567.5' / '1 234' and return plain digits."""
    num = num.strip()
    whole, dot, frac = num.partition(".")
    if "," in whole:
        if not re.fullmatch(r"\d{1,3}(,\d{3})+", whole):
            # '12,34' could be 12.34 (decimal comma) or 1234 (a mistyped group): never guess.
            if whole.count(",") == 1 and not dot:
                raise _Unreadable((whole.replace(",", ""), whole.replace(",", ".")))
            raise _Unreadable()
    elif " " in whole and not re.fullmatch(r"\d{1,3}( \d{3})+", whole):
        raise _Unreadable()
    return whole.replace(",", "").replace(" ", "") + dot + frac


def _parse(text: str) -> _Parsed:
    """'¥1,200,000.00', '120 万元', '1.2亿', 'RMB 5000', '(1,200)', '30 %', '3天' → parts."""
    t = fold_width(text).replace("−", "-").replace("﹣", "-")
    negative = False
    # Accounting style: (1,200) is −1200.
    if t.startswith("(") and t.endswith(")"):
        t, negative = t[1:-1].strip(), True
    m = _NUMBER.match(t)
    if not m or (m["s1"] and m["s2"]):
        raise _Unreadable()
    try:
        value = Decimal(_digits(m["num"]) + (m["exp"] or ""))
    except InvalidOperation:
        raise _Unreadable() from None
    if m["mult"]:
        value = value.scaleb(_MULTIPLIERS[m["mult"].lower()])
    if negative or "-" in (m["s1"] or "", m["s2"] or ""):
        value = -value
    currencies = [c for c in (m["pre"], m["suf"]) if c and c != "%" and c not in _COUNT_UNITS]
    foreign = [c for c in currencies if c.lower() not in _CNY]
    return _Parsed(
        value=value,
        percent=m["suf"] == "%",
        currency=foreign[0] if foreign else ("CNY" if currencies else ""),
        multiplied=bool(m["mult"]),
        unit=m["suf"] if m["suf"] in _COUNT_UNITS else "",
    )


def _as_number(raw: Any) -> float | None:
    """A cell's own number (not text), or None for anything else; booleans are not numbers."""
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        return None
    v = float(raw)
    return v if math.isfinite(v) else None


def _is_dateish(raw: Any) -> bool:
    return isinstance(raw, date | time)


def _check_choices(ctx: Ctx, v: float) -> list[Finding]:
    """A numeric field with choices (risk probability 0.1/0.3/…) takes one of them, compared as numbers."""
    numeric = []
    for c in ctx.field.choices:
        try:
            numeric.append(float(c))
        except ValueError:
            continue
    if numeric and not any(math.isclose(v, c, abs_tol=1e-9) for c in numeric):
        return [ctx.finding(CHOICE_INVALID, allowed=" / ".join(ctx.field.choices))]
    return []


def check_range(ctx: Ctx, v: float | int) -> list[Finding]:
    """``number-out-of-range`` when ``v`` is below Field.minimum or above Field.maximum."""
    lo, hi = ctx.field.minimum, ctx.field.maximum
    if (lo is None or v >= lo - 1e-9) and (hi is None or v <= hi + 1e-9):
        return []
    show = fmt_percent if ctx.field.type == FieldType.PERCENT else fmt_number
    rng = f"{show(lo) if lo is not None else '…'} – {show(hi) if hi is not None else '…'}"
    return [ctx.finding(NUMBER_OUT_OF_RANGE, normalized=show(v), range=rng)]


def _parse_or_report(ctx: Ctx, invalid: Code) -> tuple[_Parsed | None, list[Finding]]:
    try:
        return _parse(str(ctx.raw)), []
    except _Unreadable as e:
        if e.readings:
            shown = " / ".join(e.readings)
            return None, [ctx.finding(NUMBER_AMBIGUOUS, readings=shown)]
        return None, [ctx.finding(invalid)]


def number_value(ctx: Ctx) -> Result:
    """MONEY / NUMBER → float. Text that is certainly a number is an info; a foreign currency a warning."""
    v = _as_number(ctx.raw)
    findings: list[Finding] = []
    if v is None:
        if _is_dateish(ctx.raw) or isinstance(ctx.raw, bool | int | float):
            return None, [ctx.finding(NUMBER_INVALID)]
        p, findings = _parse_or_report(ctx, NUMBER_INVALID)
        # A percentage only makes sense in a plain number; count units never in money.
        if p is None or p.unit or (p.percent and ctx.field.type == FieldType.MONEY):
            return None, findings or [ctx.finding(NUMBER_INVALID)]
        v = float(p.value / 100 if p.percent else p.value)
        if p.currency not in ("", "CNY"):
            findings = [ctx.finding(CURRENCY_IGNORED, normalized=fmt_number(v), currency=p.currency)]
        else:
            findings = [ctx.finding(NUMBER_NORMALISED, normalized=fmt_number(v))]
    return v, findings + _check_choices(ctx, v) + check_range(ctx, v)


def integer_value(ctx: Ctx) -> Result:
    """INTEGER → int. 3.0 is 3 silently; '3天' and '3' typed as text are infos; 3.5 is an error."""
    v = _as_number(ctx.raw)
    from_text = v is None
    if v is None:
        if _is_dateish(ctx.raw) or isinstance(ctx.raw, bool | int | float):
            return None, [ctx.finding(INTEGER_INVALID)]
        p, findings = _parse_or_report(ctx, INTEGER_INVALID)
        if p is None or p.percent or p.currency:
            return None, findings or [ctx.finding(INTEGER_INVALID)]
        v = float(p.value)
    # Within float noise of a whole number (a formula's 2.9999999999) counts as whole.
    if not math.isclose(v, round(v), abs_tol=1e-9):
        return None, [ctx.finding(INTEGER_INVALID)]
    n = round(v)
    findings = [ctx.finding(INTEGER_NORMALISED, normalized=fmt_number(n))] if from_text else []
    return n, findings + _check_choices(ctx, n) + check_range(ctx, n)


def percent_value(ctx: Ctx) -> Result:
    """PERCENT → fraction 0..1.

    0.3 is a fraction (no finding); 30 (more than 1 in absolute value) is taken as 30 % with a
    warning; '30%' / '30 %' typed as text is an info.
    """
    v = _as_number(ctx.raw)
    if v is not None:
        if abs(v) <= 1:
            return v, check_range(ctx, v)
        frac = float(Decimal(repr(v)) / 100)
        return frac, [ctx.finding(PERCENT_ASSUMED, normalized=fmt_percent(frac))] + check_range(ctx, frac)
    if _is_dateish(ctx.raw) or isinstance(ctx.raw, bool | int | float):
        return None, [ctx.finding(PERCENT_INVALID)]
    p, findings = _parse_or_report(ctx, PERCENT_INVALID)
    if p is None or p.unit or p.currency or p.multiplied:
        return None, findings or [ctx.finding(PERCENT_INVALID)]
    if p.percent or abs(p.value) <= 1:
        frac = float(p.value / 100) if p.percent else float(p.value)
        code = PERCENT_NORMALISED
    else:
        frac, code = float(p.value / 100), PERCENT_ASSUMED
    return frac, [ctx.finding(code, normalized=fmt_percent(frac))] + check_range(ctx, frac)
