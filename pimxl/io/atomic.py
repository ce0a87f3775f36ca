"""Every output file is written to a temporary file beside its target and renamed into place.

A crash or a kill at any moment leaves either the old file or the new one, never half of one. The
temporary name starts with ``.~pimxl-`` so discovery skips it should a crash leave it behind.
"""

from __future__ import annotations

import io
import os
import tempfile
from pathlib import Path
from typing import Any

__all__ = ["save_bytes", "save_workbook"]


def save_bytes(data: bytes, path: str | os.PathLike[str]) -> Path:
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".~pimxl-", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        # mkstemp creates 0600; give the file the permissions a normal save would (umask applied).
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def save_workbook(wb: Any, path: str | os.PathLike[str]) -> Path:
    """An openpyxl workbook, saved atomically."""
    buf = io.BytesIO()
    wb.save(buf)
    return save_bytes(buf.getvalue(), path)
