"""What an approved adjustment form changes: one :class:`Change` per cell of the plan or contract table.

Items are found exactly as the ``adjustment-not-applied`` rule finds them (:func:`find_target`,
:func:`map_field` and its comparison, from :mod:`pimxl.rules.cross`), so what ``pimxl adjust``
writes is what ``pimxl validate`` then expects to see. Beside the 调整明细 rows, the form's
新计划完成日期 goes to the plan's 计划完成 and its 新合同金额 to the 合同金额 of the plan and of the
contract progress table.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..address import sheet_address
from ..records import Cell, WorkbookRecord
from ..rules.context import Project
from ..rules.cross import find_target, map_field, values_agree  # one comparison for the rule and for adjust
from ..rules.values import blank, coerce, text
from ..schema import Field
from ..templates import TEMPLATES
from .forms import Reason

__all__ = ["Change", "FormPlan", "plan_form"]

PLAN, CONTRACT = "project-plan", "contract-progress"
#: Form fields of the adjustment → (template, form field) they change, with the field holding the old value.
FORM_TARGETS: tuple[tuple[str, str, str, str], ...] = (
    ("new_finish", "old_finish", PLAN, "planned_finish"),
    ("new_amount", "old_amount", PLAN, "contract_amount"),
    ("new_amount", "old_amount", CONTRACT, "contract_amount"),
)


@dataclass
class Change:
    """One cell to change: where, from what (the file's value now) to what, and what the form said before."""

    path: str  # the plan's or contract table's input path
    cell: Cell
    field: Field
    item: str  # the 调整项 (WBS code, milestone, stage, node) or the form field's label
    before: Any
    after: Any
    stated_before: Any = None  # the form's 调整前 / 原计划完成日期 / 原合同金额

    @property
    def address(self) -> str:
        return sheet_address(self.cell.sheet, self.cell.row, self.cell.col)

    @property
    def slot(self) -> tuple[str, str, int, int]:
        return (self.path, self.cell.sheet, self.cell.row, self.cell.col)


@dataclass
class FormPlan:
    changes: list[Change] = field(default_factory=list)
    refusals: list[Reason] = field(default_factory=list)
    warnings: list[Reason] = field(default_factory=list)
    unchanged: int = 0  # items whose value already is the new one


def _current(values: dict[tuple[str, str, int, int], Any], path: str, cell: Cell, value: Any) -> Any:
    """The value now: as changed by an earlier form in this run, else as read."""
    return values.get((path, cell.sheet, cell.row, cell.col), value)


def _add(out: FormPlan, values: dict[tuple[str, str, int, int], Any], path: str, cell: Cell | None,
         col: Field, item: str, read: Any, after: Any, stated: Any, where: str) -> None:
    if cell is None or not cell.row:
        out.refusals.append(Reason(f"{where}：文件中没有“{col.zh}”", f"{where}: the file has no '{col.en}'",
                                   code="column-missing"))
        return
    now = _current(values, path, cell, read)
    if values_agree(now, after, col):
        out.unchanged += 1
        return
    if not blank(stated) and not values_agree(now, coerce(stated, col.type), col):
        out.warnings.append(Reason(
            f"{where}：调整前写的是 {text(stated)}，但{cell.address} 当前为 {text(now) or '空'}（仍按调整单写入 {after}）",
            f"{where}: the form says before = {text(stated)}, but {cell.address} holds {text(now) or 'nothing'} "
            f"(applied anyway: {after})", cell.address, "before-mismatch"))
    out.changes.append(Change(path, cell, col, item, now, after, stated))


def plan_form(adj: WorkbookRecord, project: Project, values: dict[tuple[str, str, int, int], Any]) -> FormPlan:
    """The changes of one approved form, given the values earlier forms of this run already set."""
    out = FormPlan()
    has_contract = bool(project.of(CONTRACT))
    for row in adj.rows("items"):
        item = text(row.get("item"))
        if not item:
            continue  # a row with no 调整项 (a note, an empty pre-formatted row)
        cell = row.cell("item")
        where = f"调整明细{cell.address if cell else ''}「{item}」"
        target = find_target(project, item)
        if target is None:
            hint = "" if has_contract else "（收款节点或合同阶段需要 --contract 合同进程表）"
            out.refusals.append(Reason(f"{where}：在计划和合同进程表中找不到{hint}",
                                       f"{where}: not found in the plan or the contract progress table"
                                       + ("" if has_contract else " (payment nodes and stages need --contract)"),
                                       cell.address if cell else "", "adjustment-item-unknown"))
            continue
        col = map_field(target.table, row.get("field"))
        if col is None or col.computed:
            fcell = row.cell("field")
            out.refusals.append(Reason(
                f"{where}：调整字段「{text(row.get('field'))}」不是“{target.table.zh}”中可填写的列",
                f"{where}: field '{text(row.get('field'))}' is not an input column of {target.table.en}",
                fcell.address if fcell else "", "adjustment-field-unknown"))
            continue
        after = coerce(row.get("after"), col.type)
        if after is None:
            acell = row.cell("after")
            out.refusals.append(Reason(f"{where}：调整后「{text(row.get('after'))}」不是有效的{col.zh}",
                                       f"{where}: after '{text(row.get('after'))}' is not a valid {col.en}",
                                       acell.address if acell else "", "adjustment-after-invalid"))
            continue
        _add(out, values, target.record.path, target.row.cell(col.key), col, item,
             target.row.get(col.key), after, row.get("before"), where)
    for new_key, old_key, template_id, key in FORM_TARGETS:
        col = TEMPLATES[template_id].form.field(key)
        after = coerce(adj.get(new_key), col.type)
        if after is None:
            continue
        label = TEMPLATES["adjustment"].form.field(new_key).zh
        for record in project.of(template_id):
            _add(out, values, record.path, record.cell(key), col, label, record.get(key), after,
                 adj.get(old_key), f"{label}（{TEMPLATES[template_id].zh}{col.zh}）")
    return out
