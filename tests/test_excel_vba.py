"""The vbaProject.bin writer: compression, encryption, the compound file, read back by oletools/olefile."""

from __future__ import annotations

import io
import random
import warnings
from typing import Any

import olefile
import pytest

from pimxl.excel.cfb import write_cfb
from pimxl.excel.macros import MACROS, NO_ADDIN_ZH, PYTHON, module_source, vba_string
from pimxl.excel.ovba import Module, compress, encrypt, sheet_module, vba_project, workbook_module

SPEC_EXAMPLES = [  # [MS-OVBA] 3.2: the documented inputs and their compressed containers
    (b"abcdefghijklmnopqrstuv.",
     "01 19 B0 00 61 62 63 64 65 66 67 68 00 69 6A 6B 6C 6D 6E 6F 70 00 71 72 73 74 75 76 2E"),
    (b"#aaabcdefaaaaghijaaaaaklaaamnopqaaaaaaaaaaaarstuvwxyzaaa",
     "01 2F B0 00 23 61 61 61 62 63 64 65 82 66 00 70 61 67 68 69 6A 01 38 08 61 6B 6C 00 30 6D 6E 6F 70 06 71 02 "
     "70 04 10 72 73 74 75 76 10 77 78 79 7A 00 3C"),
]


def olevba() -> Any:
    """oletools' olevba, imported here: it uses pyparsing's old names, warned about on import only."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        from oletools import olevba as module
    return module


def _decompress(data: bytes) -> bytes:
    return bytes(olevba().decompress_stream(bytearray(data)))


@pytest.mark.parametrize(("raw", "packed"), SPEC_EXAMPLES)
def test_spec_examples(raw: bytes, packed: str) -> None:
    assert _decompress(bytes.fromhex(packed)) == raw
    ours = compress(raw)
    assert _decompress(ours) == raw and len(ours) == len(bytes.fromhex(packed))


def test_compression_round_trips() -> None:
    rng = random.Random(7)
    noise = bytes(rng.randrange(256) for _ in range(3000))
    vba = module_source().encode("ascii") * 7
    for raw in (b"", b"a", b"x" * 10000, noise, vba, bytes(range(256)) * 40):
        assert _decompress(compress(raw)) == raw
    assert len(compress(vba)) < len(vba) / 2
    with pytest.raises(ValueError):
        compress(bytes(rng.randrange(256) for _ in range(4095)))


def _decrypt(text: str) -> tuple[int, bytes]:
    """[MS-OVBA] 2.4.3.3, independently of the writer: (project key, data)."""
    buf = bytes.fromhex(text)
    seed, version_enc, key_enc = buf[0], buf[1], buf[2]
    assert seed ^ version_enc == 2
    key = seed ^ key_enc
    unenc1, enc1, enc2 = key, key_enc, version_enc
    out = bytearray()
    for b in buf[3:]:
        byte = b ^ ((enc2 + unenc1) & 0xFF)
        out.append(byte)
        enc2, enc1, unenc1 = enc1, b, byte
    plain = bytes(out[(seed & 6) // 2:])
    assert int.from_bytes(plain[:4], "little") == len(plain) - 4
    return key, plain[4:]


@pytest.mark.parametrize("seed", [0, 1, 2, 5, 6, 0x7F, 0xFF])
def test_encryption_round_trips(seed: int) -> None:
    pid = "{E2E0E410-BF04-4DC5-BDD2-D3FBBA8B7D37}"
    assert _decrypt(encrypt(pid, bytes(4), seed)) == (sum(pid.encode()) & 0xFF, bytes(4))
    assert _decrypt(encrypt(pid, b"\xff", seed))[1] == b"\xff"


def test_cfb_read_back_by_olefile() -> None:
    big = bytes(range(256)) * 30  # over the 4096-byte cut-off: regular sectors
    tree = {"PROJECT": b"p" * 100, "PROJECTwm": b"", "VBA": {"dir": b"d" * 700, "Module1": big,
                                                             "AVeryLongModuleNameIndeed": b"x"}}
    ole = olefile.OleFileIO(io.BytesIO(write_cfb(tree)))
    assert sorted("/".join(p) for p in ole.listdir()) == [
        "PROJECT", "PROJECTwm", "VBA/AVeryLongModuleNameIndeed", "VBA/Module1", "VBA/dir"]
    assert ole.openstream("VBA/Module1").read() == big
    assert ole.openstream("PROJECT").read() == b"p" * 100 and ole.openstream("PROJECTwm").read() == b""
    with pytest.raises(ValueError):
        write_cfb({"x" * 32: b""})


def test_vba_project_read_back_by_olevba() -> None:
    modules = [workbook_module(), sheet_module("Sheet1"), sheet_module("Sheet2"),
               Module("pimxl", module_source())]
    data = vba_project(modules)
    assert data == vba_project(modules)  # deterministic
    parser = olevba().VBA_Parser("vbaProject.bin", data=data)
    found = {name: code for _, _, name, code in parser.extract_macros()}
    assert set(found) == {"ThisWorkbook.cls", "Sheet1.cls", "Sheet2.cls", "pimxl.bas"}
    code = found["pimxl.bas"]
    for macro, command in PYTHON.items():
        assert f"Public Sub {macro}()" in code and f'PimxlRun "{command}"' in code
    assert "Application.Run \"'xlwings.xlam'!RunPython\", pythonCode" in code
    ole = olefile.OleFileIO(io.BytesIO(data))
    project = ole.openstream("PROJECT").read().decode("cp1252")
    assert "Document=ThisWorkbook/&H00000000\r\nDocument=Sheet1/&H00000000" in project
    assert "Module=pimxl\r\n" in project
    pid = project.split('ID="', 1)[1].split('"', 1)[0]
    props = dict(line.split("=", 1) for line in project.splitlines() if line[:4] in ("CMG=", "DPB=", "GC=\""))
    assert _decrypt(props["CMG"].strip('"'))[1] == bytes(4)      # not locked
    assert _decrypt(props["DPB"].strip('"'))[1] == b"\0"          # no password
    assert _decrypt(props["GC"].strip('"'))[1] == b"\xff"         # visible
    assert _decrypt(props["CMG"].strip('"'))[0] == sum(pid.encode()) & 0xFF
    # Source only: version 0xFFFF and no performance cache, so Excel compiles on open.
    assert ole.openstream("VBA/_VBA_PROJECT").read() == b"\xcc\x61\xff\xff\x00\x00\x00"
    with pytest.raises(ValueError):
        vba_project([sheet_module("Sheet1"), sheet_module("SHEET1")])


@pytest.mark.parametrize(("text", "vba"), [
    ("", '""'),
    ('say "hi"', '"say ""hi"""'),
    ("校验", "ChrW(&H6821) & ChrW(&H9A8C)"),
    ("a校b", '"a" & ChrW(&H6821) & "b"'),
])
def test_vba_string(text: str, vba: str) -> None:
    assert vba_string(text) == vba


def test_module_source_is_ascii_and_names_the_buttons() -> None:
    src = module_source()
    src.encode("ascii")
    assert set(MACROS.values()) == set(PYTHON)
    assert vba_string(NO_ADDIN_ZH) in src
    assert max(len(line) for line in src.splitlines()) < 1023  # VBA's line length limit
