"""Date normalisation (private helper of :mod:`pimxl.normalize`).

Certain readings are infos, a guessed year is a warning, and anything that reads as two different
days (``03/05/2026``) or as no day at all is an error.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime, time, timedelta

from .findings import Code, Severity
from .normalize_base import Ctx, Result, fold_width

__all__ = ["DATE_AMBIGUOUS", "DATE_INVALID", "DATE_NORMALISED", "DATE_YEAR_ASSUMED", "DATETIME_TRUNCATED",
           "date_value"]

DATE_NORMALISED = Code(
    "date-normalised", Severity.INFO,
    "{label_zh}：'{seen}' 已按日期 {normalized} 读取",
    "{label_en}: read '{seen}' as the date {normalized}",
    title_zh="日期已规范化",
)
DATETIME_TRUNCATED = Code(
    "datetime-truncated", Severity.INFO,
    "{label_zh}：'{seen}' 含时间，已按日期 {normalized} 读取（忽略时间）",
    "{label_en}: read '{seen}' as the date {normalized}; the time of day is ignored",
    title_zh="日期时间已截为日期",
)
DATE_YEAR_ASSUMED = Code(
    "date-year-assumed", Severity.WARNING,
    "{label_zh}：'{seen}' 未写年份，已按 {normalized} 读取（假定为 {year} 年），请填写完整日期",
    "{label_en}: '{seen}' has no year; read as {normalized} (assuming {year}); enter the full date",
    title_zh="日期缺年份",
)
DATE_AMBIGUOUS = Code(
    "date-ambiguous", Severity.ERROR,
    "{label_zh}：'{seen}' 无法确定是哪一天（可理解为 {readings}），请按 yyyy-mm-dd 填写",
    "{label_en}: '{seen}' is ambiguous (it could be {readings}); enter it as yyyy-mm-dd",
    title_zh="日期有歧义",
)
DATE_INVALID = Code(
    "date-invalid", Severity.ERROR,
    "{label_zh}：'{seen}' 不是有效日期{reason_zh}，请按 yyyy-mm-dd 填写",
    "{label_en}: '{seen}' is not a valid date{reason_en}; enter it as yyyy-mm-dd",
    title_zh="日期无效",
)

#: Excel's day 0 in the 1900 date system (serial 1 = 1900-01-01, counting the phantom 1900-02-29).
_EXCEL_EPOCH = date(1899, 12, 30)
#: Serial numbers accepted as dates: 20000 = 1954-10-03, 80000 = 2119-01-10.
_SERIAL_MIN, _SERIAL_MAX = 20000, 80000

_TIME = r"(?:[ T]+(?P<h>\d{1,2}):(?P<mi>\d{2})(?::(?P<s>\d{2})(?:\.\d+)?)?)?"
# 2026-3-5, 2026/03/05, 2026.3.5 (any mix of - / .), optionally with a time of day.
_YMD = re.compile(r"^(?P<y>\d{4})[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})" + _TIME + "$")
_YMD8 = re.compile(r"^(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})$")
# 2026年3月5日 (日 or 号, or neither), 26年3月5日.
_CN_YMD = re.compile(r"^(?P<y>\d{2}|\d{4})年(?P<m>\d{1,2})月(?P<d>\d{1,2})[日号]?" + _TIME + "$")
_CN_MD = re.compile(r"^(?P<m>\d{1,2})月(?P<d>\d{1,2})[日号]?$")
# 03/05/2026, 05/03/26, 26.3.5: the order of the parts is not written down.
_SHORT3 = re.compile(r"^(?P<a>\d{1,2})[-/.](?P<b>\d{1,2})[-/.](?P<c>\d{4}|\d{1,2})$")
_SHORT2 = re.compile(r"^(?P<a>\d{1,2})[-/.](?P<b>\d{1,2})$")
# A trailing weekday: （星期四）, (周四), 星期四.
_WEEKDAY = re.compile(r"\s*[(]?(?:星期|周|礼拜)[一二三四五六日天][)]?$")

_BAD_MONTH = ("（月份应为 1–12）", " (the month must be 1–12)")
_BAD_DAY = ("（该月没有这一天）", " (that month has no such day)")
_NO_DAY = ("（缺少日）", " (the day is missing)")
_NOT_SERIAL = ("（数值不是 Excel 日期）", " (the number is not an Excel date)")
_ONLY_TIME = ("（只有时间，没有日期）", " (a time of day without a date)")
_UNKNOWN = ("", "")


def _make(y: int, m: int, d: int) -> tuple[date | None, tuple[str, str]]:
    """The date, or None and why not."""
    if not 1 <= m <= 12:
        return None, _BAD_MONTH
    try:
        return date(y, m, d), _UNKNOWN
    except ValueError:
        return None, _BAD_DAY


def _century(yy: int) -> int:
    """Two-digit year → four digits: 00–69 → 20xx, 70–99 → 19xx (Excel's own rule)."""
    return 2000 + yy if yy < 70 else 1900 + yy


def _invalid(ctx: Ctx, why: tuple[str, str]) -> Result:
    return None, [ctx.finding(DATE_INVALID, reason_zh=why[0], reason_en=why[1])]


def _from_number(ctx: Ctx, v: float) -> Result:
    """20260305 typed without separators, or an Excel serial number in a cell formatted as a number."""
    if not math.isfinite(v):
        return _invalid(ctx, _NOT_SERIAL)
    if v.is_integer() and 19000101 <= v <= 21001231:
        n = int(v)
        d, why = _make(n // 10000, n // 100 % 100, n % 100)
        if d is None:
            return _invalid(ctx, why)
        return d, [ctx.finding(DATE_NORMALISED, normalized=d.isoformat())]
    if _SERIAL_MIN <= v <= _SERIAL_MAX:
        d = _EXCEL_EPOCH + timedelta(days=math.floor(v))
        return d, [ctx.finding(DATE_NORMALISED, normalized=d.isoformat())]
    return _invalid(ctx, _NOT_SERIAL)


def _with_time(ctx: Ctx, d: date, h: str | None, mi: str | None, s: str | None) -> Result:
    """A date read from text, with the finding that says how (and whether a time was dropped)."""
    if h is None:
        return d, [ctx.finding(DATE_NORMALISED, normalized=d.isoformat())]
    hour, minute, second = int(h), int(mi or 0), int(s or 0)
    if hour > 23 or minute > 59 or second > 59:
        return _invalid(ctx, _UNKNOWN)
    code = DATETIME_TRUNCATED if (hour, minute, second) != (0, 0, 0) else DATE_NORMALISED
    return d, [ctx.finding(code, normalized=d.isoformat())]


def _readings(ctx: Ctx, candidates: list[date], year_assumed: int | None) -> Result:
    """One distinct candidate is a certain reading; several are ambiguous; none is invalid."""
    distinct = sorted(set(candidates))
    if not distinct:
        return _invalid(ctx, _UNKNOWN)
    if len(distinct) > 1:
        return None, [ctx.finding(DATE_AMBIGUOUS, readings=" / ".join(d.isoformat() for d in distinct))]
    d = distinct[0]
    if year_assumed is not None:
        return d, [ctx.finding(DATE_YEAR_ASSUMED, normalized=d.isoformat(), year=str(year_assumed))]
    return d, [ctx.finding(DATE_NORMALISED, normalized=d.isoformat())]


def _from_text(ctx: Ctx, raw: str) -> Result:
    # Full-width digits and punctuation (２０２６－０３－０５) fold to ASCII; spaces around 年月日
    # and a trailing weekday carry no meaning.
    t = _WEEKDAY.sub("", fold_width(raw))
    t = re.sub(r"\s*([年月日号])\s*", r"\1", t)

    for rx in (_YMD, _CN_YMD):
        m = rx.match(t)
        if m:
            y = int(m["y"])
            d, why = _make(_century(y) if len(m["y"]) == 2 else y, int(m["m"]), int(m["d"]))
            return _invalid(ctx, why) if d is None else _with_time(ctx, d, m["h"], m["mi"], m["s"])
    m = _YMD8.match(t)
    if m:
        d, why = _make(int(m["y"]), int(m["m"]), int(m["d"]))
        return _invalid(ctx, why) if d is None else (d, [ctx.finding(DATE_NORMALISED, normalized=d.isoformat())])
    m = _CN_MD.match(t)
    if m:
        # 3月5日: the month and day are certain, the year is the as-of year (a warning).
        d, why = _make(ctx.as_of.year, int(m["m"]), int(m["d"]))
        return _invalid(ctx, why) if d is None else _readings(ctx, [d], ctx.as_of.year)
    m = _SHORT3.match(t)
    if m:
        a, b, c = int(m["a"]), int(m["b"]), m["c"]
        # Every order people use: month/day/year and day/month/year when the last part can be a
        # year, year/month/day (two-digit year) when the last part can be a day.
        options = []
        if len(c) != 1:
            year = int(c) if len(c) == 4 else _century(int(c))
            options += [_make(year, a, b)[0], _make(year, b, a)[0]]
        if len(c) <= 2:
            options.append(_make(_century(a), b, int(c))[0])
        return _readings(ctx, [d for d in options if d], None)
    m = _SHORT2.match(t)
    if m:
        a, b = int(m["a"]), int(m["b"])
        options = [_make(ctx.as_of.year, a, b)[0], _make(ctx.as_of.year, b, a)[0]]
        return _readings(ctx, [d for d in options if d], ctx.as_of.year)
    if re.match(r"^\d{4}[-/.年]\d{1,2}月?$", t):
        return _invalid(ctx, _NO_DAY)
    # A number typed as text ('46086', '20260305.0') is read like the number itself.
    if re.match(r"^\d+(\.\d+)?$", t):
        return _from_number(ctx, float(t))
    return _invalid(ctx, _UNKNOWN)


def date_value(ctx: Ctx) -> Result:
    """A DATE field → ``datetime.date``.

    A real Excel date (``date``, or ``datetime`` at midnight) is taken silently; a real date-time
    with a time of day gives ``datetime-truncated`` (info).
    """
    raw = ctx.raw
    if isinstance(raw, datetime):
        if raw.time() == time():
            return raw.date(), []
        return raw.date(), [ctx.finding(DATETIME_TRUNCATED, normalized=raw.date().isoformat())]
    if isinstance(raw, date):
        return raw, []
    if isinstance(raw, time):
        return _invalid(ctx, _ONLY_TIME)
    if isinstance(raw, bool):
        return _invalid(ctx, _UNKNOWN)
    if isinstance(raw, int | float):
        return _from_number(ctx, float(raw))
    return _from_text(ctx, str(raw))
