"""What a merge did, for people: the 合并冲突 and 合并记录 sheets in OUT, a text summary, and JSON."""

from __future__ import annotations

from collections import Counter
from typing import Any

from openpyxl.styles import Font, PatternFill
from openpyxl.workbook.workbook import Workbook

from ..address import quote_sheet
from ..findings import format_value
from ..schema import Template
from .apply import CONFLICT_FILL, show
from .diff import DELETED, Change, Conflict, MergePlan
from .model import EXTRA, RowKey

__all__ = ["CONFLICT_SHEET", "LOG_SHEET", "Labels", "after_visible", "render_text", "to_json", "write_sheets"]

CONFLICT_SHEET = "合并冲突"
LOG_SHEET = "合并记录"
KINDS = {"cell": ("修改", "edited"), "row-added": ("新增行", "row added"), "row-deleted": ("删除行", "row deleted"),
         "delete-edit": ("删除/修改", "deleted/edited"), "no-place": ("基准中无位置", "no place in BASE"),
         "no-room": ("被表格占用", "taken by a table"), "free-cell": ("自由单元格", "free cell"), "sheet-added": ("新增工作表", "sheet added"),
         "sheet-kept": ("保留工作表（副本中已删除）", "sheet kept (deleted in a copy)"),
         "not-copied": ("未合并的内容（请手动复制）", "not merged (copy by hand)")}
#: A sheet's values in the log are cut at this length (--json has them all).
SHOWN_MAX = 2000


class Labels:
    """Names people know: sheet names for tables, column labels for fields, key texts for rows."""

    def __init__(self, template: Template, headers: dict[str, dict[str, str]], lang: str = "zh") -> None:
        self.template, self.headers, self.lang = template, headers, lang

    def table(self, table: str | None) -> str:
        section = self.template.form if table is None else self.template.table(table)
        return section.en if self.lang == "en" else section.zh

    def field(self, table: str | None, fid: str) -> str:
        if not fid:
            return ""
        if fid.startswith(EXTRA):
            return self.headers.get(table or "", {}).get(fid, fid[len(EXTRA):])
        section = self.template.form.field(fid) if table is None else self.template.table(table).column(fid)
        return section.label(self.lang)

    @staticmethod
    def key(key: RowKey | None) -> str:
        if key is None:
            return ""
        parts = [p for p in key if p and not p.startswith("\x00")]
        return " / ".join(parts) if parts else "（无行键）"

    def sheet(self, item: Change | Conflict) -> str:
        """The sheet a change or conflict is on: free cells and added sheets name it, others by table."""
        if item.kind == "not-copied":
            return item.sheet  # a copy's drawings that could not be read are on no one sheet
        return item.sheet or self.table(item.table)

    def shown(self, item: Change | Conflict, values: Any, limit: int = SHOWN_MAX) -> str:
        """``values`` of a change for people; an added sheet's are ``A1=…; B2=…`` (cut when long)."""
        if not item.sheet:
            return self.values(item.table, values)
        if not isinstance(values, dict):
            return show(values)
        text = "; ".join(f"{k}={format_value(v)}" for k, v in values.items())
        if len(text) > limit:
            more = f"…（共 {len(values)} 个单元格）" if self.lang == "zh" else f"… ({len(values)} cells)"
            text = text[:limit] + more
        return text

    def values(self, table: str | None, values: Any) -> str:
        if isinstance(values, dict):
            return "; ".join(f"{self.field(table, k)}={format_value(v)}" for k, v in values.items() if v is not None)
        return show(values)


def _conflict_value(v: Any, lang: str) -> str:
    if isinstance(v, dict):
        return "; ".join(f"{k.lstrip(EXTRA)}={format_value(x)}" for k, x in v.items())
    if v == DELETED:
        return "已删除" if lang == "zh" else "deleted"
    if v == "edited":
        return "已修改" if lang == "zh" else "edited"
    return show(v)


def _outcome(c: Conflict, lang: str) -> str:
    if c.kind == "no-place":
        values = "; ".join(_conflict_value(v, lang) for _, v in c.values)
        return (f"基准中没有位置，未写入：{values}" if lang == "zh" else f"no place in BASE, not written: {values}")
    if c.kind == "no-room":
        values = "; ".join(_conflict_value(v, lang) for _, v in c.values)
        return (f"表格扩展后占用此位置，未写入：{values}" if lang == "zh" else
                f"a table grew over this place, not written: {values}")
    if c.resolved_by is None:
        return "未解决：保留基准值" if lang == "zh" else "unresolved: BASE kept"
    if c.resolved_by == "base":
        return "采用基准值" if lang == "zh" else "BASE kept (--prefer base)"
    return (f"采用 {c.resolved_by}" if lang == "zh" else f"took {c.resolved_by}")


def write_sheets(wb: Workbook, plan: MergePlan, labels: Labels, copies: list[str], base_name: str) -> None:
    """Replace any earlier 合并冲突/合并记录 sheets; 合并冲突 first (and active) when there are conflicts."""
    lang = labels.lang
    for name in (CONFLICT_SHEET, LOG_SHEET):
        if name in wb.sheetnames:
            del wb[name]
    bold = Font(bold=True)
    link_font = Font(color="0563C1", underline="single")
    if plan.conflicts:
        ws = wb.create_sheet(CONFLICT_SHEET, 0)
        heads = ["表", "单元格", "行", "字段", "类型", f"基准 {base_name}", *copies, "处理"] if lang == "zh" else \
            ["Sheet", "Cell", "Row", "Field", "Kind", f"BASE {base_name}", *copies, "Outcome"]
        ws.append(heads)
        for c in plan.conflicts:
            by = dict(c.values)
            ws.append([labels.sheet(c), c.address.split("!")[-1], labels.key(c.key), labels.field(c.table, c.field),
                       KINDS[c.kind][lang != "zh"], "" if c.kind == "delete-edit" else show(c.base),
                       *(_conflict_value(by[n], lang) if n in by else "" for n in copies), _outcome(c, lang)])
            _link(ws, c.address, link_font)
            if c.resolved_by is None:
                ws.cell(ws.max_row, len(heads)).fill = PatternFill("solid", fgColor=CONFLICT_FILL)
        _finish(ws, bold, [12, 10, 16, 14, 10, 16, *([16] * len(copies)), 22])
        wb.active = 0
    ws = wb.create_sheet(LOG_SHEET, after_visible(wb))
    heads = ["表", "单元格", "行", "字段", "类型", "原值", "新值", "来源副本"] if lang == "zh" else \
        ["Sheet", "Cell", "Row", "Field", "Kind", "From", "To", "Source copy"]
    ws.append(heads)
    for ch in plan.changes:
        cell = ch.address.split("!")[-1]
        if ch.kind == "row-deleted":
            cell = f"{'基准' if lang == 'zh' else 'BASE'} {cell}"
        # Content left behind has no "from": the cell stays empty rather than reading （空）.
        old = "" if ch.kind == "not-copied" else labels.shown(ch, ch.old)
        ws.append([labels.sheet(ch), cell, labels.key(ch.key),
                   labels.field(ch.table, ch.field), KINDS[ch.kind][lang != "zh"],
                   old, labels.shown(ch, ch.new), ", ".join(ch.sources)])
        if ch.kind == "not-copied":
            ws.cell(ws.max_row, 5).fill = PatternFill("solid", fgColor=CONFLICT_FILL)
        elif ch.kind != "row-deleted":
            _link(ws, ch.address, link_font)
    _finish(ws, bold, [12, 10, 16, 14, 10, 24, 24, 20])


def after_visible(wb: Workbook) -> int:
    """The index after the last visible sheet (hidden ones such as _lists and _pimxl stay last)."""
    visible = [i for i, s in enumerate(wb.worksheets) if s.sheet_state == "visible"]
    return visible[-1] + 1 if visible else len(wb.worksheets)


def _link(ws: Any, address: str, font: Font) -> None:
    if "!" in address:
        cell = ws.cell(ws.max_row, 2)
        sheet, ref = address.rsplit("!", 1)
        cell.hyperlink = f"#{quote_sheet(sheet.strip(chr(39)).replace(chr(39) * 2, chr(39)))}!{ref}"
        cell.value, cell.font = ref, font


def _finish(ws: Any, bold: Font, widths: list[int]) -> None:
    from ..address import col_letter

    for c in ws[1]:
        c.font = bold
    for i, w in enumerate(widths, start=1):
        ws.column_dimensions[col_letter(i)].width = w
    ws.freeze_panes = "A2"


def _change_json(ch: Change, labels: Labels) -> dict[str, Any]:
    if ch.kind == "not-copied":
        return {"kind": ch.kind, "sheet": ch.sheet or None, "cell": None, "what": ch.what, "count": ch.count or None,
                "label": KINDS[ch.kind][labels.lang != "zh"], "text": ch.new, "source": list(ch.sources)}
    return {"kind": ch.kind, "sheet": labels.sheet(ch), "cell": ch.address,
            "cell_in": "base" if ch.kind == "row-deleted" else "out",
            "table": None if ch.sheet else ch.table or "form",
            "row": labels.key(ch.key) or None, "field": ch.field.lstrip(EXTRA) or None,
            "label": labels.field(ch.table, ch.field) or None,
            "from": _jsonable(ch.old), "to": _jsonable(ch.new), "source": list(ch.sources)}


def _conflict_json(c: Conflict, labels: Labels) -> dict[str, Any]:
    return {"kind": c.kind, "sheet": labels.sheet(c), "cell": c.address,
            "table": None if c.sheet else c.table or "form", "free": bool(c.sheet),
            "row": labels.key(c.key) or None, "field": c.field.lstrip(EXTRA) or None,
            "label": labels.field(c.table, c.field) or None, "base": _jsonable(c.base),
            "values": {n: _jsonable(v) for n, v in c.values}, "changed_in": list(c.changed),
            "resolved": c.resolved_by is not None, "resolved_by": c.resolved_by, "chosen": _jsonable(c.chosen)}


def _jsonable(v: Any) -> Any:
    if isinstance(v, dict):
        return {k.lstrip(EXTRA): _jsonable(x) for k, x in v.items()}
    if type(v).__name__ in ("ArrayFormula", "DataTableFormula"):
        return str(getattr(v, "text", v))
    if v is None or isinstance(v, bool | int | float | str):
        return v
    return format_value(v)


def to_json(plan: MergePlan, labels: Labels, base: str, copies: list[str], out: str,
            exit_code: int) -> dict[str, Any]:
    unresolved = sum(1 for c in plan.conflicts if c.resolved_by is None)
    return {"base": base, "copies": copies, "out": out, "template": labels.template.id,
            "summary": {"changes": len(plan.changes), "conflicts": len(plan.conflicts), "unresolved": unresolved,
                        **{k: n for k, n in Counter(ch.kind for ch in plan.changes).items()}},
            "changes": [_change_json(ch, labels) for ch in plan.changes],
            "conflicts": [_conflict_json(c, labels) for c in plan.conflicts],
            "exit_code": exit_code}


def render_text(plan: MergePlan, labels: Labels, out: str, limit: int = 30) -> str:
    zh = labels.lang == "zh"
    kinds = Counter(ch.kind for ch in plan.changes)
    unresolved = sum(1 for c in plan.conflicts if c.resolved_by is None)
    left = [ch for ch in plan.changes if ch.kind == "not-copied"]
    changes = [ch for ch in plan.changes if ch.kind != "not-copied"]
    lines = [(f"已合并 → {out}：修改 {kinds['cell']} 处，新增行 {kinds['row-added']}，删除行 {kinds['row-deleted']}，"
              f"自由单元格 {kinds['free-cell']} 处，新增工作表 {kinds['sheet-added']} 个，"
              f"冲突 {len(plan.conflicts)} 处（未解决 {unresolved}）") if zh else
             (f"merged → {out}: {kinds['cell']} cells changed, {kinds['row-added']} rows added, "
              f"{kinds['row-deleted']} rows deleted, {kinds['free-cell']} free cells changed, "
              f"{kinds['sheet-added']} sheets added, {len(plan.conflicts)} conflicts ({unresolved} unresolved)")]
    if plan.conflicts:
        lines.append("冲突：" if zh else "Conflicts:")
        for c in plan.conflicts:
            vals = " | ".join(f"{n} {_conflict_value(v, labels.lang)}" for n, v in c.values)
            base = "" if c.kind == "delete-edit" else f"{'基准' if zh else 'BASE'} {show(c.base)} | "
            if c.sheet and c.kind in ("no-place", "no-room"):
                # The copy's cell is named in its value, and the outcome repeats it: said once.
                lines.append(f"  {labels.sheet(c)}  {KINDS[c.kind][not zh]}: {_outcome(c, labels.lang)}")
                continue
            head = " ".join(p for p in (c.address or labels.sheet(c), labels.key(c.key),
                                        labels.field(c.table, c.field)) if p)
            lines.append(f"  {head}: {base}{vals} → {_outcome(c, labels.lang)}")
    if left:
        lines[0] += f"，未合并的内容 {len(left)} 项（请手动复制）" if zh else f", {len(left)} items not merged (copy by hand)"
        # Every item, never cut: each is something the user must copy by hand.
        lines.append(f"{KINDS['not-copied'][not zh]}：" if zh else f"{KINDS['not-copied'][1].capitalize()}:")
        for ch in left:
            at = f"{ch.sheet}  " if ch.sheet else ""
            lines.append(f"  {at}{ch.new}  ({', '.join(ch.sources)})")
    if changes:
        lines.append("修改：" if zh else "Changes:")
        for ch in changes[:limit]:
            what = labels.shown(ch, ch.new if ch.kind != "row-deleted" else ch.old, 120)
            if ch.kind == "sheet-kept":
                what = ""
            at = ch.address or labels.sheet(ch)
            if ch.kind == "row-deleted":
                at = f"{'基准' if zh else 'BASE'} {at}"  # the row is gone from OUT
            head = " ".join(p for p in (KINDS[ch.kind][not zh], labels.key(ch.key), labels.field(ch.table, ch.field)) if p)
            lines.append(f"  {at}  {head}: "
                         + (f"{show(ch.old)} → {what}" if ch.kind in ("cell", "free-cell") else what) + f"  ({', '.join(ch.sources)})")
        if len(changes) > limit:
            more = len(changes) - limit
            lines.append(f"  … 另有 {more} 处，见“{LOG_SHEET}”工作表或 --json" if zh else
                         f"  … {more} more: see the {LOG_SHEET} sheet or --json")
    return "\n".join(lines)
