"""A workbook open in Excel, as plain data, read into the same record the file reader produces.

xlwings hands a sheet's values over as a 2-D list (numbers as ``float``, dates as ``datetime``,
empty cells as ``None``, error values as ``'#REF!'`` with ``err_to_str``); the defined names as
``refers_to`` text (``='项目信息'!$B$4``) and the Excel tables as a name, a sheet and an address
(``$A$2:$K$30``). :class:`BookData` holds exactly that, so it can be built in a test without
Excel, and :func:`record_from_data` feeds it through the reader's own code
(:func:`pimxl.io.reader.read_opened`): identity, names, tables, label fallback and ``normalize``
per cell are the file reader's, not a copy of them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from ..config import Settings
from ..errors import FileProblem
from ..io.read_book import Book, Grid
from ..io.read_parts import TableDef, XlsxParts, parse_ref
from ..records import WorkbookRecord
from ..results import FileResult

__all__ = ["BookData", "TableRange", "check_data", "grid_from_values", "parts_from", "record_from_data"]


@dataclass(frozen=True)
class TableRange:
    """An Excel table (ListObject) as xlwings sees it: ``address`` is its whole range, header included."""

    name: str
    sheet: str
    address: str
    header: bool = True
    totals: bool = False


@dataclass
class BookData:
    """What the buttons read from a live workbook; every grid starts at A1."""

    path: str
    sheets: dict[str, list[list[Any]]]
    hidden: set[str] = field(default_factory=set)
    names: dict[str, str] = field(default_factory=dict)  # defined name → refers_to
    tables: list[TableRange] = field(default_factory=list)
    custom: dict[str, str] = field(default_factory=dict)  # custom document properties, when known


def grid_from_values(values: Any) -> Grid:
    """xlwings' value of a range (scalar, row, or rows) → rows of cells, ``''`` for empty as calamine reads."""
    if values is None:
        return []
    if not isinstance(values, list):
        values = [[values]]
    elif values and not isinstance(values[0], list):
        values = [values]
    return [["" if v is None else v for v in line] for line in values]


class GridBook(Book):
    """The reader's :class:`Book` over grids already in memory (nothing is opened)."""

    def __init__(self, data: BookData) -> None:
        self.workbook = None
        self.path = Path(data.path)
        self.names = list(data.sheets)
        self.hidden = set(data.hidden)
        self._grids = {name: grid_from_values(values) for name, values in data.sheets.items()}

    def _read(self, sheet: str, nrows: int | None = None) -> Grid:
        # Every sheet was read up front; a sheet that is not there is empty.
        return []


def _area(address: str) -> tuple[int, int, int, int] | None:
    """``$A$2:$K$30`` → (2, 1, 30, 11); a one-cell address is its own corner."""
    # parse_ref wants a sheet; any placeholder name will do.
    first, _, last = address.replace("$", "").partition(":")
    a, b = parse_ref(f"x!{first}"), parse_ref(f"x!{last or first}")
    if a is None or b is None:
        return None
    return a[1], a[2], b[1], b[2]


def parts_from(data: BookData) -> XlsxParts:
    """Defined names and Excel tables as the reader's :class:`XlsxParts` (no zip behind them)."""
    parts = XlsxParts()
    for name, refers_to in data.names.items():
        # A sheet-scoped name reads "Sheet!name" in xlwings; the reader knows names by their bare form.
        bare = name.rsplit("!", 1)[-1]
        ref = parse_ref(refers_to.lstrip("="))
        if ref is not None and not bare.startswith("_xlnm.") and bare not in parts.names:
            parts.names[bare] = ref
    for t in data.tables:
        area = _area(t.address)
        if area is None or t.sheet not in data.sheets:
            continue
        r1, c1, r2, c2 = area
        grid = grid_from_values(data.sheets[t.sheet])
        head = grid[r1 - 1] if t.header and r1 <= len(grid) else []
        columns = tuple(str(head[c - 1]) if c <= len(head) else "" for c in range(c1, c2 + 1))
        parts.tables[t.name.lower()] = TableDef(
            name=t.name, sheet=t.sheet, first_row=r1, first_col=c1, last_row=r2, last_col=c2,
            columns=columns, header_rows=1 if t.header else 0, totals_rows=1 if t.totals else 0)
    # The custom properties are read lazily from the zip otherwise; here they are simply given.
    parts._custom = dict(data.custom)
    return parts


def record_from_data(data: BookData, *, as_of: date | None = None) -> WorkbookRecord:
    """The record :func:`~pimxl.io.reader.read_workbook` would make of the same workbook saved to a file."""
    from ..io.reader import read_opened

    return read_opened(Path(data.path), GridBook(data), parts_from(data), as_of=as_of)


def check_data(data: BookData, *, as_of: date, settings: Settings, display: str | None = None) -> FileResult:
    """Read and check a live workbook as ``pimxl validate`` checks a file; never raises for a bad workbook."""
    from ..pipeline import check_file

    result = FileResult(path=display or data.path, kind="excel")
    try:
        record = record_from_data(data, as_of=as_of)
    except FileProblem as e:
        result.status, result.code = e.status, e.code
        result.reason_zh, result.reason_en = e.reason_zh, e.reason_en
        return result
    record.path = result.path
    result.record = record
    result.template_id, result.version = record.template_id, record.version
    result.findings = [f.with_file(result.path) for f in record.findings]
    return check_file(result, as_of=as_of, settings=settings)

