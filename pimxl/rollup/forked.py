"""The summary written in a child process while this one stores the history snapshot.

Writing the summary and storing the snapshot both read the finished model and nothing else, and each takes
about half of what a run does after reading (~0.4 s each at 1,000 projects, on one core). A forked child
has the model without copying or pickling it, so on a machine with a second core the two run side by side.

Only where it is safe and pays:

- on Linux (``fork`` without ``exec`` is unsafe on macOS, absent on Windows), with more than one CPU and
  more than one job allowed;
- for a centre of at least :data:`MIN_PROJECTS` projects (below, the summary takes a few hundredths of a
  second: not worth a process);
- while this process holds less than :data:`MAX_RSS`: parent and child touch the model's objects (their
  reference counts), so the model's memory pages get copied; the pair then uses up to ~2.5 times this
  process's memory, kept under ~1 GiB. A larger centre writes its summary here, after the snapshot.

The child ends with ``os._exit`` (no interpreter shutdown, nothing of the parent's flushed or closed twice);
an exception in it is sent back pickled and raised here. The history's connection is never used in the child.
"""

from __future__ import annotations

import os
import pickle
import signal
import sys
from collections.abc import Callable

__all__ = ["MAX_RSS", "MIN_PROJECTS", "Child", "worth_forking"]

MIN_PROJECTS = 100
MAX_RSS = 400 * 2**20


def _rss() -> int:
    """This process's resident memory in bytes (Linux: /proc/self/statm), 0 when it cannot be told."""
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def worth_forking(projects: int, jobs: int) -> bool:
    """Whether to write the summary in a child: see the module's docstring. ``jobs``: workers allowed (0 = CPUs)."""
    cpus = os.cpu_count() or 1
    if not sys.platform.startswith("linux") or cpus < 2 or jobs == 1 or projects < MIN_PROJECTS:
        return False
    rss = _rss()
    return 0 < rss < MAX_RSS


class Child:
    """``work`` running in a forked child; :meth:`join` waits for it and raises what it raised."""

    def __init__(self, work: Callable[[], None]) -> None:
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: do the work, report a failure through the pipe, never return
            os.close(read)
            code = 0
            try:
                work()
            except BaseException as e:  # noqa: BLE001 - everything goes back to the parent
                code = 1
                try:
                    report = pickle.dumps(e)
                except Exception:
                    report = pickle.dumps(RuntimeError(f"{type(e).__name__}: {e}"))
                _write_all(write, report)
            finally:
                os._exit(code)
        os.close(write)
        self.pid, self._read = pid, read

    def join(self) -> None:
        """Wait for the child; raise its exception (or say how it ended) when it failed."""
        if self.pid == 0:
            return
        report = _read_all(self._read)
        os.close(self._read)
        _, status = os.waitpid(self.pid, 0)
        self.pid = 0
        if status == 0:
            return
        if report:
            try:
                error = pickle.loads(report)
            except Exception:
                error = None
            if isinstance(error, BaseException):
                raise error
        how = (f"signal {os.WTERMSIG(status)}" if os.WIFSIGNALED(status) else f"exit {os.WEXITSTATUS(status)}")
        raise RuntimeError(f"汇总写入进程异常结束 / the summary writer process ended ({how})")

    def stop(self) -> None:
        """Kill the child if it still runs (this run failed) and reap it."""
        if self.pid == 0:
            return
        try:
            os.kill(self.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        os.waitpid(self.pid, 0)
        os.close(self._read)
        self.pid = 0


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]
    os.close(fd)


def _read_all(fd: int) -> bytes:
    parts = []
    while chunk := os.read(fd, 65536):
        parts.append(chunk)
    return b"".join(parts)
