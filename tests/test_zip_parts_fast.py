"""The stored copy of a probed zip (zip_parts.stored_copy) that python-calamine opens instead of the file."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
import python_calamine

from pimxl.io.probe import probe
from pimxl.io.safe_calamine import open_probed
from pimxl.io.zip_parts import stored_copy

FIXTURE = Path(__file__).parent / "fixtures" / "contract-progress-v1-filled.xlsx"


def _sheets(wb: python_calamine.CalamineWorkbook) -> dict[str, list[list[object]]]:
    return {n: wb.get_sheet_by_name(n).to_python(skip_empty_area=False) for n in wb.sheet_names}


def test_copy_reads_the_same_cells_and_keeps_every_member() -> None:
    pr = probe(FIXTURE, keep=True)
    assert pr.ok and pr.parts is not None
    data = stored_copy(pr.parts)
    assert data is not None
    original, copy = zipfile.ZipFile(FIXTURE), zipfile.ZipFile(io.BytesIO(data))
    assert [i.filename for i in copy.infolist()] == [i.filename for i in original.infolist()]
    for info in original.infolist():
        assert copy.read(info.filename) == original.read(info)  # CRCs checked by zipfile as well
    # The parts the probe inflated are stored: calamine does not inflate them again.
    stored = {i.filename for i in copy.infolist() if i.compress_type == zipfile.ZIP_STORED}
    assert stored >= set(pr.parts.inflated)
    assert _sheets(python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))) == _sheets(
        python_calamine.CalamineWorkbook.from_path(str(FIXTURE)))
    pr.parts.close()


def test_no_copy_without_a_plain_directory(tmp_path: Path) -> None:
    # An archive comment makes the directory not plain: the file is opened from its path as before.
    path = tmp_path / "commented.xlsx"
    with zipfile.ZipFile(FIXTURE) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info, src.read(info))
        dst.comment = b"hello"
    pr = probe(path, keep=True)
    assert pr.ok and pr.parts is not None
    assert pr.parts.plain is None and stored_copy(pr.parts) is None
    assert _sheets(open_probed(path, pr.kind, pr.parts)) == _sheets(
        python_calamine.CalamineWorkbook.from_path(str(FIXTURE)))


@pytest.mark.filterwarnings("ignore:Duplicate name")
def test_no_copy_when_names_repeat(tmp_path: Path) -> None:
    path = tmp_path / "twice.xlsx"
    with zipfile.ZipFile(FIXTURE) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info, src.read(info))
        dst.writestr("docProps/app.xml", b"<Properties/>")
    pr = probe(path, keep=True)
    if pr.ok and pr.parts is not None:
        assert stored_copy(pr.parts) is None


def test_closed_parts_give_no_copy() -> None:
    pr = probe(FIXTURE, keep=True)
    assert pr.parts is not None
    pr.parts.close()
    assert stored_copy(pr.parts) is None


def test_no_copy_beyond_the_size_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    import pimxl.io.zip_parts as zp

    pr = probe(FIXTURE, keep=True)
    assert pr.parts is not None and stored_copy(pr.parts) is not None
    monkeypatch.setattr(zp, "STORED_MAX", 1000)
    assert stored_copy(pr.parts) is None
    # Opened from its path instead: the same cells.
    assert _sheets(open_probed(FIXTURE, pr.kind, pr.parts)) == _sheets(
        python_calamine.CalamineWorkbook.from_path(str(FIXTURE)))


def test_no_copy_with_extra_fields(tmp_path: Path) -> None:
    # An Info-ZIP Unicode path field (0x7075) could name an entry differently for calamine's zip reader.
    path = tmp_path / "extra.xlsx"
    with zipfile.ZipFile(FIXTURE) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            copy = zipfile.ZipInfo(info.filename, info.date_time)
            copy.compress_type = zipfile.ZIP_DEFLATED
            copy.extra = b"\x75\x70\x05\x00\x01\x00\x00\x00\x00" if info.filename == "docProps/app.xml" else b""
            dst.writestr(copy, src.read(info))
    pr = probe(path, keep=True)
    assert pr.ok and pr.parts is not None and pr.parts.plain is not None
    assert stored_copy(pr.parts) is None
