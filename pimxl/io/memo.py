"""Memoising a pure parse of a small part by its content.

Workbooks made from one template share most of their small parts byte for byte (``.rels``,
``[Content_Types].xml``, ``workbook.xml``, tables, custom properties), so a worker that parses
thousands of them gives each distinct part its Python-level parse once. Only parts up to
:data:`SMALL` bytes are remembered (at most ``maxsize`` of them: a few MiB at worst); results must be
immutable (tuples) or only ever read.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache, wraps
from typing import Any, TypeVar

__all__ = ["SMALL", "memo_small"]

SMALL = 64 << 10
F = TypeVar("F", bound=Callable[..., Any])


def memo_small(maxsize: int = 256) -> Callable[[F], F]:
    """Decorate ``fn(data: bytes, *rest)``: remembered by (data, *rest) when ``data`` is small."""

    def wrap(fn: F) -> F:
        cached = lru_cache(maxsize=maxsize)(fn)

        @wraps(fn)
        def call(data: bytes, *rest: Any) -> Any:
            return cached(data, *rest) if len(data) <= SMALL else fn(data, *rest)

        call.cache_clear = cached.cache_clear  # type: ignore[attr-defined]
        return call  # type: ignore[return-value]

    return wrap
