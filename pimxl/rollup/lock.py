"""A lock file that serialises two rollup runs over the same history (``fcntl``/``msvcrt``).

The operating system releases the lock when the process dies, so a killed run never leaves a stale lock.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from types import TracebackType

__all__ = ["LockTimeout", "RunLock"]


class LockTimeout(Exception):
    """Another run holds the lock for longer than we are willing to wait."""


class RunLock:
    """``with RunLock(path, timeout=600): …`` — exclusive across processes; ``timeout=None`` waits forever."""

    def __init__(self, path: str | Path, timeout: float | None = None, poll: float = 0.2) -> None:
        self.path = Path(path)
        self.timeout = timeout
        self.poll = poll
        self._fd: int | None = None

    def acquire(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        deadline = None if self.timeout is None else time.monotonic() + self.timeout
        while True:
            if _try_lock(fd):
                break
            if deadline is not None and time.monotonic() >= deadline:
                os.close(fd)
                raise LockTimeout(f"{self.path} is held by another run")
            time.sleep(self.poll)
        # For whoever wonders which process holds it (cosmetic: never fail a run over it).
        try:
            os.ftruncate(fd, 0)
            os.write(fd, f"{os.getpid()}\n".encode())
        except OSError:
            pass
        self._fd = fd

    def release(self) -> None:
        if self._fd is None:
            return
        fd, self._fd = self._fd, None
        try:
            _unlock(fd)
        finally:
            os.close(fd)

    def fileno(self) -> int:
        """The descriptor holding the lock (a process forked from this one must close its copy: with ``flock`` any
        copy still open keeps the file locked)."""
        if self._fd is None:
            raise RuntimeError(f"{self.path} is not held")
        return self._fd

    @property
    def locked(self) -> bool:
        return self._fd is not None

    def __enter__(self) -> RunLock:
        self.acquire()
        return self

    def __exit__(self, et: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None) -> None:
        self.release()


if sys.platform == "win32":  # pragma: no cover - exercised on Windows only (the check mypy understands)
    import msvcrt

    def _try_lock(fd: int) -> bool:
        try:
            os.lseek(fd, 0, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
            return True
        except OSError:
            return False

    def _unlock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _try_lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            return False

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)
