"""The declarative model of a template: what a workbook holds, not how it is written or read.

A :class:`Template` has one :class:`Form` (a sheet of labelled single values) and any number of
:class:`Table` sections (a sheet with an Excel table each). Both are made of :class:`Field` s.
Everything that touches a spreadsheet library (the writer, the reader, the rollup) works from
these declarations, so adding a field is one edit in ``pimxl/templates/<id>.py``.

This module imports nothing but the standard library, on purpose.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

__all__ = ["Field", "FieldType", "Form", "Table", "Template"]


class FieldType(StrEnum):
    """What a value is; the reader normalises typed input to the Python type named here."""

    TEXT = "text"  # str
    LONGTEXT = "longtext"  # str, shown wrapped in a tall cell
    DATE = "date"  # datetime.date
    MONEY = "money"  # float, yuan
    NUMBER = "number"  # float
    INTEGER = "integer"  # int
    PERCENT = "percent"  # float 0..1 (30 % is 0.3)
    CHOICE = "choice"  # str, one of Field.choices
    CODES = "codes"  # tuple[str, ...]: comma separated references (e.g. predecessor WBS codes)


@dataclass(frozen=True)
class Field:
    """One value: a form field or a table column.

    ``formula`` makes the field computed: an Excel formula in which ``{key}`` stands for the cell of
    another column in the same row and ``{@key}`` for a form field (a defined name). ``compute``
    is the same rule in Python, used by the reader when a formula has no cached value.
    """

    key: str
    zh: str
    en: str
    type: FieldType = FieldType.TEXT
    required: bool = False
    choices: tuple[str, ...] = ()
    default: Any = None
    help_zh: str = ""
    help_en: str = ""
    width: float | None = None  # column width in characters; the writer picks one when None
    minimum: float | None = None
    maximum: float | None = None
    pattern: str | None = None  # regex a text value must match
    formula: str | None = None
    compute: Callable[[Mapping[str, Any], Mapping[str, Any]], Any] | None = None
    group: str = ""  # form fields only: the heading this field is listed under
    aliases: tuple[str, ...] = ()  # older labels the reader also accepts in header fallback

    @property
    def computed(self) -> bool:
        return self.formula is not None

    def label(self, lang: str = "zh") -> str:
        return self.en if lang == "en" else self.zh


@dataclass(frozen=True)
class Form:
    """A sheet of labelled single values (the 项目信息 block and the like)."""

    key: str
    zh: str  # sheet name
    en: str
    fields: tuple[Field, ...]

    def field(self, key: str) -> Field:
        for f in self.fields:
            if f.key == key:
                return f
        raise KeyError(key)


@dataclass(frozen=True)
class Table:
    """A tabular section: one sheet holding one Excel table (ListObject).

    ``row_key`` names the column(s) that identify a row across copies and versions (merge, upgrade,
    history). ``rows`` are pre-filled rows (dicts by column key); ``blank_rows`` empty rows follow
    them in a fresh template so that formulas and validation are already in place.
    """

    key: str
    zh: str  # sheet name
    en: str
    columns: tuple[Field, ...]
    row_key: tuple[str, ...]
    rows: tuple[Mapping[str, Any], ...] = ()
    blank_rows: int = 20
    help_zh: str = ""
    help_en: str = ""

    def column(self, key: str) -> Field:
        for c in self.columns:
            if c.key == key:
                return c
        raise KeyError(key)

    @property
    def excel_name(self) -> str:
        """The ListObject's display name (letters, digits and underscores only)."""
        return "tbl_" + self.key


@dataclass(frozen=True)
class Template:
    id: str
    version: int
    zh: str  # title, also used in file names
    en: str
    form: Form
    tables: tuple[Table, ...] = ()
    instructions_zh: tuple[str, ...] = ()
    instructions_en: tuple[str, ...] = ()
    signers_zh: str = ""  # who signs (for the 填写说明 sheet)
    landscape_form: bool = False
    extra: Mapping[str, Any] = field(default_factory=dict)

    def table(self, key: str) -> Table:
        for t in self.tables:
            if t.key == key:
                return t
        raise KeyError(key)

    def title(self, lang: str = "zh") -> str:
        return self.en if lang == "en" else self.zh
