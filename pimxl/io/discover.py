"""Which files to read: the paths given, folders walked, and everything skipped listed with a reason.

Files named on the command line are always candidates (unless they are lock or temp files). Folders
are walked in sorted order without following symbolic links to folders (no loops), over the
spreadsheet extensions in :data:`SPREADSHEET_EXTENSIONS`. Skipped, each with a zh/en reason:
Excel/WPS (``~$…``) and LibreOffice (``.~lock.…#``) lock files, temp files, hidden folders (listed
once, not file by file), pimxl's own outputs, and formats pimxl cannot read (Numbers). Other files
(.docx, .pdf…) are not spreadsheets: they are counted in :attr:`Discovery.ignored`, not listed.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

__all__ = [
    "OUTPUT_FOLDER",
    "OUTPUT_PREFIXES",
    "SPREADSHEET_EXTENSIONS",
    "Discovery",
    "Found",
    "discover",
    "discover_all",
    "real_path",
]

SPREADSHEET_EXTENSIONS = frozenset(
    {".xlsx", ".xlsm", ".xltx", ".xltm", ".xls", ".xlsb", ".ods", ".fods", ".et", ".numbers"}
)
#: pimxl's own outputs: file-name prefixes and the output folder (one place, used by every writer).
OUTPUT_PREFIXES = ("汇总-", "合同状态反馈表-", "合同进程简表-", "项目经理待办-")
OUTPUT_FOLDER = "_pimxl_out"
_TEMP_SUFFIXES = (".tmp", ".temp")


@dataclass(frozen=True)
class Found:
    path: Path
    status: str  # candidate | skipped
    reason_zh: str = ""
    reason_en: str = ""
    kind: str = ""  # from the extension: xlsx, xls, numbers…; "folder" for a skipped hidden folder
    #: A walked candidate's stat, when asked for (``discover(…, stat=True)``), from the folder's listing.
    stat: os.stat_result | None = field(default=None, compare=False, repr=False)

    def reason(self, lang: str = "zh") -> str:
        return self.reason_en if lang == "en" else self.reason_zh


@dataclass
class Discovery:
    found: list[Found] = field(default_factory=list)
    ignored: int = 0  # files that are not spreadsheets (not listed)

    @property
    def candidates(self) -> list[Found]:
        return [f for f in self.found if f.status == "candidate"]

    @property
    def skipped(self) -> list[Found]:
        return [f for f in self.found if f.status == "skipped"]


def _suffix(name: str) -> str:
    """``PurePath(name).suffix`` of a bare name: from its last dot, unless the name starts or ends there
    (``".xlsx"`` and ``"a."`` have none, ``"a..xlsx"`` has ``".xlsx"``)."""
    i = name.rfind(".")
    return name[i:] if 0 < i < len(name) - 1 else ""


def _kind(name: str) -> str:
    """``xlsx``, ``xls``, ``numbers``…: the extension of a file name, lower-case, without the dot."""
    return _suffix(name).lower()[1:]


def _lock_or_temp(name: str, low: str) -> tuple[str, str] | None:
    """Why a lock or temp file is skipped, or None (``low``: ``name.lower()``)."""
    if name.startswith("~$"):
        return ("Excel/WPS 锁定文件（文件正被打开），已跳过", "Excel/WPS lock file (the workbook is open); skipped")
    if name.startswith(".~lock.") and name.endswith("#"):
        return ("LibreOffice 锁定文件，已跳过", "LibreOffice lock file; skipped")
    if name.startswith(".~") or low.endswith(_TEMP_SUFFIXES):
        return ("临时文件，已跳过", "temporary file; skipped")
    return None


def _skip_reason(name: str, low: str, kind: str, key: str, outputs: set[str],
                 in_output_folder: bool) -> tuple[str, str] | None:
    """Why a spreadsheet-looking file is not read, or None.

    ``low`` is ``name.lower()``, ``kind`` its :func:`_kind`, ``key`` the :func:`_key` of its real path,
    ``in_output_folder`` whether a folder of its path is pimxl's output folder.
    """
    why = _lock_or_temp(name, low)
    if why:
        return why
    if name.startswith("."):  # also macOS "._plan.xlsx" resource forks on shared drives
        return ("隐藏文件，已跳过", "hidden file; skipped")
    if key in outputs or name.startswith(OUTPUT_PREFIXES) or in_output_folder:
        return ("pimxl 生成的输出文件，已跳过", "an output written by pimxl; skipped")
    if kind == "numbers":
        return ("Numbers 文件不支持，请导出为 xlsx", "Numbers files are not supported; export to xlsx")
    return None


def real_path(path: Path) -> Path:
    """``path`` resolved, or made absolute when it cannot be (a loop of symbolic links: RuntimeError before
    Python 3.13, OSError since; an unreadable folder on the way)."""
    try:
        return path.resolve()
    except (OSError, RuntimeError):
        return path.absolute()


def _key(path: Path) -> str:
    """What tells two paths apart (the real path; compared as ``Path`` compares them: ignoring case on Windows)."""
    return os.path.normcase(str(real_path(path)))


def _looks_like_spreadsheet(low: str) -> bool:
    """A spreadsheet extension, or a lock/temp file of one (``~$plan.xlsx``, ``.~lock.plan.xlsx#``).

    ``low`` is the file name in lower case.
    """
    if low.startswith(".~lock.") and low.endswith("#"):
        low = low[len(".~lock."): -1]
    return _suffix(low) in SPREADSHEET_EXTENSIONS or low.endswith(_TEMP_SUFFIXES)


def discover_all(paths: Iterable[Path], *, exclude_outputs: Iterable[Path] = (), stat: bool = False) -> Discovery:
    """Every spreadsheet under ``paths`` as a candidate or skipped (with reason), plus an ignored count.

    ``stat``: every candidate met in a folder carries its stat (:attr:`Found.stat`, None when it cannot be
    had), taken from the folder's listing (``os.DirEntry.stat``): on Windows that is no request to the file system
    at all — on a network share, where each file's own stat is a round trip to the server, a weekly run's scan of
    4,000 workbooks then costs one listing a folder instead of 4,000 round trips. (Windows gives no inode there:
    it is 0, the same every run.)"""
    outputs = {_key(Path(p)) for p in exclude_outputs}
    result = Discovery()
    seen: set[str] = set()
    by_link: dict[str, int] = {}  # a file met first through a symbolic link: the index of that link's entry
    dropped: set[int] = set()

    def add(found: Found | None, key: str, link: bool = False) -> None:
        """List ``found`` (None: count a file that is no spreadsheet) unless its file was met before: a folder
        given twice, or inside another one given, is listed and counted once. A file met first through a link
        (``link``) and then as itself is listed as itself, where it lies — its folder is its project's."""
        if key in seen:
            if found is not None and not link and key in by_link:
                dropped.add(by_link.pop(key))
                result.found.append(found)
            return
        seen.add(key)
        if found is None:
            result.ignored += 1
            return
        if link:
            by_link[key] = len(result.found)
        result.found.append(found)

    for given in paths:
        given = Path(given)
        name = given.name
        if given.is_dir() and _kind(name) != "numbers":
            _walk(str(given), outputs, add, str(real_path(given)), OUTPUT_FOLDER in given.parts, stat)
            continue
        # A file named directly is read whatever its name says (probe decides what it is),
        # unless it is a lock or temp file, or a Numbers document.
        key, kind = _key(given), _kind(name)
        why = _lock_or_temp(name, name.lower())
        if why is None and kind == "numbers":
            why = _skip_reason(name, name.lower(), kind, key, outputs, OUTPUT_FOLDER in given.parts)
        add(Found(given, "skipped", *why, kind=kind) if why else Found(given, "candidate", kind=kind), key)
    if dropped:
        result.found = [f for i, f in enumerate(result.found) if i not in dropped]
    return result


def discover(paths: Iterable[Path], *, exclude_outputs: Iterable[Path] = (), stat: bool = False) -> list[Found]:
    """The list form of :func:`discover_all`: candidates and skipped files, in a deterministic order."""
    return discover_all(paths, exclude_outputs=exclude_outputs, stat=stat).found


class _Add(Protocol):
    def __call__(self, found: Found | None, key: str, link: bool = False) -> None: ...


def _walk(root: str, outputs: set[str], add: _Add, real: str, in_output_folder: bool, stat: bool = False) -> None:
    """Depth-first, sorted by name; symlinked folders are not followed (no loops).

    Paths are plain strings here: a ``Path`` is made only for what is listed. ``real`` is ``root``
    resolved. Since no symlinked folder is entered, an entry that is no symlink itself resolves to
    ``real`` + separator + its name: no ``realpath`` (an lstat per path component) per file or folder.
    ``in_output_folder``: whether a folder of ``root`` (the same for everything under it: an output
    folder met in the walk is not entered) is pimxl's output folder.
    """
    try:
        entries = sorted(os.scandir(root), key=lambda e: e.name)
    except OSError as e:
        add(Found(Path(root), "skipped", f"无法读取文件夹（{e.strerror}）", f"cannot list the folder ({e.strerror})",
                  kind="folder"), os.path.normcase(real))
        return
    # Only the file system's root ends with a separator already.
    prefix = real if real.endswith(os.sep) else real + os.sep
    for entry in entries:
        name = entry.name
        if entry.is_dir(follow_symlinks=False):
            key = os.path.normcase(prefix + name)
            # A Numbers document may be a folder (a macOS package): one skipped entry, not a walk.
            if _kind(name) == "numbers":
                why = _skip_reason(name, name.lower(), "numbers", key, outputs, in_output_folder) or ("", "")
                add(Found(Path(entry.path), "skipped", *why, kind="numbers"), key)
            elif name.startswith("."):
                add(Found(Path(entry.path), "skipped", "隐藏文件夹，已跳过", "hidden folder; skipped", kind="folder"),
                    key)
            elif name == OUTPUT_FOLDER or key in outputs:
                add(Found(Path(entry.path), "skipped", "pimxl 输出文件夹，已跳过", "pimxl output folder; skipped",
                          kind="folder"), key)
            else:
                _walk(entry.path, outputs, add, prefix + name, in_output_folder, stat)
            continue
        try:
            link_to_nothing_or_folder = entry.is_symlink() and not entry.is_file()
        except OSError:  # links that point at each other (ELOOP): nothing to read, never a failed run
            if _looks_like_spreadsheet(name.lower()):
                add(Found(Path(entry.path), "skipped", "符号链接循环，无法读取", "symbolic link loop; cannot be read",
                          kind=_kind(name)), os.path.normcase(prefix + name))
            else:
                add(None, os.path.normcase(prefix + name))
            continue
        if link_to_nothing_or_folder:
            # A link to a folder is not followed (it could loop); a dangling link cannot be read.
            if os.path.isdir(entry.path):
                path = Path(entry.path)
                add(Found(path, "skipped", "指向文件夹的符号链接，未跟随", "symbolic link to a folder; not followed",
                          kind="folder"), _key(path))
            elif _looks_like_spreadsheet(name.lower()):
                path = Path(entry.path)
                add(Found(path, "skipped", "符号链接的目标不存在", "symbolic link to a missing file", kind=_kind(name)),
                    _key(path))
            continue
        low = name.lower()
        if not _looks_like_spreadsheet(low):
            add(None, os.path.normcase(prefix + name))
            continue
        path = Path(entry.path)
        # A link to a file is keyed by its target (listed once: as the file itself when the walk meets it too);
        # any other file by real + its name.
        key = _key(path) if entry.is_symlink() else os.path.normcase(prefix + name)
        kind = _kind(name)
        link = entry.is_symlink()
        skip = _skip_reason(name, low, kind, key, outputs, in_output_folder)
        if skip:
            add(Found(path, "skipped", *skip, kind=kind), key, link)
            continue
        st = None
        if stat:
            try:
                st = entry.stat()  # a link's target, as Path.stat()
            except OSError:  # the caller stats it again and reports why it cannot
                st = None
        add(Found(path, "candidate", kind=kind, stat=st), key, link)
