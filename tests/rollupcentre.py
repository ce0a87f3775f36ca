"""A small centre of four projects for the rollup tests, in two consecutive weeks.

Every expected figure is worked out by hand in the comments next to the data and repeated as plain
numbers in the tests (never computed with pimxl's own functions).

When a payment node falls due (SPEC §2.5, ``payment_due``): a node whose trigger stage is an applicable
stage of its table falls due once that stage has an actual date, but not before its 应收日期 (the later of
the two); while the trigger stage is not done it is not due, whatever its 应收日期 says. A node without an
applicable trigger stage falls due at its 应收日期. Every contract table here lists all the standard stages,
so every trigger stage below exists and is applicable (none is 不适用).

As of 2026-03-16 (week 2); settings are the defaults: red > 10 days late, receivable red > 60 days,
stale amber > 14 days, site lead 7 days, adjustment pending > 7 days, ageing edges 30/60/90.
"""

from __future__ import annotations

from datetime import date

import rollupfactory as F

from pimxl.results import FileResult

AS_OF_1, AS_OF_2 = date(2026, 3, 9), date(2026, 3, 16)
D = date


def centre(week: int = 2) -> list[FileResult]:
    w2 = week == 2
    out: list[FileResult] = []

    # P1 — red. 清关 planned 02-20 (02-15 in week 1: slipped 5 days), not done → 24 days late (red).
    # 产品下单 done 5 days late (not overdue). 国际运输 completed in week 2.
    # Payments: standard nodes of ¥1,000,000; 预付款 ¥300,000 due 01-02 (合同签订 done 01-02, no 应收日期),
    # ¥100,000 received → receivable ¥200,000, 73 days past due (61–90, red); the other four (¥700,000) not
    # due (their trigger stages 到货验货, 系统初验, 系统终验, 项目结项 are not done).
    # Milestone 设备到货验货 planned 03-10 → 6 days late (amber). WBS leaf 1.2 finish 03-01 → 15 days late.
    out.append(F.plan(
        "P1", amount=1_000_000,
        milestones=[{"milestone": "设备到货验货", "planned_date": D(2026, 3, 10), "status": "进行中"},
                    {"milestone": "系统终验", "planned_date": D(2026, 9, 30)}],
        risks=[{"risk_id": "R01", "description": "清关延误", "probability": 0.9, "impact": 0.4,
                "owner": "赵工", "due": D(2026, 3, 20), "status": "开放"}]
        + ([{"risk_id": "R02", "description": "客户机房改造", "probability": 0.5, "impact": 0.4,
             "owner": "钱工", "due": D(2026, 4, 1), "status": "开放"}] if w2 else []),
        wbs=[{"wbs_code": "1", "task": "项目策划组织", "planned_finish": D(2026, 3, 31), "status": "进行中"},
             {"wbs_code": "1.1", "task": "合同资料", "planned_finish": D(2026, 1, 10), "actual_finish": D(2026, 1, 10),
              "percent_complete": 1.0, "status": "已完成"},
             {"wbs_code": "1.2", "task": "项目计划", "owner": "孙工", "planned_finish": D(2026, 3, 1),
              "percent_complete": 0.5, "status": "进行中"}],
    ))
    out.append(F.contract(
        "P1", amount=1_000_000, last_updated=D(2026, 3, 14),
        stages={"合同签订": (D(2026, 1, 2), D(2026, 1, 2)), "国内采购通知": (D(2026, 1, 10), D(2026, 1, 10)),
                "产品下单": (D(2026, 1, 20), D(2026, 1, 25)),
                "国际运输": (D(2026, 2, 10), D(2026, 2, 12) if w2 else None, "已完成" if w2 else "进行中"),
                "清关": (D(2026, 2, 20) if w2 else D(2026, 2, 15), None),
                "安装调试": (D(2026, 5, 10), None)},
        payments=[{"node": "预付款", "ratio": 0.3, "trigger_stage": "合同签订", "received": 100_000},
                  {"node": "到货款", "ratio": 0.3, "trigger_stage": "到货验货"},
                  {"node": "初验款", "ratio": 0.2, "trigger_stage": "系统初验"},
                  {"node": "终验款", "ratio": 0.15, "trigger_stage": "系统终验"},
                  {"node": "质保金", "ratio": 0.05, "trigger_stage": "项目结项"}],
        findings=[F.finding("stage-order", "error", "P1/合同进程表-HT-P1.xlsx", cell="C7"),
                  F.finding("invoice-first", "warning", "P1/合同进程表-HT-P1.xlsx", sheet="收款计划", cell="H3")],
    ))

    # P2 — amber. Domestic (国际运输/清关 不适用); 国内运输 planned 03-11 → 5 days late (amber);
    # 最后更新日期 02-20 → 24 days stale (amber); ADJ-01 待审批 since 03-01 → 15 days (amber).
    # Contract ¥2,500,000 (the plan says ¥2,000,000: the contract table wins).
    # 预付款 ¥750,000 paid; 到货款 0.3 → ¥750,000 with 应收日期 02-01 passed, but its trigger stage 到货验货 is
    # not done → not due (未到期); 初验款 0.2 → ¥500,000 with 应收日期 today, but 系统初验 not done → not due;
    # 终验款 ¥375,000, 质保金 ¥125,000 not due. So P2 has no receivable: ¥1,750,000 未到期.
    # Risk R01 (0.5×0.2 = 0.1 中) open past 03-01 → overdue 15 days, not a RAG reason (not 高). R02 closed.
    out.append(F.plan(
        "P2", amount=2_000_000, findings=[F.finding("date-normalised", "info", "P2/项目计划书.xlsx", "项目信息", "B9")],
        risks=[{"risk_id": "R01", "description": "供货延迟", "probability": 0.5, "impact": 0.2, "owner": "周工",
                "due": D(2026, 3, 1)},
               {"risk_id": "R02", "description": "人员不足", "probability": 0.9, "impact": 0.8, "status": "已关闭",
                "due": D(2026, 2, 1)}],
        division="网络集成事业部", project_manager="陈明", sales_rep="刘洋",
    ))
    out.append(F.contract(
        "P2", amount=2_500_000, last_updated=D(2026, 2, 20), division="网络集成事业部", project_manager="陈明",
        sales_rep="刘洋",
        stages={"合同签订": (D(2026, 1, 5), D(2026, 1, 5)), "国内采购通知": (D(2026, 1, 15), D(2026, 1, 15)),
                "产品下单": (D(2026, 2, 1), D(2026, 2, 1)), "国际运输": (None, None, "不适用"),
                "清关": (None, None, "不适用"), "国内运输": (D(2026, 3, 11), None)},
        payments=[{"node": "预付款", "ratio": 0.3, "amount": 750_000, "trigger_stage": "合同签订", "received": 750_000},
                  {"node": "到货款", "ratio": 0.3, "trigger_stage": "到货验货", "due_date": D(2026, 2, 1)},
                  {"node": "初验款", "ratio": 0.2, "trigger_stage": "系统初验", "due_date": D(2026, 3, 16)},
                  {"node": "终验款", "ratio": 0.15, "trigger_stage": "系统终验"},
                  {"node": "质保金", "ratio": 0.05, "trigger_stage": "项目结项"}],
    ))
    out.append(F.adjustment("P2", "ADJ-01", result="待审批", requested_on=D(2026, 3, 1)))
    out.append(F.adjustment("P2", "ADJ-02", result="批准", requested_on=D(2026, 2, 1), new_finish=D(2027, 1, 31)))

    # P3 — red, two contracts (¥400,000 + ¥300,000 = ¥700,000; the plan's ¥600,000 is not used).
    # HT-P3A: 预付款 ¥200,000 due 02-20 (合同签订 done 02-20, no 应收日期), ¥50,000 received → ¥150,000,
    #         24 days (0–30, overdue); 终验款 ¥200,000 not due.
    # HT-P3B: 预付款 ratio 1 → ¥300,000; 应收日期 2025-12-01 has passed but 合同签订 (planned 04-01) is not done
    #         → not due (未到期); HT-P3B has no other reason, so it is green.
    # High risk R01 (0.7×0.4 = 0.28) open past 03-10 → 6 days (red); site 一号机房 不具备, entry 03-20 → 4 days (red);
    # site 二号机房 有条件具备, entry 05-01 (46 days: not yet a concern).
    out.append(F.plan("P3", amount=600_000, risks=[
        {"risk_id": "R01", "description": "机房未完工", "probability": 0.7, "impact": 0.4, "owner": "吴工",
         "due": D(2026, 3, 10)}]))
    out.append(F.contract(
        "P3", contract_no="HT-P3A", amount=400_000, last_updated=D(2026, 3, 15),
        stages={"合同签订": (D(2026, 2, 20), D(2026, 2, 20)), "国内采购通知": (D(2026, 3, 17), None),
                "安装调试": (D(2026, 4, 20), None)},
        payments=[{"node": "预付款", "ratio": 0.5, "amount": 200_000, "trigger_stage": "合同签订", "received": 50_000},
                  {"node": "终验款", "ratio": 0.5, "amount": 200_000, "trigger_stage": "系统终验"}],
    ))
    out.append(F.contract(
        "P3", contract_no="HT-P3B", amount=300_000, last_updated=D(2026, 3, 16),
        stages={"合同签订": (D(2026, 4, 1), None)},
        payments=[{"node": "预付款", "ratio": 1.0, "trigger_stage": "合同签订", "due_date": D(2025, 12, 1)}],
    ))
    out.append(F.site("P3", "一号机房", conclusion="不具备", planned_entry=D(2026, 3, 20), checks=[
        {"item": "净高", "requirement": "≥2.6", "measured": 2.4, "result": "不符合", "remedy": "吊顶加高",
         "remedy_due": D(2026, 3, 18)},
        {"item": "温度", "requirement": "18–27", "measured": 22, "result": "符合"}]))
    out.append(F.site("P3", "二号机房", conclusion="有条件具备", planned_entry=D(2026, 5, 1)))

    # P4 — green, new in week 2. Plan only: contract value ¥800,000 from the plan. Site 具备; adjustments:
    # ADJ-01 批准, ADJ-02 待审批 since 03-12 (4 days: pending, not amber). Risk R01 0.1×0.1 = 0.01 低.
    if w2:
        out.append(F.plan("P4", amount=800_000, milestones=[{"milestone": "项目启动", "planned_date": D(2026, 4, 1)}],
                          risks=[{"risk_id": "R01", "description": "需求变化", "probability": 0.1, "impact": 0.1,
                                  "due": D(2026, 6, 1)}]))
        out.append(F.site("P4", "主机房", conclusion="具备", planned_entry=D(2026, 3, 18)))
        out.append(F.adjustment("P4", "ADJ-01", result="批准", requested_on=D(2026, 2, 10)))
        out.append(F.adjustment("P4", "ADJ-02", result="待审批", requested_on=D(2026, 3, 12)))

    # Files that are not rolled up but must be accounted for.
    out.append(F.unreadable("坏文件/损坏.xlsx", code="file-corrupt", reason="文件已损坏"))
    out.append(F.unreadable("~$项目计划书.xlsx", code="lock-file", reason="Excel 锁文件", status="skipped"))
    return out
