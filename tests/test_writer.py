"""The generated workbooks read back with openpyxl: identity, names, tables, validation, protection, print."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

import openpyxl
import pytest

from pimxl import __version__, layout
from pimxl.io.writer import FIXED_TIMESTAMP, merge_rows, write_template
from pimxl.schema import Field, FieldType, Form, Table, Template
from pimxl.templates import ADJUSTMENT, CONTRACT_PROGRESS, PROJECT_PLAN, TEMPLATES

IDS = list(TEMPLATES)


@pytest.fixture(scope="module")
def books(tmp_path_factory: pytest.TempPathFactory) -> dict[str, openpyxl.Workbook]:
    out = tmp_path_factory.mktemp("books")
    return {t.id: openpyxl.load_workbook(write_template(t, out / f"{t.id}.xlsx")) for t in TEMPLATES.values()}


def letter(n: int) -> str:
    return openpyxl.utils.get_column_letter(n)


def validations(ws) -> dict[str, object]:  # noqa: ANN001
    """sqref text → validation rule."""
    return {str(dv.sqref): dv for dv in ws.data_validations.dataValidation}


@pytest.mark.parametrize("tid", IDS)
def test_identity_sheet_and_custom_properties(books, tid):
    wb = books[tid]
    ws = wb[layout.IDENTITY_SHEET]
    assert ws.sheet_state == "veryHidden"
    assert ws.protection.sheet
    rows = {r[0]: r[1] for r in ws.iter_rows(values_only=True)}
    assert rows == {"template_id": tid, "template_version": str(TEMPLATES[tid].version), "pimxl_version": __version__}
    props = {p.name: p.value for p in wb.custom_doc_props.props}
    assert props == {"template_id": tid, "template_version": TEMPLATES[tid].version, "pimxl_version": __version__}


@pytest.mark.parametrize("tid", IDS)
def test_every_form_field_has_a_defined_name_on_its_value_cell(books, tid):
    wb, form = books[tid], TEMPLATES[tid].form
    ws = wb[form.zh]
    for f in form.fields:
        dn = wb.defined_names[layout.field_name(f.key)]
        ((sheet, ref),) = list(dn.destinations)
        assert sheet == form.zh
        assert ref.startswith("$B$"), ref  # absolute, in the value column
        row = int(ref[3:])
        assert ws.cell(row, 1).value == f.zh + (" *" if f.required else "")
        assert ws.cell(row, 3).value.startswith(f.en)
        assert ws.cell(row, 2).protection.locked is False
        assert ws.cell(row, 1).protection.locked is True
    # Group heading rows sit between fields: one per distinct group.
    last = max(int(list(wb.defined_names[layout.field_name(f.key)].destinations)[0][1][3:]) for f in form.fields)
    groups = len(dict.fromkeys(f.group for f in form.fields if f.group))
    assert last == layout.FORM_FIRST_ROW - 1 + len(form.fields) + groups


@pytest.mark.parametrize("tid", IDS)
def test_tables_headers_and_ranges(books, tid):
    wb = books[tid]
    for table in TEMPLATES[tid].tables:
        ws = wb[table.zh]
        xl = ws.tables[table.excel_name]
        n = max(len(table.rows) + table.blank_rows, 1)
        assert xl.ref == f"A2:{letter(len(table.columns))}{2 + n}"
        assert [c.name for c in xl.tableColumns] == [c.zh for c in table.columns]
        assert [c.value for c in ws[layout.TABLE_HEADER_ROW]] == [c.zh for c in table.columns]
        assert [c.value for c in ws[layout.TABLE_EN_ROW]] == [c.en for c in table.columns]
        assert ws.freeze_panes == "A3"
        # Pre-filled rows are where the declaration puts them, in order.
        for i, row in enumerate(table.rows):
            for j, col in enumerate(table.columns, start=1):
                if not col.computed and row.get(col.key) not in (None, ""):
                    assert ws.cell(3 + i, j).value == row[col.key]


@pytest.mark.parametrize("tid", IDS)
def test_table_validation_is_one_rule_per_column_on_the_whole_column(books, tid):
    wb = books[tid]
    for table in TEMPLATES[tid].tables:
        ws = wb[table.zh]
        rules = validations(ws)
        inputs = [(j, c) for j, c in enumerate(table.columns, start=1) if not c.computed]
        assert len(rules) == len(inputs)
        for j, c in inputs:
            dv = rules[f"{letter(j)}3:{letter(j)}1048576"]
            assert dv.showInputMessage and dv.promptTitle == c.zh and dv.prompt
            if c.choices:
                assert dv.type == "list"
                assert dv.formula1 == '"' + ",".join(c.choices) + '"'
                assert dv.errorStyle == "stop" and dv.error
            elif c.type is FieldType.DATE:
                assert dv.type == "date"
            elif c.type is FieldType.PERCENT:
                assert (dv.type, dv.operator, dv.formula1, dv.formula2) == ("decimal", "between", "0", "1")
            elif c.type is FieldType.MONEY and c.minimum == 0:
                assert (dv.type, dv.operator, dv.formula1) == ("decimal", "greaterThanOrEqual", "0")


def test_specific_dropdowns(books):
    rules = validations(books["project-plan"]["WBS工作分解"])
    assert rules["J3:J1048576"].formula1 == '"未开始,进行中,已完成,延期,取消"'
    rules = validations(books["project-plan"]["风险"])
    assert rules["D3:D1048576"].formula1 == '"0.1,0.3,0.5,0.7,0.9"'
    # Form fields: per cell, on the value cell of the named field.
    ws = books["adjustment"]["调整确认"]
    ref = list(books["adjustment"].defined_names["fld_result"].destinations)[0][1].replace("$", "")
    assert validations(ws)[ref].formula1 == '"待审批,批准,否决,悬置"'
    ref = list(books["adjustment"].defined_names["fld_requested_on"].destinations)[0][1].replace("$", "")
    assert validations(ws)[ref].type == "date"


def test_long_list_goes_through_hidden_lists_sheet(tmp_path):
    many = tuple(f"很长的下拉选项第{i:02d}项" for i in range(40))  # ≫ 255 characters joined
    form = Form("info", "信息", "Info", (Field("kind", "类别", "Kind", FieldType.CHOICE, choices=many),))
    table = Table("items", "明细", "Items", (Field("name", "名称", "Name"),
                                             Field("kind", "类别", "Kind", FieldType.CHOICE, choices=many)),
                  row_key=("name",), blank_rows=3)
    t = Template("long-list", 1, "长列表", "Long list", form, (table,))
    wb = openpyxl.load_workbook(write_template(t, tmp_path / "long.xlsx"))
    lists = wb[layout.LISTS_SHEET]
    assert lists.sheet_state == "hidden"
    assert [r[0] for r in lists.iter_rows(values_only=True)] == list(many)
    assert validations(wb["明细"])["B3:B1048576"].formula1 == "'_lists'!$A$1:$A$40"
    assert validations(wb["信息"])["B3"].formula1 == "'_lists'!$A$1:$A$40"  # same list, one column
    assert wb.sheetnames[-2:] == [layout.LISTS_SHEET, layout.IDENTITY_SHEET]


@pytest.mark.parametrize("tid", IDS)
def test_protection_and_locking(books, tid):
    wb = books[tid]
    for table in TEMPLATES[tid].tables:
        ws = wb[table.zh]
        # Unprotected on purpose: Excel cannot insert rows into a table on a protected sheet.
        assert not ws.protection.sheet
        assert ws.cell(2, 1).protection.locked
        for j, c in enumerate(table.columns, start=1):
            cell = ws.cell(3, j)
            assert cell.protection.locked is bool(c.computed)
            assert ws.column_dimensions[letter(j)].protection.locked is bool(c.computed)
    assert wb[TEMPLATES[tid].form.zh].protection.sheet
    assert wb[layout.INSTRUCTIONS_SHEET].protection.sheet


@pytest.mark.parametrize("tid", IDS)
def test_number_formats_print_setup_and_widths(books, tid):
    expected = {FieldType.DATE: "yyyy-mm-dd", FieldType.MONEY: "¥#,##0.00", FieldType.PERCENT: "0%"}
    wb = books[tid]
    for table in TEMPLATES[tid].tables:
        ws = wb[table.zh]
        for j, c in enumerate(table.columns, start=1):
            if c.type in expected:
                assert ws.cell(3, j).number_format == expected[c.type]
                assert ws.column_dimensions[letter(j)].number_format == expected[c.type]
            # Wide enough for the Chinese header (2 units per character) unless declared.
            assert ws.column_dimensions[letter(j)].width >= (c.width or 2 * len(c.zh))
        ps = ws.page_setup
        assert (ps.paperSize, ps.orientation, ps.fitToWidth, ps.fitToHeight) == (9, "landscape", 1, 0)
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        assert ws.print_title_rows == "$1:$2"
    form = wb[TEMPLATES[tid].form.zh]
    assert form.page_setup.paperSize == 9 and form.page_setup.fitToWidth == 1
    assert form.freeze_panes == "A3"


def test_formulas_expand_to_same_row_cells_and_defined_names(books):
    ws = books["project-plan"]["风险"]
    assert ws["F3"].value == '=IF(OR(D3="",E3=""),"",ROUND(D3*E3,4))'
    assert ws["G7"].value.startswith('=IF(F7="","",IF(F7>=0.17999')
    ws = books["contract-progress"]["收款计划"]
    assert ws["C4"].value == '=IF(OR(B4="",fld_contract_amount=""),"",ROUND(B4*fld_contract_amount,2))'
    # contract-progress v2 put 发票号 after 开票日期: 未收金额 is K (= 金额 C − 到账金额 I).
    assert ws["K4"].value == '=IF(C4="","",C4-N(I4))'
    last = 2 + len(CONTRACT_PROGRESS.table("payments").rows)
    assert ws.cell(last, 3).value.startswith("=IF(")


@pytest.mark.parametrize("tid", IDS)
def test_instructions_sheet_is_last_visible_and_complete(books, tid):
    wb, t = books[tid], TEMPLATES[tid]
    visible = [ws.title for ws in wb.worksheets if ws.sheet_state == "visible"]
    assert visible == [t.form.zh, *(tb.zh for tb in t.tables), layout.INSTRUCTIONS_SHEET]
    text = "\n".join(str(v) for row in wb[layout.INSTRUCTIONS_SHEET].iter_rows(values_only=True) for v in row if v)
    assert t.signers_zh in text
    for line in t.instructions_zh:
        assert line in text
    for f in (*t.form.fields, *(c for tb in t.tables for c in tb.columns)):
        assert f.zh in text and f.en in text
    assert "、".join(PROJECT_PLAN.table("wbs").column("status").choices) in text or tid != "project-plan"


def test_values_and_rows_are_written_typed(tmp_path):
    values = {"project_id": "PRJ-1", "requested_on": date(2026, 3, 5), "cost_impact": -1500.5}
    rows = {"items": [{"item": "1.2.1", "field": "计划完成", "before": "2026-03-01", "after": "2026-03-10"}]}
    wb = openpyxl.load_workbook(write_template(ADJUSTMENT, tmp_path / "a.xlsx", values=values, rows=rows))
    ws = wb["调整确认"]

    def named(key: str):  # noqa: ANN202
        sheet, ref = list(wb.defined_names[layout.field_name(key)].destinations)[0]
        return wb[sheet][ref.replace("$", "")]

    assert named("requested_on").value == datetime(2026, 3, 5)
    assert named("requested_on").number_format == "yyyy-mm-dd"
    assert named("cost_impact").value == -1500.5
    assert named("result").value == "待审批"  # the declared default
    assert [c.value for c in wb["调整明细"][3]] == ["1.2.1", "计划完成", "2026-03-01", "2026-03-10", None]
    assert ws.title == "调整确认"


def test_write_is_atomic_and_replaces(tmp_path):
    target = tmp_path / "x.xlsx"
    target.write_bytes(b"old")
    write_template(ADJUSTMENT, target, timestamp=FIXED_TIMESTAMP)
    assert target.read_bytes()[:2] == b"PK"
    assert [p.name for p in tmp_path.iterdir()] == ["x.xlsx"]


@pytest.mark.parametrize(("given", "expected_keys"), [
    ([], ["1", "1.1"]),
    ([{"wbs_code": "1.1", "owner": "张三"}], ["1", "1.1"]),
    ([{"wbs_code": "9", "task": "新增"}], ["1", "1.1", "9"]),
    ([{"task": "无编码"}], ["1", "1.1", None]),
])
def test_merge_rows_by_row_key(given, expected_keys):
    table = replace(PROJECT_PLAN.table("wbs"), rows=({"wbs_code": "1", "task": "甲"}, {"wbs_code": "1.1", "task": "乙"}))
    rows = merge_rows(table, given)
    assert [r.get("wbs_code") for r in rows] == expected_keys
    if given and given[0].get("owner"):
        assert rows[1] == {"wbs_code": "1.1", "task": "乙", "owner": "张三"}
