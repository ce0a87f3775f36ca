"""The form sheet: each field by its defined name ``fld_<key>``, else by its label.

The label fallback (names lost when data was pasted into a fresh workbook, or a re-save to
.xls/.ods) looks for the field's zh/en label in the first columns of the form sheet — the value is
the cell to its right — and then in column A of any other sheet.
"""

from __future__ import annotations

from collections import Counter

from .. import layout
from ..records import Value
from ..schema import Field
from .read_book import Grid, is_blank
from .read_codes import FIELD_MISSING, READ_BY_LABEL
from .read_context import ReadContext
from .read_formulas import settle
from .read_labels import field_labels, label_index

__all__ = ["read_form"]

#: The fallback looks this far down and across a form sheet.
FORM_ROWS, FORM_COLS = 500, 4
_SPECIAL = (layout.IDENTITY_SHEET, layout.LISTS_SHEET, layout.INSTRUCTIONS_SHEET)


def _by_names(ctx: ReadContext) -> dict[str, tuple[str, int, int]]:
    out: dict[str, tuple[str, int, int]] = {}
    for f in ctx.template.form.fields:
        ref = ctx.parts.names.get(layout.field_name(f.key))
        if ref is not None and ctx.book.has(ref[0]):
            out[f.key] = ref
    return out


def _form_sheet(ctx: ReadContext, found: dict[str, tuple[str, int, int]], hint: str | None) -> str | None:
    """Where the form is: where its names point, the sheet named 项目信息 (etc.), or the label match."""
    if found:
        return Counter(ref[0] for ref in found.values()).most_common(1)[0][0]
    if ctx.book.has(ctx.template.form.zh):
        return ctx.template.form.zh
    if hint and ctx.book.has(hint):
        return hint
    # Last resort: the sheet holding most of this form's labels.
    best, best_hits = None, 0
    labels = [field_labels(f) for f in ctx.template.form.fields]
    for sheet in ctx.book.names:
        if sheet in _SPECIAL:
            continue
        found_labels = set(label_index(ctx.book.head(sheet, FORM_ROWS), FORM_COLS))
        hits = sum(1 for ls in labels if ls & found_labels)
        if hits > best_hits:
            best, best_hits = sheet, hits
    return best


def _by_label(f: Field, index: dict[str, list[tuple[int, int]]], grid: Grid) -> tuple[int, int] | None:
    """The label cell of a field, in the leftmost column holding one of its labels.

    A label can also be a group heading (调整内容 heads the fields of 调整内容): a field row has
    something to the right of its label (the value, or the en note), a heading row has not; with
    nothing to tell them apart, the heading comes first, so the last one wins.
    """
    hits = sorted({rc for k in field_labels(f) for rc in index.get(k, ())}, key=lambda rc: (rc[1], rc[0]))
    if not hits:
        return None
    hits = [rc for rc in hits if rc[1] == hits[0][1]]
    filled = [(r, c) for r, c in hits if any(not is_blank(v) for v in grid[r - 1][c:c + 2])]
    return filled[0] if filled else hits[-1]


def _locate(ctx: ReadContext, hint: str | None) -> tuple[str | None, dict[str, tuple[str, int, int]]]:
    found = _by_names(ctx)
    sheet = _form_sheet(ctx, found, hint)
    missing = [f for f in ctx.template.form.fields if f.key not in found]
    if not missing:
        return sheet, found
    indexes: list[tuple[str, dict[str, list[tuple[int, int]]]]] = []
    if sheet is not None:
        indexes.append((sheet, label_index(ctx.book.grid(sheet)[:FORM_ROWS], FORM_COLS)))
    # Other sheets: column A only (a table's header row holds labels such as 计划开始 too).
    indexes += [(s, label_index(ctx.book.head(s, FORM_ROWS), 1))
                for s in ctx.book.names if s != sheet and s not in _SPECIAL]
    by_label = 0
    for f in missing:
        for s, index in indexes:
            rc = _by_label(f, index, ctx.book.grid(s))
            if rc is not None:
                found[f.key] = (s, rc[0], rc[1] + 1)
                by_label += 1
                break
    if by_label and sheet is not None:
        ctx.findings.append(READ_BY_LABEL(file=ctx.file, sheet=sheet, section=sheet))
    return sheet, found


def read_form(ctx: ReadContext, hint: str | None = None) -> tuple[str | None, dict[str, Value]]:
    """The form sheet's name and every form field's value (None with no cell when not found)."""
    sheet, found = _locate(ctx, hint)
    values: dict[str, Value] = {}
    typed: dict[str, object] = {}
    for f in ctx.template.form.fields:
        ref = found.get(f.key)
        if ref is None:
            ctx.findings.append(FIELD_MISSING(file=ctx.file, sheet=sheet or "", field=f.key,
                                              label_zh=f.zh, label_en=f.en))
            values[f.key] = Value(None)
            continue
        s, r, c = ref
        v = ctx.value(f, ctx.raw(s, r, c), s, r, c)
        values[f.key] = v
        typed[f.key] = v.value
    # Computed form fields see the other fields' typed values.
    for f in ctx.template.form.fields:
        if f.computed and values[f.key].cell is not None:
            values[f.key] = settle(ctx, f, values[f.key], typed, typed)
    return sheet, values
