"""The ``pimxl`` command: a click group whose commands are imported only when used.

Commands are thin: parse, call one library function, print. Results go to stdout, diagnostics to
stderr. Heavy libraries (pandas, openpyxl) are imported inside the commands, so ``pimxl --help``
and ``pimxl validate one.xlsx`` start fast.
"""

from __future__ import annotations

import importlib
import sys
from typing import Any

import click

from . import __version__

__all__ = ["main"]

#: command name → "module:attribute" under pimxl.commands; listed in --help in this order.
COMMANDS: dict[str, str] = {
    "templates": "templates:templates",
    "new": "new:new",
    "fill": "fill:fill",
    "validate": "validate:validate",
    "adjust": "adjust:adjust",
    "upgrade": "upgrade:upgrade",
    "merge": "merge:merge",
    "rollup": "rollup:rollup",
    "views": "views:views",
    "summary": "summary:summary",
    "history": "history:history",
    "demo": "demo:demo",
    "excel": "excel:excel",
}

HELP = """pimxl — 客户服务中心项目工作簿工具 (project workbook toolkit).

生成标准模板、校验、合并，并每周汇总全部项目。
Generates the standard templates, validates and merges them, and rolls every project up weekly.
"""


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        target = COMMANDS.get(name)
        if target is None:
            return None
        module, attr = target.split(":")
        return getattr(importlib.import_module(f"pimxl.commands.{module}"), attr)


@click.group(cls=LazyGroup, help=HELP, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="pimxl")
def cli() -> None:
    pass


#: True when pimxl runs as its own process (the ``pimxl`` command, ``python -m pimxl``): main() was called
#: without arguments. A command may then end the process at once (:func:`pimxl.commands.common.exit_now`).
OWN_PROCESS = False


def main(argv: list[str] | None = None) -> Any:
    """Entry point. No traceback ever reaches a user: unexpected errors become one line and exit 1."""
    global OWN_PROCESS
    OWN_PROCESS = argv is None
    try:
        return cli.main(args=argv, prog_name="pimxl", standalone_mode=True)
    except SystemExit:
        raise
    except KeyboardInterrupt:
        click.echo("已中断 / interrupted", err=True)
        sys.exit(130)
    except Exception as e:  # pragma: no cover - last line of defence
        click.echo(f"pimxl: 内部错误 / internal error: {type(e).__name__}: {e}", err=True)
        sys.exit(1)
