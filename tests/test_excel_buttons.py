"""The buttons' live lines, driven with a plain fake of the few xlwings calls they make (no xlwings)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import openpyxl
import pytest
from fixtures_reader import write_sample
from test_excel_book import AS_OF, xlwings_shaped

from pimxl.address import a1, parse_a1
from pimxl.config import ConfigError
from pimxl.excel import buttons
from pimxl.excel.book import BookData
from pimxl.excel.highlight import MARKS_SHEET, RESULT_SHEET, SEVERITY_COLORS
from pimxl.findings import Severity

RED, BLUE = SEVERITY_COLORS[Severity.ERROR], SEVERITY_COLORS[Severity.INFO]
USER = (1, 2, 3)


class FakeNote:
    def __init__(self, cells: dict, key: tuple[int, int]) -> None:
        self.cells, self.key = cells, key

    @property
    def text(self) -> str:
        return self.cells[self.key]

    @text.setter
    def text(self, value: str) -> None:
        self.cells[self.key] = value

    def delete(self) -> None:
        del self.cells[self.key]


class FakeRange:
    def __init__(self, sheet: FakeSheet, first: tuple[int, int], last: tuple[int, int]) -> None:
        self.sheet, self.first, self.last = sheet, first, last

    @property
    def shape(self) -> tuple[int, int]:
        return self.last[0] - self.first[0] + 1, self.last[1] - self.first[1] + 1

    def options(self, **kw: Any) -> FakeRange:
        assert kw == {"ndim": 2, "err_to_str": True}
        return self

    @property
    def value(self) -> Any:
        rows = [[self.sheet.values.get((r, c)) for c in range(self.first[1], self.last[1] + 1)]
                for r in range(self.first[0], self.last[0] + 1)]
        return rows if self.shape != (1, 1) else rows[0][0]

    @value.setter
    def value(self, rows: list[list[Any]]) -> None:
        for i, line in enumerate(rows):
            for j, v in enumerate(line):
                self.sheet.values[(self.first[0] + i, self.first[1] + j)] = v

    @property
    def color(self) -> Any:
        return self.sheet.colors.get(self.first)

    @color.setter
    def color(self, rgb: Any) -> None:
        self.sheet.colors.pop(self.first, None)
        if rgb is not None:
            self.sheet.colors[self.first] = rgb
        self.sheet.book.writes.append(("color", self.sheet.name, a1(*self.first)))

    @property
    def note(self) -> FakeNote | None:
        return FakeNote(self.sheet.notes, self.first) if self.first in self.sheet.notes else None

    def add_note(self, text: str) -> None:
        self.sheet.notes[self.first] = text

    number_format = "General"


class FakeSheet:
    def __init__(self, book: FakeBook, name: str, values: dict, visible: bool = True, tables: Any = ()) -> None:
        self.book, self.name, self.values, self.visible, self.tables = book, name, values, visible, list(tables)
        self.colors: dict[tuple[int, int], Any] = {}
        self.notes: dict[tuple[int, int], str] = {}
        self.api = SimpleNamespace()

    def range(self, first: Any, last: Any = None) -> FakeRange:
        a = parse_a1(first) if isinstance(first, str) else first
        return FakeRange(self, a, last or a)

    @property
    def used_range(self) -> Any:
        keys = list(self.values) or [(1, 1)]
        return SimpleNamespace(last_cell=SimpleNamespace(row=max(k[0] for k in keys), column=max(k[1] for k in keys)))

    def clear(self) -> None:
        self.values.clear()
        self.colors.clear()

    def activate(self) -> None:
        self.book.active = self.name


class FakeSheets(list):
    def __init__(self, book: FakeBook) -> None:
        super().__init__()
        self.book = book

    def add(self, name: str, before: FakeSheet | None = None) -> FakeSheet:
        sheet = FakeSheet(self.book, name, {})
        self.insert(self.index(before) if before is not None else len(self), sheet)
        return sheet


class FakeBook:
    """An ``xw.Book`` as far as pimxl.excel.buttons uses it, built from xlwings-shaped data."""

    def __init__(self, data: BookData) -> None:
        self.fullname, self.name = data.path, Path(data.path).name
        self.sheets = FakeSheets(self)
        self.writes: list[tuple[str, str, str]] = []
        self.active = ""
        self.app = SimpleNamespace(books=[self], alerts=[], opened=[])
        self.app.alert = lambda text, title="": self.app.alerts.append(text)
        self.app.books = SimpleNamespace(open=lambda p: self.app.opened.append(p), __iter__=None)
        for name, rows in data.sheets.items():
            values = {(r, c): v for r, line in enumerate(rows, 1) for c, v in enumerate(line, 1) if v is not None}
            tables = [SimpleNamespace(name=t.name, range=SimpleNamespace(address=t.address), show_headers=t.header,
                                      show_totals=t.totals) for t in data.tables if t.sheet == name]
            self.sheets.append(FakeSheet(self, name, values, name not in data.hidden, tables))
        self.names = [SimpleNamespace(name=k, refers_to=v) for k, v in data.names.items()]

    def sheet(self, name: str) -> FakeSheet:
        return next(s for s in self.sheets if s.name == name)


@pytest.fixture
def bad_plan(tmp_path: Path) -> Path:
    plan = write_sample("project-plan", tmp_path / "plan.xlsx")
    wb = openpyxl.load_workbook(plan)
    wb["项目信息"]["B5"] = None        # 项目名称 missing (error)
    wb["风险"]["D3"] = "很高"          # not a number (error)
    wb["项目信息"]["B14"] = "120万"    # normalised (info)
    wb.save(plan)
    return plan


def test_live_book_reads_what_the_file_reader_reads(bad_plan: Path) -> None:
    data = xlwings_shaped(bad_plan)
    read = buttons.LiveBook(FakeBook(data)).read()
    assert read.sheets.keys() == data.sheets.keys()
    assert read.names == data.names and read.hidden == data.hidden and read.tables == data.tables
    assert read.sheets["风险"][2][:4] == data.sheets["风险"][2][:4]


def test_validate_colours_notes_lists_and_then_clears(bad_plan: Path) -> None:
    book = FakeBook(xlwings_shaped(bad_plan))
    info, risks = book.sheet("项目信息"), book.sheet("风险")
    info.colors[(5, 2)] = USER                 # the user's own fill on a cell pimxl will flag
    info.notes[(5, 2)] = "问销售"
    risks.colors[(10, 1)] = USER               # and on a cell pimxl never flags

    result = buttons.validate_active_book(book, as_of=AS_OF)
    assert result.status == "errors"
    assert info.colors[(5, 2)] == RED and info.notes[(5, 2)].startswith("[错误]")
    assert risks.colors[(3, 4)] == RED and info.colors[(14, 2)] == BLUE
    assert risks.colors[(10, 1)] == USER
    # The findings sheet comes first and is shown; the marks sheet is very hidden.
    assert book.sheets[0].name == RESULT_SHEET and book.active == RESULT_SHEET
    listed = book.sheet(RESULT_SHEET).values
    assert listed[(1, 1)] == "严重程度" and listed[(2, 1)] == "错误"
    assert any(v == """=HYPERLINK("#'风险'!D3","'风险'!D3")""" for v in listed.values())
    marks = book.sheet(MARKS_SHEET)
    assert marks.visible is False

    # The user fixes the two errors and runs the check again.
    info.values[(5, 2)] = "智慧园区集成项目"
    risks.values[(3, 4)] = 0.5
    risks.colors[(3, 4)] = USER                # …and colours D3 themselves after the first run
    buttons.validate_active_book(book, as_of=AS_OF)
    assert info.colors[(5, 2)] == USER and info.notes[(5, 2)] == "问销售"   # restored as it was
    assert risks.colors[(3, 4)] == USER and (3, 4) not in risks.notes     # user's colour kept, note cleared
    assert info.colors[(14, 2)] == BLUE                                   # still normalised: still marked
    assert risks.colors[(10, 1)] == USER
    assert sorted({v for (r, c), v in book.sheet(RESULT_SHEET).values.items() if c == 1 and r > 1}) == ["提示"]
    assert book.sheets[0].name == RESULT_SHEET and len(book.sheets) == len(set(s.name for s in book.sheets))


def test_validate_a_workbook_that_is_not_a_template() -> None:
    book = FakeBook(BookData(path="/nowhere/其它.xlsx", sheets={"Sheet1": [["hello"]]}))
    result = buttons.validate_active_book(book, as_of=AS_OF)
    assert result.code == "not-a-template"
    assert book.sheet(RESULT_SHEET).values[(2, 3)] == "not-a-template"


def test_summary_target(tmp_path: Path) -> None:
    centre = tmp_path / "中心"
    (centre / "项目A").mkdir(parents=True)
    (centre / "pimxl.toml").write_text("stale_days = 7\n", encoding="utf-8")
    book = centre / "项目A" / "计划.xlsm"
    assert buttons.summary_target(book, {}) == (centre, centre / "中心项目汇总.xlsx")
    names = {"pimxl_root": '="D:\\中心"', "pimxl_summary": '="D:\\汇总\\""周报"".xlsx"'}
    assert buttons.summary_target(book, names) == (Path("D:\\中心"), Path('D:\\汇总\\"周报".xlsx'))
    with pytest.raises(ConfigError):
        buttons.summary_target(tmp_path / "not-there" / "x.xlsm", {})


def test_refresh_summary_rolls_up_and_opens(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    centre = tmp_path / "centre"
    (centre / "P1").mkdir(parents=True)
    (centre / "pimxl.toml").write_text("jobs = 1\n", encoding="utf-8")
    write_sample("project-plan", centre / "P1" / "plan.xlsx")
    book = FakeBook(BookData(path=str(centre / "P1" / "plan.xlsm"), sheets={"pimxl": [["x"]]}))
    monkeypatch.setattr(buttons, "_apps", lambda b: [])
    out = buttons.refresh_summary(book, as_of=date(2026, 3, 10))
    assert out == centre / "中心项目汇总.xlsx" and out.is_file()
    assert book.app.opened == [str(out)]

    lost = FakeBook(BookData(path=str(tmp_path / "not-there" / "x.xlsm"), sheets={"pimxl": [["x"]]}))
    assert buttons.refresh_summary(lost) is None and "pimxl.toml" in lost.app.alerts[0]
