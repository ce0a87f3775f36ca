"""项目经理待办: one workbook per project manager — "what do I update now?".

A project belongs to the project manager its header names (the plan's, else the first workbook's); a
contract table's staleness goes to the project manager that table names. Names are resolved by the roster.

Sheets:

* **待办** — the totals, and the person's projects with stage, RAG and why;
* **表格** — forms to update or add, each with a link to its file:
  *过期* — a 合同进程表 whose 最后更新日期 is more than ``stale_days`` (pimxl.toml, default 7) old, or missing;
  *缺少* — no 项目计划书; no 合同进程表; no 用户场地环境确认表 although 安装调试 is planned within
  ``SITE_FORM_DAYS`` (14) days (or is past due) and not done;
  *姓名未登记* — with a roster in pimxl.toml, every name in the project's headers that it does not know
  (project manager, sales person, sales manager on an adjustment form): the PM fixes the spelling or asks
  for the roster to be extended;
* **逾期** — the summary's 逾期 rows of these projects;
* **待修正** — every error and warning of these projects' files, linked to its cell (infos are left out);
* **待签字调整** — pending adjustment forms and which internal signature each still lacks.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from ..findings import Severity
from .model import Project, RollupModel
from .roster import Roster
from .sheetspec import Kpi, SheetSpec, Summary
from .views import PM, View, cols, link, rag, rag_note, short_why, view_file_name, widen

__all__ = ["SITE_FORM_DAYS", "form_rows", "pm_views"]

#: A site form must exist this many days before 安装调试's planned date.
SITE_FORM_DAYS = 14
INSTALL_STAGE = "安装调试"
STALE, MISSING, UNKNOWN = "过期", "缺少", "姓名未登记"


def pm_views(model: RollupModel, roster: Roster, lang: str) -> list[View]:
    mine: dict[str, list[Project]] = defaultdict(list)
    for p in model.projects.values():
        mine[roster.resolve(p.project_manager)].append(p)
    # A contract table naming another PM: its staleness is theirs (they keep that table).
    tables: dict[str, list[Any]] = defaultdict(list)
    for c in model.contracts:
        tables[roster.resolve(c.project_manager)].append(c)
    return [_view(model, person, mine.get(person, []), tables.get(person, []), roster, lang)
            for person in sorted(set(mine) | set(tables))]


def form_rows(model: RollupModel, projects: list[Project], contracts: list[Any], roster: Roster) -> list[dict]:
    """The 表格 sheet's rows: stale tables, missing forms, unknown names."""
    s, as_of = model.settings, model.as_of
    rows: list[dict[str, Any]] = []

    def add(p_id: str, issue: str, form: str, text: str, days: int | None, path: str) -> None:
        name = model.projects[p_id].project_name if p_id in model.projects else ""
        rows.append({"project_id": p_id, "project_name": name, "issue": issue, "form": form, "detail": text,
                     "days": days, "file": link(path.rsplit("/", 1)[-1] or path, path)})

    for c in contracts:
        if c.stale_days is None:
            add(c.project_id, STALE, "合同进程表", f"{c.contract_no} 未填写最后更新日期", None, c.path)
        elif c.stale_days > s.stale_days:
            add(c.project_id, STALE, "合同进程表", f"{c.contract_no} {c.stale_days} 天未更新（最后更新 {c.last_updated}）",
                c.stale_days, c.path)
    for p in projects:
        anywhere = p.plan_path or (p.files[0] if p.files else "")
        if not p.plan_path:
            add(p.project_id, MISSING, "项目计划书", "没有项目计划书", None, anywhere)
        if not p.contracts:
            add(p.project_id, MISSING, "合同进程表", "没有合同进程表", None, anywhere)
        installs = [st for c in p.contracts for st in c.stages
                    if st.stage == INSTALL_STAGE and st.applicable and not st.done and st.planned]
        soon = min((st.planned for st in installs if st.planned), default=None)
        if not p.sites and soon is not None and (soon - as_of).days <= SITE_FORM_DAYS:
            days = (soon - as_of).days
            when = f"{days} 天后" if days >= 0 else f"已过 {-days} 天"
            add(p.project_id, MISSING, "用户场地环境确认表", f"安装调试计划 {soon}（{when}），尚无场地环境确认表",
                days, anywhere)
        if roster.active:
            named = [("项目经理", p.project_manager, anywhere), ("销售人员", p.sales_rep, anywhere)]
            named += [("项目经理", c.project_manager, c.path) for c in p.contracts]
            named += [("销售人员", c.sales_rep, c.path) for c in p.contracts]
            named += [("销售经理", a.sales_name, a.path) for a in p.adjustments if a.sales_name]
            seen: set[tuple[str, str]] = set()
            for role, name, path in named:
                if name and not roster.known(name) and (role, name) not in seen:
                    seen.add((role, name))
                    add(p.project_id, UNKNOWN, role, f"{role}“{name}”不在 pimxl.toml 名单中", None, path)
    return rows


def _view(model: RollupModel, person: str, projects: list[Project], contracts: list[Any], roster: Roster,
          lang: str) -> View:
    as_of, en = model.as_of, lang == "en"
    ids = {p.project_id for p in projects}
    names = {p.project_id: p.project_name for p in model.projects.values()}
    forms = form_rows(model, projects, contracts, roster)
    overdue = [o for o in model.overdue if o.project_id in ids]
    findings = sorted((f for f in model.findings if f.project_id in ids and f.severity in ("error", "warning")),
                      key=lambda f: (f.severity != "error", f.path, f.sheet, f.cell))
    adjs = sorted((a for p in projects for a in p.adjustments if a.pending),
                  key=lambda a: (-a.pending_days, a.project_id, a.adjustment_no))
    count = {k: sum(r["issue"] == k for r in forms) for k in (STALE, MISSING, UNKNOWN)}
    errors = sum(f.severity == "error" for f in findings)
    kpis = [
        Kpi("projects", "负责项目", "Projects", len(projects)),
        Kpi("stale", "过期表格", "Stale tables", count[STALE]),
        Kpi("missing", "缺少表格", "Missing forms", count[MISSING]),
        Kpi("overdue", "逾期事项", "Overdue items", len(overdue)),
        Kpi("errors", "待修正错误", "Errors to fix", errors),
        Kpi("warnings", "待修正警告", "Warnings to fix", len(findings) - errors),
        Kpi("adjustments", "待签字调整", "Adjustments to sign", len(adjs)),
        Kpi("unknown", "姓名未登记", "Unknown names", count[UNKNOWN]),
    ]
    title = f"{PM}　{person}" if not en else f"Project manager to-do — {person}"
    note = rag_note(model, lang)
    if not roster.known(person):
        note = ("此姓名不在 pimxl.toml 名单中。" if not en else "The roster in pimxl.toml does not know this name. ") + note
    # The file's name is enough to read; the link holds its path.
    finding_rows = [{
        "severity": Severity(f.severity).label(lang), "code": f.code, "project_id": f.project_id,
        "file": link(f.path.rsplit("/", 1)[-1], f.path), "address": link(f.address, f.path, f.address) if f.address else "",
        "field": f.field, "value": f.value, "message": f.message_en if en else f.message_zh} for f in findings]
    project_rows = [{
        "project_id": link(p.project_id, p.plan_path or (p.files[0] if p.files else "")),
        "project_name": p.project_name, "customer": p.customer, "current_stage": p.current_stage or "未开始",
        "phase": p.phase, "rag": rag(p.rag, lang), "reasons": short_why(p.reasons, lang),
    } for p in projects]
    summary = Summary(as_of=as_of, title=title, kpis=kpis, sheets=[
        SheetSpec("overview", "待办", title, widen(cols(
            ("project_id", "项目编号", "Project ID", "link"), ("project_name", "项目名称", "Project", "text"),
            ("customer", "客户名称", "Customer", "text"), ("current_stage", "合同阶段", "Contract stage", "text"),
            ("phase", "计划当前阶段", "Phase", "text"), ("rag", "RAG", "RAG", "rag"), ("reasons", "原因", "Why", "text")),
            project_rows, "reasons"), project_rows, note),
        SheetSpec("forms", "表格", "需更新或补充的表格" if not en else "Forms to update or add", widen(cols(
            ("project_id", "项目编号", "Project ID", "text"), ("project_name", "项目名称", "Project", "text"),
            ("issue", "问题", "Issue", "text"), ("form", "表格/角色", "Form / role", "text"),
            ("detail", "说明", "Detail", "text"), ("days", "天数", "Days", "int"), ("file", "文件", "File", "link")),
            forms, "detail"), forms, f"过期=超过 {model.settings.stale_days} 天未更新；缺少场地表=安装调试计划在 {SITE_FORM_DAYS} 天内仍无场地环境确认表。"),
        SheetSpec("overdue", "逾期", "逾期事项" if not en else "Overdue items", cols(
            ("kind", "类别", "Kind", "text"), ("project_id", "项目编号", "Project ID", "text"),
            ("project_name", "项目名称", "Project", "text"), ("contract_no", "合同编号", "Contract no.", "text"),
            ("item", "事项", "Item", "link"), ("due_date", "计划/到期日期", "Due", "date"),
            ("days", "逾期天数", "Days overdue", "days"), ("owner", "负责人", "Owner", "text"),
            ("amount", "逾期应收", "Overdue amount", "money")),
            [{"kind": o.kind_zh, "project_id": o.project_id, "project_name": names.get(o.project_id, ""),
              "contract_no": o.contract_no, "item": link(o.item, o.path, o.cell), "due_date": o.due_date,
              "days": o.days, "owner": o.owner, "amount": o.amount} for o in overdue]),
        SheetSpec("findings", "待修正", "待修正的单元格" if not en else "Cells to fix", widen(cols(
            ("severity", "级别", "Severity", "severity"), ("project_id", "项目编号", "Project ID", "text"),
            ("file", "文件", "File", "link"), ("address", "单元格", "Cell", "link"), ("field", "字段", "Field", "text"),
            ("value", "值", "Value", "text"), ("message", "说明", "Message", "text"), ("code", "代码", "Code", "text")),
            finding_rows, "message"), finding_rows, "错误在前；点击单元格打开源文件的该单元格。"),
        SheetSpec("adjustments", "待签字调整", "待签字的调整" if not en else "Adjustments awaiting signatures", cols(
            ("project_id", "项目编号", "Project ID", "text"), ("adjustment_no", "调整单号", "Adjustment no.", "link"),
            ("content", "调整内容", "Content", "text"), ("requested_on", "申请日期", "Requested on", "date"),
            ("pending_days", "待审批天数", "Days pending", "days"), ("missing", "缺少签字", "Missing signatures", "text"),
            ("sales_name", "销售经理", "Sales manager", "text")),
            [{"project_id": a.project_id, "adjustment_no": link(a.adjustment_no or "（无单号）", a.path, a.cell),
              "content": a.content, "requested_on": a.requested_on, "pending_days": a.pending_days,
              "missing": "、".join(x for x, signed in (("销售经理", a.sales_signed_on),
                                                      ("客服中心部门经理", a.manager_signed_on)) if signed is None),
              "sales_name": a.sales_name} for a in adjs]),
    ])
    return View(PM, person, view_file_name(PM, as_of, person), summary, unknown_name=not roster.known(person),
                counts={"projects": len(projects), "forms": len(forms), "overdue": len(overdue),
                        "findings": len(findings)})
