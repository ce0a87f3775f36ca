"""Identity (``_pimxl`` sheet + custom document properties) and the 填写说明 instructions sheet."""

from __future__ import annotations

from typing import Any

from openpyxl.packaging.custom import IntProperty, StringProperty
from openpyxl.workbook.workbook import Workbook

from .. import __version__, layout
from ..schema import Field, FieldType, Template
from . import writer_style as st
from .writer_sheets import protect

__all__ = ["identity", "write_identity", "write_instructions"]

TYPE_ZH: dict[FieldType, str] = {
    FieldType.TEXT: "文本",
    FieldType.LONGTEXT: "长文本",
    FieldType.DATE: "日期",
    FieldType.MONEY: "金额（元）",
    FieldType.NUMBER: "数值",
    FieldType.INTEGER: "整数",
    FieldType.PERCENT: "百分比",
    FieldType.CHOICE: "下拉选择",
    FieldType.CODES: "编码列表",
}


def identity(t: Template) -> dict[str, str | int]:
    return {"template_id": t.id, "template_version": t.version, "pimxl_version": __version__}


def write_identity(wb: Workbook, t: Template) -> None:
    """A very hidden, protected key/value sheet, and the same values as custom document properties."""
    ws = wb.create_sheet(layout.IDENTITY_SHEET)
    for i, (key, value) in enumerate(identity(t).items(), start=1):
        ws.cell(i, 1, key)
        ws.cell(i, 2, str(value))
        if isinstance(value, int):
            wb.custom_doc_props.append(IntProperty(name=key, value=value))
        else:
            wb.custom_doc_props.append(StringProperty(name=key, value=value))
    ws.sheet_state = "veryHidden"
    ws.protection.sheet = True


_REF_HEADS = ("工作表", "字段", "必填", "类型", "下拉选项", "说明", "Field")
_REF_WIDTHS = (14, 20, 6, 12, 30, 44, 26)


def _ref_row(sheet: str, f: Field) -> tuple[str, ...]:
    kind = "公式（自动计算）" if f.computed else TYPE_ZH[f.type]
    return (sheet, f.zh, "是" if f.required else "", kind, "、".join(f.choices), f.help_zh, f.en)


def write_instructions(wb: Workbook, t: Template) -> None:
    """What to fill in, who signs, and a reference of every field (label, required, type, list, help)."""
    ws = wb.create_sheet(layout.INSTRUCTIONS_SHEET)
    ws.sheet_view.showGridLines = False
    ncols = len(_REF_HEADS)
    for j, w in enumerate(_REF_WIDTHS, start=1):
        ws.column_dimensions[chr(64 + j)].width = w
    row = 1
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=ncols)
    c = ws.cell(1, 1, f"填写说明 Instructions — {t.zh} {t.en}（模板 {t.id} v{t.version}）")
    c.font, c.fill, c.alignment = st.font(14, True, "FFFFFF"), st.FILL_TITLE, st.WRAP_CENTER
    ws.row_dimensions[1].height = 28
    row = 3
    looks: dict[tuple[float, bool, str | None], Any] = {}  # a styled cell per look (st.copy_style)

    def line(text: str, *, bold: bool = False, size: float = 10.5, color: str | None = None) -> None:
        nonlocal row
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=ncols)
        cell = ws.cell(row, 1, text)
        model = looks.get((size, bold, color))
        if model is None:
            cell.font, cell.alignment = st.font(size, bold, color), st.WRAP_TOP
            looks[size, bold, color] = cell
        else:
            st.copy_style(cell, model)
        # Merged cells do not grow with wrapped text: give long lines a second line of height.
        ws.row_dimensions[row].height = 18 * (1 + int(st.text_width(text) // 150))
        row += 1

    line("填写要求", bold=True, size=12)
    for i, (zh, en) in enumerate(zip(t.instructions_zh, t.instructions_en + ("",) * 99, strict=False), start=1):
        line(f"{i}. {zh}")
        if en:
            line(f"    {en}", size=9, color="7F7F7F")
    row += 1
    line("签字 Signatures", bold=True, size=12)
    line(t.signers_zh or "—")
    for tbl in t.tables:
        if tbl.help_zh:
            line(f"“{tbl.zh}”：{tbl.help_zh}")
    line("带 * 的字段为必填；灰色单元格为公式，自动计算，请勿覆盖。表格可插入行、增加自己的列、排序和筛选。",
         color="595959")
    row += 1
    line("字段说明 Field reference", bold=True, size=12)
    for j, head in enumerate(_REF_HEADS, start=1):
        h = ws.cell(row, j, head)
        h.font, h.fill, h.border, h.alignment = st.font(bold=True), st.FILL_HEADER, st.BORDER, st.HEADER_ALIGN
    ws.print_title_rows = f"{row}:{row}"
    row += 1
    entries = [(t.form.zh, f) for f in t.form.fields] + [(tb.zh, f) for tb in t.tables for f in tb.columns]
    model = None
    for sheet, f in entries:
        texts = _ref_row(sheet, f)
        for j, text in enumerate(texts, start=1):
            cell = ws.cell(row, j, text or None)
            if model is None:
                cell.font, cell.border, cell.alignment = st.font(9.5), st.BORDER, st.WRAP_TOP
                model = cell
            else:
                st.copy_style(cell, model)
        ws.row_dimensions[row].height = st.row_height(zip(texts, _REF_WIDTHS, strict=True), 16)
        row += 1
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_margins.top = ws.page_margins.bottom = 0.75
    ws.page_margins.header = ws.page_margins.footer = 0.3
    ws.oddFooter.center.text = "第 &P 页 / 共 &N 页"
    protect(ws)
