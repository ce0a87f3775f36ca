"""The entry points the Excel buttons call through xlwings' RunPython, and the only code that touches Excel.

    RunPython "import pimxl.excel.buttons as b; b.validate_active_book()"
    RunPython "import pimxl.excel.buttons as b; b.refresh_summary()"

Everything here is a thin :class:`LiveBook` over an ``xw.Book``: read values, names and tables;
read and set the colour and note of named cells; rewrite a sheet. What to read, what to colour
and what to undo is decided by library code (:mod:`.book`, :mod:`.highlight`). xlwings is
imported only when no book is passed in, so tests drive these functions with a plain fake book.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from ..config import CONFIG_NAME, ConfigError, Settings, find_config, load_settings
from ..results import FileResult
from .book import BookData, TableRange, check_data
from .highlight import (
    MARKS_SHEET,
    RESULT_SHEET,
    CellState,
    Change,
    cells_to_read,
    marks_from_rows,
    marks_to_rows,
    plan_highlight,
    result_rows,
)

__all__ = ["LiveBook", "refresh_summary", "summary_target", "validate_active_book"]

#: Defined names ``pimxl excel setup --root/--summary`` writes into the workbook (text constants).
ROOT_NAME, SUMMARY_NAME = "pimxl_root", "pimxl_summary"
SUMMARY_FILE = "中心项目汇总.xlsx"
_XL_VERY_HIDDEN = 2


class LiveBook:
    """An ``xw.Book`` (or anything shaped like one) seen through the few calls pimxl needs."""

    def __init__(self, book: Any) -> None:
        self.book = book

    @property
    def path(self) -> str:
        return str(getattr(self.book, "fullname", "") or self.book.name)

    def sheet_names(self) -> list[str]:
        return [s.name for s in self.book.sheets]

    def _sheet(self, name: str) -> Any | None:
        return next((s for s in self.book.sheets if s.name == name), None)

    def values(self, sheet: Any) -> list[list[Any]]:
        """A sheet's values from A1 to the end of its used range, error values as text."""
        last = sheet.used_range.last_cell
        rng = sheet.range((1, 1), (last.row, last.column))
        return rng.options(ndim=2, err_to_str=True).value or []

    def read(self) -> BookData:
        data = BookData(path=self.path, sheets={})
        for sheet in self.book.sheets:
            data.sheets[sheet.name] = self.values(sheet)
            if not getattr(sheet, "visible", True):
                data.hidden.add(sheet.name)
            for t in getattr(sheet, "tables", ()):
                data.tables.append(TableRange(t.name, sheet.name, t.range.address,
                                              bool(t.show_headers), bool(t.show_totals)))
        for n in self.book.names:
            data.names[n.name] = str(n.refers_to)
        return data

    def states(self, cells: Iterable[tuple[str, str]]) -> dict[tuple[str, str], CellState]:
        out: dict[tuple[str, str], CellState] = {}
        for sheet_name, cell in cells:
            sheet = self._sheet(sheet_name)
            if sheet is not None:
                rng = sheet.range(cell)
                note = rng.note
                out[(sheet_name, cell)] = CellState(_rgb(rng.color), None if note is None else str(note.text))
        return out

    def apply(self, changes: Sequence[Change]) -> list[Change]:
        """Apply the changes; those Excel refused (a sheet protected with a password…) are returned."""
        failed: list[Change] = []
        for ch in changes:
            sheet = self._sheet(ch.sheet)
            if sheet is None:  # no such sheet: the change cannot be made
                failed.append(ch)
                continue
            try:
                rng = sheet.range(ch.cell)
                if ch.color:
                    rng.color = ch.state.color
                if ch.note:
                    _set_note(rng, ch.state.note)
            except Exception:  # noqa: BLE001 — one cell Excel refuses must not stop the others
                failed.append(ch)
        return failed

    def write_sheet(self, name: str, rows: Sequence[Sequence[Any]], *, hidden: bool = False,
                    text_from: int | None = None) -> Any:
        """Replace a sheet's content (creating it first, as the first sheet) with ``rows``.

        Columns from ``text_from`` (1-based) on are formatted as text first, so that what is written
        comes back as written: "2026" stays a sheet name, "2026/3/5" a value seen, not a date.
        """
        sheet = self._sheet(name)
        if sheet is None:
            sheet = self.book.sheets.add(name, before=self.book.sheets[0])
        else:
            sheet.clear()
        if rows:
            width = max(len(r) for r in rows)
            target = sheet.range((1, 1), (len(rows), width))
            if text_from is not None:
                sheet.range((1, text_from), (len(rows), width)).number_format = "@"
            target.value = [list(r) + [None] * (width - len(r)) for r in rows]
        if hidden:
            _hide(sheet)
        return sheet


def _rgb(color: Any) -> tuple[int, int, int] | None:
    return None if color is None else (int(color[0]), int(color[1]), int(color[2]))


def _set_note(rng: Any, text: str | None) -> None:
    note = rng.note
    if text is None:
        if note is not None:
            note.delete()
    elif note is not None:
        note.text = text
    elif hasattr(rng, "add_note"):  # xlwings ≥ 0.37
        rng.add_note(text)
    else:  # older xlwings: the Excel object model itself (Windows COM; appscript on macOS)
        api = rng.api
        add = getattr(api, "AddComment", None) or api.add_comment
        add(text)


def _hide(sheet: Any) -> None:
    if sys.platform == "win32":
        try:
            sheet.api.Visible = _XL_VERY_HIDDEN  # hidden from the Unhide dialog too
            return
        except Exception:  # noqa: BLE001 — plainly hidden is good enough
            pass
    sheet.visible = False


def _settings(path: str) -> Settings:
    folder = Path(path).parent
    try:
        return load_settings(folder) if folder.is_dir() else Settings()
    except ConfigError:
        return Settings()


def validate_active_book(book: Any = None, *, as_of: date | None = None) -> FileResult:
    """校验本工作簿: check the open workbook (unsaved edits included), colour and annotate, list findings."""
    if book is None:
        import xlwings as xw

        book = xw.Book.caller()
    live = LiveBook(book)
    data = live.read()
    settings = _settings(data.path)
    lang = settings.lang
    result = check_data(data, as_of=as_of or date.today(), settings=settings, display=book.name)
    sheets = live.sheet_names()
    stored = marks_from_rows(data.sheets.get(MARKS_SHEET))
    current = live.states(cells_to_read(result.findings, stored, sheets, lang))
    plan = plan_highlight(result.findings, stored, current, sheets, lang)
    failed = live.apply(plan.changes)
    # A cell Excel refused to colour keeps whatever it had: remember only the marks really made.
    refused = {(c.sheet, c.cell) for c in failed}
    live.write_sheet(MARKS_SHEET, marks_to_rows([m for m in plan.marks if m.key not in refused]),
                     hidden=True, text_from=1)
    rows = result_rows(result.findings, lang)
    if result.status in ("unreadable", "skipped"):
        rows.append(["错误" if lang == "zh" else "error", "", result.code, "", "", result.reason(lang)])
    elif not result.findings:
        rows.append(["", "", "", "", "", "没有发现问题" if lang == "zh" else "no findings"])
    # Column B holds HYPERLINK formulas; the code, field, value and message are text.
    live.write_sheet(RESULT_SHEET, rows, text_from=3).activate()
    return result


def _constant(names: Mapping[str, str], name: str) -> str:
    """A defined name holding a text constant (``="D:\\中心"``) → its text, '' when absent."""
    text = str(names.get(name, "")).lstrip("=").strip()
    if len(text) >= 2 and text[0] == text[-1] == '"':
        text = text[1:-1].replace('""', '"')
    return text


def summary_target(workbook: Path, names: Mapping[str, str]) -> tuple[Path, Path]:
    """The centre root and the summary path for 刷新汇总.

    The root is the workbook's ``pimxl_root`` name, else the folder of the nearest pimxl.toml
    above the workbook; the summary is ``pimxl_summary``, else 中心项目汇总.xlsx in the root.
    """
    root_text = _constant(names, ROOT_NAME)
    if root_text:
        root = Path(root_text)
    else:
        config = find_config(workbook.parent) if workbook.parent.is_dir() else None
        if config is None:
            raise ConfigError(f"在 {workbook.parent} 及其上级文件夹中找不到 {CONFIG_NAME}（中心根目录）/ "
                              f"no {CONFIG_NAME} (centre root) above {workbook.parent}")
        root = config.parent
    summary_text = _constant(names, SUMMARY_NAME)
    return root, Path(summary_text) if summary_text else root / SUMMARY_FILE


def refresh_summary(book: Any = None, *, as_of: date | None = None) -> Path | None:
    """刷新汇总: re-run the rollup of the centre root and reopen the summary in Excel."""
    if book is None:
        import xlwings as xw

        book = xw.Book.caller()
    live = LiveBook(book)
    names = {n.name: str(n.refers_to) for n in book.names}
    try:
        root, output = summary_target(Path(live.path), names)
        settings = load_settings(root)
    except ConfigError as e:
        book.app.alert(str(e), title="pimxl")
        return None
    from ..rollup.run import run_rollup

    # Excel locks an open file: close an open copy of the summary before it is rewritten.
    for app in _apps(book):
        for other in list(app.books):
            if str(getattr(other, "fullname", "")) == str(output):
                other.close()
    run_rollup(root, output, as_of=as_of or date.today(), settings=settings, lang=settings.lang)
    book.app.books.open(str(output))
    return output


def _apps(book: Any) -> list[Any]:
    try:
        import xlwings as xw

        return list(xw.apps)
    except ImportError:  # a fake book in a test: its own application only
        return [book.app]
