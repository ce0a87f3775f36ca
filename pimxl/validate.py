"""``pimxl validate``: files and folders in, FileResults with findings out, shown as text or JSON."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from .config import Settings
from .findings import Severity, format_value
from .pipeline import (
    POOL_THRESHOLD,
    check_projects,
    compact_dumps,
    compact_loads,
    process_file,
    relative_display,
)
from .results import FileResult

__all__ = ["ValidationRun", "render_text", "to_json", "validate_paths"]


@dataclass
class ValidationRun:
    results: list[FileResult] = field(default_factory=list)
    named_unreadable: bool = False  # a file named on the command line could not be read at all

    def count(self, severity: Severity) -> int:
        # A file that cannot be read at all is one error finding (SPEC §3), as in the rollup's 校验.
        bare = sum(1 for r in self.results if r.status == "unreadable" and not r.findings)
        return sum(1 for r in self.results for f in r.findings if f.severity == severity) + (
            bare if severity == Severity.ERROR else 0)

    @property
    def exit_code(self) -> int:
        if self.named_unreadable:
            return 3
        return 1 if self.count(Severity.ERROR) or any(r.status == "unreadable" for r in self.results) else 0


def validate_paths(paths: Sequence[Path], *, as_of: date, settings: Settings, jobs: int | None = None,
                   progress: Callable[[int, int], None] | None = None) -> ValidationRun:
    """Every workbook under ``paths`` read and checked, then the cross-workbook rules per project.

    ``jobs``: worker processes (default: the settings', 0 = one per CPU); from
    :data:`~pimxl.pipeline.POOL_THRESHOLD` workbooks on they read and check the files, each result coming back
    with its record. ``progress(done, total)`` after each.
    """
    from .io.discover import discover

    run = ValidationRun()
    named = {p.resolve() for p in paths if not p.is_dir()}
    folders = [p for p in paths if p.is_dir()]
    todo: list[tuple[int, Path, str]] = []
    for found in discover(paths):
        shown = relative_display(found.path, folders)
        if found.status != "candidate":
            run.results.append(FileResult(path=shown, status="skipped", kind=found.kind,
                                          reason_zh=found.reason_zh, reason_en=found.reason_en))
            continue
        run.results.append(FileResult(path=shown))  # its place, filled below
        todo.append((len(run.results) - 1, found.path, shown))
    workers = jobs if jobs is not None else settings.jobs
    workers = workers or os.cpu_count() or 1
    args = [(str(path), shown, as_of, settings) for _, path, shown in todo]
    if workers > 1 and len(todo) >= POOL_THRESHOLD:
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(max_workers=min(workers, len(todo))) as pool:
            results = (compact_loads(blob) for blob in pool.map(_check_one, args, chunksize=4))
            _collect(run, todo, results, named, progress)
    else:
        _collect(run, todo, (process_file(Path(a[0]), as_of=as_of, settings=settings, display=a[1]) for a in args),
                 named, progress)
    check_projects(run.results, as_of=as_of, settings=settings)
    return run


def _check_one(args: tuple[str, str, date, Settings]) -> bytes:
    """One workbook read and checked in a worker, sent back whole (its record too: the cross-workbook rules need
    it) in the compact pickle."""
    path, shown, as_of, settings = args
    return compact_dumps(process_file(Path(path), as_of=as_of, settings=settings, display=shown))


def _collect(run: ValidationRun, todo: list[tuple[int, Path, str]], results: Iterable[FileResult],
             named: set[Path], progress: Callable[[int, int], None] | None) -> None:
    for done, ((index, path, shown), result) in enumerate(zip(todo, results, strict=True), start=1):
        result.path, result.source = shown, str(path)
        run.results[index] = result
        if result.status == "unreadable" and path.resolve() in named:
            run.named_unreadable = True
        if progress is not None:
            progress(done, len(todo))


def to_json(run: ValidationRun, lang: str = "zh") -> dict[str, Any]:
    files = []
    for r in run.results:
        files.append({
            "path": r.path,
            "template": r.template_id or None,
            "version": r.version or None,
            "status": r.status,
            "reason": r.reason(lang) or None,
            "findings": [f.to_dict(lang) for f in sorted(r.findings, key=_order)] or _unreadable_finding(r, lang),
        })
    return {
        "files": files,
        "summary": {
            "files": len(run.results),
            "errors": run.count(Severity.ERROR),
            "warnings": run.count(Severity.WARNING),
            "infos": run.count(Severity.INFO),
        },
    }


def _unreadable_finding(r: FileResult, lang: str) -> list[dict[str, Any]]:
    """An unreadable file's reason as its one finding, so a program can tell encrypted from corrupt."""
    if r.status != "unreadable":
        return []
    return [{"code": r.code or "file-unreadable", "severity": "error", "sheet": "", "cell": "", "field": "",
             "value": "", "message": r.reason(lang)}]


def _order(f: Any) -> tuple:
    return (f.severity.rank, f.sheet, len(f.cell), f.cell, f.code)


STATUS_LABEL = {
    "zh": {"ok": "通过", "warnings": "有警告", "errors": "有错误", "unreadable": "无法读取", "skipped": "已跳过"},
    "en": {"ok": "ok", "warnings": "warnings", "errors": "errors", "unreadable": "unreadable", "skipped": "skipped"},
}


def render_text(run: ValidationRun, lang: str = "zh", show_info: bool = True) -> str:
    """Findings grouped by file, each with its 'Sheet'!A1 address."""
    from .templates import TEMPLATES
    from .terminal import ljust

    lines: list[str] = []
    labels = STATUS_LABEL["en" if lang == "en" else "zh"]
    for r in run.results:
        tpl = TEMPLATES.get(r.template_id)
        kind = f"{tpl.title(lang)} v{r.version}" if tpl else ""
        head = f"{r.path}  [{labels[r.status]}]" + (f"  {kind}" if kind else "")
        lines.append(head)
        if r.status in ("unreadable", "skipped"):
            lines.append(f"    {r.reason(lang)}")
        for f in sorted(r.findings, key=_order):
            if f.severity == Severity.INFO and not show_info:
                continue
            where = f.address or "-"
            val = format_value(f.value)
            shown_val = f"  «{val}»" if val and len(val) <= 40 else ""
            # Padded by terminal columns: a sheet name in Chinese takes two a character.
            lines.append(f"    {ljust(f.severity.label(lang), 7)} {ljust(where, 24)} {f.code:<28} {f.message(lang)}"
                         f"{shown_val}")
    e, w, i = run.count(Severity.ERROR), run.count(Severity.WARNING), run.count(Severity.INFO)
    unreadable = sum(1 for r in run.results if r.status == "unreadable")
    skipped = sum(1 for r in run.results if r.status == "skipped")
    if lang == "en":
        lines.append(f"{len(run.results)} files: {e} errors, {w} warnings, {i} infos; "
                     f"{unreadable} unreadable, {skipped} skipped")
    else:
        lines.append(f"共 {len(run.results)} 个文件：错误 {e}，警告 {w}，提示 {i}；无法读取 {unreadable}，跳过 {skipped}")
    return "\n".join(lines)
