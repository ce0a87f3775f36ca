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


def test_links_pointing_at_each_other_are_skipped_with_a_reason(tmp_path: Path) -> None:
    # a.xlsx → b.xlsx → a.xlsx, and a non-spreadsheet link to itself: stat-ing any of them fails (ELOOP).
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "a.xlsx").symlink_to("b.xlsx")
    (tmp_path / "d" / "b.xlsx").symlink_to("a.xlsx")
    (tmp_path / "d" / "self.txt").symlink_to("self.txt")
    _touch(tmp_path, "d/ok.xlsx")
    found = discover_all([tmp_path])
    assert [(f.path.relative_to(tmp_path).as_posix(), f.status, f.kind, f.reason_en) for f in found.found] == [
        ("d/a.xlsx", "skipped", "xlsx", "symbolic link loop; cannot be read"),
        ("d/b.xlsx", "skipped", "xlsx", "symbolic link loop; cannot be read"),
        ("d/ok.xlsx", "candidate", "xlsx", ""),
    ]
    assert found.ignored == 1 and found.found[0].reason_zh == "符号链接循环，无法读取"


def test_a_folder_given_twice_or_inside_another_is_counted_once(tmp_path: Path) -> None:
    _touch(tmp_path, "a/x.xlsx", "a/notes.docx", "a/b/y.xlsx", "a/b/scan.pdf")
    once = discover_all([tmp_path / "a"])
    assert (len(once.found), once.ignored) == (2, 2)
    again = discover_all([tmp_path / "a", tmp_path / "a", tmp_path / "a" / "b"])
    assert [f.path for f in again.found] == [f.path for f in once.found] and again.ignored == 2


def test_numbers_package_folder_is_one_entry(tmp_path: Path) -> None:
    _touch(tmp_path, "Budget.numbers/Index/Document.iwa", "Budget.numbers/preview.jpg")
    assert _rows(tmp_path, discover([tmp_path])) == [("Budget.numbers", "skipped")]


# --- One tricky tree: every rule at once, the expected lists written out by hand from the rules. ---

_LOCKED = "锁不住"  # a folder that cannot be listed (os.scandir fails; chmod is no use when tests run as root)


def _tricky_tree(tmp_path: Path) -> Path:
    """The tree walked by the tests below; ``tmp_path/"elsewhere"`` holds the targets of links leaving it."""
    root, away = tmp_path / "tree", tmp_path / "elsewhere"
    _touch(away, "real.xlsx", "dir/x.xlsx", "pkg.numbers/Index.zip")
    _touch(
        root,
        "A项目/合同.XLSX", "A项目/旧表.xls", "A项目/宏.xlsm", "A项目/表.ods", "A项目/数据.csv", "A项目/说明.docx",
        "A项目/a..xlsx", "A项目/a.", "A项目/.xlsx", "A项目/.备份.xlsx", "A项目/~$合同.XLSX", "A项目/.~lock.表.ods#",
        "A项目/.~lock.notes.docx#", "A项目/ABC.TMP", "A项目/x.temp", "A项目/.~tmp.xlsx", "A项目/._plan.xlsx",
        "A项目/汇总-2026-W01.xlsx", "A项目/项目经理待办-李四.xls", "A项目/Budget.numbers", "A项目/表格.xlsx.bak",
        "A项目/README", "A项目/Pkg.NUMBERS/Index/Document.iwa", "A项目/汇总-pkg.numbers/Index.zip",
        ".hidden/x.xlsx", "_pimxl_out/a.xlsx", "_pimxl_out/b.numbers", "sub.xlsx/inner.xlsx",
        "深/层/目录/表.XLSM", "深/层/备注.txt", f"{_LOCKED}/plan.xlsx",
    )
    (root / "-to-hidden").symlink_to(root / ".hidden", target_is_directory=True)  # sorts before .hidden
    (root / "0-link.xlsx").symlink_to(root / "A项目" / "旧表.xls")  # sorts before its target
    (root / "zz-link.xlsx").symlink_to(root / "A项目" / "合同.XLSX")  # sorts after its target
    links = root / "链接"
    links.mkdir()
    (links / "to_file.xlsx").symlink_to(away / "real.xlsx")
    (links / "to_dir").symlink_to(away / "dir", target_is_directory=True)
    (links / "to_pkg.numbers").symlink_to(away / "pkg.numbers", target_is_directory=True)
    (links / "dangling.xlsx").symlink_to(away / "missing.xlsx")
    (links / "dangling.txt").symlink_to(away / "missing.txt")
    (links / "report").symlink_to(away / "real.xlsx")
    return root


def _lock_folder(monkeypatch: pytest.MonkeyPatch, folder: Path) -> None:
    """``os.scandir(folder)`` fails with EACCES (whichever form of the path is passed)."""
    real_scandir = os.scandir

    def scandir(path: str | os.PathLike[str] = ".") -> object:
        if os.path.abspath(os.fspath(path)) == str(folder):
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)


LOCK_XL = "Excel/WPS lock file (the workbook is open); skipped"
LOCK_LO = "LibreOffice lock file; skipped"
TEMP = "temporary file; skipped"
HIDDEN = "hidden file; skipped"
OUTPUT = "an output written by pimxl; skipped"
NUMBERS = "Numbers files are not supported; export to xlsx"
LINK_DIR = "symbolic link to a folder; not followed"
OUT_DIR = "pimxl output folder; skipped"

# (path relative to the tree, status, kind, reason_en), in walk order (sorted by code point, depth first)
TRICKY_EXPECTED = [
    ("-to-hidden", "skipped", "folder", LINK_DIR),  # .hidden itself then resolves to the same folder: not listed
    ("A项目/._plan.xlsx", "skipped", "xlsx", HIDDEN),  # ".xlsx" has no suffix: ignored
    ("A项目/.~lock.表.ods#", "skipped", "ods#", LOCK_LO),  # ".~lock.notes.docx#" locks no spreadsheet: ignored
    ("A项目/.~tmp.xlsx", "skipped", "xlsx", TEMP),
    ("A项目/.备份.xlsx", "skipped", "xlsx", HIDDEN),
    ("A项目/ABC.TMP", "skipped", "tmp", TEMP),
    ("A项目/Budget.numbers", "skipped", "numbers", NUMBERS),
    ("A项目/Pkg.NUMBERS", "skipped", "numbers", NUMBERS),  # a package (folder): one entry; README, "a.": ignored
    ("A项目/a..xlsx", "candidate", "xlsx", ""),
    ("A项目/x.temp", "skipped", "temp", TEMP),
    ("A项目/~$合同.XLSX", "skipped", "xlsx", LOCK_XL),
    ("A项目/合同.XLSX", "candidate", "xlsx", ""),
    ("A项目/宏.xlsm", "candidate", "xlsm", ""),  # 数据.csv: ignored
    ("A项目/旧表.xls", "candidate", "xls", ""),  # met first as 0-link.xlsx (a link to it): listed as itself
    ("A项目/汇总-2026-W01.xlsx", "skipped", "xlsx", OUTPUT),
    ("A项目/汇总-pkg.numbers", "skipped", "numbers", OUTPUT),
    ("A项目/表.ods", "candidate", "ods", ""),  # 表格.xlsx.bak, 说明.docx: ignored
    ("A项目/项目经理待办-李四.xls", "skipped", "xls", OUTPUT),
    ("_pimxl_out", "skipped", "folder", OUT_DIR),
    ("sub.xlsx/inner.xlsx", "candidate", "xlsx", ""),  # zz-link.xlsx is A项目/合同.XLSX: not listed again
    ("深/层/目录/表.XLSM", "candidate", "xlsm", ""),  # 深/层/备注.txt: ignored
    ("链接/dangling.xlsx", "skipped", "xlsx", "symbolic link to a missing file"),  # dangling.txt: not counted
    ("链接/to_dir", "skipped", "folder", LINK_DIR),  # report (a link to a spreadsheet, no extension): ignored
    ("链接/to_file.xlsx", "candidate", "xlsx", ""),
    ("链接/to_pkg.numbers", "skipped", "folder", LINK_DIR),
    (_LOCKED, "skipped", "folder", "cannot list the folder (Permission denied)"),
]
# .xlsx, .~lock.notes.docx#, README, a., 数据.csv, 表格.xlsx.bak, 说明.docx, 备注.txt, 链接/report
TRICKY_IGNORED = 9


def _full_rows(root: Path, found: list) -> list[tuple[str, str, str, str]]:  # noqa: ANN001
    assert all(type(f.path) is type(root) for f in found)
    assert all(f.reason_zh and f.reason_en for f in found if f.status == "skipped")
    assert all(not f.reason_zh and not f.reason_en for f in found if f.status == "candidate")
    return [(f.path.relative_to(root).as_posix() if f.path.is_absolute() else f.path.as_posix(), f.status, f.kind,
             f.reason_en) for f in found]


@pytest.mark.skipif(os.name != "posix", reason="symlinks")
def test_tricky_tree_every_rule(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = _tricky_tree(tmp_path)
    _lock_folder(monkeypatch, root / _LOCKED)
    result = discover_all([root])
    assert _full_rows(root, result.found) == TRICKY_EXPECTED
    assert result.ignored == TRICKY_IGNORED
    # the same tree given as a relative path: the same entries, paths relative too
    monkeypatch.chdir(root)
    relative = discover_all([Path(".")])
    assert _full_rows(root, relative.found) == TRICKY_EXPECTED
    assert all(not f.path.is_absolute() for f in relative.found)
    assert relative.ignored == TRICKY_IGNORED


@pytest.mark.skipif(os.name != "posix", reason="symlinks")
def test_tricky_tree_exclude_outputs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = _tricky_tree(tmp_path)
    _lock_folder(monkeypatch, root / _LOCKED)
    result = discover_all([root], exclude_outputs=[root / "深", tmp_path / "elsewhere" / "real.xlsx",
                                                    root / "A项目" / "表.ods", root / "链接" / "to_dir"])
    expected = [row for row in TRICKY_EXPECTED if not row[0].startswith("深/")]
    expected.insert(expected.index(("链接/dangling.xlsx", "skipped", "xlsx", "symbolic link to a missing file")),
                    ("深", "skipped", "folder", OUT_DIR))
    expected[expected.index(("A项目/表.ods", "candidate", "ods", ""))] = ("A项目/表.ods", "skipped", "ods", OUTPUT)
    # a link whose target is an output is an output; a link to a folder is listed as such whatever its target
    expected[expected.index(("链接/to_file.xlsx", "candidate", "xlsx", ""))] = (
        "链接/to_file.xlsx", "skipped", "xlsx", OUTPUT)
    assert _full_rows(root, result.found) == expected
    assert result.ignored == TRICKY_IGNORED - 1  # 深/层/备注.txt is not looked at


@pytest.mark.skipif(os.name != "posix", reason="symlinks")
def test_tricky_tree_paths_named_directly(tmp_path: Path) -> None:
    root = _tricky_tree(tmp_path)
    given = ["A项目/Pkg.NUMBERS", "_pimxl_out", "A项目/说明.docx", ".hidden", "A项目/~$合同.XLSX", "A项目/说明.docx",
             "链接/dangling.xlsx", "zz-link.xlsx", "A项目/合同.XLSX", "链接/to_dir"]
    result = discover_all([root / g for g in given])
    assert _full_rows(root, result.found) == [
        ("A项目/Pkg.NUMBERS", "skipped", "numbers", NUMBERS),  # a Numbers package is not walked
        ("_pimxl_out/a.xlsx", "skipped", "xlsx", OUTPUT),  # walked (named), but everything in it is an output
        ("_pimxl_out/b.numbers", "skipped", "numbers", OUTPUT),
        ("A项目/说明.docx", "candidate", "docx", ""),  # named: read whatever the extension; named twice: once
        (".hidden/x.xlsx", "candidate", "xlsx", ""),  # a hidden folder named is walked
        ("A项目/~$合同.XLSX", "skipped", "xlsx", LOCK_XL),
        ("链接/dangling.xlsx", "candidate", "xlsx", ""),  # named: the reader reports that it is missing
        ("zz-link.xlsx", "candidate", "xlsx", ""),  # then A项目/合同.XLSX is the same file: not listed
        ("链接/to_dir/x.xlsx", "candidate", "xlsx", ""),  # a link to a folder named is walked
    ]
    assert result.ignored == 0


@pytest.mark.skipif(os.name != "posix", reason="symlinks")
def test_walked_candidates_carry_their_stat_when_asked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = _tricky_tree(tmp_path)
    _lock_folder(monkeypatch, root / _LOCKED)
    plain, with_stat = discover_all([root]), discover_all([root], stat=True)
    # The same entries either way (the stat takes no part in what is listed)…
    assert _full_rows(root, with_stat.found) == _full_rows(root, plain.found) == TRICKY_EXPECTED
    assert all(f.stat is None for f in plain.found)
    # … and every walked candidate carries the stat of the file it names (a link: its target's), nothing else does.
    candidates = [f for f in with_stat.found if f.status == "candidate"]
    assert candidates and all(f.stat is not None for f in candidates)
    for f in candidates:
        st = os.stat(f.path)
        assert (f.stat.st_size, f.stat.st_mtime_ns, f.stat.st_ctime_ns, f.stat.st_ino) == (
            st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino), f.path
    assert all(f.stat is None for f in with_stat.found if f.status == "skipped")
    # A file named directly is not walked: the caller stats it.
    assert discover([root / "A项目" / "合同.XLSX"], stat=True)[0].stat is None
