"""Small generators of hostile and odd files for test_probe (no tests here).

Everything is built byte by byte so that each fixture holds exactly the defect under test:
OOXML zips from XML strings, a minimal CFB (OLE2) container with chosen streams, BIFF8 record
streams, ODS packages.
"""

from __future__ import annotations

import struct
import zipfile
from pathlib import Path

NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
CT_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="{main}"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'
)
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
    'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK = (
    f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{NS}" xmlns:r="http://schemas.openxmlformats.org/'
    'officeDocument/2006/relationships"><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
    'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'sharedStrings" Target="sharedStrings.xml"/></Relationships>'
)


def sheet_xml(cells: list[str] = ("A1",), *, dimension: str = "A1", empty: list[str] = ()) -> str:
    """A worksheet with a number in each of ``cells`` and styled empty cells at ``empty``."""
    rows: dict[int, list[str]] = {}
    for ref in cells:
        rows.setdefault(int("".join(c for c in ref if c.isdigit())), []).append(f'<c r="{ref}"><v>1</v></c>')
    for ref in empty:
        rows.setdefault(int("".join(c for c in ref if c.isdigit())), []).append(f'<c r="{ref}" s="1"/>')
    body = "".join(f'<row r="{r}">{"".join(cs)}</row>' for r, cs in sorted(rows.items()))
    return (f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{NS}"><dimension ref="{dimension}"/>'
            f"<sheetData>{body}</sheetData></worksheet>")


SHARED_STRINGS = f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{NS}" count="1" uniqueCount="1"><si><t>x</t></si></sst>'


def make_xlsx(path: Path, *, sheet: str | bytes | None = None, workbook: str = WORKBOOK,
              shared_strings: str = SHARED_STRINGS, main_type: str = CT_MAIN,
              extra: dict[str, bytes | str] | None = None, drop: tuple[str, ...] = ()) -> Path:
    parts: dict[str, str | bytes] = {
        "[Content_Types].xml": CONTENT_TYPES.format(main=main_type),
        "_rels/.rels": ROOT_RELS,
        "xl/workbook.xml": workbook,
        "xl/_rels/workbook.xml.rels": WORKBOOK_RELS,
        "xl/worksheets/sheet1.xml": sheet if sheet is not None else sheet_xml(),
        "xl/sharedStrings.xml": shared_strings,
        **(extra or {}),
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            if name not in drop:
                z.writestr(name, data)
    return path


def make_ods(path: Path, content: str, *, manifest_extra: str = "") -> Path:
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:'
        'xmlns:manifest:1.0"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.'
        f'opendocument.spreadsheet"/><manifest:file-entry manifest:full-path="content.xml">{manifest_extra}'
        "</manifest:file-entry></manifest:manifest>"
    )
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet", zipfile.ZIP_STORED)
        z.writestr("META-INF/manifest.xml", manifest, zipfile.ZIP_DEFLATED)
        z.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
    return path


def ods_content(rows_xml: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?><office:document-content '
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:spreadsheet>'
        f'<table:table table:name="T">{rows_xml}</table:table></office:spreadsheet></office:body>'
        "</office:document-content>"
    )


ODS_CELL = '<table:table-cell office:value-type="float" office:value="1"><text:p>1</text:p></table:table-cell>'

# ---------------------------------------------------------------- CFB (OLE2) and BIFF8

ENDOFCHAIN, FREESECT, FATSECT = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD


def _dir_entry(name: str, etype: int, start: int, size: int, child: int = FREESECT) -> bytes:
    raw = name.encode("utf-16-le") + b"\0\0"
    e = raw.ljust(64, b"\0") + struct.pack("<HBB", len(raw), etype, 1)
    e += struct.pack("<III", FREESECT, FREESECT, child) + b"\0" * 16 + b"\0" * 4 + b"\0" * 16
    return e + struct.pack("<IQ", start, size)


def make_cfb(path: Path, streams: dict[str, bytes], *, loop: bool = False) -> Path:
    """A version-3 CFB: sector 0 = FAT, 1 = directory, then each stream (padded to ≥ 4096 bytes).

    ``loop`` makes the last stream's chain point back to its first sector.
    """
    fat = [FATSECT, ENDOFCHAIN]
    entries = [b""]  # the root entry, filled in below
    body = b""
    nxt = 2
    for name, data in streams.items():
        data = data.ljust(4096, b"\0")
        n = -(-len(data) // 512)
        start = nxt
        fat += [start + i + 1 for i in range(n - 1)] + [ENDOFCHAIN]
        entries.append(_dir_entry(name, 2, start, len(data)))
        body += data.ljust(n * 512, b"\0")
        nxt += n
    if loop:
        fat[-1] = start
    entries[0] = _dir_entry("Root Entry", 5, ENDOFCHAIN, 0, child=1)
    assert len(entries) <= 4 and len(fat) <= 128
    directory = b"".join(entries).ljust(512, b"\0")
    fat_sector = struct.pack(f"<{len(fat)}I", *fat).ljust(512, b"\xff")
    header = bytes.fromhex("D0CF11E0A1B11AE1") + b"\0" * 16 + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
    header += b"\0" * 6 + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, ENDOFCHAIN, 0, ENDOFCHAIN, 0)
    header += struct.pack("<109I", 0, *([FREESECT] * 108))
    assert len(header) == 512
    path.write_bytes(header + fat_sector + directory + body)
    return path


def biff_record(rtype: int, body: bytes = b"") -> bytes:
    return struct.pack("<HH", rtype, len(body)) + body


def biff_stream(cells: list[tuple[int, int]] = ((0, 0),), *, filepass: bool = False) -> bytes:
    """Globals (optionally with FILEPASS) and one sheet with a NUMBER record per (row, col)."""
    bof_globals = biff_record(0x0809, struct.pack("<HHHHII", 0x0600, 0x0005, 0, 0, 0, 0))
    bof_sheet = biff_record(0x0809, struct.pack("<HHHHII", 0x0600, 0x0010, 0, 0, 0, 0))
    eof = biff_record(0x000A)
    globals_ = bof_globals + (biff_record(0x002F, b"\x01\x00" + b"\0" * 52) if filepass else b"") + eof
    numbers = b"".join(biff_record(0x0203, struct.pack("<HHHd", r, c, 0, 1.0)) for r, c in cells)
    return globals_ + bof_sheet + numbers + eof
