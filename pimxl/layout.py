"""Where a generated workbook keeps things: the contract between the template writer and the reader.

Form sheet (one per template, named by ``Form.zh``)::

    row 1   title (merged)                     e.g. 项目计划书  Project plan
    row 2   column headings                    字段 | 填写内容 | Field / 说明
    row 3…  one field per row, with a group heading row whenever ``Field.group`` changes
            A: zh label (+ " *" when required)  B: the value (defined name ``fld_<key>``)  C: en label · help

Table sheet (one per ``Table``, named by ``Table.zh``)::

    row 1   en labels (grey, small)
    row 2   zh labels: the header row of the Excel table ``tbl_<key>``
    row 3…  data rows

Identity: the very-hidden sheet ``_pimxl`` holds key/value rows (A: key, B: value) for
``template_id``, ``template_version`` and ``pimxl_version``; the same values are custom document
properties. Long dropdown lists live on the hidden sheet ``_lists``.
"""

from __future__ import annotations

__all__ = [
    "FORM_FIRST_ROW",
    "FORM_LABEL_COL",
    "FORM_NOTE_COL",
    "FORM_VALUE_COL",
    "IDENTITY_KEYS",
    "IDENTITY_SHEET",
    "INSTRUCTIONS_SHEET",
    "LISTS_SHEET",
    "TABLE_EN_ROW",
    "TABLE_HEADER_ROW",
    "field_name",
]

IDENTITY_SHEET = "_pimxl"
LISTS_SHEET = "_lists"
INSTRUCTIONS_SHEET = "填写说明"
IDENTITY_KEYS = ("template_id", "template_version", "pimxl_version")

FORM_FIRST_ROW = 3
FORM_LABEL_COL, FORM_VALUE_COL, FORM_NOTE_COL = 1, 2, 3

TABLE_EN_ROW = 1
TABLE_HEADER_ROW = 2

REQUIRED_MARK = " *"


def field_name(key: str) -> str:
    """The defined name of a form field."""
    return "fld_" + key
