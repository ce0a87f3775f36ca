"""``merge_files``: read BASE and the copies, check they belong together, merge, write OUT atomically."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from ..errors import FileProblem, UnreadableError, UsageError
from ..io.reader import read_workbook
from ..records import WorkbookRecord
from ..schema import Template
from ..templates import TEMPLATES
from .apply import apply_plan
from .cells import clashes, merge_cells
from .diff import MergePlan, Prefer, merge_snapshots
from .extras import NOT_COPIED, not_copied
from .grids import Grid, Rect, read_grid
from .locate import TableLoc, locate
from .model import from_record, norm, row_keys
from .report import Labels, after_visible, render_text, to_json, write_sheets
from .sheets import apply_cells

__all__ = ["MergeRun", "merge_files"]

WRITABLE = (".xlsx", ".xlsm")


@dataclass
class MergeRun:
    plan: MergePlan
    labels: Labels
    base: str
    copies: list[str]
    out: Path

    @property
    def unresolved(self) -> int:
        return sum(1 for c in self.plan.conflicts if c.resolved_by is None)

    @property
    def not_copied(self) -> int:
        return sum(1 for c in self.plan.changes if c.kind == NOT_COPIED)

    @property
    def exit_code(self) -> int:
        # Content left for the user to copy by hand needs them as much as an unresolved conflict does.
        return 1 if self.unresolved or self.not_copied else 0

    def to_json(self) -> dict[str, Any]:
        return to_json(self.plan, self.labels, self.base, self.copies, str(self.out), self.exit_code)

    def text(self) -> str:
        return render_text(self.plan, self.labels, str(self.out))


def _read(path: Path, as_of: date | None, zh: bool) -> WorkbookRecord:
    try:
        return read_workbook(path, as_of=as_of)
    except FileProblem as e:
        raise UnreadableError(f"{path}: {e.reason('zh' if zh else 'en')}") from None


def _names(paths: list[Path]) -> list[str]:
    """File names to tell the copies apart by (with the folder when two share a name)."""
    names = [p.name for p in paths]
    out = [str(p) if names.count(p.name) > 1 else p.name for p in paths]
    # The same file given twice: numbered, so that every copy's values stay apart in the report.
    return [n if out[:i].count(n) == 0 else f"{n}#{out[:i].count(n) + 1}" for i, n in enumerate(out)]


def _check(base: WorkbookRecord, copy: WorkbookRecord, name: str, zh: bool) -> None:
    if copy.template_id != base.template_id:
        raise UsageError(f"{name} 是“{TEMPLATES[copy.template_id].zh}”，与基准的“{TEMPLATES[base.template_id].zh}”"
                         f"不是同一模板，不能合并" if zh else
                         f"{name} is a {copy.template_id} workbook, BASE is {base.template_id}: cannot merge")
    if copy.version != base.version:
        raise UsageError(f"{name} 的模板版本 {copy.version} 与基准的 {base.version} 不同，请先 pimxl upgrade" if zh else
                         f"{name} has template version {copy.version}, BASE {base.version}: run pimxl upgrade first")
    theirs, ours = norm(copy.get("project_id")), norm(base.get("project_id"))
    if theirs is not None and ours is not None and theirs != ours:
        raise UsageError(f"{name} 的项目编号 {theirs} 与基准的 {ours} 不同，不能合并" if zh else
                         f"{name} has project id {theirs}, BASE {ours}: cannot merge")


def _grid(path: Path, record: WorkbookRecord, template: Template, name: str, zh: bool) -> Grid:
    try:
        return read_grid(Path(path), record, template, name)
    except FileProblem as e:
        raise UnreadableError(f"{path}: {e.reason('zh' if zh else 'en')}") from None


def _grown(locs: dict[str, TableLoc], plan: MergePlan) -> dict[str, list[Rect]]:
    """Each table's range in OUT (after rows and columns were added), by sheet."""
    out: dict[str, list[Rect]] = {}
    for tkey, loc in locs.items():
        tplan = plan.tables.get(tkey)
        # A table without an Excel table is not resized: its rows reach as far as the plan's.
        end = max(loc.last_row, loc.first_row + len(tplan.rows) - 1 if tplan is not None else 0)
        out.setdefault(loc.ws.title, []).append((max(loc.header_row - 1, 1), loc.first_col, end, loc.last_col))
    return out


def merge_files(base_path: Path, copy_paths: list[Path], out: Path, *, prefer: Prefer = None,
                lang: str = "zh", as_of: date | None = None) -> MergeRun:
    """Merge ``copy_paths`` into ``base_path``, writing ``out`` (never an input); raises UsageError /
    UnreadableError for inputs that cannot be merged."""
    from openpyxl import load_workbook

    zh = lang == "zh"
    out = Path(out)
    inputs = [Path(base_path), *map(Path, copy_paths)]
    if out.exists() and any(out.resolve() == p.resolve() for p in inputs if p.exists()):
        raise UsageError("输出文件不能是输入文件之一" if zh else "OUT must not be one of the input files")
    if Path(base_path).suffix.lower() not in WRITABLE or out.suffix.lower() not in WRITABLE:
        raise UsageError("基准和输出须为 .xlsx 或 .xlsm" if zh else "BASE and OUT must be .xlsx or .xlsm files")
    base = _read(Path(base_path), as_of, zh)
    names = _names(inputs)
    copies = [_read(p, as_of, zh) for p in copy_paths]
    for rec, name in zip(copies, names[1:], strict=True):
        _check(base, rec, name, zh)
    template = TEMPLATES[base.template_id]

    keep_vba = Path(base_path).suffix.lower() == ".xlsm" and out.suffix.lower() == ".xlsm"
    # Loaded from bytes: the workbook never holds BASE open, and BASE is never written.
    wb = load_workbook(io.BytesIO(Path(base_path).read_bytes()), keep_vba=keep_vba, keep_links=True)
    locs: dict[str, TableLoc] = {}
    base_rows: dict[str, dict[tuple[str, ...], int]] = {}
    for table in template.tables:
        rows = base.tables.get(table.key, [])
        sheet = base.sheets.get(table.key)
        if sheet is not None and sheet in wb.sheetnames:
            locs[table.key] = locate(wb, sheet, table, rows)
        base_rows[table.key] = {k: r.sheet_row for k, r in zip(row_keys(table, rows), rows, strict=True)}
    # User columns holding formulas in BASE follow their inputs: not merged as values.
    skip = {t: loc.formula_extras for t, loc in locs.items()}
    base_snap = from_record(base, template, names[0], skip)
    snaps = [from_record(rec, template, n, skip) for rec, n in zip(copies, names[1:], strict=True)]
    plan = merge_snapshots(base_snap, snaps, prefer)
    headers: dict[str, dict[str, str]] = {}
    for s in (base_snap, *snaps):
        for t, h in s.headers.items():
            headers.setdefault(t, {}).update({k: v for k, v in h.items() if k not in headers.get(t, {})})
    labels = Labels(template, headers, lang)
    # Free cells and added sheets, from BASE's cells as they are before the template merge edits them.
    base_grid = read_grid(Path(base_path), base, template, names[0], wb=wb, locs=locs)
    grids = [_grid(p, rec, template, n, zh) for p, rec, n in zip(copy_paths, copies, names[1:], strict=True)]
    cell_plan = merge_cells(base_grid, grids, prefer, plan.changes, plan.conflicts)
    apply_plan(wb, template, base, locs, base_rows, plan, lang)
    clashes(cell_plan, base_grid, _grown(locs, plan), plan.changes, plan.conflicts)
    apply_cells(wb, cell_plan, after_visible(wb), lang)
    # Chart sheets, shapes and pictures the inputs have and OUT will not: listed for the user.
    plan.changes.extend(not_copied(Path(base_path), copy_paths, names[0], names[1:], cell_plan, lang))
    write_sheets(wb, plan, labels, names[1:], names[0])
    _save(wb, out)
    return MergeRun(plan, labels, names[0], names[1:], out)


def _save(wb: Any, out: Path) -> None:
    """Save to a temporary file beside ``out``, then rename it into place."""
    from ..io.atomic import save_workbook

    save_workbook(wb, out)
