"""Template writer: a :class:`~pimxl.schema.Template` declaration → a generated ``.xlsx`` workbook.

Sheet order: the form sheet (opened first, printed first), one sheet per table, the 填写说明
instructions sheet last (staff open the file to fill it in every week; the instructions are there
when needed and are the one sheet nobody prints), then the hidden ``_lists`` and very hidden
``_pimxl`` sheets. Where things are inside each sheet is fixed by :mod:`pimxl.layout`.

Output is byte-stable for a given declaration when ``timestamp`` is given (templates build): the
document's created/modified times and the zip entries' times are fixed.
"""

from __future__ import annotations

import io
import os
import re
import zipfile
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from openpyxl import Workbook

from .. import layout
from ..schema import Table, Template
from .atomic import save_bytes
from .writer_meta import write_identity, write_instructions
from .writer_sheets import write_form, write_table
from .writer_validation import ListSheet

__all__ = ["FIXED_TIMESTAMP", "build_workbook", "merge_rows", "save_atomic", "write_template"]

#: The created/modified time stamped into committed templates.
FIXED_TIMESTAMP = datetime(2026, 1, 1, 0, 0, 0)
_ZIP_TIME = (2026, 1, 1, 0, 0, 0)


def _key(table: Table, row: Mapping[str, Any]) -> tuple[str, ...] | None:
    parts = tuple("" if row.get(k) is None else str(row.get(k)).strip() for k in table.row_key)
    return parts if all(parts) else None


def merge_rows(table: Table, given: Sequence[Mapping[str, Any]] | None) -> list[dict[str, Any]]:
    """Pre-filled rows with ``given`` records laid over them: a record whose row key matches a
    pre-filled row fills that row (its non-empty values win); any other record is appended."""
    rows = [dict(r) for r in table.rows]
    index = {k: i for i, r in enumerate(rows) if (k := _key(table, r)) is not None}
    for rec in given or ():
        k = _key(table, rec)
        if k is not None and k in index:
            rows[index[k]].update({c: v for c, v in rec.items() if v is not None})
        else:
            rows.append(dict(rec))
            if k is not None:
                index[k] = len(rows) - 1
    return rows


def build_workbook(
    template: Template,
    values: Mapping[str, Any] | None = None,
    rows: Mapping[str, Sequence[Mapping[str, Any]]] | None = None,
    timestamp: datetime | None = None,
) -> Workbook:
    wb = Workbook()
    wb.remove(wb.active)
    lists = ListSheet(wb)
    write_form(wb, template, values or {}, lists)
    for table in template.tables:
        write_table(wb, template, table, merge_rows(table, (rows or {}).get(table.key)), lists)
    write_instructions(wb, template)
    write_identity(wb, template)
    # Hidden sheets go last, whatever order they were created in.
    for name in (layout.LISTS_SHEET, layout.IDENTITY_SHEET):
        if name in wb.sheetnames:
            wb.move_sheet(name, len(wb.sheetnames) - 1 - wb.sheetnames.index(name))
    wb.active = 0
    props = wb.properties
    props.title, props.subject = template.zh, template.en
    props.creator, props.keywords = "pimxl", f"pimxl {template.id} v{template.version}"
    when = timestamp or datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    props.created = props.modified = when
    return wb


_CORE_TIME = re.compile(rb"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:\2>)")


def _stable_zip(data: bytes, timestamp: datetime | None) -> bytes:
    """Rewrite the package with fixed entry times; with ``timestamp``, also fix core.xml's times
    (openpyxl stamps the save time into ``dcterms:modified``)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if timestamp is not None and info.filename == "docProps/core.xml":
                stamp = timestamp.strftime("%Y-%m-%dT%H:%M:%SZ")
                body = _CORE_TIME.sub(rb"\g<1>" + stamp.encode() + rb"\g<3>", body)
            entry = zipfile.ZipInfo(info.filename, date_time=_ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            dst.writestr(entry, body)
    return out.getvalue()


def save_atomic(data: bytes, path: str | os.PathLike[str]) -> Path:
    """Write to a temporary file in the target folder, then rename it into place."""
    return save_bytes(data, path)


def workbook_bytes(wb: Workbook, timestamp: datetime | None = None) -> bytes:
    buf = io.BytesIO()
    wb.save(buf)
    return _stable_zip(buf.getvalue(), timestamp)


def write_template(
    template: Template,
    path: str | os.PathLike[str],
    *,
    values: Mapping[str, Any] | None = None,
    rows: Mapping[str, Sequence[Mapping[str, Any]]] | None = None,
    timestamp: datetime | None = None,
) -> Path:
    """Write ``template`` to ``path``, with form ``values`` and table ``rows`` (by key) filled in.

    ``values``/``rows`` must already be typed (see :mod:`pimxl.io.fill`). ``rows`` are laid over
    the pre-filled rows by row key (:func:`merge_rows`). ``timestamp`` fixes the document times
    (for byte-stable committed templates); by default they are now.
    """
    wb = build_workbook(template, values, rows, timestamp)
    return save_atomic(workbook_bytes(wb, timestamp), path)
