"""What people type → typed values, and the finding that says so (SPEC §2.6).

:func:`normalize` takes what a spreadsheet reader returns for one cell (``None``, ``str``, ``int``,
``float``, ``bool``, ``date``, ``datetime``, ``time`` or an error value such as ``'#REF!'``) and
the :class:`~pimxl.schema.Field` it belongs to, and returns the value typed for the field plus
the findings about it. A normalisation is never silent: it is an *info* when the meaning is
certain (``'2026/3/5'``, ``'¥1,200,000.00'``, ``'30%'``), a *warning* when an assumption was
made (``'3月5日'`` → the as-of year; ``30`` in a percentage → 30 %), and an *error* when the input
is ambiguous or unusable (``'03/05/2026'``, ``'2026-02-30'``, ``'#REF!'``).

The value returned:

========================  ==========================================================
TEXT, LONGTEXT, CHOICE    ``str``
DATE                      ``datetime.date``
MONEY, NUMBER             ``float``
INTEGER                   ``int``
PERCENT                   ``float`` fraction (30 % → 0.3)
CODES                     ``tuple[str, ...]``
========================  ==========================================================

``None`` means "no usable value": the cell is empty, holds a placeholder (``待定``, ``-``, ``N/A``),
or could not be read — in the last case an error finding says why, so a caller should not report
the same cell again as missing. A value of the right type that breaks a constraint (an invalid
dropdown choice, a project id of the wrong form, an amount below the minimum) is returned as read,
with an error finding, so that summaries can still show what was typed.

The normalisers live in ``normalize_text`` (text, choices, code lists), ``normalize_dates`` and
``normalize_numbers``; each declares the finding codes it yields. Standard library only.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable
from datetime import date, datetime, time
from typing import Any

from .findings import Code, Finding, Severity
from .normalize_base import Ctx, Result, fold_width
from .normalize_dates import date_value
from .normalize_numbers import integer_value, number_value, percent_value
from .normalize_text import choice_value, codes_value, longtext_value, match_choice, parse_yes_no, text_value
from .schema import Field, FieldType

__all__ = ["CELL_ERRORS", "fold_width", "is_cell_error", "normalize", "parse_yes_no"]

CELL_ERROR = Code(
    "cell-error", Severity.ERROR,
    "{label_zh}：单元格为错误值 {seen}，请修正公式或重新填写",
    "{label_en}: the cell holds the error value {seen}; fix the formula or enter the value again",
    title_zh="单元格错误值",
)
PLACEHOLDER_EMPTY = Code(
    "placeholder-empty", Severity.INFO,
    "{label_zh}：'{seen}' 按未填写处理",
    "{label_en}: read the placeholder '{seen}' as not filled in",
    title_zh="占位符按空值处理",
)

#: Excel's error values (incl. the dynamic-array and data-type ones of Excel 365).
CELL_ERRORS: frozenset[str] = frozenset({
    "#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA", "#SPILL!",
    "#CALC!", "#FIELD!", "#BLOCKED!", "#CONNECT!", "#BUSY!", "#UNKNOWN!", "#EXTERNAL!", "#PYTHON!",
})

#: Words that stand for "no value yet" in a typed field (compared after fold_width, case-insensitive).
_PLACEHOLDERS = frozenset({
    "待定", "未定", "暂无", "无", "不详", "未知", "tbd", "tba", "n/a", "na", "none", "null",
    "-", "--", "---", "—", "——", "/", "\\", "?", "??", "…", "...",
})
#: Field types where a placeholder means empty; in text fields '无' is a legitimate answer.
_PLACEHOLDER_TYPES = frozenset({
    FieldType.DATE, FieldType.MONEY, FieldType.NUMBER, FieldType.INTEGER, FieldType.PERCENT, FieldType.CHOICE,
})

_HANDLERS: dict[FieldType, Callable[[Ctx], Result]] = {
    FieldType.TEXT: text_value,
    FieldType.LONGTEXT: longtext_value,
    FieldType.CHOICE: choice_value,
    FieldType.CODES: codes_value,
    FieldType.DATE: date_value,
    FieldType.MONEY: number_value,
    FieldType.NUMBER: number_value,
    FieldType.INTEGER: integer_value,
    FieldType.PERCENT: percent_value,
}


def is_cell_error(raw: Any) -> bool:
    """True for an Excel error value: the text ``'#REF!'`` or an object whose ``str()`` is one."""
    if raw is None or isinstance(raw, bool | int | float | date | time):
        return False
    text = raw if isinstance(raw, str) else str(raw)
    return fold_width(text).upper() in CELL_ERRORS


def _plain(raw: Any) -> Any:
    """Reader values of other types as one of the plain ones: Decimal/numpy numbers → float, else str."""
    if raw is None or isinstance(raw, str | bool | int | float | datetime | date | time):
        return raw
    if isinstance(raw, numbers.Number) and not isinstance(raw, complex):
        try:
            return float(raw)  # type: ignore[arg-type]
        except (TypeError, ValueError, OverflowError):
            return str(raw)
    return str(raw)


def normalize(
    raw: Any, field: Field, *, as_of: date | None = None, file: str = "", sheet: str = "", cell: str = "",
) -> tuple[Any, list[Finding]]:
    """Read one cell's ``raw`` value as ``field`` says; return ``(value, findings)``.

    ``as_of`` supplies the year of a date typed without one (default: today). ``file``, ``sheet``
    and ``cell`` are copied into every finding, with ``field=field.key`` and ``value=raw``.
    Empty and whitespace-only cells give ``(None, [])``; whether a value is required is the
    caller's rule.
    """
    original, raw = raw, _plain(raw)
    if raw is None or (isinstance(raw, str) and not fold_width(raw)):
        return None, []
    ctx = Ctx(raw=raw, field=field, as_of=as_of or date.today(), file=file, sheet=sheet, cell=cell,
              original=None if original is raw else original)
    if is_cell_error(raw):
        return None, [ctx.finding(CELL_ERROR)]
    # '待定' / '-' / 'N/A' in a date, number or dropdown cell: certainly "not known yet" (unless the
    # dropdown has a value it stands for, such as 不适用 for N/A).
    if (
        field.type in _PLACEHOLDER_TYPES
        and isinstance(raw, str)
        and fold_width(raw).casefold() in _PLACEHOLDERS
        and not (field.type == FieldType.CHOICE and match_choice(raw, field.choices))
    ):
        return None, [ctx.finding(PLACEHOLDER_EMPTY)]
    return _HANDLERS[field.type](ctx)
