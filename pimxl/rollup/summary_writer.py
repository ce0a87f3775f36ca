"""Render a :class:`~pimxl.rollup.sheetspec.Summary` as an Excel-native workbook with xlsxwriter.

Every sheet is an Excel table (filters, banded rows, frozen header) with number formats by column kind,
conditional formats for RAG / severity / overdue days, and hyperlinks back to the source files. The sheet keyed
``overview`` gets the KPI block and the charts; charts keyed to another sheet sit right of its table. Chart data
lives on a hidden 图表数据 sheet.

Speed: xlsxwriter writes each table's frame (titles, headers, formats, tables, charts, print setup) into memory;
the data rows are rendered straight to XML (:mod:`xlsx_cells`) and spliced into that package, with their
hyperlinks, as it is written out (:mod:`xlsx_package`). ``scripts/bench_writer.py`` measures this against
plain xlsxwriter and openpyxl.

Safety: the workbook is written to a hidden temporary file in the target folder and renamed into place, so a
crash never leaves a half-written summary.
"""

from __future__ import annotations

import io
import os
import re
import secrets
from collections.abc import Collection
from concurrent.futures import Executor, ThreadPoolExecutor
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from pimxl.rollup.sheetspec import ChartSpec, Kpi, Link, SheetSpec, Summary, collector_paused
from pimxl.rollup.xlsx_cells import Chunk, RowSink
from pimxl.rollup.xlsx_charts import ChartWriter, grid_slots
from pimxl.rollup.xlsx_links import LinkWriter
from pimxl.rollup.xlsx_package import (
    THREADS,
    Head,
    Part,
    PartsWorkbook,
    deflate_heads,
    quick_switches,
    write_package,
)
from pimxl.rollup.xlsx_style import Styles, display_width
from pimxl.rollup.xlsx_table import TableBox, setup_print, write_table, write_title

__all__ = ["LinkWriter", "write_summary"]

# User text is never reinterpreted: "=1+1", "00123" and "http://…" stay the strings they were.
WORKBOOK_OPTIONS: dict[str, Any] = {
    "strings_to_numbers": False,
    "strings_to_formulas": False,
    "strings_to_urls": False,
    # constant_memory: plain writes measured only ~7% faster, and xlsxwriter drops add_table() in that mode.
    "constant_memory": False,
    "remove_timezone": True,
}
_CHART_COL = 4  # overview charts start in column E, right of the KPI block (A:C) and a narrow gap (D)


def write_summary(summary: Summary, path: Path, *, lang: str = "zh", base_dir: Path | None = None,
                  one_page: Collection[str] = ("overview",)) -> None:
    """Write ``summary`` to ``path`` (.xlsx) atomically.

    ``lang`` picks the header language ("zh" or "en"; the other one is shown small above each header);
    ``base_dir`` is what relative :class:`Link` targets are relative to; ``one_page`` lists the sheet keys
    printed on one page (the others are fitted to the page width).
    """
    if lang not in ("zh", "en"):
        raise ValueError(f"lang must be 'zh' or 'en', not {lang!r}")
    path = Path(path)
    # Hidden (leading dot) so the rollup's discovery skips it even if a crash leaves it behind.
    _remove_stale_temps(path)
    tmp = path.with_name(f".~{path.stem}.{os.getpid()}.{secrets.token_hex(4)}.xlsx")
    try:
        # One pool of deflating threads for the worksheets' starts (while xlsxwriter writes its parts) and the
        # package's members, which get the GIL between their calls into zlib without waiting 5 ms each time.
        with collector_paused(), quick_switches(), ThreadPoolExecutor(max_workers=THREADS) as pool:
            parts, chunks, heads = _workbook(summary, path.parent, lang, base_dir, set(one_page), pool)
            with open(tmp, "xb") as f:
                write_package(parts, f, chunks, heads=heads, pool=pool)
                f.flush()
                # Flush to disk before the rename, or a power cut could leave a renamed but empty file.
                os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _workbook(summary: Summary, folder: Path, lang: str, base_dir: Path | None, one_page: set[str],
              pool: Executor) -> tuple[list[Part], dict[str, list[Chunk]], dict[str, Head]]:
    """The package's parts as xlsxwriter made them, each worksheet part's rendered rows (links relative to
    ``folder``, the summary's), and the worksheet parts' starts being deflated on ``pool``."""
    # xlsxwriter's parts stay in memory, unzipped (its own zip is empty): write_package zips them once.
    wb = PartsWorkbook(io.BytesIO(), {**WORKBOOK_OPTIONS, "in_memory": True})
    sink = RowSink(wb, LinkWriter(folder, base_dir))
    _render(wb, summary, lang, sink, one_page)
    # The worksheets' starts with their rows are deflated on the pool's threads while close() runs here.
    heads = deflate_heads(wb, sink.chunks, pool)
    wb.close()
    # Worksheet parts are numbered in sheet order (xl/worksheets/sheet1.xml …), chartsheets apart.
    sheets = [ws for ws in wb.worksheets() if not ws.is_chartsheet]
    names = {id(ws): f"xl/worksheets/sheet{n}.xml" for n, ws in enumerate(sheets, start=1)}
    return (wb.parts, {names[k]: chunks for k, chunks in sink.chunks.items()},
            {names[k]: head for k, head in heads.items()})


def _remove_stale_temps(path: Path) -> None:
    """Temp files a killed run left beside ``path`` (``.~<stem>.<pid>.<hex>.xlsx``) whose process is gone."""
    if not path.parent.is_dir():
        return
    for old in path.parent.glob(f".~{glob_escape(path.stem)}.*.xlsx"):
        m = re.fullmatch(r"\.~.*\.(\d+)\.[0-9a-f]{8}\.xlsx", old.name)
        if m is None or _alive(int(m.group(1))):
            continue
        old.unlink(missing_ok=True)


def glob_escape(text: str) -> str:
    return re.sub(r"([*?\[])", r"[\1]", text)


def _alive(pid: int) -> bool:
    # On Windows os.kill(pid, 0) would send CTRL_C_EVENT: never probe there, keep the file.
    if pid == os.getpid() or os.name == "nt":
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True  # exists but not ours, or a platform that cannot tell: leave the file alone
    return True


def _sheet_name(name: str, taken: set[str]) -> str:
    """A legal, unique sheet name: at most 31 characters, none of []:*?/\\, unique ignoring case."""
    base = re.sub(r"[\[\]:*?/\\]", "_", name).strip("'")[:31] or "Sheet"
    candidate, n = base, 2
    while candidate.lower() in taken or candidate.lower() == "history":
        suffix = f"({n})"
        candidate, n = base[: 31 - len(suffix)] + suffix, n + 1
    taken.add(candidate.lower())
    return candidate


def _render(wb: Workbook, summary: Summary, lang: str, sink: RowSink, one_page: set[str]) -> None:
    # A fixed creation time (the as-of date) makes re-rendering the same summary give the same bytes.
    wb.set_properties({"title": summary.title, "subject": f"as of {summary.as_of:%Y-%m-%d}",
                       "author": "pimxl", "created": datetime.combine(summary.as_of, time())})
    styles, charts = Styles(wb), ChartWriter(wb)
    keys = {s.key for s in summary.sheets}
    fallback = "overview" if "overview" in keys else (summary.sheets[0].key if summary.sheets else "")
    by_sheet: dict[str, list[ChartSpec]] = {}
    for chart in summary.charts:
        by_sheet.setdefault(chart.sheet if chart.sheet in keys else fallback, []).append(chart)

    names: set[str] = set()
    tables: set[str] = set()
    # Sheets sharing a worksheet (SheetSpec.below) give their cells formats of their own, column by column.
    shared = {k for s in summary.sheets if s.below in keys for k in (s.key, s.below)}
    placed: dict[str, tuple[Worksheet, TableBox]] = {}
    for spec in summary.sheets:
        if spec.below in placed:
            ws, box = placed[spec.below]
            placed[spec.key] = (ws, _write_below(ws, box, styles, summary, spec, lang, tables, sink))
            continue
        ws = wb.add_worksheet(_sheet_name(spec.name, names))
        ws.add_write_handler(Link, sink.links)
        sheet_charts = by_sheet.get(spec.key, [])
        if spec.key == "overview":
            _write_overview(ws, styles, charts, summary, spec, sheet_charts, lang, tables, sink)
            setup_print(ws, spec.title or summary.title, summary.as_of, one_page=spec.key in one_page)
            continue
        top = write_title(ws, styles, 0, spec.title or spec.name, summary.as_of, lang, spec.note)
        box = write_table(ws, styles, spec, top, lang, tables, sink, cell_formats=spec.key in shared)
        placed[spec.key] = (ws, box)
        slots, _ = grid_slots(len(sheet_charts), box.header_row, box.last_col + 2, per_row=1)
        for chart, slot in zip(sheet_charts, slots, strict=True):
            charts.place(ws, chart, slot)
        setup_print(ws, spec.title or spec.name, summary.as_of, one_page=spec.key in one_page,
                    repeat=(box.label_row, box.header_row), width=box.width)
    charts.finish()


def _write_below(ws: Worksheet, box: TableBox, styles: Styles, summary: Summary, spec: SheetSpec, lang: str,
                 tables: set[str], sink: RowSink) -> TableBox:
    """Another table under ``box`` on the same worksheet (one blank row, its own title and note)."""
    top = write_title(ws, styles, box.last_row + 2, spec.title or spec.name, summary.as_of, lang, spec.note)
    # Columns as wide as either table needs; the print setup stays the first table's.
    return write_table(ws, styles, spec, top, lang, tables, sink, freeze=False, cell_formats=True,
                       min_widths=dict(enumerate(box.widths)))


def _shown(kpi: Kpi) -> str:
    value = kpi.value
    if kpi.kind in ("money", "number") and isinstance(value, int | float):
        return f"¥{value:,.2f}"
    return str(getattr(value, "text", value))


def _write_kpi_value(ws: Worksheet, styles: Styles, row: int, kpi: Kpi) -> None:
    fmt, value = styles.kpi_value(kpi.kind), kpi.value
    if isinstance(value, Link | str | None):
        ws.write(row, 2, value, fmt)
    elif isinstance(value, date):
        ws.write_datetime(row, 2, value, fmt)
    else:
        ws.write_number(row, 2, float(value), fmt)


def _write_overview(ws: Worksheet, styles: Styles, charts: ChartWriter, summary: Summary, spec: SheetSpec,
                    sheet_charts: list[ChartSpec], lang: str, tables: set[str], sink: RowSink) -> None:
    """Title, KPI block (A:C), charts in a two-wide grid to the right, and the overview's own table if any."""
    ws.hide_gridlines(2)
    row = write_title(ws, styles, 0, spec.title or summary.title, summary.as_of, lang, spec.note) + 1
    kpi_top = row
    widths = [8.0, 10.0, 12.0]
    if summary.kpis:
        head = ["指标", "Indicator", "数值"] if lang == "zh" else ["Indicator", "指标", "Value"]
        ws.write_row(row, 0, head, styles.header)
        for kpi in summary.kpis:
            row += 1
            first, second = (kpi.zh, kpi.en) if lang == "zh" else (kpi.en, kpi.zh)
            ws.set_row(row, 18)
            ws.write_string(row, 0, first, styles.kpi_label)
            ws.write_string(row, 1, second, styles.kpi_sublabel)
            _write_kpi_value(ws, styles, row, kpi)
            widths[0] = max(widths[0], display_width(first) + 2)
            widths[1] = max(widths[1], display_width(second) * 0.85 + 2)  # smaller font
            # The value is bold 12 pt: about 1.25 of a body character each.
            widths[2] = max(widths[2], display_width(_shown(kpi)) * 1.25 + 2)
        row += 1
    for i, w in enumerate(widths):
        ws.set_column(i, i, min(w, 40))
    ws.set_column(3, 3, 2)

    slots, below_charts = grid_slots(len(sheet_charts), kpi_top, _CHART_COL)
    for chart, slot in zip(sheet_charts, slots, strict=True):
        charts.place(ws, chart, slot)
    if spec.columns:
        write_table(ws, styles, spec, max(row, below_charts) + 1, lang, tables, sink, freeze=False,
                    min_widths=dict(enumerate(widths)))
