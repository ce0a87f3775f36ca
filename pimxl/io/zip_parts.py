"""A zip member's bytes straight from the file's bytes in memory, and the parts the probe hands on.

Opening a member with :mod:`zipfile` costs more than inflating a small workbook's part, so a file
read into memory is inflated with :mod:`zlib` directly — never beyond the declared size (a lying
header cannot make us inflate a bomb), size and CRC checked as zipfile does.

:class:`ZipParts` is what :func:`pimxl.io.probe.probe` (``keep=True``) leaves for the reader: the
members by their exact names and the parts it already inflated (workbook, rels, sheets, tables…),
so that the reader neither opens the zip again nor inflates a part twice.
"""

from __future__ import annotations

import struct
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path

from .workbook_xml import WorkbookXml

__all__ = ["INPUT", "STORED_MAX", "ZipParts", "inflate", "inflate_whole", "raw_part", "read_directory", "stored_copy"]

INPUT = 64 << 10  # compressed bytes fed to zlib at a time


_EOCD = struct.Struct("<4s4H2LH")
# zipfile's own formats of the records (module attributes its stubs leave out).
_CENTRAL = struct.Struct(zipfile.structCentralDir)  # type: ignore[attr-defined]
_LOCAL = struct.Struct(zipfile.structFileHeader)  # type: ignore[attr-defined]
_MAX_EXTRACT_VERSION = 63  # zipfile.MAX_EXTRACT_VERSION


def read_directory(data: bytes) -> list[zipfile.ZipInfo] | None:
    """The entries of a plain zip held in memory, exactly as :class:`zipfile.ZipFile` lists them
    (same ZipInfo fields), at a third of its cost; None for anything less plain — an archive
    comment, zip64, bytes before the zip, an encrypted or not deflated/stored entry, any
    inconsistency — which zipfile then reads (and judges) itself."""
    eocd = len(data) - 22
    if eocd < 0:
        return None
    sig, disk, cd_disk, n_disk, n_total, cd_size, cd_offset, comment = _EOCD.unpack_from(data, eocd)
    if (sig != b"PK\x05\x06" or disk or cd_disk or comment or n_disk != n_total or cd_offset + cd_size != eocd
            or data[eocd - 20:eocd - 16] == b"PK\x06\x07"):
        return None
    infos: list[zipfile.ZipInfo] = []
    pos = cd_offset
    # As zipfile: entries are read while the directory's bytes last (the count is not trusted).
    while pos < eocd:
        if pos + 46 > eocd:
            return None
        c = _CENTRAL.unpack_from(data, pos)
        (magic, create_version, create_system, extract_version, reserved, flags, method, t, d,
         crc, csize, usize, name_len, extra_len, comment_len, disk_start, iattr, eattr, offset) = c
        if (magic != b"PK\x01\x02" or flags & 1 or method not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)
                or extract_version > _MAX_EXTRACT_VERSION or 0xFFFFFFFF in (csize, usize, offset) or disk_start):
            return None
        pos += 46
        end = pos + name_len + extra_len + comment_len
        if end > eocd:
            return None
        try:
            raw_name = data[pos:pos + name_len]
            # An ASCII name reads the same in UTF-8 and cp437; the ascii codec is the C one (cp437's is not).
            name = raw_name.decode("ascii" if raw_name.isascii() else "utf-8" if flags & 0x800 else "cp437")
            x = zipfile.ZipInfo(name, ((d >> 9) + 1980, (d >> 5) & 0xF, d & 0x1F, t >> 11, (t >> 5) & 0x3F,
                                       (t & 0x1F) * 2))
        except (UnicodeDecodeError, ValueError):
            return None
        x.extra = data[pos + name_len:pos + name_len + extra_len]
        x.comment = data[pos + name_len + extra_len:end]
        x.header_offset = offset
        (x.create_version, x.create_system, x.extract_version, x.reserved, x.flag_bits, x.compress_type,
         x.CRC, x.compress_size, x.file_size) = (create_version, create_system, extract_version, reserved,
                                                  flags, method, crc, csize, usize)
        x.volume, x.internal_attr, x.external_attr = disk_start, iattr, eattr
        x._raw_time = t  # type: ignore[attr-defined]  # as zipfile sets it (private, not in its stubs)
        try:
            # zipfile's own check of the extra fields (it raises for a corrupt one); private, not in stubs.
            x._decodeExtra()  # type: ignore[attr-defined]
        except Exception:
            return None
        infos.append(x)
        pos = end
    return infos


def raw_part(data: bytes | None, info: zipfile.ZipInfo) -> memoryview | None:
    """The stored bytes of a part in memory; None when zipfile must read it (not in memory, an
    encrypted part, a compression other than deflate). Raises BadZipFile for a broken header."""
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


def _inflated(raw: memoryview, size: int) -> Iterator[bytes]:
    """A raw deflate stream inflated in pieces of at most ``size`` bytes, fed 64 KB at a time."""
    d = zlib.decompressobj(-15)
    pos = 0
    while True:
        if d.unconsumed_tail:
            data: bytes | memoryview = d.unconsumed_tail
        else:
            data, pos = raw[pos:pos + INPUT], pos + INPUT
        out = d.decompress(data, size)
        if out:
            yield out
        if d.eof:
            return
        if not out and not d.unconsumed_tail and pos >= len(raw):
            return  # the stream ended early: the size check says so


def inflate(info: zipfile.ZipInfo, raw: memoryview, size: int) -> Iterator[bytes]:
    """Inflate in chunks of at most ``size`` bytes, never more than the declared size, then check
    size and CRC as zipfile does (BadZipFile)."""
    crc = total = 0
    if info.compress_type == zipfile.ZIP_STORED:
        pieces: Iterator[bytes] = (bytes(raw[i:i + size]) for i in range(0, len(raw), size))
    else:
        # One piece for a part that fits: the declared size bounds what zlib may produce.
        pieces = _inflated(raw, size)
    for out in pieces:
        total += len(out)
        if total > info.file_size:
            raise zipfile.BadZipFile("part is larger than its declared size")
        crc = zlib.crc32(out, crc)
        yield out
    if total != info.file_size or crc != info.CRC:
        raise zipfile.BadZipFile(f"Bad CRC-32 for file {info.filename!r}")


def inflate_whole(info: zipfile.ZipInfo, raw: memoryview) -> bytes:
    """A whole part in one zlib call (what ``b"".join(inflate(...))`` gives, with the same errors):
    never more than the declared size plus one byte is produced, then size and CRC are checked."""
    if info.compress_type == zipfile.ZIP_STORED:
        out = bytes(raw)
    else:
        out = zlib.decompressobj(-15).decompress(raw, info.file_size + 1)
    if len(out) > info.file_size:
        raise zipfile.BadZipFile("part is larger than its declared size")
    if len(out) != info.file_size or zlib.crc32(out) != info.CRC:
        raise zipfile.BadZipFile(f"Bad CRC-32 for file {info.filename!r}")
    return out


_READ_ERRORS = (OSError, zipfile.BadZipFile, ValueError, RuntimeError, EOFError, NotImplementedError, zlib.error)


class ZipParts:
    """The probed zip: members by exact name, the inflated parts, and the file's bytes for the rest."""

    def __init__(self, path: Path, data: bytes | None, members: dict[str, zipfile.ZipInfo],
                 inflated: dict[str, bytes]) -> None:
        self.path = path
        self.data = data  # None for a file too large to have been read into memory
        self.members = members
        self.inflated = inflated
        #: workbook parts the probe parsed already: member → (sheets, defined names)
        self.workbooks: dict[str, WorkbookXml] = {}
        #: every entry in directory order, when the zip is held in memory and its directory was plain
        #: (:func:`read_directory`); None otherwise. What :func:`stored_copy` rebuilds the zip from.
        self.plain: list[zipfile.ZipInfo] | None = None
        self._zf: zipfile.ZipFile | None = None

    def info(self, name: str) -> zipfile.ZipInfo | None:
        return self.members.get(name)

    def read(self, name: str, limit: int) -> bytes | None:
        """A member's bytes; None when absent, larger than ``limit`` or unreadable (never raises)."""
        info = self.members.get(name)
        if info is None or info.file_size > limit:
            return None
        cached = self.inflated.get(name)
        if cached is not None:
            return cached
        try:
            raw = raw_part(self.data, info)
            if raw is not None:
                return inflate_whole(info, raw)
            if self._zf is None:
                self._zf = zipfile.ZipFile(self.path)
            return self._zf.read(info)
        except _READ_ERRORS:
            return None

    def close(self) -> None:
        if self._zf is not None:
            self._zf.close()
            self._zf = None
        self.inflated = {}
        self.workbooks = {}
        self.data = None
        self.plain = None


# 1980-01-01 00:00 as an MS-DOS date: the copy's entries carry no real time (calamine ignores it).
_DOS_DATE = (1 << 5) | 1
#: A larger copy is not made: calamine keeps the whole copy in memory while the workbook is open
#: (opened from its path, it reads the zip as it goes).
STORED_MAX = 16 << 20


def stored_copy(parts: ZipParts) -> bytes | None:
    """The same zip with every part the probe inflated stored uncompressed, the others copied as they are.

    python-calamine then inflates none of the parts it reads that the probe inflated already
    (sheets, shared strings, styles, workbook): the same members, names and content in the same
    order, so it reads the same cells. None when the zip is not a plain one held in memory (see
    :attr:`ZipParts.plain`), names repeat, an entry has extra fields, an entry's local header is broken or
    the copy would be larger than :data:`STORED_MAX`: the caller then opens the file itself, exactly as before.
    """
    infos, data = parts.plain, parts.data
    if infos is None or data is None or len(parts.members) != len(infos):
        return None
    # Extra fields are not copied; calamine's zip reader may take a name from one (the Info-ZIP Unicode
    # path) where zipfile does not: such a zip is opened as it is.
    if any(info.extra for info in infos):
        return None
    inflated = parts.inflated
    pieces: list[bytes | memoryview] = []
    central: list[bytes] = []
    offset = 0
    for info in infos:
        # The name as the directory holds it (ZipInfo.filename is cut at a null byte).
        name = info.orig_filename.encode("utf-8")
        body: bytes | memoryview | None = inflated.get(info.filename)
        if body is not None:
            method, size = zipfile.ZIP_STORED, len(body)
        else:
            try:
                body = raw_part(data, info)
            except zipfile.BadZipFile:
                return None
            if body is None:
                return None
            method, size = info.compress_type, info.file_size
        # Names as UTF-8 (flag 0x800): the same text whatever encoding the original entry used.
        pieces += (_LOCAL.pack(b"PK\x03\x04", 20, 0, 0x800, method, 0, _DOS_DATE, info.CRC, len(body), size,
                               len(name), 0), name, body)
        central += (_CENTRAL.pack(b"PK\x01\x02", 20, 0, 20, 0, 0x800, method, 0, _DOS_DATE, info.CRC, len(body),
                                  size, len(name), 0, 0, 0, 0, 0, offset), name)
        offset += _LOCAL.size + len(name) + len(body)
        if offset > STORED_MAX:
            return None
    directory = b"".join(central)
    pieces.append(directory)
    pieces.append(_EOCD.pack(b"PK\x05\x06", 0, 0, len(infos), len(infos), len(directory), offset, 0))
    return b"".join(pieces)
