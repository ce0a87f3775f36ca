"""Exceptions for input that cannot be used at all. The exit code lives on the class (as in click).

    PimxlError (exit 1)
    ├── UsageError (exit 2)        bad options or data given on the command line (fill/new data…)
    ├── UnreadableError (exit 3)   a named file cannot be read at all
    └── ConflictError (exit 1)     a merge left conflicts
"""

from __future__ import annotations

import click

__all__ = ["ConflictError", "PimxlError", "UnreadableError", "UsageError"]


class PimxlError(click.ClickException):
    exit_code = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.exit_code = type(self).exit_code


class UsageError(PimxlError):
    exit_code = 2


class UnreadableError(PimxlError):
    exit_code = 3


class ConflictError(PimxlError):
    exit_code = 1
