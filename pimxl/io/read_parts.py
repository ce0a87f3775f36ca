"""What python-calamine does not expose, read straight from an .xlsx/.xlsm zip.

``workbook.xml`` and ``custom.xml`` go through expat with every DTD and entity declaration refused
(:mod:`.probe_xml`); the flat ``.rels`` and table parts and the sheet scans are read by pattern
(nothing but the predefined entities is ever expanded). Given the probe's :class:`ZipParts`, the zip
is not opened again and no part the probe inflated is inflated twice.

* defined names (``xl/workbook.xml``) → sheet and top-left cell,
* Excel tables (``xl/worksheets/_rels`` → ``xl/tables/tableN.xml``): name, sheet, range, column names,
* custom document properties (``docProps/custom.xml``),
* error values (``t="e"``; calamine reads them as empty strings) and formula cells of a sheet, on demand.

Anything missing, oversized or malformed here is simply absent: the reader then falls back to
labels. Nothing in this module raises for a bad file.
"""

from __future__ import annotations

import html
import posixpath
import re
import zipfile
from bisect import bisect_left
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from xml.parsers import expat

from ..address import col_number
from .memo import memo_small
from .probe_xml import XmlUnsafe, expat_parse
from .workbook_xml import parse_workbook
from .zip_parts import ZipParts

__all__ = ["TableDef", "XlsxParts", "parse_ref", "read_parts"]

#: Parts larger than this (uncompressed) are ignored; the probe bounds the file as a whole.
MAX_PART = 32 << 20
#: Sheets larger than this are not scanned for error values / formulas.
MAX_SHEET_SCAN = 64 << 20
#: How many distinct parts (rels, tables, custom properties) the pure parses below remember.
_MEMO = 256

_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_RANGE = re.compile(
    r"^(?:'((?:[^']|'')+)'|([^'!]+))!\$?([A-Za-z]{1,3})\$?(\d+)(?::\$?([A-Za-z]{1,3})\$?(\d+))?$"
)
_AREA = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d+)(?::\$?([A-Za-z]{1,3})\$?(\d+))?$")
# A cell element of sheet XML, its attributes and its body (formula / value).
_CELL_OPEN = re.compile(rb"<(?:\w+:)?c\b([^>]*)>")
_CELL_CLOSE = re.compile(rb"</(?:\w+:)?c>")
_ATTR_R = re.compile(rb'\br="([A-Z]+)(\d+)"')
_ATTR_T_ERR = re.compile(rb'\bt="e"')
_VALUE = re.compile(rb"<(?:\w+:)?v>([^<]*)</(?:\w+:)?v>")
_FORMULA = re.compile(rb"<(?:\w+:)?f\b")
_RELATIONSHIP = re.compile(r"<(?:\w+:)?Relationship\b([^>]*)>")
_TABLE_ROOT = re.compile(r"<(?:\w+:)?table\b([^>]*)>")
_TABLE_COLUMN = re.compile(r"<(?:\w+:)?tableColumn\b([^>]*)>")
_XML_ATTR = re.compile(r"""([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_WHITE = str.maketrans("\t\n\r", "   ")


@dataclass(frozen=True)
class TableDef:
    """An Excel table: 1-based first/last row and column of its range, header and totals row counts."""

    name: str
    sheet: str
    first_row: int
    first_col: int
    last_row: int
    last_col: int
    columns: tuple[str, ...]
    header_rows: int = 1
    totals_rows: int = 0


@dataclass
class XlsxParts:
    names: dict[str, tuple[str, int, int]] = field(default_factory=dict)  # name → (sheet, row, col)
    tables: dict[str, TableDef] = field(default_factory=dict)  # by lower-case name
    sheet_paths: dict[str, str] = field(default_factory=dict)  # sheet name → zip member
    path: Path | None = None
    _xml: dict[str, bytes] = field(default_factory=dict)
    _errors: dict[str, dict[tuple[int, int], str]] = field(default_factory=dict)
    _formulas: dict[str, set[tuple[int, int]]] = field(default_factory=dict)
    _zip: ZipParts | None = None
    _custom: dict[str, str] | None = None

    @property
    def custom(self) -> dict[str, str]:
        """Custom document properties (read on first use: only needed without the ``_pimxl`` sheet)."""
        if self._custom is None:
            self._custom = {}
            data = self._zip.read("docProps/custom.xml", MAX_PART) if self._zip is not None else None
            if data is not None:
                self._custom = dict(_read_custom(data))
        return self._custom

    def table(self, name: str) -> TableDef | None:
        return self.tables.get(name.lower())

    def errors(self, sheet: str) -> dict[tuple[int, int], str]:
        """Error values (``#REF!`` …) by (row, col) on a sheet; calamine reads them as ''."""
        if sheet not in self._errors:
            data = self._sheet_xml(sheet)
            # Cheap test first: almost every sheet has none.
            self._errors[sheet] = _scan_errors(data) if b't="e"' in data else {}
        return self._errors[sheet]

    def formulas(self, sheet: str) -> set[tuple[int, int]]:
        """(row, col) of every cell holding a formula on a sheet."""
        if sheet not in self._formulas:
            data = self._sheet_xml(sheet)
            self._formulas[sheet] = _scan_formulas(data) if _FORMULA.search(data) else set()
        return self._formulas[sheet]

    def close(self) -> None:
        if self._zip is not None:
            self._zip.close()
            self._zip = None
        self._xml.clear()

    def _sheet_xml(self, sheet: str) -> bytes:
        """The sheet's XML, read once; b'' when there is none or it is too large to scan."""
        if sheet in self._xml:
            return self._xml[sheet]
        data = None
        member = self.sheet_paths.get(sheet)
        if member is not None and self._zip is not None:
            data = self._zip.read(member, MAX_SHEET_SCAN)
        self._xml[sheet] = data or b""
        return self._xml[sheet]


@lru_cache(maxsize=4096)
def parse_ref(text: str) -> tuple[str, int, int] | None:
    """``'项目信息'!$B$5`` (or a range) → ('项目信息', 5, 2); None for ``#REF!`` and the like."""
    m = _RANGE.match(text.strip())
    if not m:
        return None
    sheet = m.group(1).replace("''", "'") if m.group(1) is not None else m.group(2)
    return sheet, int(m.group(4)), col_number(m.group(3))


def read_parts(path: Path, probed: ZipParts | None = None) -> XlsxParts:
    """The parts of an xlsx/xlsm zip that the reader needs; empty for other formats.

    ``probed`` (from ``probe(path, keep=True).parts``) saves opening the zip and inflating again.
    The zip stays open (for the custom properties and the sheet scans) until ``close()``.
    """
    parts = XlsxParts(path=path)
    if probed is None:
        try:
            with zipfile.ZipFile(path) as zf:
                probed = ZipParts(path, None, {i.filename: i for i in zf.infolist()}, {})
        except (OSError, zipfile.BadZipFile, ValueError, RuntimeError, EOFError):
            return parts
    parts._zip = probed
    if probed.info("xl/workbook.xml") is not None:
        _read_workbook(probed, parts)
        _read_tables(probed, parts)
    return parts


def _value(text: str) -> str:
    """An attribute value as an XML parser gives it: line ends and white space normalised, then
    the predefined and numeric entities expanded (a well-formed part has no other)."""
    if "\r" in text or "\n" in text or "\t" in text:
        text = text.replace("\r\n", " ").translate(_WHITE)
    return html.unescape(text) if "&" in text else text


def _attrs(text: str) -> dict[str, str]:
    """The attributes of one start tag (predefined and numeric entities only are expanded)."""
    if "&" in text or "\n" in text or "\r" in text or "\t" in text:
        return {k: _value(v1 or v2) for k, v1, v2 in _XML_ATTR.findall(text)}
    return {k: v1 or v2 for k, v1, v2 in _XML_ATTR.findall(text)}  # nothing to normalise or expand


def _rels(zp: ZipParts, part: str) -> dict[str, tuple[str, str]]:
    """Relationship id → (type suffix, absolute member name) of a part."""
    folder, _, base = part.rpartition("/")
    data = zp.read(f"{folder}/_rels/{base}.rels" if folder else f"_rels/{base}.rels", MAX_PART)
    return dict(_parse_rels(data, folder)) if data is not None else {}


@memo_small(_MEMO)
def _parse_rels(data: bytes, folder: str) -> tuple[tuple[str, tuple[str, str]], ...]:
    """A .rels part's (id, (type suffix, member)) pairs, memoised by content (workbooks made from
    one template share them byte for byte).

    A .rels part is a flat list of empty elements: attributes read by pattern (no entity is
    expanded but the predefined and numeric ones), much cheaper than an XML parser per part.
    """
    out: dict[str, tuple[str, str]] = {}
    text = data.decode("utf-8", "replace")
    # (up to the last '>': a tag left open is never scanned to the end of the part again and again)
    for m in _RELATIONSHIP.finditer(text, 0, text.rfind(">") + 1):
        attrs = _attrs(m.group(1))
        target, rid = attrs.get("Target", ""), attrs.get("Id", "")
        if not target or attrs.get("TargetMode") == "External":
            continue
        out[rid] = (attrs.get("Type", "").rsplit("/", 1)[-1], _member(folder, target))
    return tuple(out.items())


@lru_cache(maxsize=4096)
def _member(folder: str, target: str) -> str:
    """The zip member a relationship's target names, relative to the folder of its source part."""
    return target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))


def _read_workbook(zp: ZipParts, parts: XlsxParts) -> None:
    """Sheets (name → member) and defined names of ``xl/workbook.xml`` (as the probe parsed it)."""
    found = zp.workbooks.get("xl/workbook.xml")
    if found is None:
        data = zp.read("xl/workbook.xml", MAX_PART)
        if data is None:
            return
        try:
            found = parse_workbook(data)
        except (expat.ExpatError, XmlUnsafe, ValueError):
            return  # not well-formed: no names, as before (the probe refuses such a workbook anyway)
    sheets, names = found
    rels = _rels(zp, "xl/workbook.xml")
    for name, rid in sheets:
        if rid in rels:
            parts.sheet_paths[name] = rels[rid][1]
    for name, text in names:
        if not name or name.startswith("_xlnm.") or name in parts.names:
            continue
        ref = parse_ref(text)
        if ref is not None:
            parts.names[name] = ref


def _read_tables(zp: ZipParts, parts: XlsxParts) -> None:
    for sheet, member in parts.sheet_paths.items():
        for kind, target in _rels(zp, member).values():
            if kind != "table":
                continue
            data = zp.read(target, MAX_PART)
            if data is None:
                continue
            found = _parse_table(data)
            if found is not None:
                name, (first_row, first_col, last_row, last_col), cols, header_rows, totals_rows = found
                parts.tables[name.lower()] = TableDef(
                    name=name, sheet=sheet, first_row=first_row, first_col=first_col, last_row=last_row,
                    last_col=last_col, columns=cols, header_rows=header_rows, totals_rows=totals_rows)


_Table = tuple[str, tuple[int, int, int, int], tuple[str, ...], int, int]


@memo_small(_MEMO)
def _parse_table(data: bytes) -> _Table | None:
    """A table part's name, range, column names and header/totals row counts (memoised by content).

    A table part is a root element with a flat list of columns: read by pattern, as .rels.
    """
    text = data.decode("utf-8", "replace")
    head = _TABLE_ROOT.search(text, 0, text.rfind(">") + 1)
    if head is None:
        return None
    attrs = _attrs(head.group(1))
    m = _AREA.match(attrs.get("ref", ""))
    name = attrs.get("displayName") or attrs.get("name") or ""
    if not m or not name or not m.group(3):
        return None
    cols = tuple(_attrs(c).get("name", "") for c in _TABLE_COLUMN.findall(text, 0, text.rfind(">") + 1))
    area = (int(m.group(2)), col_number(m.group(1)), int(m.group(4)), col_number(m.group(3)))
    return name, area, cols, _int(attrs.get("headerRowCount"), 1), _int(attrs.get("totalsRowCount"), 0)


def _int(text: str | None, default: int) -> int:
    try:
        return int(text) if text is not None else default
    except ValueError:
        return default


@memo_small(_MEMO)
def _read_custom(data: bytes) -> tuple[tuple[str, str], ...]:
    """Property name → the text of its value element (the first child of each property, up to
    that child's own first child, as ElementTree's ``.text``); a later duplicate wins."""
    out: dict[str, str] = {}
    depth = 0
    name: str | None = None  # the property being read, until its value element has been seen
    text: list[str] = []
    reading = False  # inside the value element, before any child of it

    def start(_tag: str, attrs: dict[str, str]) -> None:
        nonlocal depth, name, text, reading
        depth += 1
        reading = False
        if depth == 2:
            name = attrs.get("name") or None
        elif depth == 3 and name is not None:
            out[name], text, reading = "", [], True

    def end(_tag: str) -> None:
        nonlocal depth, name, reading
        if depth == 3 and name is not None:
            out[name] = "".join(text).strip()
            name = None  # only the first child holds the value
        reading = False
        depth -= 1

    def chars(data: str) -> None:
        if reading:
            text.append(data)

    try:
        expat_parse(data, start, end, chars)
    except (expat.ExpatError, XmlUnsafe, ValueError):
        return ()
    return tuple(out.items())


def _cells(data: bytes) -> Iterator[tuple[tuple[int, int], bytes, bytes]]:
    """(row, col), attributes and body of every ``<c>`` element of a sheet's XML.

    The cell ``<c …/>`` or ``<c …>body</c>`` up to the first closing tag (cells inside a body are
    skipped; a cell never closed is passed over). Start tags are matched only up to the part's last
    '>' and bodies found by bisection among the closing tags, so no match attempt runs on to the end
    of the part again and again — linear, whatever the bytes.
    """
    closes = [(m.start(), m.end()) for m in _CELL_CLOSE.finditer(data)]
    pos = 0
    for m in _CELL_OPEN.finditer(data, 0, data.rfind(b">") + 1):
        if m.start() < pos:
            continue  # inside the body of the cell before
        attrs = m.group(1)
        if attrs.endswith(b"/"):
            attrs, body = attrs[:-1], b""
        else:
            i = bisect_left(closes, (m.end(), 0))
            if i == len(closes):
                continue
            body, pos = data[m.end():closes[i][0]], closes[i][1]
        r = _ATTR_R.search(attrs)
        if r is not None:
            yield (int(r.group(2)), col_number(r.group(1).decode())), attrs, body


def _scan_errors(data: bytes) -> dict[tuple[int, int], str]:
    out: dict[tuple[int, int], str] = {}
    for pos, attrs, body in _cells(data):
        if _ATTR_T_ERR.search(attrs):
            v = _VALUE.search(body)
            out[pos] = v.group(1).decode("utf-8", "replace") if v else "#N/A"
    return out


def _scan_formulas(data: bytes) -> set[tuple[int, int]]:
    return {pos for pos, _, body in _cells(data) if _FORMULA.search(body)}
