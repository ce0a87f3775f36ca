"""A table's data rows rendered straight to worksheet XML, for :mod:`xlsx_package` to splice in.

xlsxwriter spends a Python call chain and a cell object per cell, then formats each cell again when it saves;
for the summary's ~400,000 cells that was half the writer's time. Here each column is rendered in one loop
(a ready ``<c r="B…" s="…"`` prefix, the value by its exact class), and the rows are joined once.

What a cell becomes is what xlsxwriter's ``write_row`` (or ``write`` with a format) made of it:

- ``str``: a shared string in xlsxwriter's own table (it writes sharedStrings.xml, escaping ``&<>``, control
  characters as ``_xHHHH_`` and literal ``_xHHHH_`` text); ``""`` and ``None`` are no cell;
- ``int``/``float``/``Decimal``: a number (``.16G``, as xlsxwriter); NaN and ±inf are no cell;
- ``date``: its serial number (from 1900-03-01 one subtraction); ``datetime``, ``time``, ``timedelta`` by
  xlsxwriter's conversion; ``bool`` a boolean;
- :class:`Link`: its text with the hyperlink style, and a ``<hyperlink>`` for the package writer;
- anything else: :func:`coerce`'d first.

Every cell carries its column's style index, as xlsxwriter stamps the column format on unformatted cells;
``styled_blanks`` (a worksheet shared by tables) also writes empty cells of a styled column, as ``write``
with a format does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from enum import Enum
from typing import Any

from xlsxwriter.utility import _datetime_to_excel_datetime, _utf16_len, _utf16_truncate, xl_col_to_name
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet
from xlsxwriter.xmlwriter import XMLwriter

from pimxl.rollup.sheetspec import Link
from pimxl.rollup.xlsx_links import LinkWriter

__all__ = ["MAX_LINKS", "Chunk", "RowSink", "escape_text", "inline_string"]

MAX_LINKS = 65_530  # Excel's limit of hyperlinks a worksheet (xlsxwriter refuses more)
_STRMAX = 32_767  # characters (UTF-16 units) a cell holds
_EXCEL_EPOCH = date(1899, 12, 30).toordinal()  # serial 0; exact from 1900-03-01 (Excel's 1900 leap-year bug)
_SERIAL_FROM = date(1900, 3, 1)


def escape_text(text: str) -> str:
    """Cell text as XML character data, with Excel's ``_xHHHH_`` escapes for control characters."""
    text = XMLwriter._escape_control_characters(text)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def inline_string(text: str) -> str:
    """The rest of a ``<c …`` element holding ``text`` inline (no shared-string index)."""
    return f' t="inlineStr"><is><t xml:space="preserve">{escape_text(text)}</t></is></c>'


@dataclass
class Chunk:
    """Rendered data rows of one table: 0-based first and last row, the ``<row>`` elements, and the
    hyperlinks as (cell reference, escaped relationship target, ``' location="…"'`` or "")."""

    first_row: int
    last_row: int
    xml: str
    links: list[tuple[str, str, str]] = field(default_factory=list)


class RowSink:
    """Renders tables' data rows into :class:`Chunk` s per worksheet, sharing the workbook's string table."""

    def __init__(self, wb: Workbook, links: LinkWriter) -> None:
        self.wb = wb
        self.links = links
        self.chunks: dict[int, list[Chunk]] = {}  # id(worksheet) → its chunks, top to bottom
        self._sst = wb.str_table
        self._strings: dict[str, str] = {}  # text → the rest of its <c> element: ' t="s"><v>N</v></c>'
        self._link_counts: dict[int, int] = {}

    def _string(self, text: str) -> str:
        """The rest of a string cell's element for ``text``; the shared string is added on first use.

        The caller counts every string cell as a reference to the shared-string table (its ``count``); the
        few inline ones are taken off again here."""
        tail = self._strings.get(text)
        if tail is not None:
            return tail
        key = text
        if len(text) > _STRMAX // 2 and _utf16_len(text) > _STRMAX:
            text = _utf16_truncate(text, _STRMAX)
        # xlsxwriter writes a shared string starting "<r>" and ending "</r>" as raw rich-text XML: user text
        # like that goes inline, escaped, so it can never inject markup. Not cached: each use is uncounted.
        if text.startswith("<r>") and text.endswith("</r>"):
            self._sst.count -= 1
            return inline_string(text)
        tail = f' t="s"><v>{self._sst._get_shared_string_index(text)}</v></c>'
        self._sst.count -= 1  # _get_shared_string_index counted this use; the caller counts it again
        self._strings[key] = tail
        return tail

    def render(self, ws: Worksheet, rows: list[dict[str, Any]], keys: list[str], first: int,
               styles: list[int], *, styled_blanks: bool = False) -> Chunk:
        """Render ``rows`` (one dict each; columns ``keys``, styles ``styles``: 0 for none) from 0-based row
        ``first``, and extend the worksheet's dimension over them (xlsxwriter never sees these cells)."""
        chunk = Chunk(first, first + len(rows) - 1, "")
        numbers = range(first + 1, first + len(rows) + 1)
        self._link_counts.setdefault(id(ws), ws.hlink_count)
        columns = [self._column(ws, j, [r.get(k) for r in rows], numbers, styles[j], styled_blanks, chunk)
                   for j, k in enumerate(keys)]
        spans = f' spans="1:{len(keys)}">'
        # One join per row, then one for the table.
        by_row = zip(*columns, strict=True) if columns else [()] * len(rows)
        chunk.xml = "".join([f'<row r="{r}"{spans}{"".join(cells)}</row>'
                             for r, cells in zip(numbers, by_row, strict=True)])
        if rows and keys:
            ws._check_dimensions(first, 0)
            ws._check_dimensions(chunk.last_row, len(keys) - 1)
            self.chunks.setdefault(id(ws), []).append(chunk)
        return chunk

    def _column(self, ws: Worksheet, col: int, values: list[Any], numbers: range, xf: int,
                styled_blanks: bool, chunk: Chunk) -> list[str]:
        letter = xl_col_to_name(col)
        s = f' s="{xf}"' if xf else ""
        blank = f'<c r="{letter}{{}}"{s}/>' if styled_blanks and xf else ""
        strings, string = self._strings, self._string
        out: list[str] = []
        add = out.append
        n_strings = 0
        for r, v in zip(numbers, values, strict=True):
            cls = v.__class__
            if cls is str:
                if v:
                    n_strings += 1
                    add(f'<c r="{letter}{r}"{s}{strings.get(v) or string(v)}')
                else:
                    add(blank and blank.format(r))
            elif cls is float or cls is int:
                if v - v == 0:  # finite
                    add(f'<c r="{letter}{r}"{s}><v>{v:.16G}</v></c>')
                else:
                    add(blank and blank.format(r))
            elif cls is date and v >= _SERIAL_FROM:
                add(f'<c r="{letter}{r}"{s}><v>{v.toordinal() - _EXCEL_EPOCH}</v></c>')
            elif v is None:
                add(blank and blank.format(r))
            elif isinstance(v, Link):
                cell, is_string = self._link(ws, v, f"{letter}{r}", s, chunk)
                n_strings += is_string
                add(cell)
            else:
                cell, is_string = self._other(v, f"{letter}{r}", s, blank and blank.format(r))
                n_strings += is_string
                add(cell)
        self._sst.count += n_strings
        return out

    def _link(self, ws: Worksheet, link: Link, ref: str, s: str, chunk: Chunk) -> tuple[str, int]:
        resolved = self.links.resolve(link)
        count = self._link_counts[id(ws)] + (resolved is not None)
        if resolved is None or count > MAX_LINKS:
            # No target, a URL Excel refuses, or past the limit: the text alone, as a plain string.
            return f'<c r="{ref}"{s}{self._string(link.text)}', 1
        self._link_counts[id(ws)] = count
        chunk.links.append((ref, *resolved))
        xf = self.wb.default_url_format._get_xf_index()
        return f'<c r="{ref}" s="{xf}"{self._string(link.text or self.links.shown(link))}', 1

    def _other(self, v: Any, ref: str, s: str, blank: str) -> tuple[str, int]:
        """The rare kinds: datetimes, early dates, booleans, Decimals, subclasses, and whatever coerce() makes
        of anything else."""
        from pimxl.rollup.xlsx_table import coerce

        if isinstance(v, Enum):
            v = coerce(v)
            if v is None:
                return blank, 0
        if isinstance(v, bool):
            return f'<c r="{ref}"{s} t="b"><v>{int(v)}</v></c>', 0
        if isinstance(v, str):
            return (f'<c r="{ref}"{s}{self._string(str(v))}', 1) if v else (blank, 0)
        if isinstance(v, datetime | date | time | timedelta):
            try:
                return f'<c r="{ref}"{s}><v>{_datetime_to_excel_datetime(v, False, True):.16G}</v></c>', 0
            except (TypeError, ValueError, OverflowError, AttributeError):
                v = coerce(v)
                return self._other(v, ref, s, blank) if v is not None else (blank, 0)
        if isinstance(v, int | float | Decimal):
            number = float(v)
            return (f'<c r="{ref}"{s}><v>{number:.16G}</v></c>', 0) if number - number == 0 else (blank, 0)
        # coerce() makes anything else one of the types above, None, or (an Enum holding one) a Link: its text.
        v = coerce(v)
        if isinstance(v, Link):
            v = v.text
        return self._other(v, ref, s, blank) if v is not None else (blank, 0)
