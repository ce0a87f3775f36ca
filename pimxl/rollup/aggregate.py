"""FileResults → :class:`RollupModel`: group the records by project and compute every row's figures.

A project is identified by 项目编号 (project_id), a contract by 合同编号 from its contract progress table.
A project may have one plan, several contract tables, any number of adjustment and site forms. When two
files claim the same plan or contract, the one with the later 填表日期 / 最后更新日期 wins (the other is
still listed in 来源, and the validator reports the duplicate). Unreadable and skipped files appear in 来源
only; a readable record without a 项目编号 cannot be placed in a project and is left out of the figures
(its required-missing finding says why).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from ..config import Settings
from ..findings import Finding
from ..pipeline import has_record
from ..records import Row, WorkbookRecord
from ..results import FileResult
from ..rules import is_blank
from ..templates.vocab import CONTRACT_STAGES, risk_level
from .ageing import payment_row
from .model import (
    AdjustmentRow,
    Contract,
    FindingRow,
    MilestoneRow,
    OverdueItem,
    Project,
    RiskRow,
    RollupModel,
    SiteRow,
    SourceRow,
    StageRow,
    TaskRow,
)
from .rag import evaluate_project, sort_overdue

__all__ = ["build_model", "build_project", "count_findings", "model_groups", "model_pid", "to_date"]

PLAN, CONTRACT, ADJUSTMENT, SITE = "project-plan", "contract-progress", "adjustment", "site-environment"
INSTALL_STAGE = "安装调试"


def to_date(v: Any) -> date | None:
    if isinstance(v, datetime):
        return v.date()
    return v if isinstance(v, date) else None


def _text(v: Any) -> str:
    return "" if v is None else str(v).strip()


def _num(v: Any) -> float | None:
    return float(v) if isinstance(v, int | float) and not isinstance(v, bool) else None


def _addr(row: Row | WorkbookRecord, *keys: str) -> str:
    """The address of the first of ``keys`` that has a cell."""
    for k in keys:
        c = row.cell(k)
        if c is not None:
            return c.address
    return ""


def _late(planned: date | None, done: bool, as_of: date) -> int:
    return (as_of - planned).days if planned and not done and planned < as_of else 0


def build_model(
    results: Sequence[FileResult],
    as_of: date,
    settings: Settings | None = None,
    extra_findings: Iterable[Finding] = (),
    *,
    reuse: Callable[[dict[str, str]], Mapping[str, Any]] | None = None,
    key: str = "",
) -> RollupModel:
    """The whole centre. ``extra_findings`` are findings not attached to any FileResult (rare).

    ``key`` (the rules' key: as-of date and settings) signs every project with its files
    (:func:`~pimxl.rollup.reuse.group_signature`). ``reuse`` is then asked, with every project's signature, for
    the projects an earlier run of the same as-of date built from the same files (project id → an object with
    ``project`` and ``overdue``: :meth:`~pimxl.rollup.history.History.load_projects`); those are taken over as
    they were — figures, RAG, overdue items — and their records are never loaded. Such a project comes without
    its WBS tasks (a stored project keeps none); nothing after the model needs them.
    """
    from .reuse import group_signature

    settings = settings or Settings()
    model = RollupModel(as_of=as_of, settings=settings)
    for fr in results:
        model.sources.append(_source_row(fr))
        model.findings.extend(_finding_rows(fr))
    groups = model_groups(results)
    model.findings.extend(_finding_row(f, "", "") for f in extra_findings)
    if key:
        model.signatures = {pid: group_signature(groups[pid], key) for pid in sorted(groups)}
    taken = reuse(model.signatures) if reuse is not None and key else {}
    overdue: list[OverdueItem] = []
    for pid in sorted(groups):
        old = taken.get(pid)
        if old is not None:
            p = model.projects[pid] = old.project
            p.findings = {"error": 0, "warning": 0, "info": 0}  # counted again below
            overdue += old.overdue
            continue
        p, items = build_project(pid, groups[pid], as_of, settings)
        model.projects[pid] = p
        overdue += items
    count_findings(model.projects, results)
    model.overdue = sort_overdue(overdue)
    return model


def model_groups(results: Iterable[FileResult]) -> dict[str, list[FileResult]]:
    """The readable results with a 项目编号, by 项目编号: the files each project is built from."""
    groups: dict[str, list[FileResult]] = defaultdict(list)
    for fr in results:
        if fr.status in ("unreadable", "skipped") or not has_record(fr):
            continue
        pid = model_pid(fr)
        if pid:
            groups[pid].append(fr)
    return groups


def build_project(pid: str, members: Iterable[FileResult], as_of: date, settings: Settings,
                  ) -> tuple[Project, list[OverdueItem]]:
    """One project from its files' records, rated (RAG and reasons), with its overdue items."""
    records: dict[str, list[WorkbookRecord]] = defaultdict(list)
    for fr in members:
        record = fr.record
        assert record is not None  # model_groups keeps the results with a record only
        records[record.template_id].append(record)
    p = _project(pid, records, as_of, settings)
    return p, evaluate_project(p, settings)


def count_findings(projects: Mapping[str, Project], results: Iterable[FileResult]) -> None:
    """Add every finding of a file to the counts of the project whose 项目编号 the file gives (its 问题 row's)."""
    for fr in results:
        p = projects.get(fr.project_id)
        if p is not None:
            for f in fr.findings:
                p.findings[f.severity.value] = p.findings.get(f.severity.value, 0) + 1


def model_pid(fr: FileResult) -> str:
    """The 项目编号 a file's record is grouped by (its text, stripped)."""
    known = fr.__dict__.get("model_pid")
    if known is not None:
        return known
    assert fr.record is not None  # asked of results with a record only
    return _text(fr.record.get("project_id"))


# ---------------------------------------------------------------- sources and findings

def _source_row(fr: FileResult) -> SourceRow:
    sev = [f.severity.value for f in fr.findings]
    return SourceRow(
        path=fr.path, kind=fr.kind, template_id=fr.template_id, version=fr.version, project_id=fr.project_id,
        status=fr.status, code=fr.code, reason_zh=fr.reason_zh, reason_en=fr.reason_en,
        errors=sev.count("error") + (fr.status == "unreadable"), warnings=sev.count("warning"),
        infos=sev.count("info"),
    )


def _finding_row(f: Finding, path: str, project_id: str) -> FindingRow:
    return FindingRow(
        path=f.file or path, project_id=project_id, code=f.code, severity=f.severity.value, sheet=f.sheet,
        cell=f.cell, address=f.address, field=f.field, value=_text(f.value) if f.value is not None else "",
        message_zh=f.message_zh, message_en=f.message_en,
    )


def _finding_rows(fr: FileResult) -> list[FindingRow]:
    rows = [_finding_row(f, fr.path, fr.project_id) for f in fr.findings]
    # An unreadable file is one error finding (SPEC §3), so it counts like one.
    if fr.status == "unreadable" and not fr.findings:
        rows.append(FindingRow(fr.path, "", fr.code or "file-unreadable", "error", "", "", "", "", "",
                               fr.reason_zh, fr.reason_en))
    return rows


# ---------------------------------------------------------------- one project

def _latest(records: list[WorkbookRecord], key: str) -> list[WorkbookRecord]:
    """Records sorted newest first by a date field (missing dates last), then by path."""
    return sorted(records, key=lambda r: (-(to_date(r.get(key)) or date.min).toordinal(), r.path))


def _project(pid: str, recs: dict[str, list[WorkbookRecord]], as_of: date, s: Settings) -> Project:
    plans = _latest(recs.get(PLAN, []), "prepared_on")
    plan = plans[0] if plans else None
    contracts: dict[str, WorkbookRecord] = {}
    for r in _latest(recs.get(CONTRACT, []), "last_updated"):
        contracts.setdefault(_text(r.get("contract_no")) or r.path, r)
    header = plan or next(r for group in recs.values() for r in group)
    p = Project(
        project_id=pid, project_name=_text(header.get("project_name")), customer=_text(header.get("customer")),
        division=_text(header.get("division")), project_manager=_text(header.get("project_manager")),
        sales_rep=_text(header.get("sales_rep")),
        files=sorted(r.path for group in recs.values() for r in group),
    )
    for no in sorted(contracts):
        p.contracts.append(_contract(no, contracts[no], p, as_of, s))
    if plan is not None:
        p.plan_path, p.phase = plan.path, _text(plan.get("current_phase"))
        p.plan_amount, p.planned_finish = _num(plan.get("contract_amount")), to_date(plan.get("planned_finish"))
        p.milestones = [_milestone(pid, r, plan.path, as_of) for r in plan.rows("milestones") if not r.is_empty()]
        p.tasks = _tasks(pid, plan, as_of)
        p.risks = [_risk(pid, r, plan.path, as_of, s) for r in plan.rows("risks") if not r.is_empty()]
    # A blank adjustment form (the copy ``pimxl new`` leaves for the next adjustment) is not an adjustment.
    p.adjustments = [_adjustment(pid, r, as_of) for r in sorted(recs.get(ADJUSTMENT, []), key=lambda r: r.path)
                     if not is_blank(r)]
    p.sites = [_site(pid, r, p.contracts, as_of, s) for r in sorted(recs.get(SITE, []), key=lambda r: r.path)]
    _progress(p, as_of)
    return p


def _contract(no: str, rec: WorkbookRecord, p: Project, as_of: date, s: Settings) -> Contract:
    updated = to_date(rec.get("last_updated"))
    c = Contract(
        contract_no=no, project_id=p.project_id,
        project_name=_text(rec.get("project_name")) or p.project_name,
        customer=_text(rec.get("customer")) or p.customer, division=_text(rec.get("division")) or p.division,
        project_manager=_text(rec.get("project_manager")) or p.project_manager,
        sales_rep=_text(rec.get("sales_rep")) or p.sales_rep, amount=round(_num(rec.get("contract_amount")) or 0.0, 2),
        signed_on=to_date(rec.get("signed_on")), last_updated=updated,
        stale_days=(as_of - updated).days if updated else None, path=rec.path,
    )
    for i, r in enumerate(x for x in rec.rows("stages") if not x.is_empty()):
        name, status, actual = _text(r.get("stage")), _text(r.get("status")), to_date(r.get("actual_date"))
        planned, done = to_date(r.get("planned_date")), status == "已完成" or actual is not None
        applicable = status != "不适用"
        c.stages.append(StageRow(
            project_id=p.project_id, contract_no=no,
            seq=CONTRACT_STAGES.index(name) if name in CONTRACT_STAGES else 100 + i, stage=name,
            planned=planned, actual=actual, status=status or ("已完成" if done else "未开始"),
            owner=_text(r.get("owner")), applicable=applicable, done=done and applicable,
            days_late=_late(planned, done, as_of) if applicable else 0,
            slip_days=(actual - planned).days if actual and planned else None,
            path=rec.path, cell=_addr(r, "planned_date", "stage"),
        ))
    c.stages.sort(key=lambda x: x.seq)
    live = [x for x in c.stages if x.applicable]
    done_idx = [i for i, x in enumerate(live) if x.done]
    if done_idx:
        c.current_stage = live[done_idx[-1]].stage
    nxt = next((x for x in live[(done_idx[-1] + 1 if done_idx else 0):] if not x.done), None)
    if nxt is not None:
        c.next_stage, c.next_planned = nxt.stage, nxt.planned
    c.days_late = max((x.days_late for x in live), default=0)
    actuals = {x.stage: x.actual for x in live}
    for r in rec.rows("payments"):
        if r.is_empty():
            continue
        c.payments.append(payment_row(
            r.values(), contract_amount=c.amount, stage_actuals=actuals, as_of=as_of, edges=s.ageing_buckets,
            project_id=p.project_id, contract_no=no, path=rec.path, cell=_addr(r, "node", "amount"),
        ))
    c.received = round(sum(n.received for n in c.payments), 2)
    c.receivable = round(sum(n.receivable for n in c.payments), 2)
    c.overdue_receivable = round(sum(n.receivable for n in c.payments if n.overdue), 2)
    return c


def _milestone(pid: str, r: Row, path: str, as_of: date) -> MilestoneRow:
    planned, actual, status = to_date(r.get("planned_date")), to_date(r.get("actual_date")), _text(r.get("status"))
    done = status == "已完成" or actual is not None
    return MilestoneRow(
        project_id=pid, milestone=_text(r.get("milestone")), planned=planned, actual=actual, status=status,
        done=done, days_late=_late(planned, done, as_of),
        slip_days=(actual - planned).days if actual and planned else None,
        path=path, cell=_addr(r, "planned_date", "milestone"),
    )


def _tasks(pid: str, plan: WorkbookRecord, as_of: date) -> list[TaskRow]:
    rows = [r for r in plan.rows("wbs") if not r.is_empty()]
    codes = [_text(r.get("wbs_code")) for r in rows]
    # Every code that is some code's parent: c is o's parent when o starts with c + "." — that is, c is
    # o cut at one of its dots. One pass instead of comparing every code with every other.
    parents = {o[:i] for o in codes for i, ch in enumerate(o) if ch == "."}
    out = []
    for code, r in zip(codes, rows, strict=True):
        status, actual = _text(r.get("status")), to_date(r.get("actual_finish"))
        done, cancelled = status == "已完成" or actual is not None, status == "取消"
        pct = _num(r.get("percent_complete"))
        planned = to_date(r.get("planned_finish"))
        # A leaf has no child code (1.2 is the parent of 1.2.1); only leaves are counted and listed.
        leaf = code not in parents if code else True
        out.append(TaskRow(
            project_id=pid, wbs_code=code, task=_text(r.get("task")), owner=_text(r.get("owner")),
            planned_finish=planned, actual_finish=actual, percent=1.0 if done else min(max(pct or 0.0, 0.0), 1.0),
            status=status, leaf=leaf, days_late=0 if cancelled else _late(planned, done, as_of),
            path=plan.path, cell=_addr(r, "planned_finish", "wbs_code"),
        ))
    return out


def _risk(pid: str, r: Row, path: str, as_of: date, s: Settings) -> RiskRow:
    score = _num(r.get("score"))
    p, i = _num(r.get("probability")), _num(r.get("impact"))
    if score is None and p is not None and i is not None:
        score = round(p * i, 4)
    # The level follows the configured matrix, so a changed threshold re-grades every risk.
    level = risk_level(score, s.risk_high, s.risk_medium) or _text(r.get("level"))
    status, due = _text(r.get("status")) or "开放", to_date(r.get("due"))
    is_open = status != "已关闭"
    return RiskRow(
        project_id=pid, risk_id=_text(r.get("risk_id")), description=_text(r.get("description")),
        category=_text(r.get("category")), score=score, level=level, owner=_text(r.get("owner")),
        strategy=_text(r.get("strategy")), response=_text(r.get("response")),
        identified_on=to_date(r.get("identified_on")), due=due, status=status, is_open=is_open,
        days_overdue=(as_of - due).days if is_open and due and due < as_of else 0,
        path=path, cell=_addr(r, "due", "risk_id"),
    )


def _adjustment(pid: str, r: WorkbookRecord, as_of: date) -> AdjustmentRow:
    result = _text(r.get("result")) or "待审批"
    requested = to_date(r.get("requested_on"))
    pending = result == "待审批"
    impact = r.get("schedule_impact_days")
    return AdjustmentRow(
        project_id=pid, adjustment_no=_text(r.get("adjustment_no")), adjustment_type=_text(r.get("adjustment_type")),
        urgency=_text(r.get("urgency")), content=_text(r.get("content")), requested_by=_text(r.get("requested_by")),
        requested_on=requested, schedule_impact_days=int(impact) if isinstance(impact, int | float) else None,
        cost_impact=_num(r.get("cost_impact")), old_finish=to_date(r.get("old_finish")),
        new_finish=to_date(r.get("new_finish")), result=result, pending=pending,
        pending_days=(as_of - requested).days if pending and requested else 0,
        sales_name=_text(r.get("sales_name")), sales_signed_on=to_date(r.get("sales_signed_on")),
        manager_signed_on=to_date(r.get("manager_signed_on")), path=r.path, cell=_addr(r, "result", "adjustment_no"),
    )


def _site(pid: str, r: WorkbookRecord, contracts: list[Contract], as_of: date, s: Settings) -> SiteRow:
    stages = [c.stage(INSTALL_STAGE) for c in contracts]
    installs = [x for x in stages if x is not None and x.applicable]
    install_planned = min((x.planned for x in installs if x.planned), default=None)
    install_done = bool(installs) and all(x.done for x in installs)
    entry = to_date(r.get("planned_entry"))
    ref = entry or install_planned
    conclusion = _text(r.get("conclusion"))
    ready = conclusion == "具备"
    days = (ref - as_of).days if ref else None
    bad = []
    for row in r.rows("checks"):
        result = _text(row.get("result")) or _text(row.get("auto_result"))
        if result == "不符合":
            text = f"{_text(row.get('item'))} {_text(row.get('measured'))}（{_text(row.get('requirement'))}）"
            if row.get("remedy"):
                text += f" 整改：{_text(row.get('remedy'))}"
            if to_date(row.get("remedy_due")):
                text += f" 期限 {to_date(row.get('remedy_due'))}"
            bad.append(text.strip())
    return SiteRow(
        project_id=pid, site_name=_text(r.get("site_name")), site_address=_text(r.get("site_address")),
        planned_entry=entry, reference_date=ref, conclusion=conclusion, checked_on=to_date(r.get("checked_on")),
        customer_confirmed_on=to_date(r.get("customer_confirmed_on")), nonconforming=bad, ready=ready,
        days_to_entry=days,
        # Readiness stops mattering once installation is done; an unknown date cannot be judged.
        not_ready=not ready and not install_done and days is not None and days <= s.site_lead_days,
        path=r.path, cell=_addr(r, "conclusion", "site_name"),
    )


def _progress(p: Project, as_of: date) -> None:
    """% complete, forecast finish and the project's current stage."""
    leaves = [t for t in p.tasks if t.leaf and t.status != "取消"]
    stages = [x for c in p.contracts for x in c.stages if x.applicable]
    if leaves:
        p.percent_complete = round(sum(t.percent for t in leaves) / len(leaves), 4)
    elif stages:
        p.percent_complete = round(sum(1 for x in stages if x.done) / len(stages), 4)
    # The latest approved adjustment (by 申请日期) sets the planned finish it agreed on.
    approved = sorted((a for a in p.adjustments if a.result == "批准" and a.new_finish),
                      key=lambda a: (a.requested_on or date.min, a.adjustment_no))
    base = approved[-1].new_finish if approved else p.planned_finish
    # The finish moves by the largest delay of anything still open on the critical dates.
    slip = max([x.days_late for x in stages] + [m.days_late for m in p.milestones], default=0)
    p.forecast_finish = base + timedelta(days=slip) if base else None
    if p.contracts:
        order = {name: i for i, name in enumerate(CONTRACT_STAGES)}
        p.current_stage = min((c.current_stage for c in p.contracts), key=lambda n: order.get(n, -1))
