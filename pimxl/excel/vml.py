"""Form-control buttons as legacy VML (the form XlsxWriter's ``insert_button`` writes and Excel reads).

A sheet has at most one VML drawing, shared with its notes: :func:`add_buttons` either writes a new
drawing or adds the buttons to the one the notes already use.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

__all__ = ["Button", "add_buttons", "new_drawing"]

_HEAD = ('<xml xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" '
         'xmlns:x="urn:schemas-microsoft-com:office:excel">')
_SHAPETYPE = (
    '<v:shapetype id="_x0000_t201" coordsize="21600,21600" o:spt="201" path="m,l,21600r21600,l21600,xe">'
    '<v:stroke joinstyle="miter"/><v:path shadowok="f" o:extrusionok="f" strokeok="f" fillok="f" '
    'o:connecttype="rect"/><o:lock v:ext="edit" shapetype="t"/></v:shapetype>')
_SHAPE_ID = re.compile(r'id="_x0000_s(\d+)"')
#: Default column width and row height in pixels, for the shape's approximate style position.
_COL_PX, _ROW_PX = 64, 20


@dataclass(frozen=True)
class Button:
    """A button over cells: zero-based first column/row, spanning ``cols`` × ``rows`` cells."""

    caption: str
    macro: str
    col: int
    row: int
    cols: int = 2
    rows: int = 2


def _shape(b: Button, shape_id: int, z: int) -> str:
    # Anchor: left col, x offset, top row, y offset, right col, x offset, bottom row, y offset (pixels).
    anchor = f"{b.col}, 8, {b.row}, 6, {b.col + b.cols - 1}, 56, {b.row + b.rows - 1}, 14"
    left, top = (b.col * _COL_PX + 8) * 0.75, (b.row * _ROW_PX + 6) * 0.75
    width, height = (b.cols * _COL_PX - 16) * 0.75, (b.rows * _ROW_PX - 6) * 0.75
    return (
        f'<v:shape id="_x0000_s{shape_id}" type="#_x0000_t201" style="position:absolute;'
        f"margin-left:{left:g}pt;margin-top:{top:g}pt;width:{width:g}pt;height:{height:g}pt;"
        f'z-index:{z};mso-wrap-style:tight" o:button="t" fillcolor="buttonFace [67]" '
        'strokecolor="windowText [64]" o:insetmode="auto"><v:fill color2="buttonFace [67]" '
        'o:detectmouseclick="t"/><o:lock v:ext="edit" rotation="t"/>'
        '<v:textbox style="mso-direction-alt:auto" o:singleclick="f"><div style="text-align:center">'
        f'<font face="Microsoft YaHei" size="220" color="#000000">{escape(b.caption)}</font></div></v:textbox>'
        '<x:ClientData ObjectType="Button">'
        f"<x:Anchor>{anchor}</x:Anchor><x:PrintObject>False</x:PrintObject><x:AutoFill>False</x:AutoFill>"
        f"<x:FmlaMacro>[0]!{escape(b.macro)}</x:FmlaMacro>"
        "<x:TextHAlign>Center</x:TextHAlign><x:TextVAlign>Center</x:TextVAlign></x:ClientData></v:shape>")


def new_drawing(buttons: Sequence[Button], block: int) -> str:
    """A VML drawing holding only ``buttons``; ``block`` numbers its shapes (1024 ids per block)."""
    shapes = "".join(_shape(b, block * 1024 + 1 + i, i + 1) for i, b in enumerate(buttons))
    return (f'{_HEAD}<o:shapelayout v:ext="edit"><o:idmap v:ext="edit" data="{block}"/></o:shapelayout>'
            f"{_SHAPETYPE}{shapes}</xml>")


def add_buttons(vml: str, buttons: Sequence[Button]) -> str:
    """An existing drawing (a sheet's notes) with ``buttons`` added after its shapes."""
    ids = [int(m) for m in _SHAPE_ID.findall(vml)]
    first = max(ids, default=1024) + 1
    extra = "" if "_x0000_t201" in vml else _SHAPETYPE
    shapes = "".join(_shape(b, first + i, len(ids) + i + 1) for i, b in enumerate(buttons))
    end = vml.rstrip().rfind("</xml>")
    if end < 0:
        raise ValueError("not a VML drawing")
    return vml[:end] + extra + shapes + vml[end:]
