"""The probe of ZIP containers: OOXML (xlsx/xlsm/xltx/xltm/xlsb), ODS, Numbers.

A zip is opened defensively (names normalised for case and backslashes, entry count, total and
per-part ratio checked before anything is inflated); every XML part's prolog is checked for a DTD
(:mod:`.probe_xml`); the package's ``.rels``, ``[Content_Types].xml`` and workbook part are parsed
with expat; and every sheet's cells must span a bounded area (:mod:`.probe_cells`).
"""

from __future__ import annotations

import io
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from xml.parsers import expat

import defusedxml.ElementTree as DET

from .memo import memo_small
from .probe_cells import Box, sheet_area, xlsb_area
from .probe_common import (
    Limits,
    MiB,
    Verdict,
    check_area,
    corrupt,
    encrypted,
    not_sheet,
    one_line,
    unsupported,
)
from .probe_xml import DOCTYPE, XmlUnsafe, children, prolog_verdict, utf8_view
from .workbook_xml import WorkbookXml, parse_workbook
from .zip_parts import INPUT, ZipParts, inflate, inflate_whole, raw_part, read_directory

__all__ = ["IN_MEMORY", "XLSX_FAMILY", "numbers", "probe_zip"]

_MAIN_TYPES = {
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": "xlsx",
    "application/vnd.ms-excel.sheet.macroenabled.main+xml": "xlsm",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml": "xltx",
    "application/vnd.ms-excel.template.macroenabled.main+xml": "xltm",
    "application/vnd.ms-excel.sheet.binary.macroenabled.main": "xlsb",
}
_OTHER_OFFICE = (("wordprocessingml", "Word 文档", "a Word document"),
                 ("presentationml", "PowerPoint 演示文稿", "a PowerPoint presentation"))
XLSX_FAMILY = ("xlsx", "xlsm", "xltx", "xltm", "xlsb", "et")

#: Files up to this size are read into memory once and their parts inflated with zlib directly.
IN_MEMORY = 16 * MiB
#: Parts up to this size (inflated) are kept for the reader when the caller asks for them, up to
#: KEEP_TOTAL in all (the reader inflates any other part it needs itself).
KEEP_PART = 8 * MiB
KEEP_TOTAL = 32 * MiB
_HEAD = 4096


def numbers() -> Verdict:
    return unsupported("numbers", "Numbers 文件不支持，请导出为 xlsx", "Numbers files are not supported; export to xlsx")


class _Zip:
    """A zip opened defensively: names normalised (case, backslashes), sizes checked first."""

    def __init__(self, path: Path, guess: str, limits: Limits, data: bytes | None = None, keep: bool = False) -> None:
        self.path, self.guess, self.limits, self.keep = path, guess, limits, keep
        self.kept = 0  # bytes of parts kept for the reader
        self.data: bytes | None = None
        self.checked: set[str] = set()  # parts whose prolog was checked for DOCTYPE
        self.inflated: dict[str, bytes] = {}  # exact member name → bytes, for the reader
        self.workbooks: dict[str, WorkbookXml] = {}  # exact member name → what the reader needs
        self._zf: zipfile.ZipFile | None = None
        try:
            if data is not None:
                self.data = data
            elif path.stat().st_size <= IN_MEMORY:
                self.data = path.read_bytes()
            # A plain zip's directory is read directly; zipfile reads (and judges) any other.
            listed = read_directory(self.data) if self.data is not None else None
            infos = listed if listed is not None else self.zf.infolist()
        except Exception as e:  # BadZipFile, EOFError, OSError, ValueError… all mean a broken zip
            raise corrupt(guess, f"zip 包不完整或已损坏（{one_line(e)}）",
                          f"incomplete or damaged zip ({one_line(e)})") from None
        if len(infos) > limits.max_entries:
            raise Verdict(guess, "zip-bomb", f"压缩包条目过多（{len(infos)} 个），疑似压缩炸弹",
                          f"too many zip entries ({len(infos)}): looks like a zip bomb")
        total = sum(i.file_size for i in infos)
        if total > limits.max_unzipped_bytes:
            raise Verdict(guess, "file-too-large", f"解压后太大（{total / MiB:.0f} MiB）",
                          f"too large when unzipped ({total / MiB:.0f} MiB)")
        for i in infos:
            if i.file_size > limits.ratio_min_part and i.file_size > limits.max_ratio * max(i.compress_size, 1):
                raise Verdict(guess, "zip-bomb",
                              f"压缩比异常（{i.filename} 压缩 {i.file_size // max(i.compress_size, 1)} 倍），疑似压缩炸弹",
                              f"abnormal compression ratio ({i.filename}: "
                              f"{i.file_size // max(i.compress_size, 1)}x): looks like a zip bomb")
        self.infos = infos
        self.plain = listed is not None  # a plain zip in memory: the reader may rebuild it (stored_copy)
        self.names = {i.filename.replace("\\", "/").lstrip("/").lower(): i for i in infos if not i.is_dir()}

    @property
    def zf(self) -> zipfile.ZipFile:
        """zipfile's view, opened when needed: a large file, or a zip read_directory leaves to it."""
        if self._zf is None:
            self._zf = zipfile.ZipFile(io.BytesIO(self.data) if self.data is not None else self.path)
        return self._zf

    def close(self) -> None:
        if self._zf is not None:
            self._zf.close()

    def handover(self) -> ZipParts:
        """What the reader may reuse: members by exact name, the parts inflated, the bytes."""
        members = {i.filename: i for i in self.infos}
        parts = ZipParts(self.path, self.data, members, self.inflated)
        parts.workbooks = self.workbooks
        if self.plain:
            parts.plain = self.infos
        return parts

    def has(self, name: str) -> bool:
        return name.lower() in self.names

    def _unzip_error(self, info: zipfile.ZipInfo, e: Exception) -> Verdict:
        return corrupt(self.guess, f"{info.filename} 无法解压（{one_line(e)}）",
                       f"cannot unzip {info.filename} ({one_line(e)})")

    def chunks(self, name: str, size: int = MiB) -> Iterator[bytes]:
        """A part's bytes in chunks; size and CRC are verified when the last chunk is read."""
        info = self.names[name.lower()]
        try:
            raw = raw_part(self.data, info)
            if raw is not None:
                yield from inflate(info, raw, size)
                return
            with self.zf.open(info) as fh:
                while chunk := fh.read(size):
                    yield chunk
        except Verdict:
            raise
        except Exception as e:
            raise self._unzip_error(info, e) from None

    def read(self, name: str) -> bytes:
        """A whole part (CRC checked), its prolog checked; kept for the reader when small."""
        info = self.names[name.lower()]
        try:
            raw = raw_part(self.data, info)
            data = inflate_whole(info, raw) if raw is not None else None
        except Exception as e:
            raise self._unzip_error(info, e) from None
        if data is None:  # not in memory, or not plain deflate: through zipfile
            data = b"".join(self.chunks(name))
        self.check_xml(name, data, complete=True)
        self.keep_part(info, data)
        return data

    def head(self, name: str) -> None:
        """Check the prolog of a part not checked yet for DOCTYPE/ENTITY declarations, inflating
        its first 4 KB — the whole part when its prolog runs on beyond them."""
        if name.lower() in self.checked:
            return
        info = self.names[name.lower()]
        try:
            raw = raw_part(self.data, info)
            if raw is not None and info.compress_type == zipfile.ZIP_DEFLATED:
                head = zlib.decompressobj(-15).decompress(raw[:INPUT], _HEAD)
            elif raw is not None:
                head = bytes(raw[:_HEAD])
            else:
                with self.zf.open(info) as fh:
                    head = fh.read(_HEAD)
        except Exception as e:
            raise self._unzip_error(info, e) from None
        complete = info.file_size <= len(head)
        if not self.check_xml(name, head, complete=complete):
            self.read(name)
        elif complete and len(head) == info.file_size and zlib.crc32(head) == info.CRC:
            # A small part is whole in its head: kept for the reader (sheet rels, tables, properties).
            self.keep_part(info, head)

    def keep_part(self, info: zipfile.ZipInfo, data: bytes) -> None:
        """Keep an inflated, CRC-checked part for the reader (once), within KEEP_PART and KEEP_TOTAL."""
        if (self.keep and info.filename not in self.inflated and len(data) <= KEEP_PART
                and self.kept + len(data) <= KEEP_TOTAL):
            self.inflated[info.filename] = data
            self.kept += len(data)

    def check_xml(self, name: str, text: bytes, *, complete: bool) -> bool:
        """Refuse a DTD in the prolog of ``text`` (a part's start, or all of it when ``complete``);
        False when ``text`` ends inside the prolog, so more of the part must be read."""
        lower = name.lower()
        # The older check first, kept so that nothing refused before passes: a DOCTYPE/ENTITY in the
        # first 4 KB, wherever it stands (most parts have no '<!' at all: a byte search first).
        if text[:2] in (b"\xff\xfe", b"\xfe\xff", b"<\x00", b"\x00<"):
            head = utf8_view(text[:_HEAD])
            unsafe = b"<!" in head and DOCTYPE.search(head) is not None
        else:
            # A one-byte search (memchr) rules out most parts first: without a '!' there is no '<!'.
            unsafe = (text.find(b"!", 0, _HEAD) != -1 and text.find(b"<!", 0, _HEAD) != -1
                      and DOCTYPE.search(text, 0, _HEAD) is not None)
        # Then the whole prolog of an XML part (not of xlsb's binary records or the ODS mimetype).
        binary = lower.endswith(".bin") or lower == "mimetype"
        verdict = True if unsafe else False if binary else prolog_verdict(text, complete)
        if verdict is None:
            return False
        self.checked.add(lower)
        if verdict:
            raise Verdict(self.guess, "xml-unsafe", f"{name} 含有 DOCTYPE/ENTITY 声明（XML 实体攻击），拒绝读取",
                          f"{name} contains DOCTYPE/ENTITY declarations (XML entity attack); refused")
        return True

    def _not_xml(self, name: str, e: Exception) -> Verdict:
        return corrupt(self.guess, f"{name} 不是有效的 XML（{one_line(e, 80)}）",
                       f"{name} is not valid XML ({one_line(e, 80)})")

    def children(self, name: str) -> tuple[dict[str, str], ...]:
        """The attributes of the root's child elements of an XML part (well-formed, no DTD)."""
        data = self.read(name)
        try:
            return children(data)
        except (expat.ExpatError, XmlUnsafe, ValueError) as e:
            raise self._not_xml(name, e) from None

    def workbook(self, name: str) -> None:
        """The workbook part must be well-formed; its sheets and names are kept for the reader."""
        data = self.read(name)
        try:
            self.workbooks[self.names[name.lower()].filename] = parse_workbook(data)
        except (expat.ExpatError, XmlUnsafe, ValueError) as e:
            raise self._not_xml(name, e) from None


def probe_zip(path: Path, guess: str, limits: Limits, keep: bool = False,
              data: bytes | None = None) -> tuple[str, ZipParts | None]:
    """The kind of a zip container (or a Verdict); with ``keep``, what the reader may reuse.
    ``data``: the file's bytes when the caller has read them already."""
    z = _Zip(path, guess, limits, data, keep)
    try:
        if z.has("[Content_Types].xml") or z.has("_rels/.rels"):
            kind = _probe_ooxml(z)
            return kind, z.handover() if keep else None
        if z.has("mimetype") or z.has("content.xml"):
            return _probe_ods(z), None
        if any(n.startswith("index/") and n.endswith(".iwa") for n in z.names) or any(
            n.endswith(("index.zip", "index.xml.gz")) for n in z.names
        ):
            raise numbers()
        if guess in XLSX_FAMILY or guess == "ods":
            raise corrupt(guess, "压缩包中没有工作簿内容", "the zip holds no workbook")
        raise not_sheet("unknown", "普通 zip 压缩包", "a plain zip archive")
    finally:
        z.close()


def _rel_targets(z: _Zip, rels_name: str, base: str) -> tuple[tuple[str, str], ...]:
    """(type suffix, normalised target) of each relationship in a .rels part."""
    data = z.read(rels_name)
    try:
        return _targets(data, base)
    except (expat.ExpatError, XmlUnsafe, ValueError) as e:
        raise z._not_xml(rels_name, e) from None


@memo_small()
def _targets(data: bytes, base: str) -> tuple[tuple[str, str], ...]:
    """:func:`_rel_targets` of a .rels part's bytes (well-formed, no DTD), memoised by content as
    :func:`.probe_xml.children` is: workbooks of one template share their .rels parts."""
    out = []
    for rel in children(data):
        rtype = rel.get("Type", "").rsplit("/", 1)[-1]
        target = rel.get("Target", "").replace("\\", "/")
        if rel.get("TargetMode") == "External" or not target:
            continue
        out.append((rtype, _join(base, target)))
    return tuple(out)


@memo_small()
def _content_types(data: bytes, main: str) -> tuple[str, ...]:
    """The content types (lower case) that ``[Content_Types].xml`` declares for the part ``main``
    (lower case), in order; memoised by content (workbooks of one template share the part)."""
    return tuple(el.get("ContentType", "").lower() for el in children(data)
                 if el.get("PartName", "").lstrip("/").lower() == main)


def _join(base: str, target: str) -> str:
    parts = [] if target.startswith("/") else [p for p in base.split("/") if p]
    for p in target.split("/"):
        if p == "..":
            if parts:
                parts.pop()
        elif p and p != ".":
            parts.append(p)
    return "/".join(parts)


def _probe_ooxml(z: _Zip) -> str:
    kind = z.guess if z.guess in XLSX_FAMILY[:-1] else "xlsx"
    main = ""
    if z.has("_rels/.rels"):
        main = next((t for rt, t in _rel_targets(z, "_rels/.rels", "") if rt == "officeDocument"), "")
    else:
        raise corrupt(kind, "缺少 _rels/.rels", "_rels/.rels is missing")
    if z.has("[Content_Types].xml"):
        data = z.read("[Content_Types].xml")
        try:
            ctypes = _content_types(data, main.lower())
        except (expat.ExpatError, XmlUnsafe, ValueError) as e:
            raise z._not_xml("[Content_Types].xml", e) from None
        for ctype in ctypes:
            kind = _MAIN_TYPES.get(ctype, kind)
            for word, zh, en in _OTHER_OFFICE:
                if word in ctype:
                    raise not_sheet("unknown", zh, en)
    if not main or not z.has(main):
        raise corrupt(kind, "缺少工作簿部件（workbook）", "the workbook part is missing")
    folder = main.rsplit("/", 1)[0] if "/" in main else ""
    rels = f"{folder}/_rels/{main.rsplit('/', 1)[-1]}.rels".lstrip("/")
    if not z.has(rels):
        raise corrupt(kind, f"缺少 {rels}", f"{rels} is missing")
    if main.lower().endswith(".bin"):
        z.read(main)  # CRC check
    else:
        z.workbook(main)
    targets = _rel_targets(z, rels, folder)
    for rtype, target in targets:
        if rtype in ("sharedStrings", "styles") and z.has(target):
            # Inflated whole for the CRC check; the prolog checked on the first chunk (or all of it).
            info = z.names[target.lower()]
            whole = z.keep and info.file_size <= KEEP_PART  # then kept for the reader, as read() does
            pieces: list[bytes] = []
            for n, chunk in enumerate(z.chunks(target)):
                if n == 0 and not z.check_xml(target, chunk, complete=len(chunk) >= info.file_size):
                    z.head(target)
                if whole:
                    pieces.append(chunk)
            # The loop ran to the end: size and CRC are checked.
            if whole:
                z.keep_part(info, b"".join(pieces))
    sheets = [t for rt, t in targets if rt in ("worksheet", "dialogsheet", "macrosheet")]
    if not sheets:
        raise corrupt(kind, "工作簿中没有工作表", "the workbook has no worksheets")
    for target in sheets:
        if not z.has(target):
            raise corrupt(kind, f"缺少工作表 {target}", f"worksheet {target} is missing")
        data = z.read(target)
        area = xlsb_area(data) if target.lower().endswith(".bin") else sheet_area(data, z.limits.max_cells)
        check_area(kind, target, area, z.limits)
    # Any other XML part with a DOCTYPE is just as suspicious (e.g. XXE in a table or custom XML).
    for name, info in z.names.items():
        if name.endswith((".xml", ".rels")) and info.file_size:
            z.head(name)
    return kind


# ------------------------------------------------------------------ ODS

_ODS_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_ODS_OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"


def _probe_ods(z: _Zip) -> str:
    if z.has("mimetype"):
        mime = z.read("mimetype")[:100].strip()
        if mime != b"application/vnd.oasis.opendocument.spreadsheet":
            what = mime.decode("ascii", "replace").rsplit(".", 1)[-1] or "?"
            raise not_sheet("unknown", f"OpenDocument {what} 文档", f"an OpenDocument {what} document")
    if z.has("META-INF/manifest.xml"):
        manifest = z.read("META-INF/manifest.xml")
        if b"encryption-data" in manifest:
            raise encrypted("ods")
    if not z.has("content.xml"):
        raise corrupt("ods", "缺少 content.xml", "content.xml is missing")
    z.head("content.xml")
    for table, area in _ods_areas(z):
        check_area("ods", table, area, z.limits)
    return "ods"


class _ChunkReader:
    """A file-like view of a zip part for iterparse."""

    def __init__(self, it: Iterator[bytes]) -> None:
        self.it, self.buf = it, b""

    def read(self, n: int = -1) -> bytes:
        while n < 0 or len(self.buf) < n:
            nxt = next(self.it, None)
            if nxt is None:
                break
            self.buf += nxt
        out, self.buf = (self.buf, b"") if n < 0 else (self.buf[:n], self.buf[n:])
        return out


def _ods_areas(z: _Zip) -> Iterator[tuple[str, tuple[int, int]]]:
    """Per table: rows × columns spanned by non-empty cells, counting ``number-*-repeated``."""
    rep_r, rep_c = _ODS_TABLE + "number-rows-repeated", _ODS_TABLE + "number-columns-repeated"
    box, name, row, col, row_rep = Box(), "", 0, 0, 1
    stack: list[DET.Element] = []  # open elements, so that a finished row can be dropped from its parent
    try:
        for event, el in DET.iterparse(_ChunkReader(z.chunks("content.xml")), events=("start", "end"),
                                       forbid_dtd=True):
            tag = el.tag
            if event == "start":
                stack.append(el)
                if tag == _ODS_TABLE + "table":
                    box, name, row = Box(), el.get(_ODS_TABLE + "name", "?"), 0
                elif tag == _ODS_TABLE + "table-row":
                    row_rep, col = int(el.get(rep_r, "1") or 1), 0
                continue
            stack.pop()
            if tag in (_ODS_TABLE + "table-cell", _ODS_TABLE + "covered-table-cell"):
                n = int(el.get(rep_c, "1") or 1)
                if el.get(_ODS_OFFICE + "value-type") or len(el):
                    box.add(row + 1, col + 1, row + row_rep, col + n)
                col += n
                el.clear()
            elif tag == _ODS_TABLE + "table-row":
                row += row_rep
                if stack:
                    stack[-1].remove(el)
            elif tag == _ODS_TABLE + "table":
                yield name, box.area
                el.clear()
    except Verdict:
        raise
    except Exception as e:
        raise corrupt("ods", f"content.xml 无法解析（{one_line(e, 80)}）",
                      f"content.xml cannot be parsed ({one_line(e, 80)})") from None
