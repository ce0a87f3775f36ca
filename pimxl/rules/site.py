"""Rules of the site environment confirmation (用户场地环境确认表, SPEC §2.4)."""

from __future__ import annotations

from collections.abc import Iterator

from ..findings import Code, Finding, Severity
from ..records import Row
from ..templates.site_environment import check_result
from .context import Context, rule
from .values import blank, num, parse_bounds, text

__all__ = ["READY", "computed_result"]

E, W = Severity.ERROR, Severity.WARNING
SITE = "site-environment"
READY = "具备"
OK, NOT_OK, NA = "符合", "不符合", "不适用"

CHECK_RESULT_MISMATCH = Code(
    "check-result-mismatch", E,
    "{where}实测值 {measured} 按要求（{bounds}）应判为「{expected}」，但结果填的是「{value}」；请核对实测值或结果。",
    "{where_en}measured {measured} against the requirement ({bounds}) gives '{expected}', but the result says "
    "'{value}'; check the measurement or the result.",
)
REMEDY_MISSING = Code(
    "remedy-missing", E,
    "{where}检查结果为“不符合”，但{label}为空；不符合项必须填写整改措施和整改期限。",
    "{where_en}the item does not conform but {label_en} is empty; a non-conforming item needs a remedy and a "
    "deadline.",
)
SITE_CONCLUSION_UNSUPPORTED = Code(
    "site-conclusion-unsupported", E,
    "{where}结论为“具备”，但{problem}；“具备”要求全部检查项为符合或不适用，并有客户确认人和确认日期。",
    "{where_en}the conclusion is 具备 (ready) but {problem_en}; ready needs every item conforming or not "
    "applicable and the customer's confirmation.",
)
SITE_NOT_READY = Code(
    "site-not-ready", W,
    "场地结论为「{value}」，而计划进场日期 {entry} {when}；请确认工程师何时能进场，督促客户整改或调整进场计划。",
    "The site is '{value}' while planned entry {entry} {when_en}; when can engineers go on site? Chase the "
    "customer's remedies or move the entry date.",
)


def computed_result(row: Row) -> tuple[str | None, str]:
    """The result the numeric bound gives (符合/不符合) and the bound as text, or (None, '') when not numeric.

    Bounds come from the 下限/上限 columns; when both are empty, from the requirement text itself
    (``≥2.6``, ``≤60``, ``18–27``) so that a requirement the user retyped is still judged.
    """
    measured = num(row.get("measured"))
    lo, hi = num(row.get("lower")), num(row.get("upper"))
    if lo is None and hi is None:
        lo, hi = parse_bounds(row.get("requirement"))
    if measured is None or (lo is None and hi is None):
        return None, ""
    if lo is not None and hi is not None:
        bounds = f"{lo:g}–{hi:g}"
    else:
        bounds = f"≥{lo:g}" if lo is not None else f"≤{hi:g}"
    return check_result({"measured": measured, "lower": lo, "upper": hi}), bounds


@rule(SITE)
def check_result_mismatch(ctx: Context) -> Iterator[Finding]:
    for row in ctx.rows("checks"):
        result = text(row.get("result"))
        if result not in (OK, NOT_OK):
            continue  # empty (see site-conclusion-unsupported) or 不适用 (the user's call)
        expected, bounds = computed_result(row)
        if expected is not None and expected != result:
            yield ctx.at_row(CHECK_RESULT_MISMATCH, "checks", row, "result", expected=expected, bounds=bounds,
                             measured=num(row.get("measured")))


@rule(SITE)
def remedy_missing(ctx: Context) -> Iterator[Finding]:
    for row in ctx.rows("checks"):
        if text(row.get("result")) != NOT_OK:
            continue
        for key in ("remedy", "remedy_due"):
            if blank(row.get(key)):
                yield ctx.at_row(REMEDY_MISSING, "checks", row, key)


@rule(SITE)
def site_conclusion_unsupported(ctx: Context) -> Iterator[Finding]:
    """具备 is backed by every row 符合/不适用 and by the customer's confirmation (name and date).

    One finding per cell that contradicts the conclusion, so each is marked where it is.
    """
    if ctx.text("conclusion") != READY:
        return
    for row in ctx.rows("checks"):
        result = text(row.get("result"))
        if result not in (OK, NA):
            problem = f"该项结果为「{result}」" if result else "该项未填写结果"
            problem_en = f"this item is '{result}'" if result else "this item has no result"
            yield ctx.at_row(SITE_CONCLUSION_UNSUPPORTED, "checks", row, "result",
                             problem=problem, problem_en=problem_en)
    for key in ("customer_confirmed_by", "customer_confirmed_on"):
        if blank(ctx.get(key)):
            fld = ctx.template.form.field(key)
            yield ctx.at_form(SITE_CONCLUSION_UNSUPPORTED, key, problem=f"{fld.zh}为空",
                              problem_en=f"{fld.en} is empty")


@rule(SITE)
def site_not_ready(ctx: Context) -> Iterator[Finding]:
    """Not 具备 within site_lead_days of 计划进场日期 (or after it): engineers cannot go on site."""
    entry = ctx.date("planned_entry")
    if entry is None or ctx.text("conclusion") == READY:
        return
    days = (entry - ctx.as_of).days
    if days > ctx.settings.site_lead_days:
        return
    if days >= 0:
        when, when_en = f"只剩 {days} 天", f"is only {days} days away"
    else:
        when, when_en = f"已过 {-days} 天", f"passed {-days} days ago"
    yield ctx.at_form(SITE_NOT_READY, "conclusion", value=ctx.text("conclusion") or "未填写", entry=entry,
                      when=when, when_en=when_en)
