"""Role views: the rollup's figures cut for one reader each, as :class:`~pimxl.rollup.sheetspec.Summary` data.

Three kinds (SPEC §1, §5; issue 5), each rendered by the summary writer:

* **合同状态反馈表** (views_sales.py) — one per sales person: their contracts, risks, adjustments awaiting
  the sales manager's agreement and receivables to chase;
* **合同进程简表** (views_brief.py) — one printable page for leaders: figures by division and the red projects;
* **项目经理待办** (views_pm.py) — one per project manager: stale and missing forms, overdue items, findings
  to fix, adjustments awaiting signatures, names the roster does not know.

Every figure is read from the :class:`~pimxl.rollup.model.RollupModel` that the summary is built from, never
recomputed, so a view and the summary of the same as-of date always agree. People are grouped by
:class:`~pimxl.rollup.roster.Roster` (names as written, cleaned; aliases → one person when a roster is given).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from ..demo.run import week_name
from .model import RAG_EN, RAG_ZH, Reason, RollupModel
from .roster import Roster
from .sheetspec import Column, Link, Summary
from .xlsx_style import display_width

__all__ = [
    "BRIEF", "PM", "SALES", "View", "build_views", "cols", "file_part", "fit_width", "link", "rag", "rag_note",
    "short_why", "why", "widen",
]

SALES, BRIEF, PM = "合同状态反馈表", "合同进程简表", "项目经理待办"
KIND_EN = {SALES: "contract status feedback", BRIEF: "contract progress brief", PM: "project manager to-do"}

_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')


@dataclass
class View:
    """One workbook to write: its kind, for whom (empty for the brief), its file name and content."""

    kind: str
    person: str
    file_name: str
    summary: Summary
    one_page: tuple[str, ...] = ()
    unknown_name: bool = False  # the roster does not know ``person``
    counts: dict[str, Any] = field(default_factory=dict)  # a few figures for the command's report


def file_part(name: str) -> str:
    """A person's name made safe for a file name (Windows' reserved characters → ``_``, at most 40 chars)."""
    return _UNSAFE.sub("_", name).strip(" .")[:40] or "_"


def view_file_name(kind: str, as_of: date, person: str = "") -> str:
    """合同状态反馈表-李娜-2026-W48.xlsx, 合同进程简表-2026-W48.xlsx (ISO week of the as-of date)."""
    return week_name(f"{kind}-{file_part(person)}" if person else kind, as_of)


def cols(*spec: tuple[str, str, str, str]) -> list[Column]:
    return [Column(k, zh, en, kind) for k, zh, en, kind in spec]


def link(text: Any, path: str, cell: str = "") -> Link | str:
    return Link(str(text), path, cell) if path else str(text)


def why(reasons: Iterable[Reason], lang: str, level: str | None = None) -> str:
    """Reasons joined; only those of ``level`` when given."""
    return "；".join(r.text(lang) for r in reasons if level is None or r.level == level)


def short_why(reasons: Iterable[Reason], lang: str, level: str | None = None, limit: int = 90) -> str:
    """The reasons that fit in ``limit`` character units, whole, then "（另 N 项）" for the rest (a printed cell
    does not wrap, so an unbounded text would shrink the whole page)."""
    texts = [r.text(lang) for r in reasons if level is None or r.level == level]
    shown: list[str] = []
    for t in texts:
        # Leave room (10 units) for the "（另 N 项）" tail.
        if shown and display_width("；".join([*shown, t])) + 10 > limit:
            more = len(texts) - len(shown)
            return "；".join(shown) + (f" (+{more} more)" if lang == "en" else f"（另 {more} 项）")
        shown.append(t)
    return "；".join(shown)


def fit_width(rows: Iterable[dict[str, Any]], key: str, cap: float = 100.0) -> float:
    """A text column's width: its longest value (in character units), at most ``cap`` — the writer's
    automatic width stops at 50, and longer text would run over into the next columns when printed."""
    longest = max((display_width(str(getattr(r.get(key), "text", r.get(key)) or "")) for r in rows), default=0)
    return min(cap, max(8.0, longest + 2.0))


def widen(columns: list[Column], rows: list[dict[str, Any]], *keys: str, cap: float = 100.0) -> list[Column]:
    """``columns`` with the named text columns as wide as their longest value (see fit_width)."""
    return [Column(c.key, c.zh, c.en, c.kind, fit_width(rows, c.key, cap)) if c.key in keys else c for c in columns]


def rag(level: str, lang: str) -> str:
    return RAG_EN[level] if lang == "en" else RAG_ZH[level]


def rag_note(model: RollupModel, lang: str) -> str:
    s = model.settings
    if lang == "en":
        return (f"RAG: red = a stage/milestone more than {s.red_days_late} days late, a receivable more than "
                f"{s.red_receivable_days} days overdue, a high risk past its deadline or a site not ready within "
                f"{s.site_lead_days} days of entry; amber = 1–{s.red_days_late} days late, an adjustment pending "
                f"more than {s.pending_adjustment_days} days or a table stale more than {s.stale_amber_days} days.")
    return (f"RAG：红=阶段/里程碑逾期超过 {s.red_days_late} 天、应收逾期超过 {s.red_receivable_days} 天、高风险超过应对期限、"
            f"场地在计划进场前 {s.site_lead_days} 天内仍未具备；黄=逾期 1–{s.red_days_late} 天、调整待审批超过 "
            f"{s.pending_adjustment_days} 天、合同进程表超过 {s.stale_amber_days} 天未更新；其余为绿。")


def build_views(model: RollupModel, lang: str = "zh", roster: Roster | None = None) -> list[View]:
    """Every view of one as-of date: the brief, then one per sales person, then one per project manager."""
    from .views_brief import brief_view
    from .views_pm import pm_views
    from .views_sales import sales_views

    roster = roster or Roster.from_settings(model.settings.roster)
    return [brief_view(model, lang), *sales_views(model, roster, lang), *pm_views(model, roster, lang)]
