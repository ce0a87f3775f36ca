"""``pimxl excel setup``: a workbook → the same workbook as .xlsm, with the pimxl macros and buttons.

The .xlsx is edited as a zip, part by part, never loaded and re-saved by a spreadsheet library: the
template identity (``_pimxl``, custom properties), the values, defined names, Excel tables, data
validation, styles and protection stay byte for byte what they were. What is added:

* ``xl/vbaProject.bin`` (:mod:`.ovba`): the ``pimxl`` module and a document module for the
  workbook and every sheet (whose code names are set on ``workbookPr`` / ``sheetPr``);
* two buttons (:mod:`.vml`) on the form sheet (where ``fld_project_id`` points), else the first sheet;
* optionally the defined names ``pimxl_root`` / ``pimxl_summary`` that 刷新汇总 reads;
* the content type of a macro-enabled workbook and the relationships that tie the parts together.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from collections.abc import Sequence
from html import escape, unescape
from pathlib import Path

from ..errors import UsageError
from ..io.atomic import save_bytes
from ..io.read_parts import parse_ref
from .buttons import ROOT_NAME, SUMMARY_NAME
from .macros import MACROS, MODULE_NAME, module_source
from .ovba import Module, sheet_module, vba_project, workbook_module
from .vml import Button, add_buttons, new_drawing

__all__ = ["companion_workbook", "setup_workbook"]

R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_REL_VBA = "http://schemas.microsoft.com/office/2006/relationships/vbaProject"
_REL_VML = R_NS + "/vmlDrawing"
_CT_MACRO = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
_ATTR = re.compile(r'([\w:]+)="([^"]*)"')
# Elements that follow <legacyDrawing> in a worksheet ([ECMA-376] CT_Worksheet order).
_AFTER_LEGACY = ("legacyDrawingHF", "drawingHF", "picture", "oleObjects", "controls", "webPublishItems",
                 "tableParts", "extLst")


def _attrs(tag: str) -> dict[str, str]:
    return {k: unescape(v) for k, v in _ATTR.findall(tag)}


def _rels(parts: dict[str, bytes], part: str) -> tuple[str, list[dict[str, str]]]:
    folder, base = posixpath.split(part)
    name = posixpath.join(folder, "_rels", base + ".rels")
    text = parts.get(name, b"").decode("utf-8")
    return name, [_attrs(m) for m in re.findall(r"<Relationship\b[^>]*>", text)]


def _target(part: str, target: str) -> str:
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(posixpath.dirname(part), target))


def _add_rel(parts: dict[str, bytes], part: str, rel_type: str, target: str) -> str:
    """Add a relationship to ``part``'s .rels (created when missing); returns its new id."""
    name, rels = _rels(parts, part)
    used = {r.get("Id", "") for r in rels}
    n = len(used) + 1
    while f"rId{n}" in used:
        n += 1
    rid = f"rId{n}"
    rel = f'<Relationship Id="{rid}" Type="{rel_type}" Target="{escape(target)}"/>'
    text = parts.get(name, b"").decode("utf-8") or (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"></Relationships>')
    parts[name] = text.replace("</Relationships>", rel + "</Relationships>").encode("utf-8")
    return rid


def _prefix(xml: str, root: str) -> str:
    m = re.search(rf"<(\w+:)?{root}\b", xml)
    if m is None:
        raise UsageError(f"工作簿结构无法识别 / unexpected workbook part (no <{root}>)")
    return m.group(1) or ""


def _code_name(xml: str, element: str, root: str, default: str) -> tuple[str, str]:
    """The code name on ``<sheetPr>``/``<workbookPr>``, adding ``default`` where there is none."""
    p = _prefix(xml, root)
    m = re.search(rf"<{p}{element}\b[^>]*?/?>", xml)
    if m is not None:
        name = _attrs(m.group(0)).get("codeName")
        if name:
            return xml, name
        at = m.start() + len(f"<{p}{element}")
        return xml[:at] + f' codeName="{default}"' + xml[at:], default
    # No such element: it comes first among the root's children (sheetPr; workbookPr after fileVersion).
    start = re.search(rf"<{p}{root}\b[^>]*>", xml)
    assert start is not None
    at = start.end()
    for before in ("fileVersion", "fileSharing"):
        m2 = re.search(rf"<{p}{before}\b[^>]*?(/>|>.*?</{p}{before}>)", xml, re.S)
        if m2 is not None:
            at = max(at, m2.end())
    return xml[:at] + f'<{p}{element} codeName="{default}"/>' + xml[at:], default


def _insert_legacy(xml: str, rid: str) -> str:
    p = _prefix(xml, "worksheet")
    tag = f'<{p}legacyDrawing xmlns:r="{R_NS}" r:id="{rid}"/>'
    hits = [m.start() for name in _AFTER_LEGACY for m in [re.search(rf"<{p}{name}\b", xml)] if m]
    at = min(hits) if hits else xml.rindex(f"</{p}worksheet>")
    return xml[:at] + tag + xml[at:]


def _defined_names(xml: str, names: dict[str, str]) -> str:
    """Add text-constant defined names (replacing pimxl's own of the same name)."""
    p = _prefix(xml, "workbook")
    for name in names:
        xml = re.sub(rf'<{p}definedName name="{name}"[^>]*>.*?</{p}definedName>', "", xml, flags=re.S)
    new = "".join(f'<{p}definedName name="{n}">"{escape(v.replace(chr(34), chr(34) * 2))}"</{p}definedName>'
                  for n, v in names.items())
    if f"</{p}definedNames>" in xml:
        return xml.replace(f"</{p}definedNames>", new + f"</{p}definedNames>", 1)
    ends = [m.end() for m in re.finditer(rf"</{p}(?:sheets|functionGroups|externalReferences)>", xml)]
    at = max(ends)
    return xml[:at] + f"<{p}definedNames>{new}</{p}definedNames>" + xml[at:]


def _content_types(xml: str, workbook_part: str) -> str:
    p = "/" + workbook_part
    xml = re.sub(rf'(<Override\b[^>]*PartName="{re.escape(p)}"[^>]*ContentType=")[^"]*(")',
                 rf"\g<1>{_CT_MACRO}\g<2>", xml)
    xml = re.sub(rf'(<Override\b[^>]*ContentType=")[^"]*("[^>]*PartName="{re.escape(p)}")',
                 rf"\g<1>{_CT_MACRO}\g<2>", xml)
    for ext, ct in (("bin", "application/vnd.ms-office.vbaProject"),
                    ("vml", "application/vnd.openxmlformats-officedocument.vmlDrawing")):
        if not re.search(rf'<Default\b[^>]*Extension="{ext}"', xml, re.I):
            xml = xml.replace("</Types>", f'<Default Extension="{ext}" ContentType="{ct}"/></Types>')
    return xml


def _buttons_for(companion: bool) -> list[Button]:
    macros = [(c, m) for c, m in MACROS.items() if not (companion and m == "ValidateThisWorkbook")]
    # Columns E and H of the first two rows: beside the form, in its frozen top rows.
    return [Button(caption, macro, col=4 + 3 * i, row=0) for i, (caption, macro) in enumerate(macros)]


def add_macros(data: bytes, *, root: str | None = None, summary: str | None = None,
               companion: bool = False) -> bytes:
    """The bytes of ``data`` (an .xlsx) as an .xlsm with the pimxl module and buttons."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            order = [i.filename for i in zf.infolist()]
            parts = {name: zf.read(name) for name in order}
    except zipfile.BadZipFile:
        raise UsageError("不是 .xlsx 工作簿 / not an .xlsx workbook") from None
    rels = _rels(parts, "")[1]
    workbook = next((_target("", r["Target"]) for r in rels if r.get("Type", "").endswith("/officeDocument")), "")
    if workbook not in parts:
        raise UsageError("不是 .xlsx 工作簿 / not an .xlsx workbook")
    if any(r.get("Type") == _REL_VBA for r in _rels(parts, workbook)[1]):
        raise UsageError("工作簿已含宏，未改动 / the workbook already has macros; left unchanged")

    wb_xml = parts[workbook].decode("utf-8")
    wb_xml, book_code = _code_name(wb_xml, "workbookPr", "workbook", "ThisWorkbook")
    by_id = {r["Id"]: _target(workbook, r["Target"]) for r in _rels(parts, workbook)[1]
             if r.get("Type", "").endswith("/worksheet")}
    # Each <sheet>'s name and part (None when its r:id is no worksheet relationship).
    listed = [(_attrs(m).get("name", ""),
               by_id.get(next((v for k, v in _attrs(m).items() if k.endswith(":id")), "")))
              for m in re.findall(r"<(?:\w+:)?sheet\b[^>]*>", wb_xml)]
    sheets = [(name, part) for name, part in listed if part is not None and part in parts]
    modules: list[Module] = [workbook_module(book_code)]
    taken = {book_code.lower(), MODULE_NAME.lower()}
    for i, (_, part) in enumerate(sheets, start=1):
        n = i
        while f"sheet{n}" in taken:
            n += 1
        xml, code = _code_name(parts[part].decode("utf-8"), "sheetPr", "worksheet", f"Sheet{n}")
        taken.add(code.lower())
        parts[part] = xml.encode("utf-8")
        modules.append(sheet_module(code))
    modules.append(Module(MODULE_NAME, module_source()))

    # The buttons go on the form sheet: the one fld_project_id points at.
    target = sheets[0][1] if sheets else None
    m = re.search(r'<(?:\w+:)?definedName\b[^>]*name="fld_project_id"[^>]*>([^<]*)<', wb_xml)
    ref = parse_ref(unescape(m.group(1))) if m else None
    target = next((part for name, part in sheets if ref and name == ref[0]), target)
    if target is not None:
        _place_buttons(parts, target, _buttons_for(companion))

    names = {k: v for k, v in ((ROOT_NAME, root), (SUMMARY_NAME, summary)) if v}
    if names:
        wb_xml = _defined_names(wb_xml, names)
    parts[workbook] = wb_xml.encode("utf-8")
    vba_part = posixpath.join(posixpath.dirname(workbook), "vbaProject.bin")
    parts[vba_part] = vba_project(modules)
    _add_rel(parts, workbook, _REL_VBA, "vbaProject.bin")
    parts["[Content_Types].xml"] = _content_types(parts["[Content_Types].xml"].decode("utf-8"),
                                                  workbook).encode("utf-8")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name in [*order, *(n for n in parts if n not in order)]:
            zf.writestr(name, parts[name])
    return out.getvalue()


def _place_buttons(parts: dict[str, bytes], sheet_part: str, buttons: Sequence[Button]) -> None:
    xml = parts[sheet_part].decode("utf-8")
    legacy = re.search(r"<(?:\w+:)?legacyDrawing\b[^>]*>", xml)
    if legacy is not None:
        # The sheet's notes already have a drawing: the buttons join it.
        rid = next((v for k, v in _attrs(legacy.group(0)).items() if k.endswith(":id")), "")
        rel = next((r for r in _rels(parts, sheet_part)[1] if r.get("Id") == rid), None)
        if rel is not None:
            vml_part = _target(sheet_part, rel["Target"])
            parts[vml_part] = add_buttons(parts[vml_part].decode("utf-8"), buttons).encode("utf-8")
            return
    existing = [n for n in parts if n.lower().endswith(".vml")]
    n = len(existing) + 1
    while f"xl/drawings/vmlDrawing{n}.vml" in parts:
        n += 1
    vml_part = f"xl/drawings/vmlDrawing{n}.vml"
    parts[vml_part] = new_drawing(buttons, block=n).encode("utf-8")
    rid = _add_rel(parts, sheet_part, _REL_VML, posixpath.relpath(vml_part, posixpath.dirname(sheet_part)))
    parts[sheet_part] = _insert_legacy(xml, rid).encode("utf-8")


def companion_workbook(lang: str = "zh") -> bytes:
    """A small workbook to hold the 刷新汇总 button for people who open no project workbook."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = "pimxl"
    ws["A1"], ws["A1"].font = "pimxl 工具 / tools", Font(bold=True, size=14)
    ws["A4"] = "刷新汇总：重新汇总中心根目录（pimxl.toml 所在文件夹）下的全部项目，并打开汇总工作簿。"
    ws["A5"] = "Refresh summary: rolls up the centre root (the folder of pimxl.toml) and opens the summary."
    ws["A6"] = "需要 xlwings 加载项（xlwings addin install）。Needs the xlwings add-in (xlwings addin install)."
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def setup_workbook(src: Path | None, out: Path, *, root: str | None = None, summary: str | None = None) -> Path:
    """Write ``out`` (.xlsm): ``src`` with the buttons, or a companion workbook when ``src`` is None."""
    if out.suffix.lower() != ".xlsm":
        raise UsageError(f"输出文件须为 .xlsm / the output must be an .xlsm file: {out}")
    if src is not None and src.resolve() == out.resolve():
        raise UsageError("输出不能覆盖输入 / the output must not overwrite the input")
    data = src.read_bytes() if src is not None else companion_workbook()
    result = add_macros(data, root=root, summary=summary, companion=src is None)
    # Written beside the target and renamed: a failed run leaves no half-written workbook.
    save_bytes(result, out)
    return out
