"""The files under the root a run rolls up: each one found (discovery), with its stat and content hash.

A file whose stat is as when an earlier run hashed it keeps that hash without being read again
(:class:`~pimxl.rollup.history.Seen`, as git's index does).
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..pipeline import file_digest

if TYPE_CHECKING:
    from .history import Seen

__all__ = ["Scanned", "scan"]


@dataclass
class Scanned:
    """One file found under the root: as shown, its state, and its size, time and content hash."""

    path: Path
    shown: str
    status: str  # candidate | skipped | unreadable (cannot even be stat'ed)
    kind: str = ""
    reason_zh: str = ""
    reason_en: str = ""
    size: int = 0
    mtime_ns: int = 0
    sha256: str = ""  # "" until hashed (or when the file cannot be read)
    ctime_ns: int = 0
    inode: int = 0
    seen_ns: int = 0  # the wall clock just before the stat
    vouched: bool = False  # sha256 is the hash of an earlier run, the stat being as it was then (history.Seen)

    def seen(self) -> Seen:
        """What the history remembers of this file's stat and hash."""
        from .history import Seen

        return Seen(self.size, self.mtime_ns, self.ctime_ns, self.inode, self.seen_ns, self.sha256)

    def key(self) -> tuple[Any, ...]:
        return (self.shown, self.status, self.kind, self.reason_en, self.size, self.mtime_ns, self.sha256)


def scan(root: Path, *, exclude: Sequence[Path] = (), hash_all: bool = False,
         known: Mapping[str, Seen] | None = None) -> list[Scanned]:
    """Every file under ``root`` (discovery order) with its size and time; ``hash_all``: and content hash.

    ``known`` (:meth:`History.seen_entries`): a file whose stat is as it was when an earlier run hashed it gets
    that hash without being read (:meth:`Seen.vouches`).
    """
    from ..io.discover import discover

    out = []
    # One clock reading before any stat: a file written after it is never vouched for by this run's stat.
    now = time.time_ns()
    # Each walked file's stat comes with its folder's listing (no request of its own to the file system on Windows).
    for found in discover([root], exclude_outputs=exclude, stat=True):
        s = Scanned(found.path, _display(found.path, root), found.status, found.kind, found.reason_zh,
                    found.reason_en)
        if s.status == "candidate":
            try:
                st = found.stat or found.path.stat()
                s.size, s.mtime_ns, s.ctime_ns, s.inode, s.seen_ns = (st.st_size, st.st_mtime_ns, st.st_ctime_ns,
                                                                      st.st_ino, now)
            except OSError as e:
                s.status, s.reason_zh, s.reason_en = "unreadable", f"无法打开文件（{e.strerror}）", f"cannot open ({e.strerror})"
            else:
                seen = known.get(str(s.path)) if known else None
                if seen is not None and seen.vouches(s.size, s.mtime_ns, s.ctime_ns, s.inode):
                    s.sha256, s.vouched = seen.sha256, True
                elif hash_all:
                    try:
                        s.sha256 = file_digest(found.path)
                    except OSError:  # as a worker would find it: unreadable, no hash
                        s.sha256 = ""
        out.append(s)
    return out


def _display(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)

