"""Normalisation of what people type (SPEC §2.6): a table of (raw, field, value, code, severity)."""

from __future__ import annotations

import math
import re
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pimxl.findings import CODES, Severity
from pimxl.normalize import fold_width, normalize, parse_yes_no
from pimxl.schema import Field, FieldType
from pimxl.templates import vocab
from pimxl.templates.header import HEADER_FIELDS

AS_OF = date(2026, 6, 15)

TEXT = Field("customer", "客户名称", "Customer")
LONG = Field("scope", "工作范围", "Scope", FieldType.LONGTEXT)
PROJECT_ID = next(f for f in HEADER_FIELDS if f.key == "project_id")
DIVISION = next(f for f in HEADER_FIELDS if f.key == "division")
STATUS = Field("status", "状态", "Status", FieldType.CHOICE, choices=vocab.TASK_STATUSES)
STAGE = Field("status", "状态", "Status", FieldType.CHOICE, choices=vocab.STAGE_STATUSES)
YES_NO = Field("confirmed", "已确认", "Confirmed", FieldType.CHOICE, choices=("是", "否"))
CURRENCY = Field("currency", "币种", "Currency", FieldType.CHOICE, choices=("CNY", "USD", "EUR", "HKD", "JPY"))
CODES_F = Field("predecessors", "前置任务", "Predecessors", FieldType.CODES)
DATE = Field("planned_start", "计划开始", "Planned start", FieldType.DATE)
MONEY = Field("contract_amount", "合同金额", "Contract amount", FieldType.MONEY, minimum=0)
NUMBER = Field("lower", "下限", "Lower bound", FieldType.NUMBER)
PROB = Field("probability", "概率", "Probability", FieldType.NUMBER, choices=vocab.RISK_PROBABILITIES)
INT = Field("schedule_impact_days", "进度影响(天)", "Schedule impact (days)", FieldType.INTEGER)
INT_RANGE = Field("people", "人数", "People", FieldType.INTEGER, minimum=1, maximum=50)
PCT = Field("percent_complete", "完成%", "% complete", FieldType.PERCENT, minimum=0, maximum=1)

INFO, WARN, ERR = Severity.INFO, Severity.WARNING, Severity.ERROR

# (raw, field, expected value, expected code or None, expected severity or None)
CASES: list[tuple[Any, Field, Any, str | None, Severity | None]] = [
    # ---- empty ----------------------------------------------------------------------------------
    (None, TEXT, None, None, None),
    ("", DATE, None, None, None),
    ("   ", TEXT, None, None, None),
    ("\u3000\n", MONEY, None, None, None),
    ("\u200b", CODES_F, None, None, None),
    # ---- dates: real Excel dates are silent ------------------------------------------------------
    (date(2026, 3, 5), DATE, date(2026, 3, 5), None, None),
    (datetime(2026, 3, 5), DATE, date(2026, 3, 5), None, None),
    (datetime(2026, 3, 5, 14, 30), DATE, date(2026, 3, 5), "datetime-truncated", INFO),
    # ---- dates typed as text: certain → info ------------------------------------------------------
    ("2026-3-5", DATE, date(2026, 3, 5), "date-normalised", INFO),
    ("2026-03-05", DATE, date(2026, 3, 5), "date-normalised", INFO),
    ("2026/03/05", DATE, date(2026, 3, 5), "date-normalised", INFO),
    ("2026.3.5", DATE, date(2026, 3, 5), "date-normalised", INFO),
    ("20260305", DATE, date(2026, 3, 5), "date-normalised", INFO),
    (20260305, DATE, date(2026, 3, 5), "date-normalised", INFO),
    (20260305.0, DATE, date(2026, 3, 5), "date-normalised", INFO),
    ("2026年3月5日", DATE, date(2026, 3, 5), "date-normalised", INFO),
    ("2026 年 3 月 5 日", DATE, date(2026, 3, 5), "date-normalised", INFO),
    ("2026年3月5号", DATE, date(2026, 3, 5), "date-normalised", INFO),
    ("2026年3月5日（星期四）", DATE, date(2026, 3, 5), "date-normalised", INFO),
    ("26年3月5日", DATE, date(2026, 3, 5), "date-normalised", INFO),
    ("26.3.5", DATE, date(2026, 3, 5), "date-normalised", INFO),  # a one-digit last part is no year
    ("２０２６－０３－０５", DATE, date(2026, 3, 5), "date-normalised", INFO),
    ("２０２６年３月５日", DATE, date(2026, 3, 5), "date-normalised", INFO),
    (" 2026-03-05\n", DATE, date(2026, 3, 5), "date-normalised", INFO),
    ("2026-03-05 00:00:00", DATE, date(2026, 3, 5), "date-normalised", INFO),
    ("2026-03-05 14:30", DATE, date(2026, 3, 5), "datetime-truncated", INFO),
    ("2026-03-05T09:15:00", DATE, date(2026, 3, 5), "datetime-truncated", INFO),
    (46086, DATE, date(2026, 3, 5), "date-normalised", INFO),  # Excel serial number
    (46086.75, DATE, date(2026, 3, 5), "date-normalised", INFO),
    ("46086", DATE, date(2026, 3, 5), "date-normalised", INFO),
    ("25/03/2026", DATE, date(2026, 3, 25), "date-normalised", INFO),  # only one order is a date
    ("05/05/2026", DATE, date(2026, 5, 5), "date-normalised", INFO),  # both orders are the same day
    # ---- dates: assumption → warning ---------------------------------------------------------------
    ("3月5日", DATE, date(2026, 3, 5), "date-year-assumed", WARN),
    ("12月31日", DATE, date(2026, 12, 31), "date-year-assumed", WARN),
    ("12/25", DATE, date(2026, 12, 25), "date-year-assumed", WARN),
    # ---- dates: ambiguous / invalid → error --------------------------------------------------------
    ("03/05/2026", DATE, None, "date-ambiguous", ERR),
    ("05/03/26", DATE, None, "date-ambiguous", ERR),
    ("3-5-2026", DATE, None, "date-ambiguous", ERR),
    ("3/5", DATE, None, "date-ambiguous", ERR),
    ("26.03.15", DATE, None, "date-ambiguous", ERR),  # 2026-03-15 or 2015-03-26
    ("2026-02-30", DATE, None, "date-invalid", ERR),
    ("20260230", DATE, None, "date-invalid", ERR),
    (20260230, DATE, None, "date-invalid", ERR),
    ("2026年13月1日", DATE, None, "date-invalid", ERR),
    ("2月30日", DATE, None, "date-invalid", ERR),
    ("2026-03", DATE, None, "date-invalid", ERR),
    ("2026年3月", DATE, None, "date-invalid", ERR),
    ("2026-03-05 25:00", DATE, None, "date-invalid", ERR),
    ("下周", DATE, None, "date-invalid", ERR),
    ("尽快", DATE, None, "date-invalid", ERR),
    (123, DATE, None, "date-invalid", ERR),  # neither yyyymmdd nor a plausible serial
    (100000, DATE, None, "date-invalid", ERR),
    (float("nan"), DATE, None, "date-invalid", ERR),
    (True, DATE, None, "date-invalid", ERR),
    (time(10, 30), DATE, None, "date-invalid", ERR),
    # ---- placeholders: "not known yet" -----------------------------------------------------------
    ("待定", DATE, None, "placeholder-empty", INFO),
    ("TBD", DATE, None, "placeholder-empty", INFO),
    ("-", MONEY, None, "placeholder-empty", INFO),
    ("N/A", PCT, None, "placeholder-empty", INFO),
    ("无", INT, None, "placeholder-empty", INFO),
    ("—", STATUS, None, "placeholder-empty", INFO),
    ("无", TEXT, "无", None, None),  # in a text field 无 is an answer
    # ---- money and numbers -----------------------------------------------------------------------
    (1200000, MONEY, 1200000.0, None, None),
    (1200000.5, MONEY, 1200000.5, None, None),
    ("1200", MONEY, 1200.0, "number-normalised", INFO),  # text in a number cell (SUM skips it)
    ("1,200", MONEY, 1200.0, "number-normalised", INFO),
    ("1,234,567.89", MONEY, 1234567.89, "number-normalised", INFO),
    ("１２３，４５６", MONEY, 123456.0, "number-normalised", INFO),
    ("¥1,200,000.00", MONEY, 1200000.0, "number-normalised", INFO),
    ("￥1,200,000.00", MONEY, 1200000.0, "number-normalised", INFO),
    ("120万", MONEY, 1200000.0, "number-normalised", INFO),
    ("1.2亿", MONEY, 120000000.0, "number-normalised", INFO),
    ("120 万元", MONEY, 1200000.0, "number-normalised", INFO),
    ("人民币120万元", MONEY, 1200000.0, "number-normalised", INFO),
    ("RMB 5000", MONEY, 5000.0, "number-normalised", INFO),
    ("5000 CNY", MONEY, 5000.0, "number-normalised", INFO),
    ("5000元", MONEY, 5000.0, "number-normalised", INFO),
    ("5000元整", MONEY, 5000.0, "number-normalised", INFO),
    ("3.5千", MONEY, 3500.0, "number-normalised", INFO),
    ("5k", MONEY, 5000.0, "number-normalised", INFO),
    ("1 200 000", MONEY, 1200000.0, "number-normalised", INFO),
    ("1.5E+06", MONEY, 1500000.0, "number-normalised", INFO),
    ("(1,200)", NUMBER, -1200.0, "number-normalised", INFO),
    ("-3.5", NUMBER, -3.5, "number-normalised", INFO),
    ("50%", NUMBER, 0.5, "number-normalised", INFO),
    ("$5,000", MONEY, 5000.0, "currency-ignored", WARN),
    ("USD 5000", MONEY, 5000.0, "currency-ignored", WARN),
    ("5000美元", MONEY, 5000.0, "currency-ignored", WARN),
    ("12,34", MONEY, None, "number-ambiguous", ERR),  # decimal comma 12.34, or 1234 mistyped?
    ("1,2345", MONEY, None, "number-ambiguous", ERR),
    ("1,23,456", MONEY, None, "number-invalid", ERR),
    ("1.234,56", MONEY, None, "number-invalid", ERR),
    ("50%", MONEY, None, "number-invalid", ERR),
    ("约100万", MONEY, None, "number-invalid", ERR),
    ("100-200", MONEY, None, "number-invalid", ERR),
    ("十万", MONEY, None, "number-invalid", ERR),
    ("abc", NUMBER, None, "number-invalid", ERR),
    (True, MONEY, None, "number-invalid", ERR),
    (date(2026, 3, 5), MONEY, None, "number-invalid", ERR),
    (float("inf"), NUMBER, None, "number-invalid", ERR),
    (-5, MONEY, -5.0, "number-out-of-range", ERR),  # the value is kept: it is a number, just not allowed
    (Decimal("12.5"), MONEY, 12.5, None, None),
    # ---- numbers with choices (risk probability) ----------------------------------------------------
    (0.3, PROB, 0.3, None, None),
    (0.30000000000000004, PROB, 0.30000000000000004, None, None),
    ("0.3", PROB, 0.3, "number-normalised", INFO),
    ("０．７", PROB, 0.7, "number-normalised", INFO),
    (0.4, PROB, 0.4, "choice-invalid", ERR),
    (30, PROB, 30.0, "choice-invalid", ERR),
    # ---- integers --------------------------------------------------------------------------------
    (3, INT, 3, None, None),
    (3.0, INT, 3, None, None),
    (2.9999999999999996, INT, 3, None, None),
    (-7.0, INT, -7, None, None),
    ("3", INT, 3, "integer-normalised", INFO),
    ("3天", INT, 3, "integer-normalised", INFO),
    ("+5 天", INT, 5, "integer-normalised", INFO),
    ("-3", INT, -3, "integer-normalised", INFO),
    ("１０", INT, 10, "integer-normalised", INFO),
    ("3.0", INT, 3, "integer-normalised", INFO),
    (3.5, INT, None, "integer-invalid", ERR),
    ("3.5天", INT, None, "integer-invalid", ERR),
    ("三天", INT, None, "integer-invalid", ERR),
    ("30%", INT, None, "integer-invalid", ERR),
    (True, INT, None, "integer-invalid", ERR),
    (0, INT_RANGE, 0, "number-out-of-range", ERR),
    (51.0, INT_RANGE, 51, "number-out-of-range", ERR),
    # ---- percentages -----------------------------------------------------------------------------
    (0.3, PCT, 0.3, None, None),
    (1, PCT, 1.0, None, None),  # a bare number ≤ 1 is a fraction: 1 is 100 %
    (0, PCT, 0.0, None, None),
    ("30%", PCT, 0.3, "percent-normalised", INFO),
    ("30 %", PCT, 0.3, "percent-normalised", INFO),
    ("３０％", PCT, 0.3, "percent-normalised", INFO),
    ("100%", PCT, 1.0, "percent-normalised", INFO),
    ("0.3", PCT, 0.3, "percent-normalised", INFO),
    ("12.5%", PCT, 0.125, "percent-normalised", INFO),
    (30, PCT, 0.3, "percent-assumed", WARN),
    (57.3, PCT, 0.573, "percent-assumed", WARN),
    ("30", PCT, 0.3, "percent-assumed", WARN),
    (1.5, PCT, 0.015, "percent-assumed", WARN),  # more than 1: taken as 1.5 %, never as 150 %
    ("三成", PCT, None, "percent-invalid", ERR),
    ("30万", PCT, None, "percent-invalid", ERR),
    (date(2026, 1, 1), PCT, None, "percent-invalid", ERR),
    # ---- short text ------------------------------------------------------------------------------
    ("王磊", TEXT, "王磊", None, None),
    ("  王磊 \n", TEXT, "王磊", "text-normalised", INFO),
    ("王磊\r\n", TEXT, "王磊", "text-normalised", INFO),
    ("中国\n移动", TEXT, "中国 移动", "text-normalised", INFO),
    ("中国  移动", TEXT, "中国 移动", "text-normalised", INFO),
    ("\u3000王磊", TEXT, "王磊", "text-normalised", INFO),
    ("ＡＢＣ公司１２３", TEXT, "ABC公司123", "text-normalised", INFO),
    ("中国移动（北京）有限公司，一期", TEXT, "中国移动（北京）有限公司，一期", None, None),  # Chinese punctuation kept
    (13800138000.0, TEXT, "13800138000", None, None),  # a phone number typed as a number
    (1.1, TEXT, "1.1", None, None),
    (True, TEXT, "TRUE", None, None),
    (date(2026, 3, 5), TEXT, "2026-03-05", "text-normalised", INFO),
    # ---- text with a pattern (project id) -----------------------------------------------------------
    ("PRJ-2026-001", PROJECT_ID, "PRJ-2026-001", None, None),
    (" PRJ-2026-001 ", PROJECT_ID, "PRJ-2026-001", "text-normalised", INFO),
    ("ＰＲＪ－２０２６－００１", PROJECT_ID, "PRJ-2026-001", "text-normalised", INFO),
    ("prj-2026-001", PROJECT_ID, "PRJ-2026-001", "text-normalised", INFO),
    ("PRJ 2026 001", PROJECT_ID, "PRJ 2026 001", "pattern-mismatch", ERR),
    ("项目一", PROJECT_ID, "项目一", "pattern-mismatch", ERR),
    ("P1", PROJECT_ID, "P1", "pattern-mismatch", ERR),
    # ---- long text: inner line breaks and punctuation kept, ends trimmed -----------------------------
    ("第一行\n第二行", LONG, "第一行\n第二行", None, None),
    ("第一行\r\n第二行", LONG, "第一行\n第二行", None, None),
    ("  第一行\n第二行\n\n", LONG, "第一行\n第二行", "text-normalised", INFO),
    ("范围：（一）ＡＢＣ", LONG, "范围：（一）ＡＢＣ", None, None),
    # ---- choices ---------------------------------------------------------------------------------
    ("已完成", STATUS, "已完成", None, None),
    ("已完成 ", STATUS, "已完成", "choice-normalised", INFO),
    ("已 完成", STATUS, "已完成", "choice-normalised", INFO),
    ("完成", STATUS, "已完成", "choice-normalised", INFO),
    ("进行", STATUS, "进行中", "choice-normalised", INFO),
    ("N/A", STAGE, "不适用", "choice-normalised", INFO),
    ("好了", STATUS, "好了", "choice-invalid", ERR),
    ("不适用", STATUS, "不适用", "choice-invalid", ERR),  # not a task status
    ("系统集成一部", DIVISION, "系统集成事业一部", "choice-normalised", INFO),
    ("销售部", DIVISION, "销售部", "choice-invalid", ERR),
    ("usd", CURRENCY, "USD", "choice-normalised", INFO),
    ("ＵＳＤ", CURRENCY, "USD", "choice-normalised", INFO),
    ("人民币", CURRENCY, "CNY", "choice-normalised", INFO),
    ("是", YES_NO, "是", None, None),
    ("Y", YES_NO, "是", "choice-normalised", INFO),
    ("n", YES_NO, "否", "choice-normalised", INFO),
    ("✓", YES_NO, "是", "choice-normalised", INFO),
    ("√", YES_NO, "是", "choice-normalised", INFO),
    ("×", YES_NO, "否", "choice-normalised", INFO),
    (True, YES_NO, "是", "choice-normalised", INFO),
    (0, YES_NO, "否", "choice-normalised", INFO),
    ("x", YES_NO, "x", "choice-invalid", ERR),  # [x] ticked or × wrong? never guessed
    ("也许", YES_NO, "也许", "choice-invalid", ERR),
    # ---- code lists ------------------------------------------------------------------------------
    ("1.1", CODES_F, ("1.1",), None, None),
    ("1.1,1.2", CODES_F, ("1.1", "1.2"), None, None),
    ("1.1, 1.2 2.3", CODES_F, ("1.1", "1.2", "2.3"), None, None),
    (2.0, CODES_F, ("2",), None, None),
    (1.1, CODES_F, ("1.1",), None, None),
    ("1.1，1.2", CODES_F, ("1.1", "1.2"), "text-normalised", INFO),
    ("1.1、1.2；2.1", CODES_F, ("1.1", "1.2", "2.1"), "text-normalised", INFO),
    ("1.1\n1.2", CODES_F, ("1.1", "1.2"), "text-normalised", INFO),
    ("1.1, 1.1", CODES_F, ("1.1",), "text-normalised", INFO),
    # ---- error values ----------------------------------------------------------------------------
    ("#REF!", DATE, None, "cell-error", ERR),
    ("#N/A", MONEY, None, "cell-error", ERR),
    ("#VALUE!", TEXT, None, "cell-error", ERR),
    ("#DIV/0!", PCT, None, "cell-error", ERR),
    ("#NAME?", STATUS, None, "cell-error", ERR),
    ("#NULL!", INT, None, "cell-error", ERR),
    ("#NUM!", CODES_F, None, "cell-error", ERR),
    (" #ref! ", LONG, None, "cell-error", ERR),
]


# Inputs that give more than one finding: (raw, field, expected value, [(code, severity), …]).
MULTI: list[tuple[Any, Field, Any, list[tuple[str, Severity]]]] = [
    ("150%", PCT, 1.5, [("percent-normalised", INFO), ("number-out-of-range", ERR)]),
    ("-10%", PCT, -0.1, [("percent-normalised", INFO), ("number-out-of-range", ERR)]),
    (150, PCT, 1.5, [("percent-assumed", WARN), ("number-out-of-range", ERR)]),
    ("-1,200", MONEY, -1200.0, [("number-normalised", INFO), ("number-out-of-range", ERR)]),
    ("0.4", PROB, 0.4, [("number-normalised", INFO), ("choice-invalid", ERR)]),
    (" prj 2026 ", PROJECT_ID, "prj 2026", [("text-normalised", INFO), ("pattern-mismatch", ERR)]),
]


@pytest.mark.parametrize(("raw", "field", "expected", "found"), MULTI, ids=[repr(m[0]) for m in MULTI])
def test_normalize_multiple_findings(raw: Any, field: Field, expected: Any, found: list) -> None:
    value, findings = normalize(raw, field, as_of=AS_OF)
    assert value == pytest.approx(expected) if isinstance(expected, float) else value == expected
    assert [(f.code, f.severity) for f in findings] == found


def _ids() -> list[str]:
    return [f"{f.type.value}:{raw!r}" for raw, f, *_ in CASES]


@pytest.mark.parametrize(("raw", "field", "expected", "code", "severity"), CASES, ids=_ids())
def test_normalize(raw: Any, field: Field, expected: Any, code: str | None, severity: Severity | None) -> None:
    value, findings = normalize(raw, field, as_of=AS_OF, file="p.xlsx", sheet="项目信息", cell="C5")
    if isinstance(expected, float):
        assert isinstance(value, float) and math.isclose(value, expected, rel_tol=1e-12)
    else:
        assert value == expected and type(value) is type(expected)
    assert [(f.code, f.severity) for f in findings] == ([] if code is None else [(code, severity)])


def _expected_type(ftype: FieldType) -> type:
    return {
        FieldType.DATE: date, FieldType.MONEY: float, FieldType.NUMBER: float, FieldType.INTEGER: int,
        FieldType.PERCENT: float, FieldType.CODES: tuple,
    }.get(ftype, str)


@pytest.mark.parametrize(("raw", "field", "expected", "code", "severity"),
                         [c for c in CASES if c[3] is not None], ids=[i for i, c in zip(_ids(), CASES, strict=True)
                                                                       if c[3] is not None])
def test_finding_names_the_cell_and_keeps_the_raw_value(
    raw: Any, field: Field, expected: Any, code: str, severity: Severity
) -> None:
    _, findings = normalize(raw, field, as_of=AS_OF, file="p.xlsx", sheet="合同进程", cell="D7")
    (f,) = findings
    assert (f.file, f.sheet, f.cell, f.field, f.address) == ("p.xlsx", "合同进程", "D7", field.key, "'合同进程'!D7")
    assert f.value is raw or f.value == raw or (isinstance(raw, Decimal) and f.value == float(raw))
    # Both messages are filled in completely and name the field.
    for msg, label in ((f.message_zh, field.zh), (f.message_en, field.en)):
        assert label in msg
        assert not re.search(r"\{\w+\}", msg), msg


def test_messages_say_what_the_value_became() -> None:
    _, (f,) = normalize("2026/3/5", DATE, as_of=AS_OF)
    assert "'2026/3/5' 已按日期 2026-03-05 读取" in f.message_zh
    assert "read '2026/3/5' as the date 2026-03-05" in f.message_en
    _, (f,) = normalize("1.2亿", MONEY)
    assert "120,000,000" in f.message_zh and "120,000,000" in f.message_en
    _, (f,) = normalize("03/05/2026", DATE)
    assert "2026-03-05" in f.message_en and "2026-05-03" in f.message_en
    _, (f,) = normalize("12,34", MONEY)
    assert "1234 / 12.34" in f.message_en
    _, (f,) = normalize("好了", STATUS)
    assert "未开始 / 进行中 / 已完成 / 延期 / 取消" in f.message_zh
    _, (f,) = normalize("  王磊 \n", TEXT)
    assert "'  王磊 ↵'" in f.message_zh and "'王磊'" in f.message_zh


def test_year_comes_from_as_of() -> None:
    assert normalize("3月5日", DATE, as_of=date(2027, 1, 2))[0] == date(2027, 3, 5)
    assert normalize("3月5日", DATE)[0] == date(date.today().year, 3, 5)


def test_error_object_whose_str_is_an_error_value() -> None:
    class CellError:
        def __str__(self) -> str:
            return "#REF!"

    raw = CellError()
    value, (f,) = normalize(raw, MONEY, sheet="S", cell="B2")
    assert value is None and f.code == "cell-error" and f.value is raw and "#REF!" in f.message_en


def test_other_number_types_are_numbers() -> None:
    assert normalize(Decimal("0.5"), PCT) == (0.5, [])
    assert normalize(Decimal("3"), INT) == (3, [])


@pytest.mark.parametrize(("raw", "expected"), [
    ("  计划 开始 ", "计划 开始"),
    ("完成％", "完成%"),
    ("进度影响（天）", "进度影响(天)"),
    ("ＷＢＳ编码", "WBS编码"),
    ("合同\n金额", "合同 金额"),
    ("合同\u3000\u3000金额", "合同 金额"),
    ("￥", "¥"),
    ("a\u200bb", "ab"),
    ("", ""),
])
def test_fold_width(raw: str, expected: str) -> None:
    assert fold_width(raw) == expected


@pytest.mark.parametrize(("raw", "expected"), [
    ("是", True), ("否", False), ("Y", True), ("n", False), ("YES", True), ("no", False),
    ("✓", True), ("✔", True), ("√", True), ("×", False), ("✗", False), ("true", True), ("FALSE", False),
    ("1", True), ("0", False), (1, True), (0.0, False), (True, True), (False, False),
    ("有", True), ("无", False), (" 是 ", True), ("Ｙ", True),
    ("x", None), ("也许", None), ("", None), (None, None), (2, None), (date(2026, 1, 1), None),
])
def test_parse_yes_no(raw: Any, expected: bool | None) -> None:
    assert parse_yes_no(raw) is expected


def test_every_code_is_declared_with_both_messages() -> None:
    used = {c for *_, c, _ in CASES if c}
    for code in used:
        declared = CODES[code]
        assert declared.zh and declared.en and declared.title_zh
    for code, sev in {(c, s) for *_, c, s in CASES if c}:
        assert CODES[code].severity == sev


# Every kind of cell value a reader can return, and the odd strings people type.
_RAW = st.one_of(
    st.none(), st.booleans(), st.integers(-10**12, 10**12), st.floats(allow_nan=True, allow_infinity=True),
    st.dates(), st.datetimes(), st.times(),
    st.text(alphabet=st.sampled_from("0123456789０１２３,，.．-/年月日号万亿元¥%％ \n\u3000abcNY是否:#REF!"),
            max_size=14),
    st.text(max_size=20),
)


@settings(max_examples=400, deadline=None)
@given(raw=_RAW, ftype=st.sampled_from(list(FieldType)))
def test_never_raises_and_returns_the_declared_type(raw: Any, ftype: FieldType) -> None:
    field = Field("k", "字段", "Field", ftype, choices=("是", "否") if ftype == FieldType.CHOICE else ())
    value, findings = normalize(raw, field, as_of=AS_OF, cell="A1")
    assert value is None or isinstance(value, _expected_type(ftype))
    if ftype == FieldType.CODES and value is not None:
        assert value and all(isinstance(c, str) and c for c in value)
    for f in findings:
        assert f.cell == "A1" and f.field == "k"
    # An unusable value always comes with an error or a placeholder note — never silently dropped.
    if value is None and findings:
        assert any(f.severity == Severity.ERROR or f.code == "placeholder-empty" for f in findings)
