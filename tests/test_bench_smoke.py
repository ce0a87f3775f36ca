"""scripts/bench.py runs end to end on a tiny centre and reports every figure (not timed: a smoke run)."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).parent.parent / "scripts" / "bench.py"


def _bench_module():  # noqa: ANN202 — the script as a module, for its generator
    spec = importlib.util.spec_from_file_location("pimxl_bench", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["pimxl_bench"] = module
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_bench_reports_every_figure(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, str(SCRIPT), "-n", "5", "--big", "8", "--repeat", "3", "--writer-rows", "200", "--json",
         "--dir", str(tmp_path)], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    doc = json.loads(proc.stdout)  # --json prints one document and nothing else
    assert set(doc["seconds"]) == set("abcdef") and all(v > 0 for v in doc["seconds"].values())
    assert all(len(runs) == 3 for runs in doc["runs"].values())  # medians of three
    assert set(doc["ratios"]) == {"c/a", "b/c", "d/c", "e/c", "g", "g_big", "h"}
    assert all(v > 0 for v in doc["ratios"].values())
    # Every generated workbook is read as a template; the broken copy is unreadable, the lock file skipped.
    assert doc["files"] == {**doc["files"], "read": doc["workbooks"], "unreadable": 1, "skipped": 1}
    # The re-run parses nothing; the edited run parses the edited files only.
    assert doc["cache"]["d"]["parsed"] == 0
    assert doc["cache"]["d"]["unchanged_run"] is True and doc["cache"]["e"]["unchanged_run"] is False
    assert 1 <= doc["cache"]["e"]["parsed"] < doc["workbooks"]
    assert list(doc["steps"]) == ["lock", "scan", "read", "cross_rules", "model", "summary", "history"]
    assert doc["big"]["projects"] == 8 and doc["big"]["workbooks"] > doc["workbooks"]
    assert isinstance(doc["bytecode_compiled"], int)  # the runs measured are those of pimxl with its bytecode
    # The table form names every measure.
    table = _bench_module().report_table(doc)
    for label in ("c/a", "b/c", "d/c", "e/c", "peak RSS", "summary writer"):
        assert label in table


def test_generated_centre_is_reproducible(tmp_path: Path) -> None:
    bench = _bench_module()
    first = bench.build_centre(tmp_path / "a", 5, bench.make_protos(tmp_path / "pa", 2, 7, 1))
    second = bench.build_centre(tmp_path / "b", 5, bench.make_protos(tmp_path / "pb", 2, 7, 1))
    assert [p.relative_to(tmp_path / "a") for p in first.files] == [p.relative_to(tmp_path / "b") for p in second.files]
    assert all(p.read_bytes() == q.read_bytes() for p, q in zip(first.files, second.files, strict=True))
    assert len({p.parent for p in first.files}) == 5  # one folder per project, each with ≥ 4 workbooks
    assert all(sum(1 for p in first.files if p.parent == d) >= 4 for d in {p.parent for p in first.files})
