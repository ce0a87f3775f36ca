"""Role views of the demo centre (44 projects): every view's figures against the summary workbook of the same
week, the commands, and the PDFs LibreOffice renders (the leaders' brief on exactly one page)."""

from __future__ import annotations

import json
import subprocess
import time
from collections import Counter, defaultdict
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from lo import convert
from viewsread import kpis, load, table

from pimxl.cli import cli
from pimxl.demo.run import run_demo
from pimxl.rollup.kpis import KPI_LABELS
from pimxl.rollup.views_run import write_views

AS_OF = date(2026, 11, 27)
WEEK = "2026-W48"
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("demo")
    run = run_demo(root, AS_OF, weeks=1, views=False)[-1]
    started = time.perf_counter()
    files = write_views(run, root / "视图")
    seconds = time.perf_counter() - started
    print(f"\nwrite_views: {len(files)} views in {seconds:.2f} s")
    return {"root": root, "run": run, "files": files, "seconds": seconds, "summary": load(run.summary)}


def _views(demo: dict[str, Any], kind: str) -> list[Path]:
    return sorted(p for p in demo["files"] if p.name.startswith(kind))


def test_names_and_count(demo: dict[str, Any]) -> None:
    summary = demo["summary"]
    contracts = table(summary["合同进程表"], "项目编号")
    projects = table(summary["项目"], "项目编号")
    sales = {r["销售人员"] for r in contracts} | {r["销售人员"] for r in projects}
    pms = {r["项目经理"] for r in projects}
    assert sorted(p.name for p in demo["files"]) == sorted(
        [f"合同进程简表-{WEEK}.xlsx"] + [f"合同状态反馈表-{n}-{WEEK}.xlsx" for n in sales]
        + [f"项目经理待办-{n}-{WEEK}.xlsx" for n in pms])
    assert demo["seconds"] < 20
    assert not list((demo["root"] / "视图").glob(".~*"))  # no temporary file left behind


def test_brief_equals_summary(demo: dict[str, Any]) -> None:
    summary = demo["summary"]
    ws = load(_views(demo, "合同进程简表")[0])["合同进程简表"]
    rows = table(ws, "事业部")
    total = rows[-1]
    k = kpis(summary["总览"])
    for key, col in (("projects", "项目数"), ("contract_value", "合同金额"), ("received", "已收款"),
                     ("receivable", "应收款"), ("overdue_receivable", "逾期应收"), ("red", "红"), ("amber", "黄"),
                     ("green", "绿")):
        assert total[col] == pytest.approx(k[KPI_LABELS[key][0]]), key
    # Division by division: from the summary's 项目 and 合同进程表 sheets, summed here.
    want: dict[str, Counter] = defaultdict(Counter)
    for p in table(summary["项目"], "项目编号"):
        w = want[p["事业部"]]
        w["项目数"] += 1
        w["合同金额"] += p["合同金额"]
        w["已收款"] += p["已收款"]
        w["应收款"] += p["应收款"]
        w[p["RAG"]] += 1
    for c in table(summary["合同进程表"], "项目编号"):
        want[c["事业部"]]["逾期应收"] += c["逾期应收"]
    for r in rows[:-1]:
        w = want[r["事业部"]]
        for col in ("项目数", "合同金额", "已收款", "应收款", "逾期应收", "红", "黄", "绿"):
            assert r[col] == pytest.approx(w[col]), (r["事业部"], col)
    # The 总览 事业部 rows give the same counts and values.
    overview = [r for r in table(summary["总览"], "分类") if r["分类"] == "事业部"]
    assert {r["项目"]: (r["数量"], r["金额"]) for r in overview} == \
        {r["事业部"]: (r["项目数"], pytest.approx(r["合同金额"])) for r in rows[:-1]}
    red = table(ws, "事业部", 1)
    assert sorted(r["项目编号"] for r in red) == sorted(
        p["项目编号"] for p in table(summary["项目"], "项目编号") if p["RAG"] == "红")
    assert all(r["红色原因"] for r in red)


def test_sales_equal_summary(demo: dict[str, Any]) -> None:
    summary = demo["summary"]
    contracts = {r["合同编号"]: r for r in table(summary["合同进程表"], "项目编号")}
    project_rag = {r["项目编号"]: r["RAG"] for r in table(summary["项目"], "项目编号")}
    receivables = {(r["合同编号"], r["收款节点"]): r for r in table(summary["应收"], "项目编号")}
    seen: list[str] = []
    chased: list[tuple[str, str]] = []
    for path in _views(demo, "合同状态反馈表"):
        person = path.name.split("-")[1]
        wb = load(path)
        rows = table(wb["合同状态"], "合同编号")
        for r in rows:
            s = contracts[r["合同编号"]]
            assert s["销售人员"] == person
            for col in ("合同金额", "当前阶段", "下一阶段", "逾期天数", "已收款", "应收款", "逾期应收"):
                assert r[col] == s[col], (path.name, r["合同编号"], col)
            assert r["RAG"] == project_rag[s["项目编号"]]
        seen += [r["合同编号"] for r in rows]
        k = kpis(wb["合同状态"])
        for col in ("合同金额", "已收款", "应收款", "逾期应收"):
            assert k[col] == pytest.approx(sum(r[col] for r in rows)), (path.name, col)
        for r in table(wb["待催收应收"], "项目编号"):
            s = receivables[(r["合同编号"], r["收款节点"])]
            assert (r["应收金额"], r["逾期天数"], r["账龄"]) == (s["应收款"], s["到期天数"], s["账龄"])
            chased.append((r["合同编号"], r["收款节点"]))
    # Every contract is in exactly one sales person's workbook; every receivable is chased by someone.
    assert sorted(seen) == sorted(contracts)
    assert sorted(chased) == sorted(k for k, r in receivables.items() if r["应收款"] > 0)


def test_pm_equal_summary(demo: dict[str, Any]) -> None:
    summary = demo["summary"]
    overdue = [(r["项目编号"], r["类别"], r["事项"], r["逾期天数"]) for r in table(summary["逾期"], "类别")]
    to_fix = [(r["文件"], r["单元格"], r["代码"]) for r in table(summary["校验"], "级别")
              if r["级别"] in ("错误", "警告") and r["项目编号"]]
    got_overdue: list[tuple] = []
    got_fix: list[tuple] = []
    for path in _views(demo, "项目经理待办"):
        wb = load(path)
        rows = table(wb["逾期"], "类别")
        got_overdue += [(r["项目编号"], r["类别"], r["事项"], r["逾期天数"]) for r in rows]
        fix = table(wb["待修正"], "级别")
        # The file column shows the name; the summary's the path.
        got_fix += [(r["文件"], r["单元格"], r["代码"]) for r in fix]
        k = kpis(wb["待办"])
        assert k["逾期事项"] == len(rows)
        assert k["待修正错误"] + k["待修正警告"] == len(fix)
    assert sorted(got_overdue) == sorted(overdue)
    assert sorted(got_fix) == sorted((f.rsplit("/", 1)[-1], c, code) for f, c, code in to_fix)


def test_views_command_rebuilds_a_week(demo: dict[str, Any], runner: Any, tmp_path: Path) -> None:
    history = demo["run"].history
    res = runner.invoke(cli, ["views", str(tmp_path / "v"), "--history", str(history), "--as-of", "2026-11-27"])
    assert res.exit_code == 0, res.output
    assert sorted(Path(line).name for line in res.stdout.splitlines()) == sorted(p.name for p in demo["files"])
    # The rebuilt brief has the same figures as the one written by the run.
    again = table(load(tmp_path / "v" / f"合同进程简表-{WEEK}.xlsx")["合同进程简表"], "事业部")
    assert again == table(load(_views(demo, "合同进程简表")[0])["合同进程简表"], "事业部")
    res = runner.invoke(cli, ["views", str(tmp_path / "w"), "--history", str(history), "--as-of", "2026-11-20"])
    assert res.exit_code == 2 and "2026-11-27" in res.output


@pytest.mark.libreoffice
def test_views_render_to_pdf(demo: dict[str, Any], tmp_path: Path) -> None:
    chosen = [_views(demo, "合同进程简表")[0], _views(demo, "合同状态反馈表")[0], _views(demo, "项目经理待办")[0]]
    pdfs = convert(chosen, "pdf", tmp_path)
    pages = []
    for pdf in pdfs:
        info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
        pages.append(int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:"))))
    assert pages[0] == 1  # the leaders' brief: one page
    assert all(n >= 1 for n in pages[1:])


def test_links_reach_the_sources(demo: dict[str, Any]) -> None:
    from urllib.parse import unquote

    wb = load(_views(demo, "项目经理待办")[0])
    links = [c.hyperlink.target for row in wb["待修正"].iter_rows() for c in row if c.hyperlink is not None]
    assert links
    views_dir = demo["root"] / "视图"
    for target in links:
        assert (views_dir / unquote(target).replace("\\", "/")).is_file(), target


def test_views_from_a_moved_history_link_to_the_run_root(demo: dict[str, Any], runner: Any, tmp_path: Path) -> None:
    """The run keeps the folder it rolled up: views rebuilt from a copy of the history kept elsewhere (no
    source folder near it, nor near the working directory, nor a pimxl.toml) still link to the sources."""
    import shutil
    import sqlite3
    from urllib.parse import unquote

    root = tmp_path / "shared" / "drive" / "centre"  # not next to the history copy
    for project in sorted((demo["root"] / "项目").glob("*/*"))[:3]:
        shutil.copytree(project, root / project.parent.name / project.name)
    run_dir = tmp_path / "deep" / "er" / "out"
    res = runner.invoke(cli, ["rollup", str(root), "-o", str(run_dir / "s.xlsx"), "--as-of", "2026-11-27",
                              "--quiet", "--json"])
    assert res.exit_code in (0, 1), res.output
    assert json.loads(res.stdout)["root"] == str(root.resolve())
    elsewhere = tmp_path / "archive" / "history.sqlite"
    elsewhere.parent.mkdir()
    src, dst = sqlite3.connect(run_dir / "pimxl-history.sqlite"), sqlite3.connect(elsewhere)
    with dst:
        src.backup(dst)
    src.close()
    dst.close()
    res = runner.invoke(cli, ["views", str(tmp_path / "v"), "--history", str(elsewhere), "--as-of", "2026-11-27"])
    assert res.exit_code == 0, res.output
    pm = sorted((tmp_path / "v").glob("项目经理待办-*.xlsx"))
    links = [c.hyperlink.target for f in pm for row in load(f)["待修正"].iter_rows() for c in row
             if c.hyperlink is not None]
    assert links
    for target in links:
        assert (tmp_path / "v" / unquote(target).replace("\\", "/")).resolve().is_file(), target
