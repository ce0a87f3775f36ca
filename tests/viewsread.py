"""Read a summary or view workbook back with openpyxl: its tables as dicts keyed by header, its KPI block."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl

__all__ = ["kpis", "load", "table"]


def load(path: Path) -> Any:
    return openpyxl.load_workbook(path, read_only=False)


def table(ws: Any, first_header: str, nth: int = 0) -> list[dict[str, Any]]:
    """The rows of the ``nth`` table on ``ws`` whose first header is ``first_header`` (an empty table's
    "（无）" row is no row)."""
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    starts = [i for i, r in enumerate(rows) if r and r[0] == first_header]
    start = starts[nth]
    head = [h for h in rows[start] if h is not None]
    out = []
    for r in rows[start + 1:]:
        if all(v is None for v in r[:len(head)]) or r[0] == "（无）":
            break
        out.append(dict(zip(head, r, strict=False)))
    return out


def kpis(ws: Any) -> dict[str, Any]:
    """The overview's KPI block: label (first column) → value (third)."""
    out: dict[str, Any] = {}
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    start = next(i for i, r in enumerate(rows) if r and r[0] in ("指标", "Indicator"))
    for r in rows[start + 1:]:
        if r[0] is None:
            break
        out[r[0]] = r[2]
    return out
