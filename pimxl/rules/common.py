"""Rules every template shares: required values, divisions, duplicate row keys, the roster, future actuals."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime

from ..findings import Code, Finding, Severity
from ..records import Row
from ..schema import Table
from ..templates.header import DIVISIONS
from .context import ALL, Context, ref, rule, with_related
from .values import as_date, blank, text

__all__ = ["ACTUAL_IN_FUTURE", "future_actuals", "untouched"]

E, W = Severity.ERROR, Severity.WARNING

REQUIRED_MISSING = Code(
    "required-missing", E,
    "{where}必填项「{label}」为空，请填写。",
    "{where_en}required field '{label_en}' ({label}) is empty; please fill it in.",
)
DIVISION_UNKNOWN = Code(
    "division-unknown", E,
    "事业部「{value}」不在配置的事业部列表中（{known}），请选择正确的事业部。",
    "Division '{value}' is not one of the configured divisions ({known}); choose the right one.",
)
DUPLICATE_KEY = Code(
    "duplicate-key", E,
    "{where}{label}「{value}」与第 {first_line} 行重复；同一表中每行的{label}必须唯一，请修改或删除重复行。",
    "{where_en}{label_en} '{value}' repeats row {first_line}; each row needs its own {label_en}. "
    "Change or delete the duplicate.",
)
PERSON_UNKNOWN = Code(
    "person-unknown", W,
    "{label}「{value}」不在人员名单中，请核对姓名（或在 pimxl.toml 的 roster 中补充别名）。",
    "{label_en} '{value}' is not in the roster; check the name (or add an alias to roster in pimxl.toml).",
)
ACTUAL_IN_FUTURE = Code(
    "actual-in-future", E,
    "{where}{label} {value} 晚于检查日期 {as_of}；实际日期只能填写已经发生的日期，请更正。",
    "{where_en}{label_en} {value} is after the as-of date {as_of}; an actual date must already have happened.",
)


#: Per template table (by id; the table is kept so the id stays its own): its pre-filled rows by row key,
#: each as (column key, comparable text) of every non-computed column — the columns the template
#: leaves empty first: a row the user filled in differs there, and the comparison stops early.
_PREFILLED: dict[int, tuple[Table, dict[tuple[str, ...], tuple[tuple[str, str], ...]]]] = {}
#: Types whose comparable text is never empty (text() of a date or number).
_NEVER_EMPTY = frozenset({date, datetime, float, int})


def _prefilled(table: Table) -> dict[tuple[str, ...], tuple[tuple[str, str], ...]]:
    hit = _PREFILLED.get(id(table))
    if hit is not None and hit[0] is table:
        return hit[1]
    columns: dict[str, object] = {}
    for c in table.columns:
        columns.setdefault(c.key, c)  # table.column(k) is the first column of that key
    compared = [c for c in columns.values() if not c.computed]  # type: ignore[attr-defined]
    index: dict[tuple[str, ...], tuple[tuple[str, str], ...]] = {}
    for pre in table.rows:  # the first pre-filled row of a key is the one compared
        key = tuple(text(pre.get(k)) for k in table.row_key)
        if key not in index:
            wants = {c.key: text(pre.get(c.key, c.default)) for c in compared}  # type: ignore[attr-defined]
            index[key] = tuple(sorted(wants.items(), key=lambda kw: kw[1] != ""))
    _PREFILLED[id(table)] = (table, index)
    return index


def untouched(table: Table, row: Row) -> bool:
    """A pre-filled template row the user has not filled in (only the template's own values in it)."""
    if not table.rows:
        return False
    return _untouched(_prefilled(table), table.row_key, row)


def _untouched(prefilled: dict[tuple[str, ...], tuple[tuple[str, str], ...]], key: tuple[str, ...],
               row: Row) -> bool:
    """:func:`untouched` given the table's :func:`_prefilled` rows and its row key (looked up once per table)."""
    expected = prefilled.get((text(row.get(key[0])),) if len(key) == 1 else tuple(text(row.get(k)) for k in key))
    if expected is None:
        return False
    # Every compared column the row has holds nothing, or the template's own value.
    cells = row.cells
    for k, want in expected:
        v = cells.get(k)
        if v is None:
            continue
        value = v.value
        if blank(value):
            continue
        if not want and type(value) in _NEVER_EMPTY:  # a date or number where the template has nothing
            return False
        if text(value) != want:
            return False
    return True


@rule(ALL)
def required_missing(ctx: Context) -> Iterator[Finding]:
    """Required form fields, and required columns of non-empty rows, hold a value.

    A cell whose text could not be read (value None, raw text present) was already reported by the
    normaliser, so it is not reported again as missing. An untouched pre-filled row (e.g. the template's
    资源 row 项目经理 with no name) counts as "not used" rather than as half filled in.
    """
    for fld in ctx.template.form.fields:
        if not fld.required or fld.computed:
            continue
        v = ctx.record.form.get(fld.key)
        if v is None or (blank(v.value) and blank(v.raw)):
            yield ctx.at_form(REQUIRED_MISSING, fld.key)
    for table in ctx.template.tables:
        required = [c for c in table.columns if c.required and not c.computed]
        if not required:  # nothing to report in this table: no need to look at its rows
            continue
        # The table's pre-filled rows (if any) and its row key, looked up once for all its rows.
        prefilled = _prefilled(table) if table.rows else None
        row_key = table.row_key
        for row in ctx.rows(table.key):
            if prefilled is not None and _untouched(prefilled, row_key, row):
                continue
            cells = row.cells
            for col in required:
                v = cells.get(col.key)
                # A column absent from the file altogether is the reader's finding, once, not one per row.
                if v is not None and blank(v.value) and blank(v.raw):
                    yield ctx.at_row(REQUIRED_MISSING, table.key, row, col.key)


@rule(ALL)
def division_unknown(ctx: Context) -> Iterator[Finding]:
    """Only when pimxl.toml changes the division list: the declared dropdown is then the normaliser's check."""
    known = ctx.settings.divisions
    value = ctx.text("division")
    if tuple(known) != DIVISIONS and value and value not in known:
        yield ctx.at_form(DIVISION_UNKNOWN, "division", known="、".join(known))


@rule(ALL)
def duplicate_key(ctx: Context) -> Iterator[Finding]:
    """A table's row key (WBS code, risk id, stage, payment node, check item…) appears once."""
    for table in ctx.template.tables:
        seen: dict[tuple[str, ...], Row] = {}
        for row in ctx.rows(table.key):
            key = tuple(text(row.get(k)) for k in table.row_key)
            if not all(key):
                continue
            first = seen.setdefault(key, row)
            if first is not row:
                first_cell = first.cell(table.row_key[0])
                f = ctx.at_row(DUPLICATE_KEY, table.key, row, table.row_key[0], value=" / ".join(key),
                               first_line=first_cell.row if first_cell else first.sheet_row)
                yield with_related(f, ref(ctx.record, first_cell))


@rule(ALL)
def person_unknown(ctx: Context) -> Iterator[Finding]:
    """project_manager and sales_rep are on the roster (names or aliases), when a roster is configured."""
    roster = ctx.settings.roster
    if not roster:
        return
    known = {text(n) for n in roster} | {text(a) for aliases in roster.values() for a in aliases}
    for key in ("project_manager", "sales_rep"):
        name = ctx.text(key)
        if name and name not in known:
            yield ctx.at_form(PERSON_UNKNOWN, key)


def future_actuals(ctx: Context, table: str, keys: tuple[str, ...]) -> Iterator[Finding]:
    """``actual-in-future`` for the given date columns of a table (shared by plan and contract rules)."""
    for row in ctx.rows(table):
        for key in keys:
            d = as_date(row.get(key))
            if d is not None and d > ctx.as_of:
                yield ctx.at_row(ACTUAL_IN_FUTURE, table, row, key, as_of=ctx.as_of)
