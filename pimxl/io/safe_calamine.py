"""python-calamine behind a guard: every failure becomes one :class:`FileProblem` with a one-line reason.

calamine raises ``CalamineError`` and its subclasses (``PasswordError``, ``ZipError``, ``XmlError``,
``WorksheetNotFound``…), and a Rust panic surfaces as ``pyo3_runtime.PanicException``, which derives
from ``BaseException`` — so we catch ``BaseException`` and let only KeyboardInterrupt/SystemExit
through. What cannot be caught (a Rust allocation failure aborts the process) is kept out by
:func:`pimxl.io.probe.probe`, which runs first.

calamine's ``from_path`` picks the parser by the extension (an xls named ``.xlsx`` fails with "Could
not find EOCD"); ``from_filelike`` sniffs the content but reports every parse error as "Cannot
detect file format". So we use ``from_path`` when the extension agrees with the content kind that
:func:`probe` found, and ``from_filelike`` only when they disagree.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ..errors import FileProblem
from .probe import DEFAULT_LIMITS, Limits, probe
from .zip_parts import ZipParts, stored_copy

__all__ = ["calamine_guard", "open_probed", "problem_from_exception", "read_all_sheets", "read_sheet",
           "safe_open_calamine"]


def _first_line(exc: BaseException, limit: int = 120) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= limit else text[: limit - 1] + "…"


def problem_from_exception(exc: BaseException) -> FileProblem:
    """Map anything calamine (or the file system) raised to a finding code and a one-line reason."""
    if isinstance(exc, FileProblem):
        return exc
    name, msg = type(exc).__name__, _first_line(exc)
    if name == "PasswordError":
        return FileProblem("file-encrypted", "文件已加密（需要密码），无法读取；请去掉密码后重新保存",
                           "file is encrypted (password protected); remove the password and save again")
    if isinstance(exc, MemoryError) or "Cell limit exceeded" in msg:
        return FileProblem("file-too-large", "文件太大，读取时内存不足", "file too large: out of memory while reading it")
    if "Cannot detect file format" in msg:
        return FileProblem("not-a-spreadsheet", "不是可识别的电子表格格式", "not a recognised spreadsheet format")
    if isinstance(exc, OSError):
        return FileProblem("file-unreadable", f"无法打开文件（{msg}）", f"cannot open the file ({msg})")
    if "Codepage" in msg:  # e.g. Quattro Pro's xls: readable bytes, a text encoding calamine lacks
        return FileProblem("file-unreadable", f"无法读取：不支持的文字编码（{msg}）",
                           f"cannot read: unsupported text encoding ({msg})")
    if name == "PanicException":
        return FileProblem("file-corrupt", f"文件已损坏，解析器无法处理（{msg}）",
                           f"file is corrupt; the parser gave up ({msg})")
    if name in ("ZipError", "XmlError") or "Cfb error" in msg or "End of stream" in msg:
        return FileProblem("file-corrupt", f"文件已损坏（{msg}）", f"file is corrupt ({msg})")
    return FileProblem("file-unreadable", f"无法读取文件（{name}: {msg}）", f"cannot read the file ({name}: {msg})")


@contextmanager
def calamine_guard() -> Iterator[None]:
    """Turn any exception in the block into a FileProblem (KeyboardInterrupt/SystemExit pass)."""
    try:
        yield
    except (KeyboardInterrupt, SystemExit, GeneratorExit):
        raise
    except FileProblem:
        raise
    except BaseException as e:  # PanicException derives from BaseException
        raise problem_from_exception(e) from None


def safe_open_calamine(path: Path, *, check: bool = True, kind: str = "", limits: Limits = DEFAULT_LIMITS) -> Any:
    """A ``CalamineWorkbook`` for ``path``, or a :class:`FileProblem`.

    ``check`` runs :func:`probe` first; a caller that already probed passes ``check=False`` and the
    ``kind`` the probe found.
    """
    path = Path(path)
    if check:
        result = probe(path, limits=limits)
        if not result.ok:
            raise result.problem()
        kind = result.kind
    with calamine_guard():
        import python_calamine  # lazily: only the readers touch the spreadsheet library

        if not kind or _FAMILY.get(path.suffix.lower()) == _FAMILY.get("." + kind):
            return python_calamine.CalamineWorkbook.from_path(str(path))
        with open(path, "rb") as fh:
            data = fh.read()
        return python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))


def open_probed(path: Path, kind: str, parts: ZipParts | None) -> Any:
    """:func:`safe_open_calamine` (``check=False``) for an xlsx the probe kept the parts of: calamine
    opens :func:`~.zip_parts.stored_copy` of the zip, which spares it inflating those parts again.

    Only where ``from_path`` would use the xlsx parser too (extension and content both xlsx-family);
    anything that fails on the copy is opened from the path as before, so that every error (and its
    message) is the one ``from_path`` gives.
    """
    path = path if isinstance(path, Path) else Path(path)
    data = None
    if parts is not None and _FAMILY.get(path.suffix.lower()) == "xlsx" == _FAMILY.get("." + kind):
        data = stored_copy(parts)
    if data is not None:
        import python_calamine

        try:
            return python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException:  # noqa: BLE001 — from the path below: its own error, as before
            pass
    return safe_open_calamine(path, check=False, kind=kind)


# The parser calamine chooses for an extension; a content kind maps the same way.
_FAMILY = {".xlsx": "xlsx", ".xlsm": "xlsx", ".xltx": "xlsx", ".xltm": "xlsx", ".xlsb": "xlsb",
           ".xls": "xls", ".et": "xls", ".ods": "ods"}


def read_sheet(workbook: Any, sheet: int | str) -> list[list[Any]]:
    """All rows of one sheet (by index or name) as Python values, or a :class:`FileProblem`."""
    with calamine_guard():
        if isinstance(sheet, int):
            return workbook.get_sheet_by_index(sheet).to_python()
        return workbook.get_sheet_by_name(sheet).to_python()


def read_all_sheets(
    path: Path, *, check: bool = True, kind: str = "", limits: Limits = DEFAULT_LIMITS
) -> dict[str, list[list[Any]]]:
    """Every sheet of a workbook by name (the corpus test's "full read"), or a :class:`FileProblem`."""
    wb = safe_open_calamine(path, check=check, kind=kind, limits=limits)
    with calamine_guard():
        names = list(wb.sheet_names)
    return {name: read_sheet(wb, i) for i, name in enumerate(names)}
