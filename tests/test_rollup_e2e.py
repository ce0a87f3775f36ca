"""`pimxl rollup` end to end, as the person who runs the weekly job sees it (issue 4, "Must show").

A small generated centre (8 projects, fixed dates) plus a corrupt file, an encrypted file from the
corpus and a non-template workbook. Every expected figure is computed in the test from the input
workbooks read with plain openpyxl (tests/e2e_helpers.py), never with pimxl's own aggregation.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import openpyxl
import pytest
from e2e_helpers import (
    BUCKETS,
    CUT,
    ENCRYPTED,
    copy_centre,
    expected_figures,
    history_rows,
    kill_hook,
    pimxl,
    read_centre,
    shared_centre,
    sheet_rows,
    summary_cells,
    tree_hashes,
    zh_header_row,
)


@pytest.fixture(scope="module")
def centre_src(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small centre, built once per session; tests copy it before touching anything."""
    return shared_centre(tmp_path_factory)


def _rollup(root: Path, out: Path, as_of: date, *extra: str) -> dict:
    proc = pimxl("rollup", root, "-o", out, "--as-of", as_of.isoformat(), "--json", *extra)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)  # exactly one document, nothing else on stdout


def _kpis(wb: openpyxl.Workbook) -> dict[str, object]:
    ws = wb["总览"]
    out = {}
    for a, _, c, *_ in ws.iter_rows(min_row=zh_header_row(ws, "指标") + 1, max_col=4, values_only=True):
        if a is None:
            break
        out[a] = c
    return out


@pytest.mark.parametrize("as_of", [date(2026, 11, 20), date(2027, 3, 1)])
def test_figures_equal_independent_totals(centre_src: Path, tmp_path: Path, as_of: date) -> None:
    root = copy_centre(centre_src, tmp_path / "c")
    before = tree_hashes(root)
    out = tmp_path / "out" / "汇总.xlsx"
    doc = _rollup(root, out, as_of)
    exp = expected_figures(read_centre(root), as_of)

    # --json
    assert doc["as_of"] == as_of.isoformat()
    assert doc["totals"] == pytest.approx(exp["totals"])
    assert doc["ageing"] == pytest.approx(exp["ageing"])
    assert doc["rag"] == exp["rag"]
    assert (doc["projects"], doc["contracts"]) == (exp["projects"], exp["contracts"]) == (7, 7)
    assert doc["pending_adjustments"] == exp["pending_adjustments"]
    assert doc["sites_not_ready"] == exp["sites_not_ready"]
    assert set(doc) >= {"as_of", "files", "projects", "contracts", "totals", "rag", "overdue_items",
                        "pending_adjustments", "sites_not_ready", "findings", "outputs"}

    # the summary's cells
    wb = openpyxl.load_workbook(out)
    k = _kpis(wb)
    assert [k["合同总额"], k["已收款"], k["应收款"], k["逾期应收款"]] == pytest.approx(
        [exp["totals"][x] for x in ("contract_value", "received", "receivable", "overdue_receivable")])
    assert [k["红色项目"], k["黄色项目"], k["绿色项目"]] == [exp["rag"][x] for x in ("red", "amber", "green")]
    assert k["逾期合同阶段"] == exp["overdue_stages"]
    assert k["待审批调整"] == exp["pending_adjustments"]
    assert k["场地未具备"] == exp["sites_not_ready"]
    assert k["逾期事项"] == doc["overdue_items"]

    ws = wb["合同进程表"]
    rows = sheet_rows(ws, zh_header_row(ws, "项目编号"))
    assert len(rows) == exp["contracts"]
    for r in rows:
        mine = exp["per_contract"][r["合同编号"]]
        assert r["已收款"] == pytest.approx(mine["received"]), r["合同编号"]
        assert r["应收款"] == pytest.approx(mine["receivable"]), r["合同编号"]

    ws = wb["应收"]
    nodes = sheet_rows(ws, zh_header_row(ws, "项目编号"))
    assert len(nodes) == 5 * exp["contracts"]  # five payment nodes per contract
    assert sum(r["应收款"] or 0 for r in nodes) == pytest.approx(exp["totals"]["receivable"])
    assert sum(r["逾期应收"] or 0 for r in nodes) == pytest.approx(exp["totals"]["overdue_receivable"])
    for bucket in BUCKETS:
        column = bucket + ("" if bucket == "未到期" else "天")
        assert sum(r[column] or 0 for r in nodes) == pytest.approx(exp["ageing"][bucket]), bucket

    # sanity of the fixture: the figures are not all trivial
    assert exp["totals"]["receivable"] > 0 and exp["overdue_stages"] > 0
    assert tree_hashes(root) == before  # inputs untouched


def test_bad_files_listed_in_sources_rest_rolled_up(centre_src: Path, tmp_path: Path) -> None:
    root = copy_centre(centre_src, tmp_path / "c")
    out = tmp_path / "out" / "汇总.xlsx"
    doc = _rollup(root, out, CUT)
    ws = openpyxl.load_workbook(out)["来源"]
    sources = {r["文件"]: r for r in sheet_rows(ws, zh_header_row(ws, "文件"))}
    on_disk = {p.relative_to(root).as_posix() for p in root.rglob("*.xlsx")}
    assert set(sources) == on_disk  # every file found is accounted for, nothing else
    assert doc["files"]["found"] == len(on_disk)

    def state(name: str) -> tuple[str, str]:
        return sources[name]["状态"], sources[name]["原因"] or ""

    assert state("坏文件-截断.xlsx")[0] == "无法读取" and "损坏" in state("坏文件-截断.xlsx")[1]
    assert state("通讯录.xlsx")[0] == "无法读取" and "模板" in state("通讯录.xlsx")[1]
    if ENCRYPTED.is_file():
        assert state("加密的合同进程表.xlsx")[0] == "无法读取" and "加密" in state("加密的合同进程表.xlsx")[1]
    locks = [n for n in sources if Path(n).name.startswith("~$")]
    assert locks and all(state(n)[0] == "已跳过" and state(n)[1] for n in locks)
    readable = [n for n, r in sources.items() if r["状态"] in ("通过", "有警告", "有错误")]
    assert len(readable) == doc["files"]["read"] == 21
    assert doc["files"]["unreadable"] == len(on_disk) - 21 - len(locks)
    assert doc["projects"] == 7


def _edit(path: Path, sheet: str, edits: dict[tuple[str, str], object]) -> None:
    """Change table cells by (row key in column A, zh column label), as someone in Excel would."""
    wb = openpyxl.load_workbook(path)
    ws = wb[sheet]
    head = [c.value for c in ws[2]]
    for (key, column), value in edits.items():
        row = next(r for r in ws.iter_rows(min_row=3) if r[0].value == key)
        row[head.index(column)].value = value
    wb.save(path)


def _add_risk(plan: Path, risk: dict[str, object]) -> None:
    """Type a new risk into the first empty row of the 风险 table (growing the table when it is full)."""
    from openpyxl.utils.cell import range_boundaries

    wb = openpyxl.load_workbook(plan)
    ws = wb["风险"]
    table = next(iter(ws.tables.values()))
    c1, r1, c2, r2 = range_boundaries(table.ref)
    head = [c.value for c in ws[r1]]
    row = next((r for r in range(r1 + 1, r2 + 1) if ws.cell(r, 1).value in (None, "")), r2 + 1)
    if row > r2:
        table.ref = f"A{r1}:{ws.cell(row, c2).column_letter}{row}"
    for column, value in risk.items():
        ws.cell(row, head.index(column) + 1, value)
    wb.save(plan)


def test_week_changes_and_trend(centre_src: Path, tmp_path: Path) -> None:
    root = copy_centre(centre_src, tmp_path / "c")
    out1, out2 = tmp_path / "out" / "汇总-W1.xlsx", tmp_path / "out" / "汇总-W2.xlsx"
    week2 = CUT + timedelta(days=7)
    _rollup(root, out1, CUT)

    # Between the two runs a PM updates one contract table and one plan.
    contract = next(root.rglob("PRJ-2026-002-合同进程表.xlsx"))
    wb = openpyxl.load_workbook(contract, data_only=True)
    stages = [[c.value for c in r] for r in wb["合同进程"].iter_rows(min_row=3)]
    wb.close()
    open_stages = [r for r in stages if r[0] and r[2] is None and r[3] not in ("不适用", "已完成")]
    done_now, slipped = open_stages[0], open_stages[1]
    new_plan_date = slipped[1] + timedelta(days=12)
    _edit(contract, "合同进程", {(done_now[0], "实际日期"): week2 - timedelta(days=1), (done_now[0], "状态"): "已完成",
                                (slipped[0], "计划日期"): new_plan_date})
    plan = next(root.rglob("PRJ-2026-002-项目计划书.xlsx"))
    _add_risk(plan, {"风险编号": "R99", "风险描述": "核心交换机停产换型", "类别": "供应商", "概率": 0.5,
                     "影响": 0.4, "责任人": "李娜", "应对策略": "减轻", "应对措施": "提前确认替代型号",
                     "识别日期": week2 - timedelta(days=2), "应对期限": week2 + timedelta(days=14), "状态": "开放"})

    _rollup(root, out2, week2)
    ws = openpyxl.load_workbook(out2)["本周变化"]
    changes = sheet_rows(ws, zh_header_row(ws, "变化"))
    kinds = {(r["变化"], r["项目编号"], r["事项"]) for r in changes}
    assert ("阶段完成", "PRJ-2026-002", done_now[0]) in kinds
    assert ("新风险", "PRJ-2026-002", "R99") in {(k, p, (i or "").split()[0]) for k, p, i in kinds}
    slip = [r for r in changes if r["变化"] == "日期推迟" and r["项目编号"] == "PRJ-2026-002"
            and r["事项"] == slipped[0]]
    assert len(slip) == 1
    assert str(slip[0]["现在"]).startswith(new_plan_date.date().isoformat())
    assert slip[0]["天数"] == 12

    # 趋势: one row per run; re-running a week replaces its row
    _rollup(root, out2, week2)
    ws = openpyxl.load_workbook(out2)["趋势"]
    trend = sheet_rows(ws, zh_header_row(ws, "截至日期"))
    assert [r["截至日期"].date() for r in trend] == [CUT, week2]

    # A past week's summary rebuilt from the history alone is the one written that week: every value and link.
    history = out1.parent / "pimxl-history.sqlite"
    for week, written in ((CUT, out1), (week2, out2)):
        again = out1.parent / f"重建-{week.isoformat()}.xlsx"
        proc = pimxl("summary", again, "--history", history, "--as-of", week.isoformat(), "--json")
        assert proc.returncode == 0, proc.stderr
        assert json.loads(proc.stdout) == {"as_of": week.isoformat(), "history": str(history), "summary": str(again)}
        assert summary_cells(again) == summary_cells(written), week
    proc = pimxl("summary", out1.parent / "x.xlsx", "--history", history, "--as-of", "2026-01-02")
    assert proc.returncode == 2 and CUT.isoformat() in proc.stderr


KILL_HOOK = kill_hook()


def _killed(args: list[str], where: str) -> None:
    proc = subprocess.run([sys.executable, "-c", KILL_HOOK, *args], capture_output=True, text=True,
                          env={**os.environ, "QA_KILL_AT": where}, timeout=120)
    assert proc.returncode == -signal.SIGKILL, (where, proc.stderr[-2000:])


def _first_week(root: Path, tmp_path: Path) -> tuple[Path, Path, list[str]]:
    out = tmp_path / "out" / "汇总.xlsx"
    db = tmp_path / "out" / "history.sqlite"
    _rollup(root, out, CUT, "--history", db)
    return out, db, ["rollup", str(root), "-o", str(out), "--history", str(db), "--as-of", "2026-12-04", "--quiet"]


def test_killed_in_history_transaction_keeps_previous_summary(centre_src: Path, tmp_path: Path) -> None:
    root = copy_centre(centre_src, tmp_path / "c")
    out, db, args = _first_week(root, tmp_path)
    summary, history = out.read_bytes(), history_rows(db, sort=True)
    _killed(args, "stages")
    assert history_rows(db, sort=True) == history
    assert out.read_bytes() == summary


def test_killed_after_history_commit_next_run_catches_up(centre_src: Path, tmp_path: Path) -> None:
    """Killed between the history commit and the summary's rename: new history, previous summary (complete);
    the temp file left behind is removed and the summary written by the next run, even on the same date."""
    root = copy_centre(centre_src, tmp_path / "c")
    out, db, args = _first_week(root, tmp_path)
    summary = out.read_bytes()
    _killed(args, "rename")
    assert out.read_bytes() == summary
    assert sorted(r[0] for r in history_rows(db, sort=True)["runs"]) == [CUT.isoformat(), "2026-12-04"]
    assert [p.name for p in out.parent.glob(".~*")]  # the complete new summary, never renamed
    doc = _rollup(root, out, date(2026, 12, 4), "--history", str(db))
    assert doc["cache"]["unchanged_run"] is False
    assert out.read_bytes() != summary and _kpis(openpyxl.load_workbook(out))
    assert not list(out.parent.glob(".~*"))


def test_killed_run_leaves_previous_summary_and_history(centre_src: Path, tmp_path: Path) -> None:
    root = copy_centre(centre_src, tmp_path / "c")
    out, db, args = _first_week(root, tmp_path)
    summary, history = out.read_bytes(), history_rows(db, sort=True)

    # Deterministic kills: with the new summary complete in its temp file but not renamed, and in the
    # middle of the history transaction.
    _killed(args, "replace")
    assert out.read_bytes() == summary
    assert history_rows(db, sort=True) == history
    _killed(args, "stages")
    assert history_rows(db, sort=True) == history
    openpyxl.load_workbook(out, read_only=True).close()

    # Real `pimxl rollup` processes killed after growing delays, wherever they happen to be: the summary
    # is always a complete workbook, and the history holds either the old snapshots alone or the new
    # week in full besides them.
    week1 = {t: [r for r in rows if r[0] == CUT.isoformat()] for t, rows in history.items()}
    for delay in (0.3, 0.7, 1.1, 1.6):
        proc = subprocess.Popen(["pimxl", *args], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        openpyxl.load_workbook(out, read_only=True).close()
        now = history_rows(db, sort=True)
        assert {t: [r for r in rows if r[0] == CUT.isoformat()] for t, rows in now.items()} == week1, delay
        new = [r for r in now["projects"] if r[0] == "2026-12-04"]
        assert len(new) in (0, 7), delay
        assert bool(new) == any(r[0] == "2026-12-04" for r in now["runs"]), delay
    # the history stays usable: a normal run afterwards succeeds
    doc = _rollup(root, out, date(2026, 12, 4), "--history", str(db))
    assert doc["projects"] == 7


def test_concurrent_runs_are_serialised(centre_src: Path, tmp_path: Path) -> None:
    from pimxl.rollup.lock import RunLock

    root = copy_centre(centre_src, tmp_path / "c")
    db = tmp_path / "out" / "history.sqlite"
    _rollup(root, tmp_path / "out" / "warm.xlsx", CUT, "--history", db)
    lock_file = Path(str(db) + ".lock")
    assert lock_file.exists()
    # While another run holds the lock, a new run waits and writes nothing.
    with RunLock(lock_file, timeout=5):
        waiting = subprocess.Popen(["pimxl", "rollup", str(root), "-o", str(tmp_path / "out" / "a.xlsx"),
                                    "--history", str(db), "--as-of", "2026-11-27", "--quiet"],
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(1.5)
        assert waiting.poll() is None
        assert not (tmp_path / "out" / "a.xlsx").exists()
    assert waiting.wait(timeout=120) == 0
    # Two runs started together both complete, one after the other, and history has both weeks.
    procs = [subprocess.Popen(["pimxl", "rollup", str(root), "-o", str(tmp_path / "out" / f"{d}.xlsx"),
                               "--history", str(db), "--as-of", d, "--quiet"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for d in ("2026-12-04", "2026-12-11")]
    for p in procs:
        _, err = p.communicate(timeout=120)
        assert p.returncode == 0 and "Traceback" not in err
    runs = sorted(r[0] for r in history_rows(db, sort=True)["runs"])
    assert runs == ["2026-11-20", "2026-11-27", "2026-12-04", "2026-12-11"]


@pytest.mark.libreoffice
def test_summary_renders_in_libreoffice(centre_src: Path, tmp_path: Path) -> None:
    from lo import convert

    root = copy_centre(centre_src, tmp_path / "c")
    out = tmp_path / "out" / "汇总.xlsx"
    _rollup(root, out, CUT)
    _rollup(root, out, CUT + timedelta(days=7))  # two weeks, so 趋势 has a line
    (pdf,) = convert([out], "pdf", tmp_path / "pdf")
    assert pdf.read_bytes().startswith(b"%PDF")
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
        for title in ("中心项目汇总", "合同进程表", "项目", "逾期事项", "开放风险", "调整记录", "场地环境", "应收账款",
                      "本周变化", "每周趋势", "校验结果", "来源文件", "项目按合同阶段", "应收账龄"):
            assert title in text, title
    # The charts are Excel charts in the file (总览: stage, RAG, ageing, weekly RAG; 趋势: two lines).
    import zipfile

    names = zipfile.ZipFile(out).namelist()
    assert sum(n.startswith("xl/charts/chart") for n in names) >= 5
    if os.environ.get("QA_KEEP_PNG"):  # for a person to look at: pdftoppm -png -r 60
        subprocess.run(["pdftoppm", "-png", "-r", "60", str(pdf), os.environ["QA_KEEP_PNG"]], check=False)


def test_cache_respects_the_as_of_year(centre_src: Path, tmp_path: Path) -> None:
    root = tmp_path / "c" / "项目"
    root.mkdir(parents=True)
    contract = root / "合同进程表.xlsx"
    shutil.copy2(next(centre_src.rglob("PRJ-2026-002-合同进程表.xlsx")), contract)
    _edit(contract, "合同进程", {("系统终验", "计划日期"): "3月5日"})
    db = tmp_path / "h.sqlite"

    def final_acceptance_planned(as_of: str) -> object:
        out = tmp_path / f"{as_of}.xlsx"
        assert pimxl("rollup", root, "-o", out, "--history", db, "--as-of", as_of, "--quiet").returncode == 0
        ws = openpyxl.load_workbook(out)["合同进程表"]
        (row,) = sheet_rows(ws, zh_header_row(ws, "项目编号"))
        return row["系统终验计划"].date()

    assert final_acceptance_planned("2026-12-28") == date(2026, 3, 5)
    assert final_acceptance_planned("2027-01-04") == date(2027, 3, 5)  # a fresh parse says so


def test_unchanged_rerun_keeps_the_summary(centre_src: Path, tmp_path: Path) -> None:
    """A re-run of an as-of date with nothing changed keeps (or copies) the summary and says so; any change
    that could change the summary — a file's content or time, the as-of date, the settings, the language,
    another run in the history, the summary itself gone or edited — or --force rebuilds it."""
    root = copy_centre(centre_src, tmp_path / "c")
    out, db = tmp_path / "out" / "汇总.xlsx", tmp_path / "out" / "h.sqlite"
    first = _rollup(root, out, CUT, "--history", db)
    assert first["cache"]["unchanged_run"] is False and first["cache"]["parsed"] > 0
    summary, stat = out.read_bytes(), out.stat()

    def again(*extra: str, as_of: date = CUT, to: Path = out) -> dict:
        return _rollup(root, to, as_of, "--history", db, *extra)

    def full(doc: dict) -> bool:
        return doc["cache"]["unchanged_run"] is False

    same = again()
    readable = first["files"]["found"] - first["files"]["skipped"]
    assert same["cache"] == {"parsed": 0, "cached": readable, "unchanged_run": True, "projects_reused": 0}
    assert out.read_bytes() == summary and out.stat().st_mtime_ns == stat.st_mtime_ns  # not rewritten
    assert {k: v for k, v in same.items() if k not in ("cache", "timings")} == {
        k: v for k, v in first.items() if k not in ("cache", "timings")}
    # Where the time went: every step of a full run, only the scan of an unchanged one.
    assert list(first["timings"]) == ["lock", "scan", "read", "cross_rules", "model", "summary", "history"]
    assert all(v >= 0 for v in first["timings"].values()) and list(same["timings"]) == ["lock", "scan"]
    text = pimxl("rollup", root, "-o", out, "--history", db, "--as-of", CUT.isoformat())
    assert text.returncode == 0 and "未变化" in text.stdout
    # Another name in the same folder: a byte-identical copy.
    copy = again(to=out.with_name("汇总-副本.xlsx"))
    assert copy["cache"]["unchanged_run"] and out.with_name("汇总-副本.xlsx").read_bytes() == summary
    assert copy["outputs"]["summary"] == str(out.with_name("汇总-副本.xlsx").resolve())
    assert not list(out.parent.glob(".~*"))

    assert full(again("--force")) and openpyxl.load_workbook(out)  # --force rebuilds
    assert again()["cache"]["unchanged_run"]  # … and the rebuilt summary is then kept
    assert full(again(as_of=CUT + timedelta(days=1)))  # another as-of date: a full run (and a new run row)
    assert full(again())  # … which is in 趋势 of this date's summary: rebuilt once
    assert again()["cache"]["unchanged_run"]
    assert full(again("--lang", "en"))  # the language
    assert again("--lang", "en")["cache"]["unchanged_run"]

    plan = next(root.rglob("PRJ-2026-002-项目计划书.xlsx"))
    os.utime(plan, ns=(plan.stat().st_atime_ns, plan.stat().st_mtime_ns + 10**9))  # touched, same content
    touched = again("--lang", "en")
    assert full(touched) and touched["cache"]["parsed"] == 1
    contract = next(root.rglob("PRJ-2026-002-合同进程表.xlsx"))
    _edit(contract, "合同进程", {("系统终验", "计划日期"): date(2027, 6, 30)})
    edited = again("--lang", "en")
    assert full(edited) and edited["cache"]["parsed"] == 1
    assert again("--lang", "en")["cache"]["unchanged_run"]

    (root / "pimxl.toml").write_text("stale_days = 9\n", "utf-8")  # a settings change
    assert full(again("--lang", "en"))
    out.unlink()  # the summary deleted
    assert full(again("--lang", "en")) and out.is_file()
    with open(out, "r+b") as fh:  # the summary edited (e.g. saved from Excel): not the run's any more
        fh.seek(100)
        fh.write(b"x")
    assert full(again("--lang", "en"))
    assert again("--lang", "en")["cache"]["unchanged_run"]
