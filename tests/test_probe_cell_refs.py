"""The probe's cell-extent scan: the fast literal-anchored pattern never lets a far cell through."""

from __future__ import annotations

import zipfile
from pathlib import Path

import openpyxl
import pytest

from pimxl.io.probe import _other_space_r, probe


def _with_far_cell(tmp_path: Path, sep: bytes) -> Path:
    src = tmp_path / "src.xlsx"
    wb = openpyxl.Workbook()
    wb.active["A1"] = 1
    wb.save(src)
    out = tmp_path / f"far-{sep.hex()}.xlsx"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                assert b'<c r="A1"' in data
                data = data.replace(b'<c r="A1"', b"<c" + sep + b'r="ZZ900000"')
            zout.writestr(info, data)
    return out


@pytest.mark.parametrize("sep", [b" ", b"\t", b"\n", b"\r\n", b" \n"])
def test_far_cell_found_whatever_the_white_space(tmp_path: Path, sep: bytes) -> None:
    result = probe(_with_far_cell(tmp_path, sep))
    assert result.status == "unreadable", sep
    assert "too many cells" in result.reason_en


def test_other_space_detection() -> None:
    assert not _other_space_r(b'<?xml version="1.0"?>\n<worksheet><c r="A1"><v>1</v></c></worksheet>')
    assert _other_space_r(b'<c\nr="A1">') and _other_space_r(b'<c\tr="A1">') and _other_space_r(b"<c\rr='A1'>")
    assert _other_space_r(b"\n" * 100)  # pretty-printed: the general scan
