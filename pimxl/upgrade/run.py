"""Move a workbook filled in an older template version onto the current version.

The old workbook is read by the ordinary reader (which knows older labels through
``Field.aliases`` and finds fields by defined names and tables by their Excel tables), its values are
written into a fresh workbook of the current declaration (:func:`pimxl.io.writer.build_workbook`), and
every value is accounted for: moved (from cell → to cell) or kept in the 未迁移 sheet. Rows keep
their order, and rows the user deleted stay deleted (the pre-filled rows are not added back).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from .. import layout
from ..address import sheet_address
from ..errors import FileProblem
from ..io.read_parts import parse_ref
from ..records import Cell, Value, WorkbookRecord
from ..schema import Field, Template
from ..templates import TEMPLATES
from .leftovers import Leftover, find_leftovers, open_source
from .migrations import Migration, declaration_at, history
from .sheet import write_leftovers

__all__ = ["Moved", "UpgradeResult", "target_path", "upgrade_file"]

#: Formats the upgrade writes back as .xlsx (openpyxl writes neither xls/ods nor macros).
_AS_XLSX = {".xls", ".xlsb", ".ods", ".xlsm"}


@dataclass(frozen=True)
class Moved:
    """One value moved: its old cell and label, its new cell and label."""

    source: str  # 'Sheet'!A1 in the old workbook
    target: str  # 'Sheet'!A1 in the new workbook
    key: str
    label: str  # the label in the current version
    old_label: str  # the label in the file's version (differs when the field was relabelled)
    value: Any


@dataclass
class UpgradeResult:
    source: Path
    target: Path | None = None
    status: str = "upgraded"  # upgraded | current | unreadable
    template_id: str = ""
    from_version: int = 0
    to_version: int = 0
    moved: list[Moved] = field(default_factory=list)
    leftovers: list[Leftover] = field(default_factory=list)
    migrations: list[Migration] = field(default_factory=list)
    reason_zh: str = ""
    reason_en: str = ""
    code: str = ""

    def reason(self, lang: str = "zh") -> str:
        return self.reason_en if lang == "en" else self.reason_zh


def target_path(src: Path, out_dir: Path) -> Path:
    """DIR/<same name>; formats pimxl cannot write back get the .xlsx suffix."""
    name = Path(src).name
    if Path(name).suffix.lower() in _AS_XLSX:
        name = Path(name).stem + ".xlsx"
    return Path(out_dir) / name


def _cell_value(f: Field, v: Value) -> Any:
    """What moves: the typed value, else what the cell held (a date typed as 待定 is kept as typed)."""
    if v.value is not None:
        return v.value
    return None if v.raw is None or (isinstance(v.raw, str) and not v.raw.strip()) else v.raw


def _address(cell: Cell | None) -> str:
    return cell.address if cell is not None else ""


def _plan(record: WorkbookRecord, current: Template, old: Template) -> tuple[
        dict[str, Any], dict[str, list[dict[str, Any]]], list[tuple[str, Value, Any, str, str, Any]]]:
    """Form values, table rows, and what moved: (section, value, where-to, key, old label, moved value)."""
    values: dict[str, Any] = {}
    moves: list[tuple[str, Value, Any, str, str, Any]] = []
    old_labels = {(old.form.key, f.key): f.zh for f in old.form.fields}
    old_labels |= {(tb.key, f.key): f.zh for tb in old.tables for f in tb.columns}
    for f in current.form.fields:
        v = record.form.get(f.key)
        if f.computed or v is None or (x := _cell_value(f, v)) is None:
            continue
        values[f.key] = x
        moves.append((current.form.key, v, f.key, f.key, old_labels.get((current.form.key, f.key), f.zh), x))
    rows: dict[str, list[dict[str, Any]]] = {}
    for tb in current.tables:
        out: list[dict[str, Any]] = []
        for i, row in enumerate(record.rows(tb.key)):
            new: dict[str, Any] = {}
            for f in tb.columns:
                v = row.cells.get(f.key)
                if f.computed or v is None or (x := _cell_value(f, v)) is None:
                    continue
                new[f.key] = x
                moves.append((tb.key, v, i, f.key, old_labels.get((tb.key, f.key), f.zh), x))
            out.append(new)
        rows[tb.key] = out
    return values, rows, moves


def _new_cell(wb: Any, current: Template, section: str, where: Any, key: str) -> str:
    if section == current.form.key:
        dn = wb.defined_names.get(layout.field_name(key))
        ref = parse_ref(dn.attr_text) if dn is not None else None
        return sheet_address(*ref) if ref else ""
    tb = current.table(section)
    col = [c.key for c in tb.columns].index(key) + 1
    return sheet_address(tb.zh, layout.TABLE_HEADER_ROW + 1 + where, col)


def upgrade_record(record: WorkbookRecord, src: Path, target: Path) -> UpgradeResult:
    """Write ``record`` (read from ``src``, an older version) onto the current template at ``target``."""
    from ..io.writer import build_workbook, save_atomic, workbook_bytes

    current = TEMPLATES[record.template_id]
    old = declaration_at(current, record.version)
    result = UpgradeResult(src, target, "upgraded", current.id, record.version, current.version,
                           migrations=[m for m in history(current.id) if m.version >= record.version])
    values, rows, moves = _plan(record, current, old)
    # The file's rows replace the pre-filled ones: rows the user deleted stay deleted.
    fresh = replace(current, tables=tuple(replace(tb, rows=()) for tb in current.tables))
    wb = build_workbook(fresh, values, rows)
    labels = {(current.form.key, f.key): f.zh for f in current.form.fields}
    labels |= {(tb.key, f.key): f.zh for tb in current.tables for f in tb.columns}
    for section, v, where, key, old_label, x in moves:
        result.moved.append(Moved(_address(v.cell), _new_cell(wb, current, section, where, key), key,
                                  labels[(section, key)], old_label, x))
    book, parts = open_source(src)
    try:
        result.leftovers = find_leftovers(book, parts, record, old, current)
    finally:
        parts.close()
    if result.leftovers:
        write_leftovers(wb, result.leftovers)
    save_atomic(workbook_bytes(wb), target)
    return result


def upgrade_file(src: Path, out_dir: Path) -> UpgradeResult:
    """Upgrade one file into ``out_dir``; a file already current is copied as it is."""
    from ..io.reader import read_workbook
    from ..io.writer import save_atomic

    src = Path(src)
    target = target_path(src, out_dir)
    try:
        record = read_workbook(src)
    except FileProblem as e:
        return UpgradeResult(src, None, "unreadable", reason_zh=e.reason_zh, reason_en=e.reason_en, code=e.code)
    current = TEMPLATES[record.template_id]
    if record.version >= current.version:
        # Already current: copied unchanged, so that DIR holds the whole set.
        target = Path(out_dir) / src.name
        save_atomic(src.read_bytes(), target)
        return UpgradeResult(src, target, "current", current.id, record.version, current.version)
    return upgrade_record(record, src, target)
