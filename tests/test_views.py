"""Role views of the small hand-computed centre (rollupcentre.py): every figure read back from the view
workbooks equals the summary workbook's and the figures worked out by hand here."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import rollupcentre as C
import rollupfactory as F
from viewsread import kpis, load, table

from pimxl.config import Settings
from pimxl.rollup.aggregate import build_model
from pimxl.rollup.kpis import KPI_LABELS, compute_kpis
from pimxl.rollup.roster import NO_NAME, Roster, clean_name
from pimxl.rollup.sheets import build_summary
from pimxl.rollup.summary_writer import write_summary
from pimxl.rollup.views import file_part, short_why, view_file_name
from pimxl.rollup.views_run import write_model_views

WEEK = "2026-W12"  # 2026-03-16


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("views")
    model = build_model(C.centre(2), C.AS_OF_2)
    write_summary(build_summary(model, compute_kpis(model)), d / "汇总.xlsx")
    write_model_views(model, d / "视图")
    return d


def _by(rows: list[dict[str, Any]], key: str) -> dict[Any, dict[str, Any]]:
    return {r[key]: r for r in rows}


def test_file_names(out: Path) -> None:
    assert sorted(p.name for p in (out / "视图").iterdir()) == sorted([
        f"合同进程简表-{WEEK}.xlsx", f"合同状态反馈表-刘洋-{WEEK}.xlsx", f"合同状态反馈表-李娜-{WEEK}.xlsx",
        f"项目经理待办-王磊-{WEEK}.xlsx", f"项目经理待办-陈明-{WEEK}.xlsx"])
    assert view_file_name("合同状态反馈表", C.AS_OF_2, "a/b:c") == f"合同状态反馈表-a_b_c-{WEEK}.xlsx"
    assert file_part("  ") == "_"


def test_brief(out: Path) -> None:
    ws = load(out / "视图" / f"合同进程简表-{WEEK}.xlsx")["合同进程简表"]
    rows = table(ws, "事业部")
    # By hand: 一部 = P1 + P3 + P4, 网络 = P2 (rollupcentre.py). Receivable: only P1 预付款 ¥200,000 (73 days)
    # and HT-P3A 预付款 ¥150,000 (24 days) are due, both overdue; P2's 到货款/初验款 and HT-P3B's 预付款 are
    # not due (their trigger stages are not done, whatever 应收日期 says).
    got = [(r["事业部"], r["项目数"], r["合同金额"], r["已收款"], r["应收款"], r["逾期应收"], r["红"], r["黄"], r["绿"])
           for r in rows]
    assert got == [
        ("系统集成事业一部", 3, 2_500_000, 150_000, 350_000, 350_000, 2, 0, 1),
        ("网络集成事业部", 1, 2_500_000, 750_000, 0, 0, 0, 1, 0),
        ("合计", 4, 5_000_000, 900_000, 350_000, 350_000, 2, 1, 1),
    ]
    # The total equals the summary's 总览 KPIs.
    k = kpis(load(out / "汇总.xlsx")["总览"])
    keys = ("projects", "contract_value", "received", "receivable", "overdue_receivable", "red", "amber", "green")
    assert tuple(k[KPI_LABELS[key][0]] for key in keys) == got[-1][1:]
    red = table(ws, "事业部", 1)
    # P1 first: more overdue receivable (¥200,000 vs ¥150,000).
    assert [(r["项目编号"], r["逾期应收"]) for r in red] == [("P1", 200_000), ("P3", 150_000)]
    assert red[0]["红色原因"].startswith("阶段“清关”逾期 24 天")
    assert red[1]["红色原因"].startswith("高风险“R01”超过应对期限 6 天")
    summary_projects = _by(table(load(out / "汇总.xlsx")["项目"], "项目编号"), "项目编号")
    for r in red:
        assert summary_projects[r["项目编号"]]["RAG"] == "红"
        assert r["合同金额"] == summary_projects[r["项目编号"]]["合同金额"]


def test_sales(out: Path) -> None:
    summary = load(out / "汇总.xlsx")
    contracts = _by(table(summary["合同进程表"], "项目编号"), "合同编号")
    wb = load(out / "视图" / f"合同状态反馈表-李娜-{WEEK}.xlsx")
    rows = table(wb["合同状态"], "合同编号")
    assert [r["合同编号"] for r in rows] == ["HT-P1", "HT-P3A", "HT-P3B"]
    for r in rows:
        s = contracts[r["合同编号"]]
        for col in ("合同金额", "当前阶段", "下一阶段", "逾期天数", "已收款", "应收款", "逾期应收"):
            assert r[col] == s[col], (r["合同编号"], col)
    p1 = rows[0]
    # 清关 open 24 days late; current stage 国际运输 done 02-12, planned 02-10: 2 days behind plan.
    assert (p1["当前阶段"], p1["偏差天数"], p1["下一阶段"], p1["逾期天数"]) == ("国际运输", 2, "清关", 24)
    k = kpis(wb["合同状态"])
    # HT-P1 + HT-P3A + HT-P3B; receivable ¥200,000 + ¥150,000 (HT-P3B's 预付款 is not due: 合同签订 not done).
    assert (k["合同金额"], k["已收款"], k["应收款"], k["逾期应收"]) == (1_700_000, 150_000, 350_000, 350_000)
    assert (k["红（合同数）"], k["黄（合同数）"], k["绿（合同数）"]) == (3, 0, 0)
    assert k["反馈日期"].date() == C.AS_OF_2
    chase = table(wb["待催收应收"], "项目编号")
    assert [(r["合同编号"], r["收款节点"], r["应收金额"], r["逾期天数"]) for r in chase] == [
        ("HT-P1", "预付款", 200_000, 73), ("HT-P3A", "预付款", 150_000, 24)]
    agree = table(wb["待协商调整"], "项目编号")
    assert [(r["项目编号"], r["调整单号"], r["待审批天数"]) for r in agree] == [("P4", "ADJ-02", 4)]
    risks = table(wb["风险"], "项目编号")
    assert [(r["项目编号"], r["风险编号"], r["等级"]) for r in risks] == [
        ("P1", "R01", "高"), ("P3", "R01", "高"), ("P1", "R02", "高"), ("P4", "R01", "低")]
    # The same risks, with the same figures, as on the summary's 风险 sheet.
    summary_risks = {(r["项目编号"], r["风险编号"]): r for r in table(summary["风险"], "项目编号")}
    for r in risks:
        assert r["超期天数"] == summary_risks[(r["项目编号"], r["风险编号"])]["超期天数"]

    wb = load(out / "视图" / f"合同状态反馈表-刘洋-{WEEK}.xlsx")
    k = kpis(wb["合同状态"])
    # P2: 预付款 paid; 到货款 and 初验款 have a passed (today's) 应收日期 but 到货验货/系统初验 are not done.
    assert (k["合同金额"], k["已收款"], k["应收款"], k["逾期应收"]) == (2_500_000, 750_000, 0, 0)
    assert table(wb["待催收应收"], "项目编号") == []
    assert [r["调整单号"] for r in table(wb["待协商调整"], "项目编号")] == ["ADJ-01"]


def test_pm(out: Path) -> None:
    summary = load(out / "汇总.xlsx")
    wb = load(out / "视图" / f"项目经理待办-王磊-{WEEK}.xlsx")
    k = kpis(wb["待办"])
    assert (k["负责项目"], k["过期表格"], k["缺少表格"], k["逾期事项"], k["待修正错误"], k["待修正警告"],
            k["待签字调整"], k["姓名未登记"]) == (3, 0, 1, 6, 1, 1, 1, 0)  # 逾期: the 6 of P1 and P3 in 逾期
    forms = table(wb["表格"], "项目编号")
    assert [(r["项目编号"], r["问题"], r["表格/角色"]) for r in forms] == [("P4", "缺少", "合同进程表")]
    overdue = table(wb["逾期"], "类别")
    summary_overdue = [r for r in table(summary["逾期"], "类别") if r["项目编号"] in ("P1", "P3")]
    assert [(r["项目编号"], r["事项"], r["逾期天数"]) for r in overdue] == \
        [(r["项目编号"], r["事项"], r["逾期天数"]) for r in summary_overdue]
    fix = table(wb["待修正"], "级别")
    assert [(r["级别"], r["代码"], r["单元格"]) for r in fix] == [
        ("错误", "stage-order", "'合同进程'!C7"), ("警告", "invoice-first", "'收款计划'!H3")]
    # The cell is a link into the source file.
    link = next(c for c in wb["待修正"]["D"] if c.value == "'合同进程'!C7")
    assert link.hyperlink is not None and link.hyperlink.target.endswith("合同进程表-HT-P1.xlsx")
    adj = table(wb["待签字调整"], "项目编号")
    assert [(r["调整单号"], r["缺少签字"]) for r in adj] == [("ADJ-02", "销售经理、客服中心部门经理")]

    wb = load(out / "视图" / f"项目经理待办-陈明-{WEEK}.xlsx")
    forms = table(wb["表格"], "项目编号")
    assert [(r["问题"], r["天数"]) for r in forms] == [("过期", 24)]  # 最后更新 02-20
    assert [r["逾期天数"] for r in table(wb["逾期"], "类别")] == [15, 5]  # risk R01, stage 国内运输
    assert table(wb["待修正"], "级别") == []  # P2 has an info only


def test_site_form_missing_before_installation(tmp_path: Path) -> None:
    # 安装调试 planned in 10 days, no site form → missing; in 20 days → nothing yet.
    results = [F.plan("S1", amount=100), F.contract("S1", amount=100, last_updated=C.AS_OF_2,
                                                    stages={"安装调试": (date_in(10), None)}),
               F.plan("S2", amount=100), F.contract("S2", amount=100, last_updated=C.AS_OF_2,
                                                    stages={"安装调试": (date_in(20), None)})]
    write_model_views(build_model(results, C.AS_OF_2), tmp_path)
    forms = table(load(tmp_path / f"项目经理待办-王磊-{WEEK}.xlsx")["表格"], "项目编号")
    assert [(r["项目编号"], r["表格/角色"], r["天数"]) for r in forms] == [("S1", "用户场地环境确认表", 10)]


def date_in(days: int) -> Any:
    from datetime import timedelta

    return C.AS_OF_2 + timedelta(days=days)


@pytest.mark.parametrize(("written", "clean"), [
    (" 王　磊 ", "王磊"), ("Ｌｉ  Ｎａ", "Li Na"), ("李娜\n", "李娜"), (None, ""), ("王 磊(PM)", "王磊(PM)"),
])
def test_clean_name(written: Any, clean: str) -> None:
    assert clean_name(written) == clean


def test_roster_resolves_aliases_and_flags_unknown(tmp_path: Path) -> None:
    roster = Roster.from_settings({"李娜": ["Li Na"], "王磊": []})
    assert [roster.resolve(n) for n in ("ｌｉ ｎａ", "李 娜", "王磊", "张三", "")] == ["李娜", "李娜", "王磊", "张三", NO_NAME]
    assert roster.unknown == {"张三"} and not roster.known("张三") and roster.known("LI NA")
    assert Roster.from_settings({}).known("anyone")

    settings = Settings(roster={"李娜": ["Li Na"], "王磊": []})
    results = [F.plan("A1", amount=100, sales_rep="Ｌｉ Ｎａ"),
               F.contract("A1", amount=100, last_updated=C.AS_OF_2, sales_rep="Li Na", stages={}),
               F.plan("A2", amount=100, sales_rep="张三"),
               F.contract("A2", amount=100, last_updated=C.AS_OF_2, sales_rep="张三", stages={})]
    written = write_model_views(build_model(results, C.AS_OF_2, settings), tmp_path)
    names = sorted(p.name for _, p in written)
    assert names == sorted([f"合同进程简表-{WEEK}.xlsx", f"合同状态反馈表-张三-{WEEK}.xlsx",
                            f"合同状态反馈表-李娜-{WEEK}.xlsx", f"项目经理待办-王磊-{WEEK}.xlsx"])
    assert [v.person for v, _ in written if v.unknown_name] == ["张三"]
    forms = table(load(tmp_path / f"项目经理待办-王磊-{WEEK}.xlsx")["表格"], "项目编号")
    assert {(r["项目编号"], r["问题"], r["表格/角色"]) for r in forms} == {("A2", "姓名未登记", "销售人员")}
    assert kpis(load(tmp_path / f"项目经理待办-王磊-{WEEK}.xlsx")["待办"])["姓名未登记"] == 1


def test_short_why() -> None:
    from pimxl.rollup.model import Reason

    reasons = [Reason("red", "甲" * 20, "a"), Reason("amber", "乙" * 20, "b"), Reason("red", "丙" * 20, "c")]
    assert short_why(reasons, "zh", "red", limit=200) == "甲" * 20 + "；" + "丙" * 20
    assert short_why(reasons, "zh", limit=60) == "甲" * 20 + "（另 2 项）"
    assert short_why([], "zh") == ""


def test_english(tmp_path: Path) -> None:
    model = build_model(C.centre(2), C.AS_OF_2)
    write_model_views(model, tmp_path, lang="en")
    ws = load(tmp_path / f"合同进程简表-{WEEK}.xlsx")["合同进程简表"]
    assert [r["Division"] for r in table(ws, "Division")][-1] == "Total"
    assert table(ws, "Division", 1)[0]["Why red"]
