"""Exceptions for input that cannot be used at all. The exit code lives on the class (as in click).

    PimxlError (exit 1)
    ├── UsageError (exit 2)        bad options or data given on the command line (fill/new data…)
    ├── UnreadableError (exit 3)   a named file cannot be read at all
    └── ConflictError (exit 1)     a merge left conflicts
"""

from __future__ import annotations

import click

__all__ = ["ConflictError", "FileProblem", "PimxlError", "UnreadableError", "UsageError"]


class PimxlError(click.ClickException):
    exit_code = 1  # each subclass its own, read from the class (click declares it a class variable)


class UsageError(PimxlError):
    exit_code = 2


class UnreadableError(PimxlError):
    exit_code = 3


class ConflictError(PimxlError):
    exit_code = 1


class FileProblem(Exception):
    """A file that cannot be used at all; becomes one finding / one 来源 row, never a traceback.

    ``code`` is a finding code (``file-unreadable``, ``file-encrypted``, ``file-corrupt``,
    ``not-a-template``, ``template-too-old``, ``template-unknown-version``, ``file-too-large``, …);
    ``status`` is ``unreadable`` or ``skipped``; the reasons are one line each.
    """

    def __init__(self, code: str, reason_zh: str, reason_en: str, status: str = "unreadable") -> None:
        super().__init__(reason_en)
        self.code = code
        self.reason_zh = reason_zh
        self.reason_en = reason_en
        self.status = status

    def reason(self, lang: str = "zh") -> str:
        return self.reason_en if lang == "en" else self.reason_zh
