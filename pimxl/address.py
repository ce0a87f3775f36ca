"""Cell addresses: (row, column) ↔ A1, and the quoted ``'Sheet'!A1`` form used in findings.

Computed from numbers on purpose: openpyxl's read-only EmptyCell has no ``.coordinate``, and empty
cells are exactly where a "required value missing" finding must point.
"""

from __future__ import annotations

import functools
import re

__all__ = ["a1", "col_letter", "col_number", "parse_a1", "quote_sheet", "sheet_address"]

_A1 = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d+)$")


def col_letter(col: int) -> str:
    """1 → A, 26 → Z, 27 → AA, 16384 → XFD."""
    if col < 1:
        raise ValueError(f"column must be ≥ 1, got {col}")
    letters = ""
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def col_number(letters: str) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + (ord(ch) - 64)
    return n


def a1(row: int, col: int, absolute: bool = False) -> str:
    if absolute:
        return f"${col_letter(col)}${row}"
    return f"{col_letter(col)}{row}"


def parse_a1(ref: str) -> tuple[int, int]:
    """'B7' or '$B$7' → (7, 2)."""
    m = _A1.match(ref.strip())
    if not m:
        raise ValueError(f"not an A1 cell reference: {ref!r}")
    return int(m.group(2)), col_number(m.group(1))


def quote_sheet(sheet: str) -> str:
    """Quote a sheet name for a formula or address: 合同进程 → '合同进程'."""
    return "'" + sheet.replace("'", "''") + "'"


@functools.lru_cache(maxsize=1 << 16)
def sheet_address(sheet: str, row: int, col: int, absolute: bool = False) -> str:
    # Cached: a rollup asks for the same few thousand places (workbooks of one template) a million times.
    return f"{quote_sheet(sheet)}!{a1(row, col, absolute)}"
