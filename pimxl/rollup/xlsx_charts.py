"""Excel charts for the summary: data on a hidden helper sheet, charts placed on their sheet without overlap."""

from __future__ import annotations

from dataclasses import dataclass

from xlsxwriter.chart import Chart
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from pimxl.rollup.sheetspec import ChartSpec

__all__ = ["CHART_DATA_SHEET", "CHART_H", "CHART_W", "ChartSlot", "ChartWriter", "grid_slots"]

CHART_DATA_SHEET = "图表数据"
CHART_W, CHART_H, GAP = 480, 288, 12  # pixels
ROW_PX = 20  # default row height in pixels

_KINDS = {"column", "bar", "pie", "line"}
# Categories that are RAG words keep their meaning in every chart.
_POINT_COLOURS = {"红": "#E0474C", "黄": "#F2B134", "绿": "#4BA35A", "red": "#E0474C", "amber": "#F2B134",
                  "green": "#4BA35A"}
_SERIES_COLOURS = ["#1F4E78", "#ED7D31", "#70AD47", "#7F7F7F", "#FFC000", "#5B9BD5", "#A5A5A5", "#264478"]


@dataclass(frozen=True)
class ChartSlot:
    """Top-left cell of a chart plus pixel offsets from it."""

    row: int
    col: int
    x: int = 0
    y: int = 0


def grid_slots(n: int, row: int, col: int, per_row: int = 2) -> tuple[list[ChartSlot], int]:
    """``n`` chart slots in a grid anchored at (row, col); also returns the first row below the grid."""
    slots = [ChartSlot(row, col, (i % per_row) * (CHART_W + GAP), (i // per_row) * (CHART_H + GAP))
             for i in range(n)]
    grid_rows = -(-n // per_row)
    height = grid_rows * (CHART_H + GAP)
    return slots, row + -(-height // ROW_PX)


class ChartWriter:
    """Writes each chart's data to the hidden helper sheet (created on first use) and builds the chart."""

    def __init__(self, wb: Workbook) -> None:
        self.wb = wb
        self._ws: Worksheet | None = None
        self._next_col = 0
        self._pending: list[tuple[Worksheet, ChartSpec, ChartSlot]] = []

    @property
    def sheet(self) -> Worksheet:
        if self._ws is None:
            self._ws = self.wb.add_worksheet(CHART_DATA_SHEET)
            # Hidden, not "very hidden": a curious user can unhide it and see what the charts plot.
            self._ws.hide()
        return self._ws

    def _write_data(self, spec: ChartSpec) -> tuple[int, int, int]:
        """Block: title, header (类别, series…), one row per category. Returns (first col, first row, last row)."""
        ws, c = self.sheet, self._next_col
        categories = list(spec.categories) or ["（无）"]
        ws.write_string(0, c, spec.title)
        ws.write_string(1, c, "类别")
        for i, category in enumerate(categories):
            ws.write_string(2 + i, c, str(category))
        for j, (name, values) in enumerate(spec.series or [("", [])]):
            ws.write_string(1, c + 1 + j, name)
            for i in range(len(categories)):
                v = values[i] if i < len(values) else None
                if v is None:
                    ws.write_blank(2 + i, c + 1 + j, None)
                else:
                    ws.write_number(2 + i, c + 1 + j, float(v))
        ws.set_column(c, c, 14)
        self._next_col = c + 2 + max(1, len(spec.series))
        return c, 2, 1 + len(categories)

    def build(self, spec: ChartSpec) -> Chart:
        if spec.kind not in _KINDS:
            raise ValueError(f"chart kind {spec.kind!r}: expected one of {sorted(_KINDS)}")
        c, first, last = self._write_data(spec)
        name = CHART_DATA_SHEET
        chart = self.wb.add_chart({"type": spec.kind})
        assert chart is not None
        series = spec.series or [("", [])]
        # A pie shows one series only; the others would be silently ignored by Excel.
        if spec.kind == "pie":
            series = series[:1]
        categories = list(spec.categories) or ["（无）"]
        for j in range(len(series)):
            options: dict = {
                "name": [name, 1, c + 1 + j],
                "categories": [name, first, c, last, c],
                "values": [name, first, c + 1 + j, last, c + 1 + j],
            }
            colours = [_POINT_COLOURS.get(str(cat)) for cat in categories]
            if spec.kind == "pie":
                options["data_labels"] = {"percentage": True, "category": True, "position": "best_fit",
                                          "leader_lines": True}
                options["points"] = [{"fill": {"color": col or _SERIES_COLOURS[i % len(_SERIES_COLOURS)]}}
                                     for i, col in enumerate(colours)]
            elif spec.kind == "line":
                # A series named 红/黄/绿 is drawn in its RAG colour (a red line must be red).
                colour = _POINT_COLOURS.get(series[j][0]) or _SERIES_COLOURS[j % len(_SERIES_COLOURS)]
                options["marker"] = {"type": "circle", "size": 5, "fill": {"color": colour},
                                     "border": {"color": colour}}
                options["line"] = {"color": colour, "width": 2}
            else:
                colour = _POINT_COLOURS.get(series[j][0]) or _SERIES_COLOURS[j % len(_SERIES_COLOURS)]
                options["fill"] = {"color": colour}
                if len(series) == 1:
                    options["data_labels"] = {"value": True, "num_format": "#,##0"}
                    if any(colours):
                        options["points"] = [{"fill": {"color": col}} if col else None for col in colours]
            chart.add_series(options)
        if spec.kind != "pie":
            # Thousands separators: receivables in yuan are unreadable as 4200000.
            value_axis = {"num_format": "#,##0", "major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}}}
            # In a bar chart the value axis is the horizontal (x) one.
            if spec.kind == "bar":
                chart.set_x_axis(value_axis)
                # Bars are drawn bottom-up; reversed, the first category is on top as in the data.
                chart.set_y_axis({"reverse": True})
            else:
                chart.set_y_axis(value_axis)
        chart.set_title({"name": spec.title, "name_font": {"size": 12, "bold": True}})
        if len(series) == 1 and spec.kind != "pie":
            chart.set_legend({"none": True})
        else:
            chart.set_legend({"position": "bottom"})
        chart.set_size({"width": CHART_W, "height": CHART_H})
        return chart

    def place(self, ws: Worksheet, spec: ChartSpec, slot: ChartSlot) -> None:
        """Queue a chart; :meth:`finish` draws them, so the helper sheet comes after every other sheet."""
        self._pending.append((ws, spec, slot))

    def finish(self) -> None:
        for ws, spec, slot in self._pending:
            ws.insert_chart(slot.row, slot.col, self.build(spec), {"x_offset": slot.x, "y_offset": slot.y,
                                                                   "object_position": 2})
        self._pending.clear()
