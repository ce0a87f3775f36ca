"""Hyperlinks from the summary back to its source files, relative to the summary's folder.

:class:`LinkWriter` serves two paths: as an xlsxwriter write handler (the few links xlsxwriter writes itself,
e.g. a KPI value) and as a resolver for the table rows rendered straight to XML (:mod:`xlsx_cells`), which
need the relationship target and the in-file location of each link.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, NamedTuple

from xlsxwriter.url import Url
from xlsxwriter.worksheet import Worksheet

from pimxl.rollup.sheetspec import Link

__all__ = ["LinkWriter", "ResolvedLink", "escape_attr"]

_ATTR_ESCAPES = str.maketrans({"&": "&amp;", '"': "&quot;", "<": "&lt;", ">": "&gt;", "\n": "&#xA;"})


def escape_attr(text: str) -> str:
    """``text`` as an XML attribute value (double-quoted), escaped as xlsxwriter escapes attributes."""
    return text.translate(_ATTR_ESCAPES)


class ResolvedLink(NamedTuple):
    """What a cell's hyperlink needs: the relationship target and the ``location`` attribute (both escaped
    for an XML attribute; location is empty or ``' location="…"'``) and the text shown when the link has none."""

    target: str
    location: str
    text: str


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
        self._resolved: dict[tuple[str, str], ResolvedLink | None] = {}

    def _path(self, target: str) -> str:
        # relpath is the costliest step and many links share a file: once per file.
        rel = self._paths.get(target)
        if rel is None:
            rel = os.path.join(self.base_dir, target)
            try:
                rel = os.path.relpath(rel, self.summary_dir)
            except ValueError:  # another drive on Windows: only an absolute link can reach it
                pass
            self._paths[target] = rel
        return rel

    def url(self, link: Link) -> str:
        return f"external:{self._path(link.target)}" + (f"#{link.cell}" if link.cell else "")

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

    def resolve(self, link: Link) -> ResolvedLink | None:
        """The link as the XML renderer writes it; None when it is no link (no target, or too long for Excel)."""
        key = (link.target, link.cell)
        if key in self._resolved:
            return self._resolved[key]
        resolved = None
        if link.target:
            # The same parse write_url would do (the file's Url once, the cell appended), so both paths agree.
            proto = self._file_url(link.target) if "/" not in link.cell and len(link.cell) < 1000 else None
            if proto is not None:
                anchor, text = link.cell, proto.text + (f"#{link.cell}" if link.cell else "")
                resolved = ResolvedLink(escape_attr(proto._target()), _location(anchor), text)
            else:
                url = self._prototype(link)
                if url is not None:
                    resolved = ResolvedLink(escape_attr(url._target()), _location(url._anchor), url.text)
        self._resolved[key] = resolved
        return resolved

    def _file_url(self, target: str) -> Url | None:
        # A path holding "#" would be split there by Url: such links take the general path.
        key = (target, "")
        rel = self._path(target)
        if "#" in rel:
            return None
        if key not in self._urls:
            try:
                self._urls[key] = Url(f"external:{rel}")
            except ValueError:
                self._urls[key] = None
        return self._urls[key]

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


def _location(anchor: str) -> str:
    return f' location="{escape_attr(anchor)}"' if anchor else ""
