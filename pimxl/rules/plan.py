"""Rules of the project plan (项目计划书, SPEC §2.2)."""

from __future__ import annotations

from collections.abc import Iterator

from ..findings import Code, Finding, Severity
from ..records import Row
from ..schema import FieldType
from ..templates import vocab
from .common import future_actuals
from .context import Context, ref, rule, with_related
from .values import MONEY_TOL, as_date, blank, coerce, is_complete_pct, num, text, wbs_parent, wbs_valid

__all__ = ["computed_risk_level", "wbs_index"]

E, W = Severity.ERROR, Severity.WARNING
PLAN = "project-plan"
DONE, CANCELLED, CLOSED = "已完成", "取消", "已关闭"
MANAGEMENT_RESERVE = "管理储备"

DATE_ORDER = Code(
    "date-order", E,
    "{where}{label} {value} 早于{start_label} {start}；结束日期不能早于开始日期，请核对这两个日期。",
    "{where_en}{label_en} {value} is before {start_label_en} {start}; a finish cannot precede its start.",
)
ACTUAL_FINISH_WITHOUT_START = Code(
    "actual-finish-without-start", E,
    "{where}已填写实际完成日期 {finish}，但{label}为空；请补填实际开始日期。",
    "{where_en}actual finish {finish} is given but {label_en} is empty; fill in the actual start.",
)
COMPLETE_STATUS_MISMATCH = Code(
    "complete-status-mismatch", E,
    "{where}完成情况不一致（{detail}）：{rule}，三者应一致。请核对「{label}」。",
    "{where_en}completion does not agree ({detail_en}): {rule_en} must agree. Check '{label_en}'.",
)
PREDECESSOR_ORDER = Code(
    "predecessor-order", E,
    "{where}{label} {value} 早于前置任务 {pred} 的{pred_label} {pred_finish}（完成-开始关系）；"
    "请推迟本任务或调整前置任务。",
    "{where_en}{label_en} {value} is before predecessor {pred}'s {pred_label_en} {pred_finish} "
    "(finish-to-start); move this task or its predecessor.",
)
PREDECESSOR_UNKNOWN = Code(
    "predecessor-unknown", E,
    "{where}前置任务「{value}」不是本计划中其他任务的 WBS 编码；请填写存在的 WBS 编码。",
    "{where_en}predecessor '{value}' is not the WBS code of another task in this plan; use an existing code.",
)
WBS_CODE_INVALID = Code(
    "wbs-code-invalid", E,
    "{where}WBS编码「{value}」格式不对，应为 1、1.2、1.2.3 这样以点分隔的数字。",
    "{where_en}WBS code '{value}' is malformed; use dot-separated numbers such as 1, 1.2, 1.2.3.",
)
WBS_PARENT_MISSING = Code(
    "wbs-parent-missing", E,
    "{where}WBS编码「{value}」的上级任务「{parent}」不存在；请补上上级任务或更正编码。",
    "{where_en}the parent '{parent}' of WBS code '{value}' does not exist; add it or fix the code.",
)
RISK_HIGH_INCOMPLETE = Code(
    "risk-high-incomplete", E,
    "{where}高风险（风险值 {score}）缺少{label}；高风险必须有责任人、应对措施和应对期限。",
    "{where_en}a high risk (score {score}) has no {label_en}; a high risk needs an owner, a response and a deadline.",
)
RISK_OVERDUE = Code(
    "risk-overdue", W,
    "{where}风险仍为开放状态，应对期限 {value} 已过 {days} 天；请落实应对措施并关闭风险，或更新期限。",
    "{where_en}the risk is still open {days} days after its response deadline {value}; act on it, close it "
    "or set a new deadline.",
)
RISK_LEVEL_MISMATCH = Code(
    "risk-level-mismatch", W,
    "{where}{label}「{value}」与概率×影响计算结果「{expected}」不一致（公式可能被覆盖）；请恢复公式或更正。",
    "{where_en}{label_en} '{value}' disagrees with probability × impact, which gives '{expected}' "
    "(the formula may have been overwritten).",
)
BUDGET_OVER_CONTRACT = Code(
    "budget-over-contract", W,
    "除管理储备外的预算合计 {total} 元超过合同金额 {contract} 元；请核对预算或合同金额。",
    "The budget excluding management reserve totals {total}, more than the contract amount {contract}.",
)
MILESTONE_OVERDUE = Code(
    "milestone-overdue", W,
    "{where}里程碑计划日期 {value} 已过 {days} 天，尚无实际日期；请更新实际日期和状态，或通过调整确认表调整计划。",
    "{where_en}milestone planned for {value} is {days} days overdue with no actual date; update it or "
    "adjust the plan through an adjustment form.",
)
TASK_OVERDUE = Code(
    "task-overdue", W,
    "{where}任务计划完成日期 {value} 已过 {days} 天，尚未完成；请更新进度，或通过调整确认表调整计划。",
    "{where_en}the task was planned to finish on {value}, {days} days ago, and is not complete; update its "
    "progress or adjust the plan.",
)


def _pairs(ctx: Context) -> Iterator[tuple[str, Row | None, str, str]]:
    """(section, row or None for the form, start key, finish key) for every start/finish pair."""
    yield "info", None, "planned_start", "planned_finish"
    for row in ctx.rows("wbs"):
        yield "wbs", row, "planned_start", "planned_finish"
        yield "wbs", row, "actual_start", "actual_finish"
    for row in ctx.rows("resources"):
        yield "resources", row, "start", "finish"


@rule(PLAN)
def date_order(ctx: Context) -> Iterator[Finding]:
    for section, row, start_key, finish_key in _pairs(ctx):
        src = row if row is not None else ctx.record
        start, finish = as_date(src.get(start_key)), as_date(src.get(finish_key))
        if start is None or finish is None or finish >= start:
            continue
        decl = ctx.template.form.field(start_key) if row is None else ctx.template.table(section).column(start_key)
        params = {"start": start, "start_label": decl.zh, "start_label_en": decl.en}
        if row is None:
            yield ctx.at_form(DATE_ORDER, finish_key, **params)
        else:
            yield ctx.at_row(DATE_ORDER, section, row, finish_key, **params)


@rule(PLAN)
def actual_finish_without_start(ctx: Context) -> Iterator[Finding]:
    for row in ctx.rows("wbs"):
        finish = as_date(row.get("actual_finish"))
        start = row.cells.get("actual_start")
        # Something typed that could not be read (an ambiguous date…) has its own finding; it is not empty.
        if start is not None and start.value is None and not blank(start.raw):
            continue
        if finish is not None and blank(row.get("actual_start")):
            # Point at the empty actual start: that is the cell to fill in.
            yield ctx.at_row(ACTUAL_FINISH_WITHOUT_START, "wbs", row, "actual_start", finish=finish)


@rule(PLAN)
def complete_status_mismatch(ctx: Context) -> Iterator[Finding]:
    """完成% = 100 % ⇔ 状态 已完成 ⇔ 实际完成 given (tasks); 状态 已完成 ⇔ 实际日期 given (milestones).

    The finding points at the odd one out: the single signal that says "complete" when the others
    do not, or the single one that does not when the others do.
    """
    for row in ctx.rows("wbs"):
        status = text(row.get("status"))
        if status == CANCELLED:
            continue
        signals = {
            "percent_complete": is_complete_pct(row.get("percent_complete")),
            "status": status == DONE,
            "actual_finish": as_date(row.get("actual_finish")) is not None,
        }
        if len(set(signals.values())) == 1:
            continue
        complete = sum(signals.values())
        odd = next(k for k, v in signals.items() if v == (complete == 1))
        pct = num(row.get("percent_complete"))
        detail = (f"完成% 为 {'空' if pct is None else f'{pct:.0%}'}、状态为「{status or '空'}」、"
                  f"实际完成{'已填写' if signals['actual_finish'] else '为空'}")
        detail_en = (f"% complete {'empty' if pct is None else f'{pct:.0%}'}, status '{status}', "
                     f"actual finish {'given' if signals['actual_finish'] else 'empty'}")
        yield ctx.at_row(COMPLETE_STATUS_MISMATCH, "wbs", row, odd, detail=detail, detail_en=detail_en,
                         rule="完成% 为 100%、状态为“已完成”、已填实际完成日期",
                         rule_en="100 % complete, status 已完成 and an actual finish date")
    for row in ctx.rows("milestones"):
        status = text(row.get("status"))
        done, actual = status == DONE, as_date(row.get("actual_date")) is not None
        if done == actual:
            continue
        yield ctx.at_row(COMPLETE_STATUS_MISMATCH, "milestones", row, "actual_date" if done else "status",
                         detail=f"状态为「{status or '空'}」、实际日期{'已填写' if actual else '为空'}",
                         detail_en=f"status '{status}', actual date {'given' if actual else 'empty'}",
                         rule="状态为“已完成”与已填实际日期", rule_en="status 已完成 and an actual date")


@rule(PLAN)
def actual_in_future(ctx: Context) -> Iterator[Finding]:
    yield from future_actuals(ctx, "wbs", ("actual_start", "actual_finish"))
    yield from future_actuals(ctx, "milestones", ("actual_date",))


def wbs_index(ctx: Context) -> dict[str, Row]:
    """WBS rows by code (the first row of a duplicated code; duplicates are reported elsewhere).

    Built once per check (three rules use it); callers must not change it.
    """
    return ctx.once("wbs_index", lambda: _wbs_index(ctx))


def _wbs_index(ctx: Context) -> dict[str, Row]:
    index: dict[str, Row] = {}
    for row in ctx.rows("wbs"):
        code = text(row.get("wbs_code"))
        if code:
            index.setdefault(code, row)
    return index


@rule(PLAN)
def predecessors(ctx: Context) -> Iterator[Finding]:
    """Predecessors exist, and a task starts no earlier than each finish-to-start predecessor finishes.

    The task's start is its actual start if given, else its planned start; the predecessor's finish its
    actual finish if given, else its planned finish. An actual start before the predecessor's finish is
    a fact that already happened (a warning); a planned one is a plan that cannot work (an error).
    """
    index = wbs_index(ctx)
    table = ctx.template.table("wbs")
    for row in ctx.rows("wbs"):
        code = text(row.get("wbs_code"))
        preds = coerce(row.get("predecessors"), FieldType.CODES) or ()
        start_key = "actual_start" if as_date(row.get("actual_start")) else "planned_start"
        start = as_date(row.get(start_key))
        for pred in preds:
            other = index.get(pred)
            if other is None or pred == code:
                yield ctx.at_row(PREDECESSOR_UNKNOWN, "wbs", row, "predecessors", value=pred)
                continue
            finish_key = "actual_finish" if as_date(other.get("actual_finish")) else "planned_finish"
            finish = as_date(other.get(finish_key))
            if start is None or finish is None or start >= finish:
                continue
            f = ctx.at_row(PREDECESSOR_ORDER, "wbs", row, start_key, pred=pred, pred_finish=finish,
                           pred_label=table.column(finish_key).zh, pred_label_en=table.column(finish_key).en,
                           severity=W if start_key == "actual_start" else None)
            yield with_related(f, ref(ctx.record, other.cell(finish_key)))


@rule(PLAN)
def wbs_codes(ctx: Context) -> Iterator[Finding]:
    index = wbs_index(ctx)
    for row in ctx.rows("wbs"):
        code = text(row.get("wbs_code"))
        if not code:
            continue
        if not wbs_valid(code):
            yield ctx.at_row(WBS_CODE_INVALID, "wbs", row, "wbs_code", value=code)
        elif (parent := wbs_parent(code)) is not None and parent not in index:
            yield ctx.at_row(WBS_PARENT_MISSING, "wbs", row, "wbs_code", value=code, parent=parent)


def computed_risk_level(ctx: Context, row: Row) -> tuple[float | None, str | None]:
    """风险值 and 等级 from 概率 × 影响 and the configured matrix — never the cached cells."""
    p, i = num(row.get("probability")), num(row.get("impact"))
    if p is None or i is None:
        return None, None
    score = round(p * i, 4)
    return score, vocab.risk_level(score, ctx.settings.risk_high, ctx.settings.risk_medium)


def _open(row: Row) -> bool:
    return text(row.get("status")) != CLOSED


@rule(PLAN)
def risk_high_incomplete(ctx: Context) -> Iterator[Finding]:
    for row in ctx.rows("risks"):
        score, level = computed_risk_level(ctx, row)
        if level != "高" or not _open(row):
            continue
        for key in ("owner", "response", "due"):
            if blank(row.get(key)):
                yield ctx.at_row(RISK_HIGH_INCOMPLETE, "risks", row, key, score=score)


@rule(PLAN)
def risk_overdue(ctx: Context) -> Iterator[Finding]:
    for row in ctx.rows("risks"):
        due = as_date(row.get("due"))
        if due is not None and due < ctx.as_of and _open(row):
            yield ctx.at_row(RISK_OVERDUE, "risks", row, "due", days=(ctx.as_of - due).days)


@rule(PLAN)
def risk_level_mismatch(ctx: Context) -> Iterator[Finding]:
    for row in ctx.rows("risks"):
        score, level = computed_risk_level(ctx, row)
        if score is None:
            continue
        cached_score = num(row.get("score"))
        if cached_score is not None and abs(cached_score - score) > 1e-4:
            yield ctx.at_row(RISK_LEVEL_MISMATCH, "risks", row, "score", expected=score)
        cached_level = text(row.get("level"))
        if cached_level and cached_level != level:
            yield ctx.at_row(RISK_LEVEL_MISMATCH, "risks", row, "level", expected=level)


@rule(PLAN)
def budget_over_contract(ctx: Context) -> Iterator[Finding]:
    contract = ctx.num("contract_amount")
    counted = [r for r in ctx.rows("budget")
               if text(r.get("item")) != MANAGEMENT_RESERVE and num(r.get("budget")) is not None]
    if contract is None or not counted:
        return
    total = round(sum(num(r.get("budget")) or 0.0 for r in counted), 2)
    if total > contract + MONEY_TOL:
        # Anchored at the last counted budget cell (where a total would go); the contract amount is related.
        f = ctx.at_row(BUDGET_OVER_CONTRACT, "budget", counted[-1], "budget", total=total, contract=contract)
        yield with_related(f, ref(ctx.record, ctx.record.cell("contract_amount")))


@rule(PLAN)
def milestone_overdue(ctx: Context) -> Iterator[Finding]:
    for row in ctx.rows("milestones"):
        planned = as_date(row.get("planned_date"))
        if (planned is not None and planned < ctx.as_of and as_date(row.get("actual_date")) is None
                and text(row.get("status")) != DONE):
            yield ctx.at_row(MILESTONE_OVERDUE, "milestones", row, "planned_date", days=(ctx.as_of - planned).days)


@rule(PLAN)
def task_overdue(ctx: Context) -> Iterator[Finding]:
    """Leaf tasks only: a summary task is late exactly when one of its children is, and that is reported."""
    # A code is a parent when another code starts with it and a dot: every such prefix, collected once.
    parents = {c[:i] for c in wbs_index(ctx) for i, ch in enumerate(c) if ch == "."}
    for row in ctx.rows("wbs"):
        code = text(row.get("wbs_code"))
        if code and code in parents:
            continue
        planned = as_date(row.get("planned_finish"))
        if (planned is None or planned >= ctx.as_of or text(row.get("status")) in (DONE, CANCELLED)
                or as_date(row.get("actual_finish")) is not None or is_complete_pct(row.get("percent_complete"))):
            continue
        yield ctx.at_row(TASK_OVERDUE, "wbs", row, "planned_finish", days=(ctx.as_of - planned).days)
