"""The final .xlsx: xlsxwriter's package with the pre-rendered data rows and their hyperlinks spliced in.

xlsxwriter writes the structure (every part, the header rows, tables, formats, charts, print setup) into
memory; here each worksheet holding :class:`~pimxl.rollup.xlsx_cells.Chunk` s gets

- the chunks' ``<row>`` elements inside ``<sheetData>``, in row order among xlsxwriter's own rows;
- their ``<hyperlink>`` elements inside ``<hyperlinks>`` (created where the schema puts it: after
  conditionalFormatting and dataValidations, before printOptions / pageMargins / …);
- their relationships in the worksheet's .rels part, numbered after xlsxwriter's own ids: one per
  ``<hyperlink>`` (or one per distinct target, see :data:`SHARE_RELATIONSHIPS`); the cell goes in ``location``.

xlsxwriter's parts are taken from its packager unzipped (:class:`PartsWorkbook`). Members keep xlsxwriter's
order and a fixed timestamp, so the same summary gives the same bytes. They are deflated at :data:`LEVEL`, on
threads while the worksheets are spliced: for the ~20 MB of XML of a 1,000-project summary level 1 takes 58 ms
of CPU and gives 2.4 MB, zlib's default 6 (xlsxwriter's) 171 ms and 1.8 MB (levels 2 and 3: 63 and 81 ms, 2.3
and 2.1 MB).

Each worksheet's start (xlsxwriter's XML up to ``</sheetData>``, with the rows) is deflated ahead, on those
threads while close() writes the other parts (:func:`deflate_heads`); the package uses it only where xlsxwriter
then wrote that very start, and deflates the rest of the part after it. xlsxwriter's sheet data is written over
the rows it holds only (:class:`PartsWorkbook`'s worksheets), not over the ~30,000 rendered rows' numbers.
Each member is deflated in one call into zlib, and the summary writer shortens the interpreter's switch interval
(:func:`quick_switches`) so that the deflating threads do not wait for the GIL while Python runs here.
"""

from __future__ import annotations

import io
import os
import re
import struct
import sys
import zipfile
import zlib
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from contextlib import contextmanager
from itertools import chain, repeat
from typing import Any, NamedTuple, cast

from xlsxwriter.packager import Packager
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet
from xlsxwriter.xmlwriter import XMLwriter

from pimxl.rollup.xlsx_cells import Chunk

__all__ = ["LEVEL", "SHARE_RELATIONSHIPS", "THREADS", "Head", "Part", "PartsWorkbook", "deflate_heads",
           "quick_switches", "shared_strings_xml", "sheet_data_xml", "splice", "write_package"]

Part = tuple[str, str | bytes]  # a package member: its name, and its XML text or bytes


class _Member(NamedTuple):
    crc: int
    size: int
    data: bytes  # raw deflate stream

LEVEL = 1
_GZIP = 31  # zlib's wbits for a gzip stream: 15-bit window, gzip's header and trailer
_SMALL = 64 * 1024
_SWITCH_INTERVAL = 0.0002  # s; see quick_switches  # members smaller than this are deflated on the main thread
# False (the default): one relationship per <hyperlink>, as Excel itself writes them. True: one per distinct
# target a worksheet, referred to by every <hyperlink> to that file — the schema lets any number of elements
# refer to one relationship id, and openpyxl, LibreOffice and calamine read it so, but whether Excel opens it
# without a repair prompt could not be checked where pimxl is built (no Excel there); it saves ~0.12 s CPU and
# ~10 MB of XML to deflate for a 1,000-project summary. Verify in Excel before switching it on.
SHARE_RELATIONSHIPS = False
_HYPERLINK_TYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink"
_RELS_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
# What xlsxwriter escapes in shared strings: a literal _xHHHH_, and control characters but tab and newline.
_CONTROL = re.compile(r"_x[0-9a-fA-F]{4}_|[\x00-\x08\x0b-\x1f]")
_DATE_TIME = (1980, 1, 1, 0, 0, 0)
# _DATE_TIME as the zip format stores it.
_DOS_DATE = (_DATE_TIME[0] - 1980) << 9 | _DATE_TIME[1] << 5 | _DATE_TIME[2]
_DOS_TIME = _DATE_TIME[3] << 11 | _DATE_TIME[4] << 5 | _DATE_TIME[5] // 2
# Threads deflating members: as many as there are cores, up to 4 (a summary has a few large worksheets).
THREADS = max(1, min(4, os.cpu_count() or 1))
# Worksheet children that follow <hyperlinks> (ECMA-376 CT_Worksheet order).
_AFTER_HYPERLINKS = ("<printOptions", "<pageMargins", "<pageSetup", "<headerFooter", "<rowBreaks", "<colBreaks",
                     "<customProperties", "<cellWatches", "<ignoredErrors", "<smartTags", "<drawing",
                     "<legacyDrawing", "<legacyDrawingHF", "<picture", "<oleObjects", "<controls",
                     "<webPublishItems", "<tableParts", "<extLst", "</worksheet>")
_ROW = re.compile(r'<row r="(\d+)"')
_REL_ID = re.compile(r'Id="rId(\d+)"')


def splice(sheet: str, rels: str | None, chunks: list[Chunk]) -> tuple[bytes, bytes | None]:
    """``sheet`` (xlsxwriter's worksheet XML) with the chunks' rows and hyperlinks, and its .rels part (None if
    it has none) with their relationships, both as UTF-8.

    Positions are found in xlsxwriter's small XML; the result is joined as UTF-8 pieces, so the rows (ASCII)
    are never copied into one large string that the sheet's non-ASCII text would make twice as wide.
    """
    sheet = _closed_sheet_data(sheet)
    data_end = sheet.index("</sheetData>")
    links, rels_out = _link_inserts(sheet, data_end, chunks, rels)
    return _joined(_pieces(sheet, _row_inserts(sheet, data_end, chunks) + links, 0)), rels_out


def _closed_sheet_data(sheet: str) -> str:
    # xlsxwriter writes <sheetData/> when it has no cell at all.
    return sheet if "</sheetData>" in sheet else sheet.replace("<sheetData/>", "<sheetData></sheetData>", 1)


def _row_inserts(sheet: str, data_end: int, chunks: list[Chunk]) -> list[tuple[int, str]]:
    """Where each chunk's rows go in ``sheet`` (its ``</sheetData>`` at ``data_end``): (position, XML)."""
    rows = [(int(m[1]), m.start()) for m in _ROW.finditer(sheet, 0, data_end)]
    inserts: list[tuple[int, str]] = []
    for chunk in sorted(chunks, key=lambda c: c.first_row):
        # A row written twice makes Excel repair the file: never splice over xlsxwriter's rows.
        if any(chunk.first_row < r <= chunk.last_row + 1 for r, _ in rows):
            raise ValueError(f"rows {chunk.first_row + 1}–{chunk.last_row + 1} already hold cells")
        # Before xlsxwriter's first row below the chunk (r="" is 1-based, the chunk's rows 0-based).
        inserts.append((next((at for r, at in rows if r > chunk.last_row + 1), data_end), chunk.xml))
    return inserts


def _link_inserts(sheet: str, data_end: int, chunks: list[Chunk],
                  rels: str | None) -> tuple[list[tuple[int, str]], bytes | None]:
    """Where the chunks' ``<hyperlink>`` elements go in ``sheet`` (after ``data_end``), and ``rels`` with their
    relationships, as UTF-8."""
    links = [link for chunk in chunks for link in chunk.links]
    if not links:
        return [], None if rels is None else rels.encode()
    body, rels_out = _hyperlinks(links, rels)
    if "</hyperlinks>" in sheet:  # xlsxwriter's own links (a KPI value) are there already
        return [(sheet.index("</hyperlinks>"), body)], rels_out
    # Before the first element that must follow <hyperlinks>.
    at = min(i for i in (sheet.find(tag, data_end) for tag in _AFTER_HYPERLINKS) if i >= 0)
    return [(at, f"<hyperlinks>{body}</hyperlinks>")], rels_out


def _pieces(sheet: str, inserts: list[tuple[int, str]], start: int) -> list[str]:
    """``sheet`` from ``start`` with the inserts (positions ascending, none before ``start``), in pieces."""
    pieces, pos = [], start
    for at, text in inserts:
        pieces += [sheet[pos:at], text]
        pos = at
    pieces.append(sheet[pos:])
    return pieces


def _joined(pieces: list[str]) -> bytes:
    return b"".join([piece.encode() for piece in pieces])


@contextmanager
def quick_switches(interval: float = _SWITCH_INTERVAL) -> Iterator[None]:
    """The interpreter's thread switch interval at most ``interval`` seconds, as it was afterwards.

    A deflating thread needs the GIL between its calls into zlib (to go on to the next member); while this
    thread runs Python (xlsxwriter's close(), the splicing) it gets it only when the switch interval (5 ms by
    default) has passed, and idles meanwhile: deflating alongside that Python is then mostly waiting.
    """
    was = sys.getswitchinterval()
    sys.setswitchinterval(min(was, interval))
    try:
        yield
    finally:
        sys.setswitchinterval(was)


class Head(NamedTuple):
    """A worksheet part's start, deflated ahead (:func:`deflate_heads`)."""

    text: str  # xlsxwriter's XML up to and including </sheetData>, without the rows
    deflating: Future[tuple[Any, int, bytes]]  # (compressor, size, gzip stream so far)


def sheet_data_xml(ws: Worksheet) -> str:
    """xlsxwriter's XML of ``ws`` up to and including its sheet data, made by the methods close() calls first,
    in its order; the worksheet is left as it was: the pane selections, column info and cell table those methods
    touch are given as copies (the table is a defaultdict that writing the rows fills with an empty row for
    every row number it looks up, which would slow close() down)."""
    fh, selections, col_info, table = ws.fh, ws.selections, ws.col_info, ws.table
    ws.fh, ws.selections, ws.col_info = io.StringIO(), [list(s) for s in selections], dict(col_info)
    ws.table = defaultdict(dict, table)
    try:
        ws._xml_declaration()
        ws._write_worksheet()
        ws._write_sheet_pr()
        ws._write_dimension()
        ws._write_sheet_views()
        ws._write_sheet_format_pr()
        ws._write_cols()
        ws._write_sheet_data()
        return ws.fh.getvalue()
    finally:
        ws.fh, ws.selections, ws.col_info, ws.table = fh, selections, col_info, table


def deflate_heads(wb: Workbook, chunks: Mapping[int, list[Chunk]], pool: Executor,
                  level: int = LEVEL) -> dict[int, Head]:
    """Once every cell is written and before close(): each worksheet's XML up to its ``</sheetData>`` with the
    chunks' rows (id(worksheet) → chunks) spliced in, deflated on ``pool`` while close() writes the package's
    parts; :func:`write_package` deflates the rest of the part after it and uses the head only if xlsxwriter
    wrote just that start (else it deflates the whole part again).

    Every worksheet's start is made, in sheet order, whether it has chunks or not: making it gives formats
    their style index on first use, as close() would, so close() meets them in the same order.
    """
    heads: dict[int, Head] = {}
    if level == 0:  # stored blocks depend on how the input is split: none ahead (close() indexes the formats)
        return heads
    for ws in wb.worksheets():
        if ws.is_chartsheet:
            continue
        text = _closed_sheet_data(sheet_data_xml(ws))
        sheet_chunks = chunks.get(id(ws))
        if sheet_chunks:
            inserts = _row_inserts(text, text.index("</sheetData>"), sheet_chunks)
            heads[id(ws)] = Head(text, pool.submit(_deflate_head, _pieces(text, inserts, 0), level))
    return heads


def _deflate_head(pieces: list[str], level: int) -> tuple[Any, int, bytes]:
    # Deflate's output does not depend on how its input is split (no flush between pieces): the part deflated
    # as its start and then the rest is the same stream as deflated whole. One call into zlib, the CRC-32 made
    # there (gzip's wrapper): a thread waits for the GIL after each call while the main thread runs Python.
    data = b"".join([piece.encode() for piece in pieces])
    compressor = zlib.compressobj(level, zlib.DEFLATED, _GZIP)
    return compressor, len(data), compressor.compress(data)


def _deflate_rest(head: Future[tuple[Any, int, bytes]], rest: bytes) -> _Member:
    """The member of a head and the rest of its part."""
    compressor, size, start = head.result()
    return _gzip_member(start + compressor.compress(rest) + compressor.flush(), size + len(rest))


def _hyperlinks(links: list[tuple[str, str, str]], rels: str | None) -> tuple[str, bytes]:
    """The ``<hyperlink>`` elements, and ``rels`` with one relationship per link (or distinct target) added, as
    UTF-8."""
    rels = rels or (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                    f'<Relationships xmlns="{_RELS_NS}"></Relationships>')
    next_id = max((int(m) for m in _REL_ID.findall(rels)), default=0) + 1
    if not SHARE_RELATIONSHIPS:
        # One relationship per link, numbered in order: each joined from an iterator of pieces (the constant
        # ones repeated), no string made a link.
        refs, targets, locations = zip(*links, strict=True)
        ids = list(map(str, range(next_id, next_id + len(links))))
        elements = zip(repeat('<hyperlink ref="'), refs, repeat('" r:id="rId'), ids, repeat('"'), locations,
                       repeat("/>"), strict=False)
        relationships = zip(repeat('<Relationship Id="rId'), ids, repeat(f'" Type="{_HYPERLINK_TYPE}" Target="'),
                            targets, repeat('" TargetMode="External"/>'), strict=False)
        return "".join(chain.from_iterable(elements)), _added(rels, "".join(chain.from_iterable(relationships)))
    # One relationship per distinct target.
    rid_of: dict[str, str] = {}
    tags: list[str] = []
    rel_tags: list[str] = []
    for ref, target, location in links:
        rid = rid_of.get(target)
        if rid is None:
            rid = rid_of[target] = f"rId{next_id}"
            next_id += 1
            rel_tags.append(f'<Relationship Id="{rid}" Type="{_HYPERLINK_TYPE}" Target="{target}" '
                            f'TargetMode="External"/>')
        tags.append(f'<hyperlink ref="{ref}" r:id="{rid}"{location}/>')
    return "".join(tags), _added(rels, "".join(rel_tags))


def _added(rels: str, relationships: str) -> bytes:
    """``rels`` with ``relationships`` before its end, as UTF-8: encoded in three pieces, as the relationships
    (megabytes of text, non-ASCII paths among it) are never copied into another string."""
    at = rels.index("</Relationships>")
    return b"".join([rels[:at].encode(), relationships.encode(), rels[at:].encode()])


class _Worksheet(Worksheet):
    """xlsxwriter's Worksheet writing its sheet data over the rows it holds cells, formats or comments for, not
    every row of its dimension: the rendered rows (spliced in later) widen the dimension over some 30,000 rows
    that xlsxwriter would look up one by one, twice (spans, then rows), to write nothing for them. Formulas
    without a function are prepared without xlsxwriter's regexes."""

    # xlsxwriter's dimension (untyped there): both None until a cell is written, then both set.
    dim_rowmin: int | None
    dim_rowmax: int | None

    def _write_sheet_data(self) -> None:
        if self.dim_rowmin is None:
            super()._write_sheet_data()
            return
        held = [row for row, cells in self.table.items() if cells] + list(self.row_info) + list(self.comments)
        dims = self.dim_rowmin, cast(int, self.dim_rowmax)  # set with dim_rowmin
        # Rows outside the held ones write nothing, and spans are made per block of 16 rows from the cells in
        # it: the same XML from the held rows' range (empty when none is held).
        low, high = (max(dims[0], min(held)), min(dims[1], max(held))) if held else (dims[0], dims[0] - 1)
        self.dim_rowmin, self.dim_rowmax = low, high
        try:
            super()._write_sheet_data()
        finally:
            self.dim_rowmin, self.dim_rowmax = dims

    def _prepare_formula(self, formula: Any, expand_future_functions: bool = False) -> Any:
        # Each of the ~130 functions xlsxwriter's regexes prefix with _xlfn. is matched with its "(": a formula
        # without one (a conditional format's "红" or 0) only loses its braces and "=", as there.
        if not isinstance(formula, str) or "(" in formula:
            return super()._prepare_formula(formula, expand_future_functions)
        if formula.startswith("{"):
            formula = formula[1:]
        if formula.startswith("="):
            formula = formula[1:]
        return formula[:-1] if formula.endswith("}") else formula


class PartsWorkbook(Workbook):
    """xlsxwriter's Workbook (``in_memory``) that hands its package's parts over instead of zipping them: on
    close() :attr:`parts` holds (member name, XML text or bytes) in xlsxwriter's order, and the zip it writes is
    empty. :func:`write_package` zips the parts once, with the data rows spliced in (no deflate at xlsxwriter's
    level 6 to be inflated again)."""

    parts: list[Part]
    worksheet_class = _Worksheet

    def _get_packager(self) -> Packager:
        # xlsxwriter's documented hook for a packager of one's own.
        self.parts = []
        return _PartsPackager(self.parts)


class _PartsPackager(Packager):
    def __init__(self, parts: list[Part]) -> None:
        super().__init__()
        self._parts = parts

    def _write_shared_strings_file(self) -> None:
        # xlsxwriter makes ~6 calls a string (escapes, whitespace, tags): the same XML in one pass.
        table = self.workbook.str_table
        if table.count:
            self._filename("xl/sharedStrings.xml").write(
                shared_strings_xml(table.string_array, table.count, table.unique_count))

    def _create_package(self) -> list[Any]:
        if not self.in_memory:
            raise ValueError("PartsWorkbook needs the in_memory option")
        # In memory every part is a StringIO (XML) or a BytesIO (images and the like).
        self._parts.extend((name, data.getvalue()) for data, name, _ in super()._create_package())
        return []


def shared_strings_xml(strings: list[str], count: int, unique_count: int) -> str:
    """sharedStrings.xml as xlsxwriter's SharedStrings writes it: control characters (and literal ``_xHHHH_``)
    as Excel's ``_xHHHH_`` escapes, ``xml:space="preserve"`` for leading or trailing whitespace, text starting
    ``<r>`` and ending ``</r>`` as raw rich text, else ``&<>`` escaped."""
    # Whether any string needs either escape, looked for once over all of them (the "\n" between them can be
    # part of neither pattern): most summaries need none.
    joined = "\n".join(strings)
    control = _CONTROL.search(joined) is not None
    markup = "&" in joined or "<" in joined or ">" in joined
    out = [f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="{_MAIN_NS}" count="{count}" '
           f'uniqueCount="{unique_count}">']
    for text in strings:
        if control:
            text = XMLwriter._escape_control_characters(text)
        if text.startswith("<r>") and text.endswith("</r>"):
            out.append(f"<si>{text}</si>")
            continue
        # xlsxwriter's test is a regex \s at either end: the characters str.isspace() takes.
        space = ' xml:space="preserve"' if text[:1].isspace() or text[-1:].isspace() else ""
        if markup:
            text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        out.append(f"<si><t{space}>{text}</t></si>")
    out.append("</sst>")
    return "".join(out)


def write_package(parts: bytes | Sequence[Part], out: io.BufferedIOBase, chunks: Mapping[str, list[Chunk]],
                  level: int = LEVEL, *, heads: Mapping[str, Head] | None = None,
                  pool: Executor | None = None) -> None:
    """Write the package ``parts`` (:attr:`PartsWorkbook.parts`, or a zip's bytes) to ``out`` with ``chunks``
    (worksheet part name, e.g. ``xl/worksheets/sheet2.xml`` → its chunks) spliced in.

    The members are deflated on threads (zlib lets go of the GIL; ``pool``, else threads of its own) while the
    worksheets are spliced, and written in xlsxwriter's order as :mod:`zipfile` would write them, byte for
    byte. ``heads`` (part name → :func:`deflate_heads`' head, deflated at ``level``) are the worksheets' starts
    deflated already.
    """
    if pool is None:
        with ThreadPoolExecutor(max_workers=THREADS) as own:
            write_package(parts, out, chunks, level, heads=heads, pool=own)
        return
    if isinstance(parts, bytes):
        with zipfile.ZipFile(io.BytesIO(parts)) as src:
            parts = [(name, src.read(name)) for name in src.namelist()]
    by_name = dict(parts)
    heads = heads or {}
    spliced = {name for sheet in chunks for name in (sheet, _rels_name(sheet))}
    # Large members as they are go to the threads first; the worksheets with rows spliced in follow one by
    # one, and the small members are deflated here last, while the threads deflate the large ones.
    deflated: dict[str, Future[_Member] | _Member] = {
        name: pool.submit(_deflate, _bytes(data), level)
        for name, data in parts if name not in spliced and len(data) >= _SMALL}
    # The largest worksheets first: the last one spliced is deflated while nothing else is left to do.
    for name, sheet_chunks in sorted(chunks.items(), key=lambda item: -sum(len(c.xml) for c in item[1])):
        rels_name = _rels_name(name)
        rels = _text(by_name[rels_name]) if rels_name in by_name else None
        sheet, head = _closed_sheet_data(_text(by_name[name])), heads.get(name)
        if head is not None and sheet.startswith(head.text):
            # xlsxwriter wrote the start deflated ahead: the rest, with the hyperlinks, follows it.
            links, rels_out = _link_inserts(sheet, len(head.text) - len("</sheetData>"), sheet_chunks, rels)
            deflated[name] = pool.submit(_deflate_rest, head.deflating, _joined(_pieces(sheet, links, len(head.text))))
        else:
            sheet_out, rels_out = splice(sheet, rels, sheet_chunks)
            deflated[name] = pool.submit(_deflate, sheet_out, level)
        if rels_out is not None:
            deflated[rels_name] = pool.submit(_deflate, rels_out, level)
    for name, data in parts:
        if name not in deflated and name not in spliced:
            deflated[name] = _deflate(_bytes(data), level)
    # xlsxwriter's order, then the .rels parts of worksheets that had none (in sheet order).
    names = [name for name, _ in parts]
    names += [rels for rels in map(_rels_name, chunks) if rels in deflated and rels not in by_name]
    _write_zip(out, [(name, member if isinstance(member := deflated[name], _Member) else member.result())
                     for name in names])


def _encoded_name(name: str) -> tuple[bytes, int]:
    """A member name's bytes and flag bits, as zipfile stores them: ASCII, else UTF-8 with flag bit 11."""
    try:
        return name.encode("ascii"), 0
    except UnicodeEncodeError:
        return name.encode(), 0x800


def _bytes(data: str | bytes) -> bytes:
    # As xlsxwriter stores its XML: UTF-8.
    return data.encode() if isinstance(data, str) else data


def _deflate(data: bytes, level: int) -> _Member:
    """A member's CRC-32, size and raw deflate stream, as zipfile's writestr makes them: in one call into zlib,
    the CRC-32 made there (gzip's wrapper), but at level 0 (stored blocks, which depend on how the input is fed:
    as zipfile feeds it)."""
    if level == 0:
        compressor = zlib.compressobj(level, zlib.DEFLATED, -15)
        return _Member(zlib.crc32(data), len(data), compressor.compress(data) + compressor.flush())
    return _gzip_member(zlib.compress(data, level, wbits=_GZIP), len(data))


def _gzip_member(stream: bytes, size: int) -> _Member:
    # A gzip stream is a 10-byte header (zlib's, without name or comment), the raw deflate stream, then its
    # CRC-32 and size (little-endian).
    return _Member(int.from_bytes(stream[-8:-4], "little"), size, stream[10:-8])


def _write_zip(out: io.BufferedIOBase, members: list[tuple[str, _Member]]) -> None:
    """The zip of ``members`` (name, deflated) as zipfile.ZipFile(out, "w").writestr(ZipInfo(name, 1980-01-01),
    data, compresslevel=…) writes it to a seekable file: local headers (with CRC and sizes), data, central
    directory, end record."""
    if any(m.size * 1.05 > zipfile.ZIP64_LIMIT or len(m.data) > zipfile.ZIP64_LIMIT for _, m in members):
        raise zipfile.LargeZipFile("a summary member would need ZIP64 extensions")
    position = out.tell()
    directory: list[bytes] = []
    for name, member in members:
        info = zipfile.ZipInfo(name, _DATE_TIME)
        info.compress_type = zipfile.ZIP_DEFLATED
        info.CRC, info.file_size, info.compress_size = member.crc, member.size, len(member.data)
        info.external_attr = 0o600 << 16  # permissions: ?rw------- (zipfile's default)
        header = info.FileHeader(False)
        out.write(header)
        out.write(member.data)
        filename, flags = _encoded_name(name)
        # zipfile's record formats and signatures (module attributes its stubs leave out).
        directory.append(struct.pack(
            zipfile.structCentralDir, zipfile.stringCentralDir,  # type: ignore[attr-defined]
            info.create_version, info.create_system, info.extract_version, info.reserved, flags,
            info.compress_type, _DOS_TIME, _DOS_DATE, info.CRC, info.compress_size, info.file_size,
            len(filename), len(info.extra), len(info.comment), 0, info.internal_attr, info.external_attr,
            position) + filename + info.extra + info.comment)
        position += len(header) + len(member.data)
    central = b"".join(directory)
    out.write(central)
    out.write(struct.pack(zipfile.structEndArchive, zipfile.stringEndArchive,  # type: ignore[attr-defined]
                          0, 0, len(members), len(members), len(central), position, 0))


def _text(data: str | bytes) -> str:
    return data if isinstance(data, str) else data.decode()


def _rels_name(part: str) -> str:
    folder, _, file = part.rpartition("/")
    return f"{folder}/_rels/{file}.rels"
