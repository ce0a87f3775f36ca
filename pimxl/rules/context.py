"""What a rule sees (:class:`Context`), how it makes a finding that points at a cell, and the registries.

A workbook rule is a generator ``rule(ctx) -> Iterator[Finding]`` registered for one or more template
ids with :func:`rule`; a project rule is ``rule(project) -> Iterator[Finding]`` registered with
:func:`project_rule`. Adding a rule is one decorated function next to the :class:`~pimxl.findings.Code`
it yields.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from ..config import Settings
from ..findings import Code, Finding
from ..records import Cell, Row, WorkbookRecord
from ..schema import Field, Table, Template
from .values import as_date, blank, num, text

__all__ = [
    "ALL",
    "PROJECT_RULES",
    "RULES",
    "Context",
    "Project",
    "ProjectRule",
    "Rule",
    "project_rule",
    "ref",
    "row_label",
    "rule",
    "with_related",
]

_SEEN = object()  # "report the value the cell holds"


@dataclass(frozen=True)
class Context:
    """One workbook under check: its record and declaration, the as-of date and the settings."""

    record: WorkbookRecord
    template: Template
    as_of: date
    settings: Settings
    # What several rules derive from the same record (a table's non-empty rows, the WBS index …),
    # computed once per check: see :meth:`once`.
    _memo: dict[Any, Any] = field(default_factory=dict, init=False, repr=False, compare=False)

    def once(self, key: Any, make: Callable[[], Any]) -> Any:
        """``make()``, computed on the first call for ``key`` only (the record must not change meanwhile)."""
        try:
            return self._memo[key]
        except KeyError:
            value = self._memo[key] = make()
            return value

    # -- reading -------------------------------------------------------------------------------

    def get(self, key: str) -> Any:
        return self.record.get(key)

    def date(self, key: str) -> date | None:
        return as_date(self.record.get(key))

    def num(self, key: str) -> float | None:
        return num(self.record.get(key))

    def text(self, key: str) -> str:
        return text(self.record.get(key))

    def rows(self, table: str) -> Iterator[Row]:
        """The table's rows that hold anything (empty rows of a fresh template are skipped)."""
        return iter(self.once(("rows", table), lambda: [r for r in self.record.rows(table) if not _empty(r)]))

    def sheet(self, section: str) -> str:
        """The sheet a section is on in this file (it may have been renamed), else its declared name."""
        if section in self.record.sheets:
            return self.record.sheets[section]
        if section == self.template.form.key:
            return self.template.form.zh
        return self.template.table(section).zh

    # -- finding -------------------------------------------------------------------------------

    def at_form(self, code: Code, key: str, /, *, value: Any = _SEEN, **params: Any) -> Finding:
        """A finding at a form field's cell; ``{label}``/``{label_en}`` name the field in messages."""
        v = self.record.form.get(key)
        fld = self.template.form.field(key)
        return self._make(code, v.cell if v else None, self.template.form.key, fld, key,
                          (v.value if v else None) if value is _SEEN else value, params)

    def at_row(self, code: Code, table: str, row: Row, key: str, /, *, value: Any = _SEEN, **params: Any) -> Finding:
        """A finding at one cell of a table row; ``{row}`` names the row (its key) in messages."""
        decl = self.template.table(table)
        params.setdefault("row", row_label(decl, row))
        params.setdefault("line", (row.cell(key) or Cell("", row.sheet_row, 0)).row or "?")
        # ``{where}`` / ``{where_en}`` let one message serve form fields and table cells alike.
        params.setdefault("where", f"第 {params['line']} 行「{params['row']}」的")
        params.setdefault("where_en", f"row {params['line']} ({params['row']}): ")
        return self._make(code, row.cell(key), table, decl.column(key), key,
                          row.get(key) if value is _SEEN else value, params)

    def at_sheet(self, code: Code, section: str, /, *, field: str = "", value: Any = None, **params: Any) -> Finding:
        """A finding about a section as a whole (no single cell to point at)."""
        return code(file=self.record.path, sheet=self.sheet(section), field=field, value=value, **params)

    def _make(self, code: Code, cell: Cell | None, section: str, fld: Field, key: str, value: Any,
              params: dict[str, Any]) -> Finding:
        params.setdefault("label", fld.zh)
        params.setdefault("label_en", fld.en)
        params.setdefault("where", "")
        params.setdefault("where_en", "")
        return code(
            file=self.record.path,
            sheet=cell.sheet if cell and cell.sheet else self.sheet(section),
            cell=cell.a1 if cell and cell.row and cell.col else "",
            field=key,
            value=value,
            **params,
        )


def _empty(row: Row) -> bool:
    """Nothing but blanks (white space counts as blank) in the declared and the user's own columns."""
    # blank() of each value and raw content, inlined: this runs for every row of every table.
    for v in row.cells.values():
        value, raw = v.value, v.raw
        if value is not None and not (isinstance(value, str) and not value.strip()):
            return False
        if raw is not None and not (isinstance(raw, str) and not raw.strip()):
            return False
    return all(blank(x) for x in row.extra.values())


def row_label(table: Table, row: Row) -> str:
    """How a row is named in a message: its key values (a WBS row also by its task name)."""
    key = " / ".join(text(row.get(k)) for k in table.row_key if not blank(row.get(k)))
    if table.key == "wbs" and not blank(row.get("task")):
        key = f"{key} {text(row.get('task'))}".strip()
    return key or f"#{row.sheet_row}"


def ref(record: WorkbookRecord, cell: Cell | None, fallback_sheet: str = "") -> str:
    """A cell named across workbooks: ``file 'Sheet'!B7`` (for ``Finding.related``)."""
    if cell is None or not cell.row or not cell.col:
        return f"{record.path} '{fallback_sheet}'" if fallback_sheet else record.path
    return f"{record.path} {cell.address}"


def with_related(f: Finding, *related: str) -> Finding:
    """The finding naming further cells involved (``file 'Sheet'!A1``)."""
    return Finding(**{**f.__dict__, "related": tuple(r for r in related if r)})


# -- registries ----------------------------------------------------------------------------------

Rule = Callable[[Context], Iterable[Finding]]

ALL = "*"  # registers a rule for every template
RULES: dict[str, list[Rule]] = {}


def rule(*template_ids: str) -> Callable[[Rule], Rule]:
    """Register a workbook rule for the given template ids (``ALL`` for every template)."""

    def register(fn: Rule) -> Rule:
        for tid in template_ids:
            RULES.setdefault(tid, []).append(fn)
        return fn

    return register


@dataclass(frozen=True)
class Project:
    """The records of one project folder, by template, with the as-of date and settings."""

    records: tuple[WorkbookRecord, ...]
    as_of: date
    settings: Settings

    def of(self, template_id: str) -> list[WorkbookRecord]:
        return [r for r in self.records if r.template_id == template_id]


ProjectRule = Callable[[Project], Iterable[Finding]]
PROJECT_RULES: list[ProjectRule] = []


def project_rule(fn: ProjectRule) -> ProjectRule:
    PROJECT_RULES.append(fn)
    return fn
