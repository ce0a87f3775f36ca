"""Computed (formula) fields: keep the cached value, recompute with ``Field.compute``, fill the gaps.

A file written by a program and never opened in a spreadsheet application has no cached values:
every reader sees an empty cell. Where the declaration knows the rule, pimxl computes the value
(one info ``formula-recomputed`` per column, see :meth:`ReadContext.recomputed`); where it does not, it says so (warning ``formula-no-value``) rather
than read the cell as empty. Both the cached and the recomputed value stay available on
:class:`ComputedValue` so the rules can flag a number typed over a formula.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..records import Value
from ..schema import Field
from .read_codes import FORMULA_NO_VALUE
from .read_context import ReadContext

__all__ = ["ComputedValue", "settle"]

_FAILED = object()


@dataclass(slots=True)
class ComputedValue(Value):
    """A formula cell: ``raw`` is the cached value, ``recomputed`` what ``Field.compute`` makes of the inputs."""

    recomputed: Any = None
    recomputed_by_pimxl: bool = False  # True when ``value`` is pimxl's computation (no cached value)


def _compute(f: Field, row: Mapping[str, Any], form: Mapping[str, Any]) -> Any:
    if f.compute is None:
        return _FAILED
    try:
        return f.compute(row, form)
    except Exception:  # a declaration's rule meeting odd input must not stop reading
        return _FAILED


def settle(ctx: ReadContext, f: Field, cached: Value, row: dict[str, Any], form: Mapping[str, Any]) -> Value:
    """The value of a computed cell, given its cached content and the row's (already typed) inputs.

    ``row`` is updated with the result, so that a later column computed from this one (未收金额
    from 金额) sees it.
    """
    recomputed = _compute(f, row, form)
    out = ComputedValue(cached.value, cached.raw, cached.cell,
                        recomputed=None if recomputed is _FAILED else recomputed)
    if cached.raw is None and cached.cell is not None:
        cell = cached.cell
        if recomputed is _FAILED:
            ctx.findings.append(FORMULA_NO_VALUE(file=ctx.file, sheet=cell.sheet, cell=cell.a1, field=f.key))
        elif recomputed is not None:
            out.value, out.recomputed_by_pimxl = recomputed, True
            # One info per column and file, not per cell (see ReadContext.recomputed).
            ctx.recomputed(f, cell)
    row[f.key] = out.value
    return out
