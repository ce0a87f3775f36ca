"""The form sheet and the table sheets of a generated workbook, laid out as :mod:`pimxl.layout` says."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from openpyxl.workbook.defined_name import DefinedName
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.table import Table as XlTable
from openpyxl.worksheet.table import TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet

from .. import layout
from ..address import a1, col_letter, quote_sheet
from ..schema import Field, FieldType, Form, Table, Template
from . import writer_style as st
from .writer_validation import ListSheet, validation_for

__all__ = ["cell_value", "protect", "render_formula", "write_form", "write_table"]

MAX_ROW = 1048576
# Form columns: label (from the labels), value, note; together about one portrait A4 page width.
VALUE_WIDTH, NOTE_WIDTH = 40.0, 38.0
_REF = re.compile(r"\{(@?)([a-z0-9_]+)\}")


def render_formula(f: Field, table: Table | None, row: int, form: Form) -> str:
    """Expand ``{key}`` (same-row cell of that column) and ``{@key}`` (a form field's defined name)."""
    assert f.formula is not None

    def sub(m: re.Match[str]) -> str:
        if m.group(1):
            form.field(m.group(2))  # raises KeyError on a typo in a declaration
            return layout.field_name(m.group(2))
        if table is None:
            raise KeyError(f"{f.key}: {{{m.group(2)}}} needs a table")
        keys = [c.key for c in table.columns]
        return a1(row, keys.index(m.group(2)) + 1)

    return _REF.sub(sub, f.formula)


def cell_value(f: Field, value: Any, numeric_text: bool = False) -> Any:
    """What to put in a cell: text columns get text (``1.10`` stays ``1.10``), dates real dates."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date() if f.type is FieldType.DATE else value
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    text_cell = st.number_format(f, numeric_text) == "@"
    if text_cell and isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(int(value)) if float(value).is_integer() else str(value)
    return value


def protect(ws: Worksheet) -> None:
    """Protect without password; users may still format, insert/delete rows, sort and filter."""
    p = ws.protection
    p.sheet = True
    p.formatCells = p.formatColumns = p.formatRows = False
    p.insertRows = p.deleteRows = p.insertColumns = False
    p.sort = p.autoFilter = False


def _print_setup(ws: Worksheet, landscape: bool) -> None:
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.page_margins.top = ws.page_margins.bottom = 0.75
    ws.page_margins.header = ws.page_margins.footer = 0.3
    ws.print_options.horizontalCentered = True
    ws.oddFooter.center.text = "第 &P 页 / 共 &N 页"
    ws.oddFooter.right.text = "&A"


def write_form(wb: Workbook, t: Template, values: Mapping[str, Any], lists: ListSheet) -> Worksheet:
    """Row 1 title, row 2 headings, then one field per row with a heading row per group."""
    ws = wb.create_sheet(t.form.zh)
    ws.sheet_view.showGridLines = False
    last = layout.FORM_NOTE_COL
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=last)
    title = ws.cell(1, 1, f"{t.zh}  {t.en}")
    title.font, title.fill, title.alignment = st.font(16, True, "FFFFFF"), st.FILL_TITLE, st.WRAP_CENTER
    ws.row_dimensions[1].height = 30
    for col, text in ((1, "字段"), (2, "填写内容"), (3, "Field · 说明")):
        c = ws.cell(2, col, text)
        c.font, c.fill, c.border, c.alignment = st.font(bold=True), st.FILL_HEADER, st.BORDER, st.HEADER_ALIGN
    row, group = layout.FORM_FIRST_ROW, None
    for f in t.form.fields:
        if f.group and f.group != group:
            # A group heading row: bold, shaded, across the three columns.
            group = f.group
            for col in range(1, last + 1):
                c = ws.cell(row, col, group if col == 1 else None)
                c.font, c.fill, c.border = st.font(bold=True), st.FILL_GROUP, st.BORDER
            row += 1
        _form_row(ws, t.form, f, row, values.get(f.key, f.default), lists)
        wb.defined_names[layout.field_name(f.key)] = DefinedName(
            layout.field_name(f.key), attr_text=f"{quote_sheet(ws.title)}!{a1(row, layout.FORM_VALUE_COL, True)}")
        row += 1
    label_w = max(st.text_width(f.zh + layout.REQUIRED_MARK) for f in t.form.fields) + 2
    ws.column_dimensions["A"].width = min(max(label_w, 14), 30)
    ws.column_dimensions["B"].width = VALUE_WIDTH
    ws.column_dimensions["C"].width = NOTE_WIDTH
    ws.freeze_panes = ws.cell(layout.FORM_FIRST_ROW, 1)
    _print_setup(ws, t.landscape_form)
    ws.print_area = f"A1:{col_letter(last)}{row - 1}"
    protect(ws)
    return ws


def _form_row(ws: Worksheet, form: Form, f: Field, row: int, value: Any, lists: ListSheet) -> None:
    label = ws.cell(row, layout.FORM_LABEL_COL, f.zh + (layout.REQUIRED_MARK if f.required else ""))
    label.font, label.border, label.alignment = st.font(bold=f.required), st.BORDER, st.WRAP_CENTER
    note_text = f.en + (f" · {f.help_zh}" if f.help_zh else "")
    note = ws.cell(row, layout.FORM_NOTE_COL, note_text)
    note.font, note.border, note.alignment = st.font(9, color="595959"), st.BORDER, st.WRAP_CENTER
    cell = ws.cell(row, layout.FORM_VALUE_COL)
    cell.border, cell.number_format = st.BORDER, st.number_format(f)
    cell.alignment = st.WRAP_TOP if f.type is FieldType.LONGTEXT else st.Alignment(vertical="center")
    if f.computed:
        cell.value, cell.fill, cell.protection = render_formula(f, None, row, form), st.FILL_FORMULA, st.LOCKED
        cell.font = st.font()
    else:
        cell.value, cell.protection, cell.font = cell_value(f, value), st.UNLOCKED, st.font(color="1F3864")
    # Long help text wraps in the note column (9 pt: about 13 pt per line).
    lines = st.row_height([(note_text, NOTE_WIDTH * 1.15)], 1.0)
    ws.row_dimensions[row].height = 48 if f.type is FieldType.LONGTEXT else max(20.0, 13.0 * lines + 4)
    dv = validation_for(f, lists)
    if dv is not None:
        dv.add(cell.coordinate)
        ws.add_data_validation(dv)


def write_table(
    wb: Workbook, t: Template, table: Table, rows: Sequence[Mapping[str, Any]], lists: ListSheet
) -> Worksheet:
    """Row 1 en labels, row 2 zh labels (the Excel table's header), data rows below."""
    ws = wb.create_sheet(table.zh)
    first = layout.TABLE_HEADER_ROW + 1
    n_rows = max(len(rows) + table.blank_rows, 1)
    last_row = first + n_rows - 1
    numeric = st.formula_inputs(table)
    for j, f in enumerate(table.columns, start=1):
        letter = col_letter(j)
        en = ws.cell(layout.TABLE_EN_ROW, j, f.en)
        en.font, en.fill, en.border, en.alignment = st.font(8, color="7F7F7F"), st.FILL_EN, st.BORDER, st.HEADER_ALIGN
        head = ws.cell(layout.TABLE_HEADER_ROW, j, f.zh)
        head.font, head.fill, head.border, head.alignment = st.font(bold=True), st.FILL_HEADER, st.BORDER, st.HEADER_ALIGN
        fmt = st.number_format(f, f.key in numeric)
        # The column's own style covers rows beyond the written ones (unlocked input, number format).
        dim = ws.column_dimensions[letter]
        dim.width = st.column_width(f, [r.get(f.key) for r in rows])
        dim.number_format, dim.font = fmt, st.font()
        dim.protection = st.LOCKED if f.computed else st.UNLOCKED
        model = None  # the column's first data cell: the others copy its look
        for i in range(n_rows):
            r = first + i
            c = ws.cell(r, j)
            if model is None:
                c.number_format, c.border, c.font = fmt, st.BORDER, st.font()
                c.alignment = st.WRAP_TOP
                if f.computed:
                    c.fill, c.protection = st.FILL_FORMULA, st.LOCKED
                else:
                    c.protection = st.UNLOCKED
                model = c
            else:
                st.copy_style(c, model)
            if f.computed:
                c.value = render_formula(f, table, r, t.form)
            elif i < len(rows):
                c.value = cell_value(f, rows[i].get(f.key), f.key in numeric)
        dv = validation_for(f, lists)
        if dv is not None:
            dv.add(f"{letter}{first}:{letter}{MAX_ROW}")
            ws.add_data_validation(dv)
    ws.row_dimensions[layout.TABLE_HEADER_ROW].height = 30
    # The small grey en labels wrap to two lines where a column is narrower than its label.
    en_wraps = any(st.text_width(f.en) * 0.75 > ws.column_dimensions[col_letter(j)].width - 1
                   for j, f in enumerate(table.columns, start=1))
    ws.row_dimensions[layout.TABLE_EN_ROW].height = 22 if en_wraps else 13
    # Room for CJK glyphs, and for wrapped pre-filled text (e.g. long WBS task names).
    widths = [ws.column_dimensions[col_letter(j)].width for j in range(1, len(table.columns) + 1)]
    for i in range(n_rows):
        r = first + i
        texts = [None if f.computed else ws.cell(r, j).value for j, f in enumerate(table.columns, start=1)]
        ws.row_dimensions[r].height = st.row_height(zip(texts, widths, strict=True))
    ref = f"A{layout.TABLE_HEADER_ROW}:{col_letter(len(table.columns))}{last_row}"
    xl = XlTable(displayName=table.excel_name, ref=ref)
    xl.tableStyleInfo = TableStyleInfo(name="TableStyleLight9", showRowStripes=True)
    ws.add_table(xl)
    ws.freeze_panes = ws.cell(first, 1)
    _print_setup(ws, landscape=True)
    ws.print_title_rows = f"{layout.TABLE_EN_ROW}:{layout.TABLE_HEADER_ROW}"
    # Table sheets stay unprotected: Excel refuses to insert rows inside an Excel table on a protected
    # sheet, and inserting rows is what staff do most. Formula cells keep their "locked" flag, so a
    # centre that prefers protection only has to switch it on; the reader recomputes formulas anyway.
    return ws
