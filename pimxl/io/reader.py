"""Read a template workbook into a :class:`~pimxl.records.WorkbookRecord`.

One python-calamine open per file (values; xlsx/xlsm/xlsb/xls/ods), plus a look into the xlsx zip
for what calamine does not expose (defined names, Excel tables, custom properties, error values):

1. identity — the ``_pimxl`` sheet, the custom properties, else the form labels
   (``identity-missing``); unknown template → ``template-unknown``; newer version →
   ``template-version-newer`` (both :class:`FileProblem`); older → ``template-version-old``;
2. the form — by defined names, else by labels (:mod:`.read_form`);
3. each table — by its Excel table, else by its header row (:mod:`.read_locate`), rows typed
   with their cells (:mod:`.read_table`); computed cells recomputed where the file has no cached
   value (:mod:`.read_formulas`).

Input that cannot be used at all raises :class:`~pimxl.errors.FileProblem`; everything else
becomes a finding in ``record.findings``.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from ..address import a1
from ..errors import FileProblem
from ..findings import Finding
from ..records import WorkbookRecord
from ..schema import Template
from ..templates import TEMPLATES
from .probe import ProbeResult, probe
from .read_book import Book, open_book
from .read_codes import COLUMN_MISSING, IDENTITY_MISSING, READ_BY_LABEL, TABLE_MISSING, TEMPLATE_VERSION_OLD
from .read_context import ReadContext
from .read_form import read_form
from .read_identity import guess_template, read_identity
from .read_locate import locate_table
from .read_parts import XlsxParts, read_parts
from .read_table import read_rows

__all__ = ["read_opened", "read_workbook"]


def _template(ctx_path: Path, book: Book, parts: XlsxParts) -> tuple[Template, int, str | None, list[Finding]]:
    """The template, the file's template version, a hint where the form is, and identity findings."""
    ident = read_identity(book, parts)
    if ident is None:
        match = guess_template(book)
        if match is None:
            raise FileProblem(
                "not-a-template",
                "不是 pimxl 模板工作簿（没有模板标识，也找不到项目信息字段）",
                "not a pimxl template workbook (no template identity and no project header labels)",
            )
        guessed = match.template
        found = IDENTITY_MISSING(file=str(ctx_path), sheet=match.sheet, template_zh=guessed.zh,
                                 template_en=guessed.en)
        return guessed, guessed.version, match.sheet, [found]
    t = TEMPLATES.get(ident.template_id)
    if t is None:
        raise FileProblem(
            "template-unknown",
            f"未知的模板标识“{ident.template_id}”",
            f"unknown template id {ident.template_id!r}",
        )
    version = ident.version if ident.version is not None else t.version
    if version > t.version:
        raise FileProblem(
            "template-version-newer",
            f"模板“{t.zh}”版本 {version} 比本程序支持的版本 {t.version} 新，请升级 pimxl",
            f"template {t.id} version {version} is newer than this pimxl supports ({t.version}); upgrade pimxl",
        )
    findings: list[Finding] = []
    if version < t.version:
        findings.append(TEMPLATE_VERSION_OLD(file=str(ctx_path), version=version, current=t.version))
    return t, version, None, findings


def read_workbook(
    path: Path, *, as_of: date | None = None, lang: str = "zh", kind: str | None = None,
    probed: ProbeResult | None = None,
) -> WorkbookRecord:
    """A workbook's typed values with their cells; raises :class:`FileProblem` when unusable.

    The file is probed first (zip bombs, encryption, enormous dimensions…) unless the caller
    already did and passes the probe's result as ``probed`` (best: ``probe(path, keep=True)``,
    whose inflated parts are then reused and released here) or just the ``kind`` it found.
    ``lang`` is accepted for symmetry with the commands: findings carry both languages.
    """
    # Already a Path for the pipeline's callers: Path(path) would parse it again.
    path = path if isinstance(path, Path) else Path(path)
    if probed is None and kind is None:
        probed = probe(path, keep=True)
    if probed is not None:
        if not probed.ok:
            raise probed.problem()
        kind = probed.kind
    zip_parts = probed.parts if probed is not None else None
    try:
        book = open_book(path, kind, zip_parts)
        parts = read_parts(path, zip_parts)
    except BaseException:
        if zip_parts is not None:
            zip_parts.close()
        raise
    try:
        return read_opened(path, book, parts, as_of=as_of)
    finally:
        parts.close()


def read_opened(path: Path, book: Book, parts: XlsxParts, *, as_of: date | None = None) -> WorkbookRecord:
    """The record of an opened workbook: ``book`` gives the cell grids, ``parts`` names and tables.

    Shared by :func:`read_workbook` and the Excel buttons (:mod:`pimxl.excel.book`), which build
    both from the values of a workbook open in Excel.
    """
    template, version, hint, findings = _template(path, book, parts)
    ctx = ReadContext(path, template, book, parts, as_of=as_of, findings=findings)
    record = WorkbookRecord(path=str(path), template_id=template.id, version=version, findings=ctx.findings)
    form_sheet, record.form = read_form(ctx, hint)
    ctx.flush()
    if form_sheet is not None:
        record.sheets[template.form.key] = form_sheet
    form_values = record.form_values()
    claimed = {form_sheet} if form_sheet else set()
    for table in template.tables:
        place = locate_table(ctx, table, claimed)
        if place is None:
            ctx.findings.append(TABLE_MISSING(file=ctx.file, sheet=table.zh, field=table.key,
                                              label_zh=table.zh, label_en=table.en))
            record.tables[table.key] = []
            continue
        if place.by_label:
            ctx.findings.append(READ_BY_LABEL(file=ctx.file, sheet=place.sheet, section=place.sheet))
        claimed.add(place.sheet)
        for col in table.columns:
            if col.key not in place.columns:
                ctx.findings.append(COLUMN_MISSING(
                    file=ctx.file, sheet=place.sheet, cell=a1(place.header_row, 1), field=col.key,
                    table_zh=table.zh, table_en=table.en, label_zh=col.zh, label_en=col.en))
        record.sheets[table.key] = place.sheet
        record.tables[table.key] = read_rows(ctx, table, place, form_values)
        ctx.flush()
    return record
