"""The probe's cell-extent scan: no way of writing a far cell gets past it (calamine would place it and
the reader's grid from A1 would exhaust memory), and ordinary sheets still read."""

from __future__ import annotations

import zipfile
from pathlib import Path

import openpyxl
import pytest

from pimxl.io.probe import exact_area, fast_area, probe
from pimxl.io.probe_cells import sheet_area


def _with_sheet_edit(tmp_path: Path, old: bytes, new: bytes, name: str = "far") -> Path:
    src = tmp_path / "src.xlsx"
    wb = openpyxl.Workbook()
    wb.active["A1"] = 1
    wb.save(src)
    out = tmp_path / f"{name}.xlsx"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                assert old in data
                data = data.replace(old, new)
            zout.writestr(info, data)
    return out


def _with_far_cell(tmp_path: Path, sep: bytes) -> Path:
    return _with_sheet_edit(tmp_path, b'<c r="A1"', b"<c" + sep + b'r="ZZ900000"', f"far-{sep.hex()}")


@pytest.mark.parametrize("sep", [b" ", b"\t", b"\n", b"\r\n", b" \n"])
def test_far_cell_found_whatever_the_white_space(tmp_path: Path, sep: bytes) -> None:
    result = probe(_with_far_cell(tmp_path, sep))
    assert result.status == "unreadable", sep
    assert "too many cells" in result.reason_en


# Every one of these was read by calamine at row 900000 (measured with python-calamine 0.9: the
# sheet's start and end are (899999, 701)) while the probe before this scan let it through.
@pytest.mark.parametrize("tag", [
    b"<c r='ZZ900000'",           # single quotes
    b'<c r = "ZZ900000"',         # white space around '='
    b'<c r="zz900000"',           # lower-case column letters
    b'<c r="ZZ0000900000"',       # leading zeros (more than 7 digits)
    b'<c r="ZZ900000" a="/>"',    # a '/>' inside a later attribute's value (looked self-closing)
])
def test_far_cell_found_however_written(tmp_path: Path, tag: bytes) -> None:
    result = probe(_with_sheet_edit(tmp_path, b'<c r="A1"', tag))
    assert (result.status, result.code) == ("unreadable", "file-too-large"), tag
    assert "900000 rows x 702 columns" in result.reason_en


@pytest.mark.parametrize("tag", [b'<c s="0" a="/>" r="ZZ900000"', b'<x:c r="ZZ900000"'])
def test_far_cell_found_also_as_before(tmp_path: Path, tag: bytes) -> None:
    result = probe(_with_sheet_edit(tmp_path, b'<c r="A1"', tag))
    assert (result.status, result.code) == ("unreadable", "file-too-large"), tag


def test_cells_without_reference_in_a_far_row_count_every_column(tmp_path: Path) -> None:
    # calamine places <c> without r at the row's r and one column after the previous cell (a <c/>
    # too): 2,000 of them in row 3,000 span 3,000 x 2,001 cells.
    cells = b"<c/>" + b"<c><v>1</v></c>" * 2000
    path = _with_sheet_edit(tmp_path, b'<row r="1"><c r="A1" t="n"><v>1</v></c></row>',
                            b'<row r="3000">' + cells + b"</row>")
    result = probe(path)
    assert (result.status, result.code) == ("unreadable", "file-too-large")
    assert "3000 rows x 2001 columns" in result.reason_en


def test_ordinary_workbook_is_ok(tmp_path: Path) -> None:
    path = _with_sheet_edit(tmp_path, b'<c r="A1"', b'<c r="A1"', "plain")
    assert probe(path).status == "ok"


@pytest.mark.parametrize(("xml", "expected"), [
    (b'<sheetData><row r="2"><c r="B2"><v>1</v></c><c r="C2"/></row></sheetData>', (2, 3)),
    (b'<sheetData><row r="9"><c r="AA3"><v>1</v></c></row><row r="1"><c r="A1"/></row></sheetData>', (3, 27)),
    (b"<sheetData></sheetData>", (0, 0)),
    # not the plain form: the exact scan decides
    (b'<sheetData><row r="2"><c><v>1</v></c></row></sheetData>', None),
    (b'<sheetData><row r="2"><c\tr="B2"><v>1</v></c></row></sheetData>', None),
    (b'<sheetData><row r="2"><x:c r="B2"><v>1</v></x:c></row></sheetData>', None),
    (b"<sheetData><row r=\"2\"><c r='B2'><v>1</v></c></row></sheetData>", None),
])
def test_fast_area(xml: bytes, expected: tuple[int, int] | None) -> None:
    assert fast_area(xml) == expected


@pytest.mark.parametrize(("xml", "expected"), [
    # cells placed by their references; self-closing ones hold nothing
    (b'<row r="2"><c r="B2"><v>1</v></c><c r="Z2"/></row>', (2, 2)),
    # rows without r follow the previous one; cells without r the previous cell
    (b'<row r="4"><c><v>1</v></c></row><row><c/><c/><c><v>1</v></c></row>', (5, 3)),
    # a row end resets the column; the row's r may go back (the larger is kept)
    (b'<row r="7"><c r="C7"><v>1</v></c></row><row r="2"><c><v>1</v></c></row>', (8, 3)),
    # comments and CDATA hide nothing and add nothing
    (b'<row r="1"><!-- <c r="ZZ99"><v>1</v></c> --><c r="A1"><v><![CDATA[<c r="Q9">]]></v></c></row>', (1, 1)),
    # a '>' inside a value does not end the tag early
    (b'<row r="1"><c a=">" r="D1"><v>1</v></c></row>', (1, 4)),
])
def test_exact_area(xml: bytes, expected: tuple[int, int]) -> None:
    assert exact_area(xml) == expected


def test_utf16_sheet_is_scanned_decoded() -> None:
    xml = '<?xml version="1.0" encoding="UTF-16"?><worksheet><row r="9"><c r="J9"><v>1</v></c></row></worksheet>'
    assert sheet_area(xml.encode("utf-16"), 5_000_000) == (9, 10)


@pytest.mark.parametrize("junk", [b"<c ", b'<c a="', b"<c a='", b"<c\t<row "])
def test_scan_is_linear_on_tags_left_open(junk: bytes) -> None:
    # Tags never closed: a pattern that failed and was retried at each '<c' took 27 s for 60 KB
    # (the scan before this one: 0.5 MB would have taken hours). Now one pass: well under a second.
    import time

    part = b"<worksheet><sheetData>" + junk * 100_000
    start = time.process_time()
    rows, cols = sheet_area(part, 5_000_000)
    assert time.process_time() - start < 2.0
    assert rows <= 1 and cols <= 100_000
