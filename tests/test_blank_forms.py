"""A blank adjustment form (the copy ``pimxl new`` leaves for the next adjustment) is not an adjustment."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from click.testing import CliRunner

from pimxl.cli import cli
from pimxl.templates.adjustment import is_blank_adjustment

HEADER = ["--project-id", "PRJ-2026-101", "--project-name", "滨海银行灾备中心", "--contract-no", "HT-2026-2001",
          "--customer", "滨海银行", "--division", "系统集成事业一部", "--project-manager", "王磊",
          "--sales-rep", "孙浩", "--prepared-by", "王磊", "--prepared-on", "2026-11-27"]


def test_is_blank_adjustment_table() -> None:
    assert is_blank_adjustment({"result": "待审批", "urgency": "一般", "project_id": "P-1"})
    assert not is_blank_adjustment({"adjustment_no": "ADJ-01"})
    assert not is_blank_adjustment({"requested_on": date(2026, 11, 1)})
    assert not is_blank_adjustment({}, [{"item": "2.4", "field": "计划完成"}])
    assert is_blank_adjustment({}, [{"item": None, "field": None}])


def test_new_project_blank_adjustment_is_info_and_not_pending(tmp_path: Path) -> None:
    runner = CliRunner()
    project = tmp_path / "项目" / "PRJ-2026-101"
    assert runner.invoke(cli, ["new", str(project), *HEADER]).exit_code == 0
    res = runner.invoke(cli, ["validate", str(project), "--json", "--as-of", "2026-11-27"])
    doc = json.loads(res.stdout)
    (adj,) = [f for f in doc["files"] if "调整确认表" in f["path"]]
    assert adj["status"] == "ok"
    assert [(f["code"], f["severity"]) for f in adj["findings"]] == [("form-blank", "info")]
    res = runner.invoke(cli, ["rollup", str(tmp_path / "项目"), "-o", str(tmp_path / "汇总.xlsx"),
                              "--as-of", "2026-11-27", "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["pending_adjustments"] == 0
