"""Model + 本周变化 + trend → :class:`Summary`: the twelve sheets of SPEC §5, KPIs and charts.

Pure data: the summary writer renders it. Rows hold typed values (date, float, int, str) or a
:class:`Link` for ``link`` columns. Order of sheets: 总览 合同进程表 项目 逾期 风险 调整 场地 应收 本周变化
趋势 校验 来源.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from ..findings import Severity
from ..templates import TEMPLATES
from ..templates.vocab import CONTRACT_STAGES
from .ageing import NOT_DUE, ageing_totals, bucket_labels
from .changes import Change
from .kpis import KPI_LABELS, TREND_KEYS, kpi_list
from .model import RAG_ZH, Project, Reason, RollupModel
from .sheetspec import ChartSpec, Column, Link, SheetSpec, Summary, collector_paused

__all__ = ["SHEETS", "build_summary"]

#: key → zh sheet name, in SPEC §5 order.
SHEETS: dict[str, str] = {
    "overview": "总览", "contracts": "合同进程表", "projects": "项目", "overdue": "逾期", "risks": "风险",
    "adjustments": "调整", "sites": "场地", "receivables": "应收", "changes": "本周变化", "trend": "趋势",
    "findings": "校验", "sources": "来源",
}
STATUS_ZH = {"ok": "通过", "warnings": "有警告", "errors": "有错误", "unreadable": "无法读取", "skipped": "已跳过"}
NO_STAGE, NO_TABLE = "未开始", "无合同进程表"
RAG_NOTE = ("RAG：红=阶段/里程碑逾期超过 {red} 天、应收逾期超过 {recv} 天、高风险超过应对期限、场地在计划进场前 {site} 天内仍未具备；"
            "黄=逾期 1–{red} 天、调整待审批超过 {pend} 天、合同进程表超过 {stale} 天未更新；其余为绿。")


def _cols(*spec: tuple[str, str, str, str]) -> list[Column]:
    return [Column(k, zh, en, kind) for k, zh, en, kind in spec]


def _why(reasons: Iterable[Reason], lang: str) -> str:
    return "；".join(r.text(lang) for r in reasons)


def _yn(flag: bool) -> str:
    return "是" if flag else "否"


P_COLS = (("project_id", "项目编号", "Project ID", "link"), ("project_name", "项目名称", "Project", "text"))


def build_summary(model: RollupModel, kpis: dict[str, Any], changes: Sequence[Change] = (),
                  trend: Sequence[dict[str, Any]] = (), *, had_previous: bool = True, lang: str = "zh") -> Summary:
    """The whole summary. ``trend`` is History.trend(); this run's KPIs replace or join it."""
    with collector_paused():
        return _build_summary(model, kpis, changes, trend, had_previous=had_previous, lang=lang)


def _build_summary(model: RollupModel, kpis: dict[str, Any], changes: Sequence[Change],
                   trend: Sequence[dict[str, Any]], *, had_previous: bool, lang: str) -> Summary:
    s = model.settings
    projects = list(model.projects.values())
    names = {p.project_id: p.project_name for p in projects}
    runs = {r["as_of"]: r for r in trend}
    runs[model.as_of] = {"as_of": model.as_of, **kpis}
    trend_rows = [runs[k] for k in sorted(runs)]
    summary = Summary(as_of=model.as_of, kpis=kpi_list(kpis))
    note = RAG_NOTE.format(red=s.red_days_late, recv=s.red_receivable_days, site=s.site_lead_days,
                           pend=s.pending_adjustment_days, stale=s.stale_amber_days)

    def sheet(key: str, title: str, cols: list[Column], rows: list[dict[str, Any]], sheet_note: str = "") -> None:
        summary.sheets.append(SheetSpec(key, SHEETS[key], title, cols, rows, sheet_note))

    # The large tables write the project's two keys out: a call and a dict merged a row (~30,000 rows at 1,000
    # projects) cost more than the row's other keys.
    def pid(project_id: str, path: str = "", cell: str = "") -> dict[str, Any]:
        return {"project_id": Link(str(project_id), path, cell) if path else project_id,
                "project_name": names.get(project_id, "")}

    # 总览 ------------------------------------------------------------------------------------------
    edges = s.ageing_buckets
    ageing = ageing_totals(model.payments(), edges)
    ageing_n = Counter(n.bucket for n in model.payments())
    stage_order = [NO_STAGE, *CONTRACT_STAGES, NO_TABLE]
    by_stage = Counter((p.current_stage or NO_STAGE) if p.contracts else NO_TABLE for p in projects)
    # Each project's contract value once (a property summing its contracts), for every figure below.
    contract_values = {id(p): p.contract_value for p in projects}
    # A Counter sums amounts (floats) as well: its stubs type the counts as int.
    value_by_stage: Counter[str] = Counter()
    for p in projects:
        at_stage = (p.current_stage or NO_STAGE) if p.contracts else NO_TABLE
        value_by_stage[at_stage] += contract_values[id(p)]  # type: ignore[assignment]  # float sums
    ov: list[dict[str, Any]] = []
    ov += [{"group": "当前阶段", "item": st, "count": by_stage[st], "amount": round(value_by_stage[st], 2)}
           for st in stage_order if by_stage[st] or st in CONTRACT_STAGES]
    for level in ("red", "amber", "green"):
        ps = [p for p in projects if p.rag == level]
        ov.append({"group": "RAG", "item": RAG_ZH[level], "count": len(ps),
                   "amount": round(sum(contract_values[id(p)] for p in ps), 2)})
    ov += [{"group": "应收账龄", "item": b, "count": ageing_n[b], "amount": ageing[b]} for b in bucket_labels(edges)]
    for div in sorted({p.division for p in projects}):
        ps = [p for p in projects if p.division == div]
        ov.append({"group": "事业部", "item": div or "（未填写）", "count": len(ps),
                   "amount": round(sum(contract_values[id(p)] for p in ps), 2)})
    phases = Counter(p.phase or "（未填写）" for p in projects)
    ov += [{"group": "计划当前阶段", "item": ph, "count": n, "amount": None} for ph, n in sorted(phases.items())]
    sheet("overview", "中心项目汇总",
          _cols(("group", "分类", "Group", "text"), ("item", "项目", "Item", "text"),
                ("count", "数量", "Count", "int"), ("amount", "金额", "Amount", "money")), ov,
          note + "收款节点在触发阶段完成且已到应收日期时到期（无适用触发阶段时按应收日期）；"
          "应收=已到期未收；逾期应收=到期日早于截至日期的应收。")
    cats = [st for st in stage_order if by_stage[st] or st in CONTRACT_STAGES]
    summary.charts += [
        ChartSpec("overview", "项目按合同阶段", "column", cats, [("项目数", [float(by_stage[c]) for c in cats])]),
        ChartSpec("overview", "项目 RAG", "pie", ["红", "黄", "绿"],
                  [("项目数", [float(kpis["red"]), float(kpis["amber"]), float(kpis["green"])])]),
        ChartSpec("overview", "应收账龄（元）", "column", bucket_labels(edges),
                  [("未收金额", [ageing[b] for b in bucket_labels(edges)])]),
        ChartSpec("overview", "每周 RAG", "line", [r["as_of"].isoformat() for r in trend_rows],
                  [(RAG_ZH[k], [float(r.get(k, 0)) for r in trend_rows]) for k in ("red", "amber", "green")]),
    ]

    # 合同进程表 ----------------------------------------------------------------------------------------
    stage_cols = [c for i, st in enumerate(CONTRACT_STAGES, 1) for c in (
        Column(f"s{i:02d}_planned", f"{st}计划", f"{st} planned", "date"),
        Column(f"s{i:02d}_actual", f"{st}实际", f"{st} actual", "date"))]
    # Each stage's two column keys, made once; every one empty until a stage row fills it.
    stage_keys = {st: (f"s{i:02d}_planned", f"s{i:02d}_actual") for i, st in enumerate(CONTRACT_STAGES, 1)}
    no_stages = {key: None for keys in stage_keys.values() for key in keys}
    crow = []
    for c in model.contracts:
        row = {**pid(c.project_id, c.path), "contract_no": Link(str(c.contract_no), c.path), "customer": c.customer,
               "project_manager": c.project_manager, "sales_rep": c.sales_rep, "division": c.division,
               "amount": c.amount, "current_stage": c.current_stage or NO_STAGE, "next_stage": c.next_stage,
               "next_planned": c.next_planned, "days_late": c.days_late, "received": c.received,
               "receivable": c.receivable, "overdue_receivable": c.overdue_receivable, "rag": RAG_ZH[c.rag],
               "reasons": _why(c.reasons, lang), "last_updated": c.last_updated, "stale_days": c.stale_days}
        # Contract.stage(name) is the first row of that stage: the rows written last to first, the first last.
        row.update(no_stages)
        for sr in reversed(c.stages):
            keys = stage_keys.get(sr.stage)
            if keys is not None:
                row[keys[0]], row[keys[1]] = (sr.planned, sr.actual) if sr.applicable else ("不适用", "不适用")
        crow.append(row)
    sheet("contracts", "合同进程表", _cols(
        *P_COLS, ("contract_no", "合同编号", "Contract no.", "link"), ("customer", "客户名称", "Customer", "text"),
        ("project_manager", "项目经理", "PM", "text"), ("sales_rep", "销售人员", "Sales", "text"),
        ("division", "事业部", "Division", "text"), ("amount", "合同金额", "Amount", "money"),
        ("current_stage", "当前阶段", "Current stage", "text"), ("next_stage", "下一阶段", "Next stage", "text"),
        ("next_planned", "下一阶段计划日期", "Next stage planned", "date"), ("days_late", "逾期天数", "Days late", "days"),
    ) + stage_cols + _cols(
        ("received", "已收款", "Received", "money"), ("receivable", "应收款", "Receivable", "money"),
        ("overdue_receivable", "逾期应收", "Overdue receivable", "money"), ("rag", "RAG", "RAG", "rag"),
        ("reasons", "原因", "Why", "text"), ("last_updated", "最后更新日期", "Last updated", "date"),
        ("stale_days", "未更新天数", "Days since update", "int")), crow, note)

    # 项目 -------------------------------------------------------------------------------------------
    sheet("projects", "项目", _cols(
        *P_COLS, ("customer", "客户名称", "Customer", "text"), ("division", "事业部", "Division", "text"),
        ("project_manager", "项目经理", "PM", "text"), ("sales_rep", "销售人员", "Sales", "text"),
        ("phase", "计划当前阶段", "Phase", "text"), ("current_stage", "合同阶段", "Contract stage", "text"),
        ("percent_complete", "完成%", "% complete", "percent"), ("planned_finish", "计划完成", "Planned finish", "date"),
        ("forecast_finish", "预测完成", "Forecast finish", "date"), ("delay", "预测延期天数", "Forecast delay", "days"),
        ("contract_value", "合同金额", "Contract value", "money"), ("received", "已收款", "Received", "money"),
        ("receivable", "应收款", "Receivable", "money"), ("open_high_risks", "开放高风险", "Open high risks", "int"),
        ("pending_adjustments", "待审批调整", "Pending adjustments", "int"),
        ("sites", "场地具备", "Sites ready", "text"), ("sites_not_ready", "场地未具备", "Sites not ready", "int"),
        ("errors", "错误", "Errors", "int"), ("warnings", "警告", "Warnings", "int"),
        ("rag", "RAG", "RAG", "rag"), ("reasons", "原因", "Why", "text")),
        [_project_row(p, lang, contract_values[id(p)]) for p in projects], note)

    # 逾期 -------------------------------------------------------------------------------------------
    sheet("overdue", "逾期事项", _cols(
        ("kind", "类别", "Kind", "text"), *P_COLS, ("contract_no", "合同编号", "Contract no.", "text"),
        ("item", "事项", "Item", "link"), ("due_date", "计划/到期日期", "Due", "date"),
        ("days", "逾期天数", "Days overdue", "days"), ("owner", "负责人", "Owner", "text"),
        ("amount", "逾期应收", "Overdue amount", "money")),
        [{"kind": o.kind_zh, "project_id": o.project_id, "project_name": names.get(o.project_id, ""),
          "contract_no": o.contract_no, "item": Link(str(o.item), o.path, o.cell), "due_date": o.due_date,
          "days": o.days, "owner": o.owner, "amount": o.amount} for o in model.overdue],
        "未完成且已过计划日期的合同阶段、里程碑、WBS任务，逾期应收，及超过应对期限的开放风险。")

    # 风险 -------------------------------------------------------------------------------------------
    rank = {"高": 0, "中": 1, "低": 2}
    risks = sorted((r for p in projects for r in p.risks if r.is_open),
                   key=lambda r: (rank.get(r.level, 3), -(r.score or 0), r.project_id, r.risk_id))
    sheet("risks", "开放风险", _cols(
        *P_COLS, ("risk_id", "风险编号", "Risk ID", "link"), ("description", "风险描述", "Description", "text"),
        ("category", "类别", "Category", "text"), ("level", "等级", "Level", "text"), ("score", "风险值", "Score", "number"),
        ("owner", "责任人", "Owner", "text"), ("strategy", "应对策略", "Strategy", "text"),
        ("response", "应对措施", "Response", "text"), ("due", "应对期限", "Due", "date"),
        ("days_overdue", "超期天数", "Days overdue", "days")),
        [{"project_id": r.project_id, "project_name": names.get(r.project_id, ""),
          "risk_id": Link(str(r.risk_id), r.path, r.cell), "description": r.description,
          "category": r.category, "level": r.level, "score": r.score, "owner": r.owner, "strategy": r.strategy,
          "response": r.response, "due": r.due, "days_overdue": r.days_overdue} for r in risks], "按等级（高、中、低）和风险值排序。")

    # 调整 -------------------------------------------------------------------------------------------
    adjs = sorted((a for p in projects for a in p.adjustments),
                  key=lambda a: (not a.pending, -(a.requested_on or date.min).toordinal(), a.project_id, a.adjustment_no))
    sheet("adjustments", "调整记录", _cols(
        *P_COLS, ("adjustment_no", "调整单号", "Adjustment no.", "link"), ("adjustment_type", "调整类型", "Type", "text"),
        ("urgency", "紧急程度", "Urgency", "text"), ("content", "调整内容", "Content", "text"),
        ("requested_by", "申请人", "Requested by", "text"), ("requested_on", "申请日期", "Requested on", "date"),
        ("schedule_impact_days", "进度影响(天)", "Schedule impact", "int"), ("cost_impact", "成本影响", "Cost impact", "money"),
        ("old_finish", "原计划完成", "Old finish", "date"), ("new_finish", "新计划完成", "New finish", "date"),
        ("result", "审批结果", "Result", "text"), ("pending_days", "待审批天数", "Days pending", "days"),
        ("sales_name", "销售经理", "Sales manager", "text"), ("sales_signed_on", "销售经理签字日期", "Sales signed", "date")),
        [{"project_id": a.project_id, "project_name": names.get(a.project_id, ""),
          "adjustment_no": Link(str(a.adjustment_no), a.path, a.cell), "adjustment_type": a.adjustment_type,
          "urgency": a.urgency, "content": a.content, "requested_by": a.requested_by, "requested_on": a.requested_on,
          "schedule_impact_days": a.schedule_impact_days, "cost_impact": a.cost_impact, "old_finish": a.old_finish,
          "new_finish": a.new_finish, "result": a.result, "pending_days": a.pending_days, "sales_name": a.sales_name,
          "sales_signed_on": a.sales_signed_on} for a in adjs], "待审批的排在前面。")

    # 场地 -------------------------------------------------------------------------------------------
    sites = sorted((x for p in projects for x in p.sites), key=lambda x: (not x.not_ready, x.project_id, x.site_name))
    sheet("sites", "场地环境", _cols(
        *P_COLS, ("site_name", "场地名称", "Site", "link"), ("site_address", "场地地址", "Address", "text"),
        ("planned_entry", "计划进场日期", "Planned entry", "date"), ("days_to_entry", "距进场天数", "Days to entry", "int"),
        ("conclusion", "结论", "Conclusion", "text"), ("not_ready", "临近进场未具备", "Not ready", "text"),
        ("nonconforming_count", "不符合项数", "Non-conforming", "int"),
        ("nonconforming", "不符合项", "Non-conforming items", "text"),
        ("customer_confirmed_on", "客户确认日期", "Customer confirmed", "date")),
        [{"project_id": x.project_id, "project_name": names.get(x.project_id, ""),
          "site_name": Link(str(x.site_name), x.path, x.cell), "site_address": x.site_address,
          "planned_entry": x.reference_date, "days_to_entry": x.days_to_entry, "conclusion": x.conclusion,
          "not_ready": _yn(x.not_ready), "nonconforming_count": len(x.nonconforming),
          "nonconforming": "；".join(x.nonconforming), "customer_confirmed_on": x.customer_confirmed_on} for x in sites],
        f"计划进场前 {s.site_lead_days} 天内（或已过）结论仍不是“具备”且尚未安装的场地标为未具备。")

    # 应收 -------------------------------------------------------------------------------------------
    labels = bucket_labels(edges)
    age_cols = [Column(f"age_{i}", b if b == NOT_DUE else f"{b}天", b, "money") for i, b in enumerate(labels)]
    # Each node's unpaid amount under its bucket's column, None under the others.
    no_ages = {f"age_{i}": None for i in range(len(labels))}
    age_keys: dict[str, list[str]] = {}
    for i, b in enumerate(labels):
        age_keys.setdefault(b, []).append(f"age_{i}")
    recv = []
    for c in model.contracts:
        for n in c.payments:
            row = {"project_id": c.project_id, "project_name": names.get(c.project_id, ""),
                   "contract_no": Link(str(c.contract_no), n.path, n.cell), "customer": c.customer,
                   "sales_rep": c.sales_rep, "node": n.node, "ratio": n.ratio, "amount": n.amount,
                   "trigger_stage": n.trigger_stage, "due_date": n.due_date, "is_due": _yn(n.is_due),
                   "invoiced": n.invoiced, "received": n.received, "unpaid": n.unpaid, "receivable": n.receivable,
                   "days_past_due": n.days_past_due, "bucket": n.bucket,
                   "overdue_receivable": n.receivable if n.overdue else 0.0}
            row.update(no_ages)
            for key in age_keys.get(n.bucket, ()):
                row[key] = n.unpaid
            recv.append(row)
    sheet("receivables", "应收账款", _cols(
        *P_COLS, ("contract_no", "合同编号", "Contract no.", "link"), ("customer", "客户名称", "Customer", "text"),
        ("sales_rep", "销售人员", "Sales", "text"), ("node", "收款节点", "Node", "text"), ("ratio", "比例", "Ratio", "percent"),
        ("amount", "金额", "Amount", "money"), ("trigger_stage", "触发阶段", "Trigger", "text"),
        ("due_date", "到期日期", "Due date", "date"), ("is_due", "已到期", "Due", "text"),
        ("invoiced", "开票金额", "Invoiced", "money"), ("received", "到账金额", "Received", "money"),
        ("unpaid", "未收金额", "Unpaid", "money"), ("receivable", "应收款", "Receivable", "money"),
        ("days_past_due", "到期天数", "Days past due", "int"), ("bucket", "账龄", "Ageing", "text"),
        ("overdue_receivable", "逾期应收", "Overdue receivable", "money")) + age_cols, recv,
        "到期日期=触发阶段实际日期与应收日期中较晚者（触发阶段未完成则未到期；无适用触发阶段时为应收日期）；"
        "应收=已到期未收；账龄按到期后天数。")

    # 本周变化 ---------------------------------------------------------------------------------------
    sheet("changes", "本周变化", _cols(
        ("kind", "变化", "Change", "text"), *P_COLS, ("contract_no", "合同编号", "Contract no.", "text"),
        ("item", "事项", "Item", "link"), ("before", "之前", "Before", "text"), ("after", "现在", "Now", "text"),
        ("days", "天数", "Days", "int"), ("detail", "说明", "Detail", "text")),
        [{"kind": ch.kind_zh, **pid(ch.project_id), "contract_no": ch.contract_no,
          "item": Link(str(ch.item), ch.path, ch.cell) if ch.path else ch.item, "before": ch.before, "after": ch.after,
          "days": ch.days, "detail": ch.detail_en if lang == "en" else ch.detail_zh} for ch in changes],
        "与上次快照比较。" if had_previous else "首次运行：没有可比较的上次快照。")

    # 趋势 -------------------------------------------------------------------------------------------
    tcols = [Column("as_of", "截至日期", "As of", "date")] + [
        Column(k, KPI_LABELS[k][0], KPI_LABELS[k][1], KPI_LABELS[k][2]) for k in TREND_KEYS]
    sheet("trend", "每周趋势", tcols, [{"as_of": r["as_of"], **{k: r.get(k) for k in TREND_KEYS}} for r in trend_rows])
    weeks = [r["as_of"].isoformat() for r in trend_rows]
    summary.charts += [
        ChartSpec("trend", "每周项目 RAG 与逾期事项", "line", weeks, [
            (KPI_LABELS[k][0], [float(r.get(k) or 0) for r in trend_rows])
            for k in ("red", "amber", "green", "overdue_items", "pending_adjustments", "sites_not_ready")]),
        ChartSpec("trend", "每周收款（元）", "line", weeks, [
            (KPI_LABELS[k][0], [float(r.get(k) or 0) for r in trend_rows])
            for k in ("received", "receivable", "overdue_receivable")]),
    ]

    # 校验 -------------------------------------------------------------------------------------------
    sev_rank = {"error": 0, "warning": 1, "info": 2}
    fnds = sorted(model.findings, key=lambda f: (sev_rank.get(f.severity, 3), f.path, f.sheet, f.cell, f.code))
    # Each severity's label once.
    severities = {sev: Severity(sev).label(lang) for sev in dict.fromkeys(f.severity for f in fnds)}
    sheet("findings", "校验结果", _cols(
        ("severity", "级别", "Severity", "severity"), ("code", "代码", "Code", "text"), *P_COLS[:1],
        ("file", "文件", "File", "link"), ("address", "单元格", "Cell", "link"), ("field", "字段", "Field", "text"),
        ("value", "值", "Value", "text"), ("message", "说明", "Message", "text")),
        [{"severity": severities[f.severity], "code": f.code, "project_id": f.project_id,
          "file": Link(str(f.path), f.path), "address": Link(str(f.address), f.path, f.address) if f.address else "",
          "field": f.field, "value": f.value, "message": f.message_en if lang == "en" else f.message_zh}
         for f in fnds])

    # 来源 -------------------------------------------------------------------------------------------
    sheet("sources", "来源文件", _cols(
        ("path", "文件", "File", "link"), ("kind", "类型", "Kind", "text"), ("template", "模板", "Template", "text"),
        ("version", "模板版本", "Version", "int"), ("project_id", "项目编号", "Project ID", "text"),
        ("status", "状态", "State", "text"), ("errors", "错误", "Errors", "int"), ("warnings", "警告", "Warnings", "int"),
        ("infos", "提示", "Infos", "int"), ("reason", "原因", "Reason", "text")),
        [{"path": Link(str(x.path), x.path), "kind": x.kind,
          "template": TEMPLATES[x.template_id].zh if x.template_id in TEMPLATES else x.template_id,
          "version": x.version or None, "project_id": x.project_id, "status": STATUS_ZH.get(x.status, x.status),
          "errors": x.errors, "warnings": x.warnings, "infos": x.infos,
          "reason": x.reason_en if lang == "en" else x.reason_zh} for x in model.sources],
        "找到的每个文件及其状态：通过 / 有警告 / 有错误 / 无法读取 / 已跳过。")
    return summary


def _project_row(p: Project, lang: str, contract_value: float) -> dict[str, Any]:
    delay = (p.forecast_finish - p.planned_finish).days if p.forecast_finish and p.planned_finish else None
    return {
        "project_id": Link(str(p.project_id), p.plan_path or (p.files[0] if p.files else "")),
        "project_name": p.project_name, "customer": p.customer, "division": p.division,
        "project_manager": p.project_manager, "sales_rep": p.sales_rep, "phase": p.phase,
        "current_stage": (p.current_stage or NO_STAGE) if p.contracts else NO_TABLE,
        "percent_complete": p.percent_complete, "planned_finish": p.planned_finish,
        "forecast_finish": p.forecast_finish, "delay": delay, "contract_value": contract_value,
        "received": p.received, "receivable": p.receivable, "open_high_risks": p.open_high_risks,
        "pending_adjustments": p.pending_adjustments,
        "sites": f"{sum(x.ready for x in p.sites)}/{len(p.sites)}" if p.sites else "",
        "sites_not_ready": sum(x.not_ready for x in p.sites), "errors": p.findings.get("error", 0),
        "warnings": p.findings.get("warning", 0), "rag": RAG_ZH[p.rag], "reasons": _why(p.reasons, lang),
    }
