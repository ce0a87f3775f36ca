"""The summary writer's shortcuts give exactly what the general way gives: cells rendered once per distinct
value, link paths without xlsxwriter's Url parse, column widths over distinct texts, xlsxwriter's parts taken
unzipped, its sheet data written over the rows it holds, worksheet starts deflated ahead, and the zip written
on threads as zipfile writes it."""

from __future__ import annotations

import dataclasses
import gc
import io
import pickle
import re
import sys
import zipfile
import zlib
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
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
from pimxl.rollup.xlsx_package import (
    Part,
    PartsWorkbook,
    deflate_heads,
    quick_switches,
    shared_strings_xml,
    write_package,
)
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


_link_values = st.one_of(
    st.none(), st.just(""),
    st.builds(Link, st.sampled_from(["P1", "P2", "", "<r>x</r>", "a&b", "甲", "P1 "]),
              st.sampled_from(["a.xlsx", "b/c d.xlsx", "", "e#f.xlsx", "中/文.xlsx", "../g.xlsx"]),
              st.sampled_from(["", "'表'!A1", "A/B", "'a&b'!C3", "B2"])),
)


def _render_links(column: list[Any], room: int) -> tuple:
    wb = Workbook(io.BytesIO(), {"in_memory": True})
    ws = wb.add_worksheet()
    ws.write_string(0, 0, "P2")  # a shared string xlsxwriter added before the rows
    sink = RowSink(wb, LinkWriter(Path("/c/out"), Path("/c/src")))
    ws.hlink_count = xlsx_cells.MAX_LINKS - room  # links the worksheet holds already
    chunk = sink.render(ws, [{"a": v} for v in column], ["a"], 2, [4])
    sst = wb.str_table
    return chunk.xml, chunk.links, dict(sst.string_table), sst.count, sst.unique_count, [*sink._link_counts.values()]


@settings(max_examples=200, deadline=None)
@given(column=st.lists(_link_values, min_size=1, max_size=10), room=st.sampled_from([0, 2, 10_000]))
def test_link_column_in_passes_as_cell_by_cell(column: list[Any], room: int) -> None:
    """A column of links (and blanks) rendered in a few passes gives the XML, hyperlinks and shared strings that
    rendering every cell gives."""
    fast = _render_links(column, room)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(xlsx_cells, "_LINK_COLUMN", frozenset())  # the general way
        assert _render_links(column, room) == fast


def test_link_column_cells_and_hyperlinks() -> None:
    column = [Link("P1", "a.xlsx", "'表'!A1"), None, Link("P2", "b c.xlsx"), "", Link("P1", "a.xlsx", "'表'!A1")]
    xml, links, strings, count, unique, _ = _render_links(column, 10)
    assert xml == ('<row r="3" spans="1:1"><c r="A3" s="1" t="s"><v>1</v></c></row><row r="4" spans="1:1"></row>'
                   '<row r="5" spans="1:1"><c r="A5" s="1" t="s"><v>0</v></c></row><row r="6" spans="1:1"></row>'
                   '<row r="7" spans="1:1"><c r="A7" s="1" t="s"><v>1</v></c></row>')
    assert links == [("A3", "..\\src\\a.xlsx", ' location="\'表\'!A1"'), ("A5", "..\\src\\b%20c.xlsx", ""),
                     ("A7", "..\\src\\a.xlsx", ' location="\'表\'!A1"')]
    assert (strings, count, unique) == ({"P2": 0, "P1": 1}, 4, 2)


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


@settings(max_examples=300, deadline=None)
@given(paths=st.lists(_path_parts.map("/".join), min_size=1, max_size=6),
       where=st.sampled_from([("/c/out", "/c/src"), ("/c/src", "/c/src"), ("/c/src/p", "/c/src"), ("/c/o u%t", "/c/s#rc"),
                              ("/c/out", "/c/src/a&b"), ("/c", "/c/src")]))
def test_link_paths_joined_as_one_by_one(paths: list[str], where: tuple[str, str]) -> None:
    """Paths resolved over their joined text give what resolving each gives (the general way too)."""
    paths = list(dict.fromkeys(paths))
    cells = ["", "'表'!A1"] * len(paths)

    def resolve() -> Any:
        writer = LinkWriter(Path(where[0]), Path(where[1]))
        try:
            return writer.resolve_all(paths, cells[:len(paths)]), writer._files
        except Exception as e:  # what xlsxwriter's Url raises (a one-letter path), the joined way raises too
            return type(e)

    joined = resolve()
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(LinkWriter, "_new_files", lambda self, targets: None)  # each path on its own
        assert resolve() == joined


def test_link_paths_joined() -> None:
    writer = LinkWriter(Path("/c/汇总"), Path("/c/项目"))
    assert writer.resolve_all(["甲/a b.xlsx", "乙/[1]&.xlsx", "甲/a b.xlsx"], ["", "'表'!A1", ""]) == (
        {"甲/a b.xlsx": "..\\项目\\甲\\a%20b.xlsx", "乙/[1]&.xlsx": "..\\项目\\乙\\%5b1%5d&amp;.xlsx"},
        {"": "", "'表'!A1": ' location="\'表\'!A1"'})
    assert writer._files["乙/[1]&.xlsx"] == ("..\\项目\\乙\\%5b1%5d&amp;.xlsx", "..\\项目\\乙\\[1]&.xlsx")


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


@pytest.mark.parametrize(("kind", "values", "width"), [
    ("text", ["甲乙丙丁", None, "abc", "甲乙丙丁"], 10.0),  # 8 units, 2 more
    ("date", [None, date(2026, 1, 1), "x"], 12.0),  # any value shows as a date
    ("date", [None, None], 8.0),  # the header's: 6 at least
    ("money", [1234567.5, None, -0.0, 2], 16.0),  # "¥1,234,567.50 "
    ("money", [-0.0, 0.0], 9.0),  # "¥-0.00 " is wider than "¥0.00 "
    ("int", [12345678, None, 7], 10.0),
    ("days", [3, 1.5], 8.0),  # a float among ints: measured as its text, "1.5"
])
def test_column_width_of_one_class_columns(kind: str, values: list[Any], width: float) -> None:
    # The shortcuts (text, dates, figures of one class) and the value-by-value way agree, on known widths.
    column = Column("c", "列", "Column", kind)
    assert column_width(column, "列", iter(values)) == width == _column_width_cell_by_cell(column, "列", values)


def _build(wb: Workbook) -> None:
    ws = wb.add_worksheet("表")
    ws.write_string(0, 0, "甲")
    ws.write_number(1, 0, 1.5, wb.add_format({"num_format": "0.00"}))
    ws.add_table(3, 0, 4, 1, {"columns": [{"header": "a"}, {"header": "b"}]})
    chart = wb.add_chart({"type": "pie"})
    chart.add_series({"values": "='表'!$A$2:$A$2"})
    ws.insert_chart("D2", chart)
    wb.set_properties({"created": date(2026, 1, 1)})


def _zipped_and_parts(build: Callable[[Workbook], None]) -> tuple[list[tuple[str, bytes]], list[Part]]:
    """The members plain xlsxwriter zips for ``build``, and the parts PartsWorkbook hands over for it."""
    zipped = io.BytesIO()
    wb = Workbook(zipped, {"in_memory": True})
    build(wb)
    wb.close()
    parts_wb = PartsWorkbook(io.BytesIO(), {"in_memory": True})
    build(parts_wb)
    parts_wb.close()
    with zipfile.ZipFile(zipped) as z:
        return [(name, z.read(name)) for name in z.namelist()], parts_wb.parts


def test_parts_workbook_hands_over_what_xlsxwriter_zips() -> None:
    zipped, parts = _zipped_and_parts(_build)
    assert zipped == [(name, data.encode() if isinstance(data, str) else data) for name, data in parts]


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


def _sparse(wb: Workbook) -> None:
    """A worksheet whose dimension reaches far below the rows xlsxwriter holds, as the rendered rows make it."""
    ws = wb.add_worksheet("表")
    ws.write_string(0, 0, "甲")
    ws.write_number(0, 3, 2.0)
    ws.set_row(2, 30)  # a row with a height only
    ws.write_string(17, 1, "乙")  # the second block of 16 rows
    ws.write_comment(40, 2, "注")
    ws.set_row(60, 12, wb.add_format({"bold": True}))
    ws._check_dimensions(29_999, 4)  # rows rendered apart
    wb.add_worksheet("空")._check_dimensions(5, 0)  # a dimension and no row xlsxwriter holds
    wb.set_properties({"created": date(2026, 1, 1)})


def test_sheet_data_over_the_rows_held_as_xlsxwriter_writes_it() -> None:
    members, held = _zipped_and_parts(_sparse)
    zipped, parts = dict(members), dict(held)
    for name in ("xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml"):
        assert parts[name] == zipped[name].decode()
    sheet1 = parts["xl/worksheets/sheet1.xml"]
    assert '<dimension ref="A1:E30000"/>' in sheet1
    assert ('<sheetData><row r="1" spans="1:4"><c r="A1" t="s"><v>0</v></c><c r="D1"><v>2</v></c></row>'
            '<row r="3" spans="1:4" ht="30" customHeight="1"/><row r="18" spans="2:2"><c r="B18" t="s"><v>1</v></c>'
            '</row><row r="41" spans="3:3"/><row r="61" s="1" customFormat="1" ht="12" customHeight="1"/></sheetData>'
            in sheet1)
    assert "<sheetData></sheetData>" in parts["xl/worksheets/sheet2.xml"]


@pytest.mark.parametrize("formula", ['"红"', "0", "=A1>0", "{=A1}", '"a(b"', "=XLOOKUP(A1,B:B,C:C)", "STDEV.S(A1)", "", "}"])
@pytest.mark.parametrize("expand", [False, True])
def test_formulas_prepared_as_xlsxwriter_prepares_them(formula: str, expand: bool) -> None:
    wb = PartsWorkbook(io.BytesIO(), {"in_memory": True})
    ws = wb.add_worksheet()
    expected = Workbook(io.BytesIO(), {"in_memory": True}).add_worksheet()._prepare_formula(formula, expand)
    assert ws._prepare_formula(formula, expand) == expected
    assert expected == {"=A1>0": "A1>0", "{=A1}": "A1", "}": "", "STDEV.S(A1)": "_xlfn.STDEV.S(A1)" if expand else "STDEV.S(A1)",
                        "=XLOOKUP(A1,B:B,C:C)": "_xlfn.XLOOKUP(A1,B:B,C:C)"}.get(formula, formula)


def _rendered(wb: PartsWorkbook) -> RowSink:
    """Two worksheets with rendered rows and links under xlsxwriter's own rows, a third without."""
    sink = RowSink(wb, LinkWriter(Path("/汇总"), Path("/汇总/项目")))
    for n, name in enumerate(("甲", "乙")):
        ws = wb.add_worksheet(name)
        ws.write_string(0, 0, f"标题{n}")
        ws.freeze_panes(2, 1)
        ws.set_column(0, 1, 12)
        rows = [{"a": Link(f"P{i}", f"p{i}.xlsx", "'表'!A1"), "b": i * 1.5} for i in range(2000)]
        sink.render(ws, rows, ["a", "b"], 2, [0, 0])
    wb.add_worksheet("丙").write_string(0, 0, "丙")
    wb.set_properties({"created": date(2026, 1, 1)})
    return sink


def test_worksheet_starts_deflated_ahead_give_the_members_zipfile_writes() -> None:
    names = {1: "xl/worksheets/sheet1.xml", 2: "xl/worksheets/sheet2.xml"}
    with ThreadPoolExecutor(2) as pool:
        wb = PartsWorkbook(io.BytesIO(), {"in_memory": True})
        sink = _rendered(wb)
        heads = deflate_heads(wb, sink.chunks, pool)
        wb.close()
        ids = {id(ws): n for n, ws in enumerate(wb.worksheets(), start=1)}
        chunks = {names[ids[k]]: c for k, c in sink.chunks.items()}
        by_name = {names[ids[k]]: head for k, head in heads.items()}
        parts = dict(wb.parts)
        # The second worksheet's start is what xlsxwriter wrote: the package takes it. close() selects the
        # first one: its start differs (no tabSelected), and that part is deflated whole.
        assert parts[names[2]].startswith(by_name[names[2]].text)
        assert not parts[names[1]].startswith(by_name[names[1]].text) and 'tabSelected="1"' in parts[names[1]]
        assert by_name[names[2]].text.endswith('<sheetData><row r="1" spans="1:1"><c r="A1" t="s"><v>2001</v></c>'
                                               '</row></sheetData>')
        ahead, stale_ahead = io.BytesIO(), io.BytesIO()
        write_package(wb.parts, ahead, chunks, heads=by_name, pool=pool)
        # A start xlsxwriter did not write is never used.
        stale = {name: head._replace(text=head.text.replace("2001", "2002")) for name, head in by_name.items()}
        write_package(wb.parts, stale_ahead, chunks, heads=stale, pool=pool)
    with zipfile.ZipFile(ahead) as z:
        assert z.testzip() is None
        members = [(info.filename, z.read(info)) for info in z.infolist()]
    sheet2 = dict(members)[names[2]].decode()
    assert sheet2.count("<row ") == 2001 and sheet2.count("<hyperlink ") == 2000
    assert ('<row r="2002" spans="1:2"><c r="A2002" s="1" t="s"><v>2000</v></c><c r="B2002"><v>2998.5</v></c>'
            '</row></sheetData>') in sheet2
    assert '<hyperlinks><hyperlink ref="A3" r:id="rId1" location="\'表\'!A1"/>' in sheet2
    # What zipfile writes for the same members at the same level.
    theirs = io.BytesIO()
    with zipfile.ZipFile(theirs, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members:
            info = zipfile.ZipInfo(name, (1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data, compresslevel=1)
    assert ahead.getvalue() == theirs.getvalue() == stale_ahead.getvalue()


def test_deflate_does_not_depend_on_how_its_input_is_split() -> None:
    # What deflating a worksheet's start ahead relies on.
    data = "".join(f'<row r="{i}"><c r="A{i}" t="s"><v>{i * 7 % 1000}</v></c></row>' for i in range(60_000)).encode()
    whole = zlib.compressobj(1, zlib.DEFLATED, -15)
    expected = whole.compress(data) + whole.flush()
    for cuts in ([1], [3000], [65_536], [100, 200_000, 200_001, 1_000_000]):
        pieces = zlib.compressobj(1, zlib.DEFLATED, -15)
        out, pos = [], 0
        for cut in [*cuts, len(data)]:
            out.append(pieces.compress(data[pos:cut]))
            pos = cut
        assert b"".join(out) + pieces.flush() == expected


def test_quick_switches_shortened_and_restored() -> None:
    was = sys.getswitchinterval()
    try:
        sys.setswitchinterval(0.005)
        with quick_switches(0.0002):
            assert sys.getswitchinterval() == pytest.approx(0.0002, rel=0.05)
        assert sys.getswitchinterval() == pytest.approx(0.005, rel=0.05)
        with pytest.raises(RuntimeError), quick_switches(0.0002):
            raise RuntimeError
        assert sys.getswitchinterval() == pytest.approx(0.005, rel=0.05)
        sys.setswitchinterval(0.0001)
        with quick_switches(0.0002):
            assert sys.getswitchinterval() == pytest.approx(0.0001, rel=0.05)  # a caller's shorter interval stays
    finally:
        sys.setswitchinterval(was)


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
