"""A table's data rows rendered straight to worksheet XML, for :mod:`xlsx_package` to splice in.

xlsxwriter spends a Python call chain and a cell object per cell, then formats each cell again when it saves;
for the summary's ~400,000 cells that was half the writer's time. Here a table is rendered a column at a time:
what follows each cell's reference (style, type, value) is made once per distinct value of the column and looked
up for its cells (text, numbers and dates repeat), or cell by cell in a column holding links or rarer kinds;
then each cell's ``<c r="B…"`` is put before it, and the rows are joined once.

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

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from enum import Enum
from itertools import chain, repeat
from math import copysign
from operator import attrgetter, itemgetter, methodcaller
from typing import Any, cast

from xlsxwriter.utility import _datetime_to_excel_datetime, _utf16_len, _utf16_truncate, xl_col_to_name
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet
from xlsxwriter.xmlwriter import XMLwriter

from pimxl.rollup.sheetspec import Link
from pimxl.rollup.xlsx_links import LinkWriter

__all__ = ["MAX_LINKS", "Chunk", "RowSink", "column_values", "escape_text", "inline_string"]

MAX_LINKS = 65_530  # Excel's limit of hyperlinks a worksheet (xlsxwriter refuses more)
_STRMAX = 32_767  # characters (UTF-16 units) a cell holds
_EXCEL_EPOCH = date(1899, 12, 30).toordinal()  # serial 0; exact from 1900-03-01 (Excel's 1900 leap-year bug)
_SERIAL_FROM = date(1900, 3, 1)
# Classes rendered once per distinct value of a column (see RowSink._tails).
_BY_VALUE = frozenset({str, int, float, date, type(None)})
_NUMBERS = frozenset({int, float, type(None)})
_TEXTS = frozenset({str, type(None)})
_IS_SHARED = methodcaller("startswith", ' t="s">')  # a text cell's tail referring to the shared strings
# Classes of a column of links and blanks (see RowSink._link_tails).
_LINK_COLUMN = frozenset({Link, str, type(None)})
_TEXT, _TARGET, _CELL = attrgetter("text"), attrgetter("target"), attrgetter("cell")


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


def column_values(rows: list[dict[str, Any]], keys: list[str]) -> list[list[Any]]:
    """The values of each column (``row.get(key)``)."""
    # A C-level pass over the rows a column when every row is a plain dict holding every key (a missing key,
    # or a dict subclass whose lookup differs from get(), takes one get() a cell); a pass a column costs less
    # than a tuple of every row's values transposed.
    if rows and set(map(type, rows)) == {dict}:
        try:
            return [list(map(itemgetter(k), rows)) for k in keys]
        except KeyError:
            pass
    return [[r.get(k) for r in rows] for k in keys]


def _shared_cells(values: Sequence[Any], texts: list[str], tails: list[str]) -> int:
    """How many of ``values`` (None, "" and ``texts``, whose :meth:`RowSink._text_tails` are ``tails``) are
    cells referring to the shared-string table: one per cell of a shared text (not of one written inline)."""
    if all(map(_IS_SHARED, tails)):
        return len(values) - values.count(None) - values.count("")
    uses = Counter(values)
    return sum(uses[text] for text, tail in zip(texts, tails, strict=True) if _IS_SHARED(tail))


class RowSink:
    """Renders tables' data rows into :class:`Chunk` s per worksheet, sharing the workbook's string table."""

    def __init__(self, wb: Workbook, links: LinkWriter) -> None:
        self.wb = wb
        self.links = links
        self.chunks: dict[int, list[Chunk]] = {}  # id(worksheet) → its chunks, top to bottom
        self._sst = wb.str_table
        self._strings: dict[str, str] = {}  # text → the rest of its <c> element: ' t="s"><v>N</v></c>'
        self._link_counts: dict[int, int] = {}
        # Row numbers as text, and each followed by '"', from 0: made once for every table (sliced).
        self._numbers: list[str] = []
        self._quoted: list[str] = []

    def _text(self, text: str) -> tuple[str, bool]:
        """The rest of a string cell's element for ``text`` (after its style), and whether it refers to the
        shared-string table; the shared string is added on first use.

        The shared-string table's reference ``count`` is left to the caller: it adds one per cell that refers to
        the table (the second item), however many cells one call serves."""
        tail = self._strings.get(text)
        if tail is not None:
            return tail, True
        key = text
        if len(text) > _STRMAX // 2 and _utf16_len(text) > _STRMAX:
            text = _utf16_truncate(text, _STRMAX)
        # xlsxwriter writes a shared string starting "<r>" and ending "</r>" as raw rich-text XML: user text
        # like that goes inline, escaped, so it can never inject markup.
        if text.startswith("<r>") and text.endswith("</r>"):
            return inline_string(text), False
        tail = f' t="s"><v>{self._sst._get_shared_string_index(text)}</v></c>'
        self._sst.count -= 1  # _get_shared_string_index counted this use; the caller counts its cells
        self._strings[key] = tail
        return tail, True

    def _row_numbers(self, start: int, stop: int) -> tuple[list[str], list[str]]:
        """The row numbers from ``start`` to ``stop`` (exclusive) as text, and each followed by '"'."""
        if stop > len(self._numbers):
            more = [str(r) for r in range(len(self._numbers), stop)]
            self._numbers += more
            self._quoted += [f'{r}"' for r in more]
        return self._numbers[start:stop], self._quoted[start:stop]

    def _text_tails(self, texts: list[str]) -> list[str]:
        """:meth:`_text`'s tails of distinct non-empty ``texts``, the new ones added to the shared strings in
        the order given (the known ones looked up at C level); the count is left to :func:`_shared_cells`."""
        known = self._strings
        tails = list(map(known.get, texts))
        if None not in tails:
            return cast("list[str]", tails)
        # The new ones as _text adds them, its common case inline: the next index of xlsxwriter's table (or the
        # one it has for a string it wrote itself); a long text (cut to Excel's limit) or one that looks like
        # rich text the general way.
        table, sst = self._sst.string_table, self._sst
        for i, text in enumerate(texts):
            if tails[i] is not None:
                continue
            if len(text) > _STRMAX // 2 or (text.startswith("<r>") and text.endswith("</r>")):
                tails[i] = self._text(text)[0]
                continue
            index = table.get(text)
            if index is None:
                index = table[text] = sst.unique_count
                sst.unique_count += 1
            tails[i] = known[text] = f' t="s"><v>{index}</v></c>'
        return cast("list[str]", tails)  # every None filled in

    def render(self, ws: Worksheet, rows: list[dict[str, Any]], keys: list[str], first: int,
               styles: list[int], *, styled_blanks: bool = False,
               columns: Sequence[Sequence[Any]] | None = None) -> Chunk:
        """Render ``rows`` (one dict each; columns ``keys``, styles ``styles``: 0 for none) from 0-based row
        ``first``, and extend the worksheet's dimension over them (xlsxwriter never sees these cells).
        ``columns``: :func:`column_values` of the rows and keys, when the caller has them already."""
        chunk = Chunk(first, first + len(rows) - 1, "")
        # Row numbers as text once, for every column's cell references.
        numbers, quoted = self._row_numbers(first + 1, first + len(rows) + 1)
        spans = f'" spans="1:{len(keys)}">'
        self._link_counts.setdefault(id(ws), ws.hlink_count)
        if not keys:  # rows without cells (nothing is spliced for them)
            chunk.xml = "".join([f'<row r="{r}{spans}</row>' for r in numbers])
            return chunk
        # The table's XML as one join over an iterator of pieces, row by row: '<row r="', the row number, its
        # spans, each column's cell, '</row>'. A column with a cell in every row gives its cells as three
        # pieces (its '<c r="B', the row number and its '"', the cell's tail): no string made a cell.
        pieces: list[Iterable[str]] = [repeat('<row r="'), numbers, repeat(spans)]
        for j, values in enumerate(column_values(rows, keys) if columns is None else columns):
            letter, xf = xl_col_to_name(j), styles[j]
            # Each cell's element after its reference ("" for no cell).
            tails = self._tails(ws, values, numbers, letter, f' s="{xf}"' if xf else "", chunk)
            start = f'<c r="{letter}'
            if "" in tails:
                if not (styled_blanks and xf):
                    # No cell where there is no value: the cells made one by one.
                    pieces.append([start + r + t if t else "" for r, t in zip(quoted, tails, strict=True)])
                    continue
                # An empty cell with the column's style where there is no value.
                blank = f' s="{xf}"/>'
                tails = [t or blank for t in tails]
            pieces += [repeat(start), quoted, tails]
        pieces.append(repeat("</row>"))
        # Not strict: the repeat()s are endless, the row numbers and every column's cells one a row.
        chunk.xml = "".join(chain.from_iterable(zip(*pieces, strict=False)))
        if rows:
            ws._check_dimensions(first, 0)
            ws._check_dimensions(chunk.last_row, len(keys) - 1)
            self.chunks.setdefault(id(ws), []).append(chunk)
        return chunk

    def _tails(self, ws: Worksheet, values: Sequence[Any], numbers: list[str], letter: str, s: str,
               chunk: Chunk) -> list[str]:
        """What follows ``<c r="…"`` for each of a column's values ("" where there is no cell), with ``s``
        (the column's style attribute) in it; adds the column's string cells to the shared-string count."""
        classes = set(map(type, values))
        if Link in classes and classes <= _LINK_COLUMN:
            tails = self._link_tails(ws, values, numbers, letter, s, chunk, classes == {Link})
            if tails is not None:
                return tails
        if classes <= _BY_VALUE:
            # Values of these classes that compare equal render alike (1 and 1.0 both as "1"; str never equals
            # a number or date), but for -0.0 ("-0", and equal to 0): render each distinct value once, in
            # first-use order (the order shared strings get their index in), and look the cells up.
            # Counted (a text used by several cells refers to the shared-string table once per cell) when
            # the column holds text.
            table: dict[Any, str]
            if classes <= _NUMBERS:
                # Figures (and None): what _value makes of each, without a call a value (NaN and ±inf: no cell);
                # each cell's own when most are distinct (amounts), which keeps the sign of a zero as well.
                distinct = dict.fromkeys(values)
                if len(distinct) * 2 > len(values):
                    return [f"{s}><v>{v:.16G}</v></c>" if v is not None and v - v == 0 else "" for v in values]
                table = {v: f"{s}><v>{v:.16G}</v></c>" if v - v == 0 else "" for v in distinct if v is not None}
                table[None] = ""
            elif classes <= _TEXTS:
                # Text (and None, "": no cell): the shared strings looked up at C level, the new ones added.
                texts = [v for v in dict.fromkeys(values) if v]
                text_tails = self._text_tails(texts)
                table = dict(zip(texts, map(s.__add__, text_tails), strict=True))
                table[None] = table[""] = ""
                self._sst.count += _shared_cells(values, texts, text_tails)
            else:
                uses: dict[Any, int] = Counter(values) if str in classes else dict.fromkeys(values, 0)
                table = {}
                strings = 0
                for v, n in uses.items():
                    if v is None or v == "":
                        table[v] = ""
                    else:
                        table[v], shared = self._value(v, s)
                        strings += n if shared else 0
                self._sst.count += strings
            if float in classes and 0 in table:
                # Zeros one by one, by their sign (and None or "" as no cell).
                zero, negative_zero = f"{s}><v>0</v></c>", f"{s}><v>-0</v></c>"
                return [table[v] if v else "" if v is None or v == "" else
                        negative_zero if copysign(1.0, v) < 0 else zero for v in values]
            return list(map(table.__getitem__, values))
        # One value at a time, in row order: links record their cell, and shared strings are added in the
        # order the cells come.
        out: list[str] = []
        add = out.append
        known, resolve, links = self._strings, self.links.resolve, chunk.links
        # Links this worksheet can still take (Excel's limit); the hyperlink style, once a link is written.
        room = MAX_LINKS - self._link_counts[id(ws)]
        link_style = ""
        strings = 0
        tail: str | None  # a cell's tail; None while a known string's is still to be made
        for r, v in zip(numbers, values, strict=True):
            cls = v.__class__
            if cls is str:
                text, style = v, s
            elif v is None:
                add("")
                continue
            elif isinstance(v, Link):
                resolved = resolve(v)
                if resolved is not None and room > 0:
                    room -= 1
                    links.append((f"{letter}{r}", *resolved))
                    if not link_style:
                        link_style = f' s="{self.wb.default_url_format._get_xf_index()}"'
                    text, style = v.text or self.links.shown(v), link_style
                else:
                    # No target, a URL Excel refuses, or past the limit: the text alone, as a plain string
                    # (a shared one, even when empty).
                    text, style = v.text, s
                    tail, shared = self._text(text)
                    strings += shared
                    add(style + tail)
                    continue
            else:
                tail, n = self._value(v, s)
                strings += n
                add(tail)
                continue
            if not text and cls is str:
                add("")
                continue
            tail = known.get(text)
            if tail is None:
                tail, shared = self._text(text)
                strings += shared
            else:
                strings += 1
            add(style + tail)
        self._link_counts[id(ws)] = MAX_LINKS - room
        self._sst.count += strings
        return out

    def _link_tails(self, ws: Worksheet, values: Sequence[Any], numbers: list[str], letter: str, s: str,
                    chunk: Chunk, only_links: bool) -> list[str] | None:
        """:meth:`_tails` for a column of links (and blanks: None, ""), a few C-level passes instead of a loop
        of Python a link; None (and nothing done) when some value needs the general way: a text cell, a link
        without text or that does not resolve the short way, or more links than the worksheet can still take."""
        # The links and where they are; every other value must be a blank.
        at: list[int] = []
        if only_links:
            links, rows = values, numbers
        elif all(values[i] is None or values[i] == "" for i in range(len(values)) if values[i].__class__ is not Link):
            at = [i for i, v in enumerate(values) if v.__class__ is Link]
            links, rows = [values[i] for i in at], [numbers[i] for i in at]
        else:
            return None
        texts = list(map(_TEXT, links))
        targets, cells = list(map(_TARGET, links)), list(map(_CELL, links))
        if not all(texts) or len(links) > MAX_LINKS - self._link_counts[id(ws)]:
            return None
        resolved = self.links.resolve_all(targets, cells)
        if resolved is None:
            return None
        files, locations = resolved
        # As the general way: each text's shared string added in the order the cells come (the order of the
        # distinct texts' first uses), counted once per cell that refers to it.
        link_style = f' s="{self.wb.default_url_format._get_xf_index()}"'
        distinct = list(dict.fromkeys(texts))
        text_tails = self._text_tails(distinct)
        tails = dict(zip(distinct, map(link_style.__add__, text_tails), strict=True))
        self._sst.count += _shared_cells(texts, distinct, text_tails)
        self._link_counts[id(ws)] += len(links)
        chunk.links += zip(map(letter.__add__, rows), map(files.__getitem__, targets),
                           map(locations.__getitem__, cells), strict=True)
        out = list(map(tails.__getitem__, texts))
        if links is values:
            return out
        column = [""] * len(values)
        for i, tail in zip(at, out, strict=True):
            column[i] = tail
        return column

    def _value(self, v: Any, s: str) -> tuple[str, int]:
        """What follows ``<c r="…"`` for any value but a :class:`Link` ("" for no cell), and whether it refers
        to the shared-string table (1) or not (0)."""
        cls = v.__class__
        if cls is str:
            if not v:
                return "", 0
            tail, shared = self._text(v)
            return s + tail, shared
        if cls is float or cls is int:
            return (f"{s}><v>{v:.16G}</v></c>", 0) if v - v == 0 else ("", 0)  # NaN and ±inf: no cell
        if cls is date and v >= _SERIAL_FROM:
            return f"{s}><v>{v.toordinal() - _EXCEL_EPOCH}</v></c>", 0
        return self._other(v, s)

    def _other(self, v: Any, s: str) -> tuple[str, int]:
        """The rare kinds: datetimes, early dates, booleans, Decimals, subclasses, and whatever coerce() makes
        of anything else."""
        from pimxl.rollup.xlsx_table import coerce

        if isinstance(v, Enum):
            v = coerce(v)
            if v is None:
                return "", 0
        if isinstance(v, bool):
            return f'{s} t="b"><v>{int(v)}</v></c>', 0
        if isinstance(v, str):
            if not v:
                return "", 0
            tail, shared = self._text(str(v))
            return s + tail, shared
        if isinstance(v, datetime | date | time | timedelta):
            try:
                return f"{s}><v>{_datetime_to_excel_datetime(v, False, True):.16G}</v></c>", 0
            except (TypeError, ValueError, OverflowError, AttributeError):
                v = coerce(v)
                return self._other(v, s) if v is not None else ("", 0)
        if isinstance(v, int | float | Decimal):
            number = float(v)
            return (f"{s}><v>{number:.16G}</v></c>", 0) if number - number == 0 else ("", 0)
        # coerce() makes anything else one of the types above, None, or (an Enum holding one) a Link: its text.
        v = coerce(v)
        if isinstance(v, Link):
            v = v.text
        return self._other(v, s) if v is not None else ("", 0)
