"""Findings are data: what is wrong (or was normalised), where, and how to say it in zh and en.

A :class:`Code` carries a finding's identity — a stable kebab-case code, a severity and message
templates in both languages — and is declared once, next to the check that yields it. A
:class:`Finding` carries where it happened (file, sheet, cell, field) and the value seen.
A :class:`Report` is a list of findings that can be flattened to rows for tests and tables::

    assert report.flatten(["cell", "code"]) == [["D7", "stage-order"]]
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from .address import quote_sheet

__all__ = ["CODES", "Code", "Finding", "Report", "Severity", "format_value"]


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return {"error": 0, "warning": 1, "info": 2}[self.value]

    def label(self, lang: str = "zh") -> str:
        if lang == "en":
            return self.value
        return {"error": "错误", "warning": "警告", "info": "提示"}[self.value]


#: Every code ever declared, by code; a code is declared once.
CODES: dict[str, Code] = {}


@dataclass(frozen=True)
class Code:
    """A finding's identity. ``zh``/``en`` are ``str.format`` templates over the finding's params."""

    code: str
    severity: Severity
    zh: str
    en: str
    title_zh: str = ""

    def __post_init__(self) -> None:
        known = CODES.get(self.code)
        if known is not None and known != self:
            raise ValueError(f"finding code {self.code!r} declared twice with different content")
        CODES[self.code] = self

    def __call__(
        self,
        *,
        file: str = "",
        sheet: str = "",
        cell: str = "",
        field: str = "",
        value: Any = None,
        severity: Severity | None = None,
        related: Sequence[str] = (),
        **params: Any,
    ) -> Finding:
        """Make a finding of this code; ``params`` fill the message templates."""
        fmt = {"value": format_value(value), "field": field, **{k: format_value(v) for k, v in params.items()}}
        return Finding(
            code=self.code,
            severity=severity or self.severity,
            message_zh=_safe_format(self.zh, fmt),
            message_en=_safe_format(self.en, fmt),
            file=file,
            sheet=sheet,
            cell=cell,
            field=field,
            value=value,
            related=tuple(related),
        )


class _Missing(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def _safe_format(template: str, params: dict[str, Any]) -> str:
    return template.format_map(_Missing(params))


def format_value(value: Any) -> str:
    """How a value is shown in a message or a JSON finding."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M") if (value.hour or value.minute) else value.strftime("%Y-%m-%d")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return f"{value:.10g}"
    if isinstance(value, tuple | list):
        return ", ".join(format_value(v) for v in value)
    return str(value)


@dataclass(frozen=True)
class Finding:
    code: str
    severity: Severity
    message_zh: str
    message_en: str
    file: str = ""
    sheet: str = ""
    cell: str = ""
    field: str = ""
    value: Any = None
    related: tuple[str, ...] = ()  # other cells involved ('file' 'Sheet'!A1), for cross-workbook findings

    @property
    def address(self) -> str:
        """``'合同进程'!D7``, or the sheet alone, or ''."""
        if self.sheet and self.cell:
            return f"{quote_sheet(self.sheet)}!{self.cell}"
        return quote_sheet(self.sheet) if self.sheet else ""

    def message(self, lang: str = "zh") -> str:
        return self.message_en if lang == "en" else self.message_zh

    def with_file(self, file: str) -> Finding:
        return Finding(**{**self.__dict__, "file": file})

    def to_dict(self, lang: str = "zh") -> dict[str, Any]:
        d: dict[str, Any] = {
            "code": self.code,
            "severity": self.severity.value,
            "sheet": self.sheet,
            "cell": self.cell,
            "field": self.field,
            "value": format_value(self.value),
            "message": self.message(lang),
        }
        if self.related:
            d["related"] = list(self.related)
        return d


@dataclass
class Report:
    findings: list[Finding] = field(default_factory=list)

    def __iter__(self) -> Iterator[Finding]:
        return iter(self.findings)

    def __len__(self) -> int:
        return len(self.findings)

    def extend(self, findings: Iterable[Finding]) -> None:
        self.findings.extend(findings)

    def count(self, severity: Severity) -> int:
        return sum(1 for f in self.findings if f.severity == severity)

    @property
    def errors(self) -> int:
        return self.count(Severity.ERROR)

    @property
    def warnings(self) -> int:
        return self.count(Severity.WARNING)

    @property
    def infos(self) -> int:
        return self.count(Severity.INFO)

    def codes(self) -> list[str]:
        return [f.code for f in self.findings]

    def flatten(self, spec: Sequence[str] = ("cell", "code")) -> list[list[Any]]:
        """Rows of the named attributes, in finding order (frictionless style)."""
        return [[getattr(f, name) for name in spec] for f in self.findings]

    def sorted(self) -> Report:
        return Report(sorted(self.findings, key=lambda f: (f.file, f.severity.rank, f.sheet, _cell_key(f.cell))))


def _cell_key(cell: str) -> tuple[int, str]:
    digits = "".join(ch for ch in cell if ch.isdigit())
    letters = "".join(ch for ch in cell if ch.isalpha())
    return (int(digits) if digits else 0, letters.rjust(3))
