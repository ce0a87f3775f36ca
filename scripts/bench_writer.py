"""Measure the summary writer against plain xlsxwriter and openpyxl write-only on the same cells.

    python scripts/bench_writer.py [--rows 30000] [--cols 25] [--repeat 3] [--json]

h = write_summary time / plain xlsxwriter time (target ≤ 1.2). The plain baselines get their rows as ready-made
lists (Link values as their text, no formats, no table, no hyperlinks), so the comparison is strict for
write_summary, which starts from the Summary's dicts and writes tables, formats and a hyperlink a row. Best of
``--repeat`` interleaved rounds, wall and CPU time, and the files' sizes.

write_summary renders the data rows as XML itself and deflates at zlib level 1 (xlsx_package.LEVEL), where
xlsxwriter writes cell objects and deflates at level 6: the size column shows what the faster level costs.
The plain constant_memory run shows xlsxwriter's other mode (it does not support add_table()).
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import openpyxl
import xlsxwriter

from pimxl.rollup.sheetspec import Column, Link, SheetSpec, Summary
from pimxl.rollup.summary_writer import WORKBOOK_OPTIONS, write_summary

# A 合同进程表-like mix of kinds; repeated to the requested column count.
_KINDS = ["text", "link", "text", "text", "money", "date", "date", "days", "rag", "money", "text", "date",
          "int", "percent", "money", "date", "text", "severity", "money", "date", "text", "int", "money",
          "date", "text"]


def _value(kind: str, r: int, c: int) -> Any:
    d0 = date(2026, 1, 1)
    match kind:
        case "text":
            return f"华东某银行数据中心{r % 97}-{c}"
        case "link":
            return Link(f"P-{r:05d} 合同进程表", f"projects/P-{r % 500:05d}/合同进程表.xlsx", f"'合同进程'!D{7 + r % 40}")
        case "money":
            return 1_000_000.0 + r * 13.37 + c
        case "date":
            return d0 + timedelta(days=(r + c) % 700)
        case "days":
            return r % 30 - 10
        case "rag":
            return "绿黄红"[r % 3]
        case "severity":
            return ("错误", "警告", "提示")[r % 3]
        case "percent":
            return (r % 100) / 100
        case _:
            return r + c


def make_summary(rows: int, cols: int) -> Summary:
    kinds = [_KINDS[i % len(_KINDS)] for i in range(cols)]
    columns = [Column(f"c{i}", f"列{i}{k}", f"col {i} {k}", k) for i, k in enumerate(kinds)]
    data = [{f"c{i}": _value(k, r, i) for i, k in enumerate(kinds)} for r in range(rows)]
    sheet = SheetSpec("contracts", "合同进程表", "合同进程表", columns, data)
    return Summary(date(2026, 11, 27), sheets=[sheet])


def _plain_rows(summary: Summary) -> tuple[list[str], list[list[Any]]]:
    spec = summary.sheets[0]
    keys = [c.key for c in spec.columns]
    rows = [[v.text if isinstance(v, Link) else v for v in map(r.get, keys)] for r in spec.rows]
    return [c.zh for c in spec.columns], rows


def plain_xlsxwriter(path: Path, header: list[str], rows: list[list[Any]], constant_memory: bool = False) -> None:
    wb = xlsxwriter.Workbook(str(path), {**WORKBOOK_OPTIONS, "constant_memory": constant_memory})
    ws = wb.add_worksheet("合同进程表")
    ws.write_row(0, 0, header)
    for i, row in enumerate(rows, start=1):
        ws.write_row(i, 0, row)
    wb.close()


def plain_openpyxl(path: Path, header: list[str], rows: list[list[Any]]) -> None:
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("合同进程表")
    ws.append(header)
    for row in rows:
        ws.append(row)
    wb.save(path)


def interleaved(repeat: int, runs: dict[str, Callable[[], None]]) -> dict[str, tuple[float, float]]:
    """Best (wall, CPU) seconds per run. Rounds alternate the writers, so a busy machine slows all alike;
    CPU time (this process) is the steadier figure on a shared machine."""
    best: dict[str, tuple[float, float]] = {name: (float("inf"), float("inf")) for name in runs}
    for _ in range(repeat):
        for name, fn in runs.items():
            w0, c0 = time.perf_counter(), time.process_time()
            fn()
            wall, cpu = time.perf_counter() - w0, time.process_time() - c0
            best[name] = (min(best[name][0], wall), min(best[name][1], cpu))
    return best


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=30_000)
    ap.add_argument("--cols", type=int, default=25)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--json", action="store_true", help="print one JSON document")
    args = ap.parse_args()

    summary = make_summary(args.rows, args.cols)
    header, rows = _plain_rows(summary)
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        runs: dict[str, Callable[[], None]] = {
            "write_summary": lambda: write_summary(summary, d / "summary.xlsx", base_dir=d),
            "xlsxwriter_plain": lambda: plain_xlsxwriter(d / "plain.xlsx", header, rows),
            "xlsxwriter_constant_memory": lambda: plain_xlsxwriter(d / "cm.xlsx", header, rows, True),
            "openpyxl_write_only": lambda: plain_openpyxl(d / "opx.xlsx", header, rows),
        }
        best = interleaved(args.repeat, runs)
        sizes = {name: os.path.getsize(d / f) for name, f in
                 [("write_summary", "summary.xlsx"), ("xlsxwriter_plain", "plain.xlsx"),
                  ("xlsxwriter_constant_memory", "cm.xlsx"), ("openpyxl_write_only", "opx.xlsx")]}
    wall0, cpu0 = best["xlsxwriter_plain"]
    result = {"rows": args.rows, "cols": args.cols, "repeat": args.repeat,
              "wall_s": {k: round(w, 3) for k, (w, _) in best.items()},
              "cpu_s": {k: round(c, 3) for k, (_, c) in best.items()},
              "h_wall": round(best["write_summary"][0] / wall0, 2),
              "h_cpu": round(best["write_summary"][1] / cpu0, 2), "bytes": sizes}
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
        return
    print(f"{args.rows:,} rows × {args.cols} columns, best of {args.repeat} (interleaved)")
    print(f"  {'':28s} {'wall':>7s}   {'ratio':>5s}  {'CPU':>7s}   {'ratio':>5s}  {'size':>7s}")
    for name, (w, c) in best.items():
        print(f"  {name:28s} {w:6.2f}s   ×{w / wall0:4.2f}  {c:6.2f}s   ×{c / cpu0:4.2f}  {sizes[name] / 1e6:5.1f}MB")
    print(f"h = write_summary / plain xlsxwriter = {result['h_wall']:.2f} wall, {result['h_cpu']:.2f} CPU "
          "(target ≤ 1.2)")


if __name__ == "__main__":
    main()
