"""A summary workbook described as data, so the figures (aggregate.py) and the Excel writer
(summary_writer.py) are apart: the aggregator fills a :class:`Summary`, the writer renders it.

Column ``kind`` decides format and conditional formatting in the writer:
``text``, ``int``, ``number``, ``money`` (¥#,##0.00), ``date`` (yyyy-mm-dd), ``percent`` (0%),
``days`` (int, red fill when > 0), ``rag`` (绿/黄/红 coloured), ``severity`` (错误/警告/提示 coloured),
``link`` (a :class:`Link` value rendered as a hyperlink).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import Any

__all__ = ["ChartSpec", "Column", "Kpi", "Link", "SheetSpec", "Summary", "collector_paused"]


@dataclass(frozen=True)
class Column:
    key: str
    zh: str
    en: str
    kind: str = "text"
    width: float | None = None


@dataclass(frozen=True, init=False)
class Link:
    """A hyperlink to a source file (path as given to the rollup) and optionally a cell in it."""

    text: str
    target: str
    cell: str = ""  # "'合同进程'!D7"

    def __init__(self, text: str, target: str, cell: str = "") -> None:
        # Frozen, but filled without dataclass's object.__setattr__ call a field: a summary makes ~36,000 links
        # at 1,000 projects, and that was two thirds of each one's cost.
        d = self.__dict__
        d["text"], d["target"], d["cell"] = text, target, cell


@dataclass
class SheetSpec:
    key: str  # stable English key: overview, contracts, projects, overdue, risks, adjustments, sites, receivables,
    #           changes, trend, findings, sources
    name: str  # sheet name shown (zh)
    title: str  # a title line above the table
    columns: list[Column]
    rows: list[dict[str, Any]] = field(default_factory=list)
    note: str = ""  # one line under the title (e.g. how RAG is decided)
    below: str = ""  # key of an earlier sheet: this table goes under that one, on the same worksheet


@dataclass(frozen=True)
class Kpi:
    key: str
    zh: str
    en: str
    value: Any
    kind: str = "int"


@dataclass
class ChartSpec:
    sheet: str  # key of the SheetSpec the chart is placed on ("overview", "trend")
    title: str
    kind: str  # column | bar | pie | line
    categories: list[str]
    series: list[tuple[str, list[float]]]


@dataclass
class Summary:
    as_of: date
    title: str = "中心项目汇总"
    kpis: list[Kpi] = field(default_factory=list)
    sheets: list[SheetSpec] = field(default_factory=list)
    charts: list[ChartSpec] = field(default_factory=list)

    def sheet(self, key: str) -> SheetSpec:
        for s in self.sheets:
            if s.key == key:
                return s
        raise KeyError(key)


@contextmanager
def collector_paused() -> Iterator[None]:
    """The cyclic garbage collector off while a summary is built or written, as it was before afterwards.

    Both make hundreds of thousands of rows, cells and links that live until they return; each automatic
    collection they set off walks those again and, every few, everything the caller holds (the whole rollup
    model): ~0.1 s of a 1,000-project summary's 0.6. What they make holds few reference cycles, so memory does
    not grow; a rollup run has the collector off already (nothing changes there).
    """
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()
