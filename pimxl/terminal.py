"""Text laid out in columns on a terminal, where a Chinese character takes two columns."""

from __future__ import annotations

from unicodedata import east_asian_width

__all__ = ["ljust", "width"]


def width(text: str) -> int:
    """The columns ``text`` takes on a terminal: two for a wide or full-width character (汉字, ，), else one."""
    if text.isascii():
        return len(text)
    return sum(2 if east_asian_width(ch) in "WF" else 1 for ch in text)


def ljust(text: str, columns: int) -> str:
    """``text`` padded with spaces to ``columns`` terminal columns (as str.ljust counts characters)."""
    return text + " " * (columns - width(text))
