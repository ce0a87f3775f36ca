"""Columns on a terminal: a Chinese character takes two, so padding counts columns, not characters."""

from __future__ import annotations

from pimxl.findings import Finding, Severity
from pimxl.results import FileResult
from pimxl.terminal import ljust, width
from pimxl.validate import ValidationRun, render_text


def test_width_counts_wide_characters_twice() -> None:
    assert width("B3") == 2
    assert width("'收款计划'!C3") == 13  # 4 × 2 + 5
    assert width("金额，元") == 8  # the full-width comma too
    assert width("½ café") == 6  # neither wide nor full-width
    assert ljust("'风险'!F3", 12) == "'风险'!F3   " and width(ljust("'风险'!F3", 12)) == 12
    assert ljust("too long for it", 4) == "too long for it"


def test_validate_lines_line_up_whatever_the_sheet_name() -> None:
    findings = [Finding(code=code, severity=Severity.WARNING, message_zh="消息", message_en="message", file="a.xlsx",
                        sheet=sheet, cell=cell)
                for code, sheet, cell in (("task-overdue", "WBS工作分解", "F39"), ("risk-overdue", "风险", "L3"),
                                          ("ratio-sum", "Plan", "C12"))]
    run = ValidationRun([FileResult(path="a.xlsx", kind="xlsx", findings=findings)])
    for lang in ("zh", "en"):
        lines = [line for line in render_text(run, lang).splitlines() if line.startswith("    ")]
        assert len(lines) == 3
        # The finding code starts at the same terminal column on every line.
        codes = ("task-overdue", "risk-overdue", "ratio-sum")
        starts = {width(line[:line.index(next(c for c in codes if c in line))]) for line in lines}
        assert len(starts) == 1, lines
