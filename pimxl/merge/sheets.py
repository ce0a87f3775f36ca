"""Free cells and added sheets written into OUT (the plan of :mod:`.cells`).

Free cells are set in place; a cell BASE never formatted takes the look it has in the copy its
value came from. An added sheet is rebuilt cell by cell from the copy that added it — openpyxl
cannot move a sheet between workbooks, and a cell's style id means nothing in another workbook,
so the style *objects* are copied (font, fill, border, alignment, protection, number format) —
with column widths, row heights, merged cells, links, comments, data validation, conditional
formats, charts, pictures
(when Pillow is installed: openpyxl reads none without it), freeze panes, tab colour and
visibility. Shapes and text boxes of an added sheet are not copied (openpyxl does not read them):
:mod:`.extras` lists them as not merged; its values and formulas always are. Conflicts are coloured and commented like
the template merge's.
"""

from __future__ import annotations

from copy import copy
from datetime import date, datetime
from typing import Any

from ..address import parse_a1
from .apply import conflict_note, mark
from .cells import CellPlan
from .grids import Grid
from .model import Item

__all__ = ["apply_cells"]


def _copy_style(dst: Any, src: Any) -> None:
    """Copy a cell's look between workbooks: the style objects, not the style id (ids are per workbook)."""
    dst.font, dst.fill, dst.border = copy(src.font), copy(src.fill), copy(src.border)
    dst.alignment, dst.protection = copy(src.alignment), copy(src.protection)
    dst.number_format = src.number_format


def _src_cell(source: Grid | None, sheet: str, r: int, c: int) -> Any:
    """The cell a value came from, when its copy was opened with openpyxl (else None: no style to copy)."""
    if source is None or source.wb is None or (name := source.sheet_named(sheet)) is None:
        return None
    return source.wb[name].cell(r, c)


def _put(ws: Any, r: int, c: int, item: Item, src: Any) -> None:
    cell = ws.cell(r, c)
    value = item[0]
    if src is not None and value is not None:
        if src.has_style and not cell.has_style:
            # A cell BASE never formatted takes the look it has in the copy it came from.
            _copy_style(cell, src)
        elif cell.number_format != src.number_format:
            # The value reads as the copy that set it meant it: 5 from one copy is not shown as the date
            # 1900-01-05 because another copy (whose sheet layout was taken) had a date in that cell.
            cell.number_format = src.number_format
    cell.value = copy(value) if type(value).__name__ == "ArrayFormula" else value
    # A date from a values-only copy in an unformatted cell would show as a serial number.
    if isinstance(value, date) and cell.number_format == "General":
        timed = isinstance(value, datetime) and value.time() != datetime.min.time()
        cell.number_format = "yyyy-mm-dd hh:mm" if timed else "yyyy-mm-dd"


def _sheet_layout(ws: Any, src: Any) -> None:
    """Everything of ``src`` but its values: column widths, row heights, styles (of empty cells too),
    links, comments, data validation, freeze panes, tab colour and visibility."""
    from openpyxl.comments import Comment

    for key, dim in src.column_dimensions.items():
        new = ws.column_dimensions[key]
        new.width, new.hidden, new.min, new.max = dim.width, dim.hidden, dim.min, dim.max
    for r, dim in src.row_dimensions.items():
        if dim.height is not None:
            ws.row_dimensions[r].height = dim.height
        ws.row_dimensions[r].hidden = dim.hidden
    for (r, c), cell in src._cells.items():
        if cell.has_style:
            _copy_style(ws.cell(r, c), cell)
        if cell.hyperlink is not None:
            ws.cell(r, c).hyperlink = copy(cell.hyperlink)
        if cell.comment is not None:
            ws.cell(r, c).comment = Comment(cell.comment.text, cell.comment.author or "")
    # Validations refer to the sheet's own ranges (and lists typed into them): valid in OUT as they are.
    for dv in src.data_validations.dataValidation:
        ws.add_data_validation(copy(dv))
    # Conditional formats: each rule carries its own look (dxf), which OUT's workbook registers anew.
    for cf in src.conditional_formatting:
        for rule in cf.rules:
            ws.conditional_formatting.add(str(cf.sqref), copy(rule))
    # Charts and pictures openpyxl read (pictures need Pillow) keep their anchors; a chart's series
    # name their sheets, which OUT has under the same names.
    for chart in src._charts:
        ws.add_chart(chart)
    for image in src._images:
        ws.add_image(image)
    ws.freeze_panes = src.freeze_panes
    if src.sheet_properties.tabColor is not None:
        ws.sheet_properties.tabColor = copy(src.sheet_properties.tabColor)
    ws.sheet_state = src.sheet_state


def apply_cells(wb: Any, plan: CellPlan, at: int, lang: str) -> None:
    """Write ``plan`` into OUT's workbook: free cells in place, added sheets inserted at index ``at``."""
    for fs in plan.free:
        _put(wb[fs.sheet], *fs.at, fs.item, _src_cell(fs.source, fs.sheet, *fs.at))
    for i, added in enumerate(plan.added):
        ws = wb.create_sheet(added.name, at + i)
        src = added.layout.wb[added.sheet] if added.layout.wb is not None else None
        if src is not None:
            _sheet_layout(ws, src)
        for (r, c), (item, source) in added.cells.items():
            _put(ws, r, c, item, _src_cell(source, added.name, r, c))
        # Merged last: merging turns the covered cells into MergedCells, which take no value.
        if src is not None:
            for rng in src.merged_cells.ranges:
                ws.merge_cells(str(rng))
    # Conflicts are coloured and commented like the template merge's.
    for cf in plan.conflicts:
        if not cf.address:
            continue  # no place in OUT (listed on 合并冲突 only)
        r, c = parse_a1(cf.address.rsplit("!", 1)[1])
        mark(wb, cf.sheet, r, c, conflict_note(cf, lang))
