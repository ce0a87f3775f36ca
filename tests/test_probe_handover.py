"""probe(keep=True) hands its parts to the reader; the DTD check reads a part's whole prolog."""

from __future__ import annotations

from pathlib import Path

import pytest
from fixtures_reader import SAMPLES, expected, snapshot, write_sample
from test_probe_fixtures import make_xlsx

from pimxl.io.probe import probe
from pimxl.io.probe_xml import prolog_verdict
from pimxl.io.read_parts import read_parts
from pimxl.io.reader import read_workbook

EVIL_DTD = '<!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'


@pytest.mark.parametrize("template_id", sorted(SAMPLES))
def test_reader_given_the_probes_parts_reads_the_same_record(tmp_path: Path, template_id: str) -> None:
    path = write_sample(template_id, tmp_path / f"{template_id}.xlsx")
    result = probe(path, keep=True)
    assert result.ok and result.parts is not None
    # the probe inflated the workbook, its rels, the sheets and (whole in their 4 KB head) the tables
    kept = set(result.parts.inflated)
    assert {"xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/worksheets/sheet1.xml"} <= kept
    assert any(name.startswith("xl/tables/") for name in kept)
    sheets, names = result.parts.workbooks["xl/workbook.xml"]  # parsed once, by the probe
    assert [s for s, _ in sheets][-1] == "_pimxl" and any(n == "fld_project_id" for n, _ in names)
    probed = read_workbook(path, probed=result)
    assert result.parts.inflated == {} and result.parts.workbooks == {}  # released by the reader
    assert snapshot(probed) == expected(template_id) == snapshot(read_workbook(path))
    assert probed.findings == read_workbook(path, kind="xlsx").findings


def test_parts_from_the_probe_equal_parts_read_from_the_zip(tmp_path: Path) -> None:
    path = write_sample("project-plan", tmp_path / "plan.xlsx")
    own, handed = read_parts(path), read_parts(path, probe(path, keep=True).parts)
    assert own.names == handed.names and own.names
    assert own.tables == handed.tables and own.tables
    assert own.sheet_paths == handed.sheet_paths
    assert own.custom == handed.custom
    assert own.custom.get("template_id") == "project-plan"
    for sheet in own.sheet_paths:
        assert own.errors(sheet) == handed.errors(sheet)
        assert own._sheet_xml(sheet) == handed._sheet_xml(sheet) != b""


def test_probe_without_keep_holds_nothing(tmp_path: Path) -> None:
    path = write_sample("project-plan", tmp_path / "plan.xlsx")
    assert probe(path).parts is None


@pytest.mark.parametrize(("text", "complete", "expected"), [
    (b'<?xml version="1.0"?><r/>', True, False),
    (b'<?xml version="1.0"?>' + EVIL_DTD.encode() + b"<r/>", True, True),
    (b"<!-- " + b"x" * 10_000 + b" -->" + EVIL_DTD.encode() + b"<r/>", True, True),
    (b"<!-- " + b"x" * 10_000, False, None),  # cut inside a comment: more is needed
    (b"<?pi " + b"x" * 100, False, None),
    (b"\xef\xbb\xbf  <r>" + EVIL_DTD.encode() + b"</r>", True, False),  # after the root: not a DTD to any parser
    (('<?xml version="1.0" encoding="UTF-16"?>' + EVIL_DTD + "<r/>").encode("utf-16"), True, True),
    (b"junk" + EVIL_DTD.encode() + b"<r/>", True, True),  # text before the root: the whole part is searched
])
def test_prolog_verdict(text: bytes, complete: bool, expected: bool | None) -> None:
    assert prolog_verdict(text, complete) is expected


@pytest.mark.parametrize("part", ["sheet", "other", "table"])
def test_doctype_after_a_long_prolog_comment_is_refused(tmp_path: Path, part: str) -> None:
    # The DOCTYPE starts 20 KB into the part, beyond the 4 KB the probe inflates first.
    long = '<?xml version="1.0"?><!-- ' + "padding " * 2500 + " -->" + EVIL_DTD
    assert len(long) > 20_000
    if part == "sheet":
        path = make_xlsx(tmp_path / "p.xlsx", sheet=long + '<worksheet><sheetData/></worksheet>')
    else:
        name = "customXml/item1.xml" if part == "other" else "xl/tables/table1.xml"
        path = make_xlsx(tmp_path / "p.xlsx", extra={name: long + "<r>&b;</r>"})
    result = probe(path)
    assert (result.status, result.code) == ("unreadable", "xml-unsafe")
    assert "DOCTYPE/ENTITY" in result.reason_en


def test_doctype_text_after_the_root_is_harmless(tmp_path: Path) -> None:
    # Beyond the first 4 KB, after the root element: no parser reads it as a DTD, so it is not refused.
    late = '<?xml version="1.0"?><r>' + "<x/>" * 2000 + "<!-- <!DOCTYPE r> --></r>"
    result = probe(make_xlsx(tmp_path / "late.xlsx", extra={"customXml/item1.xml": late}))
    assert result.ok


_FIELDS = ("filename", "orig_filename", "date_time", "compress_type", "comment", "extra", "create_system",
           "create_version", "extract_version", "reserved", "flag_bits", "volume", "internal_attr",
           "external_attr", "header_offset", "CRC", "compress_size", "file_size", "_raw_time")


def test_read_directory_lists_a_zip_as_zipfile_does(tmp_path: Path) -> None:
    import io
    import zipfile

    from pimxl.io.zip_parts import read_directory

    path = write_sample("project-plan", tmp_path / "plan.xlsx")
    data = path.read_bytes()
    mine = read_directory(data)
    assert mine is not None and len(mine) > 10
    theirs = zipfile.ZipFile(io.BytesIO(data)).infolist()
    assert [[getattr(i, k) for k in _FIELDS] for i in mine] == [[getattr(i, k) for k in _FIELDS] for i in theirs]
    # anything less plain is left to zipfile: an archive comment, bytes in front, a cut directory
    with zipfile.ZipFile(tmp_path / "c.zip", "w") as z:
        z.writestr("a.xml", "<a/>")
        z.comment = b"hello"
    assert read_directory((tmp_path / "c.zip").read_bytes()) is None
    assert read_directory(b"junk" + data) is None
    assert read_directory(data[:-30]) is None


def test_memo_remembers_small_parts_only() -> None:
    from pimxl.io.memo import SMALL, memo_small

    calls: list[int] = []

    @memo_small(4)
    def size(data: bytes) -> int:
        calls.append(len(data))
        return len(data)

    small, big = b"x" * 10, b"y" * (SMALL + 1)
    assert [size(small), size(small), size(big), size(big)] == [10, 10, SMALL + 1, SMALL + 1]
    assert calls == [10, SMALL + 1, SMALL + 1]


def test_a_dtd_after_the_root_is_expanded_by_no_parser(tmp_path: Path) -> None:
    """Why the prolog is enough: a DOCTYPE after the root element's start (here beyond the first
    4 KB, so the older head check does not see it either) passes the probe, and still no parser
    expands its entity — expat (read_parts, defusedxml, ElementTree) rejects the part as not
    well-formed, calamine (quick-xml) does not expand entities it was not given."""
    pad = "<!-- " + "padding " * 700 + " -->"
    dtd = '<!DOCTYPE w [<!ENTITY a "EXPANDED">]>'
    sheet = ('<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
             f"{pad}{dtd}<sheetData><row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>&a;</t></is></c></row>"
             "</sheetData></worksheet>")
    custom = ('<?xml version="1.0"?><Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
              'custom-properties" xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
              f'{pad}{dtd}<property name="template_id"><vt:lpwstr>&a;</vt:lpwstr></property></Properties>')
    assert sheet.index("<!DOCTYPE") > 4096
    path = make_xlsx(tmp_path / "late.xlsx", sheet=sheet, extra={"docProps/custom.xml": custom})
    result = probe(path, keep=True)
    assert result.ok
    assert read_parts(path, result.parts).custom == {}  # expat: not well-formed, nothing read
    from pimxl.errors import FileProblem
    from pimxl.io.safe_calamine import read_all_sheets

    # calamine (python-calamine 0.9) refuses the entity it does not know: a one-line reason.
    with pytest.raises(FileProblem) as info:
        read_all_sheets(path, check=False, kind="xlsx")
    assert info.value.code == "file-corrupt" and "unrecognized entity" in info.value.reason_en


def test_read_parts_scans_are_linear_on_tags_left_open() -> None:
    """A sheet of cells never closed (the probe lets 100,000 of them through: a 1 x 100,000 area)
    must not make the error scan retry to the end of the part at every cell (the regex before
    this took minutes); relationships and table columns left open likewise."""
    import time

    from pimxl.io import read_parts as rp

    start = time.process_time()
    assert rp._scan_errors(b'<sheetData><c r="B2" t="e"><v>#REF!</v></c>' + b'<c r="A1" t="e">' * 100_000) == {
        (2, 2): "#REF!"}
    assert rp._scan_formulas(b'<c r="C3"><f>1+1</f><v>2</v></c><c r="D4"/>' + b"<c " * 100_000) == {(3, 3)}
    assert rp._parse_rels(b"<Relationships>" + b'<Relationship Id="a" ' * 100_000, "xl") == ()
    assert rp._parse_table(b"<table " + b'<tableColumn name="a" ' * 100_000) is None
    assert time.process_time() - start < 2.0
