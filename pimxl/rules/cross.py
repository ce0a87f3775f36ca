"""Cross-workbook rules among the workbooks of one project folder (SPEC §2.2–§2.5, issue 3).

Each finding points at one cell and names every other cell involved in ``related``.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from ..findings import Code, Finding, Severity
from ..records import Row, WorkbookRecord
from ..schema import Field, FieldType, Table
from ..templates import TEMPLATES
from .adjustment import APPROVED
from .context import Context, Project, project_rule, ref, with_related
from .site import READY
from .values import MONEY_TOL, as_date, blank, coerce, num, same, text

__all__ = ["Target", "approval_order", "find_target", "map_field", "values_agree"]

E, W, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO
PLAN, CONTRACT, SITE, ADJ = "project-plan", "contract-progress", "site-environment", "adjustment"
#: Which record's value wins a tie in header-mismatch (the one people treat as the source).
PRIORITY = (CONTRACT, PLAN, SITE, ADJ)
HEADER_KEYS = ("project_id", "contract_no", "customer", "contract_amount")
INSTALL_STAGE = "安装调试"
FINAL_STAGES = ("系统终验", "项目结项")

HEADER_MISMATCH = Code(
    "header-mismatch", E,
    "{label}「{value}」与本项目其他表格不一致（{others} 中为「{expected}」）；同一项目各表的{label}必须一致，请更正。",
    "{label_en} '{value}' differs from the project's other workbooks ({others}: '{expected}'); it must be the "
    "same in every workbook of the project.",
)
PLAN_OUTSIDE_CONTRACT = Code(
    "plan-outside-contract", W,
    "{label} {value} {why}（见合同进程表 {contract_file}）；计划应在合同签订与终验/结项之间，请核对计划或合同进程表。",
    "{label_en} {value} {why_en} (see contract progress {contract_file}); the plan should lie between signing "
    "and final acceptance/closing.",
)
ADJUSTMENT_ITEM_UNKNOWN = Code(
    "adjustment-item-unknown", E,
    "{where}调整项「{value}」在本项目的计划（WBS 编码、里程碑）和合同进程表（阶段、收款节点）中都找不到；"
    "请填写存在的 WBS 编码、里程碑名称或收款节点。",
    "{where_en}item '{value}' is not a WBS code, milestone, stage or payment node of this project; name an "
    "existing one.",
)
ADJUSTMENT_FIELD_UNKNOWN = Code(
    "adjustment-field-unknown", INFO,
    "{where}调整字段「{value}」不是「{item}」所在表（{table}）的列，pimxl 无法核对或自动应用该调整；"
    "请使用列名，如 {columns}。",
    "{where_en}field '{value}' is not a column of '{item}''s table ({table}); pimxl cannot check or apply it. "
    "Use a column name such as {columns}.",
)
ADJUSTMENT_NOT_APPLIED = Code(
    "adjustment-not-applied", W,
    "{where}{label}为 {value}，但已批准的调整单 {adjustment_no} 将其调整为 {after}；请把调整写入计划（pimxl adjust）。",
    "{where_en}{label_en} is {value}, but approved adjustment {adjustment_no} changed it to {after}; apply "
    "the adjustment (pimxl adjust).",
)
ADJUSTMENT_NO_DUPLICATE = Code(
    "adjustment-no-duplicate", E,
    "调整单号「{value}」在本项目中重复（另见 {others}）；每份调整确认表须有唯一的调整单号，请重新编号。",
    "Adjustment no. '{value}' is used more than once in this project (also {others}); number each form uniquely.",
)
SITE_NOT_READY_FOR_INSTALL = Code(
    "site-not-ready-for-install", W,
    "场地结论为「{value}」，而合同进程表中“安装调试”计划于 {install}（{when}）；请确认场地能否按时具备，"
    "或调整安装计划。",
    "The site is '{value}' while installation is planned for {install} ({when_en}) in the contract progress "
    "table; make sure the site is ready in time or move the installation.",
)
PROJECT_FORM_MISSING = Code(
    "project-form-missing", INFO,
    "项目 {project} 的文件夹中没有{form}；请补充（pimxl new 可生成）。",
    "Project {project} has no {form_en} in its folder; add one (pimxl new creates it).",
)


def _ctx(project: Project, record: WorkbookRecord) -> Context:
    return Context(record, TEMPLATES[record.template_id], project.as_of, project.settings)


def _name(record: WorkbookRecord) -> str:
    return Path(record.path).name or record.path


# -- header-mismatch ------------------------------------------------------------------------------

def _header_norm(key: str, value: Any) -> Any:
    if key == "contract_amount":
        n = num(value)
        return None if n is None else round(n, 2)
    return text(value) or None


@project_rule
def header_mismatch(project: Project) -> Iterator[Finding]:
    """project_id, contract_no, customer and contract_amount agree among all workbooks of the project.

    The reference is the value most workbooks hold (a tie goes to the contract table, then the plan);
    each workbook that differs gets one finding at its cell naming every other cell.
    """
    for key in HEADER_KEYS:
        holders = [(r, _header_norm(key, r.get(key))) for r in project.records if key in r.form]
        holders = [(r, v) for r, v in holders if v is not None]
        counts = Counter(v for _, v in holders)
        if len(counts) < 2:
            continue
        rank = {tid: i for i, tid in enumerate(PRIORITY)}
        best = max(counts.values())
        expected = min((v for v in counts if counts[v] == best),
                       key=lambda v: min(rank.get(r.template_id, 9) for r, x in holders if x == v))
        for record, value in holders:
            if value == expected or (key == "contract_amount" and same(value, expected, MONEY_TOL)):
                continue
            others = [r for r, v in holders if r is not record]
            f = _ctx(project, record).at_form(
                HEADER_MISMATCH, key, expected=expected,
                others="、".join(_name(r) for r, v in holders if v == expected))
            yield with_related(f, *(ref(r, r.cell(key)) for r in others))


# -- plan-outside-contract ------------------------------------------------------------------------

def _stage(record: WorkbookRecord, name: str) -> Row | None:
    return next((r for r in record.rows("stages") if text(r.get("stage")) == name), None)


@project_rule
def plan_outside_contract(project: Project) -> Iterator[Finding]:
    """The plan's 计划开始 is not before 签订日期; its 计划完成 not after the contract's last planned stage.

    The upper bound is the later planned date of 系统终验 and 项目结项: the standard plan ends with the
    closing tasks (付款资料, 归档) that follow final acceptance, and those are part of the contract too.
    """
    for plan in project.of(PLAN):
        ctx = _ctx(project, plan)
        start, finish = as_date(plan.get("planned_start")), as_date(plan.get("planned_finish"))
        for contract in project.of(CONTRACT):
            signed = as_date(contract.get("signed_on"))
            if start is not None and signed is not None and start < signed:
                f = ctx.at_form(PLAN_OUTSIDE_CONTRACT, "planned_start", contract_file=_name(contract),
                                why=f"早于合同签订日期 {signed}", why_en=f"is before the contract signing {signed}")
                yield with_related(f, ref(contract, contract.cell("signed_on")))
            ends = [(d, row) for row in (_stage(contract, s) for s in FINAL_STAGES) if row is not None
                    and (d := as_date(row.get("planned_date"))) is not None]
            if finish is None or not ends:
                continue
            end, row = max(ends, key=lambda e: e[0])
            if finish > end:
                stage = text(row.get("stage"))
                f = ctx.at_form(PLAN_OUTSIDE_CONTRACT, "planned_finish", contract_file=_name(contract),
                                why=f"晚于合同“{stage}”计划日期 {end}",
                                why_en=f"is after the contract's planned {stage} {end}")
                yield with_related(f, ref(contract, row.cell("planned_date")))


# -- adjustments ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Target:
    """What an adjustment item names: a row of a plan or contract table."""

    record: WorkbookRecord
    table: Table
    row: Row


_LEADING_CODE = re.compile(r"^(\d+(?:\.\d+)*)(?:\s|$)")


def find_target(project: Project, item: str) -> Target | None:
    """The WBS row (by code, also ``1.2 任务名``), milestone, contract stage or payment node an item names."""
    item = text(item)
    m = _LEADING_CODE.match(item)
    code = m.group(1) if m else None
    lookups = [(PLAN, "wbs", "wbs_code", code or item), (PLAN, "milestones", "milestone", item),
               (CONTRACT, "payments", "node", item), (CONTRACT, "stages", "stage", item)]
    for template_id, table_key, key, wanted in lookups:
        for record in project.of(template_id):
            for row in record.rows(table_key):
                if text(row.get(key)) == wanted:
                    return Target(record, TEMPLATES[template_id].table(table_key), row)
    return None


def _norm_label(label: str) -> str:
    return text(label).replace(" ", "").lower().removesuffix("日期")


def map_field(table: Table, label: Any) -> Field | None:
    """An adjustment's 调整字段 (``计划完成``, ``计划完成日期``, ``planned finish``, ``金额``…) as a column."""
    wanted = _norm_label(text(label))
    if not wanted:
        return None
    for col in table.columns:
        if wanted in {_norm_label(col.zh), _norm_label(col.en), col.key.lower()}:
            return col
    # A milestone or stage has one planned and one actual date: 计划完成 / 计划开始 mean that date.
    keys = {c.key: c for c in table.columns}
    if "计划" in wanted and "planned_date" in keys:
        return keys["planned_date"]
    if "实际" in wanted and "actual_date" in keys:
        return keys["actual_date"]
    return None


def values_agree(current: Any, after: Any, col: Field) -> bool:
    if col.type in (FieldType.MONEY, FieldType.NUMBER, FieldType.INTEGER):
        return same(num(current), num(after), MONEY_TOL)
    if col.type is FieldType.PERCENT:
        return same(num(current), num(after), 1e-4)
    if col.type is FieldType.DATE:
        return as_date(current) == after
    if col.type is FieldType.CODES:
        return coerce(current, col.type) == after
    return text(current) == text(after)


def _item_rows(record: WorkbookRecord) -> Iterator[Row]:
    return (r for r in record.rows("items") if not r.is_empty() and not blank(r.get("item")))


@project_rule
def adjustment_items(project: Project) -> Iterator[Finding]:
    """Every 调整项 names something of the plan or contract, and its 调整字段 a column there."""
    if not project.of(PLAN) and not project.of(CONTRACT):
        return  # nothing to look in; project-form-missing says so
    for adj in project.of(ADJ):
        ctx = _ctx(project, adj)
        for row in _item_rows(adj):
            target = find_target(project, row.get("item"))
            if target is None:
                yield ctx.at_row(ADJUSTMENT_ITEM_UNKNOWN, "items", row, "item")
            elif not blank(row.get("field")) and map_field(target.table, row.get("field")) is None:
                yield ctx.at_row(ADJUSTMENT_FIELD_UNKNOWN, "items", row, "field", item=text(row.get("item")),
                                 table=target.table.zh,
                                 columns="、".join(c.zh for c in target.table.columns if not c.computed))


def approval_order(adj: WorkbookRecord) -> tuple[date, str]:
    when = as_date(adj.get("manager_signed_on")) or as_date(adj.get("requested_on")) or date.min
    return when, text(adj.get("adjustment_no"))


@project_rule
def adjustment_not_applied(project: Project) -> Iterator[Finding]:
    """An approved adjustment's 调整后 value is what the plan (or contract table) now shows.

    When several approved adjustments change the same cell, the latest approval (部门经理审批日期, else
    申请日期) is the one the plan must carry.
    """
    latest: dict[tuple[str, str, int, str], tuple[Target, Field, Any, WorkbookRecord, Row]] = {}
    approved = sorted((a for a in project.of(ADJ) if text(a.get("result")) == APPROVED), key=approval_order)
    for adj in approved:
        for row in _item_rows(adj):
            target = find_target(project, row.get("item"))
            col = map_field(target.table, row.get("field")) if target else None
            if target is None or col is None or col.computed:
                continue
            after = coerce(row.get("after"), col.type)
            if after is None:
                continue  # empty or not readable as the column's type: nothing pimxl can compare
            slot = (target.record.path, target.table.key, id(target.row), col.key)
            latest[slot] = (target, col, after, adj, row)
    for target, col, after, adj, row in latest.values():
        if values_agree(target.row.get(col.key), after, col):
            continue
        f = _ctx(project, target.record).at_row(ADJUSTMENT_NOT_APPLIED, target.table.key, target.row, col.key,
                                                after=after, adjustment_no=text(adj.get("adjustment_no")))
        yield with_related(f, ref(adj, row.cell("after")))


@project_rule
def adjustment_no_duplicate(project: Project) -> Iterator[Finding]:
    groups: dict[str, list[WorkbookRecord]] = defaultdict(list)
    for adj in project.of(ADJ):
        if no := text(adj.get("adjustment_no")):
            groups[no].append(adj)
    for records in groups.values():
        if len(records) < 2:
            continue
        for adj in records:
            others = [r for r in records if r is not adj]
            f = _ctx(project, adj).at_form(ADJUSTMENT_NO_DUPLICATE, "adjustment_no",
                                           others="、".join(_name(r) for r in others))
            yield with_related(f, *(ref(r, r.cell("adjustment_no")) for r in others))


# -- site vs installation -------------------------------------------------------------------------

@project_rule
def site_not_ready_for_install(project: Project) -> Iterator[Finding]:
    """A site not 具备 within site_lead_days of the contract's planned 安装调试 (not yet done)."""
    for contract in project.of(CONTRACT):
        stage = _stage(contract, INSTALL_STAGE)
        install = as_date(stage.get("planned_date")) if stage is not None else None
        if stage is None or install is None or as_date(stage.get("actual_date")) is not None:
            continue
        days = (install - project.as_of).days
        if days > project.settings.site_lead_days:
            continue
        when = f"还有 {days} 天" if days >= 0 else f"已过 {-days} 天"
        when_en = f"in {days} days" if days >= 0 else f"{-days} days ago"
        for site in project.of(SITE):
            conclusion = text(site.get("conclusion"))
            if conclusion == READY:
                continue
            f = _ctx(project, site).at_form(SITE_NOT_READY_FOR_INSTALL, "conclusion", value=conclusion or "未填写",
                                            install=install, when=when, when_en=when_en)
            yield with_related(f, ref(contract, stage.cell("planned_date")))


# -- completeness ---------------------------------------------------------------------------------

@project_rule
def project_form_missing(project: Project) -> Iterator[Finding]:
    """A project folder has a plan and a contract progress table (info: they may simply not exist yet)."""
    if not project.records:
        return
    anchor = min(project.records, key=lambda r: r.path)
    pid = next((text(r.get("project_id")) for r in project.records if not blank(r.get("project_id"))), "?")
    for template_id in (PLAN, CONTRACT):
        if not project.of(template_id):
            t = TEMPLATES[template_id]
            yield PROJECT_FORM_MISSING(file=anchor.path, value=pid, project=pid, form=t.zh, form_en=t.en.lower())
