"""scripts/weekly_rollup.py, the scheduler entry point, run as cron would run it."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from e2e_helpers import REPO, shared_centre, tree_hashes

SCRIPT = REPO / "scripts" / "weekly_rollup.py"


@pytest.fixture
def centre(tmp_path_factory: pytest.TempPathFactory, tmp_path: Path) -> Path:
    src = shared_centre(tmp_path_factory)
    shutil.copytree(src.parent, tmp_path / "c", copy_function=shutil.copy2)
    return tmp_path / "c" / src.name


def _weekly(*args: object, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run([sys.executable, str(SCRIPT), *map(str, args)], capture_output=True, text=True,
                          cwd=cwd, timeout=300)
    assert "Traceback" not in proc.stderr and "Traceback" not in proc.stdout, proc.stderr
    return proc


def test_dated_summary_and_log_with_bad_files_present(centre: Path, tmp_path: Path) -> None:
    out = tmp_path / "汇总"
    before = tree_hashes(centre)
    proc = _weekly("--root", centre, "--out", out, "--as-of", "2026-11-27", "--no-views")
    assert proc.returncode == 0, proc.stderr
    summary = out / "汇总-2026-W48.xlsx"
    assert proc.stdout.strip() == str(summary)
    assert "项目数" in [r[0] for r in openpyxl.load_workbook(summary)["总览"].iter_rows(values_only=True)]
    log = (out / "pimxl-weekly.log").read_text("utf-8")
    assert "rollup done" in log and "unreadable 坏文件-截断.xlsx" in log and "unreadable 通讯录.xlsx" in log
    assert (out / "pimxl-history.sqlite").is_file()
    assert tree_hashes(centre) == before
    # the next week appends to the same log and history
    assert _weekly("--root", centre, "--out", out, "--as-of", "2026-12-04", "--no-views").returncode == 0
    assert (out / "汇总-2026-W49.xlsx").is_file()
    log = (out / "pimxl-weekly.log").read_text("utf-8")
    assert log.count("rollup done") == 2
    # The history's size and runs, each week: one run, then two.
    sizes = re.findall(r"history .*pimxl-history\.sqlite: ([0-9.]+) MB, (\d+) runs", log)
    assert [runs for _, runs in sizes] == ["1", "2"] and float(sizes[1][0]) >= float(sizes[0][0]) > 0
    # Run again the same week, nothing changed (the summary is kept): the log still names the bad files.
    assert _weekly("--root", centre, "--out", out, "--as-of", "2026-12-04", "--no-views").returncode == 0
    third = (out / "pimxl-weekly.log").read_text("utf-8").split("rollup done")[-1]
    assert "unreadable 坏文件-截断.xlsx" in third and "unreadable 通讯录.xlsx" in third
    assert "summary was kept" in third
    assert _weekly("--root", centre, "--out", out, "--as-of", "2026-12-04", "--no-views", "--force").returncode == 0
    forced = (out / "pimxl-weekly.log").read_text("utf-8").split("rollup done")[-1]
    assert "summary was kept" not in forced and "steps (s): lock" in forced and "history" in forced


def test_output_folder_not_writable(centre: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    proc = _weekly("--root", centre, "--out", blocker / "汇总", "--as-of", "2026-11-27")
    assert proc.returncode == 1
    assert "not writable" in proc.stderr and len(proc.stderr.strip().splitlines()) == 1


def test_history_locked_by_another_run(centre: Path, tmp_path: Path) -> None:
    from pimxl.rollup.lock import RunLock

    out = tmp_path / "汇总"
    with RunLock(out / "pimxl-history.sqlite.lock", timeout=5):
        proc = _weekly("--root", centre, "--out", out, "--as-of", "2026-11-27", "--wait", "1", "--no-views")
    assert proc.returncode == 1
    assert "holds the history" in proc.stderr
    assert not (out / "汇总-2026-W48.xlsx").exists()
    assert "holds the history" in (out / "pimxl-weekly.log").read_text("utf-8")


def test_history_damaged_fails_with_details_in_the_log(centre: Path, tmp_path: Path) -> None:
    out = tmp_path / "汇总"
    out.mkdir()
    (out / "pimxl-history.sqlite").write_bytes(b"this is not a database" * 100)
    proc = _weekly("--root", centre, "--out", out, "--as-of", "2026-11-27", "--no-views")
    assert proc.returncode == 1
    assert "FAILED" in proc.stderr
    assert "Traceback" in (out / "pimxl-weekly.log").read_text("utf-8")  # for the maintainer, not the console


def test_bad_arguments(centre: Path, tmp_path: Path) -> None:
    assert _weekly("--root", tmp_path / "nowhere", "--out", tmp_path / "o").returncode == 2
    assert _weekly("--root", centre, "--out", tmp_path / "o", "--as-of", "next monday").returncode == 2


def test_relative_history_in_config_is_beside_the_config(centre: Path, tmp_path: Path) -> None:
    config = centre.parent / "pimxl.toml"
    config.write_text('stale_days = 7\nhistory = "历史/centre.sqlite"\n', "utf-8")
    elsewhere = tmp_path / "cwd"
    elsewhere.mkdir()
    proc = _weekly("--root", centre, "--out", tmp_path / "汇总", "--as-of", "2026-11-27", "--no-views",
                   cwd=elsewhere)
    assert proc.returncode == 0, proc.stderr
    assert (centre.parent / "历史" / "centre.sqlite").is_file()
    assert not (elsewhere / "历史").exists()
