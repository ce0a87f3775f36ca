"""A demo project's four kinds of workbook as fill data ({"form": …, "tables": …}) on a given day."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from ..templates.project_plan import STANDARD_WBS
from ..templates.site_environment import CHECK_ITEMS
from ..templates.vocab import CONTRACT_STAGES, IMPORT_STAGES, PAYMENT_NODES
from . import people
from .centre import MILESTONE_STAGE, WBS_STAGE, DemoProject

__all__ = ["adjustment_data", "contract_data", "header", "plan_data", "site_data"]


def header(p: DemoProject, cut: date) -> dict[str, Any]:
    return {
        "project_id": p.project_id, "project_name": p.name, "contract_no": p.contract_no,
        "customer": p.customer, "division": p.division, "project_manager": p.pm, "sales_rep": p.sales,
        "prepared_by": p.pm, "prepared_on": cut,
    }


def planned_at(p: DemoProject, stage: str, cut: date) -> date | None:
    d = p.planned.get(stage)
    if stage in p.replanned and p.replanned_on and cut >= p.replanned_on:
        d = p.replanned[stage][1]
    # An approved adjustment that the PM applied moves the install date too.
    for a in p.adjustments:
        if stage == "安装调试" and a["result"] == "批准" and a["requested_on"] <= cut and applied(p):
            d = a["new_finish"]
    return d


def applied(p: DemoProject) -> bool:
    """One approved adjustment in the demo is never carried into the plan (the rollup warns)."""
    return p.index % 16 != 1


def actual_at(p: DemoProject, stage: str, cut: date) -> date | None:
    d = p.actual.get(stage)
    return d if d is not None and d <= cut else None


def _done_index(p: DemoProject, cut: date) -> int:
    """Index in CONTRACT_STAGES of the last completed stage (-1 if none)."""
    last = -1
    for k, s in enumerate(CONTRACT_STAGES):
        if actual_at(p, s, cut):
            last = k
    return last


def contract_data(p: DemoProject, cut: date) -> dict[str, Any]:
    done = _done_index(p, cut)
    stages: list[dict[str, Any]] = []
    for k, s in enumerate(CONTRACT_STAGES):
        if p.domestic and s in IMPORT_STAGES:
            stages.append({"stage": s, "status": "不适用", "remarks": "国内合同"})
            continue
        act = actual_at(p, s, cut)
        status = "已完成" if act else ("进行中" if k == done + 1 or (p.domestic and k == done + 3) else "未开始")
        stages.append({"stage": s, "planned_date": planned_at(p, s, cut), "actual_date": act, "status": status,
                       "owner": p.sales if s == "合同签订" else p.pm})
    if "stage-order" in p.mistakes:
        # A typing slip: 国内运输's actual date entered a month early, before the stages before it.
        for row in stages:
            if row["stage"] == "国内运输" and row.get("actual_date"):
                row["actual_date"] = row["actual_date"] - timedelta(days=30)
    payments: list[dict[str, Any]] = []
    for node, ratio, trigger in PAYMENT_NODES:
        amount = round(p.amount * ratio, 2)
        row = {"node": node, "ratio": ratio, "trigger_stage": trigger,
               "due_date": (p.planned.get(trigger) or p.signed) + timedelta(days=30)}
        trig = actual_at(p, trigger, cut)
        if trig and trig + timedelta(days=3) <= cut:
            row.update(invoiced=amount, invoiced_on=trig + timedelta(days=3),
                       invoice_no=f"{44000000 + p.index * 10 + len(payments):08d}")
        delay = p.pay_delay.get(node)
        if trig and delay is not None and trig + timedelta(days=delay) <= cut:
            row.update(received=amount, received_on=trig + timedelta(days=delay))
        payments.append(row)
    last = cut - timedelta(days=p.index % 3)
    if p.stale_since and p.stale_since < last:
        last = p.stale_since
    form = {**header(p, cut), "contract_amount": p.amount, "signed_on": p.signed,
            "payment_terms": "预付款30%，到货款30%，初验款20%，终验款15%，质保金5%", "currency": "CNY",
            "last_updated": last}
    return {"form": form, "tables": {"stages": stages, "payments": payments}}


def _phase(done: int) -> str:
    if done >= 14:
        return "项目结项"
    if done >= 6:
        return "项目实施"
    if done >= 1:
        return "商务运作"
    return "准备阶段"


def plan_data(p: DemoProject, cut: date) -> dict[str, Any]:
    done = _done_index(p, cut)
    form: dict[str, Any] = {
        **header(p, cut), "contract_amount": p.amount, "planned_start": p.signed + timedelta(days=3),
        "planned_finish": planned_at(p, "系统终验", cut), "pm_appointed_on": p.signed + timedelta(days=2),
        "kickoff_on": p.signed + timedelta(days=7), "current_phase": _phase(done),
        "overall_status": "绿", "scope": f"{p.name}：设备供货、安装调试、培训及验收",
        "objectives": "按合同要求按期完成系统交付并通过终验", "approver": people.CENTRE_MANAGER,
        "approved_on": p.signed + timedelta(days=10),
    }
    if "date-text" in p.mistakes:
        form["prepared_on"] = f"{cut.year}/{cut.month}/{cut.day}"
    if "money-text" in p.mistakes:
        form["contract_amount"] = f"{p.amount / 10_000:g}万"
    wbs = []
    for code, task, phase in STANDARD_WBS:
        row: dict[str, Any] = {"wbs_code": code, "task": task, "phase": phase, "status": "未开始"}
        stage = WBS_STAGE.get(code)
        if stage and stage in p.planned:
            fin = planned_at(p, stage, cut)
            assert fin is not None  # a stage in p.planned has a planned date
            row.update(planned_start=fin - timedelta(days=5), planned_finish=fin, owner=p.pm,
                       percent_complete=0.0)
            act = actual_at(p, stage, cut)
            start = p.actual[stage] - timedelta(days=5)
            if act:
                row.update(actual_start=start, actual_finish=act, percent_complete=1.0, status="已完成")
            elif start <= cut:
                row.update(actual_start=start, percent_complete=0.5, status="进行中")
        elif stage:
            row.update(status="取消", remarks="国内合同不适用")
        wbs.append(row)
    if "ambiguous-date" in p.mistakes:
        for row in wbs:
            if row["wbs_code"] == "1.3.1" and row.get("actual_start"):
                # Typed the American way with day and month both ≤ 12: 03/05/2026 cannot be read safely.
                d = row["actual_start"]
                row["actual_start"] = f"{d.month:02d}/{d.month % 12 + 1:02d}/{d.year}"
    if "percent-status" in p.mistakes:
        for row in wbs:
            if row.get("status") == "已完成":
                row["status"] = "进行中"
                break
    milestones = [{"milestone": "项目启动", "planned_date": p.signed + timedelta(days=7),
                   "actual_date": p.signed + timedelta(days=7) if p.signed + timedelta(days=7) <= cut else None,
                   "status": "已完成" if p.signed + timedelta(days=7) <= cut else "未开始"}]
    for m, stage in MILESTONE_STAGE.items():
        act = actual_at(p, stage, cut)
        milestones.append({"milestone": m, "planned_date": planned_at(p, stage, cut), "actual_date": act,
                           "status": "已完成" if act else "未开始"})
    risks = [r for r in p.risks if r["identified_on"] <= cut]
    engineer = people.ENGINEERS[p.index % len(people.ENGINEERS)]
    resources = [
        {"role": "项目经理", "name": p.pm, "allocation": 0.3, "start": p.signed, "finish": p.planned["项目结项"]},
        {"role": "实施工程师", "name": engineer, "allocation": 1.0, "start": p.planned.get("到货验货", p.signed),
         "finish": p.planned["系统终验"]},
    ]
    shares = {"硬件": 0.55, "软件": 0.15, "实施服务": 0.1, "差旅": 0.02, "外包": 0.05, "应急储备": 0.03,
              "管理储备": 0.02}
    budget = [{"item": k, "budget": round(p.amount * v, 2)} for k, v in shares.items()]
    return {"form": form, "tables": {"wbs": wbs, "milestones": milestones, "risks": risks,
                                     "resources": resources, "budget": budget}}


def adjustment_data(p: DemoProject, adj: dict[str, Any], cut: date) -> dict[str, Any]:
    form = {**header(p, cut), **{k: v for k, v in adj.items() if k != "items"}}
    return {"form": form, "tables": {"items": adj["items"]}}


def site_data(p: DemoProject, cut: date) -> dict[str, Any]:
    s = p.site or {}
    ready = s.get("ready_on") is not None and s["ready_on"] <= cut
    entry: date = s["planned_entry"]
    form: dict[str, Any] = {
        **header(p, cut), "site_name": s["site_name"], "site_address": f"{p.customer}园区 A 座 3 层",
        "customer_contact": "客户信息部 刘工", "contact_phone": "010-8888" + f"{p.index:04d}", "room_class": "B",
        "planned_entry": entry, "checked_on": min(cut, entry) - timedelta(days=3), "checked_by": p.pm,
    }
    if "missing-customer" in p.mistakes:
        form["customer"] = None
    checks = []
    measured = {"净高": 2.8, "防静电地板高度": 0.4, "地板承重": 10, "温度": 23, "相对湿度": 50, "零地电压": 1.2,
                "接地电阻": 2.1, "照明": 520}
    if not ready:
        measured.update({"相对湿度": s["humidity"], "接地电阻": s["ground"]})
    for item, req, unit, lo, hi in CHECK_ITEMS:
        row: dict[str, Any] = {"item": item, "requirement": req, "unit": unit, "lower": lo, "upper": hi}
        if item in measured:
            v = measured[item]
            ok = (lo is None or v >= lo) and (hi is None or v <= hi)
            row.update(measured=v, result="符合" if ok else "不符合")
            if not ok:
                row.update(remedy="客户负责整改，整改后复测", remedy_due=entry - timedelta(days=3))
        else:
            row.update(measured="已具备" if ready or item not in ("空调", "消防") else "施工中",
                       result="符合" if ready or item not in ("空调", "消防") else "不符合")
            if row["result"] == "不符合":
                row.update(remedy="督促客户按期完工", remedy_due=entry - timedelta(days=2))
        checks.append(row)
    if ready:
        form.update(customer_confirmed_by="刘工", customer_confirmed_on=s["ready_on"], conclusion="具备")
    else:
        bad = any(r.get("result") == "不符合" for r in checks)
        form["conclusion"] = "不具备" if bad and (entry - cut).days < 20 else "有条件具备"
    return {"form": form, "tables": {"checks": checks}}
