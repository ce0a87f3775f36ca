"""合同进程简表: one printed page for leaders — "how are all projects, what is the company owed?".

Two tables on one A4 landscape page (the second written under the first, ``SheetSpec.below``):

* **by division** — projects, contract value, received, receivable, overdue receivable and projects by RAG,
  one row per division (the configured divisions first, in their order, then any other written), and a
  合计 row equal to the summary's 总览 figures;
* **red projects** — every red project with its red reasons (amber reasons are left for the summary).

Figures are the model's: a project's contract value, received, receivable and overdue receivable are the sums
over its contract tables (the plan's 合同金额 when it has none), exactly as in the summary's 项目 sheet.
"""

from __future__ import annotations

from typing import Any

from .model import RED, Project, RollupModel
from .sheetspec import SheetSpec, Summary
from .views import BRIEF, View, cols, link, rag, short_why, view_file_name, widen

__all__ = ["TOTAL", "brief_view", "division_rows"]

TOTAL, NO_DIVISION = "合计", "（未填写）"
MONEY = ("contract_value", "received", "receivable", "overdue_receivable")


def division_rows(model: RollupModel, lang: str = "zh") -> list[dict[str, Any]]:
    """One row per division, then the total."""
    projects = list(model.projects.values())
    written = {p.division for p in projects}
    order = [d for d in model.settings.divisions if d in written] + sorted(written - set(model.settings.divisions))
    rows = [_row(d or NO_DIVISION, [p for p in projects if p.division == d], lang) for d in order]
    rows.append(_row(TOTAL if lang != "en" else "Total", projects, lang))
    return rows


def _row(name: str, projects: list[Project], lang: str) -> dict[str, Any]:
    row: dict[str, Any] = {"division": name, "projects": len(projects)}
    row.update({k: round(sum(getattr(p, k) for p in projects), 2) for k in MONEY})
    row.update({level: sum(p.rag == level for p in projects) for level in ("red", "amber", "green")})
    return row


def brief_view(model: RollupModel, lang: str) -> View:
    en = lang == "en"
    # Red projects by division (the division table's order), largest overdue receivable first.
    order = {d: i for i, d in enumerate(model.settings.divisions)}
    reds = sorted((p for p in model.projects.values() if p.rag == RED),
                  key=lambda p: (order.get(p.division, len(order)), p.division, -p.overdue_receivable, p.project_id))
    title = "合同进程简表（按事业部）" if not en else "Contract progress brief by division"
    # Kept short: a note wider than the tables would shrink the printed page.
    note = ("应收=已到期未收；逾期应收=到期日早于截至日期的应收；红黄绿规则见汇总工作簿“总览”。" if not en else
            "Receivable = due, not received; overdue = due before the as-of date; RAG rules: see the summary.")
    # Columns line up with the division table's above (they share the worksheet's column widths): the long
    # reasons come after its last column, so no narrow figure column is stretched to hold them.
    red_cols = cols(
        ("division", "事业部", "Division", "text"), ("project_id", "项目编号", "Project ID", "link"),
        ("project_name", "项目名称", "Project", "text"), ("contract_value", "合同金额", "Contract value", "money"),
        ("receivable", "应收款", "Receivable", "money"),
        ("overdue_receivable", "逾期应收", "Overdue receivable", "money"),
        ("project_manager", "项目经理", "PM", "text"), ("sales_rep", "销售人员", "Sales", "text"),
        ("current_stage", "合同阶段", "Contract stage", "text"), ("reasons", "红色原因", "Why red", "text"))
    red_rows = [{
        "division": p.division, "project_id": link(p.project_id, p.plan_path or (p.files[0] if p.files else "")),
        "project_name": p.project_name, "contract_value": p.contract_value, "receivable": p.receivable,
        "overdue_receivable": p.overdue_receivable, "project_manager": p.project_manager, "sales_rep": p.sales_rep,
        "current_stage": (p.current_stage or "未开始") if p.contracts else "无合同进程表",
        "reasons": short_why(p.reasons, lang, RED, limit=64),
    } for p in reds]
    red_cols = widen(red_cols, red_rows, "reasons", cap=64)
    summary = Summary(as_of=model.as_of, title=BRIEF if not en else "Contract progress brief", sheets=[
        SheetSpec("divisions", BRIEF, title, cols(
            ("division", "事业部", "Division", "text"), ("projects", "项目数", "Projects", "int"),
            ("contract_value", "合同金额", "Contract value", "money"), ("received", "已收款", "Received", "money"),
            ("receivable", "应收款", "Receivable", "money"),
            ("overdue_receivable", "逾期应收", "Overdue receivable", "money"),
            ("red", rag("red", "zh"), "Red", "int"), ("amber", rag("amber", "zh"), "Amber", "int"),
            ("green", rag("green", "zh"), "Green", "int")), division_rows(model, lang), note),
        SheetSpec("red", "红色项目", f"红色项目（{len(reds)} 个）" if not en else f"Red projects ({len(reds)})",
                  red_cols, red_rows, "按事业部，逾期应收多的在前。" if not en else "By division, largest overdue receivable first.",
                  below="divisions"),
    ])
    return View(BRIEF, "", view_file_name(BRIEF, model.as_of), summary, one_page=("divisions",),
                counts={"red": len(reds)})
