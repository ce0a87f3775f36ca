"""probe(): every odd or hostile file gets a status, a code and a one-line reason — never a traceback."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from test_probe_fixtures import (
    ODS_CELL,
    biff_stream,
    make_cfb,
    make_ods,
    make_xlsx,
    ods_content,
    sheet_xml,
)

from pimxl.errors import FileProblem
from pimxl.io.probe import Limits, probe
from pimxl.io.safe_calamine import calamine_guard, problem_from_exception, read_all_sheets, safe_open_calamine

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "real-spreadsheets"


def verdict(path: Path, **limits: int) -> tuple[str, str, str]:
    r = probe(path, limits=Limits(**limits)) if limits else probe(path)
    assert "\n" not in r.reason_zh and "\n" not in r.reason_en
    if r.status != "ok":
        assert r.reason_zh and r.reason_en
    return (r.kind, r.status, r.code)


# ---------------------------------------------------------------- not a workbook at all

@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        ("empty.xlsx", b"", ("xlsx", "unreadable", "file-empty")),
        ("page.xlsx", b"<!DOCTYPE html><html><body><table><tr><td>1</td></tr></table></body></html>",
         ("unknown", "unreadable", "not-a-spreadsheet")),
        ("export.xls", "<html><head><meta charset='gbk'></head><table><tr><td>合同</td></tr></table>".encode(),
         ("unknown", "unreadable", "not-a-spreadsheet")),
        ("doc.xlsx", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", ("unknown", "unreadable", "not-a-spreadsheet")),
        ("pic.xlsx", b"\x89PNG\r\n\x1a\n" + b"\0" * 32, ("unknown", "unreadable", "not-a-spreadsheet")),
        ("notes.xlsx", "项目进度说明\n第二行\n".encode(), ("unknown", "unreadable", "not-a-spreadsheet")),
        ("data.csv", b"a,b\n1,2\n", ("csv", "skipped", "file-unsupported")),
        ("flat.fods", b'<?xml version="1.0"?><office:document office:mimetype="application/vnd.oasis.'
                      b'opendocument.spreadsheet" xmlns:office="x">', ("fods", "skipped", "file-unsupported")),
        ("biff2.xls", b"\x09\x00\x04\x00\x07\x00\x10\x00" + b"\0" * 40, ("xls", "skipped", "file-unsupported")),
        ("random.xlsx", bytes(range(256)) * 4, ("unknown", "unreadable", "not-a-spreadsheet")),
        # an Excel lock file holds the owner's name: whoever probes it gets a reason, not a crash
        ("~$plan.xlsx", b"\x06zhangsan" + b" " * 48 + b"\x06\x00z\x00h\x00a\x00n\x00g\x00" + b"\0" * 80,
         ("unknown", "unreadable", "not-a-spreadsheet")),
    ],
)
def test_not_a_workbook(tmp_path: Path, name: str, data: bytes, expected: tuple[str, str, str]) -> None:
    (tmp_path / name).write_bytes(data)
    assert verdict(tmp_path / name) == expected


def test_missing_folder_and_size_limit(tmp_path: Path) -> None:
    assert verdict(tmp_path / "nope.xlsx") == ("xlsx", "unreadable", "file-unreadable")
    assert verdict(tmp_path) == ("unknown", "unreadable", "file-unreadable")
    ok = make_xlsx(tmp_path / "ok.xlsx")
    assert verdict(ok, max_file_bytes=100) == ("xlsx", "unreadable", "file-too-large")


# ---------------------------------------------------------------- OOXML

def test_plain_xlsx_and_content_kind(tmp_path: Path) -> None:
    assert verdict(make_xlsx(tmp_path / "a.xlsx")) == ("xlsx", "ok", "")
    # the content decides, not the name
    assert verdict(make_xlsx(tmp_path / "a.xls")) == ("xlsx", "ok", "")
    macro = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
    assert verdict(make_xlsx(tmp_path / "m.xlsx", main_type=macro)) == ("xlsm", "ok", "")


def test_openpyxl_workbook_reads(tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    wb.active.append(["项目编号", "P-001"])
    wb.save(tmp_path / "p.xlsx")
    assert verdict(tmp_path / "p.xlsx") == ("xlsx", "ok", "")
    assert read_all_sheets(tmp_path / "p.xlsx") == {"Sheet": [["项目编号", "P-001"]]}


def test_truncated_and_damaged_zip(tmp_path: Path) -> None:
    good = make_xlsx(tmp_path / "good.xlsx", sheet=sheet_xml([f"A{i}" for i in range(1, 400)])).read_bytes()
    (tmp_path / "half.xlsx").write_bytes(good[: len(good) // 2])
    assert verdict(tmp_path / "half.xlsx") == ("xlsx", "unreadable", "file-corrupt")
    # flip bytes inside the compressed sheet: a CRC (or inflate) error
    i = good.find(b"xl/worksheets/sheet1.xml") + 60
    (tmp_path / "crc.xlsx").write_bytes(good[:i] + bytes(b ^ 0x55 for b in good[i: i + 40]) + good[i + 40:])
    assert verdict(tmp_path / "crc.xlsx") == ("xlsx", "unreadable", "file-corrupt")


def test_missing_parts(tmp_path: Path) -> None:
    assert verdict(make_xlsx(tmp_path / "a.xlsx", drop=("xl/workbook.xml",)))[2] == "file-corrupt"
    assert verdict(make_xlsx(tmp_path / "b.xlsx", drop=("xl/worksheets/sheet1.xml",)))[2] == "file-corrupt"
    assert verdict(make_xlsx(tmp_path / "c.xlsx", drop=("_rels/.rels",)))[2] == "file-corrupt"
    with zipfile.ZipFile(tmp_path / "plain.zip", "w") as z:
        z.writestr("readme.txt", "hello")
    assert verdict(tmp_path / "plain.zip") == ("unknown", "unreadable", "not-a-spreadsheet")
    (tmp_path / "plain.zip").rename(tmp_path / "plain.xlsx")
    assert verdict(tmp_path / "plain.xlsx") == ("xlsx", "unreadable", "file-corrupt")


def test_word_document_named_xlsx(tmp_path: Path) -> None:
    word = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
    assert verdict(make_xlsx(tmp_path / "w.xlsx", main_type=word)) == ("unknown", "unreadable", "not-a-spreadsheet")


def test_zip_bombs(tmp_path: Path) -> None:
    # 8 MiB of one repeated byte compresses ~1000x
    bomb = make_xlsx(tmp_path / "bomb.xlsx", extra={"xl/media/pad.bin": b"\0" * (8 << 20)})
    assert verdict(bomb) == ("xlsx", "unreadable", "zip-bomb")
    many = make_xlsx(tmp_path / "many.xlsx", extra={f"x/{i}.xml": "<a/>" for i in range(30)})
    assert verdict(many, max_entries=20) == ("xlsx", "unreadable", "zip-bomb")
    assert verdict(many, max_unzipped_bytes=1000) == ("xlsx", "unreadable", "file-too-large")


@pytest.mark.parametrize("part", ["workbook", "shared_strings", "sheet", "other"])
def test_xml_entities_refused(tmp_path: Path, part: str) -> None:
    evil = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>'
            '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>&lol2;</t></si></sst>')
    kwargs: dict = {
        "workbook": {"workbook": evil}, "shared_strings": {"shared_strings": evil}, "sheet": {"sheet": evil},
        "other": {"extra": {"customXml/item1.xml": '<?xml version="1.0"?><!DOCTYPE r SYSTEM "file:///etc/passwd"><r/>'}},
    }[part]
    assert verdict(make_xlsx(tmp_path / "e.xlsx", **kwargs)) == ("xlsx", "unreadable", "xml-unsafe")


def test_cell_span_guard(tmp_path: Path) -> None:
    # a declared dimension alone costs nothing in calamine: fine
    dim = make_xlsx(tmp_path / "dim.xlsx", sheet=sheet_xml(["A1"], dimension="A1:XFD1048576"))
    assert verdict(dim) == ("xlsx", "ok", "")
    # styled empty cells down to the last row (what Excel writes after formatting a column): fine
    styled = make_xlsx(tmp_path / "styled.xlsx", sheet=sheet_xml(["A1", "B2"], empty=["A1048576", "XFD1"]))
    assert verdict(styled) == ("xlsx", "ok", "")
    # two real cells far apart would make calamine allocate 17 G cells and abort the process
    sparse = make_xlsx(tmp_path / "sparse.xlsx", sheet=sheet_xml(["A1", "XFD1048576"]))
    assert verdict(sparse) == ("xlsx", "unreadable", "file-too-large")
    # cells without r take the row from <row r=…>
    no_ref = ('<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
              '<sheetData><row r="1"><c r="ZZ1"><v>1</v></c></row><row r="900000"><c><v>1</v></c></row>'
              "</sheetData></worksheet>")
    assert verdict(make_xlsx(tmp_path / "noref.xlsx", sheet=no_ref))[2] == "file-too-large"


def test_numbers_zip(tmp_path: Path) -> None:
    with zipfile.ZipFile(tmp_path / "a.numbers", "w") as z:
        z.writestr("Index/Document.iwa", b"\0\1\2")
        z.writestr("preview.jpg", b"\xff\xd8\xff")
    r = probe(tmp_path / "a.numbers")
    assert (r.kind, r.status, r.code) == ("numbers", "skipped", "file-unsupported")
    assert r.reason_zh == "Numbers 文件不支持，请导出为 xlsx"
    (tmp_path / "pkg.numbers").mkdir()
    assert verdict(tmp_path / "pkg.numbers") == ("numbers", "skipped", "file-unsupported")


# ---------------------------------------------------------------- ODS

def test_ods(tmp_path: Path) -> None:
    small = make_ods(tmp_path / "a.ods", ods_content(f"<table:table-row>{ODS_CELL}</table:table-row>"))
    assert verdict(small) == ("ods", "ok", "")
    # trailing empty repeats (what Excel writes into ODS) do not count
    trailing = ods_content(f'<table:table-row>{ODS_CELL}<table:table-cell table:number-columns-repeated="16383"/>'
                           '</table:table-row><table:table-row table:number-rows-repeated="1048575">'
                           '<table:table-cell table:number-columns-repeated="16384"/></table:table-row>')
    assert verdict(make_ods(tmp_path / "t.ods", trailing)) == ("ods", "ok", "")
    wide_cell = ODS_CELL.replace("<table:table-cell ", '<table:table-cell table:number-columns-repeated="100" ')
    huge = ods_content(f'<table:table-row table:number-rows-repeated="1000000">{wide_cell}</table:table-row>')
    assert verdict(make_ods(tmp_path / "h.ods", huge)) == ("ods", "unreadable", "file-too-large")
    enc = make_ods(tmp_path / "e.ods", "garbage", manifest_extra="<manifest:encryption-data/>")
    assert verdict(enc) == ("ods", "unreadable", "file-encrypted")


# ---------------------------------------------------------------- OLE2 / xls

def test_xls_records(tmp_path: Path) -> None:
    assert verdict(make_cfb(tmp_path / "a.xls", {"Workbook": biff_stream()})) == ("xls", "ok", "")
    enc = make_cfb(tmp_path / "e.xls", {"Workbook": biff_stream(filepass=True)})
    assert verdict(enc) == ("xls", "unreadable", "file-encrypted")
    wide = make_cfb(tmp_path / "w.xls", {"Workbook": biff_stream([(0, 0), (65535, 255)])})
    assert verdict(wide) == ("xls", "unreadable", "file-too-large")
    # BIFF5 names the stream "Book"; lookups are case-insensitive
    assert verdict(make_cfb(tmp_path / "b.xls", {"BOOK": biff_stream()})) == ("xls", "ok", "")


def test_cfb_defects(tmp_path: Path) -> None:
    # a sector chain that loops makes calamine grow a vector until the process dies
    loop = make_cfb(tmp_path / "loop.xls", {"Workbook": biff_stream() * 10}, loop=True)
    assert verdict(loop) == ("xls", "unreadable", "file-corrupt")
    data = make_cfb(tmp_path / "t.xls", {"Workbook": biff_stream() * 10}).read_bytes()
    (tmp_path / "t.xls").write_bytes(data[:1500])
    assert verdict(tmp_path / "t.xls") == ("xls", "unreadable", "file-corrupt")
    assert verdict(make_cfb(tmp_path / "d.xls", {"WordDocument": b"x"})) == ("unknown", "unreadable", "not-a-spreadsheet")


def test_encrypted_ooxml_in_cfb(tmp_path: Path) -> None:
    enc = make_cfb(tmp_path / "secret.xlsx", {"EncryptionInfo": b"\4\0\4\0", "EncryptedPackage": b"\0" * 100})
    r = probe(enc)
    assert (r.kind, r.status, r.code) == ("xlsx", "unreadable", "file-encrypted")
    assert r.reason_zh.startswith("文件已加密（需要密码），无法读取")


@pytest.mark.skipif(not CORPUS.is_dir(), reason="shared corpus not present")
@pytest.mark.parametrize("name", [
    "ExcelDataReader-ExcelDataReader/agile_AES128_MD5_CBC_pwd_password.xlsx",  # OOXML in CFB
    "apache-poi/password.xls",  # BIFF8 FILEPASS RC4
    "SheetJS-test_files/password_2002_40_xor.xls",  # XOR: calamine says "Codepage D7D4 not found"
    "roo-rb-roo/encrypted-letmein.ods",
])
def test_corpus_encrypted(name: str) -> None:
    assert probe(CORPUS / name).code == "file-encrypted"


@pytest.mark.skipif(not CORPUS.is_dir(), reason="shared corpus not present")
def test_corpus_sector_loop() -> None:
    # calamine 0.9.1 allocates without bound on this file (Test_git_issue_382_oom.xls); probe refuses it
    r = probe(CORPUS / "ExcelDataReader-ExcelDataReader/Test_git_issue_382_oom.xls")
    assert (r.status, r.code, r.reason_en) == ("unreadable", "file-corrupt", "file is corrupt: OLE sector chain loops")


# ---------------------------------------------------------------- the calamine guard

def test_safe_open_raises_file_problem(tmp_path: Path) -> None:
    (tmp_path / "x.xlsx").write_bytes(b"<html></html>")
    with pytest.raises(FileProblem) as e:
        safe_open_calamine(tmp_path / "x.xlsx")
    assert e.value.code == "not-a-spreadsheet"
    # without the probe, calamine's own error is translated too
    with pytest.raises(FileProblem) as e:
        safe_open_calamine(tmp_path / "x.xlsx", check=False)
    assert "\n" not in e.value.reason_en


def test_exception_mapping() -> None:
    class PanicException(BaseException):  # what pyo3 raises for a Rust panic
        pass

    class PasswordError(Exception):
        pass

    assert problem_from_exception(PanicException("index out of bounds\nat src/x.rs")).code == "file-corrupt"
    assert "\n" not in problem_from_exception(PanicException("a\nb")).reason_en
    assert problem_from_exception(PasswordError("Workbook is password protected")).code == "file-encrypted"
    assert problem_from_exception(MemoryError()).code == "file-too-large"
    with pytest.raises(FileProblem):
        with calamine_guard():
            raise PanicException("boom")
    with pytest.raises(KeyboardInterrupt):
        with calamine_guard():
            raise KeyboardInterrupt
