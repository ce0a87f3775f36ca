"""The one python-calamine open per file, and each needed sheet's cells read once, from A1.

Grids are lists of rows of python values (``''`` for an empty cell) indexed from A1, so that
``grid[r - 1][c - 1]`` is the cell at 1-based (r, c) whatever the sheet's used area is.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..errors import FileProblem

__all__ = ["Book", "Grid", "cell_at", "is_blank", "open_book"]

Grid = list[list[Any]]


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def cell_at(grid: Grid, row: int, col: int) -> Any:
    """The value at 1-based (row, col), '' outside the used area."""
    if 0 < row <= len(grid):
        line = grid[row - 1]
        if 0 < col <= len(line):
            return line[col - 1]
    return ""


class Book:
    """Sheet names and visibility, and each sheet's grid read on first use."""

    def __init__(self, workbook: Any, path: Path) -> None:
        self.workbook = workbook
        self.path = path
        self.names: list[str] = list(workbook.sheet_names)
        self.hidden: set[str] = set()
        try:
            for meta in workbook.sheets_metadata:
                if str(meta.visible).rsplit(".", 1)[-1].lower() != "visible":
                    self.hidden.add(meta.name)
        except Exception:  # metadata is a nicety; an odd format must not stop reading
            pass
        self._grids: dict[str, Grid] = {}

    def has(self, sheet: str) -> bool:
        return sheet in self.names

    def grid(self, sheet: str) -> Grid:
        if sheet not in self._grids:
            self._grids[sheet] = self._read(sheet)
        return self._grids[sheet]

    def head(self, sheet: str, nrows: int) -> Grid:
        """The first ``nrows`` rows only (for scanning sheets that may not be needed at all)."""
        if sheet in self._grids:
            return self._grids[sheet][:nrows]
        return self._read(sheet, nrows)

    def _read(self, sheet: str, nrows: int | None = None) -> Grid:
        try:
            return self.workbook.get_sheet_by_name(sheet).to_python(skip_empty_area=False, nrows=nrows)
        except Exception as e:  # calamine raises its own types, and panics as plain errors
            detail = str(e).splitlines()[0][:120] if str(e) else type(e).__name__
            raise FileProblem(
                "file-corrupt",
                f"工作表“{sheet}”无法读取（{detail}）",
                f"sheet {sheet!r} cannot be read ({detail})",
            ) from e


def open_book(path: Path) -> Book:
    """Open with python-calamine through the probe's guarded opener when it is there."""
    try:
        from .probe import safe_open_calamine
    except ImportError:
        safe_open_calamine = None
    if safe_open_calamine is not None:
        return Book(safe_open_calamine(path), path)
    from python_calamine import CalamineWorkbook

    try:
        return Book(CalamineWorkbook.from_path(str(path)), path)
    except Exception as e:  # calamine's own error types
        detail = str(e).splitlines()[0][:120] if str(e) else type(e).__name__
        raise FileProblem("file-unreadable", f"无法打开文件（{detail}）", f"cannot open the file ({detail})") from e
