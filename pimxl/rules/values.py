"""Small date, number and text helpers shared by the rules.

The reader hands the rules typed values, but rules must never crash on a value of an unexpected type
(a user typed text into a date column and the normaliser could not help): every helper here answers
``None`` for "not usable" instead of raising.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime
from typing import Any

from ..schema import FieldType

__all__ = [
    "MONEY_TOL",
    "RATIO_TOL",
    "as_date",
    "blank",
    "coerce",
    "days_between",
    "is_complete_pct",
    "num",
    "parse_bounds",
    "same",
    "text",
    "wbs_parent",
    "wbs_valid",
]

MONEY_TOL = 0.01  # yuan: amounts agree within one fen
RATIO_TOL = 0.0001  # ratios (fractions) agree within 0.01 %

_WBS = re.compile(r"^\d+(?:\.\d+)*$")
_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_DATE8 = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_NUMBER = r"[-+]?\d+(?:\.\d+)?"
_AT_LEAST = re.compile(rf"^(?:≥|>=|>|不小于|不低于)\s*({_NUMBER})$")
_AT_MOST = re.compile(rf"^(?:≤|<=|<|不大于|不高于|不超过)\s*({_NUMBER})$")
_RANGE = re.compile(rf"^({_NUMBER})\s*(?:–|—|-|~|～|至|到)\s*({_NUMBER})$")


def blank(value: Any) -> bool:
    """Empty: None, or text with nothing but white space."""
    return value is None or (isinstance(value, str) and not value.strip())


#: text() of strings already seen: rules ask for the same few values (statuses, WBS codes) many times.
_TEXT: dict[str, str] = {}
_TEXT_MAX = 100_000


def text(value: Any) -> str:
    """A value as comparable text: NFKC (full-width → half-width), trimmed, inner white space collapsed."""
    if value is None:
        return ""
    if type(value) is str:
        hit = _TEXT.get(value)
        if hit is None:
            if len(_TEXT) >= _TEXT_MAX:  # bounded: the cache is only an economy
                _TEXT.clear()
            hit = _TEXT[value] = " ".join(unicodedata.normalize("NFKC", value).split())
        return hit
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(unicodedata.normalize("NFKC", str(value)).split())


def num(value: Any) -> float | None:
    """A number, or None. Text such as ``1,200.50``, ``¥300000`` or ``120万`` is accepted as a fallback."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if not isinstance(value, str):
        return None
    s = text(value).replace(",", "").replace("¥", "").replace(" ", "").removesuffix("元")
    factor = 1.0
    if s.endswith("万"):
        s, factor = s[:-1], 1e4
    elif s.endswith("亿"):
        s, factor = s[:-1], 1e8
    percent = s.endswith("%")
    if percent:
        s = s[:-1]
    try:
        n = float(s) * factor
    except ValueError:
        return None
    return n / 100 if percent else n


def as_date(value: Any) -> date | None:
    """A ``date`` (a datetime loses its time: datetimes and dates do not compare), or None.

    Text in the unambiguous ISO-like forms (``2026-3-5``, ``2026/03/05``, ``2026.3.5``, ``2026年3月5日``,
    ``20260305``) is accepted because 调整后 values are free text.
    """
    # The common cases first: an empty cell, a date as the reader types it.
    if value is None:
        return None
    if type(value) is date:
        return value
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        return None
    s = text(value)
    s = s.split(" ")[0] if len(s) > 10 and " " in s else s  # drop a time part
    m = _DATE.match(s) or _DATE8.match(s)
    if not m:
        return None
    try:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


def days_between(later: date, earlier: date) -> int:
    return (later - earlier).days


def same(a: float | None, b: float | None, tol: float = MONEY_TOL) -> bool:
    """Two numbers agree within ``tol`` (a small epsilon absorbs binary floating point)."""
    if a is None or b is None:
        return a is b
    return abs(a - b) <= tol + 1e-9


def is_complete_pct(value: Any) -> bool:
    """完成% at 100 % (a fraction of 1; a stray 100 also counts)."""
    n = num(value)
    return n is not None and n >= 1 - 1e-6


def wbs_valid(code: str) -> bool:
    """``1``, ``1.2``, ``1.2.3`` — digits separated by single dots."""
    return bool(_WBS.match(code))


def wbs_parent(code: str) -> str | None:
    """``1.2.3`` → ``1.2``; a top-level code has no parent."""
    return code.rsplit(".", 1)[0] if "." in code else None


def parse_bounds(requirement: Any) -> tuple[float | None, float | None]:
    """Numeric bounds of a requirement text: ``≥2.6`` → (2.6, None), ``≤60`` → (None, 60), ``18–27`` → (18, 27).

    Anything else (``≥1.1×设备负载``, ``气体灭火``) has no bounds: the whole text must be a bound.
    """
    s = text(requirement).replace(" ", "")
    if m := _AT_LEAST.match(s):
        return float(m.group(1)), None
    if m := _AT_MOST.match(s):
        return None, float(m.group(1))
    if m := _RANGE.match(s):
        lo, hi = float(m.group(1)), float(m.group(2))
        return (lo, hi) if lo <= hi else (None, None)
    return None, None


def coerce(value: Any, ftype: FieldType) -> Any:
    """A free-text value (an adjustment's 调整后) as the type of the field it is meant for; None if it is not."""
    if blank(value):
        return None
    if ftype is FieldType.DATE:
        return as_date(value)
    if ftype in (FieldType.MONEY, FieldType.NUMBER):
        return num(value)
    if ftype is FieldType.INTEGER:
        n = num(value)
        return int(n) if n is not None and n.is_integer() else None
    if ftype is FieldType.PERCENT:
        n = num(value)
        # 30 typed for 30 % (a fraction above 1 cannot be meant).
        return n / 100 if n is not None and n > 1 else n
    if ftype is FieldType.CODES:
        if isinstance(value, tuple | list):
            return tuple(text(v) for v in value if not blank(v))
        return tuple(p for p in re.split(r"[,，;；、\s]+", text(value)) if p)
    return text(value)
