"""pimxl upgrade: the committed version-1 contract progress table onto the current version.

Where each v1 value must land is written out by hand below (v2 inserted 发票号 as column H of
收款计划, so 到账金额… move one column right; 负责人 became 责任人 in place).
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sys
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest

from pimxl.cli import cli
from pimxl.io.reader import read_workbook
from pimxl.templates import CONTRACT_PROGRESS, TEMPLATES
from pimxl.upgrade import MIGRATIONS, AddField, Relabel, declaration_at, history

FIXTURES = Path(__file__).parent / "fixtures"
V1 = FIXTURES / "contract-progress-v1-filled.xlsx"
#: 收款计划 v1 column → v2 column, for input columns (C 金额 and J 未收金额 are formulas).
PAYMENT_COLUMNS = {"A": "A", "B": "B", "D": "D", "E": "E", "F": "F", "G": "G", "H": "I", "I": "J", "K": "L"}
STAGE_COLUMNS = {c: c for c in "ABCDEF"}
LEFTOVERS = [  # (sheet, cell, header/label, value)
    ("合同信息", "E4", "项目编号", "合同原件在档案室 3 号柜"),
    ("合同进程", "G8", "客户对接人", "李工 13800001111"),
    ("合同进程", "G10", "客户对接人", "周工"),
    ("合同进程", "G14", "客户对接人", "李工"),
    ("收款计划", "C7", "金额", 60000),
    ("备忘", "A1", None, "事项"),
    ("备忘", "B1", None, "日期"),
    ("备忘", "A2", None, "客户要求终验前提交巡检报告"),
    ("备忘", "B2", None, datetime(2026, 9, 30)),
]


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _values(ws, columns: dict[str, str]) -> dict[str, object]:
    """Non-empty cells of data rows (from row 3) in the given columns, renamed to their new column."""
    out = {}
    for row in ws.iter_rows(min_row=3):
        for c in row:
            if c.column_letter in columns and c.value not in (None, ""):
                out[f"{columns[c.column_letter]}{c.row}"] = c.value
    return out


def _form(ws) -> dict[str, object]:
    """Form values by label (column A without the required mark)."""
    return {str(ws.cell(r, 1).value).removesuffix(" *"): ws.cell(r, 2).value
            for r in range(3, ws.max_row + 1) if ws.cell(r, 2).value not in (None, "")}


@pytest.fixture(scope="module")
def upgraded(tmp_path_factory) -> tuple[Path, dict, str]:
    from click.testing import CliRunner

    out = tmp_path_factory.mktemp("up")
    before = _sha(V1)
    res = CliRunner().invoke(cli, ["upgrade", str(V1), "-o", str(out), "--json"])
    assert res.exit_code == 0, res.output
    return out / V1.name, json.loads(res.stdout), before


def test_every_value_at_its_new_place(upgraded):
    path, _, _ = upgraded
    old, new = openpyxl.load_workbook(V1), openpyxl.load_workbook(path)
    assert _form(new["合同信息"]) == _form(old["合同信息"])
    assert _values(new["合同进程"], STAGE_COLUMNS) == _values(old["合同进程"], STAGE_COLUMNS)
    assert _values(new["收款计划"], {c: c for c in PAYMENT_COLUMNS.values()}) == _values(old["收款计划"],
                                                                                     PAYMENT_COLUMNS)
    # The renamed header, the new column (empty), the formulas of the current version.
    assert (new["合同进程"]["E2"].value, new["收款计划"]["H2"].value) == ("责任人", "发票号")
    assert [new["收款计划"].cell(r, 8).value for r in range(3, 8)] == [None] * 5
    assert new["收款计划"]["K7"].value == '=IF(C7="","",C7-N(I7))'
    # The deleted stage stays deleted, the date typed as text stays as typed.
    assert [new["合同进程"].cell(r, 1).value for r in range(3, 17)] == [
        old["合同进程"].cell(r, 1).value for r in range(3, 17)]
    assert "国际运输" not in [new["合同进程"].cell(r, 1).value for r in range(3, 20)]
    assert new["合同进程"]["B16"].value == "待定"


def test_identity_is_current(upgraded):
    path, _, _ = upgraded
    rec = read_workbook(path)
    assert (rec.template_id, rec.version) == ("contract-progress", CONTRACT_PROGRESS.version) == (
        "contract-progress", 2)
    assert "template-version-old" not in {f.code for f in rec.findings}
    assert rec.tables["stages"][0].get("owner") == "陈静"


def test_values_with_no_place_are_kept_in_the_unmigrated_sheet(upgraded):
    path, doc, _ = upgraded
    ws = openpyxl.load_workbook(path)["未迁移"]
    rows = [r[:4] for r in ws.iter_rows(min_row=3, values_only=True)]
    assert rows == LEFTOVERS
    assert [(x["sheet"], x["cell"]) for x in doc["files"][0]["not_migrated"]] == [(s, c) for s, c, _, _ in LEFTOVERS]


def test_report_lists_every_move(upgraded):
    path, doc, _ = upgraded
    f = doc["files"][0]
    assert (f["status"], f["from_version"], f["to_version"]) == ("upgraded", 1, 2)
    moved = {m["from"]: m["to"] for m in f["moved"]}
    old = openpyxl.load_workbook(V1)
    # Every non-empty input cell of the v1 tables and form, except leftovers, was moved.
    expected = {f"'收款计划'!{c.coordinate}": f"'收款计划'!{PAYMENT_COLUMNS[c.column_letter]}{c.row}"
                for row in old["收款计划"].iter_rows(min_row=3) for c in row
                if c.column_letter in PAYMENT_COLUMNS and c.value not in (None, "")}
    assert {k: v for k, v in moved.items() if k.startswith("'收款计划'")} == expected
    assert {k for k in moved if k.startswith("'合同进程'")} == {
        f"'合同进程'!{k}" for k in _values(old["合同进程"], STAGE_COLUMNS)}
    owner = next(m for m in f["moved"] if m["from"] == "'合同进程'!E3")
    assert (owner["old_label"], owner["label"], owner["value"]) == ("负责人", "责任人", "陈静")
    assert f["migrations"][0]["from"] == 1


def test_input_unchanged(upgraded):
    _, _, before = upgraded
    assert _sha(V1) == before


def test_current_file_is_copied_and_unreadable_reported(runner, tmp_path):
    current = Path("workbooks/templates/adjustment.xlsx")
    junk = tmp_path / "junk.xlsx"
    junk.write_bytes(b"not a workbook")
    res = runner.invoke(cli, ["upgrade", str(current), str(junk), "-o", str(tmp_path / "out"), "--json"])
    assert res.exit_code == 3
    files = {Path(f["source"]).name: f for f in json.loads(res.stdout)["files"]}
    assert files["adjustment.xlsx"]["status"] == "current" and files["junk.xlsx"]["status"] == "unreadable"
    assert _sha(tmp_path / "out" / "adjustment.xlsx") == _sha(current)


def test_output_folder_of_the_input_is_refused(runner, tmp_path):
    src = tmp_path / V1.name
    shutil.copy(V1, src)
    assert runner.invoke(cli, ["upgrade", str(src), "-o", str(tmp_path)]).exit_code == 2


def test_text_report(runner, tmp_path):
    res = runner.invoke(cli, ["upgrade", str(V1), "-o", str(tmp_path)])
    assert res.exit_code == 0
    assert "v1 → v2" in res.stdout and "负责人 → 责任人" in res.stdout
    assert "未迁移 '备忘'!A2" in res.stdout


# -- the version history as data ------------------------------------------------------------------

def test_history_has_a_migration_for_every_version_step():
    for t in TEMPLATES.values():
        assert [m.version for m in history(t.id)] == list(range(1, t.version)), t.id


def test_old_labels_are_still_read():
    for m in MIGRATIONS:
        t = TEMPLATES[m.template_id]
        for change in m.changes:
            if isinstance(change, Relabel):
                fields = t.form.fields if change.section == t.form.key else t.table(change.section).columns
                assert change.old_zh in next(f for f in fields if f.key == change.key).aliases
            if isinstance(change, AddField):
                t.table(change.section).column(change.key)  # exists in the current declaration


def test_declaration_at_1_is_the_version_the_fixture_was_made_with(tmp_path):
    """Regenerating the fixture with declaration_at(…, 1) gives the same sheets and values."""
    sys.path.insert(0, str(FIXTURES))
    try:
        import make_contract_progress_v1 as make
    finally:
        sys.path.remove(str(FIXTURES))
    v1 = declaration_at(CONTRACT_PROGRESS, 1)
    assert (v1.version, v1.table("stages").column("owner").zh) == (1, "负责人")
    assert "invoice_no" not in [c.key for c in v1.table("payments").columns]
    again = make.main(v1, tmp_path / "again.xlsx")
    a, b = openpyxl.load_workbook(again), openpyxl.load_workbook(V1)
    assert a.sheetnames == b.sheetnames
    for ws in a.worksheets:
        assert [[c.value for c in r] for r in ws.iter_rows()] == [[c.value for c in r] for r in b[ws.title].iter_rows()]


@pytest.mark.libreoffice
def test_upgraded_workbook_opens_and_computes_in_libreoffice(upgraded, tmp_path):
    from lo import convert

    path, _, _ = upgraded
    (out,) = convert([path], "xlsx", tmp_path)
    ws = openpyxl.load_workbook(out, data_only=True)["收款计划"]
    # 未收金额 (K) = 金额 − 到账金额: 到货款 384000 − 200000.
    assert ws["C4"].value == 384000 and ws["K4"].value == 184000
    assert "未迁移" in openpyxl.load_workbook(out).sheetnames
