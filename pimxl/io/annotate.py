"""Annotated copies: the input workbook with bad cells coloured, a comment on each, and a 校验结果 sheet.

The original is never touched: the copy is written to a temp file beside the target and renamed.
Only .xlsx/.xlsm can be written back (openpyxl); other formats are listed as not annotated.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

from ..address import parse_a1, quote_sheet
from ..findings import Finding, Severity
from ..results import FileResult
from .atomic import save_workbook

__all__ = ["annotate_file", "annotate_results"]

FILLS = {Severity.ERROR: "FFC7CE", Severity.WARNING: "FFEB9C", Severity.INFO: "DDEBF7"}
RESULT_SHEET = "校验结果"
WRITABLE = {".xlsx", ".xlsm"}


def annotate_results(results: Sequence[FileResult], roots: Sequence[Path], out_dir: Path,
                     lang: str = "zh") -> list[Path]:
    written: list[Path] = []
    for r in results:
        # Every readable workbook gets its copy (a clean one says so on its 校验结果 sheet).
        if r.status in ("unreadable", "skipped"):
            continue
        src = Path(r.source) if r.source else _source_path(r.path, roots)
        if src is None or src.suffix.lower() not in WRITABLE:
            continue
        target = out_dir / Path(r.path).name if Path(r.path).is_absolute() else out_dir / r.path
        annotate_file(src, target, r.findings, lang=lang)
        written.append(target)
    return written


def _source_path(shown: str, roots: Sequence[Path]) -> Path | None:
    """The file behind a shown path: under one of the roots first, the working folder last."""
    for root in roots:
        if root.is_dir():
            candidate = root.parent / shown
            if candidate.is_file():
                return candidate
    p = Path(shown)
    return p if p.is_file() else None


def annotate_file(src: Path, target: Path, findings: Sequence[Finding], lang: str = "zh") -> Path:
    from openpyxl import load_workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Font, PatternFill

    wb = load_workbook(src, keep_vba=src.suffix.lower() == ".xlsm", keep_links=True)
    by_cell: dict[tuple[str, str], list[Finding]] = defaultdict(list)
    for f in findings:
        if f.sheet in wb.sheetnames and f.cell:
            by_cell[(f.sheet, f.cell)].append(f)
    for (sheet, cell), group in by_cell.items():
        worst = min(group, key=lambda f: f.severity.rank).severity
        c = wb[sheet][cell]
        c.fill = PatternFill("solid", fgColor=FILLS[worst])
        text = "\n".join(f"[{f.severity.label(lang)}] {f.message(lang)}" for f in group)
        # A merged cell's non-anchor parts cannot hold a comment; colour only.
        if hasattr(c, "comment"):
            c.comment = Comment(text, "pimxl", width=320, height=max(80, 22 * len(group) + 40))

    # The 校验结果 sheet lists every finding, with a link to its cell.
    if RESULT_SHEET in wb.sheetnames:
        del wb[RESULT_SHEET]
    ws = wb.create_sheet(RESULT_SHEET, 0)
    heads = ("严重程度", "位置", "代码", "字段", "值", "说明") if lang == "zh" else (
        "Severity", "Cell", "Code", "Field", "Value", "Message")
    ws.append(heads)
    for c in ws[1]:
        c.font = Font(bold=True)
    if not findings:
        ws.append(["", "", "", "", "", "未发现问题" if lang == "zh" else "no problems found"])
    for f in sorted(findings, key=lambda f: (f.severity.rank, f.sheet, f.cell)):
        ws.append([f.severity.label(lang), f.address, f.code, f.field, _text(f.value), f.message(lang)])
        row = ws.max_row
        ws.cell(row, 1).fill = PatternFill("solid", fgColor=FILLS[f.severity])
        if f.sheet in wb.sheetnames and f.cell:
            link = ws.cell(row, 2)
            link.hyperlink = f"#{quote_sheet(f.sheet)}!{f.cell}"
            link.font = Font(color="0563C1", underline="single")
            parse_a1(f.cell)  # findings always carry valid A1 cells; fail loudly in tests if not
    for col, width in zip("ABCDEF", (8, 24, 26, 16, 20, 70), strict=True):
        ws.column_dimensions[col].width = width
    ws.freeze_panes = "A2"
    wb.active = 0

    return save_workbook(wb, target)


def _text(value: object) -> str:
    from ..findings import format_value

    return format_value(value)
