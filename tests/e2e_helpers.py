"""End-to-end helpers: run the ``pimxl`` command as a user would, hash input trees, and read the input
workbooks *independently* of pimxl (plain openpyxl, labels matched by hand) to compute expected figures.

Nothing here imports pimxl's reader, normaliser or rollup: expected values must not come from the
code under test. The definitions follow the docstrings of ``pimxl/rollup/ageing.py`` and ``rag.py``:

* a payment node's amount is 金额, or 比例 × 合同金额 when 金额 is empty (a formula never calculated);
* its due date: when its 触发阶段 is an applicable stage of the table (listed, not 不适用), that stage's
  实际日期 but not before 应收日期 (the later of the two), and no due date while the stage has no 实际日期;
  otherwise (no trigger stage, or one not in the table or 不适用) its 应收日期; due when ≤ as-of;
* receivable = amount − 到账金额 of due nodes; overdue receivable = receivable with due date < as-of;
* ageing buckets by days past due: 未到期 (not due, unpaid), 0–30, 31–60, 61–90, >90.
"""

from __future__ import annotations

import functools
import hashlib
import os
import shutil
import subprocess
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

__all__ = [
    "BUCKETS",
    "CORPUS",
    "CUT",
    "DEMO_AS_OF",
    "ENCRYPTED",
    "Centre",
    "ContractBook",
    "expected_figures",
    "load",
    "build_demo",
    "copy_centre",
    "history_rows",
    "kill_hook",
    "pimxl",
    "read_centre",
    "read_form",
    "read_table",
    "shared_centre",
    "shared_demo",
    "sheet_rows",
    "summary_cells",
    "tree_hashes",
    "zh_header_row",
]

CORPUS = Path(__file__).resolve().parents[1].parent / "shared/corpus/real-spreadsheets"
REPO = Path(__file__).resolve().parents[1]


def pimxl(*args: Any, cwd: Path | None = None, env: dict[str, str] | None = None, timeout: float = 300,
          check_traceback: bool = True) -> subprocess.CompletedProcess[str]:
    """Run the installed ``pimxl`` command (falls back to ``python -m pimxl``); never a traceback."""
    exe = shutil.which("pimxl")
    cmd = [exe] if exe else [sys.executable, "-m", "pimxl"]
    full_env = {**os.environ, "PIMXL_LANG": "zh", **(env or {})}
    proc = subprocess.run([*cmd, *map(str, args)], capture_output=True, text=True, cwd=cwd, env=full_env,
                          timeout=timeout)
    if check_traceback:
        assert "Traceback" not in proc.stderr, proc.stderr[-3000:]
        assert "Traceback" not in proc.stdout, proc.stdout[-3000:]
    return proc


def tree_hashes(root: Path) -> dict[str, str]:
    """sha256 of every file under ``root`` (or of ``root`` itself), by relative path."""
    files = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
    return {str(p.relative_to(root.parent if root.is_file() else root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in files}


# ------------------------------------------------------------------ independent workbook reading

def _label(v: Any) -> str:
    return str(v or "").replace("*", "").replace(" ", "").replace("\u3000", "").strip()


def _d(v: Any) -> date | None:
    if isinstance(v, datetime):
        return v.date()
    return v if isinstance(v, date) else None


def _n(v: Any) -> float | None:
    return float(v) if isinstance(v, int | float) and not isinstance(v, bool) else None


@functools.lru_cache(maxsize=512)
def load(path: Path, data_only: bool = True) -> Any:
    """openpyxl's workbook, cached: tests only read, and the demo's 140 files are read by several tests."""
    from openpyxl import load_workbook

    return load_workbook(path, data_only=data_only)


def read_form(ws: Any) -> dict[str, Any]:
    """A form sheet: label in column A (``项目编号 *``) → the value in column B."""
    out: dict[str, Any] = {}
    for a, b in ws.iter_rows(min_col=1, max_col=2, values_only=True):
        if isinstance(a, str) and _label(a) and _label(a) not in out:
            out[_label(a)] = b
    return out


def read_table(ws: Any) -> list[dict[str, Any]]:
    """The sheet's first Excel table: its header row (zh labels) → one dict per non-empty row."""
    from openpyxl.utils.cell import range_boundaries

    (ref,) = [t.ref if hasattr(t, "ref") else t for t in ws.tables.values()][:1]
    c1, r1, c2, r2 = range_boundaries(ref)
    rows = list(ws.iter_rows(min_row=r1, max_row=r2, min_col=c1, max_col=c2, values_only=True))
    head = [_label(h) for h in rows[0]]
    return [dict(zip(head, r, strict=True)) for r in rows[1:] if any(v not in (None, "") for v in r)]


@dataclass
class ContractBook:
    path: Path
    form: dict[str, Any]
    stages: list[dict[str, Any]]
    payments: list[dict[str, Any]]


@dataclass
class Centre:
    """The centre's template workbooks as plain dicts, by kind."""

    contracts: list[ContractBook] = field(default_factory=list)
    plans: list[tuple[Path, dict[str, Any], dict[str, list[dict[str, Any]]]]] = field(default_factory=list)
    adjustments: list[tuple[Path, dict[str, Any]]] = field(default_factory=list)
    sites: list[tuple[Path, dict[str, Any]]] = field(default_factory=list)


def read_centre(root: Path) -> Centre:
    """Every readable template workbook under ``root``, told apart by its sheet names (not by pimxl)."""
    centre = Centre()
    for path in sorted(root.rglob("*.xlsx")):
        if path.name.startswith(("~$", ".")):
            continue
        try:
            wb = load(path)
        except Exception:  # corrupt, encrypted…: not part of the figures
            continue
        names = set(wb.sheetnames)
        if {"合同信息", "合同进程", "收款计划"} <= names:
            centre.contracts.append(ContractBook(path, read_form(wb["合同信息"]), read_table(wb["合同进程"]),
                                                 read_table(wb["收款计划"])))
        elif "WBS工作分解" in names:
            tables = {s: read_table(wb[s]) for s in ("里程碑", "风险", "WBS工作分解")}
            centre.plans.append((path, read_form(wb["项目信息"]), tables))
        elif "场地信息" in names:
            centre.sites.append((path, read_form(wb["场地信息"])))
        elif "调整确认" in names:
            centre.adjustments.append((path, read_form(wb["调整确认"])))
    return centre


BUCKETS = ("未到期", "0–30", "31–60", "61–90", ">90")


def _bucket(days: int) -> str:
    return "0–30" if days <= 30 else "31–60" if days <= 60 else "61–90" if days <= 90 else ">90"


def expected_figures(centre: Centre, as_of: date, *, red_days: int = 10, red_receivable_days: int = 60,
                     stale_amber_days: int = 14, site_lead_days: int = 7, pending_days: int = 7,
                     risk_high: float = 0.18) -> dict[str, Any]:
    """Totals, counts and RAG of the centre, from the plain cell values (defaults of pimxl.toml)."""
    totals = dict.fromkeys(("contract_value", "received", "receivable", "overdue_receivable"), 0.0)
    ageing = dict.fromkeys(BUCKETS, 0.0)
    overdue_stages = 0
    levels: dict[str, list[str]] = defaultdict(list)  # project → "red"/"amber" reasons
    install: dict[str, list[bool]] = defaultdict(list)  # project → 安装调试 done per contract
    per_contract: dict[str, dict[str, float]] = {}
    for c in centre.contracts:
        pid, amount = str(c.form["项目编号"]), _n(c.form["合同金额"]) or 0.0
        totals["contract_value"] += amount
        actual: dict[str, date] = {}
        live: set[str] = set()  # the applicable stages' names
        for s in c.stages:
            applicable = s["状态"] != "不适用"
            done = s["状态"] == "已完成" or _d(s["实际日期"]) is not None
            if applicable and s["阶段"]:
                live.add(s["阶段"])
            if applicable and _d(s["实际日期"]):
                actual[s["阶段"]] = _d(s["实际日期"])  # type: ignore[assignment]
            if s["阶段"] == "安装调试" and applicable:
                install[pid].append(done)
            planned = _d(s["计划日期"])
            if applicable and not done and planned and planned < as_of:
                overdue_stages += 1
                late = (as_of - planned).days
                levels[pid].append("red" if late > red_days else "amber")
        mine = dict.fromkeys(("received", "receivable"), 0.0)
        for p in c.payments:
            value = _n(p["金额"])
            if value is None:
                value = round((_n(p["比例"]) or 0.0) * amount, 2)
            received = _n(p["到账金额"]) or 0.0
            unpaid = max(value - received, 0.0)
            trigger, scheduled = p["触发阶段"], _d(p["应收日期"])
            if trigger in live:  # done (and the term reached), or not due at all
                done_on = actual.get(trigger)
                due_on = max(done_on, scheduled) if done_on and scheduled else done_on
            else:
                due_on = scheduled
            totals["received"] += received
            mine["received"] += received
            if unpaid <= 0:
                continue
            if due_on is None or due_on > as_of:
                ageing["未到期"] += unpaid
                continue
            days = (as_of - due_on).days
            totals["receivable"] += unpaid
            mine["receivable"] += unpaid
            ageing[_bucket(days)] += unpaid
            if days > 0:
                totals["overdue_receivable"] += unpaid
            if days > red_receivable_days:
                levels[pid].append("red")
        per_contract[str(c.form["合同编号"])] = mine
        updated = _d(c.form["最后更新日期"])
        if updated is None or (as_of - updated).days > stale_amber_days:
            levels[pid].append("amber")
    projects = {str(c.form["项目编号"]) for c in centre.contracts}
    for _, form, tables in centre.plans:
        pid = str(form["项目编号"])
        projects.add(pid)
        for m in tables["里程碑"]:
            planned, done = _d(m["计划日期"]), m["状态"] == "已完成" or _d(m["实际日期"]) is not None
            if planned and not done and planned < as_of:
                levels[pid].append("red" if (as_of - planned).days > red_days else "amber")
        for r in tables["风险"]:
            p, i = _n(r["概率"]), _n(r["影响"])
            score = _n(r.get("风险值")) or (round(p * i, 4) if p is not None and i is not None else None)
            due = _d(r["应对期限"])
            if (r["状态"] or "开放") != "已关闭" and score is not None and score >= risk_high and due and due < as_of:
                levels[pid].append("red")
    pending = 0
    for _, form in centre.adjustments:
        if (form.get("审批结果") or "待审批") == "待审批":
            pending += 1
            requested = _d(form.get("申请日期"))
            if requested and (as_of - requested).days > pending_days:
                levels[str(form["项目编号"])].append("amber")
    not_ready = 0
    for _, form in centre.sites:
        pid = str(form["项目编号"] or "")
        entry = _d(form["计划进场日期"])
        done = bool(install[pid]) and all(install[pid])
        if form["结论"] != "具备" and not done and entry and (entry - as_of).days <= site_lead_days:
            not_ready += 1
            levels[pid].append("red")
    rag = {"red": 0, "amber": 0, "green": 0}
    for pid in projects:
        found = levels.get(pid, [])
        rag["red" if "red" in found else "amber" if found else "green"] += 1
    return {
        "totals": {k: round(v, 2) for k, v in totals.items()},
        "ageing": {k: round(v, 2) for k, v in ageing.items()},
        "overdue_stages": overdue_stages,
        "pending_adjustments": pending,
        "sites_not_ready": not_ready,
        "rag": rag,
        "projects": len(projects),
        "contracts": len(centre.contracts),
        "per_contract": per_contract,
    }


def sheet_rows(ws: Any, header_row: int) -> list[dict[str, Any]]:
    """A summary sheet's rows under its zh header row, as dicts (empty rows dropped)."""
    rows = list(ws.iter_rows(min_row=header_row, values_only=True))
    head = [str(h) if h is not None else "" for h in rows[0]]
    return [dict(zip(head, r, strict=False)) for r in rows[1:] if any(v not in (None, "") for v in r)]


def zh_header_row(ws: Any, first: str) -> int:
    """The row whose first cell is ``first`` (a summary sheet's zh header)."""
    for row in ws.iter_rows(min_row=1, max_row=12, max_col=1):
        if row[0].value == first:
            return row[0].row
    raise AssertionError(f"{ws.title}: no header row starting with {first!r}")


DEMO_AS_OF = date(2026, 11, 27)


def build_demo(target: Path) -> subprocess.CompletedProcess[str]:
    """``pimxl demo TARGET --as-of 2026-11-27`` as a newcomer types it (44 projects, two weeks)."""
    proc = pimxl("demo", target, "--as-of", DEMO_AS_OF.isoformat(), timeout=900)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc


_DEMO: dict[str, Any] = {}


def shared_demo(tmp_path_factory: Any) -> tuple[Path, subprocess.CompletedProcess[str]]:
    """One demo build per test session, shared by every module that asks (a fixture body)."""
    if "dir" not in _DEMO:
        target = tmp_path_factory.mktemp("demo") / "示例中心"
        _DEMO["proc"] = build_demo(target)
        _DEMO["dir"] = target
    return _DEMO["dir"], _DEMO["proc"]


CUT = date(2026, 11, 20)  # the day the small centre's workbooks describe
ENCRYPTED = CORPUS / "apache-poi/protected_passtika.xlsx"


def shared_centre(tmp_path_factory: Any) -> Path:
    """A small generated centre (8 projects signed by 2026-11-20, 7 of them started) plus a truncated
    file, an encrypted file from the corpus and a non-template workbook; built once per session."""
    if "centre" not in _DEMO:
        from openpyxl import Workbook

        from pimxl.demo.build import build_centre

        root = tmp_path_factory.mktemp("centre") / "项目"
        build_centre(root, CUT, projects=8, centre_as_of=date(2026, 11, 27))
        plan = next(p for p in sorted(root.rglob("*-项目计划书.xlsx")) if not p.name.startswith("~$"))
        (root / "坏文件-截断.xlsx").write_bytes(plan.read_bytes()[: plan.stat().st_size // 2])
        if ENCRYPTED.is_file():
            (root / "加密的合同进程表.xlsx").write_bytes(ENCRYPTED.read_bytes())
        wb = Workbook()
        wb.active.append(["客户", "电话"])
        wb.active.append(["滨海银行", "010-1234"])
        wb.save(root / "通讯录.xlsx")
        _DEMO["centre"] = root
    return _DEMO["centre"]


def copy_centre(src: Path, dst: Path) -> Path:
    """A copy of a shared centre (its folder's parent, file times kept) under ``dst``: the copy of ``src``."""
    shutil.copytree(src.parent, dst, copy_function=shutil.copy2)
    return dst / src.name


def summary_cells(path: Path) -> dict[str, list[tuple]]:
    """Every cell of every sheet of a workbook: (value, hyperlink target), row by row."""
    import openpyxl

    wb = openpyxl.load_workbook(path)
    return {ws.title: [tuple((c.value, c.hyperlink.target if c.hyperlink else None) for c in row)
                       for row in ws.iter_rows()] for ws in wb.worksheets}


def history_rows(db: Path, *, skip: tuple[str, ...] = ("cache", "cross", "seen"), sort: bool = False) -> dict[str, list[tuple]]:
    """Every row of every table of a history database but ``skip`` (by default the parse caches), in the order
    stored or ``sort``ed; checks the database's integrity first."""
    import sqlite3

    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        tables = [t for (t,) in con.execute("SELECT name FROM sqlite_master WHERE type='table'") if t not in skip]
        rows = {t: con.execute(f"SELECT * FROM {t} ORDER BY rowid").fetchall() for t in tables}
        return {t: sorted(r, key=repr) for t, r in rows.items()} if sort else rows
    finally:
        con.close()


_KILL_HOOK = r"""
import os, signal, sys
where = os.environ["QA_KILL_AT"]
if where in ("replace", "rename"):
    # replace: the summary's temp file is complete, no rename has happened (before the history commit);
    # rename: the history has committed, the summary is about to be renamed into place.
    real_replace = os.replace
    def replace(src, dst, *a, **k):
        if str(dst).endswith(".xlsx") and (where == "replace" or not os.path.basename(dst).startswith(".~")):
            os.kill(os.getpid(), signal.SIGKILL)
        return real_replace(src, dst, *a, **k)
    os.replace = replace
else:  # in the middle of the history transaction
    from pimxl.rollup import history
    real_insert = history.History._insert
    def insert(self, table, *a, **k):
        real_insert(self, table, *a, **k)
        if table == where:
            os.kill(os.getpid(), signal.SIGKILL)
    history.History._insert = insert
from pimxl.cli import main
sys.exit(main(sys.argv[1:]))
"""


def kill_hook(prelude: str = "") -> str:
    """A ``python -c`` script that runs pimxl's command line (its arguments) and SIGKILLs itself where the
    environment's ``QA_KILL_AT`` says: ``replace`` (the summary's temp file complete, not renamed, before the history
    commits), ``rename`` (the history committed, the summary about to be renamed) or a snapshot table's name (in the
    middle of the history transaction, right after that table's rows). ``prelude`` runs first."""
    return prelude + _KILL_HOOK
