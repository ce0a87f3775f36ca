"""Look at a file before any parser does: what it really is, and whether it is safe to parse.

:func:`probe` never raises for a bad file. It decides by content (magic bytes), never by the
extension, and returns a :class:`ProbeResult` with ``status`` ``ok`` / ``unreadable`` / ``skipped``,
a finding code and a one-line reason in zh and en. Codes::

    file-empty         0 bytes                                          unreadable
    file-unreadable    missing, a folder, no permission                 unreadable
    not-a-spreadsheet  HTML, PDF, image, text, Word… (whatever the name) unreadable
    file-corrupt       truncated/damaged zip or OLE, bad CRC, no workbook part, sector loops
    file-encrypted     password protected (OOXML in OLE, xls FILEPASS, encrypted ODS)
    file-too-large     over the size limit, or a sheet whose cells span too many cells
    zip-bomb           too many zip entries, or a part compressed more than 200×
    xml-unsafe         DOCTYPE / ENTITY declarations in a workbook part (XXE, billion laughs)
    file-unsupported   Numbers, flat ODS, Excel 2.x–4.0, SpreadsheetML 2003, CSV  skipped

Why the "cells span" check: python-calamine (0.9.1) ignores ``<dimension ref>`` — a file declaring
``A1:XFD1048576`` with one cell reads in 1 ms — but it allocates a dense grid over the bounding box
of the cells actually present, ~40 bytes per cell (measured: 1 M cells → +39 MiB RSS, 10 M → +390
MiB, 50 M → 1.9 GiB). A 1.5 KB xlsx with cells at A1 and XFD1048576 asks for 512 GiB and *aborts*
the process (a Rust allocation failure is not an exception); and ``to_python(skip_empty_area=False)``
pads the grid up to A1 in Python lists as well. So we scan each sheet's cell references
(xlsx/xlsm/xlsb, xls BIFF records, ODS repeats) and refuse a sheet whose extent from A1 to its
last value exceeds ``Limits.max_cells``. Likewise a CFB (xls) whose sector chain loops makes calamine grow a
vector forever (corpus: ``Test_git_issue_382_oom.xls``); we walk every chain with loop detection.
"""

from __future__ import annotations

import io
import mmap
import re
import struct
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import defusedxml.ElementTree as DET

from ..errors import FileProblem

__all__ = ["DEFAULT_LIMITS", "KINDS", "Limits", "ProbeResult", "probe"]

KINDS = ("xlsx", "xlsm", "xltx", "xltm", "xlsb", "xls", "ods", "fods", "et", "numbers", "csv", "unknown")
MiB = 1 << 20


@dataclass(frozen=True)
class Limits:
    """Bounds that keep reading one file within time and memory (all configurable)."""

    max_file_bytes: int = 100 * MiB
    max_unzipped_bytes: int = 256 * MiB  # sum of declared uncompressed sizes
    max_ratio: float = 200.0  # compression ratio, checked on parts larger than ratio_min_part
    ratio_min_part: int = 1 * MiB
    max_entries: int = 10_000
    max_cells: int = 5_000_000  # bounding box of one sheet (~200 MiB in calamine)


DEFAULT_LIMITS = Limits()


@dataclass(frozen=True)
class ProbeResult:
    path: Path
    kind: str
    status: str  # ok | unreadable | skipped
    code: str = ""
    reason_zh: str = ""
    reason_en: str = ""

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    def reason(self, lang: str = "zh") -> str:
        return self.reason_en if lang == "en" else self.reason_zh

    def problem(self) -> FileProblem:
        """The same verdict as an exception, for callers that raise."""
        return FileProblem(self.code, self.reason_zh, self.reason_en, self.status)


class _Verdict(FileProblem):
    """A probe decision carrying the kind found so far."""

    def __init__(self, kind: str, code: str, zh: str, en: str, status: str = "unreadable") -> None:
        super().__init__(code, zh, en, status)
        self.kind = kind


def _one_line(text: object, limit: int = 120) -> str:
    s = " ".join(str(text).split())
    return s if len(s) <= limit else s[: limit - 1] + "…"


def probe(path: Path, *, limits: Limits = DEFAULT_LIMITS) -> ProbeResult:
    """What ``path`` is and whether it may be parsed. Never raises (except KeyboardInterrupt…)."""
    path = Path(path)
    kind = _kind_from_name(path)
    try:
        kind = _probe(path, limits)
    except _Verdict as v:
        return ProbeResult(path, v.kind, v.status, v.code, v.reason_zh, v.reason_en)
    except (KeyboardInterrupt, SystemExit):
        raise
    except MemoryError:
        return ProbeResult(path, kind, "unreadable", "file-too-large",
                           "文件太大，检查时内存不足", "file too large: out of memory while checking it")
    except BaseException as e:  # a bug here must still give one line, never a traceback
        msg = _one_line(f"{type(e).__name__}: {e}")
        return ProbeResult(path, kind, "unreadable", "file-corrupt", f"文件已损坏（{msg}）", f"file is corrupt ({msg})")
    return ProbeResult(path, kind, "ok")


def _kind_from_name(path: Path) -> str:
    ext = path.suffix.lower().lstrip(".")
    return ext if ext in KINDS else "unknown"


def _probe(path: Path, limits: Limits) -> str:
    guess = _kind_from_name(path)
    try:
        st = path.stat()
    except OSError as e:
        raise _Verdict(guess, "file-unreadable", f"无法访问文件（{_one_line(e.strerror or e)}）",
                       f"cannot access the file ({_one_line(e.strerror or e)})") from None
    if path.is_dir():
        if guess == "numbers":  # a macOS Numbers document can be a folder (a package)
            raise _numbers()
        raise _Verdict(guess, "file-unreadable", "这是文件夹，不是文件", "this is a folder, not a file")
    if st.st_size == 0:
        raise _Verdict(guess, "file-empty", "文件是空的（0 字节）", "file is empty (0 bytes)")
    if st.st_size > limits.max_file_bytes:
        raise _Verdict(guess, "file-too-large",
                       f"文件太大（{st.st_size / MiB:.0f} MiB，上限 {limits.max_file_bytes / MiB:.0f} MiB）",
                       f"file too large ({st.st_size / MiB:.0f} MiB, limit {limits.max_file_bytes / MiB:.0f} MiB)")
    try:
        with open(path, "rb") as fh:
            head = fh.read(4096)
    except OSError as e:
        raise _Verdict(guess, "file-unreadable", f"无法打开文件（{_one_line(e.strerror or e)}）",
                       f"cannot open the file ({_one_line(e.strerror or e)})") from None

    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return _probe_zip(path, guess, limits)
    if head.startswith(_CFB_MAGIC):
        return _probe_cfb(path, guess, limits)
    return _probe_other(head, guess)


# --------------------------------------------------------------------------------------------
# Not zip, not OLE: old BIFF, flat XML formats, or something that is not a spreadsheet at all.

_SIGNATURES: tuple[tuple[bytes, str, str], ...] = (
    (b"%PDF", "PDF 文档", "a PDF document"),
    (b"\x89PNG", "PNG 图片", "a PNG image"),
    (b"\xff\xd8\xff", "JPEG 图片", "a JPEG image"),
    (b"GIF8", "GIF 图片", "a GIF image"),
    (b"BM", "BMP 图片", "a BMP image"),
    (b"Rar!", "RAR 压缩包", "a RAR archive"),
    (b"7z\xbc\xaf", "7z 压缩包", "a 7z archive"),
    (b"\x1f\x8b", "gzip 压缩包", "a gzip archive"),
    (b"{\\rtf", "RTF 文档", "an RTF document"),
)


def _not_sheet(kind: str, zh: str, en: str) -> _Verdict:
    return _Verdict(kind, "not-a-spreadsheet", f"不是电子表格：这是{zh}", f"not a spreadsheet: this is {en}")


def _unsupported(kind: str, zh: str, en: str) -> _Verdict:
    return _Verdict(kind, "file-unsupported", zh, en, status="skipped")


def _numbers() -> _Verdict:
    return _unsupported("numbers", "Numbers 文件不支持，请导出为 xlsx", "Numbers files are not supported; export to xlsx")


def _probe_other(head: bytes, guess: str) -> str:
    # A bare BIFF stream starts with a BOF record: 0x0009 (BIFF2), 0x0209, 0x0409, 0x0809.
    if len(head) >= 4 and head[1] in (0x00, 0x02, 0x04, 0x08) and head[0] == 0x09 and head[3] == 0x00:
        raise _unsupported("xls", "Excel 2.x–4.0 旧格式（或无 OLE 封装的 xls），请用 Excel 另存为 xlsx",
                           "legacy Excel 2.x–4.0 file (or xls without OLE container); save it as xlsx in Excel")
    for magic, zh, en in _SIGNATURES:
        if head.startswith(magic):
            raise _not_sheet("unknown", zh, en)
    text = _as_text(head)
    if text is None:
        raise _not_sheet("unknown", "未知的二进制文件", "an unknown binary file")
    low = text.lstrip("\ufeff \t\r\n").lower()
    if "opendocument.spreadsheet" in low or ("<office:document" in low and "office:" in low):
        raise _unsupported("fods", "平面 ODS（.fods）不支持，请另存为 xlsx 或 ods",
                           "flat ODS (.fods) is not supported; save as xlsx or ods")
    if "urn:schemas-microsoft-com:office:spreadsheet" in low:
        raise _unsupported("unknown", "Excel 2003 XML 表格不支持，请另存为 xlsx",
                           "Excel 2003 XML spreadsheet is not supported; save as xlsx")
    if low.startswith(("<!doctype html", "<html", "<table", "<meta", "<head")) or "<html" in low[:1024]:
        raise _not_sheet("unknown", "网页（HTML），常见于系统导出的“伪 xls”；请用 Excel 打开后另存为 xlsx",
                         "a web page (HTML), often a system export named .xls; open it in Excel and save as xlsx")
    if guess == "csv" or (guess in ("unknown",) and ("," in low or "\t" in low)):
        raise _unsupported("csv", "CSV 文本不是工作簿，请另存为 xlsx", "CSV text is not a workbook; save it as xlsx")
    raise _not_sheet("unknown", "文本文件", "a text file")


def _as_text(head: bytes) -> str | None:
    """``head`` decoded as text, or None when it looks binary."""
    for bom, enc in ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
        if head.startswith(bom):
            return head[len(bom):].decode(enc, errors="replace")
    if b"\x00" in head:
        return None
    for enc in ("utf-8", "gb18030"):
        try:
            return head.decode(enc)
        except UnicodeDecodeError as e:
            if e.start > len(head) - 4:  # a multi-byte character cut at the end of the head
                return head[: e.start].decode(enc)
    return None


# --------------------------------------------------------------------------------------------
# ZIP containers: OOXML (xlsx/xlsm/xltx/xltm/xlsb), ODS, Numbers.

_MAIN_TYPES = {
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": "xlsx",
    "application/vnd.ms-excel.sheet.macroenabled.main+xml": "xlsm",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml": "xltx",
    "application/vnd.ms-excel.template.macroenabled.main+xml": "xltm",
    "application/vnd.ms-excel.sheet.binary.macroenabled.main": "xlsb",
}
_OTHER_OFFICE = (("wordprocessingml", "Word 文档", "a Word document"),
                 ("presentationml", "PowerPoint 演示文稿", "a PowerPoint presentation"))
_XLSX_FAMILY = ("xlsx", "xlsm", "xltx", "xltm", "xlsb", "et")
_DOCTYPE = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)


def _corrupt(kind: str, zh: str, en: str) -> _Verdict:
    return _Verdict(kind, "file-corrupt", f"文件已损坏：{zh}", f"file is corrupt: {en}")


#: Files up to this size are read into memory once and their parts inflated with zlib directly:
#: opening a zipfile member costs more than inflating a small workbook's part.
IN_MEMORY = 16 * MiB
_INPUT = 64 << 10  # compressed bytes fed to zlib at a time


class _Zip:
    """A zip opened defensively: names normalised (case, backslashes), sizes checked first."""

    def __init__(self, path: Path, guess: str, limits: Limits) -> None:
        self.guess, self.limits = guess, limits
        self.data: bytes | None = None
        self.checked: set[str] = set()  # parts whose head was checked for DOCTYPE
        try:
            if path.stat().st_size <= IN_MEMORY:
                self.data = path.read_bytes()
                self.zf = zipfile.ZipFile(io.BytesIO(self.data))
            else:
                self.zf = zipfile.ZipFile(path)
            infos = self.zf.infolist()
        except Exception as e:  # BadZipFile, EOFError, OSError, ValueError… all mean a broken zip
            raise _corrupt(guess, f"zip 包不完整或已损坏（{_one_line(e)}）",
                           f"incomplete or damaged zip ({_one_line(e)})") from None
        if len(infos) > limits.max_entries:
            raise _Verdict(guess, "zip-bomb", f"压缩包条目过多（{len(infos)} 个），疑似压缩炸弹",
                           f"too many zip entries ({len(infos)}): looks like a zip bomb")
        total = sum(i.file_size for i in infos)
        if total > limits.max_unzipped_bytes:
            raise _Verdict(guess, "file-too-large", f"解压后太大（{total / MiB:.0f} MiB）",
                           f"too large when unzipped ({total / MiB:.0f} MiB)")
        for i in infos:
            if i.file_size > limits.ratio_min_part and i.file_size > limits.max_ratio * max(i.compress_size, 1):
                raise _Verdict(guess, "zip-bomb",
                               f"压缩比异常（{i.filename} 压缩 {i.file_size // max(i.compress_size, 1)} 倍），疑似压缩炸弹",
                               f"abnormal compression ratio ({i.filename}: "
                               f"{i.file_size // max(i.compress_size, 1)}x): looks like a zip bomb")
        self.names = {i.filename.replace("\\", "/").lstrip("/").lower(): i for i in infos if not i.is_dir()}

    def close(self) -> None:
        self.zf.close()

    def has(self, name: str) -> bool:
        return name.lower() in self.names

    def chunks(self, name: str, size: int = MiB) -> Iterator[bytes]:
        """A part's bytes in chunks; size and CRC are verified when the last chunk is read."""
        info = self.names[name.lower()]
        try:
            raw = self._raw(info)
            if raw is not None:
                yield from self._inflate(info, raw, size)
                return
            with self.zf.open(info) as fh:
                while chunk := fh.read(size):
                    yield chunk
        except _Verdict:
            raise
        except Exception as e:
            raise _corrupt(self.guess, f"{info.filename} 无法解压（{_one_line(e)}）",
                           f"cannot unzip {info.filename} ({_one_line(e)})") from None

    def _raw(self, info: zipfile.ZipInfo) -> memoryview | None:
        """The stored bytes of a part in memory; None when zipfile must read it (a large file,
        an encrypted part, a compression other than deflate)."""
        data = self.data
        if data is None or info.flag_bits & 1 or info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            return None
        offset = info.header_offset
        if data[offset:offset + 4] != b"PK\x03\x04":
            raise zipfile.BadZipFile("bad local file header")
        name_len, extra_len = struct.unpack_from("<HH", data, offset + 26)
        start = offset + 30 + name_len + extra_len
        if start + info.compress_size > len(data):
            raise zipfile.BadZipFile("part runs past the end of the file")
        return memoryview(data)[start:start + info.compress_size]

    @staticmethod
    def _inflate(info: zipfile.ZipInfo, raw: memoryview, size: int) -> Iterator[bytes]:
        """Inflate in chunks of at most ``size`` bytes, never more than the declared size (a lying
        header cannot make us inflate a bomb), then check size and CRC as zipfile does."""
        crc = total = 0
        if info.compress_type == zipfile.ZIP_STORED:
            pieces: Iterator[bytes] = (bytes(raw[i:i + size]) for i in range(0, len(raw), size))
        else:
            pieces = _inflated(raw, size)
        for out in pieces:
            total += len(out)
            if total > info.file_size:
                raise zipfile.BadZipFile("part is larger than its declared size")
            crc = zlib.crc32(out, crc)
            yield out
        if total != info.file_size or crc != info.CRC:
            raise zipfile.BadZipFile(f"Bad CRC-32 for file {info.filename!r}")

    def read(self, name: str) -> bytes:
        data = b"".join(self.chunks(name))
        self.check_xml_head(name, data[:4096])
        return data

    def head(self, name: str) -> None:
        """Check the first 4 KB of a part not checked yet for DOCTYPE/ENTITY declarations."""
        if name.lower() in self.checked:
            return
        info = self.names[name.lower()]
        try:
            raw = self._raw(info)
            if raw is not None and info.compress_type == zipfile.ZIP_DEFLATED:
                head = zlib.decompressobj(-15).decompress(raw[:_INPUT], 4096)
            elif raw is not None:
                head = bytes(raw[:4096])
            else:
                with self.zf.open(info) as fh:
                    head = fh.read(4096)
        except Exception as e:
            raise _corrupt(self.guess, f"{info.filename} 无法解压（{_one_line(e)}）",
                           f"cannot unzip {info.filename} ({_one_line(e)})") from None
        self.check_xml_head(name, head)

    def check_xml_head(self, name: str, head: bytes) -> None:
        self.checked.add(name.lower())
        # DOCTYPE may only appear in the prolog, so the head of a part is enough to find it.
        if head.startswith((b"\xff\xfe", b"\xfe\xff")):
            head = head.decode("utf-16", errors="replace").encode("utf-8")
        # Most parts have no '<!' at all: a plain byte search is much cheaper than the regex.
        if b"<!" in head and _DOCTYPE.search(head):
            raise _Verdict(self.guess, "xml-unsafe", f"{name} 含有 DOCTYPE/ENTITY 声明（XML 实体攻击），拒绝读取",
                           f"{name} contains DOCTYPE/ENTITY declarations (XML entity attack); refused")

    def parse(self, name: str) -> DET.Element:
        data = self.read(name)
        try:
            return DET.fromstring(data, forbid_dtd=True)
        except Exception as e:  # ParseError and defusedxml's DTD/entity refusals
            raise _corrupt(self.guess, f"{name} 不是有效的 XML（{_one_line(e, 80)}）",
                           f"{name} is not valid XML ({_one_line(e, 80)})") from None


def _inflated(raw: memoryview, size: int) -> Iterator[bytes]:
    """A raw deflate stream inflated in pieces of at most ``size`` bytes, fed 64 KB at a time."""
    d = zlib.decompressobj(-15)
    pos = 0
    while True:
        if d.unconsumed_tail:
            data: bytes | memoryview = d.unconsumed_tail
        else:
            data, pos = raw[pos:pos + _INPUT], pos + _INPUT
        out = d.decompress(data, size)
        if out:
            yield out
        if d.eof:
            return
        if not out and not d.unconsumed_tail and pos >= len(raw):
            return  # the stream ended early: the size check says so


def _probe_zip(path: Path, guess: str, limits: Limits) -> str:
    z = _Zip(path, guess, limits)
    try:
        if z.has("[Content_Types].xml") or z.has("_rels/.rels"):
            return _probe_ooxml(z)
        if z.has("mimetype") or z.has("content.xml"):
            return _probe_ods(z)
        if any(n.startswith("index/") and n.endswith(".iwa") for n in z.names) or any(
            n.endswith(("index.zip", "index.xml.gz")) for n in z.names
        ):
            raise _numbers()
        if guess in _XLSX_FAMILY or guess == "ods":
            raise _corrupt(guess, "压缩包中没有工作簿内容", "the zip holds no workbook")
        raise _not_sheet("unknown", "普通 zip 压缩包", "a plain zip archive")
    finally:
        z.close()


def _rel_targets(z: _Zip, rels_name: str, base: str) -> list[tuple[str, str]]:
    """(type suffix, normalised target) of each relationship in a .rels part."""
    out = []
    for rel in z.parse(rels_name):
        rtype = rel.get("Type", "").rsplit("/", 1)[-1]
        target = rel.get("Target", "").replace("\\", "/")
        if rel.get("TargetMode") == "External" or not target:
            continue
        out.append((rtype, _join(base, target)))
    return out


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
    kind = z.guess if z.guess in _XLSX_FAMILY[:-1] else "xlsx"
    main = ""
    if z.has("_rels/.rels"):
        main = next((t for rt, t in _rel_targets(z, "_rels/.rels", "") if rt == "officeDocument"), "")
    else:
        raise _corrupt(kind, "缺少 _rels/.rels", "_rels/.rels is missing")
    if z.has("[Content_Types].xml"):
        for el in z.parse("[Content_Types].xml"):
            if el.get("PartName", "").lstrip("/").lower() == main.lower():
                ctype = el.get("ContentType", "").lower()
                kind = _MAIN_TYPES.get(ctype, kind)
                for word, zh, en in _OTHER_OFFICE:
                    if word in ctype:
                        raise _not_sheet("unknown", zh, en)
    if not main or not z.has(main):
        raise _corrupt(kind, "缺少工作簿部件（workbook）", "the workbook part is missing")
    folder = main.rsplit("/", 1)[0] if "/" in main else ""
    rels = f"{folder}/_rels/{main.rsplit('/', 1)[-1]}.rels".lstrip("/")
    if not z.has(rels):
        raise _corrupt(kind, f"缺少 {rels}", f"{rels} is missing")
    if main.lower().endswith(".bin"):
        z.read(main)  # CRC check
    else:
        z.parse(main)
    targets = _rel_targets(z, rels, folder)
    for rtype, target in targets:
        if rtype in ("sharedStrings", "styles") and z.has(target):
            for n, chunk in enumerate(z.chunks(target)):
                if n == 0:
                    z.check_xml_head(target, chunk[:4096])
    sheets = [t for rt, t in targets if rt in ("worksheet", "dialogsheet", "macrosheet")]
    if not sheets:
        raise _corrupt(kind, "工作簿中没有工作表", "the workbook has no worksheets")
    for target in sheets:
        if not z.has(target):
            raise _corrupt(kind, f"缺少工作表 {target}", f"worksheet {target} is missing")
        area = _xlsb_area(z, target) if target.lower().endswith(".bin") else _xml_sheet_area(z, target)
        _check_area(kind, target, area, z.limits)
    # Any other XML part with a DOCTYPE is just as suspicious (e.g. XXE in a table or custom XML).
    for name, info in z.names.items():
        if name.endswith((".xml", ".rels")) and info.file_size:
            z.head(name)
    return kind


def _check_area(kind: str, sheet: str, area: tuple[int, int], limits: Limits) -> None:
    rows, cols = area
    if rows * cols > limits.max_cells:
        raise _Verdict(kind, "file-too-large",
                       f"工作表 {sheet} 的数据范围过大（{rows} 行 × {cols} 列），读取会耗尽内存",
                       f"sheet {sheet} spans too many cells ({rows} rows x {cols} columns) to read safely")


# A cell with a value is an element with content; ``<c r="B7" s="3"/>`` (styled, empty) is skipped by
# calamine, and Excel writes millions of those down to row 1048576, so self-closing cells do not count.
_CELL_REF = re.compile(rb'\sr="([A-Z]{1,3})([0-9]{1,7})"[^>]*(?<!/)>')
# A cell without an ``r`` takes its row from the enclosing ``<row r=…>``: then rows count too.
_CELL_NO_REF = re.compile(rb"<(?:\w+:)?c(?=[\s>])(?![^>]*\sr=)[^>]*(?<!/)>")
# The same, starting with the literal ' r="' that every producer writes: the regex engine finds it by a
# fast search instead of trying the pattern at every white space (1.6× faster). The general one runs on a
# part where another white space could precede an r= (see _other_space_r), so nothing escapes the check.
_CELL_REF_SPACE = re.compile(rb' r="([A-Z]{1,3})([0-9]{1,7})"[^>]*(?<!/)>')


def _other_space_r(part: bytes) -> bool:
    """Whether white space other than a plain space may precede an attribute in ``part``.

    Single-byte searches (memchr): a tab, CR, VT or FF anywhere, or a line feed followed by ``r="``
    (sheet XML has a line feed or two; a part with many — pretty-printed — is given the general scan).
    """
    if b"\t" in part or b"\r" in part or b"\x0b" in part or b"\x0c" in part:
        return True
    i, seen = part.find(b"\n"), 0
    while i != -1:
        if part.startswith(b'r="', i + 1) or seen > 64:
            return True
        i, seen = part.find(b"\n", i + 1), seen + 1
    return False


_ROW_REF = re.compile(rb'<(?:\w+:)?row\s[^>]*?\br="([0-9]{1,7})"')


def _col_number(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n


class _Box:
    """The extent of the cells seen, 1-based, measured from A1.

    From A1 rather than from the first cell: ``to_python(skip_empty_area=False)`` (what the reader
    uses, to keep cell addresses) pads the grid up to A1 — one cell at CV100000 becomes 10 M
    Python values (measured: +390 MiB).
    """

    def __init__(self) -> None:
        self.rows = self.cols = 0

    def add(self, r0: int, c0: int, r1: int | None = None, c1: int | None = None) -> None:
        self.rows = max(self.rows, r0 if r1 is None else r1)
        self.cols = max(self.cols, c0 if c1 is None else c1)

    @property
    def area(self) -> tuple[int, int]:
        return (self.rows, self.cols)


def _xml_sheet_area(z: _Zip, name: str) -> tuple[int, int]:
    """Rows × columns spanned by the cells of a sheet XML, scanned as a byte stream.

    ``findall`` + set/max keeps the per-cell work in C: ~0.7 s for 1 M cells (38 MB of XML).
    """
    box, tail, first = _Box(), b"", True
    for chunk in z.chunks(name):
        if first:
            z.check_xml_head(name, chunk[:4096])
            first = False
        buf = tail + chunk
        cut = buf.rfind(b">") + 1  # scan whole tags only; keep the rest for the next chunk
        part, tail = buf[:cut], buf[cut:][-4096:]
        refs = (_CELL_REF if _other_space_r(part) else _CELL_REF_SPACE).findall(part)
        if refs:
            box.add(max(int(r) for r in {r for _, r in refs}), max(_col_number(c) for c in {c for c, _ in refs}))
        if _CELL_NO_REF.search(part):
            for r in _ROW_REF.findall(part):
                box.add(int(r), 1)  # calamine numbers such cells from column A
    return box.area


def _varint(data: bytes, pos: int, width: int) -> tuple[int, int]:
    value = shift = 0
    for _ in range(width):
        if pos >= len(data):
            raise IndexError
        b = data[pos]
        pos += 1
        value |= (b & 0x7F) << shift
        shift += 7
        if not b & 0x80:
            break
    return value, pos


def _xlsb_area(z: _Zip, name: str) -> tuple[int, int]:
    """Rows × columns spanned by an xlsb sheet: BrtRowHdr (0) gives the row, cell records (1–13) the column."""
    data = z.read(name)
    box, pos, row = _Box(), 0, 0
    try:
        while pos < len(data):
            rtype, pos = _varint(data, pos, 2)
            size, pos = _varint(data, pos, 4)
            body = data[pos: pos + size]
            pos += size
            if rtype == 0 and len(body) >= 4:
                row = struct.unpack_from("<I", body)[0] + 1
            elif 1 <= rtype <= 13 and len(body) >= 4:
                box.add(row, struct.unpack_from("<I", body)[0] + 1)
    except IndexError:
        pass  # a truncated last record: the parser will report it
    return box.area


_ODS_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_ODS_OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"


def _probe_ods(z: _Zip) -> str:
    if z.has("mimetype"):
        mime = z.read("mimetype")[:100].strip()
        if mime != b"application/vnd.oasis.opendocument.spreadsheet":
            what = mime.decode("ascii", "replace").rsplit(".", 1)[-1] or "?"
            raise _not_sheet("unknown", f"OpenDocument {what} 文档", f"an OpenDocument {what} document")
    if z.has("META-INF/manifest.xml"):
        manifest = z.read("META-INF/manifest.xml")
        if b"encryption-data" in manifest:
            raise _encrypted("ods")
    if not z.has("content.xml"):
        raise _corrupt("ods", "缺少 content.xml", "content.xml is missing")
    for table, area in _ods_areas(z):
        _check_area("ods", table, area, z.limits)
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
    chunks = z.chunks("content.xml")
    first = next(chunks, b"")
    z.check_xml_head("content.xml", first[:4096])

    def all_chunks() -> Iterator[bytes]:
        yield first
        yield from chunks

    rep_r, rep_c = _ODS_TABLE + "number-rows-repeated", _ODS_TABLE + "number-columns-repeated"
    box, name, row, col, row_rep = _Box(), "", 0, 0, 1
    stack: list[DET.Element] = []  # open elements, so that a finished row can be dropped from its parent
    try:
        for event, el in DET.iterparse(_ChunkReader(all_chunks()), events=("start", "end"), forbid_dtd=True):
            tag = el.tag
            if event == "start":
                stack.append(el)
                if tag == _ODS_TABLE + "table":
                    box, name, row = _Box(), el.get(_ODS_TABLE + "name", "?"), 0
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
    except _Verdict:
        raise
    except Exception as e:
        raise _corrupt("ods", f"content.xml 无法解析（{_one_line(e, 80)}）",
                       f"content.xml cannot be parsed ({_one_line(e, 80)})") from None


# --------------------------------------------------------------------------------------------
# OLE2 / CFB containers: xls (BIFF5/8), and encrypted OOXML (EncryptionInfo + EncryptedPackage).

_CFB_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
_ENDOFCHAIN, _FREESECT = 0xFFFFFFFE, 0xFFFFFFFF


def _encrypted(kind: str) -> _Verdict:
    return _Verdict(kind, "file-encrypted", "文件已加密（需要密码），无法读取；请去掉密码后重新保存",
                    "file is encrypted (password protected); remove the password and save again")


class _Cfb:
    """Just enough of [MS-CFB] to list streams and read one, refusing sector chains that loop."""

    def __init__(self, data: mmap.mmap | bytes, kind: str) -> None:
        self.data, self.kind = data, kind
        if len(data) < 512:
            raise _corrupt(kind, "OLE 文件头不完整", "OLE header is truncated")
        (sector_shift, mini_shift) = struct.unpack_from("<HH", data, 30)
        if sector_shift not in (9, 12) or mini_shift != 6:
            raise _corrupt(kind, "OLE 文件头无效", "invalid OLE header")
        self.ssz = 1 << sector_shift
        n_fat, dir_start = struct.unpack_from("<II", data, 44)
        self.mini_cutoff, minifat_start, n_minifat, difat_start, n_difat = struct.unpack_from("<IIIII", data, 56)
        self.nsect = max(0, (len(data) - self.ssz + self.ssz - 1) // self.ssz)
        # FAT sector numbers: 109 in the header, the rest in a chain of DIFAT sectors.
        fat_sectors = [s for s in struct.unpack_from("<109I", data, 76) if s < 0xFFFFFFFA]
        seen: set[int] = set()
        s = difat_start
        per = self.ssz // 4 - 1
        while s < 0xFFFFFFFA:
            if s in seen or s >= self.nsect:
                raise _corrupt(kind, "OLE 扇区表（DIFAT）链错误", "broken OLE DIFAT chain")
            seen.add(s)
            ids = struct.unpack_from(f"<{per + 1}I", self._sector(s))
            fat_sectors += [x for x in ids[:per] if x < 0xFFFFFFFA]
            s = ids[per]
        if n_fat:
            fat_sectors = fat_sectors[:n_fat]
        if any(s >= self.nsect for s in fat_sectors):
            raise _corrupt(kind, "OLE 扇区指向文件末尾之外（文件被截断）", "OLE sector points past the end (truncated)")
        fat = b"".join(self._sector(s) for s in fat_sectors)
        self.fat = struct.unpack(f"<{len(fat) // 4}I", fat[: len(fat) // 4 * 4])
        self.entries = self._directory(dir_start)
        root = self.entries[0] if self.entries else ("", 5, _ENDOFCHAIN, 0)
        self.ministream = b""
        self.minifat: tuple[int, ...] = ()
        if n_minifat and minifat_start < 0xFFFFFFFA:
            mf = self._read_chain(minifat_start)
            self.minifat = struct.unpack(f"<{len(mf) // 4}I", mf[: len(mf) // 4 * 4])
            self.ministream = self._read_chain(root[2])[: root[3]]
        # Walk every stream's chain: one that loops would make a parser allocate forever.
        for _name, etype, start, size in self.entries[1:]:
            if etype == 2 and size:
                if size < self.mini_cutoff:
                    self._chain(start, self.minifat, len(self.minifat), strict=False)
                else:
                    self._chain(start, self.fat, self.nsect, strict=False)

    def _sector(self, s: int) -> bytes:
        off = (s + 1) * self.ssz
        return bytes(self.data[off: off + self.ssz]).ljust(self.ssz, b"\0")

    def _chain(self, start: int, table: tuple[int, ...], limit: int, *, strict: bool = True) -> list[int]:
        out: list[int] = []
        seen: set[int] = set()
        s = start
        while s != _ENDOFCHAIN:
            if s in seen:
                raise _corrupt(self.kind, "OLE 扇区链循环", "OLE sector chain loops")
            if s >= len(table) or s >= limit:
                if strict:
                    raise _corrupt(self.kind, "OLE 扇区指向文件末尾之外（文件被截断）",
                                   "OLE sector points past the end (truncated)")
                break
            seen.add(s)
            out.append(s)
            s = table[s]
        return out

    def _read_chain(self, start: int) -> bytes:
        return b"".join(self._sector(s) for s in self._chain(start, self.fat, self.nsect))

    def _directory(self, start: int) -> list[tuple[str, int, int, int]]:
        raw = self._read_chain(start)
        entries = []
        for off in range(0, len(raw) - 127, 128):
            name_len, etype = struct.unpack_from("<HB", raw, off + 64)
            name = raw[off: off + max(0, min(name_len, 64) - 2)].decode("utf-16-le", errors="replace")
            start_s, size = struct.unpack_from("<IQ", raw, off + 116)
            if self.ssz == 512:
                size &= 0xFFFFFFFF  # version 3 files: the high half is undefined
            entries.append((name, etype, start_s, size))
        return entries

    def find(self, *names: str) -> tuple[str, int, int, int] | None:
        wanted = {n.lower() for n in names}
        return next((e for e in self.entries if e[1] == 2 and e[0].lower() in wanted), None)

    def read(self, entry: tuple[str, int, int, int]) -> bytes:
        _name, _etype, start, size = entry
        if size < self.mini_cutoff:
            ids = self._chain(start, self.minifat, len(self.minifat))
            data = b"".join(self.ministream[i * 64: i * 64 + 64] for i in ids)
        else:
            data = self._read_chain(start)
        if len(data) < size:
            raise _corrupt(self.kind, "工作簿数据流被截断", "the workbook stream is truncated")
        return data[:size]


def _probe_cfb(path: Path, guess: str, limits: Limits) -> str:
    kind = "xls" if guess not in _XLSX_FAMILY[:-1] else guess
    with open(path, "rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as data:
        cfb = _Cfb(data, kind)
        if cfb.find("EncryptionInfo") and cfb.find("EncryptedPackage"):
            raise _encrypted(guess if guess in _XLSX_FAMILY[:-1] else "xlsx")
        book = cfb.find("Workbook", "Book")
        if book is None:
            for stream, zh, en in (("WordDocument", "Word 97–2003 文档", "a Word 97-2003 document"),
                                   ("PowerPoint Document", "PowerPoint 演示文稿", "a PowerPoint presentation")):
                if cfb.find(stream):
                    raise _not_sheet("unknown", zh, en)
            if guess in ("xls", "et"):
                raise _corrupt("xls", "OLE 文件中没有工作簿数据流", "no Workbook stream in the OLE file")
            raise _not_sheet("unknown", "OLE 复合文档，但不含工作簿", "an OLE compound file without a workbook")
        stream = cfb.read(book)
    _check_biff(stream, limits)
    return "xls"


# Cell records that start with (row, col): NUMBER, LABEL, BOOLERR, BLANK, RK, LABELSST, FORMULA, RSTRING.
_BIFF_CELLS = {0x0203, 0x0204, 0x0205, 0x0201, 0x027E, 0x00FD, 0x0006, 0x00D6}
_BIFF_MULTI = {0x00BD, 0x00BE}  # MULRK, MULBLANK: row, first col, …, last col
_BOF, _EOF, _FILEPASS = 0x0809, 0x000A, 0x002F


def _check_biff(stream: bytes, limits: Limits) -> None:
    """FILEPASS in the globals means encrypted; the cells of each sheet must span a bounded area."""
    if len(stream) < 8 or struct.unpack_from("<H", stream)[0] not in (_BOF, 0x0409, 0x0209, 0x0009):
        raise _corrupt("xls", "工作簿数据流不是以 BOF 记录开头", "the workbook stream does not start with BOF")
    pos, depth, in_globals, box, sheet_no = 0, 0, True, _Box(), 0
    n = len(stream)
    while pos + 4 <= n:
        rtype, size = struct.unpack_from("<HH", stream, pos)
        body = stream[pos + 4: pos + 4 + size]
        pos += 4 + size
        if rtype == _FILEPASS and in_globals:
            raise _encrypted("xls")
        if rtype == _BOF:
            # A sheet substream may nest a chart's BOF…EOF: only the outer level starts a sheet.
            depth += 1
            if depth == 1 and not in_globals:
                box = _Box()
        elif rtype == _EOF:
            depth -= 1
            if depth == 0 and in_globals:
                in_globals = False
            elif depth == 0:
                sheet_no += 1
                _check_area("xls", f"#{sheet_no}", box.area, limits)
        elif rtype in _BIFF_CELLS and len(body) >= 4:
            r, c = struct.unpack_from("<HH", body)
            box.add(r + 1, c + 1)
        elif rtype in _BIFF_MULTI and len(body) >= 6:
            r, c0 = struct.unpack_from("<HH", body)
            box.add(r + 1, c0 + 1, r + 1, struct.unpack_from("<H", body, len(body) - 2)[0] + 1)
    if not in_globals and depth > 0:
        _check_area("xls", f"#{sheet_no + 1}", box.area, limits)

