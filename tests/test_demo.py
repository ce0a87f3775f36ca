"""`pimxl demo DIR`: the newcomer's first command builds a realistic centre and rolls it up twice.

Everything is asserted from the outputs (the workbooks on disk, read with plain openpyxl, and the
summary), not from the demo's own data structures.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import openpyxl
import pytest
from e2e_helpers import (
    BUCKETS,
    DEMO_AS_OF,
    Centre,
    expected_figures,
    pimxl,
    read_centre,
    shared_demo,
    sheet_rows,
    zh_header_row,
)

from pimxl.templates.header import DIVISIONS
from pimxl.templates.vocab import CONTRACT_STAGES


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return shared_demo(tmp_path_factory)[0]


@pytest.fixture(scope="module")
def centre(demo: Path) -> Centre:
    return read_centre(demo / "项目")


def _d(v: object) -> date | None:
    return v.date() if hasattr(v, "date") else None  # type: ignore[union-attr]


def test_prints_where_the_summary_is(tmp_path_factory: pytest.TempPathFactory) -> None:
    target, proc = shared_demo(tmp_path_factory)
    summary = target / "汇总" / "汇总-2026-W48.xlsx"
    assert str(summary) in proc.stdout
    assert (target / "汇总" / "汇总-2026-W47.xlsx").is_file() and summary.is_file()
    assert (target / "汇总" / "pimxl-history.sqlite").is_file()
    assert (target / "pimxl.toml").is_file()


def test_centre_is_realistic(demo: Path, centre: Centre) -> None:
    plans = [form for _, form, _ in centre.plans]
    assert len(plans) >= 40 and len({f["项目编号"] for f in plans}) == len(plans)
    assert {f["事业部"] for f in plans} == set(DIVISIONS)
    for division in DIVISIONS:  # projects live in division folders
        assert len(list((demo / "项目" / division).iterdir())) >= 8
    assert 8 <= len({f["项目经理"] for f in plans}) <= 12
    assert 6 <= len({f["销售人员"] for f in plans}) <= 10

    # every stage reached by some contract
    reached = {s["阶段"] for c in centre.contracts for s in c.stages if _d(s["实际日期"])}
    assert reached == set(CONTRACT_STAGES)
    # stale tables
    stale = [c for c in centre.contracts if (DEMO_AS_OF - _d(c.form["最后更新日期"])).days > 7]  # type: ignore[operator]
    assert len(stale) >= 2
    # pending and approved adjustments
    results = [form["审批结果"] for _, form in centre.adjustments]
    assert results.count("待审批") >= 2 and results.count("批准") >= 2
    exp = expected_figures(centre, DEMO_AS_OF)
    assert exp["overdue_stages"] > 0 and exp["totals"]["overdue_receivable"] > 0
    assert exp["pending_adjustments"] >= 2 and exp["sites_not_ready"] >= 1
    assert all(exp["ageing"][b] > 0 for b in BUCKETS), exp["ageing"]
    assert all(exp["rag"][k] > 0 for k in ("red", "amber", "green"))


def test_typical_mistakes_and_one_corrupt_file(demo: Path) -> None:
    proc = pimxl("validate", demo / "项目", "--json", "--as-of", DEMO_AS_OF.isoformat())
    assert proc.returncode == 1
    doc = json.loads(proc.stdout)
    codes = {g["code"] for f in doc["files"] for g in f["findings"]}
    assert {"date-ambiguous", "number-normalised", "date-normalised", "stage-order", "required-missing",
            "complete-status-mismatch", "stale-table", "payment-overdue", "site-not-ready",
            "adjustment-pending-long"} <= codes
    unreadable = [f for f in doc["files"] if f["status"] == "unreadable"]
    corrupt = [f for f in unreadable if "损坏" in (f["reason"] or "")]
    assert len(corrupt) == 1
    assert [f for f in doc["files"] if f["status"] == "skipped"]  # the Excel lock file


def test_two_weekly_rollups_with_changes_and_trend(demo: Path) -> None:
    wb = openpyxl.load_workbook(demo / "汇总" / "汇总-2026-W48.xlsx")
    ws = wb["趋势"]
    trend = sheet_rows(ws, zh_header_row(ws, "截至日期"))
    assert [_d(r["截至日期"]) for r in trend] == [DEMO_AS_OF - timedelta(days=7), DEMO_AS_OF]
    ws = wb["本周变化"]
    kinds = {r["变化"] for r in sheet_rows(ws, zh_header_row(ws, "变化"))}
    assert {"阶段完成", "新风险", "新逾期"} <= kinds
    assert kinds & {"日期推迟", "RAG变化", "新项目"}


def test_summary_figures_match_the_workbooks(demo: Path, centre: Centre) -> None:
    exp = expected_figures(centre, DEMO_AS_OF)
    ws = openpyxl.load_workbook(demo / "汇总" / "汇总-2026-W48.xlsx")["总览"]
    kpi = {a: c for a, _, c, *_ in ws.iter_rows(min_row=zh_header_row(ws, "指标") + 1, max_col=3, values_only=True)
           if a}
    assert kpi["项目数"] == exp["projects"] >= 40
    assert [kpi["合同总额"], kpi["已收款"], kpi["应收款"], kpi["逾期应收款"]] == pytest.approx(
        [exp["totals"][k] for k in ("contract_value", "received", "receivable", "overdue_receivable")])
    assert [kpi["红色项目"], kpi["黄色项目"], kpi["绿色项目"]] == [exp["rag"][k] for k in ("red", "amber", "green")]
    assert kpi["待审批调整"] == exp["pending_adjustments"]
    assert kpi["场地未具备"] == exp["sites_not_ready"]
    assert kpi["逾期合同阶段"] == exp["overdue_stages"]


def test_english(tmp_path: Path) -> None:
    proc = pimxl("demo", tmp_path / "d", "--projects", "4", "--weeks", "1", "--as-of", "2026-11-27", "--lang", "en")
    assert proc.returncode == 0
    assert "summary:" in proc.stdout and "汇总" in proc.stdout  # the file name stays Chinese


def test_bad_usage(tmp_path: Path) -> None:
    proc = pimxl("demo", tmp_path / "d", "--projects", "1")
    assert proc.returncode == 2 and "--projects" in proc.stderr
    proc = pimxl("demo", tmp_path / "d", "--as-of", "27/11/2026")
    assert proc.returncode == 2 and "--as-of" in proc.stderr
