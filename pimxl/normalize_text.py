"""Text, choice and code-list normalisation (private helper of :mod:`pimxl.normalize`)."""

from __future__ import annotations

import re
from datetime import date, datetime, time
from typing import Any

from .findings import Code, Severity
from .normalize_base import Ctx, Result, collapse, fold_all, fold_alnum, fold_width, number_text, seen

__all__ = ["CHOICE_INVALID", "CHOICE_NORMALISED", "PATTERN_MISMATCH", "TEXT_NORMALISED", "choice_value",
           "codes_value", "longtext_value", "match_choice", "parse_yes_no", "text_value"]

TEXT_NORMALISED = Code(
    "text-normalised", Severity.INFO,
    "{label_zh}：'{seen}' 已按 '{normalized}' 读取（{what_zh}）",
    "{label_en}: read '{seen}' as '{normalized}' ({what_en})",
    title_zh="文本已规范化",
)
PATTERN_MISMATCH = Code(
    "pattern-mismatch", Severity.ERROR,
    "{label_zh}：'{normalized}' 格式不符合要求（{hint_zh}）",
    "{label_en}: '{normalized}' does not have the required form ({hint_en})",
    title_zh="格式不符",
)
CHOICE_NORMALISED = Code(
    "choice-normalised", Severity.INFO,
    "{label_zh}：'{seen}' 已按选项 '{normalized}' 读取",
    "{label_en}: read '{seen}' as the choice '{normalized}'",
    title_zh="选项已规范化",
)
CHOICE_INVALID = Code(
    "choice-invalid", Severity.ERROR,
    "{label_zh}：'{seen}' 不是可选值，请从下拉列表中选择：{allowed}",
    "{label_en}: '{seen}' is not an allowed value; choose one of: {allowed}",
    title_zh="不是可选值",
)

# What a text normalisation did, for the message: (zh, en).
_TRIMMED = ("去除首尾空格或换行", "stray spaces or line breaks removed")
_INNER_WS = ("合并多余空格或换行", "extra spaces or line breaks merged")
_WIDTH = ("全角字符改为半角", "full-width characters made half-width")
_UPPER = ("字母改为大写", "letters made upper case")
_FROM_DATE = ("日期按文本读取", "a date read as text")


def _what(notes: list[tuple[str, str]]) -> dict[str, str]:
    return {"what_zh": "，".join(n[0] for n in notes), "what_en": ", ".join(n[1] for n in notes)}


def as_text(raw: Any) -> tuple[str, bool]:
    """A non-text cell value as text, and whether that was a date/time shown as text.

    Numbers are written as a General cell shows them (2.0 → '2', which is what calamine returns for
    a WBS code typed as 2); booleans as Excel shows them (TRUE/FALSE).
    """
    if isinstance(raw, str):
        return raw, False
    if isinstance(raw, bool):
        return ("TRUE" if raw else "FALSE"), False
    if isinstance(raw, int | float):
        return number_text(raw), False
    if isinstance(raw, datetime):
        return (raw.isoformat(sep=" ", timespec="minutes") if raw.time() != time() else raw.date().isoformat()), True
    if isinstance(raw, date):
        return raw.isoformat(), True
    if isinstance(raw, time):
        return raw.isoformat(timespec="minutes"), True
    return str(raw), False


def _clean_notes(original: str, cleaned: str, folded: str) -> list[tuple[str, str]]:
    """Why ``original`` became ``cleaned`` (``folded`` is ``original`` after width folding only)."""
    notes = []
    if folded != original:
        notes.append(_WIDTH)
    if folded.strip() != folded:
        notes.append(_TRIMMED)
    if collapse(folded) != folded.strip():
        notes.append(_INNER_WS)
    return notes


def text_value(ctx: Ctx) -> Result:
    """A short TEXT field: trim, merge whitespace and line breaks, fold full-width letters/digits.

    Chinese punctuation （）、，stays as typed. A field with a ``pattern`` (an identifier such as
    the project id) is folded completely and, when only its letter case keeps it from matching,
    upper-cased.
    """
    f = ctx.field
    original, from_date = as_text(ctx.raw)
    folded = fold_all(original) if f.pattern else fold_alnum(original)
    value = collapse(folded)
    if not value:
        return None, []
    notes = _clean_notes(original, value, folded)
    if from_date:
        notes.append(_FROM_DATE)
    findings = []
    if f.pattern and not re.search(f.pattern, value):
        if re.search(f.pattern, value.upper()):
            # Identifiers are upper case by convention ('prj-2026-001' is PRJ-2026-001).
            value = value.upper()
            notes.append(_UPPER)
        else:
            findings.append(ctx.finding(
                PATTERN_MISMATCH, normalized=value,
                hint_zh=f.help_zh or f.pattern, hint_en=f.help_en or f.pattern,
            ))
    if notes:
        findings.insert(0, ctx.finding(TEXT_NORMALISED, normalized=value, **_what(notes)))
    return value, findings


def longtext_value(ctx: Ctx) -> Result:
    """A LONGTEXT field keeps its inner line breaks and punctuation; only the ends are trimmed.

    Windows line ends (CR LF) become LF without a finding: that is representation, not content.
    """
    original, from_date = as_text(ctx.raw)
    text = original.replace("\r\n", "\n").replace("\r", "\n")
    value = text.translate({0x200B: None, 0xFEFF: None}).strip()
    if not value:
        return None, []
    notes = []
    if value != text:
        notes.append(_TRIMMED)
    if from_date:
        notes.append(_FROM_DATE)
    if notes:
        return value, [ctx.finding(TEXT_NORMALISED, normalized=seen(value), **_what(notes))]
    return value, []


# ---- yes/no ---------------------------------------------------------------------------------------

# Compared after fold_width and casefold. 'x' is deliberately absent: a ticked box is written [x]
# by some and × ("wrong") by others.
_YES = {"是", "y", "yes", "✓", "✔", "√", "☑", "对", "有", "true", "t", "1", "ok", "是的"}
_NO = {"否", "n", "no", "✗", "✘", "×", "☒", "☐", "错", "无", "false", "f", "0", "没有"}


def parse_yes_no(raw: Any) -> bool | None:
    """是/否, Y/N, ✓/×, √, true/false, 1/0, 有/无 → True/False; anything else → None."""
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, int | float):
        return True if raw == 1 else False if raw == 0 else None
    if not isinstance(raw, str):
        return None
    key = fold_width(raw).casefold()
    if key in _YES:
        return True
    if key in _NO:
        return False
    return None


# ---- choices --------------------------------------------------------------------------------------

#: Other words people type for a dropdown value; used only when the value is one of the field's
#: choices and the word points at exactly one of them.
_SYNONYMS: dict[str, tuple[str, ...]] = {
    "已完成": ("完成", "完工", "已完工", "done", "completed", "complete", "finished", "100%"),
    "进行中": ("进行", "实施中", "执行中", "正在进行", "in progress", "ongoing", "doing"),
    "未开始": ("未启动", "没开始", "not started", "todo", "to do"),
    "不适用": ("n/a", "na", "不涉及", "无需", "不需要"),
    "延期": ("延迟", "推迟", "delayed"),
    "取消": ("已取消", "cancelled", "canceled"),
    "开放": ("打开", "未关闭", "open"),
    "已关闭": ("关闭", "closed"),
    "绿": ("绿色", "green"),
    "黄": ("黄色", "amber", "yellow"),
    "红": ("红色", "red"),
    "高": ("high",),
    "中": ("中等", "medium"),
    "低": ("low",),
    "符合": ("合格", "通过", "满足", "pass", "ok"),
    "不符合": ("不合格", "不通过", "不满足", "fail"),
    "批准": ("同意", "已批准", "approved"),
    "否决": ("不同意", "驳回", "拒绝", "rejected"),
    "待审批": ("未审批", "审批中", "待批", "pending"),
    "悬置": ("搁置", "暂缓", "挂起"),
    "一般": ("普通", "normal"),
    "紧急": ("urgent",),
    "特急": ("非常紧急", "加急"),
    "CNY": ("人民币", "rmb", "元", "¥"),
    "USD": ("美元", "us$", "$"),
    "EUR": ("欧元", "€"),
    "HKD": ("港币", "港元", "hk$"),
    "JPY": ("日元",),
    "系统集成事业一部": ("系统集成一部", "集成一部", "事业一部"),
    "系统集成事业二部": ("系统集成二部", "集成二部", "事业二部"),
    "网络集成事业部": ("网络集成部", "网络事业部"),
    "服务与培训事业部": ("服务培训事业部", "服务与培训部", "培训事业部"),
}


def _key(s: str) -> str:
    """Comparison key of a choice: width-folded, without whitespace, case-insensitive."""
    return re.sub(r"\s+", "", fold_all(s)).casefold()


def match_choice(text: str, choices: tuple[str, ...]) -> str | None:
    """The choice ``text`` stands for (after width folding, a known synonym or yes/no), or None."""
    key = _key(text)
    if not key:
        return None
    for c in choices:
        if _key(c) == key:
            return c
    by_synonym = [c for c in choices if key in {_key(s) for s in _SYNONYMS.get(c, ())}]
    if len(by_synonym) == 1:
        return by_synonym[0]
    # A 是/否-style list (two choices, one yes and one no) takes every yes/no spelling.
    if len(choices) == 2:
        answers = [parse_yes_no(c) for c in choices]
        if set(answers) == {True, False}:
            yn = parse_yes_no(text)
            if yn is not None:
                return choices[answers.index(yn)]
    return None


def choice_value(ctx: Ctx) -> Result:
    """A CHOICE field: exactly a choice, or a choice after folding/synonyms (info), else an error.

    An invalid choice keeps its (cleaned) text as the value, so that summaries show what was typed;
    the error finding makes it count.
    """
    choices = ctx.field.choices
    text, _ = as_text(ctx.raw)
    if not choices:
        return text_value(ctx)
    if text in choices:
        return text, []
    found = match_choice(text, choices)
    if found is not None:
        return found, [ctx.finding(CHOICE_NORMALISED, normalized=found)]
    return fold_width(text), [ctx.finding(CHOICE_INVALID, allowed=" / ".join(choices))]


# ---- code lists -----------------------------------------------------------------------------------

_CODE_SEPARATORS = re.compile(r"[,;、\s]+")


def codes_value(ctx: Ctx) -> Result:
    """A CODES field (e.g. predecessor WBS codes): split on , ， 、 ; ； spaces and line breaks.

    Plain commas and spaces are the documented separators and give no finding; full-width
    characters, other separators and repeated codes are reported (text-normalised, info).
    """
    original, _ = as_text(ctx.raw)
    folded = fold_all(original)
    parts = [p for p in _CODE_SEPARATORS.split(folded) if p]
    if not parts:
        return None, []
    codes = tuple(dict.fromkeys(parts))
    notes = []
    if folded != original:
        notes.append(_WIDTH)
    if re.search(r"[;、\n\r\t]", folded):
        notes.append(("分隔符改为逗号", "separators made commas"))
    if len(codes) != len(parts):
        notes.append(("去除重复项", "repeated codes removed"))
    findings = []
    if notes:
        findings.append(ctx.finding(TEXT_NORMALISED, normalized=", ".join(codes), **_what(notes)))
    pattern = ctx.field.pattern
    if pattern:
        findings.extend(
            ctx.finding(PATTERN_MISMATCH, normalized=c, hint_zh=ctx.field.help_zh or pattern,
                        hint_en=ctx.field.help_en or pattern)
            for c in codes if not re.search(pattern, c)
        )
    return codes, findings
