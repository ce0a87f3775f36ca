"""LibreOffice headless helpers for tests: convert with a private profile per call, recalculating on load."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

__all__ = ["convert", "soffice_path"]

# Recalculate OOXML and ODF formulas on every load ("always" = 0), whatever cached values a file has.
_RECALC_XCU = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""


def soffice_path() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def convert(files: Sequence[Path], fmt: str, outdir: Path, timeout: float = 240) -> list[Path]:
    """Convert ``files`` in one soffice run (``fmt``: ``pdf`` or ``xlsx``); returns the output paths.

    Each call gets its own profile directory, so parallel test processes never share one.
    """
    exe = soffice_path()
    if exe is None:
        raise RuntimeError("soffice not found")
    outdir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="pimxl-lo-") as profile:
        user = Path(profile) / "user"
        user.mkdir()
        (user / "registrymodifications.xcu").write_text(_RECALC_XCU, encoding="utf-8")
        target = "xlsx:Calc MS Excel 2007 XML" if fmt == "xlsx" else fmt
        cmd = [exe, f"-env:UserInstallation={Path(profile).as_uri()}", "--headless", "--norestore",
               "--convert-to", target, "--outdir", str(outdir), *map(str, files)]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    outs = [outdir / (Path(f).stem + "." + fmt) for f in files]
    missing = [o.name for o in outs if not o.is_file()]
    if missing:
        raise RuntimeError(f"soffice did not write {missing}: rc={proc.returncode} {proc.stderr[-500:]}")
    return outs
