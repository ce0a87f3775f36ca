"""Settings: defaults, overridden by ``pimxl.toml`` (found by walking up from a folder), then by options."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from .templates.header import DEFAULT_PROJECT_ID_PATTERN, DIVISIONS
from .templates.vocab import RISK_HIGH, RISK_MEDIUM

__all__ = ["CONFIG_NAME", "ConfigError", "Settings", "find_config", "load_settings"]

CONFIG_NAME = "pimxl.toml"


class ConfigError(Exception):
    """pimxl.toml cannot be used (bad TOML, unknown key, wrong type)."""


@dataclass(frozen=True)
class Settings:
    lang: str = "zh"
    project_id_pattern: str = DEFAULT_PROJECT_ID_PATTERN
    divisions: tuple[str, ...] = DIVISIONS
    #: name → list of aliases; empty means "take names as written"
    roster: dict[str, list[str]] = field(default_factory=dict)
    stale_days: int = 7  # contract progress table older than this is stale (warning)
    stale_amber_days: int = 14  # …and makes the project amber
    site_lead_days: int = 7  # a site must be 具备 this many days before 计划进场日期
    pending_adjustment_days: int = 7  # an adjustment 待审批 longer than this is flagged / amber
    red_days_late: int = 10  # a stage or milestone more than this many days late is red
    red_receivable_days: int = 60  # a receivable more than this many days overdue is red
    risk_high: float = RISK_HIGH
    risk_medium: float = RISK_MEDIUM
    ageing_buckets: tuple[int, ...] = (30, 60, 90)  # 未到期, 0–30, 31–60, 61–90, >90
    history: str = ""  # SQLite path; default beside the outputs
    jobs: int = 0  # 0 = number of CPUs
    source: str = ""  # the pimxl.toml that was read, if any

    def with_overrides(self, **kw: Any) -> Settings:
        return replace(self, **{k: v for k, v in kw.items() if v is not None})


def find_config(start: Path) -> Path | None:
    """The nearest pimxl.toml in ``start`` or one of its parents."""
    start = start.resolve()
    for d in [start if start.is_dir() else start.parent, *start.parents]:
        candidate = d / CONFIG_NAME
        if candidate.is_file():
            return candidate
    return None


def load_settings(start: Path | None = None, path: Path | None = None) -> Settings:
    cfg = path or (find_config(start) if start is not None else None)
    if cfg is None:
        return Settings()
    try:
        data = tomllib.loads(cfg.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as e:
        raise ConfigError(f"{cfg}: {e}") from None
    # Accept both a flat file and one with a [pimxl] table.
    data = data.get("pimxl", data)
    known = {f.name: f for f in fields(Settings)}
    kw: dict[str, Any] = {}
    for key, value in data.items():
        name = key.replace("-", "_")
        if name not in known or name == "source":
            raise ConfigError(f"{cfg}: unknown setting {key!r}")
        default = getattr(Settings(), name)
        if isinstance(default, tuple):
            if not isinstance(value, list):
                raise ConfigError(f"{cfg}: {key} must be a list")
            value = tuple(value)
        elif isinstance(default, bool | int | float) and not isinstance(value, int | float):
            raise ConfigError(f"{cfg}: {key} must be a number")
        elif isinstance(default, str) and not isinstance(value, str):
            raise ConfigError(f"{cfg}: {key} must be text")
        elif isinstance(default, dict) and not isinstance(value, dict):
            raise ConfigError(f"{cfg}: {key} must be a table")
        kw[name] = value
    return Settings(**kw, source=str(cfg))
