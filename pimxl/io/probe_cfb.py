"""The probe of OLE2 / CFB containers: xls (BIFF5/8), and encrypted OOXML (EncryptionInfo + EncryptedPackage).

Just enough of [MS-CFB] to list streams and read one, refusing sector chains that loop (calamine
would grow a vector forever, corpus: ``Test_git_issue_382_oom.xls``); then the BIFF records: FILEPASS
means encrypted, and each sheet's cells must span a bounded area.
"""

from __future__ import annotations

import mmap
import struct
from pathlib import Path

from .probe_cells import Box
from .probe_common import Limits, check_area, corrupt, encrypted, not_sheet
from .probe_zip import XLSX_FAMILY

__all__ = ["CFB_MAGIC", "probe_cfb"]

CFB_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
_ENDOFCHAIN, _FREESECT = 0xFFFFFFFE, 0xFFFFFFFF


class _Cfb:
    """Just enough of [MS-CFB] to list streams and read one, refusing sector chains that loop."""

    def __init__(self, data: mmap.mmap | bytes, kind: str) -> None:
        self.data, self.kind = data, kind
        if len(data) < 512:
            raise corrupt(kind, "OLE 文件头不完整", "OLE header is truncated")
        (sector_shift, mini_shift) = struct.unpack_from("<HH", data, 30)
        if sector_shift not in (9, 12) or mini_shift != 6:
            raise corrupt(kind, "OLE 文件头无效", "invalid OLE header")
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
                raise corrupt(kind, "OLE 扇区表（DIFAT）链错误", "broken OLE DIFAT chain")
            seen.add(s)
            ids = struct.unpack_from(f"<{per + 1}I", self._sector(s))
            fat_sectors += [x for x in ids[:per] if x < 0xFFFFFFFA]
            s = ids[per]
        if n_fat:
            fat_sectors = fat_sectors[:n_fat]
        if any(s >= self.nsect for s in fat_sectors):
            raise corrupt(kind, "OLE 扇区指向文件末尾之外（文件被截断）", "OLE sector points past the end (truncated)")
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
                raise corrupt(self.kind, "OLE 扇区链循环", "OLE sector chain loops")
            if s >= len(table) or s >= limit:
                if strict:
                    raise corrupt(self.kind, "OLE 扇区指向文件末尾之外（文件被截断）",
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
            raise corrupt(self.kind, "工作簿数据流被截断", "the workbook stream is truncated")
        return data[:size]


def probe_cfb(path: Path, guess: str, limits: Limits) -> str:
    kind = "xls" if guess not in XLSX_FAMILY[:-1] else guess
    with open(path, "rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as data:
        cfb = _Cfb(data, kind)
        if cfb.find("EncryptionInfo") and cfb.find("EncryptedPackage"):
            raise encrypted(guess if guess in XLSX_FAMILY[:-1] else "xlsx")
        book = cfb.find("Workbook", "Book")
        if book is None:
            for stream, zh, en in (("WordDocument", "Word 97–2003 文档", "a Word 97-2003 document"),
                                   ("PowerPoint Document", "PowerPoint 演示文稿", "a PowerPoint presentation")):
                if cfb.find(stream):
                    raise not_sheet("unknown", zh, en)
            if guess in ("xls", "et"):
                raise corrupt("xls", "OLE 文件中没有工作簿数据流", "no Workbook stream in the OLE file")
            raise not_sheet("unknown", "OLE 复合文档，但不含工作簿", "an OLE compound file without a workbook")
        biff = cfb.read(book)
    _check_biff(biff, limits)
    return "xls"


# Cell records that start with (row, col): NUMBER, LABEL, BOOLERR, BLANK, RK, LABELSST, FORMULA, RSTRING.
_BIFF_CELLS = {0x0203, 0x0204, 0x0205, 0x0201, 0x027E, 0x00FD, 0x0006, 0x00D6}
_BIFF_MULTI = {0x00BD, 0x00BE}  # MULRK, MULBLANK: row, first col, …, last col
_BOF, _EOF, _FILEPASS = 0x0809, 0x000A, 0x002F


def _check_biff(stream: bytes, limits: Limits) -> None:
    """FILEPASS in the globals means encrypted; the cells of each sheet must span a bounded area."""
    if len(stream) < 8 or struct.unpack_from("<H", stream)[0] not in (_BOF, 0x0409, 0x0209, 0x0009):
        raise corrupt("xls", "工作簿数据流不是以 BOF 记录开头", "the workbook stream does not start with BOF")
    pos, depth, in_globals, box, sheet_no = 0, 0, True, Box(), 0
    n = len(stream)
    while pos + 4 <= n:
        rtype, size = struct.unpack_from("<HH", stream, pos)
        body = stream[pos + 4: pos + 4 + size]
        pos += 4 + size
        if rtype == _FILEPASS and in_globals:
            raise encrypted("xls")
        if rtype == _BOF:
            # A sheet substream may nest a chart's BOF…EOF: only the outer level starts a sheet.
            depth += 1
            if depth == 1 and not in_globals:
                box = Box()
        elif rtype == _EOF:
            depth -= 1
            if depth == 0 and in_globals:
                in_globals = False
            elif depth == 0:
                sheet_no += 1
                check_area("xls", f"#{sheet_no}", box.area, limits)
        elif rtype in _BIFF_CELLS and len(body) >= 4:
            r, c = struct.unpack_from("<HH", body)
            box.add(r + 1, c + 1)
        elif rtype in _BIFF_MULTI and len(body) >= 6:
            r, c0 = struct.unpack_from("<HH", body)
            box.add(r + 1, c0 + 1, r + 1, struct.unpack_from("<H", body, len(body) - 2)[0] + 1)
    if not in_globals and depth > 0:
        check_area("xls", f"#{sheet_no + 1}", box.area, limits)

