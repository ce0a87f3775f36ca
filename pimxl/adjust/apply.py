"""``adjust``: apply approved adjustment forms to a copy of the plan (and of the contract progress table).

Forms are taken in the order they were approved (部门经理审批日期, else 申请日期, then 调整单号 — the
order in which ``adjustment-not-applied`` decides which value the plan must carry), so a later
approval wins a cell two forms change. A form is applied whole or refused whole. Outputs are
copies of the inputs edited cell by cell with openpyxl (formatting, validation, names, tables and
the identity stay), written to a temporary file and renamed into place; inputs are never touched.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from ..config import Settings
from ..errors import FileProblem
from ..records import WorkbookRecord
from ..rules.context import Project
from ..rules.cross import approval_order
from ..rules.values import text
from .changes import CONTRACT, PLAN, Change, plan_form
from .forms import Reason, approval_reasons, project_reasons
from .log import append_log, logged_numbers

__all__ = ["AdjustResult", "FormResult", "adjust"]


@dataclass
class FormResult:
    path: str
    adjustment_no: str = ""
    status: str = "refused"  # applied | already-applied | unchanged | refused
    changes: list[Change] = field(default_factory=list)
    reasons: list[Reason] = field(default_factory=list)
    warnings: list[Reason] = field(default_factory=list)


@dataclass
class AdjustResult:
    plan_out: Path
    contract_out: Path | None
    forms: list[FormResult]

    @property
    def exit_code(self) -> int:
        """1 when a form was refused (the others are applied and written), else 0."""
        return 1 if any(f.status == "refused" for f in self.forms) else 0


def _read(path: Path, template_id: str, as_of: date) -> WorkbookRecord:
    from ..io.reader import read_workbook

    record = read_workbook(path, as_of=as_of)
    if record.template_id != template_id:
        raise FileProblem("wrong-template", f"{path.name} 不是{'项目计划书' if template_id == PLAN else '合同进程表'}",
                          f"{path.name} is not a {template_id} workbook")
    return record


def _load(path: Path) -> Any:
    from openpyxl import load_workbook

    return load_workbook(path, keep_vba=path.suffix.lower() == ".xlsm", keep_links=True)


def _decide(res: FormResult, adj: WorkbookRecord, project: Project, plan: WorkbookRecord,
            values: dict[tuple[str, str, int, int], Any], logged: dict[str, set[str]], seen: set[str],
            as_of: date, settings: Settings) -> None:
    """Fill in one form's outcome; accepted changes go into ``values`` for the forms approved later."""
    res.reasons = approval_reasons(adj, as_of, settings) + project_reasons(adj, plan)
    if res.adjustment_no and res.adjustment_no in seen:
        res.reasons.append(Reason(f"调整单号 {res.adjustment_no} 在本次输入中重复",
                                  f"adjustment no. {res.adjustment_no} is given twice", code="adjustment-no-duplicate"))
    if res.reasons:
        return
    seen.add(res.adjustment_no)
    fp = plan_form(adj, project, values)
    if fp.refusals:
        res.reasons = fp.refusals
        return
    done = {p for p, nos in logged.items() if res.adjustment_no in nos}
    res.changes = [c for c in fp.changes if c.path not in done]
    if res.changes:
        res.status, res.warnings = "applied", fp.warnings
        for c in res.changes:
            values[c.slot] = c.after
    else:
        res.status = "already-applied" if done else "unchanged"


def _write(wb: Any, changes: Sequence[tuple[FormResult, Change]], target: Path, when: datetime) -> None:
    from ..io.writer import save_atomic
    from ..io.writer_sheets import cell_value

    rows = []
    for res, c in changes:
        wb[c.cell.sheet].cell(c.cell.row, c.cell.col).value = cell_value(c.field, c.after)
        rows.append((res.adjustment_no, Path(res.path).name, c.address, c.item, c.field.zh, c.before, c.after,
                     c.stated_before))
    append_log(wb, rows, when)
    buf = io.BytesIO()
    wb.save(buf)
    save_atomic(buf.getvalue(), target)


def adjust(adjustments: Sequence[Path], plan_path: Path, out: Path, *, contract_path: Path | None = None,
           contract_out: Path | None = None, as_of: date | None = None, settings: Settings | None = None,
           now: datetime | None = None) -> AdjustResult:
    """Apply ``adjustments`` to ``plan_path`` (and ``contract_path``), writing ``out`` (and ``contract_out``).

    Raises :class:`FileProblem` when the plan or the contract table cannot be used; a form that
    cannot be read or is not approved is refused (listed with its reasons) and the rest applied.
    """
    from ..io.reader import read_workbook

    as_of, settings = as_of or date.today(), settings or Settings()
    when = (now or datetime.now()).replace(microsecond=0)
    plan = _read(plan_path, PLAN, as_of)
    contract = _read(contract_path, CONTRACT, as_of) if contract_path is not None else None
    books = {plan.path: _load(plan_path)}
    if contract is not None:
        books[contract.path] = _load(contract_path)  # type: ignore[arg-type]
        contract_out = contract_out or out.parent / Path(contract_path).name  # type: ignore[arg-type]
    project = Project(tuple(r for r in (plan, contract) if r is not None), as_of, settings)
    logged = {p: logged_numbers(wb) for p, wb in books.items()}

    results: list[FormResult] = []
    forms: list[tuple[FormResult, WorkbookRecord]] = []
    for path in adjustments:
        res = FormResult(str(path))
        results.append(res)
        try:
            adj = read_workbook(path, as_of=as_of)
        except FileProblem as e:
            res.reasons = [Reason(e.reason_zh, e.reason_en, code=e.code)]
            continue
        res.adjustment_no = text(adj.get("adjustment_no"))
        forms.append((res, adj))
    values: dict[tuple[str, str, int, int], Any] = {}
    seen: set[str] = set()
    for res, adj in sorted(forms, key=lambda fa: approval_order(fa[1]) if fa[1].template_id == "adjustment"
                           else (date.min, "")):
        _decide(res, adj, project, plan, values, logged, seen, as_of, settings)

    targets = {plan.path: out} | ({contract.path: contract_out} if contract is not None else {})
    applied = [(res, c) for res in sorted((r for r in results if r.status == "applied"),
                                          key=lambda r: _order_of(r, forms)) for c in res.changes]
    for book_path, wb in books.items():
        changes = [(res, c) for res, c in applied if c.path == book_path]
        _write(wb, changes, targets[book_path], when)  # type: ignore[arg-type]
    return AdjustResult(out, contract_out if contract is not None else None, results)


def _order_of(res: FormResult, forms: Sequence[tuple[FormResult, WorkbookRecord]]) -> tuple[date, str]:
    return next(approval_order(adj) for r, adj in forms if r is res)
