"""What ``pimxl adjust`` prints: readable text, or one JSON document."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..findings import format_value
from .apply import AdjustResult

__all__ = ["render_text", "to_json"]

STATUS = {
    "applied": ("已应用", "applied"), "already-applied": ("已应用过，未重复应用", "already applied, nothing changed"),
    "unchanged": ("计划已是调整后的值，无需修改", "the plan already holds the new values"),
    "refused": ("拒绝", "refused"),
}


def render_text(result: AdjustResult, lang: str = "zh") -> str:
    zh = lang == "zh"
    lines: list[str] = []
    for f in result.forms:
        status = STATUS[f.status][0 if zh else 1]
        no = f" {f.adjustment_no}" if f.adjustment_no else ""
        lines.append(f"{Path(f.path).name}{no}: {status}")
        for c in f.changes:
            lines.append(f"  {Path(c.path).name} {c.address} {c.item} {c.field.zh if zh else c.field.en}: "
                         f"{format_value(c.before) or '—'} → {format_value(c.after)}")
        for r in f.reasons:
            lines.append(f"  {'原因' if zh else 'reason'}: {r.text(lang)}")
        for w in f.warnings:
            lines.append(f"  {'警告' if zh else 'warning'}: {w.text(lang)}")
    n = {s: sum(f.status == s for f in result.forms) for s in STATUS}
    lines.append((f"应用 {n['applied']}，已应用过 {n['already-applied']}，无需修改 {n['unchanged']}，拒绝 {n['refused']}"
                  f" → {result.plan_out}") if zh else
                 (f"{n['applied']} applied, {n['already-applied']} already applied, {n['unchanged']} unchanged, "
                  f"{n['refused']} refused → {result.plan_out}"))
    if result.contract_out is not None:
        lines[-1] += f", {result.contract_out}"
    return "\n".join(lines)


def to_json(result: AdjustResult, lang: str = "zh") -> dict[str, Any]:
    return {
        "plan_out": str(result.plan_out),
        "contract_out": str(result.contract_out) if result.contract_out else None,
        "exit_code": result.exit_code,
        "forms": [{
            "file": f.path, "adjustment_no": f.adjustment_no or None, "status": f.status,
            "changes": [{"file": c.path, "cell": c.address, "item": c.item, "field": c.field.key,
                         "label": c.field.zh if lang == "zh" else c.field.en, "before": format_value(c.before),
                         "after": format_value(c.after), "stated_before": format_value(c.stated_before)}
                        for c in f.changes],
            "reasons": [{"code": r.code, "cell": r.cell, "message": r.text(lang)} for r in f.reasons],
            "warnings": [{"code": r.code, "cell": r.cell, "message": r.text(lang)} for r in f.warnings],
        } for f in result.forms],
    }
