"""What ``pimxl upgrade`` prints: readable text, or one JSON document."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..findings import format_value
from ..templates import TEMPLATES
from .run import UpgradeResult

__all__ = ["exit_code", "render_text", "to_json"]


def exit_code(results: Sequence[UpgradeResult]) -> int:
    """0 when every file was upgraded or already current; 3 when a file could not be read."""
    return 3 if any(r.status == "unreadable" for r in results) else 0


def _title(r: UpgradeResult, lang: str) -> str:
    t = TEMPLATES.get(r.template_id)
    return (t.title(lang) + " " if t else "") + r.template_id


def render_text(results: Sequence[UpgradeResult], lang: str = "zh") -> str:
    zh = lang == "zh"
    lines: list[str] = []
    for r in results:
        name = r.source.name
        if r.status == "unreadable":
            lines.append(f"{name}: {'无法读取' if zh else 'unreadable'} — {r.reason(lang)}")
            continue
        if r.status == "current":
            lines.append(f"{name}: {_title(r, lang)} v{r.from_version} "
                         + ("已是当前版本，原样复制 → " if zh else "already current, copied as is → ") + str(r.target))
            continue
        head = (f"移动 {len(r.moved)} 个值，未迁移 {len(r.leftovers)} 个" if zh
                else f"{len(r.moved)} values moved, {len(r.leftovers)} not migrated")
        lines.append(f"{name}: {_title(r, lang)} v{r.from_version} → v{r.to_version} → {r.target}（{head}）"
                     if zh else f"{name}: {_title(r, lang)} v{r.from_version} → v{r.to_version} → {r.target} ({head})")
        for m in r.migrations:
            lines.append(f"  v{m.version}→v{m.version + 1}: {m.summary_zh if zh else m.summary_en}")
        for mv in r.moved:
            label = mv.label if mv.old_label == mv.label else f"{mv.old_label} → {mv.label}"
            lines.append(f"  {'移动' if zh else 'moved'} {mv.source} → {mv.target}  "
                         f"{label} = {format_value(mv.value)}")
        for lo in r.leftovers:
            note = lo.note_zh if zh else lo.note_en
            label = f"[{lo.label}] " if lo.label else ""
            lines.append(f"  {'未迁移' if zh else 'not migrated'} {lo.address}  {label}{format_value(lo.value)}"
                         + (f"（{note}）" if zh and note else f" ({note})" if note else ""))
    upgraded = sum(r.status == "upgraded" for r in results)
    current = sum(r.status == "current" for r in results)
    bad = sum(r.status == "unreadable" for r in results)
    lines.append(f"共 {len(results)} 个文件：升级 {upgraded}，已是当前版本 {current}，无法读取 {bad}" if zh
                 else f"{len(results)} files: {upgraded} upgraded, {current} already current, {bad} unreadable")
    return "\n".join(lines)


def to_json(results: Sequence[UpgradeResult], lang: str = "zh") -> dict[str, Any]:
    files = []
    for r in results:
        files.append({
            "source": str(r.source), "target": str(r.target) if r.target else None, "status": r.status,
            "template_id": r.template_id or None, "from_version": r.from_version or None,
            "to_version": r.to_version or None, "code": r.code or None, "reason": r.reason(lang) or None,
            "migrations": [{"from": m.version, "to": m.version + 1, "summary": m.summary_zh if lang == "zh"
                            else m.summary_en} for m in r.migrations],
            "moved": [{"from": m.source, "to": m.target, "field": m.key, "label": m.label,
                       "old_label": m.old_label, "value": format_value(m.value)} for m in r.moved],
            "not_migrated": [{"sheet": lo.sheet, "cell": lo.address.rsplit("!", 1)[1], "address": lo.address,
                              "label": lo.label, "value": format_value(lo.value),
                              "note": lo.note_zh if lang == "zh" else lo.note_en} for lo in r.leftovers],
        })
    return {"files": files, "exit_code": exit_code(results)}
