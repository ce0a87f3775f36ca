"""A VBA project from module source text: the vbaProject.bin of an .xlsm ([MS-OVBA]).

The project carries source code only. Its ``_VBA_PROJECT`` stream says version 0xFFFF with no
performance cache, which [MS-OVBA] 2.3.4.1 prescribes for writers: Excel then compiles the
source when it opens the workbook, on any Excel version, 32- or 64-bit, Windows or macOS.

Streams written (2.2): ``PROJECT`` (text properties; the protection fields CMG/DPB/GC encrypted
as 2.4.3 says: not protected, no password, visible), ``PROJECTwm`` (module names),
``VBA/_VBA_PROJECT``, ``VBA/dir`` (compressed project records) and one compressed stream per module.
"""

from __future__ import annotations

import hashlib
import struct
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from .cfb import Tree, write_cfb

__all__ = ["Module", "compress", "encrypt", "vba_project"]

CODEPAGE = 1252  # module source is kept ASCII (see macros.py): the same bytes on every system locale
_ENCODING = "cp1252"
_STDOLE = (b"*\\G{00020430-0000-0000-C000-000000000046}#2.0#0#"
           b"C:\\Windows\\System32\\stdole2.tlb#OLE Automation")
_WORKBOOK_BASE = "0{00020819-0000-0000-C000-000000000046}"
_SHEET_BASE = "0{00020820-0000-0000-C000-000000000046}"


@dataclass(frozen=True)
class Module:
    """A VBA module: ``document`` modules belong to the workbook or a sheet (their code names)."""

    name: str
    code: str = ""
    document: bool = False
    base: str = _SHEET_BASE  # the class a document module extends (worksheet; workbook for ThisWorkbook)

    def source(self) -> bytes:
        """The stored source: the Attribute lines the VBA editor hides, then the code, CRLF line ends."""
        head = [f'Attribute VB_Name = "{self.name}"']
        if self.document:
            head += [f'Attribute VB_Base = "{self.base}"', "Attribute VB_GlobalNameSpace = False",
                     "Attribute VB_Creatable = False", "Attribute VB_PredeclaredId = True",
                     "Attribute VB_Exposed = True", "Attribute VB_TemplateDerived = False",
                     "Attribute VB_Customizable = True"]
        lines = head + [line for line in self.code.splitlines() if not line.startswith("Attribute VB_Name")]
        return ("\r\n".join(lines) + "\r\n").encode(_ENCODING)


def workbook_module(name: str = "ThisWorkbook") -> Module:
    return Module(name, document=True, base=_WORKBOOK_BASE)


def sheet_module(name: str) -> Module:
    return Module(name, document=True)


# -- [MS-OVBA] 2.4.1 compression -------------------------------------------------------------

def _chunk(data: bytes) -> bytes:
    """One compressed chunk's token sequences (2.4.1.3.7): literals and back-references."""
    out = bytearray()
    pos, n = 0, len(data)
    # Earlier positions by the 3 bytes starting there: only those can begin a match worth a token.
    seen: dict[bytes, list[int]] = {}
    indexed = 0
    while pos < n:
        flag_at, flags = len(out), 0
        out.append(0)
        for bit in range(8):
            if pos >= n:
                break
            while indexed < pos:
                seen.setdefault(data[indexed:indexed + 3], []).append(indexed)
                indexed += 1
            # Offsets and lengths share 16 bits; the split depends on how far into the chunk we are.
            bits = max((pos - 1).bit_length(), 4) if pos else 4
            max_len = (0xFFFF >> bits) + 3
            best_len, best_off = 0, 0
            for cand in reversed(seen.get(data[pos:pos + 3], [])):
                length = 0
                # Matches may overlap the current position: the decoder copies byte by byte.
                while pos + length < n and length < max_len and data[cand + length] == data[pos + length]:
                    length += 1
                if length > best_len:
                    best_len, best_off = length, pos - cand
                    if length == max_len:
                        break
            if best_len >= 3:
                out += struct.pack("<H", ((best_off - 1) << (16 - bits)) | (best_len - 3))
                flags |= 1 << bit
                pos += best_len
            else:
                out.append(data[pos])
                pos += 1
        out[flag_at] = flags
    return bytes(out)


def compress(data: bytes) -> bytes:
    """A CompressedContainer: signature byte 1, then one chunk per 4096 bytes of input."""
    out = bytearray(b"\x01")
    for start in range(0, len(data), 4096):
        raw = data[start:start + 4096]
        body = _chunk(raw)
        if len(body) > 4096:
            if len(raw) < 4096:
                raise ValueError("incompressible final chunk: not expected of VBA source text")
            out += struct.pack("<H", 0x3FFF) + raw  # stored uncompressed (flag 0, size 4098)
        else:
            out += struct.pack("<H", 0xB000 | (len(body) + 2 - 3)) + body
    return bytes(out)


# -- [MS-OVBA] 2.4.3 data encryption (the PROJECT stream's CMG, DPB and GC) --------------------

def encrypt(project_id: str, data: bytes, seed: int) -> str:
    """Encrypt ``data`` as 2.4.3.2 describes; the result is the hex text stored in PROJECT."""
    version, key = 2, sum(project_id.encode("ascii")) & 0xFF
    out = bytearray([seed, seed ^ version, seed ^ key])
    unenc1, enc1, enc2 = key, seed ^ key, seed ^ version
    ignored = bytes([0x07]) * ((seed & 6) // 2)
    for byte in ignored + struct.pack("<I", len(data)) + data:
        enc = byte ^ ((enc2 + unenc1) & 0xFF)
        out.append(enc)
        enc2, enc1, unenc1 = enc1, enc, byte
    return out.hex().upper()


# -- streams ----------------------------------------------------------------------------------

def _rec(rid: int, data: bytes) -> bytes:
    return struct.pack("<HI", rid, len(data)) + data


def _utf16(text: str) -> bytes:
    return text.encode("utf-16-le")


def _dir(modules: Sequence[Module], name: str) -> bytes:
    """The dir stream's records (2.3.4.2), before compression."""
    out = bytearray()
    out += _rec(0x0001, struct.pack("<I", 1))  # SysKind: Win32 (no p-code is stored, so any will do)
    out += _rec(0x0002, struct.pack("<I", 0x0409)) + _rec(0x0014, struct.pack("<I", 0x0409))
    out += _rec(0x0003, struct.pack("<H", CODEPAGE))
    out += _rec(0x0004, name.encode(_ENCODING))
    out += _rec(0x0005, b"") + _rec(0x0040, b"")  # doc string (MBCS, then Unicode)
    out += _rec(0x0006, b"") + _rec(0x003D, b"")  # help file path (twice)
    out += _rec(0x0007, struct.pack("<I", 0)) + _rec(0x0008, struct.pack("<I", 0))
    out += struct.pack("<HIIH", 0x0009, 4, 1, 0)  # version: "size" is a reserved 4, then major, minor
    out += _rec(0x000C, b"") + _rec(0x003C, b"")  # conditional compilation constants
    # One reference, as every Excel project has: OLE Automation.
    out += _rec(0x0016, b"stdole") + _rec(0x003E, _utf16("stdole"))
    out += _rec(0x000D, struct.pack("<I", len(_STDOLE)) + _STDOLE + struct.pack("<IH", 0, 0))
    out += _rec(0x000F, struct.pack("<H", len(modules))) + _rec(0x0013, struct.pack("<H", 0xFFFF))
    for m in modules:
        out += _rec(0x0019, m.name.encode(_ENCODING)) + _rec(0x0047, _utf16(m.name))
        out += _rec(0x001A, m.name.encode(_ENCODING)) + _rec(0x0032, _utf16(m.name))
        out += _rec(0x001C, b"") + _rec(0x0048, b"")
        out += _rec(0x0031, struct.pack("<I", 0))  # source starts at offset 0: no performance cache
        out += _rec(0x001E, struct.pack("<I", 0)) + _rec(0x002C, struct.pack("<H", 0xFFFF))
        out += _rec(0x0022 if m.document else 0x0021, b"")
        out += _rec(0x002B, b"")
    out += _rec(0x0010, b"")
    return bytes(out)


def _project(modules: Sequence[Module], name: str, project_id: str, seed: int) -> bytes:
    """The PROJECT stream (2.3.1): properties, host extenders, window positions."""
    lines = [f'ID="{project_id}"']
    lines += [f"Document={m.name}/&H00000000" if m.document else f"Module={m.name}" for m in modules]
    lines += [f'Name="{name}"', 'HelpContextID="0"', 'VersionCompatible32="393222000"',
              f'CMG="{encrypt(project_id, bytes(4), seed)}"',          # not locked for viewing
              f'DPB="{encrypt(project_id, bytes(1), (seed + 1) & 0xFF)}"',  # no password
              f'GC="{encrypt(project_id, bytes([0xFF]), (seed + 2) & 0xFF)}"',  # visible
              "", "[Host Extender Info]", "&H00000001={3832D640-CF90-11CF-8E43-00A0C911005A};VBE;&H00000000",
              "", "[Workspace]"]
    lines += [f"{m.name}=0, 0, 0, 0, C" for m in modules]
    return ("\r\n".join(lines) + "\r\n").encode(_ENCODING)


def _projectwm(modules: Sequence[Module]) -> bytes:
    return b"".join(m.name.encode(_ENCODING) + b"\0" + _utf16(m.name) + b"\0\0" for m in modules) + b"\0\0"


def vba_project(modules: Sequence[Module], name: str = "VBAProject") -> bytes:
    """The vbaProject.bin holding ``modules``; the same input always gives the same bytes."""
    names = [m.name for m in modules]
    if len(set(n.lower() for n in names)) != len(names):
        raise ValueError(f"module names must be unique: {names}")
    sources = {m.name: m.source() for m in modules}
    # A stable project id and seeds (from the sources): a rebuilt workbook is byte-identical.
    digest = hashlib.sha256(b"\0".join(sources.values())).digest()
    project_id = "{" + str(uuid.UUID(bytes=digest[:16])).upper() + "}"
    vba: Tree = {"_VBA_PROJECT": struct.pack("<HHBH", 0x61CC, 0xFFFF, 0, 0),
                 "dir": compress(_dir(modules, name))}
    vba.update({m.name: compress(sources[m.name]) for m in modules})
    return write_cfb({"PROJECT": _project(modules, name, project_id, digest[16]),
                      "PROJECTwm": _projectwm(modules), "VBA": vba})
