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

Modules: :mod:`.probe_zip` (OOXML, ODS, Numbers), :mod:`.probe_cells` (a sheet's cell extent),
:mod:`.probe_xml` (DTD in a prolog, expat parsing), :mod:`.probe_cfb` (xls, encrypted OOXML),
:mod:`.zip_parts` (inflating, and what the probe hands to the reader with ``keep=True``).
"""


from __future__ import annotations

import stat
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import FileProblem
from .probe_cells import exact_area, fast_area
from .probe_cfb import CFB_MAGIC, probe_cfb
from .probe_common import DEFAULT_LIMITS, Limits, MiB, Verdict, not_sheet, one_line, unsupported
from .probe_zip import IN_MEMORY, numbers, probe_zip
from .zip_parts import ZipParts

__all__ = ["DEFAULT_LIMITS", "KINDS", "Limits", "ProbeResult", "ZipParts", "exact_area", "fast_area", "probe"]

KINDS = ("xlsx", "xlsm", "xltx", "xltm", "xlsb", "xls", "ods", "fods", "et", "numbers", "csv", "unknown")


@dataclass(frozen=True)
class ProbeResult:
    path: Path
    kind: str
    status: str  # ok | unreadable | skipped
    code: str = ""
    reason_zh: str = ""
    reason_en: str = ""
    #: With ``probe(keep=True)``, an OOXML zip found ok: its members and the parts already inflated,
    #: for the reader (``read_workbook(path, probed=result)``) — close() it, or let the reader do so.
    parts: ZipParts | None = field(default=None, repr=False, compare=False)

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    def reason(self, lang: str = "zh") -> str:
        return self.reason_en if lang == "en" else self.reason_zh

    def problem(self) -> FileProblem:
        """The same verdict as an exception, for callers that raise."""
        return FileProblem(self.code, self.reason_zh, self.reason_en, self.status)


def probe(path: Path, *, limits: Limits = DEFAULT_LIMITS, keep: bool = False) -> ProbeResult:
    """What ``path`` is and whether it may be parsed. Never raises (except KeyboardInterrupt…).

    ``keep`` leaves the inflated parts of an ok OOXML workbook on the result (``parts``).
    """
    # Already a Path for the pipeline's callers: Path(path) would parse it again.
    path = path if isinstance(path, Path) else Path(path)
    kind = _kind_from_name(path)
    parts: ZipParts | None = None
    try:
        kind, parts = _probe(path, kind, limits, keep)
    except Verdict as v:
        return ProbeResult(path, v.kind, v.status, v.code, v.reason_zh, v.reason_en)
    except (KeyboardInterrupt, SystemExit):
        raise
    except MemoryError:
        return ProbeResult(path, kind, "unreadable", "file-too-large",
                           "文件太大，检查时内存不足", "file too large: out of memory while checking it")
    except BaseException as e:  # a bug here must still give one line, never a traceback
        msg = one_line(f"{type(e).__name__}: {e}")
        return ProbeResult(path, kind, "unreadable", "file-corrupt", f"文件已损坏（{msg}）", f"file is corrupt ({msg})")
    return ProbeResult(path, kind, "ok", parts=parts)


def _kind_from_name(path: Path) -> str:
    name = path.name
    i = name.rfind(".")
    ext = name[i + 1:].lower() if 0 < i < len(name) - 1 else ""  # pathlib's suffix, without its cost
    return ext if ext in KINDS else "unknown"


def _probe(path: Path, guess: str, limits: Limits, keep: bool) -> tuple[str, ZipParts | None]:
    try:
        st = path.stat()
    except OSError as e:
        raise Verdict(guess, "file-unreadable", f"无法访问文件（{one_line(e.strerror or e)}）",
                      f"cannot access the file ({one_line(e.strerror or e)})") from None
    if stat.S_ISDIR(st.st_mode):
        if guess == "numbers":  # a macOS Numbers document can be a folder (a package)
            raise numbers()
        raise Verdict(guess, "file-unreadable", "这是文件夹，不是文件", "this is a folder, not a file")
    if st.st_size == 0:
        raise Verdict(guess, "file-empty", "文件是空的（0 字节）", "file is empty (0 bytes)")
    if st.st_size > limits.max_file_bytes:
        raise Verdict(guess, "file-too-large",
                      f"文件太大（{st.st_size / MiB:.0f} MiB，上限 {limits.max_file_bytes / MiB:.0f} MiB）",
                      f"file too large ({st.st_size / MiB:.0f} MiB, limit {limits.max_file_bytes / MiB:.0f} MiB)")
    # A file the zip probe will read into memory anyway is read whole, once; else its head only.
    try:
        with open(path, "rb") as fh:
            data: bytes | None = fh.read() if st.st_size <= IN_MEMORY else None
            head = data[:4096] if data is not None else fh.read(4096)
    except OSError as e:
        raise Verdict(guess, "file-unreadable", f"无法打开文件（{one_line(e.strerror or e)}）",
                      f"cannot open the file ({one_line(e.strerror or e)})") from None

    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return probe_zip(path, guess, limits, keep, data)
    if head.startswith(CFB_MAGIC):
        return probe_cfb(path, guess, limits), None
    return _probe_other(head, guess), None


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


def _probe_other(head: bytes, guess: str) -> str:
    # A bare BIFF stream starts with a BOF record: 0x0009 (BIFF2), 0x0209, 0x0409, 0x0809.
    if len(head) >= 4 and head[1] in (0x00, 0x02, 0x04, 0x08) and head[0] == 0x09 and head[3] == 0x00:
        raise unsupported("xls", "Excel 2.x–4.0 旧格式（或无 OLE 封装的 xls），请用 Excel 另存为 xlsx",
                           "legacy Excel 2.x–4.0 file (or xls without OLE container); save it as xlsx in Excel")
    for magic, zh, en in _SIGNATURES:
        if head.startswith(magic):
            raise not_sheet("unknown", zh, en)
    text = _as_text(head)
    if text is None:
        raise not_sheet("unknown", "未知的二进制文件", "an unknown binary file")
    low = text.lstrip("\ufeff \t\r\n").lower()
    if "opendocument.spreadsheet" in low or ("<office:document" in low and "office:" in low):
        raise unsupported("fods", "平面 ODS（.fods）不支持，请另存为 xlsx 或 ods",
                           "flat ODS (.fods) is not supported; save as xlsx or ods")
    if "urn:schemas-microsoft-com:office:spreadsheet" in low:
        raise unsupported("unknown", "Excel 2003 XML 表格不支持，请另存为 xlsx",
                           "Excel 2003 XML spreadsheet is not supported; save as xlsx")
    if low.startswith(("<!doctype html", "<html", "<table", "<meta", "<head")) or "<html" in low[:1024]:
        raise not_sheet("unknown", "网页（HTML），常见于系统导出的“伪 xls”；请用 Excel 打开后另存为 xlsx",
                         "a web page (HTML), often a system export named .xls; open it in Excel and save as xlsx")
    if guess == "csv" or (guess in ("unknown",) and ("," in low or "\t" in low)):
        raise unsupported("csv", "CSV 文本不是工作簿，请另存为 xlsx", "CSV text is not a workbook; save it as xlsx")
    raise not_sheet("unknown", "文本文件", "a text file")


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
