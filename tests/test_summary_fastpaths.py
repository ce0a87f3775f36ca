"""The summary writer's shortcuts give exactly what the general way gives: cells rendered once per distinct
value, link paths without xlsxwriter's Url parse, column widths over distinct texts, xlsxwriter's parts taken
unzipped, and the zip written on threads as zipfile writes it."""

from __future__ import annotations

import dataclasses
import gc
import io
import pickle
import re
import zipfile
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from xlsxwriter.workbook import Workbook

from pimxl.rollup import xlsx_cells, xlsx_links
from pimxl.rollup.sheetspec import Column, Link, collector_paused
from pimxl.rollup.xlsx_cells import Chunk, RowSink
from pimxl.rollup.xlsx_links import LinkWriter
from pimxl.rollup.xlsx_package import PartsWorkbook, shared_strings_xml, write_package
from pimxl.rollup.xlsx_style import _SAMPLE_ROWS, _shown, column_width, display_width

_values = st.one_of(
    st.none(),
    st.sampled_from(["", "甲", "a<b>&", "<r>raw</r>", "x\x01y", "_x000D_", "=1+1", "00123"]),
    st.text(max_size=6),
    st.integers(min_value=-(2**60), max_value=2**60),
    st.sampled_from([0, 1, -1, 0.0, -0.0, 1.0, 2.5, float("nan"), float("inf"), -float("inf"), 1e16, 5e-324]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.dates(min_value=date(1899, 12, 1), max_value=date(1900, 4, 1)),
    st.dates(),
)


def _render(rows: list[dict[str, Any]], keys: list[str], styles: list[int], styled_blanks: bool) -> tuple:
    wb = Workbook(io.BytesIO(), {"in_memory": True})
    ws = wb.add_worksheet()
    ws.write_string(0, 0, "甲")  # a shared string xlsxwriter added before the rows
    sink = RowSink(wb, LinkWriter(Path("."), None))
    chunk = sink.render(ws, rows, keys, 2, styles, styled_blanks=styled_blanks)
    sst = wb.str_table
    return chunk.xml, chunk.links, dict(sst.string_table), sst.count, sst.unique_count


@settings(max_examples=150, deadline=None)
@given(columns=st.lists(st.lists(_values, min_size=1, max_size=12), min_size=1, max_size=4),
       styled_blanks=st.booleans(), data=st.data())
def test_cells_by_distinct_value_as_cell_by_cell(columns: list[list[Any]], styled_blanks: bool,
                                                  data: st.DataObject) -> None:
    """A column of str, int, float and date values (and None) rendered once per distinct value gives the XML
    and the shared-string table (indexes, counts) that rendering every cell gives."""
    n = max(len(c) for c in columns)
    keys = [f"k{j}" for j in range(len(columns))]
    rows = [{k: c[i] for k, c in zip(keys, columns, strict=True) if i < len(c)} for i in range(n)]
    styles = data.draw(st.lists(st.sampled_from([0, 3, 7]), min_size=len(keys), max_size=len(keys)))
    fast = _render(rows, keys, styles, styled_blanks)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(xlsx_cells, "_BY_VALUE", frozenset())  # every column the general way
        general = _render(rows, keys, styles, styled_blanks)
    assert fast == general


def test_negative_zero_keeps_its_sign() -> None:
    xml = _render([{"m": v} for v in (0, -0.0, 0.0, 1)], ["m"], [0], False)[0]
    assert re.findall(r"<v>([^<]*)</v>", xml) == ["0", "-0", "0", "1"]


_path_parts = st.lists(st.sampled_from(["a", "b c", "中文", "%", "%20", "#", "\\", ":", "<", "[", "^", "`", "{",
                                        '"', "&", "..", ".", "", "file:", "x y%z"]), min_size=1, max_size=6)


@settings(max_examples=300, deadline=None)
@given(parts=_path_parts, where=st.sampled_from([("/c/out", "/c/src"), ("/c/src", "/c/src"),
                                                 ("/c/src/p", "/c/src"), ("/c/o u%t", "/c/s#rc")]))
def test_link_paths_as_xlsxwriters_url_makes_them(parts: list[str], where: tuple[str, str]) -> None:
    target = "/".join(parts)

    def resolve() -> Any:
        try:
            return LinkWriter(Path(where[0]), Path(where[1]))._file(target)
        except Exception as e:  # what xlsxwriter's Url raises, the shortcut must raise too
            return type(e)

    fast = resolve()
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(xlsx_links, "_splits", lambda path: True)  # every path the Url parse
        assert resolve() == fast


def _column_width_cell_by_cell(column: Column, header: str, values: list[Any]) -> float:
    """The column width as measured before: every sampled value's text measured."""
    widest = max(6, (display_width(header) + 1) // 2 + 2)
    for value in values[:_SAMPLE_ROWS]:
        widest = max(widest, display_width(_shown(value, column.kind)))
    return min(50.0, max(6.0, widest + 2.0))


@pytest.mark.parametrize("kind", ["text", "money", "percent", "date", "int", "link"])
def test_column_width_over_distinct_texts(kind: str) -> None:
    values = [1, 1.0, True, -0.0, 0, "x", "中文名称", None, Link("链接文字", "a.xlsx"), date(2026, 1, 1), 12345.678,
              "一个很长很长很长很长很长很长很长很长很长很长很长的名字"] * 40
    column = Column("c", "列", "Column", kind)
    assert column_width(column, "列名", iter(values)) == _column_width_cell_by_cell(column, "列名", values)


def _build(wb: Workbook) -> None:
    ws = wb.add_worksheet("表")
    ws.write_string(0, 0, "甲")
    ws.write_number(1, 0, 1.5, wb.add_format({"num_format": "0.00"}))
    ws.add_table(3, 0, 4, 1, {"columns": [{"header": "a"}, {"header": "b"}]})
    chart = wb.add_chart({"type": "pie"})
    chart.add_series({"values": "='表'!$A$2:$A$2"})
    ws.insert_chart("D2", chart)
    wb.set_properties({"created": date(2026, 1, 1)})


def test_parts_workbook_hands_over_what_xlsxwriter_zips() -> None:
    zipped = io.BytesIO()
    wb = Workbook(zipped, {"in_memory": True})
    _build(wb)
    wb.close()
    parts_wb = PartsWorkbook(io.BytesIO(), {"in_memory": True})
    _build(parts_wb)
    parts_wb.close()
    with zipfile.ZipFile(zipped) as z:
        assert [(name, z.read(name)) for name in z.namelist()] == [
            (name, data.encode() if isinstance(data, str) else data) for name, data in parts_wb.parts]


@pytest.mark.parametrize("level", [0, 1, 6])
def test_package_written_as_zipfile_writes_it(level: int) -> None:
    parts: list[tuple[str, str | bytes]] = [
        ("[Content_Types].xml", "<Types/>"), ("xl/empty.xml", b""), ("xl/media/图.bin", bytes(range(256)) * 50),
        ("xl/worksheets/sheet1.xml", "<worksheet>" + "".join(f"<c>{i}</c>" for i in range(20000)) + "</worksheet>"),
        ("docProps/中文.xml", "中文" * 1000)]
    ours = io.BytesIO()
    write_package(parts, ours, {}, level)
    theirs = io.BytesIO()
    with zipfile.ZipFile(theirs, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts:
            info = zipfile.ZipInfo(name, (1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data, compresslevel=level)
    assert ours.getvalue() == theirs.getvalue()
    with zipfile.ZipFile(ours) as z:
        assert z.testzip() is None
        assert z.read("xl/media/图.bin") == bytes(range(256)) * 50


def test_collector_paused_and_restored() -> None:
    was = gc.isenabled()
    try:
        gc.enable()
        with collector_paused():
            assert not gc.isenabled()
        assert gc.isenabled()
        with pytest.raises(RuntimeError), collector_paused():
            raise RuntimeError
        assert gc.isenabled()
        gc.disable()
        with collector_paused():
            pass
        assert not gc.isenabled()  # a caller's switched-off collector stays off
    finally:
        (gc.enable if was else gc.disable)()


def test_link_is_a_frozen_value() -> None:
    link = Link("甲", "a.xlsx", "'表'!A1")
    assert link == Link(text="甲", target="a.xlsx", cell="'表'!A1") and hash(link) == hash(Link("甲", "a.xlsx", "'表'!A1"))
    assert Link("a", "b") == Link("a", "b", "") and Link("a", "b").cell == ""
    assert pickle.loads(pickle.dumps(link)) == link
    assert dataclasses.replace(link, cell="") == Link("甲", "a.xlsx")
    assert dataclasses.astuple(link) == ("甲", "a.xlsx", "'表'!A1")
    with pytest.raises(dataclasses.FrozenInstanceError):
        link.text = "乙"  # type: ignore[misc]


def test_relationships_of_worksheets_that_had_none_come_last_in_sheet_order() -> None:
    sheet = '<worksheet><sheetData></sheetData><pageMargins/></worksheet>'
    parts: list[tuple[str, str | bytes]] = [("xl/worksheets/sheet1.xml", sheet), ("xl/worksheets/sheet2.xml", sheet),
                                            ("xl/styles.xml", "<styleSheet/>")]
    small = Chunk(0, 0, '<row r="1"><c r="A1"/></row>', [("A1", "a.xlsx", "")])
    large = Chunk(0, 1, '<row r="1"><c r="A1"/></row><row r="2"><c r="A2"/></row>', [("A2", "b.xlsx", "")])
    out = io.BytesIO()
    write_package(parts, out, {"xl/worksheets/sheet1.xml": [small], "xl/worksheets/sheet2.xml": [large]})
    with zipfile.ZipFile(out) as z:
        assert z.namelist() == ["xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml", "xl/styles.xml",
                                "xl/worksheets/_rels/sheet1.xml.rels", "xl/worksheets/_rels/sheet2.xml.rels"]
        assert 'Target="b.xlsx"' in z.read("xl/worksheets/_rels/sheet2.xml.rels").decode()
        assert '<hyperlink ref="A2" r:id="rId1"/>' in z.read("xl/worksheets/sheet2.xml").decode()


_sst_text = st.one_of(
    st.text(max_size=8),
    st.lists(st.sampled_from([*" \t\n\r\x0b\x0c\x1c\x85\xa0\u2003\u3000a中&<>\"_x0D", "_x000D_", "<r>", "</r>"]),
             max_size=6).map("".join),
    st.sampled_from(["<r>rich</r>", "<r>a & b</r>", " lead", "trail ", "x\x01y", "_x005F_", "\n", ""]),
)


@settings(max_examples=200, deadline=None)
@given(strings=st.lists(_sst_text, max_size=12, unique=True), extra=st.integers(min_value=0, max_value=5))
def test_shared_strings_as_xlsxwriter_writes_them(strings: list[str], extra: int) -> None:
    from xlsxwriter.sharedstrings import SharedStrings, SharedStringTable

    table = SharedStringTable()
    for text in strings:
        table._get_shared_string_index(text)
    table.count += extra
    table._sort_string_data()
    theirs = io.StringIO()
    writer = SharedStrings()
    writer.string_table = table
    writer._set_xml_writer(theirs)
    writer._assemble_xml_file()
    assert shared_strings_xml(table.string_array, table.count, table.unique_count) == theirs.getvalue()


@settings(max_examples=300, deadline=None)
@given(url=st.lists(st.sampled_from([*'ab %"<>[]^`{}中#\\:', "%2F", "%zz", "%2", "%20"]), max_size=10).map("".join))
def test_url_escaped_as_xlsxwriter_escapes_it(url: str) -> None:
    from xlsxwriter.url import Url

    assert xlsx_links._escape_url(url) == Url._escape_url(url)
