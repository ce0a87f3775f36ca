"""Hyperlinks from the summary back to its source files, relative to the summary's folder.

:class:`LinkWriter` serves two paths: as an xlsxwriter write handler (the few links xlsxwriter writes itself,
e.g. a KPI value) and as a resolver for the table rows rendered straight to XML (:mod:`xlsx_cells`), which
need the relationship target and the in-file location of each link.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from operator import itemgetter
from pathlib import Path
from typing import Any, cast

from xlsxwriter.url import Url
from xlsxwriter.worksheet import Worksheet

from pimxl.rollup.sheetspec import Link

__all__ = ["LinkWriter", "escape_attr"]

_ATTR_SPECIAL = re.compile('[&"<>\n]')
_MISSING: Any = object()
# Url._escape_url's replacements, in its order ("%" first).
_URL_ESCAPES = (("%", "%25"), ('"', "%22"), (" ", "%20"), ("<", "%3c"), (">", "%3e"), ("[", "%5b"), ("]", "%5d"),
                ("^", "%5e"), ("`", "%60"), ("{", "%7b"), ("}", "%7d"))
_PERCENT_ESCAPE = re.compile("%[0-9a-fA-F]{2}")
_UNCLEAN = re.compile(r"(^|/)\.{1,2}(/|$)|//|^/|/$")


def escape_attr(text: str) -> str:
    """``text`` as an XML attribute value (double-quoted), escaped as xlsxwriter escapes attributes."""
    # One C-level search first: str.translate is slow on non-ASCII text, and most paths need nothing.
    if _ATTR_SPECIAL.search(text) is None:
        return text
    return (text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;").replace(">", "&gt;")
            .replace("\n", "&#xA;"))


class LinkWriter:
    """Writes :class:`Link` values as ``external:`` hyperlinks relative to the summary's folder.

    Relative links keep working when the summary folder is moved together with the sources. A link's target is
    taken relative to ``base_dir`` (default: the current directory) when it is not absolute.
    """

    def __init__(self, summary_dir: Path, base_dir: Path | None) -> None:
        self.summary_dir = os.path.abspath(summary_dir)
        self.base_dir = os.path.abspath(base_dir or Path.cwd())
        self._paths: dict[str, str] = {}
        self._urls: dict[tuple[str, str], Url | None] = {}
        self._files: dict[str, tuple[str, str] | None] = {}
        self._locations: dict[str, str | None] = {}
        # A clean relative target (no ".", "..", "//", leading or trailing "/") below base_dir is reached from
        # the summary's folder through base_dir's relative path, when that folder is not base_dir or below it
        # (else relpath could cut into the target): what relpath computes, one string join instead. POSIX only.
        summary, base = self.summary_dir, self.base_dir
        outside = summary != base and not summary.startswith(base.rstrip(os.sep) + os.sep)
        self._prefix = os.path.relpath(base, summary) if os.sep == "/" and outside else ""

    def _path(self, target: str) -> str:
        # relpath is the costliest step and many links share a file: once per file.
        rel = self._paths.get(target)
        if rel is None and self._prefix and not _UNCLEAN.search(target):
            rel = self._paths[target] = f"{self._prefix}/{target}"
        if rel is None:
            rel = os.path.join(self.base_dir, target)
            try:
                rel = os.path.relpath(rel, self.summary_dir)
            except ValueError:  # another drive on Windows: only an absolute link can reach it
                pass
            self._paths[target] = rel
        return rel

    def url(self, link: Link) -> str:
        return f"external:{_no_hash(self._path(link.target))}" + (f"#{link.cell}" if link.cell else "")

    def _prototype(self, link: Link) -> Url | None:
        # Parsing and escaping a URL is most of write_url's cost; sources are linked many times, so parse each
        # (file, cell) once and copy. None: Excel would refuse the URL (too long).
        key = (link.target, link.cell)
        if key not in self._urls:
            try:
                self._urls[key] = Url(self.url(link))
            except ValueError:
                self._urls[key] = None
        return self._urls[key]

    def resolve(self, link: Link) -> tuple[str, str] | None:
        """The link as the XML renderer writes it: (relationship target, ``' location="…"'`` or ""), both escaped
        for an XML attribute; None when it is no link (no target, or a URL too long for Excel)."""
        if not link.target:
            return None
        file = self._files.get(link.target, _MISSING)
        if file is _MISSING:
            file = self._file(link.target)
        location = self._locations.get(link.cell, _MISSING)
        if location is _MISSING:
            location = self._location(link.cell)
        if file is not None and location is not None:
            return file[0], location
        url = self._prototype(link)
        return None if url is None else (escape_attr(url._target()), _location(url._anchor))

    def resolve_all(self, targets: Iterable[str], cells: Iterable[str]) -> tuple[dict[str, str], dict[str, str]] | None:
        """For links to ``targets`` at ``cells``: each distinct target's escaped relationship target and each
        distinct cell's ``' location="…"'`` (or ""), as :meth:`resolve` gives them; None when some link takes
        resolve's general way (a URL parse) or is no link (an empty target)."""
        distinct = list(dict.fromkeys(targets))
        if "" in distinct:
            return None
        known = self._files
        self._new_files([target for target in distinct if target not in known])
        # Looked up at C level; the few not known (a path the joined way did not take) one by one.
        found = list(map(known.get, distinct))
        if None in found:
            found = [file or self._file(target) for target, file in zip(distinct, found, strict=True)]
            if None in found:
                return None
        files = dict(zip(distinct, map(itemgetter(0), cast("list[tuple[str, str]]", found)), strict=True))
        locations: dict[str, str] = {}
        for cell in dict.fromkeys(cells):
            location = self._locations.get(cell, _MISSING)
            if location is _MISSING:
                location = self._location(cell)
            if location is None:
                return None
            locations[cell] = location
        return files, locations

    def _new_files(self, targets: list[str]) -> None:
        """:meth:`_file` for ``targets`` (none known yet, none empty) all at once, when every one takes its short
        way (a clean relative path below base_dir, the summary's folder outside it) and needs no escape but ones
        their joined text can take: the same steps over the paths joined by "\\n" (which none holds); else
        nothing (each is resolved on its own)."""
        prefix = f"{self._prefix}/"
        joined = "\n".join(targets)
        if (len(targets) < 2 or prefix == "/" or joined.count("\n") != len(targets) - 1
                or len(prefix) + max(map(len, targets)) >= 1000):
            return
        # _UNCLEAN, path by path, in three scans (a regex search over non-ASCII text costs more): each path
        # between slashes holds "//" where it starts or ends with "/" or holds "//", "/./" or "/../" where a
        # part of it is "." or "..".
        slashed = "/" + joined.replace("\n", "/\n/") + "/"
        if "//" in slashed or "/./" in slashed or "/../" in slashed:
            return
        rels = prefix + joined.replace("\n", f"\n{prefix}")
        # A "#", "\\" or ":" makes Url split the path; a "%" may be an escape already; ".\\" would be cut off.
        if "#" in rels or "\\" in rels or ":" in rels or "%" in rels or prefix.startswith("./"):
            return
        shown = rels.replace("/", "\\")
        escaped = shown
        for char, replacement in _URL_ESCAPES:  # "%" is not there: _escape_url's replacements
            if char in escaped:
                escaped = escaped.replace(char, replacement)
        # As escape_attr: '"', "<" and ">" are URL escapes already, and no path holds a newline.
        escaped = escaped.replace("&", "&amp;")
        self._files.update(zip(targets, zip(escaped.split("\n"), shown.split("\n"), strict=True), strict=True))

    def shown(self, link: Link) -> str:
        """What a resolved link without text shows: its path (and cell), as write_url shows it."""
        file = self._files.get(link.target)
        if file is not None and self._locations.get(link.cell) is not None:
            return f"{file[1]}#{link.cell}" if link.cell else file[1]
        url = self._prototype(link)
        return url.text if url is not None else link.text

    def _location(self, cell: str) -> str | None:
        # The same parse write_url would do, the file's Url once and the cell appended, unless the cell holds
        # "/" (Url turns it into "\\") or is too long for Excel: None sends those links the general way.
        location = _location(cell) if "/" not in cell and len(cell) < 1000 else None
        self._locations[cell] = location
        return location

    def _file(self, target: str) -> tuple[str, str] | None:
        """(escaped relationship target, shown text) of a file, without a cell; None: take the general path
        (a path holding "#", which Url would split there, or one too long for Excel)."""
        file = self._files.get(target, _MISSING)
        if file is _MISSING:
            rel = self._path(target)
            file = None
            if 2 <= len(rel) < 1000 and not _splits(rel):
                # What Url makes of a relative path it does not split (no "#", ":" or "\\"; short enough for
                # Excel): "\\" for "/", shown as it is, the target without a leading ".\\" and escaped.
                shown = rel.replace("/", "\\")
                link = shown[2:] if shown.startswith(".\\") else shown
                self._files[target] = file = (escape_attr(_escape_url(link)), shown)
                return file
            try:
                url = Url(f"external:{_no_hash(rel)}")
                # Shown as the path it is: a "#" in a file name, not its %23.
                file = (escape_attr(url._target()), url.text if "#" not in rel else rel.replace("/", "\\"))
            except ValueError:
                pass
            self._files[target] = file
        return file

    def __call__(self, ws: Worksheet, row: int, col: int, link: Link, cell_format: Any = None) -> int:
        proto = self._prototype(link) if link.target else None
        if proto is None:
            return ws.write_string(row, col, link.text, cell_format)
        # A shallow copy without copy.copy's reduce protocol (a third of the cost); Url is a plain object.
        url = Url.__new__(Url)
        url.__dict__.update(proto.__dict__)
        url.text = link.text or proto.text
        # write_url refuses more than 65,530 links a sheet: keep the text then.
        if ws.write_url(row, col, url, cell_format) != 0:
            return ws.write_string(row, col, link.text, cell_format)
        return 0


def _escape_url(url: str) -> str:
    """What xlsxwriter's Url._escape_url makes of ``url``: its characters a URL cannot hold as %XX, unless it
    holds a %XX already. Only the characters it holds are replaced (ten replace() scans of non-ASCII text cost
    more than ten ``in`` tests)."""
    if "%" in url and _PERCENT_ESCAPE.search(url):
        return url
    for char, escaped in _URL_ESCAPES:
        if char in url:
            url = url.replace(char, escaped)
    return url


def _splits(path: str) -> bool:
    """Whether xlsxwriter's Url would split a relative ``path``: at a "#" (an anchor), or take it for absolute
    or a "file://" URL (a backslash or colon). Three scans: a regex search costs more on non-ASCII text."""
    return "#" in path or "\\" in path or ":" in path


def _no_hash(path: str) -> str:
    """``path`` with a "#" in a folder or file name as %23 (escaped as xlsxwriter escapes a URL, which it then
    leaves as it is): a raw "#" would cut the path there and make the rest the cell of the link."""
    if "#" not in path:
        return path
    return Url._escape_url(path).replace("#", "%23")


def _location(anchor: str) -> str:
    return f' location="{escape_attr(anchor)}"' if anchor else ""
