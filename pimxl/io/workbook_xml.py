"""``xl/workbook.xml`` read once, with expat: its sheets and defined names.

The probe parses the workbook part anyway (it must be well-formed, with no DTD); doing so with
these callbacks gives the reader what it needs from the same pass (:attr:`ZipParts.workbooks`).
"""

from __future__ import annotations

from .memo import memo_small
from .probe_xml import expat_parse

__all__ = ["WorkbookXml", "parse_workbook"]

#: (sheet name, relationship id) in order, and (defined name, its formula text) in order.
WorkbookXml = tuple[tuple[tuple[str, str], ...], tuple[tuple[str, str], ...]]


def _local(name: str) -> str:
    return name.rsplit("}", 1)[-1]


@memo_small()
def parse_workbook(data: bytes) -> WorkbookXml:
    """Sheets and defined names (any namespace, as ElementTree's local names); raises
    ``expat.ExpatError`` for a part that is not well-formed and XmlUnsafe for a DTD.
    Memoised by content (one template's workbooks share this part)."""
    sheets: list[tuple[str, str]] = []
    names: list[tuple[str, list[str]]] = []
    text: list[str] | None = None  # the character data of the definedName being read
    local: dict[str, str] = {}  # tag → local name (a workbook has a dozen distinct tags)

    def start(tag: str, attrs: dict[str, str]) -> None:
        nonlocal text
        name = local.get(tag) or local.setdefault(tag, _local(tag))
        if name == "sheet":
            sheets.append((attrs.get("name", ""), next((v for k, v in attrs.items() if _local(k) == "id"), "")))
        elif name == "definedName":
            text = []
            names.append((attrs.get("name", ""), text))
        elif text is not None:
            text = None  # ElementTree's .text stops at a child element

    def end(tag: str) -> None:
        nonlocal text
        if text is not None and local.get(tag) == "definedName":
            text = None

    def chars(data: str) -> None:
        if text is not None:
            text.append(data)

    expat_parse(data, start, end, chars)
    return tuple(sheets), tuple((name, "".join(chunks)) for name, chunks in names)
