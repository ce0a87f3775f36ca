"""Data files for ``pimxl new --from`` and ``pimxl fill --data``: JSON, YAML or CSV → a dict.

CSV holds form fields only, one ``key,value`` pair per line (an optional header line ``key,value``
or ``字段,值`` is skipped); JSON and YAML may also carry tables (see :mod:`pimxl.io.fill`).
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

__all__ = ["DataFileError", "load_data"]

SUFFIXES = (".json", ".yaml", ".yml", ".csv")


class DataFileError(ValueError):
    """The file cannot be read as data; the message is one line."""


def load_data(path: Path) -> dict[str, Any]:
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise DataFileError(f"{path.name}: 不支持的文件类型 / unsupported file type (json, yaml, yml, csv)")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as e:
        raise DataFileError(f"{path.name}: 无法读取 / cannot read: {e}") from None
    try:
        if suffix == ".json":
            data = json.loads(text)
        elif suffix == ".csv":
            data = _csv_pairs(text)
        else:
            import yaml

            data = yaml.safe_load(text)
    except (ValueError, ImportError) as e:  # json.JSONDecodeError is a ValueError
        raise DataFileError(f"{path.name}: 格式错误 / malformed: {_one_line(e)}") from None
    except Exception as e:  # yaml.YAMLError and friends
        raise DataFileError(f"{path.name}: 格式错误 / malformed: {_one_line(e)}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise DataFileError(f"{path.name}: 顶层应为映射 / the top level must be a mapping (key: value)")
    return data


def _csv_pairs(text: str) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for n, row in enumerate(csv.reader(io.StringIO(text)), start=1):
        if not row or not any(c.strip() for c in row):
            continue
        if len(row) < 2 or len(row) > 2 and any(c.strip() for c in row[2:]):
            raise ValueError(f"line {n}: expected key,value")
        key, value = row[0].strip(), row[1].strip()
        if n == 1 and (key.lower(), value.lower()) in (("key", "value"), ("字段", "值")):
            continue
        data[key] = value
    return data


def _one_line(e: Exception) -> str:
    return " ".join(str(e).split())
