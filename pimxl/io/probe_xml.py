"""XML safety and cheap, safe XML reading for the probe and the reader.

DOCTYPE / ENTITY (XXE, billion laughs): a DTD may only stand in an XML document's prolog, before
the root element; expat (ElementTree, defusedxml) rejects one anywhere later as not well-formed,
and quick-xml (calamine) never expands an entity but the predefined ones. So :func:`prolog_verdict`
reads the prolog — white space, the XML declaration, processing instructions, comments, however
long — up to the root element's ``<``. The probe also keeps its older check, any ``<!DOCTYPE`` /
``<!ENTITY`` in the first 4 KB of a part, so that nothing it refused before passes now.

:func:`children` / :func:`expat_parse` parse with expat directly (no tree, much cheaper than
defusedxml for the small parts read here), with every DTD, entity and external-reference handler
raising :class:`XmlUnsafe`, and namespace processing as ElementTree does it (so the same documents
are well-formed or not).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from xml.parsers import expat

from .memo import memo_small

__all__ = ["DOCTYPE", "XmlUnsafe", "children", "expat_parse", "prolog_verdict", "utf8_view"]

DOCTYPE = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
# Items that may precede the root element; a comment or PI cut off at the end of the text is not one.
_PROLOG = re.compile(rb"(?:[ \t\r\n]+|<\?.*?\?>|<!--.*?-->)*", re.S)


class XmlUnsafe(ValueError):
    """A DTD, an entity declaration or an external reference in a part."""


def utf8_view(head: bytes) -> bytes:
    """A UTF-16 part (by its BOM, or ``<`` as the first of two bytes) as UTF-8, else as it is."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return head.decode("utf-16", errors="replace").encode("utf-8")
    if head[:2] in (b"<\x00", b"\x00<"):
        return head.decode("utf-16-le" if head[0] else "utf-16-be", errors="replace").encode("utf-8")
    return head


def prolog_verdict(text: bytes, complete: bool) -> bool | None:
    """Whether a part's prolog declares a DTD: True (it does, or may), False (the root element
    starts first), None (``text`` ends inside the prolog and is not the whole part: read more)."""
    if text[:2] in (b"\xff\xfe", b"\xfe\xff", b"<\x00", b"\x00<"):
        text = utf8_view(text)
    # The common case without a regex: a declaration, maybe a line break, then the root element.
    if text.startswith(b"<?xml"):
        end = text.find(b"?>")
        if end != -1:
            nxt = text[end + 2:end + 6].lstrip(b"\r\n")
            if nxt[:1] == b"<" and nxt[1:2] not in (b"!", b"?", b""):
                return False
    elif text[:1] == b"<" and text[1:2] not in (b"!", b"?", b""):
        return False
    text = text.removeprefix(b"\xef\xbb\xbf")
    pos = _PROLOG.match(text).end()  # type: ignore[union-attr]  # matches the empty string at least
    rest = text[pos:pos + 2]
    if rest.startswith(b"<") and rest != b"<!" and rest != b"<?":
        return False  # the root element: no DTD can follow
    if not complete and (len(rest) < 2 or rest in (b"<!", b"<?")):
        return None  # cut inside the prolog (or in a comment or PI): more is needed
    if rest == b"<!" and not text.startswith(b"<!--", pos):
        return True  # <!DOCTYPE, or malformed: refused either way
    # Empty, an unterminated comment/PI (nothing after it is parsed), or text before the root:
    # a parser stops there (expat) or reads on (quick-xml), so look at the whole part.
    return DOCTYPE.search(text, pos) is not None


def _forbid(*_args: Any) -> None:
    raise XmlUnsafe("DTD, entity or external reference")


def expat_parse(data: bytes, start: Callable[..., None] | None = None, end: Callable[..., None] | None = None,
                text: Callable[[str], None] | None = None) -> None:
    """Parse ``data`` with the given handlers; raises ``expat.ExpatError`` (not well-formed) or XmlUnsafe."""
    p = expat.ParserCreate(None, "}")
    p.StartDoctypeDeclHandler = _forbid
    p.EntityDeclHandler = _forbid
    p.UnparsedEntityDeclHandler = _forbid
    p.ExternalEntityRefHandler = _forbid  # type: ignore[assignment]
    if start is not None:
        p.StartElementHandler = start
    if end is not None:
        p.EndElementHandler = end
    if text is not None:
        p.CharacterDataHandler = text
    p.Parse(data, True)


@memo_small()
def children(data: bytes) -> tuple[dict[str, str], ...]:
    """The attributes of each child element of the root, in order (a ``.rels`` part's relationships);
    raises like :func:`expat_parse`. Memoised by content: the dicts must only be read."""
    out: list[dict[str, str]] = []
    depth = 0

    def start(_tag: str, attrs: dict[str, str]) -> None:
        nonlocal depth
        depth += 1
        if depth == 2:
            out.append(attrs)

    def end(_tag: str) -> None:
        nonlocal depth
        depth -= 1

    expat_parse(data, start, end)
    return tuple(out)
