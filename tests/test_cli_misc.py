"""The command line's edges, as a user meets them: help, usage errors, bad configuration, odd files,
unwritable outputs. Every case: the right exit code, one clear line on stderr, never a traceback
(tests/e2e_helpers.pimxl checks stderr and stdout for "Traceback" on every run)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from e2e_helpers import pimxl


@pytest.fixture
def junk(tmp_path: Path) -> Path:
    """A folder with nothing pimxl can use: a text file named .xlsx and an empty .xls."""
    root = tmp_path / "杂项"
    root.mkdir()
    (root / "假的.xlsx").write_text("hello, not a workbook", "utf-8")
    (root / "空的.xls").write_bytes(b"")
    return root


def test_help_and_version() -> None:
    proc = pimxl("--help")
    assert proc.returncode == 0
    for name in ("templates", "new", "fill", "validate", "rollup", "demo"):
        assert name in proc.stdout
    assert pimxl("--version").stdout.startswith("pimxl")
    for name in ("validate", "rollup", "demo"):
        assert pimxl(name, "--help").returncode == 0


@pytest.mark.parametrize("args", [["nosuch"], ["rollup"], ["validate"], ["rollup", "/no/such/root", "-o", "x.xlsx"]])
def test_usage_errors_exit_2(args: list[str]) -> None:
    proc = pimxl(*args)
    assert proc.returncode == 2 and proc.stdout == "" and "Error" in proc.stderr


def test_bad_configuration_exit_2(junk: Path, tmp_path: Path) -> None:
    (junk / "pimxl.toml").write_text('stale_days = "seven"\n', "utf-8")
    for args in (["validate", junk], ["rollup", junk, "-o", tmp_path / "s.xlsx"]):
        proc = pimxl(*args)
        assert proc.returncode == 2 and "pimxl.toml" in proc.stderr and "stale_days" in proc.stderr
    (junk / "pimxl.toml").write_text("this is [not toml", "utf-8")
    assert pimxl("validate", junk).returncode == 2


def test_rollup_of_junk_accounts_for_every_file(junk: Path, tmp_path: Path) -> None:
    proc = pimxl("rollup", junk, "-o", tmp_path / "out" / "s.xlsx", "--json", "--as-of", "2026-11-27")
    assert proc.returncode == 0
    doc = json.loads(proc.stdout)
    assert doc["files"] == {"found": 2, "read": 0, "skipped": 0, "unreadable": 2}
    assert doc["projects"] == 0 and doc["totals"]["contract_value"] == 0
    assert (tmp_path / "out" / "s.xlsx").is_file()


def test_rollup_text_output_en(junk: Path, tmp_path: Path) -> None:
    proc = pimxl("rollup", junk, "-o", tmp_path / "s.xlsx", "--as-of", "2026-11-27", "--lang", "en")
    assert proc.returncode == 0
    assert "summary:" in proc.stdout and "2 unreadable" in proc.stdout
    assert proc.stderr == ""  # not a terminal: no progress bar


def test_rollup_output_not_writable(junk: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    proc = pimxl("rollup", junk, "-o", blocker / "s.xlsx")
    assert proc.returncode == 1
    assert len(proc.stderr.strip().splitlines()) == 1 and "internal error" not in proc.stderr


def test_rollup_damaged_history(junk: Path, tmp_path: Path) -> None:
    history = tmp_path / "h.sqlite"
    history.write_bytes(b"garbage" * 200)
    proc = pimxl("rollup", junk, "-o", tmp_path / "s.xlsx", "--history", history)
    assert proc.returncode == 1 and "history" in proc.stderr
    assert history.read_bytes() == b"garbage" * 200  # not "repaired" behind the user's back


def test_validate_named_fake_workbook_exit_3(junk: Path) -> None:
    proc = pimxl("validate", junk / "假的.xlsx", "--json")
    assert proc.returncode == 3
    (f,) = json.loads(proc.stdout)["files"]
    assert f["status"] == "unreadable" and f["reason"]
    # a folder of junk: unreadable files are errors (exit 1), not "a named file" (exit 3)
    assert pimxl("validate", junk).returncode == 1


def test_collector_off_until_exit_only_in_its_own_process(monkeypatch: pytest.MonkeyPatch) -> None:
    import gc

    from pimxl import cli
    from pimxl.commands.common import collector_off_until_exit

    assert gc.isenabled()
    collector_off_until_exit()  # called from a test (main() given arguments): nothing changes
    assert gc.isenabled()
    monkeypatch.setattr(cli, "OWN_PROCESS", True)
    try:
        collector_off_until_exit()
        assert not gc.isenabled()
    finally:
        gc.enable()
