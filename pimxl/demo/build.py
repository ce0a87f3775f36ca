"""Write the sample centre's workbooks to disk for one as-of date.

Files whose content did not change since the last build are left alone (same bytes, same mtime),
as a real week looks to the rollup's cache: most files untouched, a few edited.
"""

from __future__ import annotations

import hashlib
import json
import os
import zipfile
from datetime import date
from pathlib import Path
from typing import Any

from ..schema import Template
from ..templates import ADJUSTMENT, CONTRACT_PROGRESS, PROJECT_PLAN, SITE_ENVIRONMENT
from .centre import DemoProject, make_centre, workbooks_at
from .workbooks import adjustment_data

__all__ = ["CONFIG_TOML", "build_centre"]

CONFIG_TOML = """\
# pimxl.toml — 中心配置 (centre settings). Every key is optional; the values shown are the defaults.
lang = "zh"                      # 输出语言 zh | en
stale_days = 7                   # 合同进程表超过几天未更新视为过期
stale_amber_days = 14            # 过期超过几天使项目变黄
site_lead_days = 7               # 计划进场前几天场地必须“具备”
pending_adjustment_days = 7      # 调整待审批超过几天提示
red_days_late = 10               # 阶段/里程碑逾期超过几天为红
red_receivable_days = 60         # 应收逾期超过几天为红
risk_high = 0.18                 # 风险值 ≥ 此值为高
risk_medium = 0.05               # 风险值 ≥ 此值为中
ageing_buckets = [30, 60, 90]    # 账龄分段：未到期, 0–30, 31–60, 61–90, >90 天
"""


def _digest(data: dict[str, Any]) -> str:
    # prepared_on moves every week; it alone does not make a file "edited".
    key_data = {**data, "form": {k: v for k, v in data["form"].items() if k != "prepared_on"}}
    return hashlib.sha256(json.dumps(key_data, sort_keys=True, default=str, ensure_ascii=False)
                          .encode()).hexdigest()


def _write_job(job: tuple[str, str, dict[str, Any]]) -> None:
    from ..io.writer import write_template
    from ..templates import get_template

    template_id, path, data = job
    write_template(get_template(template_id), Path(path), values=data["form"], rows=data["tables"])


def _write_all(jobs: list[tuple[str, str, dict[str, Any]]], workers: int | None = None) -> None:
    """Write the workbooks, in worker processes when there are many (the template writer is CPU-bound)."""
    workers = workers or min(os.cpu_count() or 1, 8)
    if workers <= 1 or len(jobs) < 16:
        for job in jobs:
            _write_job(job)
        return
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(max_workers=workers) as pool:
        list(pool.map(_write_job, jobs, chunksize=max(1, len(jobs) // (workers * 4))))


def project_folder(root: Path, p: DemoProject) -> Path:
    return root / p.division / f"{p.project_id} {p.name}"


def build_centre(root: Path, as_of: date, *, projects: int = 44, seed: int = 2026,
                 centre_as_of: date | None = None) -> dict[str, int]:
    """Write every project's workbooks as they stand on ``as_of`` under ``root``.

    ``centre_as_of`` fixes the centre's timeline (default ``as_of``) so that two builds a week apart
    describe the same projects at two moments.
    """
    root.mkdir(parents=True, exist_ok=True)
    state_file = root / ".pimxl-demo-state.json"
    state: dict[str, str] = json.loads(state_file.read_text("utf-8")) if state_file.exists() else {}
    kept = 0
    todo: list[tuple[str, str, dict[str, Any]]] = []
    for p in make_centre(centre_as_of or as_of, projects=projects, seed=seed):
        if p.signed > as_of:
            continue
        books = workbooks_at(p, as_of)
        folder = project_folder(root, p)
        jobs: list[tuple[Template, Path, dict[str, Any]]] = [
            (PROJECT_PLAN, folder / f"{p.project_id}-项目计划书.xlsx", books["plan"]),
            (CONTRACT_PROGRESS, folder / f"{p.project_id}-合同进程表.xlsx", books["contract"]),
        ]
        if books["site"]:
            jobs.append((SITE_ENVIRONMENT, folder / f"{p.project_id}-用户场地环境确认表.xlsx", books["site"]))
        for adj in books["adjustments"]:
            jobs.append((ADJUSTMENT, folder / f"{p.project_id}-项目调整确认表-{adj['adjustment_no']}.xlsx",
                         adjustment_data(p, adj, as_of)))
        for template, path, data in jobs:
            digest = _digest(data)
            if path.exists() and state.get(str(path)) == digest:
                kept += 1
                continue
            todo.append((template.id, str(path), data))
            state[str(path)] = digest
    _write_all(todo)
    written = len(todo)
    _extras(root)
    state_file.write_text(json.dumps(state, ensure_ascii=False, indent=0), "utf-8")
    return {"written": written, "kept": kept}


def _extras(root: Path) -> None:
    """What a real shared folder also holds: a damaged file, a lock file, a personal workbook."""
    corrupt = root / "损坏的文件-传输中断.xlsx"
    if not corrupt.exists():
        # The first 3 KB of a real workbook: a download that broke off.
        plan = next((p for p in sorted(root.rglob("*-项目计划书.xlsx")) if not p.name.startswith("~$")), None)
        corrupt.write_bytes(plan.read_bytes()[:3000] if plan else b"PK\x03\x04broken")
    any_plan = next((p for p in sorted(root.rglob("*-项目计划书.xlsx")) if not p.name.startswith("~$")), None)
    if any_plan is not None:
        lock = any_plan.parent / ("~$" + any_plan.name)
        if not lock.exists():
            lock.write_bytes(b"\x06wanglei" + b" " * 100)
    memo = root / "个人备忘.xlsx"
    if not memo.exists():
        with zipfile.ZipFile(memo, "w"):
            pass
        from openpyxl import Workbook

        wb = Workbook()
        ws = wb.active
        ws.title = "备忘"
        ws.append(["事项", "日期"])
        ws.append(["给客户打电话", "周五"])
        wb.save(memo)
