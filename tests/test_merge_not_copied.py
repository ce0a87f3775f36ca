"""``pimxl merge`` says what it cannot carry into OUT: chart sheets, shapes and text boxes, pictures.

openpyxl (which writes OUT) drops shapes, reads pictures only with Pillow, and the merge rebuilds only
sheets a copy added; a chart sheet is no worksheet. Each case builds a copy of the project-plan
template — openpyxl cannot write shapes, so drawings are put into the copy's zip by hand — and checks
the 合并记录 rows, the --json entries, the text lines and the exit code.
"""

from __future__ import annotations

import json
import re
import shutil
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from openpyxl.chart import BarChart, Reference
from test_merge_support import sha256
from test_merge_user_sheets import FORM, NOTES, TEMPLATE, edited, log_rows

from pimxl.cli import cli
from pimxl.merge import extras, merge_files

NS = ('xmlns:xdr="http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing" '
      'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
      'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" '
      'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"')
ANCHOR = '<xdr:twoCellAnchor><xdr:from><xdr:col>1</xdr:col><xdr:colOff>0</xdr:colOff><xdr:row>1</xdr:row>' \
         '<xdr:rowOff>0</xdr:rowOff></xdr:from><xdr:to><xdr:col>4</xdr:col><xdr:colOff>0</xdr:colOff>' \
         '<xdr:row>6</xdr:row><xdr:rowOff>0</xdr:rowOff></xdr:to>{}<xdr:clientData/></xdr:twoCellAnchor>'
SHAPE = ('<xdr:sp macro="" textlink=""><xdr:nvSpPr><xdr:cNvPr id="{i}" name="文本框 {i}"/><xdr:cNvSpPr txBox="1"/>'
         '</xdr:nvSpPr><xdr:spPr><a:prstGeom prst="rect"><a:avLst/></a:prstGeom></xdr:spPr>'
         '<xdr:txBody><a:bodyPr/><a:p><a:r><a:t>请先确认预算</a:t></a:r></a:p></xdr:txBody></xdr:sp>')
PICTURE = ('<xdr:pic><xdr:nvPicPr><xdr:cNvPr id="{i}" name="图片 {i}"/><xdr:cNvPicPr/></xdr:nvPicPr>'
           '<xdr:blipFill><a:blip r:embed="rIdImg"/><a:stretch><a:fillRect/></a:stretch></xdr:blipFill>'
           '<xdr:spPr><a:prstGeom prst="rect"><a:avLst/></a:prstGeom></xdr:spPr></xdr:pic>')
# A 1×1 PNG.
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c6360000002000100e221bc330000000049454e44ae426082")


@pytest.fixture
def base(tmp_path: Path) -> Path:
    return Path(shutil.copy(TEMPLATE, tmp_path / "base.xlsx"))


def drawing_xml(shapes: int = 0, pictures: int = 0, group: bool = False, alternate: bool = False) -> str:
    """A drawing part: ``shapes`` text boxes and ``pictures`` pictures, each in its own anchor; ``group``
    adds a group of two shapes, ``alternate`` one shape in mc:Choice with a picture as its mc:Fallback."""
    anchors = [ANCHOR.format(SHAPE.format(i=i + 2)) for i in range(shapes)]
    anchors += [ANCHOR.format(PICTURE.format(i=i + 20)) for i in range(pictures)]
    if group:
        inner = SHAPE.format(i=40) + SHAPE.format(i=41)
        anchors.append(ANCHOR.format(f'<xdr:grpSp><xdr:nvGrpSpPr><xdr:cNvPr id="39" name="组合"/><xdr:cNvGrpSpPr/>'
                                     f'</xdr:nvGrpSpPr><xdr:grpSpPr/>{inner}</xdr:grpSp>'))
    if alternate:
        anchors.append(f'<mc:AlternateContent><mc:Choice Requires="a14">{ANCHOR.format(SHAPE.format(i=50))}'
                       f'</mc:Choice><mc:Fallback>{ANCHOR.format(PICTURE.format(i=51))}</mc:Fallback>'
                       f'</mc:AlternateContent>')
    return f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><xdr:wsDr {NS}>{"".join(anchors)}</xdr:wsDr>'


def with_drawing(src: Path, dst: Path, sheet: str, drawing: str) -> Path:
    """``src`` with ``drawing`` put on ``sheet`` (which has none yet): the drawing part, its rels and the
    picture it embeds, the sheet's relationship and ``<drawing>`` element, and the content types."""
    with zipfile.ZipFile(src) as zf:
        parts = {n: zf.read(n) for n in zf.namelist()}
    book = parts["xl/workbook.xml"].decode()
    rid = re.search(rf'<sheet name="{re.escape(sheet)}"[^>]*r:id="(\w+)"', book)
    assert rid is not None
    target = re.search(rf'Target="/?([^"]+)" Id="{rid.group(1)}"', parts["xl/_rels/workbook.xml.rels"].decode())
    assert target is not None
    part = target.group(1).removeprefix("/")
    folder, name = part.rsplit("/", 1)
    rels = f"{folder}/_rels/{name}.rels"
    rel = ('<Relationship Id="rIdDrw" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
           'drawing" Target="../drawings/drawing99.xml"/>')
    old = parts.get(rels, b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                          b'</Relationships>').decode()
    parts[rels] = old.replace("</Relationships>", rel + "</Relationships>").encode()
    xml = parts[part].decode()
    element = '<drawing xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" r:id="rIdDrw"/>'
    # <drawing> stands before <tableParts> (and any later element) in a worksheet.
    at = min(i for i in (xml.find("<legacyDrawing"), xml.find("<tableParts"), xml.find("</worksheet>")) if i >= 0)
    parts[part] = (xml[:at] + element + xml[at:]).encode()
    parts["xl/drawings/drawing99.xml"] = drawing.encode()
    parts["xl/drawings/_rels/drawing99.xml.rels"] = (
        b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship '
        b'Id="rIdImg" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/image" '
        b'Target="../media/image99.png"/></Relationships>')
    parts["xl/media/image99.png"] = PNG
    types = parts["[Content_Types].xml"].decode()
    types = types.replace("</Types>", '<Override PartName="/xl/drawings/drawing99.xml" ContentType="application/'
                                      'vnd.openxmlformats-officedocument.drawing+xml"/></Types>')
    if 'Extension="png"' not in types:
        types = types.replace("</Types>", '<Default Extension="png" ContentType="image/png"/></Types>')
    parts["[Content_Types].xml"] = types.encode()
    with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zf:
        for n, data in parts.items():
            zf.writestr(n, data)
    return dst


def chartsheet_copy(base: Path, name: str, title: str = "进度图") -> Path:
    """A copy of ``base`` with a chart sheet ``title`` charting WBS columns."""
    wb = openpyxl.load_workbook(base)
    cs = wb.create_chartsheet(title)
    chart = BarChart()
    chart.add_data(Reference(wb["WBS工作分解"], min_col=1, min_row=1, max_row=5), titles_from_data=True)
    cs.add_chart(chart)
    out = base.parent / name
    wb.save(out)
    return out


def not_copied_json(doc: dict[str, Any]) -> list[dict[str, Any]]:
    return [c for c in doc["changes"] if c["kind"] == "not-copied"]


def test_chart_sheet_added_by_a_copy_is_said(base: Path, runner: Any) -> None:
    copy = chartsheet_copy(base, "copy.xlsx")
    before = sha256(copy), sha256(base)
    out = base.parent / "out.xlsx"
    result = runner.invoke(cli, ["merge", str(base), str(copy), "-o", str(out)])
    # The user must copy the chart sheet by hand: exit 1, as for an unresolved conflict.
    assert result.exit_code == 1, result.output
    lines = result.output.splitlines()
    assert lines[0].endswith("冲突 0 处（未解决 0），未合并的内容 1 项（请手动复制）")
    assert lines[1:3] == ["未合并的内容（请手动复制）：", "  进度图  图表工作表  (copy.xlsx)"]
    assert log_rows(out) == [("进度图", None, "未合并的内容（请手动复制）", None, "图表工作表", "copy.xlsx")]
    assert "进度图" not in openpyxl.load_workbook(out).sheetnames
    doc = json.loads(runner.invoke(cli, ["merge", str(base), str(copy), "-o", str(out), "--json"]).output)
    assert doc["summary"] == {"changes": 1, "conflicts": 0, "unresolved": 0, "not-copied": 1}
    assert doc["changes"] == [{"kind": "not-copied", "sheet": "进度图", "cell": None, "what": "chartsheet", "count": 1,
                               "label": "未合并的内容（请手动复制）", "text": "图表工作表", "source": ["copy.xlsx"]}]
    assert doc["exit_code"] == 1
    en = runner.invoke(cli, ["merge", str(base), str(copy), "-o", str(out), "--lang", "en"])
    assert en.output.splitlines()[1:3] == ["Not merged (copy by hand):", "  进度图  chart sheet  (copy.xlsx)"]
    assert (sha256(copy), sha256(base)) == before


def test_chart_sheet_base_has_too_is_not_said(base: Path, tmp_path: Path) -> None:
    new_base = chartsheet_copy(base, "base2.xlsx")
    copy = edited(new_base, "copy.xlsx", {(FORM, "F3"): "备注"})
    run = merge_files(new_base, [copy], tmp_path / "out.xlsx")
    assert [c.kind for c in run.plan.changes] == ["free-cell"] and run.exit_code == 0


def test_shapes_and_pictures_on_a_sheet_base_has(base: Path, runner: Any) -> None:
    copy = with_drawing(edited(base, "c0.xlsx", {}), base.parent / "copy.xlsx", FORM,
                        drawing_xml(shapes=1, pictures=1, group=True, alternate=True))
    out = base.parent / "out.xlsx"
    result = runner.invoke(cli, ["merge", str(base), str(copy), "-o", str(out)])
    assert result.exit_code == 1, result.output
    # 1 text box + a group of 2 + 1 in mc:Choice (its mc:Fallback picture is the same object): 4 shapes.
    assert result.output.splitlines()[1:4] == ["未合并的内容（请手动复制）：", f"  {FORM}  形状或文本框 4 个  (copy.xlsx)",
                                               f"  {FORM}  图片 1 个  (copy.xlsx)"]
    assert log_rows(out) == [(FORM, None, "未合并的内容（请手动复制）", None, "形状或文本框 4 个", "copy.xlsx"),
                             (FORM, None, "未合并的内容（请手动复制）", None, "图片 1 个", "copy.xlsx")]
    doc = json.loads(runner.invoke(cli, ["merge", str(base), str(copy), "-o", str(out), "--json",
                                         "--lang", "en"]).output)
    assert not_copied_json(doc) == [
        {"kind": "not-copied", "sheet": FORM, "cell": None, "what": "shapes", "count": 4, "label": "not merged (copy by hand)",
         "text": "shapes or text boxes: 4", "source": ["copy.xlsx"]},
        {"kind": "not-copied", "sheet": FORM, "cell": None, "what": "pictures", "count": 1, "label": "not merged (copy by hand)",
         "text": "pictures: 1", "source": ["copy.xlsx"]}]
    assert doc["summary"]["not-copied"] == 2


@pytest.mark.parametrize("pillow", [False, True])
def test_picture_on_an_added_sheet_depends_on_pillow(base: Path, monkeypatch: Any, pillow: bool) -> None:
    # openpyxl carries the pictures of an added sheet only when it can read them (Pillow).
    monkeypatch.setattr(extras, "pictures_carried", lambda: pillow)
    copy = with_drawing(edited(base, "c0.xlsx", {(NOTES, "A1"): "现场照片"}), base.parent / "copy.xlsx", NOTES,
                        drawing_xml(shapes=2, pictures=1))
    run = merge_files(base, [copy], base.parent / "out.xlsx")
    left = [(c.sheet, c.what, c.count, c.new, c.sources) for c in run.plan.changes if c.kind == "not-copied"]
    expected = [(NOTES, "shapes", 2, "形状或文本框 2 个", ("copy.xlsx",))]
    if not pillow:
        expected.append((NOTES, "pictures", 1, "图片 1 个", ("copy.xlsx",)))
    assert left == expected
    assert [c.kind for c in run.plan.changes][0] == "sheet-added"


def test_charts_carried_on_an_added_sheet_are_not_said_others_are(base: Path) -> None:
    wb = openpyxl.load_workbook(base)
    for sheet in (NOTES, FORM):
        ws = wb[sheet] if sheet in wb.sheetnames else wb.create_sheet(sheet)
        ws["A1"], ws["A2"] = "数", 3
        chart = BarChart()
        chart.add_data(Reference(ws, min_col=1, min_row=1, max_row=2), titles_from_data=True)
        ws.add_chart(chart, "H2")
    copy = base.parent / "copy.xlsx"
    wb.save(copy)
    out = base.parent / "out.xlsx"
    run = merge_files(base, [copy], out)
    # The added sheet's chart is in OUT; the chart on 项目信息 (a sheet BASE has) is not.
    assert len(openpyxl.load_workbook(out)[NOTES]._charts) == 1
    left = [(c.sheet, c.what, c.count, c.new) for c in run.plan.changes if c.kind == "not-copied"]
    assert left == [(FORM, "charts", 1, "图表 1 个")]


def _charted(base: Path, name: str, charts: int) -> Path:
    """A copy of ``base`` that added 我的笔记 with ``charts`` charts on it."""
    wb = openpyxl.load_workbook(base)
    ws = wb.create_sheet(NOTES)
    ws["A1"], ws["A2"] = "数", 3
    for i in range(charts):
        chart = BarChart()
        chart.add_data(Reference(ws, min_col=1, min_row=1, max_row=2), titles_from_data=True)
        ws.add_chart(chart, f"H{2 + 15 * i}")
    wb.save(base.parent / name)
    return base.parent / name


def test_same_sheet_added_by_two_copies_says_the_charts_beyond_the_first(base: Path) -> None:
    # OUT's sheet takes its layout (and its one chart) from a.xlsx; b.xlsx's second chart is said.
    run = merge_files(base, [_charted(base, "a.xlsx", 1), _charted(base, "b.xlsx", 2)], base.parent / "out.xlsx")
    assert len(openpyxl.load_workbook(base.parent / "out.xlsx")[NOTES]._charts) == 1
    left = [(c.sheet, c.what, c.count, c.sources) for c in run.plan.changes if c.kind == "not-copied"]
    assert left == [(NOTES, "charts", 1, ("b.xlsx",))]


def _rezip(src: Path, dst: Path, drawing: str) -> Path:
    """``src`` with its drawing part (put there by :func:`with_drawing`) replaced by ``drawing``."""
    with zipfile.ZipFile(src) as zf:
        parts = {n: zf.read(n) for n in zf.namelist()}
    parts["xl/drawings/drawing99.xml"] = drawing.encode()
    with zipfile.ZipFile(dst, "w") as zf:
        for n, data in parts.items():
            zf.writestr(n, data)
    return dst


def test_drawings_base_has_are_said_once_as_base_s(base: Path, tmp_path: Path) -> None:
    new_base = with_drawing(base, tmp_path / "base2.xlsx", FORM, drawing_xml(shapes=2))
    # One copy keeps BASE's two text boxes as they are, the other has a third.
    same = Path(shutil.copy(new_base, tmp_path / "same.xlsx"))
    more = _rezip(new_base, tmp_path / "more.xlsx", drawing_xml(shapes=3))
    out = tmp_path / "out.xlsx"
    run = merge_files(new_base, [same, more], out)
    # openpyxl saves OUT without BASE's shapes: said as BASE's, and the copy's third one as the copy's.
    with zipfile.ZipFile(out) as zf:
        assert not any(b"<xdr:sp" in zf.read(n) for n in zf.namelist() if n.startswith("xl/drawings/"))
    left = [(c.sheet, c.what, c.count, c.new, c.sources) for c in run.plan.changes if c.kind == "not-copied"]
    assert left == [(FORM, "shapes", 2, "形状或文本框 2 个", ("base2.xlsx",)),
                    (FORM, "shapes", 1, "形状或文本框 1 个", ("more.xlsx",))]
    assert run.exit_code == 1


@pytest.mark.parametrize("pillow", [False, True])
def test_base_pictures_said_only_without_pillow(base: Path, tmp_path: Path, monkeypatch: Any, pillow: bool) -> None:
    monkeypatch.setattr(extras, "pictures_carried", lambda: pillow)
    new_base = with_drawing(base, tmp_path / "base2.xlsx", FORM, drawing_xml(pictures=1))
    copy = Path(shutil.copy(new_base, tmp_path / "copy.xlsx"))
    run = merge_files(new_base, [copy], tmp_path / "out.xlsx")
    left = [(c.sheet, c.what, c.count, c.sources) for c in run.plan.changes if c.kind == "not-copied"]
    assert left == ([] if pillow else [(FORM, "pictures", 1, ("base2.xlsx",))])
    assert run.exit_code == (0 if pillow else 1)


def test_plain_copy_says_nothing_new(base: Path, runner: Any) -> None:
    copy = edited(base, "copy.xlsx", {(NOTES, "A1"): "笔记"})
    out = base.parent / "out.xlsx"
    result = runner.invoke(cli, ["merge", str(base), str(copy), "-o", str(out), "--json"])
    assert result.exit_code == 0
    doc = json.loads(result.output)
    assert not_copied_json(doc) == [] and "not-copied" not in doc["summary"]
    text = runner.invoke(cli, ["merge", str(base), str(copy), "-o", str(out)]).output
    assert "未合并" not in text


@pytest.mark.parametrize("broken", ["truncated", "too-large"])
def test_unreadable_drawings_are_said_not_a_crash(base: Path, runner: Any, monkeypatch: Any, broken: str) -> None:
    drawing = drawing_xml(shapes=1)
    if broken == "truncated":
        drawing = drawing[:-40]  # not well-formed
    else:
        # A drawing part over the size cap is not read (the cap lowered to the drawing's size).
        monkeypatch.setattr(extras, "PART_MAX", len(drawing.encode()) - 1)
        monkeypatch.setattr(extras, "_read", _read_capped_drawings)
    copy = with_drawing(edited(base, "c0.xlsx", {}), base.parent / "copy.xlsx", FORM, drawing)
    before = sha256(copy)
    out = base.parent / "out.xlsx"
    result = runner.invoke(cli, ["merge", str(base), str(copy), "-o", str(out)])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.output
    assert result.output.splitlines()[1:3] == ["未合并的内容（请手动复制）：",
                                               "  绘图无法读取，请检查图表、图片和形状  (copy.xlsx)"]
    assert log_rows(out) == [(None, None, "未合并的内容（请手动复制）", None, "绘图无法读取，请检查图表、图片和形状",
                              "copy.xlsx")]
    assert sha256(copy) == before


_REAL_READ = extras._read


def _read_capped_drawings(zf: zipfile.ZipFile, name: str) -> bytes | None:
    """extras._read with the (lowered) cap on drawing parts only."""
    if name.startswith("xl/drawings/") and not name.endswith(".rels"):
        return _REAL_READ(zf, name)
    return _full(zf, name)


def _full(zf: zipfile.ZipFile, name: str) -> bytes | None:
    try:
        return zf.read(name)
    except KeyError:
        return None
