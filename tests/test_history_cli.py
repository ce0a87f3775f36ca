"""``pimxl history``: list the runs a history holds, drop one, compact the file — run as a user would, on the
history of two real weekly rollups of the small generated centre. Expected values come from the rollups' own
--json documents and from reading the database with sqlite3, not from the code under test."""

from __future__ import annotations

import json
import shutil
import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest
from e2e_helpers import CUT, copy_centre, history_rows, pimxl, shared_centre

from pimxl.rollup.lock import RunLock

WEEK2 = CUT + timedelta(days=7)


def _rollup(root: Path, out: Path, db: Path, as_of: object) -> dict:
    proc = pimxl("rollup", root, "-o", out, "--as-of", str(as_of), "--history", db, "--json")
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


@pytest.fixture(scope="module")
def weeks(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict, dict]:
    """A centre rolled up on two as-of dates: (centre root, history, week 1's --json, week 2's --json)."""
    base = tmp_path_factory.mktemp("history-cli")
    root = copy_centre(shared_centre(tmp_path_factory), base / "centre")
    db = base / "out" / "pimxl-history.sqlite"
    first = _rollup(root, base / "out" / "汇总-1.xlsx", db, CUT)
    second = _rollup(root, base / "out" / "汇总-2.xlsx", db, WEEK2)
    return root, db, first, second


@pytest.fixture
def db(weeks: tuple[Path, Path, dict, dict], tmp_path: Path) -> Path:
    """A copy of the two weeks' history, to change."""
    copy = tmp_path / "pimxl-history.sqlite"
    shutil.copy2(weeks[1], copy)
    return copy


def _as_of_counts(db: Path) -> dict[str, dict[str, int]]:
    """Rows by as-of date of every table that has an as_of column."""
    con = sqlite3.connect(db)
    try:
        tables = [t for (t,) in con.execute("SELECT name FROM sqlite_master WHERE type='table'")
                  if "as_of" in {c[1] for c in con.execute(f"PRAGMA table_info({t})")}]
        return {t: dict(con.execute(f"SELECT as_of, count(*) FROM {t} GROUP BY as_of").fetchall()) for t in tables}
    finally:
        con.close()


def test_list_shows_every_run(weeks: tuple[Path, Path, dict, dict]) -> None:
    _, db, first, second = weeks
    proc = pimxl("history", "list", "--history", db, "--json")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["history"] == str(db) and doc["bytes"] == db.stat().st_size + (
        db.with_name(db.name + "-wal").stat().st_size if db.with_name(db.name + "-wal").exists() else 0)
    assert [r["as_of"] for r in doc["runs"]] == [CUT.isoformat(), WEEK2.isoformat()]
    for run, rolled in zip(doc["runs"], (first, second), strict=True):
        assert run["summary"] == rolled["outputs"]["summary"]
        k = run["kpis"]
        assert (k["projects"], k["contracts"], k["files_found"], k["receivable"]) == (
            rolled["projects"], rolled["contracts"], rolled["files"]["found"], rolled["totals"]["receivable"])
        assert {c: k[c] for c in ("red", "amber", "green")} == rolled["rag"]
    assert doc["cached_files"] == first["cache"]["parsed"]
    # The plain listing (the group's default), in the working folder's history, zh and en.
    for args, words in ((("history",), ("历史数据库", "基准日", "2 次运行")),
                        (("history", "--lang", "en"), ("history:", "as of", "2 runs"))):
        proc = pimxl(*args, cwd=db.parent)
        assert proc.returncode == 0, proc.stderr
        lines = proc.stdout.splitlines()
        assert all(w in proc.stdout for w in words)
        assert [line.split()[0] for line in lines[2:]] == [CUT.isoformat(), WEEK2.isoformat()]
        # 基准日 运行时间(date time) 版本 项目 红 黄 绿 文件
        assert lines[2].split()[4:] == [str(first["projects"]), *(str(first["rag"][c]) for c in ("red", "amber", "green")),
                                        str(first["files"]["found"])]


def test_drop_a_run(weeks: tuple[Path, Path, dict, dict], db: Path) -> None:
    before = _as_of_counts(db)
    week1, week2 = CUT.isoformat(), WEEK2.isoformat()
    assert before["runs"] == {week1: 1, week2: 1} and before["stages"][week1] > 0
    kept = history_rows(db, skip=("cache", "cross", "seen", "meta"))
    # Not confirmed (no terminal to ask on), and a date with no run: exit 2, nothing dropped.
    for args in (("history", "drop", week1, "--history", db),
                 ("history", "drop", week1, "2026-01-05", "--yes", "--history", db)):
        proc = pimxl(*args)
        assert proc.returncode == 2 and proc.stdout == "" and "Error" in proc.stderr
        assert _as_of_counts(db) == before
    # The history and --json given before the subcommand are the subcommand's.
    proc = pimxl("history", "--history", db, "--json", "drop", week1, "--yes")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["dropped"] == [week1]
    assert {t: n for t, n in doc["rows"].items() if n} == {t: c[week1] for t, c in before.items() if week1 in c}
    after = _as_of_counts(db)
    assert all(week1 not in counts for counts in after.values())
    assert {t: c.get(week2) for t, c in after.items()} == {t: c.get(week2) for t, c in before.items()}
    # Week 2's rows are exactly as they were.
    left = history_rows(db, skip=("cache", "cross", "seen", "meta"))
    assert left == {t: [r for r in rows if r[0] != week1] for t, rows in kept.items()}


def test_after_a_drop_a_rerun_rebuilds_against_the_runs_left(weeks: tuple[Path, Path, dict, dict], db: Path,
                                                             tmp_path: Path) -> None:
    root, _, _, second = weeks
    out = tmp_path / "汇总-2.xlsx"
    shutil.copy2(second["outputs"]["summary"], out)
    # Week 2 rolled up again into this folder: a second re-run with nothing changed keeps its summary…
    _rollup(root, out, db, WEEK2)
    assert _rollup(root, out, db, WEEK2)["cache"]["unchanged_run"] is True
    # … but not once another run is gone.
    assert pimxl("history", "drop", CUT.isoformat(), "--yes", "--history", db).returncode == 0
    rerun = _rollup(root, out, db, WEEK2)
    # 本周变化 had week 1 to compare with; now there is no earlier run, so the summary is rebuilt.
    assert rerun["cache"]["unchanged_run"] is False
    import openpyxl

    wb = openpyxl.load_workbook(out, read_only=True)
    trend = [row for row in wb["趋势"].iter_rows(values_only=True) if row and row[0] is not None]
    dates = [str(r[0])[:10] for r in trend if str(r[0])[:4].isdigit()]
    assert dates == [WEEK2.isoformat()]


def test_compact_gives_space_back(db: Path) -> None:
    assert pimxl("history", "drop", CUT.isoformat(), "--yes", "--history", db).returncode == 0
    rows = history_rows(db, skip=())
    proc = pimxl("history", "compact", "--history", db, "--json")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["bytes_after"] < doc["bytes_before"]
    assert doc["bytes_after"] == db.stat().st_size
    assert history_rows(db, skip=()) == rows  # same rows, integrity checked


def test_no_history_is_a_usage_error_and_creates_nothing(tmp_path: Path) -> None:
    for args in (("history",), ("history", "compact"), ("history", "drop", "2026-11-20", "--yes")):
        proc = pimxl(*args, cwd=tmp_path)
        assert proc.returncode == 2 and "no history database" in proc.stderr
    assert list(tmp_path.iterdir()) == []
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"not a database" * 100)
    proc = pimxl("history", "--history", junk)
    assert proc.returncode == 1 and "history database unusable" in proc.stderr


def test_a_running_rollup_is_waited_for(db: Path) -> None:
    with RunLock(db.with_name(db.name + ".lock")):
        proc = pimxl("history", "drop", CUT.isoformat(), "--yes", "--history", db, "--wait", "0.3")
        assert proc.returncode == 1 and "a rollup is using the history" in proc.stderr
    assert CUT.isoformat() in _as_of_counts(db)["runs"]
    assert pimxl("history", "drop", CUT.isoformat(), "--yes", "--history", db).returncode == 0


def test_drop_before_a_date(db: Path) -> None:
    week1, week2 = CUT.isoformat(), WEEK2.isoformat()
    for args, why in ((("history", "drop", "--yes"), "give the dates"),
                      (("history", "drop", "--before", week1, "--yes"), "no run before")):
        proc = pimxl(*args, "--history", db)
        assert proc.returncode == 2 and why in proc.stderr
    proc = pimxl("history", "drop", "--before", week2, "--yes", "--history", db, "--json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["dropped"] == [week1]
    assert _as_of_counts(db)["runs"] == {week2: 1}


def test_looking_changes_nothing_even_for_another_pimxl_versions_history(db: Path) -> None:
    # The weekly job may run another pimxl version: its parse cache must survive a look with this one.
    con = sqlite3.connect(db)
    con.execute("UPDATE meta SET value = '0.0.1+1' WHERE key = 'cache_version'")
    con.commit()
    cached = con.execute("SELECT count(*) FROM cache").fetchone()[0]
    con.close()
    assert cached > 0
    before = db.read_bytes()
    assert pimxl("history", "--history", db).returncode == 0
    assert db.read_bytes() == before  # a look writes nothing
    assert pimxl("history", "drop", CUT.isoformat(), "--yes", "--history", db).returncode == 0
    con = sqlite3.connect(db)
    assert con.execute("SELECT value FROM meta WHERE key = 'cache_version'").fetchone()[0] == "0.0.1+1"
    assert con.execute("SELECT count(*) FROM cache").fetchone()[0] == cached
    con.close()
    # Nor does rebuilding a past week's summary or views from it.
    assert pimxl("summary", db.parent / "汇总-w2.xlsx", "--as-of", WEEK2.isoformat(), "--history", db).returncode == 0
    assert pimxl("views", db.parent / "视图", "--as-of", WEEK2.isoformat(), "--history", db).returncode == 0
    con = sqlite3.connect(db)
    assert con.execute("SELECT value FROM meta WHERE key = 'cache_version'").fetchone()[0] == "0.0.1+1"
    assert con.execute("SELECT count(*) FROM cache").fetchone()[0] == cached
    con.close()
