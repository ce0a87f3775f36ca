"""The rule catalogue (SPEC §2.2–§2.5): checks that yield findings about typed records.

    check_workbook(record, as_of=…)    rules of one workbook (common + its template's)
    check_project(records, as_of=…)    cross-workbook rules among the workbooks of one project folder

Type-level problems (unreadable dates, values outside a dropdown, ``#REF!``, a malformed project id)
are the normaliser's findings and are not repeated here; the reader's own findings stay on
``record.findings`` and are not returned by these functions.

Modules: ``values`` (date/number helpers), ``context`` (what a rule sees, registries), ``common``,
``plan``, ``adjustment``, ``site``, ``contract`` (per template) and ``cross`` (per project).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from ..address import parse_a1
from ..config import Settings
from ..findings import Code, Finding, Severity
from ..records import WorkbookRecord
from ..templates import TEMPLATES
from ..templates.adjustment import is_blank_adjustment
from . import adjustment, common, contract, cross, plan, site  # noqa: F401 — importing registers the rules
from .context import ALL, PROJECT_RULES, RULES, Context, Project

__all__ = ["BLANK_FORM", "RULE_FAILED", "check_project", "check_workbook", "is_blank", "rules_for"]

BLANK_FORM = Code(
    "form-blank", Severity.INFO,
    "空白的调整确认表（供下次调整复制使用），未作校验，也不计入汇总。",
    "A blank adjustment form (kept to copy for the next adjustment): not checked and not rolled up.",
)

RULE_FAILED = Code(
    "rule-failed", Severity.WARNING,
    "校验规则 {rule} 无法检查本文件（{reason}）；其余规则照常检查，请把此文件反馈给 pimxl 维护人员。",
    "Rule {rule} could not check this file ({reason}); the other rules ran. Please report the file.",
)


def rules_for(template_id: str) -> list:
    """The workbook rules that apply to a template, common ones first."""
    return [*RULES.get(ALL, []), *RULES.get(template_id, [])]


def _run(rule, arg, file: str) -> list[Finding]:  # noqa: ANN001 — a Rule or a ProjectRule
    """Run one rule; a bug in a rule costs that rule, never the whole check."""
    try:
        return list(rule(arg))
    except Exception as e:  # noqa: BLE001
        reason = f"{type(e).__name__}: {e}".splitlines()[0]
        return [RULE_FAILED(file=file, value=rule.__name__, rule=rule.__name__, reason=reason)]


def check_workbook(record: WorkbookRecord, *, as_of: date, settings: Settings | None = None) -> list[Finding]:
    """Every finding of the rules of ``record``'s template, in sheet and cell order."""
    template = TEMPLATES.get(record.template_id)
    if template is None:
        return []
    if is_blank(record):
        return [BLANK_FORM(file=record.path, sheet=record.sheets.get(template.form.key, template.form.zh))]
    ctx = Context(record, template, as_of, settings or Settings())
    findings: list[Finding] = []
    for rule in rules_for(record.template_id):
        findings.extend(_run(rule, ctx, record.path))
    sheets = [ctx.sheet(template.form.key), *(ctx.sheet(t.key) for t in template.tables)]
    return sorted(findings, key=lambda f: (_sheet_rank(sheets, f.sheet), *_cell_pos(f.cell)))


def check_project(records: Sequence[WorkbookRecord], *, as_of: date,
                  settings: Settings | None = None) -> list[Finding]:
    """The cross-workbook findings among the records of one project folder, by file then cell."""
    known = tuple(r for r in records if r.template_id in TEMPLATES and not is_blank(r))
    project = Project(known, as_of, settings or Settings())
    findings: list[Finding] = []
    anchor = known[0].path if known else ""
    for rule in PROJECT_RULES:
        findings.extend(_run(rule, project, anchor))
    return sorted(findings, key=lambda f: (f.file, f.sheet, *_cell_pos(f.cell)))


def is_blank(record: WorkbookRecord) -> bool:
    """A blank adjustment form (see :func:`pimxl.templates.adjustment.is_blank_adjustment`)."""
    if record.template_id != "adjustment":
        return False
    return is_blank_adjustment(record.form_values(), [r.values() for r in record.rows("items")])


def _sheet_rank(sheets: list[str], sheet: str) -> int:
    return sheets.index(sheet) if sheet in sheets else len(sheets)


def _cell_pos(cell: str) -> tuple[int, int]:
    try:
        return parse_a1(cell) if cell else (0, 0)
    except ValueError:
        return (0, 0)
