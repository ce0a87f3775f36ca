"""What a re-run reuses instead of redoing: parsed results whose record loads on first use, and signatures of
the project groups whose cross-workbook findings and model pieces can be taken over unchanged.

A parsed workbook travels (worker → run → parse cache) as a *split blob*: a small head — the
:class:`~pimxl.results.FileResult` without its record, its 项目编号 — and the record, compressed apart. Loading
a cached file reads only the head; the record (most of the bytes and of the time to load) is unpickled the first
time something asks for it. A re-run where 5 % of the files changed then loads the records of the projects that
changed and nothing else.

A project group's *signature* (:func:`group_signature`) covers every member's path, size, time and content,
the rules' key and the pimxl version. Cross-workbook findings and built projects are kept with the signature
they were made for — by a worker that read a folder whole (:func:`folder_pieces`), in the parse cache, in the
history's rows of a run — and taken only by a group with that very signature, so taking them gives exactly
what checking and building again would.
"""

from __future__ import annotations

import hashlib
import zlib
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from .. import __version__
from ..config import Settings
from ..findings import Finding
from ..pipeline import check_group, compact_dumps, compact_loads, project_groups
from ..results import FileResult

__all__ = ["CachedResult", "check_projects_reusing", "folder_pieces", "group_signature", "load_split", "split_dumps"]

_MAGIC = b"PX2"
_UNSET: Any = object()


def split_dumps(result: FileResult) -> bytes:
    """``result`` as a split blob: ``PX2``, the head's length (4 bytes), the head, the record (or nothing)."""
    from .aggregate import model_pid

    record = result.record
    body = compact_dumps(record) if record is not None else b""
    ids = (result.project_id, model_pid(result)) if record is not None else ("", "")
    result.record = None
    try:
        # The record's checksum is in the head: a damaged record is found when the head is loaded (the file is
        # then parsed again), not when something reads the record half-way through a run.
        head = compact_dumps((result, *ids, record is not None, zlib.crc32(body)))
    finally:
        result.record = record
    return b"".join([_MAGIC, len(head).to_bytes(4, "big"), head, body])


def load_split(blob: bytes, *, eager: bool = False) -> CachedResult:
    """The result in ``blob`` (from :func:`split_dumps`); its record is loaded now when ``eager``, else on first
    use. Raises ValueError for a blob of another format (a damaged or older cache entry)."""
    if blob[:3] != _MAGIC:
        raise ValueError("not a split blob")
    size = int.from_bytes(blob[3:7], "big")
    head, pid, model_pid, has_record, crc = compact_loads(blob[7:7 + size])
    body = blob[7 + size:]
    if not isinstance(head, FileResult) or zlib.crc32(body) != crc:
        raise ValueError("damaged")
    out = CachedResult.__new__(CachedResult)
    fields = head.__dict__
    fields.pop("record", None)
    out.__dict__.update(fields)
    out.__dict__.update(_pid=pid, model_pid=model_pid, has_record=has_record)
    if has_record:
        if eager:
            out.__dict__["_record"] = compact_loads(body)
        else:
            out.__dict__["_record_blob"] = body
    else:
        out.__dict__["_record"] = None
    return out


class CachedResult(FileResult):
    """A :class:`FileResult` whose record is unpickled the first time it is read.

    ``project_id``, ``model_pid`` (the 项目编号 as the aggregation groups by it) and ``has_record`` are known
    without loading it. Setting ``record`` (to None, to release it) works as on any FileResult.
    """

    model_pid: str
    has_record: bool

    @property  # type: ignore[override]
    def record(self) -> Any:
        d = self.__dict__
        rec = d.get("_record", _UNSET)
        if rec is _UNSET:
            rec = d["_record"] = compact_loads(d.pop("_record_blob"))
        return rec

    @record.setter
    def record(self, value: Any) -> None:
        self.__dict__.pop("_record_blob", None)
        self.__dict__["_record"] = value

    @property
    def record_loaded(self) -> bool:
        return "_record" in self.__dict__

    @property  # type: ignore[override]
    def project_id(self) -> str:
        return self.__dict__.get("_pid", "")


def group_signature(members: Iterable[FileResult], key: str) -> str:
    """What a project group's derived figures depend on: every member's path, size, time and content, the
    rules' key (as-of date and settings) and the pimxl version. Equal signatures give equal findings and pieces."""
    h = hashlib.sha256(f"{__version__}|{key}".encode())
    for r in sorted(members, key=lambda r: r.path):
        h.update(repr((r.path, r.size, r.mtime, r.sha256)).encode())
    return h.hexdigest()


def check_projects_reusing(results: list[FileResult], *, as_of: date, settings: Settings, key: str,
                           known: Mapping[str, tuple[str | None, bytes | None]]) -> list[tuple[str, str, bytes]]:
    """:func:`~pimxl.pipeline.check_projects`, taking over a group's findings when its signature is unchanged.

    ``known``: path → (the signature its cross-workbook findings were found for, those findings) from the parse
    cache. A group whose every member was found for this signature gets them back without a record being loaded;
    any other group is checked. Returns what to remember: (path, signature, findings) of every checked member.
    """
    store: list[tuple[str, str, bytes]] = []
    for group in project_groups(results):
        sig = group_signature(group, key)
        kept = _kept(group, sig, known)
        if kept is not None:
            for r, findings in zip(group, kept, strict=True):
                r.findings += findings
            continue
        store += _check_group(group, sig, as_of, settings)
    for r in results:
        r.settle_status()
    return store


def _check_group(group: list[FileResult], sig: str, as_of: date, settings: Settings) -> list[tuple[str, str, bytes]]:
    """Run the cross-workbook rules on one group (:func:`~pimxl.pipeline.check_group`); returns (path, signature,
    findings) of every member, to remember."""
    added = check_group(group, as_of=as_of, settings=settings)
    return [(path, sig, compact_dumps(fs)) for path, fs in added.items()]


def folder_pieces(results: list[FileResult], *, as_of: date, settings: Settings, key: str,
                  ) -> tuple[list[tuple[str, str, bytes]], list[tuple[str, str, bytes]]]:
    """What a worker that read every file of a folder can settle for its projects: the cross-workbook findings of
    each project group, and each project built and rated as a history row
    (:func:`~pimxl.rollup.history.project_blob`) — both with the signature of the files they were made from.

    The groups are formed from these files alone; the run takes a piece only where the group it forms from every
    file found has the same signature (the same files), and builds the others itself
    (:func:`check_projects_reusing`, :func:`~pimxl.rollup.aggregate.build_model`). ``results`` get the
    cross-workbook findings added.
    """
    from .aggregate import build_project, count_findings, model_groups
    from .history import project_blob

    cross: list[tuple[str, str, bytes]] = []
    for group in project_groups(results):
        cross += _check_group(group, group_signature(group, key), as_of, settings)
    for r in results:
        r.settle_status()
    pieces = []
    for pid, members in model_groups(results).items():
        project, overdue = build_project(pid, members, as_of, settings)
        # Its finding counts as the model counts them, so that the run stores this very blob: when the group is
        # the run's too, no file outside this folder gives this 项目编号.
        count_findings({pid: project}, results)
        pieces.append((pid, group_signature(members, key), project_blob(project, overdue)))
    return cross, pieces


def _kept(group: list[FileResult], sig: str, known: Mapping[str, tuple[str | None, bytes | None]],
          ) -> list[list[Finding]] | None:
    """Every member's cross-workbook findings found for ``sig``, or None when any is missing or damaged."""
    out = []
    for r in group:
        found_for, blob = known.get(r.path, (None, None))
        if found_for != sig:
            return None
        try:
            findings = compact_loads(blob) if blob else []
        except Exception:  # a damaged cache entry: the group is checked again
            return None
        if not isinstance(findings, list):
            return None
        out.append(findings)
    return out
