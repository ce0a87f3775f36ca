"""pimxl new / pimxl fill: every input lands at its named cell or table row; bad data exits 2."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest

from pimxl import layout
from pimxl.cli import cli
from pimxl.templates import TEMPLATES
from pimxl.templates.header import HEADER_KEYS

HEADER = {
    "project_id": "PRJ-2026-007", "project_name": "某银行数据中心扩容", "contract_no": "HT-2026-0107",
    "customer": "某银行股份有限公司", "division": "系统集成事业一部", "project_manager": "王伟",
    "sales_rep": "李娜", "prepared_by": "王伟", "prepared_on": "2026-03-02",
}


def named(wb: openpyxl.Workbook, key: str):  # noqa: ANN201
    sheet, ref = next(iter(wb.defined_names[layout.field_name(key)].destinations))
    return wb[sheet][ref.replace("$", "")].value


def table_rows(wb: openpyxl.Workbook, tid: str, tkey: str) -> list[dict]:
    table = TEMPLATES[tid].table(tkey)
    ws = wb[table.zh]
    keys = [c.key for c in table.columns]
    return [dict(zip(keys, r, strict=True)) for r in ws.iter_rows(min_row=3, max_col=len(keys), values_only=True)]


def expected_header() -> dict:
    return {**HEADER, "prepared_on": datetime(2026, 3, 2)}


def test_new_from_options_writes_four_files_with_identical_headers(runner, tmp_path):
    args = ["new", str(tmp_path / "p")]
    for k, v in HEADER.items():
        args += ["--" + k.replace("_", "-"), v]
    result = runner.invoke(cli, args)
    assert result.exit_code == 0, result.output
    files = sorted((tmp_path / "p").glob("*.xlsx"))
    assert sorted(f.name for f in files) == sorted(f"PRJ-2026-007-{t.zh}.xlsx" for t in TEMPLATES.values())
    for f in files:
        wb = openpyxl.load_workbook(f)
        assert {k: named(wb, k) for k in HEADER_KEYS} == expected_header(), f.name
        assert wb[layout.IDENTITY_SHEET]["B1"].value in TEMPLATES


@pytest.mark.parametrize("fmt", ["json", "yaml", "csv"])
def test_new_from_file_with_options_overriding(runner, tmp_path, fmt):
    data = {**HEADER, "contract_amount": "1200000"}
    src = tmp_path / f"header.{fmt}"
    if fmt == "json":
        src.write_text(json.dumps({"form": data}, ensure_ascii=False), encoding="utf-8")
    elif fmt == "yaml":
        src.write_text("".join(f"{k}: '{v}'\n" for k, v in data.items()), encoding="utf-8")
    else:
        src.write_text("key,value\n" + "".join(f"{k},{v}\n" for k, v in data.items()), encoding="utf-8-sig")
    result = runner.invoke(cli, ["new", str(tmp_path / "p"), "--from", str(src), "--sales-rep", "赵敏"])
    assert result.exit_code == 0, result.output
    for f in (tmp_path / "p").glob("*.xlsx"):
        wb = openpyxl.load_workbook(f)
        assert {k: named(wb, k) for k in HEADER_KEYS} == {**expected_header(), "sales_rep": "赵敏"}
    plan = openpyxl.load_workbook(tmp_path / "p" / "PRJ-2026-007-项目计划书.xlsx")
    assert named(plan, "contract_amount") == 1200000


def test_new_defaults_prepared_on_to_today_and_never_overwrites(runner, tmp_path):
    target = tmp_path / "p"
    assert runner.invoke(cli, ["new", str(target), "--project-id", "ABC-1"]).exit_code == 0
    wb = openpyxl.load_workbook(target / "ABC-1-合同进程表.xlsx")
    assert named(wb, "prepared_on").date() == date.today()
    before = (target / "ABC-1-合同进程表.xlsx").read_bytes()
    result = runner.invoke(cli, ["new", str(target), "--project-id", "ABC-1", "--customer", "新客户"])
    assert result.exit_code == 2 and "--force" in result.stderr
    assert (target / "ABC-1-合同进程表.xlsx").read_bytes() == before
    result = runner.invoke(cli, ["new", str(target), "--project-id", "ABC-1", "--customer", "新客户", "--force"])
    assert result.exit_code == 0
    assert named(openpyxl.load_workbook(target / "ABC-1-合同进程表.xlsx"), "customer") == "新客户"


FILL_DATA = {
    "form": {**HEADER, "contract_amount": 2500000, "planned_start": "2026-03-01", "planned_finish": "2026-09-30",
             "current_phase": "项目实施", "scope": "服务器、存储与网络扩容"},
    "tables": {
        "wbs": [{"wbs_code": "1.1.1", "owner": "王伟", "planned_start": "2026-03-02", "percent_complete": "50%",
                 "predecessors": ["1", "1.1"]},
                {"wbs_code": "4", "task": "额外工作", "status": "进行中"}],
        "risks": [{"risk_id": "R01", "description": "设备到货延迟", "probability": "0.5", "impact": 0.4,
                   "owner": "王伟", "due": "2026-04-30"}],
        "budget": [{"item": "硬件", "budget": "1,800,000.00"}],
    },
}


def test_fill_puts_every_input_at_its_cell_or_row(runner, tmp_path):
    data = tmp_path / "plan.json"
    data.write_text(json.dumps(FILL_DATA, ensure_ascii=False), encoding="utf-8")
    out = tmp_path / "plan.xlsx"
    result = runner.invoke(cli, ["fill", "project-plan", str(out), "--data", str(data)])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == str(out)
    wb = openpyxl.load_workbook(out)
    assert named(wb, "contract_amount") == 2500000
    assert named(wb, "planned_finish") == datetime(2026, 9, 30)
    assert named(wb, "current_phase") == "项目实施"
    assert named(wb, "overall_status") == "绿"  # default kept
    wbs = table_rows(wb, "project-plan", "wbs")
    row = next(r for r in wbs if r["wbs_code"] == "1.1.1")
    assert (row["task"], row["owner"], row["planned_start"], row["percent_complete"], row["predecessors"]) == (
        "合同资料", "王伟", datetime(2026, 3, 2), 0.5, "1, 1.1")
    n_standard = len(TEMPLATES["project-plan"].table("wbs").rows)
    assert wbs[n_standard]["wbs_code"] == "4" and wbs[n_standard]["status"] == "进行中"
    assert wbs[n_standard + 1]["wbs_code"] is None  # blank rows follow
    risk = table_rows(wb, "project-plan", "risks")[0]
    assert (risk["risk_id"], risk["probability"], risk["impact"], risk["due"]) == ("R01", 0.5, 0.4, datetime(2026, 4, 30))
    assert risk["score"].startswith("=")  # formulas stay in place
    budget = table_rows(wb, "project-plan", "budget")
    assert budget[0]["item"] == "硬件" and budget[0]["budget"] == 1800000.0


def test_fill_flat_csv_and_refuses_overwrite(runner, tmp_path):
    data = tmp_path / "site.csv"
    data.write_text("site_name,二号机房\nplanned_entry,2026-04-01\nroom_class,B\n", encoding="utf-8")
    out = tmp_path / "site.xlsx"
    assert runner.invoke(cli, ["fill", "site-environment", str(out), "--data", str(data)]).exit_code == 0
    wb = openpyxl.load_workbook(out)
    assert (named(wb, "site_name"), named(wb, "planned_entry"), named(wb, "room_class")) == (
        "二号机房", datetime(2026, 4, 1), "B")
    result = runner.invoke(cli, ["fill", "site-environment", str(out), "--data", str(data)])
    assert result.exit_code == 2 and "--force" in result.stderr
    assert runner.invoke(cli, ["fill", "site-environment", str(out), "--data", str(data), "--force"]).exit_code == 0


BAD = [
    ({"form": {"colour": "red"}}, "colour"),
    ({"tables": {"gantt": []}}, "gantt"),
    ({"tables": {"wbs": [{"wbs_code": "1", "colour": "red"}]}}, "wbs[1].colour"),
    ({"form": {"planned_start": "abc"}}, "planned_start"),
    ({"form": {"contract_amount": "abc"}}, "contract_amount"),
    ({"form": {"contract_amount": -5}}, "contract_amount"),
    ({"form": {"division": "销售部"}}, "division"),
    ({"form": {"project_id": "prj 001"}}, "project_id"),
    ({"tables": {"risks": [{"risk_id": "R1", "probability": 0.4}]}}, "risks[1].probability"),
    ({"tables": {"risks": [{"risk_id": "R1", "score": 0.4}]}}, "risks[1].score"),
    ({"tables": {"wbs": [{"wbs_code": "1", "percent_complete": 50}]}}, "wbs[1].percent_complete"),
    ({"tables": {"wbs": [{"wbs_code": "1", "planned_finish": "2026-13-01"}]}}, "wbs[1].planned_finish"),
    ({"tables": {"wbs": "1.1"}}, "wbs"),
]


@pytest.mark.parametrize(("data", "field"), BAD)
def test_fill_bad_data_exits_2_naming_the_field(runner, tmp_path, data, field):
    src = tmp_path / "bad.json"
    src.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    result = runner.invoke(cli, ["fill", "project-plan", str(tmp_path / "o.xlsx"), "--data", str(src)])
    assert result.exit_code == 2, result.output
    assert field in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.output
    assert not (tmp_path / "o.xlsx").exists()


@pytest.mark.parametrize(("args", "needle"), [
    (["--project-id", "x"], "project_id"),
    (["--project-id", "PRJ-1", "--division", "销售部"], "division"),
    (["--project-id", "PRJ-1", "--prepared-on", "abc"], "prepared-on"),
    (["--customer", "某客户"], "project_id"),
])
def test_new_bad_data_exits_2(runner, tmp_path, args, needle):
    result = runner.invoke(cli, ["new", str(tmp_path / "p"), *args])
    assert result.exit_code == 2
    assert needle in result.stderr and "Traceback" not in result.output
    assert not list(tmp_path.glob("p/*.xlsx"))


def test_new_bad_from_file(runner, tmp_path):
    bad = tmp_path / "h.json"
    bad.write_text("{not json", encoding="utf-8")
    result = runner.invoke(cli, ["new", str(tmp_path / "p"), "--from", str(bad)])
    assert result.exit_code == 2 and "h.json" in result.stderr
    unknown = tmp_path / "h.yaml"
    unknown.write_text("project_id: PRJ-1\nfavourite_colour: red\n", encoding="utf-8")
    result = runner.invoke(cli, ["new", str(tmp_path / "p"), "--from", str(unknown)])
    assert result.exit_code == 2 and "favourite_colour" in result.stderr


def test_fill_unknown_template(runner, tmp_path):
    src = tmp_path / "d.json"
    src.write_text("{}", encoding="utf-8")
    result = runner.invoke(cli, ["fill", "gantt-chart", str(tmp_path / "o.xlsx"), "--data", str(src)])
    assert result.exit_code == 2 and "gantt-chart" in result.stderr


def test_help_texts_are_bilingual(runner):
    for cmd in (["new"], ["fill"], ["templates"], ["templates", "build"]):
        out = runner.invoke(cli, [*cmd, "--help"]).output
        assert any("\u4e00" <= ch <= "\u9fff" for ch in out) and "the" in out.lower(), cmd


def test_dates_as_real_dates_from_yaml(runner, tmp_path: Path):
    src = tmp_path / "cp.yaml"
    src.write_text("form:\n  signed_on: 2026-01-15\n  last_updated: 2026-03-01\n"
                   "tables:\n  stages:\n    - {stage: 合同签订, actual_date: 2026-01-15, status: 已完成}\n",
                   encoding="utf-8")
    out = tmp_path / "cp.xlsx"
    assert runner.invoke(cli, ["fill", "contract-progress", str(out), "--data", str(src)]).exit_code == 0
    wb = openpyxl.load_workbook(out)
    assert named(wb, "signed_on") == datetime(2026, 1, 15)
    stages = table_rows(wb, "contract-progress", "stages")
    assert stages[0] == {"stage": "合同签订", "planned_date": None, "actual_date": datetime(2026, 1, 15),
                         "status": "已完成", "owner": None, "remarks": None}
    assert len([s for s in stages if s["stage"]]) == 15
