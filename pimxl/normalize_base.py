"""Shared pieces of :mod:`pimxl.normalize`: the cell context, width folding and value display.

Private helper module; the public API is :mod:`pimxl.normalize`. Standard library only.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from .findings import Code, Finding, format_value
from .schema import Field

__all__ = ["Ctx", "Result", "collapse", "fmt_number", "fmt_percent", "fold_all", "fold_alnum", "fold_width",
           "number_text", "seen"]

#: What every normaliser returns: the typed value (or None) and the findings that say what happened.
Result = tuple[Any, list[Finding]]

# Unicode spaces other than the ASCII one that people paste from web pages and Word (NBSP, en/em
# spaces, the ideographic space U+3000) become a plain space; zero-width characters disappear.
_SPACES = {cp: " " for cp in (0x00A0, 0x1680, *range(0x2000, 0x200B), 0x202F, 0x205F, 0x3000)}
_ZERO_WIDTH = {cp: None for cp in (0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF)}
# Full-width currency and other signs of the U+FFE0 block.
_SIGNS = {0xFFE0: "¢", 0xFFE1: "£", 0xFFE2: "¬", 0xFFE3: "¯", 0xFFE4: "¦", 0xFFE5: "¥", 0xFFE6: "₩"}

#: Every full-width ASCII character (U+FF01–FF5E, incl. ，（）：；！？) → its half-width form.
_FOLD_ALL: dict[int, str | None] = {
    **{cp: chr(cp - 0xFEE0) for cp in range(0xFF01, 0xFF5F)}, **_SIGNS, **_SPACES, **_ZERO_WIDTH,
}
#: Only full-width letters and digits (and odd spaces): used for short text, where Chinese
#: punctuation such as （）、，is legitimate and must be kept.
_FOLD_ALNUM: dict[int, str | None] = {
    **{cp: chr(cp - 0xFEE0) for r in ((0xFF10, 0xFF1A), (0xFF21, 0xFF3B), (0xFF41, 0xFF5B)) for cp in range(*r)},
    **_SPACES, **_ZERO_WIDTH,
}

_WS = re.compile(r"\s+")


def fold_all(s: str) -> str:
    """Full-width ASCII, signs and odd spaces → half-width; whitespace is left as it is."""
    return s.translate(_FOLD_ALL)


def fold_alnum(s: str) -> str:
    """Full-width letters, digits and odd spaces → half-width; punctuation is kept."""
    return s.translate(_FOLD_ALNUM)


def collapse(s: str) -> str:
    """Runs of whitespace (incl. line breaks) → one space, trimmed."""
    return _WS.sub(" ", s).strip()


def fold_width(s: str) -> str:
    """Full-width → half-width and whitespace collapsed: ``' 完成％ （天）'`` → ``'完成% (天)'``.

    Meant for comparing labels and choices; it folds *all* full-width ASCII (letters, digits,
    punctuation, U+3000) and the full-width ¥, removes zero-width characters and collapses runs of
    whitespace and line breaks to one space.
    """
    return collapse(fold_all(s))


def fmt_number(v: float | int) -> str:
    """1200000.0 → '1,200,000'; 0.35 → '0.35' (for messages)."""
    if isinstance(v, int) or (math.isfinite(v) and v == int(v) and abs(v) < 1e15):
        return f"{int(v):,}"
    return f"{v:,.10g}"


def fmt_percent(v: float) -> str:
    """0.3 → '30%'."""
    return f"{round(v * 100, 8):.10g}%"


def number_text(v: float | int) -> str:
    """A number as a spreadsheet shows it in a General cell: 2.0 → '2', 1.1 → '1.1'."""
    if isinstance(v, float) and v.is_integer() and abs(v) < 1e15:
        return str(int(v))
    return f"{v:.15g}" if isinstance(v, float) else str(v)


def seen(raw: Any) -> str:
    """The raw value as quoted in a message: line breaks shown as ↵, long text shortened."""
    if isinstance(raw, bool):
        text = "TRUE" if raw else "FALSE"
    elif isinstance(raw, time):
        text = raw.isoformat(timespec="minutes" if not raw.second else "seconds")
    elif isinstance(raw, datetime | date | float):
        text = format_value(raw)
    else:
        text = str(raw)
    text = text.replace("\r\n", "↵").replace("\n", "↵").replace("\r", "↵").replace("\t", " ")
    return text if len(text) <= 60 else text[:59] + "…"


@dataclass(frozen=True)
class Ctx:
    """One cell being normalised: the raw value, its field and where it is."""

    raw: Any
    field: Field
    as_of: date
    file: str = ""
    sheet: str = ""
    cell: str = ""
    original: Any = None  # the reader's value when ``raw`` is a plain stand-in for it (str() of an object)

    def finding(self, code: Code, **params: Any) -> Finding:
        """A finding of ``code`` located at this cell, with the field labels and the raw value."""
        return code(
            file=self.file, sheet=self.sheet, cell=self.cell, field=self.field.key,
            value=self.raw if self.original is None else self.original, seen=seen(self.raw), label_zh=self.field.zh, label_en=self.field.en, **params,
        )
