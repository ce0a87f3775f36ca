"""Fast paths of :func:`pimxl.normalize.normalize` for the clean, common cell (private helper).

Most cells of a filled-in template need no normalisation at all: a float from the reader in a money
column, a ``date`` in a date column, text that is already exactly one of a dropdown's options, a
task name without stray spaces. For those, :func:`normalize` would build its context, run every
check and return ``(value, [])``. :func:`fast_typer` gives, per field, a function that recognises
exactly such a value and returns what :func:`normalize` would return — or :data:`SLOW` for
anything else (every cell that might need a finding), which then goes the general way. Nothing is
decided here that the general path would decide differently: ``tests/test_normalize_fast.py``
compares both on tricky input.

Standard library only.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from .normalize_base import number_text
from .schema import Field, FieldType

__all__ = ["SLOW", "Typer", "fast_typer"]

#: What a fast path returns when the cell needs the general normaliser.
SLOW: Any = object()

#: A field's fast path: the raw cell value → the typed value, or :data:`SLOW`.
Typer = Callable[[Any], Any]

# Anything that short text normalisation would change or report: full-width letters and digits,
# zero-width characters, odd spaces (and every other white space than the plain space), a space at
# either end, two spaces in a row.
_SHORT_DIRTY = re.compile(
    r"[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a\u200b-\u200d\u2060\ufeff]|[^\S ]|^ | $|  "
)
# The same for a field with a pattern, which folds every full-width ASCII character and sign.
_FULL_DIRTY = re.compile(r"[\uff01-\uff5e\uffe0-\uffe6\u200b-\u200d\u2060\ufeff]|[^\S ]|^ | $|  ")
# Long text keeps inner white space; carriage returns and zero-width characters are changed.
_LONG_DIRTY = re.compile(r"[\r\u200b-\u200d\u2060\ufeff]")


def _maybe_error(s: str) -> bool:
    """Could be an Excel error value (``#REF!``, also typed full-width): every one holds a '#'."""
    return "#" in s or "＃" in s


def _text(field: Field) -> Typer:
    """TEXT: clean text as it is; a number as a General cell shows it (2.0 → '2')."""
    dirty = _FULL_DIRTY if field.pattern else _SHORT_DIRTY
    search = dirty.search
    # A pattern the clean text already matches needs no upper-casing and gives no finding.
    matches = re.compile(field.pattern).search if field.pattern else None

    def typed(raw: Any) -> Any:
        t = type(raw)
        if t is str:
            # (Every Excel error value holds a '#': such text is for the general path to judge.)
            if not raw or search(raw) or "#" in raw or "＃" in raw or (matches is not None and not matches(raw)):
                return SLOW
            return raw
        if t is float and matches is None:
            return number_text(raw)
        return SLOW

    return typed


def _longtext(raw: Any) -> Any:
    """LONGTEXT: text trimmed at neither end, without carriage returns or zero-width characters."""
    t = type(raw)
    if t is str:
        if not raw or raw.strip() != raw or _LONG_DIRTY.search(raw) or _maybe_error(raw):
            return SLOW
        return raw
    if t is float:
        return number_text(raw)
    return SLOW


def _choice(field: Field) -> Typer:
    """CHOICE: exactly one of the options (a number in the cell: as a General cell shows it)."""
    # Only the options the general path itself takes silently (normally all of them).
    from .normalize import normalize

    clean = {c: c for c in field.choices if normalize(c, field) == (c, [])}
    get = clean.get

    def typed(raw: Any) -> Any:
        t = type(raw)
        if t is str:
            return get(raw, SLOW)
        if t is float:
            return get(number_text(raw), SLOW)
        return SLOW

    return typed


def _date(raw: Any) -> Any:
    """DATE: a ``date``, or a ``datetime`` at midnight (its date)."""
    t = type(raw)
    if t is date:
        return raw
    if t is datetime and not (raw.hour or raw.minute or raw.second or raw.microsecond):
        return raw.date()
    return SLOW


def _numeric_choices(field: Field) -> list[float]:
    """The options that are numbers (as ``normalize_numbers._check_choices`` reads them)."""
    numeric = []
    for c in field.choices:
        try:
            numeric.append(float(c))
        except ValueError:
            continue
    return numeric


def _in_range(field: Field, numeric: list[float]) -> Callable[[float | int], bool]:
    """The general path's range check (``check_range``) as a test, after its check of numeric options."""
    lo, hi = field.minimum, field.maximum

    def ok(v: float | int) -> bool:
        if numeric and not any(math.isclose(v, c, abs_tol=1e-9) for c in numeric):
            return False
        return (lo is None or v >= lo - 1e-9) and (hi is None or v <= hi + 1e-9)

    return ok


def _number(field: Field) -> Typer:
    """MONEY / NUMBER: a finite float within the field's range (and among its numeric options)."""
    numeric = _numeric_choices(field)
    ok = _in_range(field, numeric)
    # Without a range or options every finite number is taken as it is.
    plain = field.minimum is None and field.maximum is None and not numeric

    def typed(raw: Any) -> Any:
        # ``x - x == 0.0`` is false for NaN and ±inf, which the general path reports.
        if type(raw) is float and raw - raw == 0.0 and (plain or ok(raw)):
            return raw
        return SLOW

    return typed


def _integer(field: Field) -> Typer:
    """INTEGER: a finite float that is a whole number, within range (and among its numeric options)."""
    ok = _in_range(field, _numeric_choices(field))

    def typed(raw: Any) -> Any:
        if type(raw) is float and raw - raw == 0.0 and raw.is_integer():
            n = int(raw)
            return n if ok(n) else SLOW
        return SLOW

    return typed


def _percent(field: Field) -> Typer:
    """PERCENT: a fraction (a finite float from −1 to 1), within range (options are not checked)."""
    ok = _in_range(field, [])

    def typed(raw: Any) -> Any:
        if type(raw) is float and -1.0 <= raw <= 1.0 and ok(raw):
            return raw
        return SLOW

    return typed


def _slow(raw: Any) -> Any:
    return SLOW


_BUILD: dict[FieldType, Callable[[Field], Typer]] = {
    FieldType.TEXT: _text,
    FieldType.LONGTEXT: lambda f: _longtext,
    FieldType.DATE: lambda f: _date,
    FieldType.MONEY: _number,
    FieldType.NUMBER: _number,
    FieldType.INTEGER: _integer,
    FieldType.PERCENT: _percent,
}

# Per field (by id, the field kept alive alongside so that the id is never reused): declarations
# are module-level constants, so this holds one entry per declared field.
_TYPERS: dict[int, tuple[Field, Typer]] = {}


def fast_typer(field: Field) -> Typer:
    """The fast path of ``field``: raw → exactly ``normalize(raw, field)[0]`` when that has no findings, else SLOW.

    Built once per field. CODES fields (and CHOICE fields without options, read as text) have none.
    """
    hit = _TYPERS.get(id(field))
    if hit is not None and hit[0] is field:
        return hit[1]
    if field.type is FieldType.CHOICE:
        # Without options a choice is read as text, but a placeholder (待定) still means empty.
        typer = _choice(field) if field.choices else _slow
    else:
        typer = _BUILD.get(field.type, lambda f: _slow)(field)
    _TYPERS[id(field)] = (field, typer)
    return typer
