"""What the merge cannot carry into OUT from its inputs' drawings: said, never silently dropped.

openpyxl, which writes OUT, does not read shapes and text boxes (``<xdr:sp>``, ``<xdr:cxnSp>``),
reads pictures only when Pillow is installed, and the merge rebuilds only *added* sheets, so a
chart or picture a copy put on a sheet BASE has stays behind, and a chart sheet
(``xl/chartsheets/…``) a copy added is not a worksheet the cell merge sees; BASE's own shapes (and
pictures, without Pillow) are lost when openpyxl saves OUT. This module reads each input's drawings
straight from its zip (small parts, size-capped, expat with DTDs refused: the file passed pimxl's
probe already) and compares, sheet by sheet, what each has with what OUT has (BASE's sheet of that
name, or what the merge carried onto a sheet it added). Each shortfall is one ``not-copied``
change. An input whose drawings cannot be read gets one such change saying so.
"""

from __future__ import annotations

import posixpath
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from xml.parsers import expat

from ..io.probe_xml import XmlUnsafe, children, expat_parse
from ..io.workbook_xml import parse_workbook
from .cells import CellPlan
from .diff import Change

__all__ = ["NOT_COPIED", "Drawings", "not_copied", "pictures_carried", "scan"]

NOT_COPIED = "not-copied"
#: Parts larger than this are not read (a drawing part is a few KB; a workbook part rarely 1 MB).
PART_MAX = 16 << 20
#: What can be missing, in the order it is reported: code → (zh, en) with ``{n}`` the count.
WHAT = {"chartsheet": ("图表工作表", "chart sheet"), "shapes": ("形状或文本框 {n} 个", "shapes or text boxes: {n}"),
        "pictures": ("图片 {n} 个", "pictures: {n}"), "charts": ("图表 {n} 个", "charts: {n}"),
        "unreadable": ("绘图无法读取，请检查图表、图片和形状", "drawings could not be read: check charts, pictures and shapes")}
_XDR = "http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing}"
_CHART = "http://schemas.openxmlformats.org/drawingml/2006/chart}chart"
_FALLBACK = "http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
_READ_ERRORS = (OSError, zipfile.BadZipFile, ValueError, RuntimeError, EOFError, NotImplementedError,
                KeyError, expat.ExpatError, XmlUnsafe)


@dataclass
class Drawings:
    """One workbook's drawings: per worksheet name, counts by kind; its chart sheets' names."""

    sheets: dict[str, dict[str, int]] = field(default_factory=dict)
    chartsheets: list[str] = field(default_factory=list)

    def count(self, sheet: str, what: str) -> int:
        folded = sheet.casefold()
        return sum(c.get(what, 0) for s, c in self.sheets.items() if s.casefold() == folded)

    def has_chartsheet(self, sheet: str) -> bool:
        folded = sheet.casefold()
        return any(s.casefold() == folded for s in self.chartsheets)


def pictures_carried() -> bool:
    """Whether openpyxl reads pictures here (it needs Pillow; without it they are dropped on load)."""
    from openpyxl.reader import drawings

    return bool(drawings.PILImage)


def _read(zf: zipfile.ZipFile, name: str) -> bytes | None:
    """A member's bytes; None when absent. Larger than PART_MAX (declared or inflated): ValueError."""
    try:
        info = zf.getinfo(name)
    except KeyError:
        return None
    if info.file_size > PART_MAX:
        raise ValueError(f"{name} is too large")
    with zf.open(info) as f:
        data = f.read(PART_MAX + 1)
    if len(data) > PART_MAX:
        raise ValueError(f"{name} is too large")
    return data


def _rels(zf: zipfile.ZipFile, part: str) -> dict[str, tuple[str, str]]:
    """A part's relationships: id → (type's last word, target part name resolved against the part)."""
    folder, base = posixpath.split(part)
    data = _read(zf, posixpath.join(folder, "_rels", base + ".rels"))
    out: dict[str, tuple[str, str]] = {}
    for rel in children(data) if data is not None else ():
        if rel.get("TargetMode") == "External":
            continue
        target = rel.get("Target", "")
        # Targets are relative to the part's folder, or absolute from the package root.
        path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
        out[rel.get("Id", "")] = (rel.get("Type", "").rsplit("/", 1)[-1], path)
    return out


def _count(data: bytes) -> dict[str, int]:
    """Shapes (and connectors), pictures and charts anchored in a drawing part."""
    counts = {"shapes": 0, "pictures": 0, "charts": 0}
    fallback = 0  # depth inside mc:Fallback: the same object again, for older readers — not counted twice

    def start(tag: str, _attrs: dict[str, str]) -> None:
        nonlocal fallback
        if tag == _FALLBACK or fallback:
            fallback += 1
        elif tag in (_XDR + "sp", _XDR + "cxnSp"):
            counts["shapes"] += 1
        elif tag == _XDR + "pic":
            counts["pictures"] += 1
        elif tag == _CHART:
            counts["charts"] += 1

    def end(_tag: str) -> None:
        nonlocal fallback
        if fallback:
            fallback -= 1

    expat_parse(data, start, end)
    return counts


def scan(path: Path) -> Drawings:
    """The drawings of an .xlsx/.xlsm file; raises one of ``_READ_ERRORS`` when they cannot be read."""
    out = Drawings()
    with zipfile.ZipFile(path) as zf:
        # The workbook part is the package's office document (xl/workbook.xml unless named otherwise).
        main = next((t for k, t in _rels(zf, "").values() if k == "officeDocument"), "xl/workbook.xml")
        book = _read(zf, main)
        if book is None:
            raise ValueError("no workbook part")
        sheets, _ = parse_workbook(book)
        rels = _rels(zf, main)
        for name, rid in sheets:
            kind, part = rels.get(rid, ("", ""))
            if kind == "chartsheet":
                out.chartsheets.append(name)
                continue
            counts = out.sheets.setdefault(name, {})
            # A worksheet's drawing is named in the worksheet's own relationships.
            for dkind, dpart in _rels(zf, part).values() if part else ():
                data = _read(zf, dpart) if dkind == "drawing" else None
                for what, n in (_count(data) if data is not None else {}).items():
                    counts[what] = counts.get(what, 0) + n
    return out


def _text(what: str, n: int, lang: str) -> str:
    return WHAT[what][lang != "zh"].format(n=n)


def _lost(base: Drawings, name: str, carried: set[str], lang: str) -> list[Change]:
    """BASE's own drawings that OUT (BASE's workbook as openpyxl saves it) loses: shapes, and pictures
    without Pillow. Said once, as BASE's; the copies' same drawings are then not said again."""
    out: list[Change] = []
    for sheet, counts in base.sheets.items():
        for what in ("shapes", "pictures"):
            if what not in carried and counts.get(what, 0) > 0:
                out.append(Change(None, None, "", NOT_COPIED, None, _text(what, counts[what], lang), (name,),
                                  sheet=sheet, what=what, count=counts[what]))
    return out


def not_copied(base_path: Path, copy_paths: Sequence[Path], base_name: str, names: Sequence[str],
               cells: CellPlan, lang: str) -> list[Change]:
    """One ``not-copied`` change per sheet, kind and input for what OUT lacks.

    OUT has, on a sheet BASE has, BASE's charts (and, with Pillow, its pictures); on a sheet the merge
    added, the charts (and pictures) of the copy it took the sheet's layout from; never a shape. What
    BASE has and OUT lacks is said as BASE's; what a copy has beyond BASE's, as that copy's."""
    carried = {"charts"} | ({"pictures"} if pictures_carried() else set())
    out: list[Change] = []
    try:
        base: Drawings | None = scan(Path(base_path))
    except _READ_ERRORS:
        base = None  # BASE's drawings unknown: said, and every copy's count is compared with none
        out.append(Change(None, None, "", NOT_COPIED, None, _text("unreadable", 0, lang), (base_name,),
                          what="unreadable"))
    if base is not None:
        out += _lost(base, base_name, carried, lang)
    # Each copy's drawings first: an added sheet's layout may come from a copy listed later.
    scanned: dict[str, Drawings | None] = {}
    for path, name in zip(copy_paths, names, strict=True):
        if Path(path).suffix.lower() not in (".xlsx", ".xlsm"):
            continue  # other formats: values only, read by calamine; their drawings are not looked at
        try:
            scanned[name] = scan(Path(path))
        except _READ_ERRORS:
            scanned[name] = None
    added = {a.name.casefold(): a.layout.name for a in cells.added if a.layout.wb is not None}
    for name, copy in scanned.items():
        if copy is None:
            out.append(Change(None, None, "", NOT_COPIED, None, _text("unreadable", 0, lang), (name,),
                              what="unreadable"))
            continue
        for sheet in copy.chartsheets:
            if base is None or not base.has_chartsheet(sheet):
                out.append(Change(None, None, "", NOT_COPIED, None, _text("chartsheet", 1, lang), (name,),
                                  sheet=sheet, what="chartsheet", count=1))
        for sheet, counts in copy.sheets.items():
            layout = added.get(sheet.casefold())
            for what in ("shapes", "pictures", "charts"):
                if layout is not None:
                    # A sheet the merge added carries its layout copy's charts (and pictures, with Pillow).
                    source = scanned.get(layout)
                    has = source.count(sheet, what) if what in carried and source is not None else 0
                else:
                    has = base.count(sheet, what) if base is not None else 0
                n = counts.get(what, 0) - has
                if n > 0:
                    out.append(Change(None, None, "", NOT_COPIED, None, _text(what, n, lang), (name,),
                                      sheet=sheet, what=what, count=n))
    return out
