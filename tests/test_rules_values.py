"""The rules' small helpers, by tables of cases."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from pimxl.rules.cross import map_field
from pimxl.rules.values import as_date, coerce, num, parse_bounds, same, text, wbs_parent, wbs_valid
from pimxl.schema import FieldType
from pimxl.templates import PROJECT_PLAN


@pytest.mark.parametrize(("raw", "expected"), [
    (date(2026, 3, 5), date(2026, 3, 5)),
    (datetime(2026, 3, 5, 14, 30), date(2026, 3, 5)),
    ("2026-3-5", date(2026, 3, 5)),
    ("2026/03/05", date(2026, 3, 5)),
    ("2026.3.5", date(2026, 3, 5)),
    ("2026年3月5日", date(2026, 3, 5)),
    ("２０２６－０３－０５", date(2026, 3, 5)),
    ("20260305", date(2026, 3, 5)),
    ("2026-03-05 08:00", date(2026, 3, 5)),
    ("03/05/2026", None),  # ambiguous: not guessed
    ("2026-02-30", None),
    ("下周", None),
    (45000, None),
    (None, None),
])
def test_as_date(raw: object, expected: date | None) -> None:
    assert as_date(raw) == expected


@pytest.mark.parametrize(("raw", "expected"), [
    (3, 3.0), (2.5, 2.5), (True, None), ("1,200.50", 1200.5), ("¥300000", 300000.0), ("120万", 1_200_000.0),
    ("1.2亿", 120_000_000.0), ("30%", 0.3), ("６５", 65.0), ("abc", None), (None, None), (date(2026, 1, 1), None),
])
def test_num(raw: object, expected: float | None) -> None:
    assert num(raw) == expected


@pytest.mark.parametrize(("requirement", "bounds"), [
    ("≥2.6", (2.6, None)), (">= 0.3", (0.3, None)), ("≤60", (None, 60.0)), ("<=4", (None, 4.0)),
    ("18–27", (18.0, 27.0)), ("18-27", (18.0, 27.0)), ("18~27", (18.0, 27.0)), ("不小于500", (500.0, None)),
    ("≥1.1×设备负载", (None, None)), ("TN-S", (None, None)), ("27-18", (None, None)), (None, (None, None)),
])
def test_parse_bounds(requirement: object, bounds: tuple[float | None, float | None]) -> None:
    assert parse_bounds(requirement) == bounds


@pytest.mark.parametrize(("code", "valid", "parent"), [
    ("1", True, None), ("1.2", True, "1"), ("2.10.3", True, "2.10"), ("1.", False, "1"), ("1..2", False, "1."),
    ("A.1", False, "A"), ("", False, None),
])
def test_wbs(code: str, valid: bool, parent: str | None) -> None:
    assert wbs_valid(code) is valid
    assert wbs_parent(code) == parent


@pytest.mark.parametrize(("value", "ftype", "expected"), [
    ("2026/6/30", FieldType.DATE, date(2026, 6, 30)),
    ("月底", FieldType.DATE, None),
    ("1,000", FieldType.MONEY, 1000.0),
    ("30", FieldType.PERCENT, 0.3),
    ("0.3", FieldType.PERCENT, 0.3),
    ("7", FieldType.INTEGER, 7),
    ("1.2，2.1", FieldType.CODES, ("1.2", "2.1")),
    (("1.2",), FieldType.CODES, ("1.2",)),
    ("  张 伟 ", FieldType.TEXT, "张 伟"),
    ("", FieldType.TEXT, None),
])
def test_coerce(value: object, ftype: FieldType, expected: object) -> None:
    assert coerce(value, ftype) == expected


def test_same_and_text() -> None:
    assert same(0.1 + 0.2, 0.3, 0.0) and same(100.0, 100.01) and not same(100.0, 100.02)
    assert same(None, None) and not same(None, 0.0)
    assert text(1.0) == "1" and text("Ａ\u3000B") == "A B" and text(None) == ""


@pytest.mark.parametrize(("table", "label", "key"), [
    ("wbs", "计划完成", "planned_finish"), ("wbs", "计划完成日期", "planned_finish"),
    ("wbs", "Planned finish", "planned_finish"), ("wbs", "planned_start", "planned_start"),
    ("wbs", "负责人", "owner"), ("milestones", "计划日期", "planned_date"), ("milestones", "计划完成", "planned_date"),
    ("milestones", "实际完成", "actual_date"), ("wbs", "工期", None),
])
def test_map_field(table: str, label: str, key: str | None) -> None:
    col = map_field(PROJECT_PLAN.table(table), label)
    assert (col.key if col else None) == key
