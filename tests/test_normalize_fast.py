"""The normaliser's fast paths (pimxl.normalize_fast) give exactly what the general path gives, or step aside.

Each case: (raw, field, what the fast path returns — a value or SLOW —, and what ``normalize`` returns:
the value and the finding codes). A fast value must equal the general value in type and ``repr``
(so -0.0 stays -0.0) and the general path must have nothing to say about it.
"""

from __future__ import annotations

import math
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pimxl.normalize import normalize
from pimxl.normalize_fast import SLOW, fast_typer
from pimxl.schema import Field, FieldType
from pimxl.templates import vocab
from pimxl.templates.header import HEADER_FIELDS

AS_OF = date(2026, 6, 15)

TEXT = Field("customer", "客户名称", "Customer")
LONG = Field("scope", "工作范围", "Scope", FieldType.LONGTEXT)
PROJECT_ID = next(f for f in HEADER_FIELDS if f.key == "project_id")
STATUS = Field("status", "状态", "Status", FieldType.CHOICE, choices=vocab.TASK_STATUSES)
NA_CHOICE = Field("applies", "适用", "Applies", FieldType.CHOICE, choices=("适用", "不适用"))
BARE_CHOICE = Field("kind", "类别", "Kind", FieldType.CHOICE)
NUM_CHOICE = Field("probability", "概率", "Probability", FieldType.NUMBER, choices=vocab.RISK_PROBABILITIES)
CODES = Field("predecessors", "前置任务", "Predecessors", FieldType.CODES)
DATE = Field("planned_start", "计划开始", "Planned start", FieldType.DATE)
MONEY = Field("contract_amount", "合同金额", "Contract amount", FieldType.MONEY, minimum=0)
NUMBER = Field("lower", "下限", "Lower bound", FieldType.NUMBER)
INT = Field("days", "进度影响(天)", "Schedule impact (days)", FieldType.INTEGER)
INT_RANGE = Field("people", "人数", "People", FieldType.INTEGER, minimum=1, maximum=50)
PCT = Field("percent_complete", "完成%", "% complete", FieldType.PERCENT, minimum=0, maximum=1)

FIELDS = [TEXT, LONG, PROJECT_ID, STATUS, NA_CHOICE, BARE_CHOICE, NUM_CHOICE, CODES, DATE, MONEY, NUMBER, INT,
          INT_RANGE, PCT]

# (raw, field, fast path's answer, normalize's value, normalize's finding codes)
CASES: list[tuple[Any, Field, Any, Any, list[str]]] = [
    # money / number: a float from calamine is taken as it is, sign of zero included
    (1200000.0, MONEY, 1200000.0, 1200000.0, []),
    (-0.0, NUMBER, -0.0, -0.0, []),
    (1e308, NUMBER, 1e308, 1e308, []),
    (5e-324, MONEY, 5e-324, 5e-324, []),
    (math.nan, NUMBER, SLOW, None, ["number-invalid"]),
    (math.inf, MONEY, SLOW, None, ["number-invalid"]),
    (-1.0, MONEY, SLOW, -1.0, ["number-out-of-range"]),  # below the minimum 0
    (-1e-10, MONEY, -1e-10, -1e-10, []),  # within the range check's tolerance
    (True, NUMBER, SLOW, None, ["number-invalid"]),  # a boolean is not a number
    (3, NUMBER, SLOW, 3.0, []),  # an int (not from calamine) goes the general way
    ("1,200", MONEY, SLOW, 1200.0, ["number-normalised"]),
    (Decimal("2.5"), NUMBER, SLOW, 2.5, []),
    (0.3, NUM_CHOICE, 0.3, 0.3, []),
    (0.35, NUM_CHOICE, SLOW, 0.35, ["choice-invalid"]),
    # integers: a whole float becomes an int; anything else is the general path's
    (3.0, INT, 3, 3, []),
    (-0.0, INT, 0, 0, []),
    (1e308, INT, int(1e308), int(1e308), []),
    (3.5, INT, SLOW, None, ["integer-invalid"]),
    (2.9999999999, INT, SLOW, 3, []),  # float noise: whole, but not on the fast path
    (0.0, INT_RANGE, SLOW, 0, ["number-out-of-range"]),
    (50.0, INT_RANGE, 50, 50, []),
    # percentages: a fraction is taken; 30 is assumed to mean 30 %
    (0.3, PCT, 0.3, 0.3, []),
    (-0.0, PCT, -0.0, -0.0, []),
    (1.0, PCT, 1.0, 1.0, []),
    (30.0, PCT, SLOW, 0.3, ["percent-assumed"]),
    (-0.5, PCT, SLOW, -0.5, ["number-out-of-range"]),
    (math.nan, PCT, SLOW, None, ["percent-invalid"]),
    # dates: a date, or a datetime at midnight; a time of day is reported
    (date(2026, 3, 5), DATE, date(2026, 3, 5), date(2026, 3, 5), []),
    (datetime(2026, 3, 5), DATE, date(2026, 3, 5), date(2026, 3, 5), []),
    (datetime(2026, 3, 5, 14, 30), DATE, SLOW, date(2026, 3, 5), ["datetime-truncated"]),
    (datetime(2026, 3, 5, 0, 0, 0, 1), DATE, SLOW, date(2026, 3, 5), ["datetime-truncated"]),
    (time(9, 0), DATE, SLOW, None, ["date-invalid"]),
    (46086.0, DATE, SLOW, date(2026, 3, 5), ["date-normalised"]),
    ("2026-03-05", DATE, SLOW, date(2026, 3, 5), ["date-normalised"]),
    # choices: exactly an option; anything else (even a trailing space) is reported
    ("进行中", STATUS, "进行中", "进行中", []),
    ("进行中 ", STATUS, SLOW, "进行中", ["choice-normalised"]),
    ("ｄｏｎｅ", STATUS, SLOW, "已完成", ["choice-normalised"]),
    ("已完成\u200b", STATUS, SLOW, "已完成", ["choice-normalised"]),
    ("未知", STATUS, SLOW, None, ["placeholder-empty"]),
    ("N/A", NA_CHOICE, SLOW, "不适用", ["choice-normalised"]),
    ("不适用", NA_CHOICE, "不适用", "不适用", []),
    ("#N/A", NA_CHOICE, SLOW, None, ["cell-error"]),
    ("无", BARE_CHOICE, SLOW, None, ["placeholder-empty"]),  # no options: text, but 无 is a placeholder
    (True, STATUS, SLOW, "TRUE", ["choice-invalid"]),
    # short text: clean text is kept; every change is reported
    ("上海某某科技有限公司", TEXT, "上海某某科技有限公司", "上海某某科技有限公司", []),
    ("A B（北京）、C", TEXT, "A B（北京）、C", "A B（北京）、C", []),  # Chinese punctuation stays
    ("12.50", TEXT, "12.50", "12.50", []),  # looks like a number: still text, as typed
    ("0012", TEXT, "0012", "0012", []),
    (2.0, TEXT, "2", "2", []),  # a WBS code typed as a number
    (2.8, TEXT, "2.8", "2.8", []),
    (-0.0, TEXT, "0", "0", []),
    (math.nan, TEXT, "nan", "nan", []),
    (" 客户", TEXT, SLOW, "客户", ["text-normalised"]),
    ("客户\n名称", TEXT, SLOW, "客户 名称", ["text-normalised"]),
    ("A  B", TEXT, SLOW, "A B", ["text-normalised"]),
    ("ＡＢＣ１２３", TEXT, SLOW, "ABC123", ["text-normalised"]),
    ("客户\u3000名称", TEXT, SLOW, "客户 名称", ["text-normalised"]),
    ("客户\xa0名称", TEXT, SLOW, "客户 名称", ["text-normalised"]),
    ("客户\u200b", TEXT, SLOW, "客户", ["text-normalised"]),
    ("#REF!", TEXT, SLOW, None, ["cell-error"]),
    ("＃ＲＥＦ！", TEXT, SLOW, None, ["cell-error"]),
    ("#1 楼", TEXT, SLOW, "#1 楼", []),  # a '#' always goes the general way
    ("", TEXT, SLOW, None, []),
    (True, TEXT, SLOW, "TRUE", []),
    (date(2026, 3, 5), TEXT, SLOW, "2026-03-05", ["text-normalised"]),
    # a field with a pattern (the project id): clean and matching, else the general path
    ("PRJ-2026-001", PROJECT_ID, "PRJ-2026-001", "PRJ-2026-001", []),
    ("prj-2026-001", PROJECT_ID, SLOW, "PRJ-2026-001", ["text-normalised"]),
    ("PRJ－2026－001", PROJECT_ID, SLOW, "PRJ-2026-001", ["text-normalised"]),
    (2026.0, PROJECT_ID, SLOW, "2026", []),  # a number in a pattern field: the general path's
    (12.0, PROJECT_ID, SLOW, "12", ["pattern-mismatch"]),
    ("P 1", PROJECT_ID, SLOW, "P 1", ["pattern-mismatch"]),
    # long text keeps inner line breaks; CR LF and trimming are the general path's
    ("第一行\n第二行", LONG, "第一行\n第二行", "第一行\n第二行", []),
    ("第一行\r\n第二行", LONG, SLOW, "第一行\n第二行", []),
    ("范围 ", LONG, SLOW, "范围", ["text-normalised"]),
    (12.0, LONG, "12", "12", []),
    # code lists always take the general path
    ("1.1, 1.2", CODES, SLOW, ("1.1", "1.2"), []),
]


def _same(a: Any, b: Any) -> bool:
    return type(a) is type(b) and repr(a) == repr(b)


@pytest.mark.parametrize(("raw", "field", "fast", "value", "codes"), CASES,
                         ids=[f"{c[1].key}-{c[0]!r}" for c in CASES])
def test_fast_path_is_the_general_path(raw: Any, field: Field, fast: Any, value: Any, codes: list[str]) -> None:
    got, found = normalize(raw, field, as_of=AS_OF)
    assert _same(got, value)
    assert [f.code for f in found] == codes
    answer = fast_typer(field)(raw)
    if fast is SLOW:
        assert answer is SLOW
    else:
        assert _same(answer, fast)
        assert codes == []


def test_typer_is_built_once_per_field() -> None:
    assert fast_typer(STATUS) is fast_typer(STATUS)


_RAW = st.one_of(
    st.none(),
    st.booleans(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(-10**6, 10**6).map(float),
    st.dates(min_value=date(1950, 1, 1), max_value=date(2100, 1, 1)),
    st.datetimes(min_value=datetime(1950, 1, 1), max_value=datetime(2100, 1, 1)),
    # Text made of pieces: characters the normaliser folds or trims, and words it knows.
    st.lists(st.sampled_from(
        list("0123456789.,- #%元万ＡＢ１２ａ（）、＃！是") + ["\u3000", "\xa0", "\u200b", "\n", "\r", "\t",
                                                      "进行中", "已完成", "PRJ-2026-", "REF!", "N/A"]),
        max_size=8).map("".join),
    st.sampled_from([*vocab.TASK_STATUSES, *vocab.RISK_PROBABILITIES, "不适用", "适用"]),
)


@settings(max_examples=600, deadline=None)
@given(raw=_RAW, field=st.sampled_from(FIELDS))
def test_fast_path_never_differs(raw: Any, field: Field) -> None:
    answer = fast_typer(field)(raw)
    if answer is SLOW:
        return
    got, found = normalize(raw, field, as_of=AS_OF)
    assert found == []
    assert _same(answer, got)
