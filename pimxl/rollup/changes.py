"""Snapshots (what history keeps of a run) and 本周变化 (what changed since the previous one).

A :class:`Snapshot` is plain rows per table (dates as ISO text), built from the model by
:func:`snapshot_of` and read back by :class:`~pimxl.rollup.history.History` in the same shape, so
:func:`diff` compares like with like.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from operator import attrgetter
from typing import Any

from .model import RAG_EN, RAG_ZH, RollupModel

__all__ = ["CHANGE_KINDS", "TABLES", "Change", "Snapshot", "diff", "snapshot_of"]

#: Snapshot tables and their columns (history.py creates one SQLite table each, plus ``as_of``).
TABLES: dict[str, tuple[str, ...]] = {
    "projects": ("project_id", "project_name", "division", "project_manager", "sales_rep", "rag", "reasons",
                 "contract_value", "received", "receivable", "overdue_receivable", "current_stage",
                 "percent_complete", "planned_finish", "forecast_finish", "path"),
    "contracts": ("project_id", "contract_no", "amount", "rag", "reasons", "current_stage", "next_stage",
                  "days_late", "received", "receivable", "overdue_receivable", "last_updated", "path"),
    "stages": ("project_id", "contract_no", "stage", "seq", "planned", "actual", "status", "done", "owner",
               "days_late", "path", "cell"),
    "milestones": ("project_id", "milestone", "planned", "actual", "status", "done", "days_late", "path", "cell"),
    "payments": ("project_id", "contract_no", "node", "amount", "due_date", "received", "receivable",
                 "days_past_due", "bucket", "overdue", "path", "cell"),
    "risks": ("project_id", "risk_id", "description", "level", "score", "status", "is_open", "owner", "due",
              "days_overdue", "path", "cell"),
    "adjustments": ("project_id", "adjustment_no", "adjustment_type", "result", "requested_on", "pending_days",
                    "new_finish", "path", "cell"),
    "sites": ("project_id", "site_name", "conclusion", "planned_entry", "not_ready", "nonconforming", "path",
              "cell"),
    "findings": ("path", "project_id", "code", "severity", "sheet", "cell", "field", "message_zh"),
    "overdue": ("kind", "project_id", "contract_no", "item", "due_date", "days", "owner", "amount", "path", "cell"),
    "sources": ("path", "kind", "template_id", "version", "project_id", "status", "code", "reason_zh"),
}

#: kind → (zh, en), in the order 本周变化 lists them.
CHANGE_KINDS: dict[str, tuple[str, str]] = {
    "new_project": ("新项目", "new project"),
    "rag_changed": ("RAG变化", "RAG changed"),
    "stage_completed": ("阶段完成", "stage completed"),
    "milestone_completed": ("里程碑完成", "milestone completed"),
    "date_slipped": ("日期推迟", "date slipped"),
    "new_risk": ("新风险", "new risk"),
    "new_overdue": ("新逾期", "newly overdue"),
}


@dataclass
class Snapshot:
    """What history keeps of one run: rows per table, as dicts (``rows``) or as tuples in :data:`TABLES`' column
    order (``tuples``). :func:`snapshot_of` makes tuples (what the history inserts); dicts are made from them the
    first time something asks (:func:`diff`); a snapshot read back from the history has dicts."""

    as_of: date
    kpis: dict[str, Any] = field(default_factory=dict)
    tables: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    values: dict[str, list[tuple[Any, ...]]] = field(default_factory=dict)

    def rows(self, table: str) -> list[dict[str, Any]]:
        rows = self.tables.get(table)
        if rows is None and table in self.values:
            cols = TABLES[table]
            rows = self.tables[table] = [dict(zip(cols, v, strict=True)) for v in self.values[table]]
        return rows or []

    def tuples(self, table: str) -> list[tuple[Any, ...]]:
        if table in self.values:
            return self.values[table]
        cols = TABLES[table]
        return [tuple(r.get(c) for c in cols) for r in self.tables.get(table, [])]


@dataclass
class Change:
    kind: str
    project_id: str
    item: str
    before: str = ""
    after: str = ""
    days: int | None = None
    detail_zh: str = ""
    detail_en: str = ""
    contract_no: str = ""
    path: str = ""
    cell: str = ""

    @property
    def kind_zh(self) -> str:
        return CHANGE_KINDS[self.kind][0]


_AS_IS = (str, float, int, type(None))


def _plain(v: Any) -> Any:
    if v.__class__ in _AS_IS:  # most values: nothing to convert (bool is not int here: checked below)
        return v
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, bool):
        return int(v)
    if isinstance(v, list):
        return "；".join(getattr(x, "zh", str(x)) for x in v)
    return v


def _tuples(objs: list[Any], cols: tuple[str, ...]) -> list[tuple[Any, ...]]:
    """One tuple of plain values (see :func:`_plain`) per object, in the order of ``cols``."""
    if not objs:
        return []
    # attrgetter fetches every column in one C call; a column the objects lack is None.
    if all(hasattr(objs[0], c) for c in cols):
        get: Callable[[Any], tuple[Any, ...]] = attrgetter(*cols) if len(cols) > 1 else (lambda o: (getattr(o, cols[0]),))
    else:
        get = lambda o: tuple(getattr(o, c, None) for c in cols)  # noqa: E731
    as_is = _AS_IS
    return [tuple([v if v.__class__ in as_is else _plain(v) for v in get(o)]) for o in objs]


def snapshot_of(model: RollupModel, kpis: dict[str, Any]) -> Snapshot:
    """The rows history keeps of this run."""
    t = TABLES
    projects = list(model.projects.values())
    # A project's row points at its plan, else at its first file.
    heads = _tuples(projects, t["projects"][:-1])
    values: dict[str, list[tuple[Any, ...]]] = {
        "projects": [(*h, p.plan_path or (p.files[0] if p.files else "")) for h, p in zip(heads, projects, strict=True)],
        "contracts": _tuples(model.contracts, t["contracts"]),
        "stages": _tuples([s for c in model.contracts for s in c.stages], t["stages"]),
        "milestones": _tuples([m for p in projects for m in p.milestones], t["milestones"]),
        "payments": _tuples(model.payments(), t["payments"]),
        "risks": _tuples([r for p in projects for r in p.risks], t["risks"]),
        "adjustments": _tuples([a for p in projects for a in p.adjustments], t["adjustments"]),
        "sites": _tuples([s for p in projects for s in p.sites], t["sites"]),
        "findings": _tuples(model.findings, t["findings"]),
        "overdue": _tuples(model.overdue, t["overdue"]),
        "sources": _tuples(model.sources, t["sources"]),
    }
    return Snapshot(model.as_of, dict(kpis), values=values)


def _index(rows: list[dict[str, Any]], *key: str) -> dict[tuple[Any, ...], dict[str, Any]]:
    return {tuple(r[k] or "" for k in key): r for r in rows}


def _days(a: str, b: str) -> int:
    return (date.fromisoformat(b) - date.fromisoformat(a)).days


def diff(current: Snapshot, previous: Snapshot | None) -> list[Change]:
    """本周变化 of ``current`` against ``previous`` (nothing when there is no previous run)."""
    if previous is None:
        return []
    out: list[Change] = []
    before = _index(previous.rows("projects"), "project_id")
    for p in current.rows("projects"):
        old = before.get((p["project_id"],))
        if old is None:
            out.append(Change("new_project", p["project_id"], p["project_name"] or p["project_id"],
                              after=RAG_ZH.get(p["rag"], ""), detail_zh=f"新增项目，当前 {RAG_ZH.get(p['rag'], '')}",
                              detail_en=f"new project, now {p['rag']}", path=p["path"] or ""))
        elif old["rag"] != p["rag"]:
            why = p["reasons"] or "恢复正常"
            out.append(Change("rag_changed", p["project_id"], "RAG", RAG_ZH.get(old["rag"], ""),
                              RAG_ZH.get(p["rag"], ""), detail_zh=f"{RAG_ZH.get(old['rag'])}→{RAG_ZH.get(p['rag'])}：{why}",
                              detail_en=f"{RAG_EN.get(old['rag'])} → {RAG_EN.get(p['rag'])}",
                              path=p["path"] or ""))
    for table, name, key, kind in (("stages", "stage", ("project_id", "contract_no", "stage"), "stage_completed"),
                                   ("milestones", "milestone", ("project_id", "milestone"), "milestone_completed")):
        old_rows = _index(previous.rows(table), *key)
        for r in current.rows(table):
            old = old_rows.get(tuple(r[k] or "" for k in key))
            if old is None:
                continue
            label = r[name]
            if r["done"] and not old["done"]:
                out.append(Change(kind, r["project_id"], label, old["status"] or "", r["actual"] or r["status"] or "",
                                  detail_zh=f"“{label}”已完成 {r['actual'] or ''}".strip(),
                                  detail_en=f"'{label}' completed {r['actual'] or ''}".strip(),
                                  contract_no=r.get("contract_no") or "", path=r["path"], cell=r["cell"]))
            if old["planned"] and r["planned"] and r["planned"] > old["planned"]:
                d = _days(old["planned"], r["planned"])
                out.append(Change("date_slipped", r["project_id"], label, old["planned"], r["planned"], d,
                                  detail_zh=f"“{label}”计划日期推迟 {d} 天",
                                  detail_en=f"'{label}' planned date moved {d} days later",
                                  contract_no=r.get("contract_no") or "", path=r["path"], cell=r["cell"]))
    old_risks = _index(previous.rows("risks"), "project_id", "risk_id")
    for r in current.rows("risks"):
        if r["is_open"] and (r["project_id"], r["risk_id"] or "") not in old_risks:
            out.append(Change("new_risk", r["project_id"], r["risk_id"], after=r["level"] or "",
                              detail_zh=f"{r['level'] or ''}风险：{r['description']}",
                              detail_en=f"{r['level'] or ''} risk: {r['description']}", path=r["path"], cell=r["cell"]))
    old_overdue = _index(previous.rows("overdue"), "kind", "project_id", "contract_no", "item")
    for o in current.rows("overdue"):
        if tuple(o[k] or "" for k in ("kind", "project_id", "contract_no", "item")) not in old_overdue:
            out.append(Change("new_overdue", o["project_id"], o["item"], after=o["due_date"] or "", days=o["days"],
                              detail_zh=f"逾期 {o['days']} 天", detail_en=f"{o['days']} days overdue",
                              contract_no=o["contract_no"] or "", path=o["path"], cell=o["cell"]))
    order = list(CHANGE_KINDS)
    return sorted(out, key=lambda c: (order.index(c.kind), c.project_id, c.contract_no, c.item))
