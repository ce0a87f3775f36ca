"""Definitions at their edges: ageing buckets, payment due dates, RAG thresholds, grouping."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import rollupfactory as F

from pimxl.config import Settings
from pimxl.rollup.ageing import bucket_labels, bucket_of, payment_row
from pimxl.rollup.aggregate import build_model
from pimxl.rollup.kpis import compute_kpis

AS_OF = date(2026, 3, 16)


def ago(days: int) -> date:
    return AS_OF - timedelta(days=days)


@pytest.mark.parametrize(("days", "bucket"), [
    (0, "0–30"), (30, "0–30"), (31, "31–60"), (60, "31–60"), (61, "61–90"), (90, "61–90"), (91, ">90"), (400, ">90"),
])
def test_bucket_of(days: int, bucket: str) -> None:
    assert bucket_of(days, (30, 60, 90)) == bucket


def test_bucket_labels() -> None:
    assert bucket_labels((30, 60, 90)) == ["未到期", "0–30", "31–60", "61–90", ">90"]
    assert bucket_labels((15, 45)) == ["未到期", "0–15", "16–45", ">45"]
    assert bucket_of(16, (15, 45)) == "16–45" and bucket_of(46, (15, 45)) == ">45"


def _pay(row: dict, actuals: dict | None = None, amount: float = 1000.0):  # noqa: ANN202
    return payment_row(row, contract_amount=amount, stage_actuals=actuals or {}, as_of=AS_OF, edges=(30, 60, 90))


def test_payment_due_date() -> None:
    # Trigger done 10 days ago, 应收日期 earlier: the later date (the trigger's) decides.
    p = _pay({"node": "到货款", "ratio": 0.3, "trigger_stage": "到货验货", "due_date": ago(100)}, {"到货验货": ago(10)})
    assert (p.amount, p.due_date, p.days_past_due, p.bucket, p.receivable) == (300.0, ago(10), 10, "0–30", 300.0)
    # Trigger done, 应收日期 (payment term) still ahead: not due yet.
    p = _pay({"node": "质保金", "ratio": 0.05, "trigger_stage": "项目结项", "due_date": AS_OF + timedelta(days=300)},
             {"项目结项": ago(60)})
    assert (p.is_due, p.bucket, p.receivable) == (False, "未到期", 0.0)
    # Trigger stage in the table but not done: not due even though 应收日期 has passed.
    p = _pay({"node": "到货款", "ratio": 0.3, "trigger_stage": "到货验货", "due_date": ago(5)}, {"到货验货": None})
    assert (p.is_due, p.bucket, p.unpaid, p.receivable, p.overdue) == (False, "未到期", 300.0, 0.0, False)
    # Trigger done on the very day of 应收日期: due that day.
    p = _pay({"node": "到货款", "ratio": 0.3, "trigger_stage": "到货验货", "due_date": ago(20)}, {"到货验货": ago(20)})
    assert (p.due_date, p.days_past_due, p.receivable, p.overdue) == (ago(20), 20, 300.0, True)
    # Trigger stage not in the table (no applicable trigger stage): 应收日期 alone decides —
    # in the future → not due, unpaid counted as 未到期, receivable 0;
    p = _pay({"node": "到货款", "ratio": 0.3, "trigger_stage": "到货验货", "due_date": AS_OF + timedelta(days=1)})
    assert (p.is_due, p.bucket, p.unpaid, p.receivable, p.overdue) == (False, "未到期", 300.0, 0.0, False)
    # passed 40 days ago → due, 40 days (31–60).
    p = _pay({"node": "到货款", "ratio": 0.3, "trigger_stage": "到货验货", "due_date": ago(40)}, {"系统初验": ago(3)})
    assert (p.due_date, p.days_past_due, p.bucket, p.receivable) == (ago(40), 40, "31–60", 300.0)
    # No applicable trigger stage and no 应收日期: never due.
    assert not _pay({"node": "质保金", "ratio": 0.05}).is_due
    assert not _pay({"node": "质保金", "ratio": 0.05, "trigger_stage": "项目结项"}).is_due
    # Paid in full (or more): nothing unpaid.
    p = _pay({"node": "预付款", "amount": 300, "received": 350, "trigger_stage": "合同签订"}, {"合同签订": ago(5)})
    assert (p.unpaid, p.receivable, p.bucket, p.overdue) == (0.0, 0.0, "已收讫", False)
    # Due today is receivable but not overdue; yesterday is overdue.
    assert not _pay({"node": "x", "amount": 1, "due_date": AS_OF}).overdue
    assert _pay({"node": "x", "amount": 1, "due_date": ago(1)}).overdue


def test_payment_due_in_the_model() -> None:
    # 到货验货 is 不适用: no applicable trigger stage, so 到货款 falls due at its 应收日期, 10 days ago.
    # 初验款's 系统初验 is in the table but not done: not due although its 应收日期 passed 30 days ago.
    # 预付款's 合同签订 was done 200 days ago, its 应收日期 5 days ago: due 5 days ago (the later date).
    # A stage row without a name is no stage: 质保金 (no trigger stage) falls due at its 应收日期, 2 days ago.
    c = F.contract("P1", amount=400, stages={"合同签订": (ago(200), ago(200)), "到货验货": (None, None, "不适用")},
                   payments=[{"node": "预付款", "amount": 100, "trigger_stage": "合同签订", "due_date": ago(5)},
                             {"node": "到货款", "amount": 100, "trigger_stage": "到货验货", "due_date": ago(10)},
                             {"node": "初验款", "amount": 100, "trigger_stage": "系统初验", "due_date": ago(30)},
                             {"node": "质保金", "amount": 100, "due_date": ago(2)}],
                   last_updated=AS_OF)
    c.record.tables["stages"][-1].cells["stage"].value = None  # type: ignore[union-attr]
    m = build_model([c], AS_OF)
    got = {n.node: (n.due_date, n.days_past_due, n.receivable) for n in m.contracts[0].payments}
    assert got == {"预付款": (ago(5), 5, 100), "到货款": (ago(10), 10, 100), "初验款": (None, 0, 0),
                   "质保金": (ago(2), 2, 100)}
    assert m.contracts[0].receivable == 300


def _centre(stage_late: int = 0, recv_days: int = 0, stale: int = 0, pending: int | None = None,
            site_days: int | None = None, install_done: bool = False, settings: Settings | None = None):  # noqa: ANN202
    stages = {"合同签订": (ago(200), ago(200)), "安装调试": (ago(1), ago(1)) if install_done else (ago(-30), None)}
    if stage_late:
        stages["产品下单"] = (ago(stage_late), None)
    pays = [{"node": "预付款", "amount": 100, "trigger_stage": "合同签订", "received": 100}]
    if recv_days:
        # 到货验货 done recv_days ago; 应收日期 20 days earlier: the later date (the stage's) is the due date.
        stages["到货验货"] = (ago(recv_days), ago(recv_days))
        pays.append({"node": "到货款", "amount": 50, "trigger_stage": "到货验货", "due_date": ago(recv_days + 20)})
    files = [F.contract("P1", amount=150, stages=stages, payments=pays, last_updated=ago(stale))]
    if pending is not None:
        files.append(F.adjustment("P1", "ADJ-01", result="待审批", requested_on=ago(pending)))
    if site_days is not None:
        files.append(F.site("P1", "机房", conclusion="有条件具备", planned_entry=AS_OF + timedelta(days=site_days)))
    return build_model(files, AS_OF, settings).projects["P1"]


@pytest.mark.parametrize(("kw", "rag"), [
    ({}, "green"),
    ({"stage_late": 1}, "amber"), ({"stage_late": 10}, "amber"), ({"stage_late": 11}, "red"),
    ({"recv_days": 60}, "green"), ({"recv_days": 61}, "red"),
    ({"stale": 14}, "green"), ({"stale": 15}, "amber"),
    ({"pending": 7}, "green"), ({"pending": 8}, "amber"),
    ({"site_days": 8}, "green"), ({"site_days": 7}, "red"), ({"site_days": -3}, "red"),
    ({"site_days": 3, "install_done": True}, "green"),
    ({"stage_late": 5, "settings": Settings(red_days_late=3)}, "red"),
    ({"recv_days": 40, "settings": Settings(red_receivable_days=30)}, "red"),
])
def test_rag_thresholds(kw: dict, rag: str) -> None:
    p = _centre(**kw)
    assert p.rag == rag, [r.zh for r in p.reasons]
    assert bool(p.reasons) == (rag != "green")


def test_site_reason_words() -> None:
    p = _centre(site_days=-3)
    assert p.reasons[0].zh == "场地“机房”未具备（有条件具备），已过计划进场 3 天"


def test_latest_contract_table_wins_and_orphans() -> None:
    old = F.contract("P1", amount=100, stages={}, last_updated=ago(30), path="old/合同.xlsx")
    new = F.contract("P1", amount=200, stages={}, last_updated=ago(1), path="new/合同.xlsx")
    orphan = F.contract("P9", amount=999, stages={}, last_updated=ago(1), path="x.xlsx")
    orphan.record.form.pop("project_id")  # type: ignore[union-attr]
    m = build_model([old, new, orphan], AS_OF)
    assert list(m.projects) == ["P1"]
    assert [c.amount for c in m.contracts] == [200]
    assert len(m.sources) == 3  # every file is still accounted for
    assert compute_kpis(m)["contract_value"] == 200


def test_risk_level_follows_settings() -> None:
    plan = F.plan("P1", amount=1, risks=[{"risk_id": "R1", "description": "x", "probability": 0.5, "impact": 0.2,
                                          "level": "中", "due": ago(3)}])
    p = build_model([plan], AS_OF, Settings(risk_high=0.1)).projects["P1"]
    assert p.risks[0].level == "高" and p.rag == "red"
    assert build_model([plan], AS_OF).projects["P1"].rag == "green"  # 中 risk past deadline: overdue, not red


def test_unreadable_file_is_one_error_finding() -> None:
    m = build_model([F.unreadable("a.xlsx", code="file-encrypted", reason="文件已加密")], AS_OF)
    assert [(f.code, f.severity, f.message_zh) for f in m.findings] == [("file-encrypted", "error", "文件已加密")]
    assert compute_kpis(m)["findings_error"] == 1 and m.projects == {}


def test_thousand_projects_is_fast() -> None:
    import time

    files = []
    for i in range(1000):
        pid = f"P{i:04d}"
        files += [F.plan(pid, amount=1000, milestones=[{"milestone": "m", "planned_date": ago(i % 30)}]),
                  F.contract(pid, amount=1000, stages={"合同签订": (ago(60), ago(60)), "产品下单": (ago(i % 20), None)},
                             last_updated=ago(i % 20))]
    t = time.perf_counter()
    m = build_model(files, AS_OF)
    compute_kpis(m)
    assert time.perf_counter() - t < 5
    assert len(m.projects) == 1000
