"""Golden-file comparison of .xlsx packages, part by part (as XlsxWriter's comparison tests do).

Both files are unzipped; every XML part is compared after stripping the timestamps of
``docProps/core.xml`` (openpyxl stamps the save time there). Differences come back as short,
human-readable lines naming the part and, for XML, the first differing position.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

__all__ = ["compare_xlsx", "read_parts"]

_CORE_TIME = re.compile(rb"<dcterms:(created|modified)[^>]*>[^<]*</dcterms:\1>")


def read_parts(path: str | Path) -> dict[str, bytes]:
    """Every part of the package by name, with core.xml's timestamps removed."""
    with zipfile.ZipFile(path) as z:
        parts = {name: z.read(name) for name in z.namelist() if not name.endswith("/")}
    if "docProps/core.xml" in parts:
        parts["docProps/core.xml"] = _CORE_TIME.sub(b"", parts["docProps/core.xml"])
    return parts


def _first_difference(a: bytes, b: bytes, context: int = 40) -> str:
    n = next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b)))
    start = max(n - context, 0)

    def show(s: bytes) -> str:
        return s[start : n + context].decode("utf-8", "replace")

    return f"at byte {n}: …{show(a)}… ≠ …{show(b)}…"


def compare_xlsx(got: str | Path, expected: str | Path) -> list[str]:
    """Differences between two .xlsx files; an empty list when they are the same."""
    try:
        a, b = read_parts(got), read_parts(expected)
    except (OSError, zipfile.BadZipFile) as e:
        return [f"cannot compare: {e}"]
    diffs = [f"{name}: only in {Path(expected).name}" for name in sorted(b.keys() - a.keys())]
    diffs += [f"{name}: only in {Path(got).name}" for name in sorted(a.keys() - b.keys())]
    for name in sorted(a.keys() & b.keys()):
        if a[name] != b[name]:
            diffs.append(f"{name}: differs {_first_difference(a[name], b[name])}")
    return diffs
