"""Figures of the rollup against hand-computed expectations (see rollupcentre.py for the working)."""

from __future__ import annotations

import json
from datetime import date

import pytest
import rollupcentre as C

from pimxl.rollup.aggregate import build_model
from pimxl.rollup.kpis import compute_kpis, rollup_json
from pimxl.rollup.model import RollupModel
from pimxl.rollup.sheets import SHEETS, build_summary
from pimxl.rollup.sheetspec import Link, Summary

# ---- expected, by hand ---------------------------------------------------------------------------
CONTRACT_VALUE = 1_000_000 + 2_500_000 + (400_000 + 300_000) + 800_000
RECEIVED = 100_000 + 750_000 + 50_000
# Only the nodes whose trigger stage (合同签订) is done are due: P1 预付款 and HT-P3A 预付款. P2 到货款/初验款
# and HT-P3B 预付款 have a passed (or today's) 应收日期 but their trigger stage is not done: not due.
RECEIVABLE = 200_000 + 150_000
OVERDUE_RECEIVABLE = 200_000 + 150_000  # both are past their due date
AGEING = {"未到期": 700_000 + (750_000 + 500_000 + 375_000 + 125_000) + 200_000 + 300_000, "0–30": 150_000,
          "31–60": 0, "61–90": 200_000, ">90": 0}  # 2,950,000 + 150,000 + 200,000 = 4,200,000 − 900,000 received
RAG = {"P1": "red", "P2": "amber", "P3": "red", "P4": "green"}
OVERDUE = [  # (kind, project, contract, item, days) sorted by days desc, then project, then kind
    ("payment", "P1", "HT-P1", "预付款", 73), ("stage", "P1", "HT-P1", "清关", 24),
    ("payment", "P3", "HT-P3A", "预付款", 24), ("task", "P1", "", "1.2 项目计划", 15),
    ("risk", "P2", "", "R01 供货延迟", 15), ("milestone", "P1", "", "设备到货验货", 6),
    ("risk", "P3", "", "R01 机房未完工", 6), ("stage", "P2", "HT-P2", "国内运输", 5),
]


@pytest.fixture(scope="module")
def model() -> RollupModel:
    return build_model(C.centre(2), C.AS_OF_2)


@pytest.fixture(scope="module")
def summary(model: RollupModel) -> Summary:
    return build_summary(model, compute_kpis(model))


def test_totals_and_counts(model: RollupModel) -> None:
    k = compute_kpis(model)
    assert (k["projects"], k["contracts"]) == (4, 4)
    assert k["contract_value"] == CONTRACT_VALUE == 5_000_000
    assert (k["received"], k["receivable"], k["overdue_receivable"]) == (RECEIVED, RECEIVABLE, OVERDUE_RECEIVABLE)
    assert (k["red"], k["amber"], k["green"]) == (2, 1, 1)
    assert k["overdue_items"] == len(OVERDUE) and k["overdue_stages"] == 2
    assert k["pending_adjustments"] == 2  # P2 ADJ-01, P4 ADJ-02
    assert k["sites_not_ready"] == 1  # P3 一号机房
    assert k["open_high_risks"] == 3  # P1 R01, P1 R02 (0.5×0.4 = 0.2), P3 R01; not P2 R02 (closed)
    assert (k["files_found"], k["files_read"], k["files_skipped"], k["files_unreadable"]) == (17, 15, 1, 1)
    assert (k["findings_error"], k["findings_warning"], k["findings_info"]) == (2, 1, 1)
    assert k["files_with_errors"] == 1


def test_rag_and_reasons(model: RollupModel) -> None:
    assert {p.project_id: p.rag for p in model.projects.values()} == RAG
    assert [r.zh for r in model.projects["P1"].reasons] == [
        "阶段“清关”逾期 24 天", "应收“预付款”¥200,000.00 逾期 73 天", "里程碑“设备到货验货”逾期 6 天"]
    assert [r.zh for r in model.projects["P2"].reasons] == [
        "阶段“国内运输”逾期 5 天", "合同进程表 24 天未更新", "调整“ADJ-01”待审批 15 天"]
    p3 = [r.zh for r in model.projects["P3"].reasons]
    # HT-P3B's 预付款 is not due (合同签订 not done), so it gives no reason; P3 is red for its risk and site.
    assert p3 == ["高风险“R01”超过应对期限 6 天", "场地“一号机房”未具备（不具备），距计划进场 4 天"]
    assert all(r.level == "red" for r in model.projects["P3"].reasons)
    assert model.projects["P1"].reasons[0].en == "stage '清关' 24 days late"
    contracts = {c.contract_no: c.rag for c in model.contracts}
    assert contracts == {"HT-P1": "red", "HT-P2": "amber", "HT-P3A": "green", "HT-P3B": "green"}


def test_contract_stages(model: RollupModel) -> None:
    c = {c.contract_no: c for c in model.contracts}
    assert (c["HT-P1"].current_stage, c["HT-P1"].next_stage, c["HT-P1"].next_planned) == (
        "国际运输", "清关", date(2026, 2, 20))
    assert c["HT-P1"].days_late == 24
    assert c["HT-P1"].stage("产品下单").slip_days == 5 and c["HT-P1"].stage("产品下单").days_late == 0
    # A domestic contract skips the 不适用 stages when naming the next one.
    assert (c["HT-P2"].current_stage, c["HT-P2"].next_stage) == ("产品下单", "国内运输")
    assert c["HT-P2"].stale_days == 24
    assert (c["HT-P3B"].current_stage, c["HT-P3B"].next_stage) == ("", "合同签订")
    # The project is as far as its least advanced contract.
    assert model.projects["P3"].current_stage == ""
    assert model.projects["P1"].percent_complete == 0.75  # leaves 1.1 (100 %) and 1.2 (50 %)
    assert model.projects["P1"].forecast_finish == date(2027, 1, 24)  # 12-31 + 24 days
    assert model.projects["P2"].forecast_finish == date(2027, 2, 5)  # approved new finish 01-31 + 5 days


def test_payments(model: RollupModel) -> None:
    rows = {(n.contract_no, n.node): n for n in model.payments()}
    assert len(rows) == 13
    # 应收日期 02-01 has passed, but the trigger stage 到货验货 is not done: not due, no due date.
    n = rows[("HT-P2", "到货款")]
    assert (n.amount, n.scheduled, n.due_date, n.is_due, n.receivable, n.bucket, n.overdue) == (
        750_000, date(2026, 2, 1), None, False, 0, "未到期", False)
    n = rows[("HT-P2", "初验款")]  # 应收日期 today, 系统初验 not done
    assert (n.unpaid, n.receivable, n.days_past_due, n.bucket, n.overdue) == (500_000, 0, 0, "未到期", False)
    # 合同签订 done 01-02, no 应收日期: due 01-02, 73 days.
    n = rows[("HT-P1", "预付款")]
    assert (n.due_date, n.receivable, n.days_past_due, n.bucket, n.overdue) == (
        date(2026, 1, 2), 200_000, 73, "61–90", True)
    assert rows[("HT-P2", "预付款")].bucket == "已收讫"
    assert rows[("HT-P1", "到货款")].bucket == "未到期" and rows[("HT-P1", "到货款")].receivable == 0
    assert rows[("HT-P3B", "预付款")].amount == 300_000  # ratio × contract amount
    assert rows[("HT-P1", "预付款")].cell == "'收款计划'!A3"


def test_overdue_items(model: RollupModel) -> None:
    assert [(o.kind, o.project_id, o.contract_no, o.item, o.days) for o in model.overdue] == OVERDUE
    first = model.overdue[0]
    assert (first.owner, first.amount, first.path) == ("李娜", 200_000, "P1/合同进程表-HT-P1.xlsx")


def test_json_matches(model: RollupModel) -> None:
    doc = rollup_json(model, compute_kpis(model), {"summary": "汇总.xlsx"})
    assert json.loads(json.dumps(doc, ensure_ascii=False)) == {
        "as_of": "2026-03-16",
        "files": {"found": 17, "read": 15, "skipped": 1, "unreadable": 1},
        "projects": 4, "contracts": 4,
        "totals": {"contract_value": CONTRACT_VALUE, "received": RECEIVED, "receivable": RECEIVABLE,
                   "overdue_receivable": OVERDUE_RECEIVABLE},
        "rag": {"red": 2, "amber": 1, "green": 1},
        "overdue_items": 8, "pending_adjustments": 2, "sites_not_ready": 1,
        "findings": {"error": 2, "warning": 1, "info": 1},
        "ageing": AGEING,
        "problem_files": [
            {"path": "坏文件/损坏.xlsx", "status": "unreadable", "code": "file-corrupt", "reason_zh": "文件已损坏",
             "reason_en": "文件已损坏"},
            {"path": "~$项目计划书.xlsx", "status": "skipped", "code": "lock-file", "reason_zh": "Excel 锁文件",
             "reason_en": "Excel 锁文件"}],
        "outputs": {"summary": "汇总.xlsx"},
    }


def _text(v: object) -> object:
    return v.text if isinstance(v, Link) else v


def test_sheet_order_and_names(summary: Summary) -> None:
    assert [(s.key, s.name) for s in summary.sheets] == list(SHEETS.items())
    assert [s.name for s in summary.sheets] == ["总览", "合同进程表", "项目", "逾期", "风险", "调整", "场地", "应收",
                                                "本周变化", "趋势", "校验", "来源"]
    for s in summary.sheets:
        keys = {c.key for c in s.columns}
        assert len(keys) == len(s.columns)
        for row in s.rows:
            assert set(row) <= keys, (s.key, set(row) - keys)


def test_sheets_agree_with_hand_figures(summary: Summary) -> None:
    ov = summary.sheet("overview").rows
    assert {r["item"]: r["amount"] for r in ov if r["group"] == "应收账龄"} == AGEING
    assert {r["item"]: r["count"] for r in ov if r["group"] == "RAG"} == {"红": 2, "黄": 1, "绿": 1}
    stage_counts = {r["item"]: r["count"] for r in ov if r["group"] == "当前阶段" and r["count"]}
    assert stage_counts == {"国际运输": 1, "产品下单": 1, "未开始": 1, "无合同进程表": 1}
    kpis = {k.key: k.value for k in summary.kpis}
    assert kpis["receivable"] == RECEIVABLE and kpis["overdue_receivable"] == OVERDUE_RECEIVABLE

    contracts = summary.sheet("contracts").rows
    assert sum(r["amount"] for r in contracts) == 4_200_000  # contract tables only (P4 has none)
    assert sum(r["receivable"] for r in contracts) == RECEIVABLE
    assert sum(r["overdue_receivable"] for r in contracts) == OVERDUE_RECEIVABLE
    p2 = next(r for r in contracts if _text(r["contract_no"]) == "HT-P2")
    assert (p2["rag"], p2["days_late"], p2["s04_planned"], p2["s06_planned"]) == ("黄", 5, "不适用", date(2026, 3, 11))

    projects = summary.sheet("projects").rows
    assert sum(r["contract_value"] for r in projects) == CONTRACT_VALUE
    assert {_text(r["project_id"]): r["rag"] for r in projects} == {"P1": "红", "P2": "黄", "P3": "红", "P4": "绿"}

    overdue = summary.sheet("overdue").rows
    assert [(_text(r["item"]), r["days"]) for r in overdue] == [(o[3], o[4]) for o in OVERDUE]
    link = overdue[1]["item"]  # P1 清关
    assert (link.target, link.cell) == ("P1/合同进程表-HT-P1.xlsx", "'合同进程'!B7")

    recv = summary.sheet("receivables").rows
    assert len(recv) == 13
    assert sum(r["receivable"] for r in recv) == RECEIVABLE
    labels = ["未到期", "0–30", "31–60", "61–90", ">90"]
    assert {b: sum(r[f"age_{i}"] or 0 for r in recv) for i, b in enumerate(labels)} == AGEING


def test_list_sheets(summary: Summary) -> None:
    risks = [(_text(r["project_id"]), _text(r["risk_id"]), r["level"]) for r in summary.sheet("risks").rows]
    assert risks == [("P1", "R01", "高"), ("P3", "R01", "高"), ("P1", "R02", "高"), ("P2", "R01", "中"),
                     ("P4", "R01", "低")]  # by level, then score 0.36, 0.28, 0.2
    adjs = [(r["project_id"], _text(r["adjustment_no"]), r["result"]) for r in summary.sheet("adjustments").rows]
    assert adjs == [("P4", "ADJ-02", "待审批"), ("P2", "ADJ-01", "待审批"), ("P4", "ADJ-01", "批准"),
                    ("P2", "ADJ-02", "批准")]
    sites = summary.sheet("sites").rows
    assert [(_text(r["site_name"]), r["not_ready"]) for r in sites][0] == ("一号机房", "是")
    assert sites[0]["nonconforming"] == "净高 2.4（≥2.6） 整改：吊顶加高 期限 2026-03-18"
    assert len(sites) == 3

    findings = summary.sheet("findings").rows
    assert [r["severity"] for r in findings] == ["错误", "错误", "警告", "提示"]
    f = next(r for r in findings if r["code"] == "stage-order")
    assert (f["address"].target, f["address"].cell) == ("P1/合同进程表-HT-P1.xlsx", "'合同进程'!C7")

    sources = summary.sheet("sources").rows
    assert len(sources) == 17
    states = {_text(r["path"]): r["status"] for r in sources}
    assert states["坏文件/损坏.xlsx"] == "无法读取" and states["~$项目计划书.xlsx"] == "已跳过"
    assert states["P1/合同进程表-HT-P1.xlsx"] == "有错误"


def test_charts(summary: Summary) -> None:
    charts = {(c.sheet, c.title): c for c in summary.charts}
    ageing = charts[("overview", "应收账龄（元）")]
    assert dict(zip(ageing.categories, ageing.series[0][1], strict=True)) == AGEING
    rag = charts[("overview", "项目 RAG")]
    assert rag.series[0][1] == [2.0, 1.0, 1.0]
    assert sum(charts[("overview", "项目按合同阶段")].series[0][1]) == 4
    assert {c.kind for c in summary.charts if c.sheet == "trend"} == {"line"}


def test_english_reasons(model: RollupModel) -> None:
    s = build_summary(model, compute_kpis(model), lang="en")
    p1 = next(r for r in s.sheet("projects").rows if _text(r["project_id"]) == "P1")
    assert p1["reasons"].startswith("stage '清关' 24 days late")
