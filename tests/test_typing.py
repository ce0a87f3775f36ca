"""The package type-checks clean: ``python -m mypy pimxl`` from the repository root (its settings in
pyproject.toml's [tool.mypy]), so that a change bringing a type error back fails the suite."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_mypy_clean() -> None:
    pytest.importorskip("mypy")
    # The cache goes to .mypy_cache at the root (ignored by git): a re-run checks only what changed.
    proc = subprocess.run([sys.executable, "-m", "mypy", "pimxl"], cwd=ROOT, capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, f"mypy found type errors:\n{proc.stdout}{proc.stderr}"
