"""The template version history, as data: what changed from version N to N+1 of each template.

A :class:`Migration` lists its changes; each change says what happened to one field (a form field
or a table column, named by section key and field key):

- :class:`Relabel` — the field's label changed (the key stays; the reader still reads the old
  label, which the current declaration carries in ``Field.aliases``);
- :class:`AddField` — a new field or column; it is left empty on upgrade;
- :class:`RemoveField` — a field that no longer exists; its values go to the 未迁移 sheet;
- :class:`RenameSection` — a sheet (form or table) got a new name; the reader finds tables by
  their Excel table name or header row and forms by defined names, so only reports mention it.

:func:`declaration_at` undoes the changes on the current declaration to give the declaration of
an older version (what the upgrader recognises as an old workbook's own labels and headings).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from ..schema import Field, Table, Template

__all__ = [
    "MIGRATIONS",
    "AddField",
    "Change",
    "Migration",
    "Relabel",
    "RemoveField",
    "RenameSection",
    "declaration_at",
    "history",
]


@dataclass(frozen=True)
class Relabel:
    section: str
    key: str
    old_zh: str
    old_en: str


@dataclass(frozen=True)
class AddField:
    section: str
    key: str


@dataclass(frozen=True)
class RemoveField:
    section: str
    field: Field  # the field as it was declared
    after: str | None = None  # the key it followed (None: it was first)


@dataclass(frozen=True)
class RenameSection:
    section: str
    old_zh: str
    old_en: str


Change = Relabel | AddField | RemoveField | RenameSection


@dataclass(frozen=True)
class Migration:
    """From ``version`` to ``version + 1`` of ``template_id``."""

    template_id: str
    version: int
    changes: tuple[Change, ...]
    summary_zh: str
    summary_en: str


MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        "contract-progress", 1,
        (Relabel("stages", "owner", "负责人", "Owner"), AddField("payments", "invoice_no")),
        "“合同进程”的“负责人”改称“责任人”；“收款计划”在开票日期后增加“发票号”列。",
        "合同进程: 负责人 renamed 责任人; 收款计划: new column 发票号 (invoice no.) after 开票日期.",
    ),
)


def history(template_id: str) -> list[Migration]:
    """The migrations of one template, oldest first."""
    return sorted((m for m in MIGRATIONS if m.template_id == template_id), key=lambda m: m.version)


# -- undoing changes ------------------------------------------------------------------------------

def _fields(t: Template, section: str) -> tuple[Field, ...]:
    return t.form.fields if section == t.form.key else t.table(section).columns


def _with_fields(t: Template, section: str, fields: tuple[Field, ...]) -> Template:
    if section == t.form.key:
        return replace(t, form=replace(t.form, fields=fields))
    tables = tuple(replace(tb, columns=fields) if tb.key == section else tb for tb in t.tables)
    return replace(t, tables=tables)


def _drop_rows_key(table: Table, key: str) -> Table:
    """Pre-filled rows lose a removed column's values too."""
    return replace(table, rows=tuple({k: v for k, v in r.items() if k != key} for r in table.rows))


def _undo(t: Template, change: Change) -> Template:
    if isinstance(change, RenameSection):
        if change.section == t.form.key:
            return replace(t, form=replace(t.form, zh=change.old_zh, en=change.old_en))
        tables = tuple(replace(tb, zh=change.old_zh, en=change.old_en) if tb.key == change.section else tb
                       for tb in t.tables)
        return replace(t, tables=tables)
    fields = _fields(t, change.section)
    if isinstance(change, Relabel):
        new = tuple(replace(f, zh=change.old_zh, en=change.old_en, aliases=tuple(a for a in f.aliases
                                                                             if a != change.old_zh))
                    if f.key == change.key else f for f in fields)
        return _with_fields(t, change.section, new)
    if isinstance(change, AddField):
        t = _with_fields(t, change.section, tuple(f for f in fields if f.key != change.key))
        if change.section != t.form.key:
            tables = tuple(_drop_rows_key(tb, change.key) if tb.key == change.section else tb for tb in t.tables)
            t = replace(t, tables=tables)
        return t
    # RemoveField: put the old field back where it was.
    keys = [f.key for f in fields]
    at = 0 if change.after is None else keys.index(change.after) + 1
    return _with_fields(t, change.section, fields[:at] + (change.field,) + fields[at:])


def declaration_at(template: Template, version: int) -> Template:
    """The declaration of ``template`` as it was at ``version`` (the current one is returned as is)."""
    if version > template.version or version < 1:
        raise ValueError(f"{template.id} has no version {version} (current {template.version})")
    t = template
    for m in reversed(history(template.id)):
        if m.version < version:
            break
        if m.version >= template.version:
            continue
        for change in reversed(m.changes):
            t = _undo(t, change)
    return replace(t, version=version)

