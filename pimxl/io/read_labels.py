"""Label matching for the fallback reader: 项目编号 * ≈ 项目编号 ≈ ｐｒｏｊｅｃｔ　ＩＤ ≈ project id.

A label is folded by width (full-/half-width), whitespace (all of it, line breaks too), case, a
trailing required mark ``*`` and a trailing colon. A header cell holding "计划开始\\nPlanned start"
matches either line.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import Any

from ..schema import Field, Table

__all__ = ["field_labels", "fold", "label_index", "label_keys"]

# Whitespace of any kind (NFKC has already turned U+3000 and NBSP into spaces) and zero-width marks.
_SPACE = re.compile(r"[\s\u200b\u200c\u200d\u2060\ufeff]+")


def fold(text: Any) -> str:
    """The comparable form of a label ('' for anything that is not text)."""
    if not isinstance(text, str):
        return ""
    # NFKC folds full-width letters, digits, punctuation and spaces to half-width, which is all a
    # label needs (normalize.fold_width is tuned for values, where Chinese punctuation must stay).
    s = _SPACE.sub("", unicodedata.normalize("NFKC", text))
    return s.rstrip("*:").lower()


# label_keys of texts already seen (header cells repeat from file to file); bounded.
_KEYS: dict[str, tuple[str, ...]] = {}
_KEYS_MAX = 50_000


def label_keys(text: Any) -> tuple[str, ...]:
    """Folded forms of a cell's text: the whole and each of its lines."""
    if not isinstance(text, str):
        return ()
    hit = _KEYS.get(text)
    if hit is None:
        if len(_KEYS) >= _KEYS_MAX:
            _KEYS.clear()
        hit = _KEYS[text] = _label_keys(text)
    return hit


def _label_keys(text: str) -> tuple[str, ...]:
    if not text.strip():
        return ()
    keys = [fold(text)]
    if "\n" in text:
        keys += [fold(line) for line in text.splitlines() if line.strip()]
    return tuple(k for k in keys if k)


# Per declared field / table (by id, kept alive alongside so the id is never reused): labels are
# asked for on every file, and declarations are constants.
_FIELD_LABELS: dict[int, tuple[Field, frozenset[str]]] = {}
_LOOKUPS: dict[int, tuple[Table, dict[str, str]]] = {}


def field_labels(f: Field) -> frozenset[str]:
    """Every folded label a field answers to: zh, en and older aliases."""
    hit = _FIELD_LABELS.get(id(f))
    if hit is not None and hit[0] is f:
        return hit[1]
    labels = frozenset(k for k in (fold(f.zh), fold(f.en), *(fold(a) for a in f.aliases)) if k)
    _FIELD_LABELS[id(f)] = (f, labels)
    return labels


def label_index(rows: Iterable[list[Any]], max_col: int) -> dict[str, list[tuple[int, int]]]:
    """Folded text → every 1-based (row, col) where it appears within the first ``max_col`` columns."""
    out: dict[str, list[tuple[int, int]]] = {}
    for r, line in enumerate(rows, start=1):
        for c, value in enumerate(line[:max_col], start=1):
            if isinstance(value, str) and value:
                for k in label_keys(value):
                    out.setdefault(k, []).append((r, c))
    return out


def label_lookup(table: Table) -> dict[str, str]:
    """Folded header label (zh, en, aliases) → column key of ``table``; the first column wins a clash.

    Built once per table and shared: callers must not change it.
    """
    hit = _LOOKUPS.get(id(table))
    if hit is not None and hit[0] is table:
        return hit[1]
    out: dict[str, str] = {}
    for f in table.columns:
        for k in field_labels(f):
            out.setdefault(k, f.key)
    _LOOKUPS[id(table)] = (table, out)
    return out
