"""Options and parameter types shared by the commands."""

from __future__ import annotations

import gc
import os
import sys
from datetime import date
from pathlib import Path
from typing import Any

import click

from ..config import ConfigError, Settings, load_settings
from ..errors import UsageError

__all__ = ["AS_OF", "HISTORY_NAME", "DateParam", "as_of_option", "default_lang", "exit_now", "find_history",
           "history_options", "lang_option", "settings_for"]


class DateParam(click.ParamType):
    """A calendar date: 2026-11-27 (also 2026/11/27, 20261127)."""

    name = "DATE"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> date:
        if isinstance(value, date):
            return value
        text = str(value).strip().replace("/", "-").replace(".", "-")
        try:
            if len(text) == 8 and text.isdigit():
                return date(int(text[:4]), int(text[4:6]), int(text[6:]))
            return date.fromisoformat(text)
        except ValueError:
            self.fail(f"不是日期 / not a date: {value!r} (yyyy-mm-dd)", param, ctx)


AS_OF = DateParam()


def as_of_option(f: Any) -> Any:
    return click.option("--as-of", type=AS_OF, default=None,
                        help="基准日期（默认今天）/ as-of date (default: today), yyyy-mm-dd")(f)


def default_lang() -> str:
    env = os.environ.get("PIMXL_LANG") or ""
    if env in ("zh", "en"):
        return env
    return "zh"


def lang_option(f: Any) -> Any:
    return click.option("--lang", type=click.Choice(["zh", "en"]), default=None,
                        help="输出语言 / language of messages (default: pimxl.toml, then zh)")(f)


def settings_for(start: Path | None, **overrides: Any) -> Settings:
    """Settings from the nearest pimxl.toml above ``start`` (or the working folder), then options."""
    try:
        settings = load_settings(start if start is not None else Path.cwd())
    except ConfigError as e:
        raise UsageError(f"配置文件有误 / bad configuration: {e}") from None
    if overrides.get("lang") is None and not settings.source:
        overrides["lang"] = default_lang()
    return settings.with_overrides(**overrides)


HISTORY_NAME = "pimxl-history.sqlite"


def find_history(folder: Path, settings: Settings) -> Path:
    """The rollup history a command reading it means: pimxl.toml's ``history``, else ``pimxl-history.sqlite``
    in ``folder`` or in the working folder — the first that exists (else the first of them)."""
    from ..rollup.run import default_history

    candidates = [default_history(folder / HISTORY_NAME, settings)] if settings.history else []
    candidates += [folder / HISTORY_NAME, Path.cwd() / HISTORY_NAME]
    return next((c for c in candidates if c.is_file()), candidates[0])


def history_options(f: Any) -> Any:
    """The options of a command that rebuilds a past week from the history: --history, --root, --json, --as-of,
    --lang (passed as ``history``, ``root``, ``as_json``, ``as_of``, ``lang``)."""
    for option in (
        lang_option,
        as_of_option,
        click.option("--json", "as_json", is_flag=True, help="输出一个 JSON 文档 / print one JSON document"),
        click.option("--root", type=click.Path(exists=True, file_okay=False, path_type=Path), default=None,
                     help="项目文件夹（链接目标）/ the rolled-up folder, for links (default: the run's, else found)"),
        click.option("--history", type=click.Path(dir_okay=False, path_type=Path), default=None,
                     help="历史数据库 / SQLite history of the rollup"),
    ):
        f = option(f)
    return f


def collector_off_until_exit() -> None:
    """Switch the cyclic garbage collector off for the rest of the process — when pimxl runs as its own process
    and will end with :func:`exit_now`.

    A rollup runs with the collector off and switches it back on when it returns; the first allocation after
    that set off a full collection of everything the run still held (its model, every file's result): 0.05 s
    at 1,000 projects, a thirtieth of a re-run, for a process about to end. Called from tests or scripts, it
    does nothing.
    """
    from .. import cli

    if cli.OWN_PROCESS:
        gc.disable()


def exit_now(code: int = 0) -> None:
    """End the process now, once its output is flushed — when pimxl runs as its own process only.

    A rollup ends holding millions of small objects (its model, every file's result); freeing them one by one
    as the interpreter shuts down took 0.1–0.2 s at 1,000 projects, a twentieth of a re-run. Every file the
    command wrote is closed, synced and renamed before this is called. Called from tests or scripts (main()
    given arguments), it does nothing.
    """
    from .. import cli

    if not cli.OWN_PROCESS:
        return
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    finally:
        os._exit(code)
