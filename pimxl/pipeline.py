"""One file in, one :class:`FileResult` out: probe, read, check. Shared by validate and rollup.

Everything that can go wrong with one file ends here as a status and a one-line reason, so a
caller looping over a thousand files never stops on one of them.
"""

from __future__ import annotations

import copyreg
import functools
import hashlib
import io
import os
import pickle
import zlib
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from .config import Settings
from .errors import FileProblem
from .findings import Code, Finding, Severity
from .io.discover import real_path
from .results import FileResult

__all__ = [
    "POOL_THRESHOLD",
    "check_file",
    "check_group",
    "check_projects",
    "project_groups",
    "compact_dumps",
    "compact_loads",
    "file_digest",
    "has_record",
    "process_file",
    "read_file",
    "relative_display",
]

INTERNAL = Code(
    "read-failed", Severity.ERROR,
    "无法读取文件：{reason}", "cannot read the file: {reason}",
)


def file_digest(path: Path) -> str:
    """The file's sha256 (hashlib reads it in C, without a Python loop over chunks)."""
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


@functools.cache
def _compact_table() -> dict[type, Callable[[Any], str | tuple[Any, ...]]]:
    """Pickle reductions that rebuild the reader's many small objects from positional arguments."""
    from .io.read_formulas import ComputedValue
    from .records import Cell, Row, Value, placed_value, shared_cell

    table: dict[type, Callable[[Any], str | tuple[Any, ...]]] = dict(copyreg.dispatch_table)
    # Loaded as the one shared Cell of its place (most of a rollup's Cells are the same few thousand).
    table[Cell] = lambda c: (shared_cell, (c.sheet, c.row, c.col))
    # A value with its place inline (one call to load, and the empty ones shared: see placed_value).
    table[Value] = lambda v: ((Value, (v.value, v.raw, None)) if v.cell is None else
                              (placed_value, (v.value, v.raw, v.cell.sheet, v.cell.row, v.cell.col)))
    table[ComputedValue] = lambda v: (ComputedValue, (v.value, v.raw, v.cell, v.recomputed, v.recomputed_by_pimxl))
    table[Row] = lambda r: (Row, (r.cells, r.sheet_row, r.extra))
    return table


#: Below this many files to read, worker processes cost more than they save (validate and the rollup).
POOL_THRESHOLD = 24

#: Pickles shorter than this are kept as they are: deflating a few hundred bytes saves little room and costs
#: more than the pickle itself to undo (a re-run loads three small blobs — result head, rule findings, cross
#: findings — of every cached file).
SMALL_PICKLE = 1024


def compact_dumps(obj: Any, level: int = 1) -> bytes:
    """``zlib(pickle(obj))`` (or the bare pickle when it is small), with every Value, Cell and Row pickled as its
    class and arguments.

    The default pickles each instance's attribute dict (keys included): a read workbook of a few
    hundred cells then costs twice as much to load. Results cross the process pool and sit in the
    parse cache in this form; :func:`compact_loads` reads it back.
    """
    buf = io.BytesIO()
    pickler = pickle.Pickler(buf, pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = _compact_table()
    pickler.dump(obj)
    if buf.tell() < SMALL_PICKLE:
        return buf.getvalue()
    return zlib.compress(buf.getbuffer(), level)


def compact_loads(blob: bytes) -> Any:
    # A pickle of protocol 2 or later starts with its PROTO opcode (0x80); a zlib stream never does (0x78 …).
    if blob[:1] == b"\x80":
        return pickle.loads(blob)
    return pickle.loads(zlib.decompress(blob))


def read_file(path: Path, *, as_of: date, display: str | None = None, digest: bool = False) -> FileResult:
    """Probe and read one workbook (no rules): the part worth caching and running in a worker.

    Never raises for a bad file: it becomes status ``unreadable``/``skipped`` with a one-line reason.
    """
    from .io.probe import probe
    from .io.reader import read_workbook

    shown = display or str(path)
    result = FileResult(path=shown)
    try:
        st = path.stat()
        result.size, result.mtime = st.st_size, st.st_mtime
        if digest:
            result.sha256 = file_digest(path)
        # keep: the probe hands the parts it inflated to the reader (not read or inflated twice).
        pr = probe(path, keep=True)
        result.kind = pr.kind
        if pr.status != "ok":
            result.status, result.code = pr.status, pr.code
            result.reason_zh, result.reason_en = pr.reason_zh, pr.reason_en
            return result
        # The probe above already vetted the file: the reader need not probe it again.
        record = read_workbook(path, as_of=as_of, probed=pr)
        record.path = shown
        result.record = record
        result.template_id, result.version = record.template_id, record.version
        result.findings = [f.with_file(shown) for f in record.findings]
    except FileProblem as e:
        result.status, result.code = e.status, e.code
        result.reason_zh, result.reason_en = e.reason_zh, e.reason_en
        result.record = None
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as e:  # a bug or a library panic: still one line, never a traceback
        first = str(e).splitlines()[0] if str(e) else ""
        reason = f"{type(e).__name__}: {first}".strip().rstrip(":")
        result.status, result.code = "unreadable", INTERNAL.code
        result.reason_zh, result.reason_en = f"读取时出错（{reason}）", f"error while reading ({reason})"
        result.record = None
    return result


def check_file(result: FileResult, *, as_of: date, settings: Settings) -> FileResult:
    """Run the single-workbook rules on a read result (in place) and settle its status."""
    from .rules import check_workbook

    if result.record is None or result.status in ("unreadable", "skipped"):
        return result
    try:
        found = check_workbook(result.record, as_of=as_of, settings=settings)
    except Exception as e:  # a rule bug must not hide the file: say so, keep going
        found = [INTERNAL(reason=f"{type(e).__name__}: {e}")]
    result.findings += [f if f.file else f.with_file(result.path) for f in found]
    result.settle_status()
    return result


def process_file(path: Path, *, as_of: date, settings: Settings, display: str | None = None) -> FileResult:
    """Probe, read and check one workbook. Never raises for a bad file."""
    return check_file(read_file(path, as_of=as_of, display=display), as_of=as_of, settings=settings)


def check_projects(results: Sequence[FileResult], *, as_of: date, settings: Settings) -> None:
    """Run the cross-workbook rules per project and attach each finding to the file it names."""
    for group in project_groups(results):
        check_group(group, as_of=as_of, settings=settings)
    for r in results:
        r.settle_status()


def check_group(group: Sequence[FileResult], *, as_of: date, settings: Settings) -> dict[str, list[Finding]]:
    """Run the cross-workbook rules on one project's files, attaching each finding to the file it names (else
    the first); returns the findings added to each file, by path (status not settled)."""
    from .rules import check_project

    by_path = {r.path: r for r in group}
    added: dict[str, list[Finding]] = {r.path: [] for r in group}
    for f in check_project([r.record for r in group if r.record is not None], as_of=as_of, settings=settings):
        target = by_path.get(f.file) or group[0]
        f = f if f.file else f.with_file(target.path)
        target.findings.append(f)
        added[target.path].append(f)
    return added


def project_groups(results: Sequence[FileResult]) -> list[list[FileResult]]:
    """The workbooks of each project: by 项目编号, with one exception for a mistyped one.

    A workbook whose 项目编号 appears nowhere else, in a folder whose other workbooks all share one
    项目编号, belongs to that folder's project — so that header-mismatch can say its 项目编号 is wrong
    instead of it silently forming a project of its own. A flat folder holding several projects (each
    with its own workbooks) is still split by 项目编号.
    """
    readable = [r for r in results if r.project_id and has_record(r)]
    count = Counter(r.project_id for r in readable)
    folders: dict[str, list[FileResult]] = defaultdict(list)
    for r in readable:
        # The folder as text (os.path, not a Path per file: a tenth of the time for 4,000 files).
        folders[os.path.dirname(os.path.normpath(r.source or r.path))].append(r)
    key: dict[int, str] = {id(r): r.project_id for r in readable}
    for members in folders.values():
        shared = {r.project_id for r in members if count[r.project_id] > 1}
        if len(shared) != 1:
            continue
        (pid,) = shared
        for r in members:
            if count[r.project_id] == 1 and sum(m.project_id == pid for m in members) >= 1:
                key[id(r)] = pid
    groups: dict[str, list[FileResult]] = defaultdict(list)
    for r in readable:
        groups[key[id(r)]].append(r)
    return list(groups.values())


def has_record(r: FileResult) -> bool:
    # A cached result (rollup.reuse.CachedResult) knows it has one without loading it.
    known = r.__dict__.get("has_record")
    return bool(known) if known is not None else r.record is not None


def relative_display(path: Path, roots: Iterable[Path]) -> str:
    """A path as the user would recognise it: relative to the root it was found under."""
    for root in roots:
        try:
            rel = real_path(path).relative_to(real_path(root))
            return str(Path(root.name) / rel) if root.is_dir() else str(path)
        except ValueError:
            continue
    return os.path.relpath(path) if not path.is_absolute() else str(path)

