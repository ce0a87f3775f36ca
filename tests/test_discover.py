"""discover(): what is read, what is skipped (with a reason), and that nothing is left out."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from pimxl.io.discover import SPREADSHEET_EXTENSIONS, discover, discover_all


def _touch(root: Path, *names: str) -> None:
    for name in names:
        p = root / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(b"x")


def _rows(root: Path, found) -> list[tuple[str, str]]:  # noqa: ANN001
    return [(f.path.relative_to(root).as_posix(), f.status) for f in found]


def test_folder_walk_is_sorted_and_skips_with_reasons(tmp_path: Path) -> None:
    _touch(
        tmp_path,
        "b/plan.xlsx", "a/合同.XLSM", "a/~$合同.xlsm", "a/.~lock.合同.xlsm#", "a/.~合同.xlsx",
        "a/ABCD1234.tmp", "a/notes.docx", "a/scan.pdf", ".git/objects/x.xlsx", ".cache/y.xlsx",
        "汇总-2026-W48.xlsx", "合同状态反馈表-张三.xlsx", "_pimxl_out/any.xlsx", "old.xls", "m.numbers",
        "wps.et", "c/._plan.xlsx",
    )
    found = discover([tmp_path])
    assert _rows(tmp_path, found) == [
        (".cache", "skipped"),
        (".git", "skipped"),
        ("_pimxl_out", "skipped"),
        ("a/.~lock.合同.xlsm#", "skipped"),
        ("a/.~合同.xlsx", "skipped"),
        ("a/ABCD1234.tmp", "skipped"),
        ("a/~$合同.xlsm", "skipped"),
        ("a/合同.XLSM", "candidate"),
        ("b/plan.xlsx", "candidate"),
        ("c/._plan.xlsx", "skipped"),
        ("m.numbers", "skipped"),
        ("old.xls", "candidate"),
        ("wps.et", "candidate"),
        ("合同状态反馈表-张三.xlsx", "skipped"),
        ("汇总-2026-W48.xlsx", "skipped"),
    ]
    reasons = {f.path.name: f.reason_en for f in found}
    assert reasons["~$合同.xlsm"].startswith("Excel/WPS lock file")
    assert reasons[".~lock.合同.xlsm#"].startswith("LibreOffice lock file")
    assert reasons[".git"] == "hidden folder; skipped"
    assert "export to xlsx" in reasons["m.numbers"]
    assert all(f.reason_zh and f.reason_en for f in found if f.status == "skipped")
    assert discover_all([tmp_path]).ignored == 2  # notes.docx, scan.pdf


def test_every_spreadsheet_file_is_accounted_for(tmp_path: Path) -> None:
    names = [f"d{i % 3}/f{i}{ext}" for i, ext in enumerate(sorted(SPREADSHEET_EXTENSIONS))]
    names += ["d0/~$f0.xlsx", "d1/.~lock.f1.ods#", "d2/汇总-x.xlsx", "x.txt"]
    _touch(tmp_path, *names)
    found = discover([tmp_path])
    listed = {f.path.relative_to(tmp_path).as_posix() for f in found}
    spreadsheetish = {n for n in names if not n.endswith(".txt")}
    assert listed == spreadsheetish
    assert len([f for f in found if f.status == "candidate"]) + len(
        [f for f in found if f.status == "skipped"]) == len(spreadsheetish)


def test_deterministic_order(tmp_path: Path) -> None:
    _touch(tmp_path, *[f"p{i}/w{j}.xlsx" for i in (3, 1, 2) for j in (2, 1)])
    assert discover([tmp_path]) == discover([tmp_path])
    assert [f.path.relative_to(tmp_path).as_posix() for f in discover([tmp_path])][:2] == ["p1/w1.xlsx", "p1/w2.xlsx"]


def test_files_given_directly_are_candidates_unless_lock(tmp_path: Path) -> None:
    _touch(tmp_path, "report.pdf", "汇总-2026-W01.xlsx", "~$plan.xlsx", ".hidden/x.xlsx")
    found = discover([tmp_path / "report.pdf", tmp_path / "汇总-2026-W01.xlsx", tmp_path / "~$plan.xlsx"])
    assert [f.status for f in found] == ["candidate", "candidate", "skipped"]
    # a hidden folder named explicitly is walked
    assert [f.status for f in discover([tmp_path / ".hidden"])] == ["candidate"]


def test_exclude_outputs_and_duplicates(tmp_path: Path) -> None:
    _touch(tmp_path, "summary.xlsx", "out/a.xlsx", "plan.xlsx")
    found = discover([tmp_path, tmp_path / "plan.xlsx"],
                     exclude_outputs=[tmp_path / "summary.xlsx", tmp_path / "out"])
    assert _rows(tmp_path, found) == [("out", "skipped"), ("plan.xlsx", "candidate"), ("summary.xlsx", "skipped")]


@pytest.mark.skipif(os.name != "posix", reason="symlinks")
def test_symlink_loops_do_not_hang(tmp_path: Path) -> None:
    _touch(tmp_path, "a/x.xlsx")
    (tmp_path / "a" / "loop").symlink_to(tmp_path, target_is_directory=True)
    (tmp_path / "a" / "gone.xlsx").symlink_to(tmp_path / "missing.xlsx")
    (tmp_path / "link.xlsx").symlink_to(tmp_path / "a" / "x.xlsx")
    found = discover([tmp_path])
    assert _rows(tmp_path, found) == [
        ("a/gone.xlsx", "skipped"), ("a/loop", "skipped"), ("a/x.xlsx", "candidate"),
    ]  # link.xlsx resolves to a/x.xlsx: listed once


def test_numbers_package_folder_is_one_entry(tmp_path: Path) -> None:
    _touch(tmp_path, "Budget.numbers/Index/Document.iwa", "Budget.numbers/preview.jpg")
    assert _rows(tmp_path, discover([tmp_path])) == [("Budget.numbers", "skipped")]
