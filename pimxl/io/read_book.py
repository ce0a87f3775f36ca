"""The one python-calamine open per file, and each needed sheet's cells read once, from A1.

Grids are lists of rows of python values (``''`` for an empty cell) indexed from A1, so that
``grid[r - 1][c - 1]`` is the cell at 1-based (r, c) whatever the sheet's used area is.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from .safe_calamine import open_probed, problem_from_exception, safe_open_calamine

if TYPE_CHECKING:
    from .zip_parts import ZipParts

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
        # calamine's errors and Rust panics (BaseException) become one FileProblem, as calamine_guard()
        # does (inline: its generator-based context manager costs a few µs a sheet).
        try:
            return self.workbook.get_sheet_by_name(sheet).to_python(skip_empty_area=False, nrows=nrows)
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException as e:
            raise problem_from_exception(e) from None


def open_book(path: Path, kind: str | None = None, parts: ZipParts | None = None) -> Book:
    """Open with python-calamine behind the probe's guard; ``kind`` (from an earlier probe) skips probing,
    and the probe's kept ``parts`` spare calamine inflating them again (:func:`.safe_calamine.open_probed`)."""
    if kind is not None and parts is not None:
        return Book(open_probed(path, kind, parts), path)
    return Book(safe_open_calamine(path, check=kind is None, kind=kind or ""), path)
