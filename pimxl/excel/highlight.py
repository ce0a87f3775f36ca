"""The highlight plan: which cells to colour and annotate, and how to undo the previous run.

Pure data in, pure data out — the live layer (:mod:`.buttons`) only reads the colour and note of
the cells named by :func:`cells_to_read` and applies the :class:`Change` list.

pimxl remembers each cell it marked as a :class:`Mark` (kept in the very hidden sheet
``_pimxl_marks``, saved with the workbook): the colour and note pimxl set, and the cell's fill
and note *before* pimxl touched it. On the next run a marked cell gets its previous fill and note
back — unless the user has since changed it (its colour or note is no longer pimxl's), in which
case the user's change stays. Cells pimxl never marked are never touched, whatever their colour.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..address import parse_a1, quote_sheet
from ..findings import Finding, Severity, format_value
from ..io.annotate import FILLS, RESULT_SHEET

__all__ = [
    "MARKS_SHEET", "RESULT_SHEET", "SEVERITY_COLORS", "CellState", "Change", "HighlightPlan", "Mark",
    "cells_to_read", "marks_from_rows", "marks_to_rows", "plan_highlight", "result_rows",
]

RGB = tuple[int, int, int]
Key = tuple[str, str]  # (sheet, A1 cell)

MARKS_SHEET = "_pimxl_marks"
_MARK_HEADS = ("sheet", "cell", "color", "note", "previous_color", "previous_note")


def _rgb(hex_text: str) -> RGB:
    return int(hex_text[0:2], 16), int(hex_text[2:4], 16), int(hex_text[4:6], 16)


#: The fills of ``pimxl validate --annotate``, as the (r, g, b) xlwings reads and writes.
SEVERITY_COLORS: dict[Severity, RGB] = {sev: _rgb(h) for sev, h in FILLS.items()}


@dataclass(frozen=True)
class CellState:
    """A cell's fill (None: no fill) and note text (None: no note)."""

    color: RGB | None = None
    note: str | None = None


@dataclass(frozen=True)
class Mark:
    """A cell pimxl coloured: what it set, and what the cell had before."""

    sheet: str
    cell: str
    color: RGB
    note: str
    previous: CellState = field(default_factory=CellState)

    @property
    def key(self) -> Key:
        return (self.sheet, self.cell)


@dataclass(frozen=True)
class Change:
    """Set a cell to ``state``; ``color``/``note`` say which of the two to write."""

    sheet: str
    cell: str
    state: CellState
    color: bool = True
    note: bool = True


@dataclass
class HighlightPlan:
    changes: list[Change]
    marks: list[Mark]  # to remember for the next run


def note_text(findings: Sequence[Finding], lang: str = "zh") -> str:
    """The note on a cell, one line per finding (as the annotated copies of ``pimxl validate``)."""
    return "\n".join(f"[{f.severity.label(lang)}] {f.message(lang)}" for f in findings)


def _targets(findings: Iterable[Finding], sheets: Iterable[str], lang: str) -> dict[Key, tuple[RGB, str]]:
    """Cell → (colour of its worst finding, note) for every finding that names a cell of the book."""
    known = set(sheets) - {MARKS_SHEET, RESULT_SHEET}
    by_cell: dict[Key, list[Finding]] = defaultdict(list)
    for f in findings:
        if f.sheet in known and f.cell:
            by_cell[(f.sheet, f.cell)].append(f)
    out: dict[Key, tuple[RGB, str]] = {}
    for key, group in by_cell.items():
        worst = min(group, key=lambda f: f.severity.rank).severity
        out[key] = (SEVERITY_COLORS[worst], note_text(group, lang))
    return out


def cells_to_read(findings: Iterable[Finding], stored: Iterable[Mark], sheets: Iterable[str],
                  lang: str = "zh") -> set[Key]:
    """The cells whose current colour and note :func:`plan_highlight` needs."""
    return set(_targets(findings, sheets, lang)) | {m.key for m in stored}


def _restored(mark: Mark, now: CellState) -> tuple[CellState, bool, bool]:
    """A previously marked cell after clearing: pimxl's colour/note go, a user's later change stays."""
    color_ours, note_ours = now.color == mark.color, now.note == mark.note
    return (CellState(mark.previous.color if color_ours else now.color,
                      mark.previous.note if note_ours else now.note), color_ours, note_ours)


def plan_highlight(findings: Iterable[Finding], stored: Iterable[Mark], current: Mapping[Key, CellState],
                   sheets: Iterable[str], lang: str = "zh") -> HighlightPlan:
    """Clear the previous marks and mark this run's cells, as one list of changes.

    ``current`` holds the state of every cell of :func:`cells_to_read` (a missing cell counts as
    no fill, no note).
    """
    targets = _targets(findings, sheets, lang)
    previous = {m.key: m for m in stored}
    changes: list[Change] = []
    marks: list[Mark] = []
    for key in sorted(set(targets) | set(previous), key=_order):
        now = current.get(key, CellState())
        # What the cell looks like once last run's mark is undone.
        base, color_back, note_back = (_restored(previous[key], now) if key in previous
                                       else (now, False, False))
        if key in targets:
            color, note = targets[key]
            marks.append(Mark(key[0], key[1], color, note, base))
            final, write_color, write_note = CellState(color, note), True, True
        else:
            final, write_color, write_note = base, color_back, note_back
        write_color = write_color and final.color != now.color
        write_note = write_note and final.note != now.note
        if write_color or write_note:
            changes.append(Change(key[0], key[1], final, write_color, write_note))
    return HighlightPlan(changes, marks)


def _order(key: Key) -> tuple[str, int, int]:
    try:
        return (key[0], *parse_a1(key[1]))
    except ValueError:
        return (key[0], 0, 0)


def _hex(color: RGB | None) -> str:
    # "#" keeps Excel from reading 000000 as a number.
    return "" if color is None else "#{:02X}{:02X}{:02X}".format(*color)


def marks_to_rows(marks: Sequence[Mark]) -> list[list[str]]:
    """The marks sheet's content: a header row, then one row per marked cell (all text)."""
    rows = [list(_MARK_HEADS)]
    for m in marks:
        rows.append([m.sheet, m.cell, _hex(m.color), m.note, _hex(m.previous.color),
                     "" if m.previous.note is None else "N:" + m.previous.note])
    return rows


def marks_from_rows(rows: Sequence[Sequence[Any]] | None) -> list[Mark]:
    """The marks written by :func:`marks_to_rows` (rows that do not parse are ignored)."""
    out: list[Mark] = []
    for line in (rows or [])[1:]:
        cells = ["" if v is None else str(v) for v in line] + [""] * 6
        sheet, cell, color, note, prev_color, prev_note = cells[:6]
        try:
            parse_a1(cell)
            mark = Mark(sheet, cell, _rgb(color.lstrip("#")), note,
                        # A note is stored behind "N:" so that "no note" and "an empty note" differ.
                        CellState(_rgb(prev_color.lstrip("#")) if prev_color else None,
                                  prev_note[2:] if prev_note.startswith("N:") else None))
        except (ValueError, IndexError):
            continue
        if sheet:
            out.append(mark)
    return out


def result_rows(findings: Sequence[Finding], lang: str = "zh") -> list[list[Any]]:
    """The 校验结果 sheet: a header, then one row per finding; the location links to its cell."""
    heads = ["严重程度", "位置", "代码", "字段", "值", "说明"] if lang == "zh" else [
        "Severity", "Cell", "Code", "Field", "Value", "Message"]
    rows: list[list[Any]] = [heads]
    for f in sorted(findings, key=lambda f: (f.severity.rank, f.sheet, *_order((f.sheet, f.cell))[1:])):
        where: Any = f.address
        if f.sheet and f.cell:
            target = f"#{quote_sheet(f.sheet)}!{f.cell}".replace('"', '""')
            where = f'=HYPERLINK("{target}","{f.address.replace(chr(34), chr(34) * 2)}")'
        rows.append([f.severity.label(lang), where, f.code, f.field, format_value(f.value), f.message(lang)])
    return rows
