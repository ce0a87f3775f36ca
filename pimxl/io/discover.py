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
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

__all__ = [
    "OUTPUT_FOLDER",
    "OUTPUT_PREFIXES",
    "SPREADSHEET_EXTENSIONS",
    "Discovery",
    "Found",
    "discover",
    "discover_all",
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


def _kind(path: Path) -> str:
    return path.suffix.lower().lstrip(".")


def _lock_or_temp(name: str) -> tuple[str, str] | None:
    if name.startswith("~$"):
        return ("Excel/WPS 锁定文件（文件正被打开），已跳过", "Excel/WPS lock file (the workbook is open); skipped")
    if name.startswith(".~lock.") and name.endswith("#"):
        return ("LibreOffice 锁定文件，已跳过", "LibreOffice lock file; skipped")
    if name.startswith(".~") or name.lower().endswith(_TEMP_SUFFIXES):
        return ("临时文件，已跳过", "temporary file; skipped")
    return None


def _skip_reason(path: Path, outputs: set[Path], resolved: Path | None = None) -> tuple[str, str] | None:
    """Why a spreadsheet-looking file found in a folder is not read, or None (``resolved``: its real path)."""
    name = path.name
    why = _lock_or_temp(name)
    if why:
        return why
    if name.startswith("."):  # also macOS "._plan.xlsx" resource forks on shared drives
        return ("隐藏文件，已跳过", "hidden file; skipped")
    if (resolved or _resolved(path)) in outputs or name.startswith(OUTPUT_PREFIXES) or OUTPUT_FOLDER in path.parts:
        return ("pimxl 生成的输出文件，已跳过", "an output written by pimxl; skipped")
    if _kind(path) == "numbers":
        return ("Numbers 文件不支持，请导出为 xlsx", "Numbers files are not supported; export to xlsx")
    return None


def _resolved(path: Path) -> Path:
    try:
        return path.resolve()
    except OSError:
        return path.absolute()


def _looks_like_spreadsheet(name: str) -> bool:
    """A spreadsheet extension, or a lock/temp file of one (``~$plan.xlsx``, ``.~lock.plan.xlsx#``)."""
    low = name.lower()
    if low.startswith(".~lock.") and low.endswith("#"):
        low = low[len(".~lock."): -1]
    return Path(low).suffix in SPREADSHEET_EXTENSIONS or low.endswith(_TEMP_SUFFIXES)


def discover_all(paths: Iterable[Path], *, exclude_outputs: Iterable[Path] = ()) -> Discovery:
    """Every spreadsheet under ``paths`` as a candidate or skipped (with reason), plus an ignored count."""
    outputs = {_resolved(Path(p)) for p in exclude_outputs}
    result = Discovery()
    seen: set[Path] = set()

    def add(found: Found, resolved: Path | None = None) -> None:
        key = resolved or _resolved(found.path)
        if key not in seen:
            seen.add(key)
            result.found.append(found)

    for given in paths:
        given = Path(given)
        if given.is_dir() and _kind(given) != "numbers":
            _walk(given, outputs, add, result, _resolved(given))
            continue
        # A file named directly is read whatever its name says (probe decides what it is),
        # unless it is a lock or temp file, or a Numbers document.
        why = _lock_or_temp(given.name)
        if why is None and _kind(given) == "numbers":
            why = _skip_reason(given, outputs)
        add(Found(given, "skipped", *why, kind=_kind(given)) if why else Found(given, "candidate", kind=_kind(given)))
    return result


def discover(paths: Iterable[Path], *, exclude_outputs: Iterable[Path] = ()) -> list[Found]:
    """The list form of :func:`discover_all`: candidates and skipped files, in a deterministic order."""
    return discover_all(paths, exclude_outputs=exclude_outputs).found


def _walk(root: Path, outputs: set[Path], add: Callable[[Found, Path | None], None], result: Discovery,
          real: Path) -> None:
    """Depth-first, sorted by name; symlinked folders are not followed (no loops).

    ``real`` is ``root`` resolved. Since no symlinked folder is entered, an entry that is no symlink
    itself resolves to ``real / name``: no ``realpath`` (an lstat per path component) per file.
    """
    try:
        entries = sorted(os.scandir(root), key=lambda e: e.name)
    except OSError as e:
        add(Found(root, "skipped", f"无法读取文件夹（{e.strerror}）", f"cannot list the folder ({e.strerror})",
                  kind="folder"))
        return
    for entry in entries:
        path = Path(entry.path)
        is_dir = entry.is_dir(follow_symlinks=False)
        # A Numbers document may be a folder (a macOS package): one skipped entry, not a walk.
        if is_dir and _kind(path) == "numbers":
            add(Found(path, "skipped", *_skip_reason(path, outputs) or ("", ""), kind="numbers"))
            continue
        if is_dir:
            if entry.name.startswith("."):
                add(Found(path, "skipped", "隐藏文件夹，已跳过", "hidden folder; skipped", kind="folder"))
            elif entry.name == OUTPUT_FOLDER or _resolved(path) in outputs:
                add(Found(path, "skipped", "pimxl 输出文件夹，已跳过", "pimxl output folder; skipped", kind="folder"))
            else:
                _walk(path, outputs, add, result, real / entry.name)
            continue
        if entry.is_symlink() and not entry.is_file():
            # A link to a folder is not followed (it could loop); a dangling link cannot be read.
            if os.path.isdir(entry.path):
                add(Found(path, "skipped", "指向文件夹的符号链接，未跟随", "symbolic link to a folder; not followed",
                          kind="folder"))
            elif _looks_like_spreadsheet(entry.name):
                add(Found(path, "skipped", "符号链接的目标不存在", "symbolic link to a missing file", kind=_kind(path)))
            continue
        if not _looks_like_spreadsheet(entry.name):
            result.ignored += 1
            continue
        resolved = _resolved(path) if entry.is_symlink() else real / entry.name
        why = _skip_reason(path, outputs, resolved)
        add(Found(path, "skipped", *why, kind=_kind(path)) if why else Found(path, "candidate", kind=_kind(path)),
            resolved)
