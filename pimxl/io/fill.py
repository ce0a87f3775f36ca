"""Data given to ``pimxl fill``/``pimxl new`` → typed form values and table rows for the writer.

Strict on purpose: this is data a program or a person hands over deliberately, so anything that is
not clearly a value of the field's type is an error naming the field (one line, zh and en), not a
guess. (What people type into workbooks is normalised leniently by the reader instead.)
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from ..schema import Field, FieldType, Template
from .writer_style import formula_inputs

__all__ = ["DataError", "convert", "prepare", "split_data"]


class DataError(ValueError):
    """A value that cannot go into the template; ``where`` names the field (``wbs[3].planned_start``)."""

    def __init__(self, where: str, zh: str, en: str) -> None:
        super().__init__(f"{where}: {en}")
        self.where, self.zh, self.en = where, zh, en
        self.label_zh = self.label_en = ""  # the field's labels, when known

    def message(self, lang: str = "zh") -> str:
        if lang == "zh":
            return f"字段 {self.where}" + (f"（{self.label_zh}）" if self.label_zh else "") + f"：{self.zh}"
        return f"field {self.where}" + (f" ({self.label_en})" if self.label_en else "") + f": {self.en}"


_NUMERIC = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


def _number(raw: Any) -> float | int | None:
    """A number from a number or a numeric string (``1,200,000.50``, ``¥300000``); None otherwise."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int | float):
        return raw
    if isinstance(raw, str):
        text = raw.strip().replace(",", "").replace("，", "").lstrip("¥￥").strip()
        if _NUMERIC.match(text):
            value = float(text)
            return int(value) if value.is_integer() and "." not in text and "e" not in text.lower() else value
    return None


def _text(raw: Any) -> str:
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    return str(raw).strip()


def _date(where: str, raw: Any) -> date:
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    if isinstance(raw, str):
        try:
            return date.fromisoformat(raw.strip().replace("/", "-"))
        except ValueError:
            pass
    raise DataError(where, f"不是日期 {raw!r}（应为 yyyy-mm-dd）", f"not a date: {raw!r} (expected yyyy-mm-dd)")


def _bounds(where: str, f: Field, value: float) -> None:
    if f.minimum is not None and value < f.minimum:
        raise DataError(where, f"{value} 小于下限 {f.minimum}", f"{value} is below the minimum {f.minimum}")
    if f.maximum is not None and value > f.maximum:
        raise DataError(where, f"{value} 大于上限 {f.maximum}", f"{value} is above the maximum {f.maximum}")


def convert(f: Field, raw: Any, where: str = "", *, numeric: bool = False, pattern: str | None = None) -> Any:
    """``raw`` as a value of ``f``'s type, or None when empty; raises :class:`DataError` naming the field.

    ``numeric``: a text column that a formula reads keeps numbers as numbers.
    ``pattern``: overrides ``f.pattern`` (the configured project id pattern).
    """
    try:
        return _convert(f, raw, where or f.key, numeric, pattern)
    except DataError as e:
        e.label_zh, e.label_en = f.zh, f.en
        raise


def _convert(f: Field, raw: Any, where: str, numeric: bool, pattern: str | None) -> Any:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if f.computed:
        raise DataError(where, "是公式计算的字段，不能填写", "is computed by a formula and cannot be filled")
    kind = f.type
    if f.choices:
        return _choice(where, f, raw)
    if kind is FieldType.DATE:
        return _date(where, raw)
    if kind in (FieldType.MONEY, FieldType.NUMBER, FieldType.INTEGER, FieldType.PERCENT):
        return _numeric(where, f, raw)
    if kind is FieldType.CODES:
        return ", ".join(_text(v) for v in raw) if isinstance(raw, list | tuple) else _text(raw)
    if isinstance(raw, list | tuple | dict):
        raise DataError(where, f"应为文本，而不是 {raw!r}", f"expected text, not {raw!r}")
    if numeric and (n := _number(raw)) is not None:
        return n
    text = _text(raw)
    rx = pattern or f.pattern
    if rx and not re.search(rx, text):
        raise DataError(where, f"{text!r} 不符合格式 {rx}", f"{text!r} does not match the pattern {rx}")
    return text


def _choice(where: str, f: Field, raw: Any) -> Any:
    listed = "、".join(f.choices)
    if f.type in (FieldType.NUMBER, FieldType.MONEY, FieldType.PERCENT, FieldType.INTEGER):
        # A numeric dropdown (risk probability 0.1/0.3/…): compare as numbers.
        n = _number(raw)
        for c in f.choices:
            if n is not None and abs(float(c) - n) < 1e-9:
                return float(c)
    else:
        text = _text(raw)
        if text in f.choices:
            return text
    raise DataError(where, f"{raw!r} 不在下拉选项中（{listed}）", f"{raw!r} is not one of the choices ({listed})")


def _numeric(where: str, f: Field, raw: Any) -> float | int:
    percent_text = isinstance(raw, str) and raw.strip().endswith("%")
    n = _number(raw.strip()[:-1] if percent_text else raw)
    if n is None:
        raise DataError(where, f"不是数值 {raw!r}", f"not a number: {raw!r}")
    if f.type is FieldType.PERCENT:
        value = float(n) / 100 if percent_text else float(n)
        if not 0 <= value <= 1:
            raise DataError(where, f"百分比应在 0–1 之间（30% 写作 0.3 或 \"30%\"），而不是 {raw!r}",
                            f"a percentage is 0–1 (write 30 % as 0.3 or \"30%\"), not {raw!r}")
        _bounds(where, f, value)
        return value
    if f.type is FieldType.INTEGER:
        if not float(n).is_integer():
            raise DataError(where, f"不是整数 {raw!r}", f"not a whole number: {raw!r}")
        n = int(n)
    _bounds(where, f, float(n))
    return n


def split_data(data: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """``{"form": {...}, "tables": {...}}`` or a flat dict of form keys → (form, tables)."""
    if "form" in data or "tables" in data:
        unknown = set(data) - {"form", "tables"}
        if unknown:
            key = sorted(unknown)[0]
            raise DataError(key, "未知的顶层键（应为 form 和 tables）", "unknown top-level key (expected form and tables)")
        form, tables = data.get("form") or {}, data.get("tables") or {}
    else:
        form, tables = dict(data), {}
    if not isinstance(form, Mapping):
        raise DataError("form", "应为 键: 值 的映射", "must be a mapping of key: value")
    if not isinstance(tables, Mapping):
        raise DataError("tables", "应为 表名: 记录列表 的映射", "must be a mapping of table: list of records")
    return dict(form), dict(tables)


def prepare(
    template: Template, data: Mapping[str, Any], *, pattern: str | None = None
) -> tuple[dict[str, Any], dict[str, list[dict[str, Any]]]]:
    """Check and convert data for ``template``: (form values by key, table rows by table key)."""
    form_data, table_data = split_data(data)
    known = {f.key: f for f in template.form.fields}
    values: dict[str, Any] = {}
    for key, raw in form_data.items():
        if key not in known:
            raise DataError(key, f"模板 {template.id} 没有此字段", f"unknown field for template {template.id}")
        values[key] = convert(known[key], raw, key, pattern=pattern if key == "project_id" else None)
    rows: dict[str, list[dict[str, Any]]] = {}
    tables = {t.key: t for t in template.tables}
    for tkey, records in table_data.items():
        if tkey not in tables:
            raise DataError(tkey, f"模板 {template.id} 没有此表（{'、'.join(tables)}）",
                            f"unknown table for template {template.id} (known: {', '.join(tables)})")
        if not isinstance(records, list):
            raise DataError(tkey, "应为记录列表", "must be a list of records")
        table, numeric = tables[tkey], formula_inputs(tables[tkey])
        columns = {c.key: c for c in table.columns}
        rows[tkey] = []
        for i, rec in enumerate(records, start=1):
            if not isinstance(rec, Mapping):
                raise DataError(f"{tkey}[{i}]", "应为 列: 值 的映射", "must be a mapping of column: value")
            row: dict[str, Any] = {}
            for ckey, raw in rec.items():
                where = f"{tkey}[{i}].{ckey}"
                if ckey not in columns:
                    raise DataError(where, f"表 {tkey} 没有此列", f"unknown column of table {tkey}")
                row[ckey] = convert(columns[ckey], raw, where, numeric=ckey in numeric)
            rows[tkey].append(row)
    return values, rows
