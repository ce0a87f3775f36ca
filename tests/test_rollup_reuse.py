"""A re-run of the same as-of date after a few edits rebuilds only the projects whose files changed (issue 8, e),
and gives exactly what a run from scratch gives: the --json, every cell and link of the summary, every history row.

The small generated centre of tests/e2e_helpers.py; expected values come from a second, fresh run over the same
files with an empty history (no cache, nothing to reuse), never from the reuse code itself.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from e2e_helpers import CUT, copy_centre, history_rows, pimxl, shared_centre, summary_cells

from pimxl import rules
from pimxl.pipeline import read_file
from pimxl.rollup import aggregate
from pimxl.rollup.history import StoredProject
from pimxl.rollup.reuse import CachedResult, load_split, split_dumps


@pytest.fixture(scope="module")
def centre_src(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return shared_centre(tmp_path_factory)




def _rollup(root: Path, out: Path, db: Path, *extra: str) -> dict:
    proc = pimxl("rollup", root, "-o", out, "--as-of", CUT.isoformat(), "--history", db, "--json", *extra)
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    for volatile in ("timings", "outputs"):
        doc.pop(volatile)
    return doc






def _history(db: Path) -> dict[str, list[tuple]]:
    """Every snapshot row in the order stored; not the caches, nor the runs' own row (its time and folder). A
    stored project is compared by what it holds (a worker's pickle may share equal strings another way)."""
    rows = history_rows(db, skip=("cache", "cross", "seen", "runs", "meta"))
    rows["run_projects"] = [(*r[:3], StoredProject.load(r[2], r[3]).project) for r in rows["run_projects"]]
    return rows


def _as_from_scratch(doc: dict, root: Path, out: Path, db: Path, tmp_path: Path, *extra: str) -> None:
    """A re-run's document, summary and history rows are those of a run over the same files from scratch."""
    fresh_out, fresh_db = tmp_path / "fresh" / "汇总.xlsx", tmp_path / "fresh" / "h.sqlite"
    fresh = _rollup(root, fresh_out, fresh_db, *extra)
    assert fresh.pop("cache")["cached"] == 0
    assert {k: v for k, v in doc.items() if k != "cache"} == fresh
    assert summary_cells(out) == summary_cells(fresh_out)
    assert _history(db) == _history(fresh_db)


def _edit_contract(path: Path) -> None:
    """A PM moves the planned date of the first stage not yet done, as in Excel."""
    wb = openpyxl.load_workbook(path)
    ws = wb["合同进程"]
    head = [c.value for c in ws[2]]
    row = next(r for r in ws.iter_rows(min_row=3) if r[0].value and r[head.index("实际日期")].value is None)
    row[head.index("计划日期")].value = date(2027, 6, 30)
    wb.save(path)


def test_rerun_after_an_edit_rebuilds_one_project_and_equals_a_fresh_run(
        centre_src: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = copy_centre(centre_src, tmp_path / "c")
    out, db = tmp_path / "out" / "汇总.xlsx", tmp_path / "out" / "h.sqlite"
    _rollup(root, out, db)
    contract = next(root.rglob("PRJ-2026-002-合同进程表.xlsx"))
    _edit_contract(contract)

    # In this process, counting what is built again: one project, one group checked.
    from pimxl.commands.common import settings_for
    from pimxl.rollup.run import run_rollup

    built: list[str] = []
    checked: list[int] = []
    loaded: list[str] = []
    real_project, real_check, real_record = aggregate._project, rules.check_project, CachedResult.record.fget
    monkeypatch.setattr(aggregate, "_project", lambda pid, *a: built.append(pid) or real_project(pid, *a))
    monkeypatch.setattr(rules, "check_project",
                        lambda records, **k: checked.append(len(records)) or real_check(records, **k))
    monkeypatch.setattr(CachedResult, "record", property(
        lambda self: (loaded.append(self.path) if not self.record_loaded else None) or real_record(self),
        CachedResult.record.fset))
    run = run_rollup(root.resolve(), out.resolve(), as_of=CUT, settings=settings_for(root), history=db)
    assert run.parsed == 1 and built == ["PRJ-2026-002"] and len(checked) == 1
    assert run.reused == len(run.model.projects) - 1 > 0
    # The edited file's folder was read with its cached files: the project was settled there (a worker's job
    # in a larger run), so the run itself loaded no record at all.
    assert loaded == []
    monkeypatch.undo()

    run_doc = json.loads(json.dumps(run.json(), default=str))
    for k in ("timings", "outputs"):
        run_doc.pop(k)
    _as_from_scratch(run_doc, root, out, db, tmp_path)


def test_rerun_loads_only_the_changed_projects_records_when_no_worker_settles_them(
        centre_src: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from pimxl.commands.common import settings_for
    from pimxl.rollup import reading, run

    root = copy_centre(centre_src, tmp_path / "c")
    out, db = tmp_path / "out" / "汇总.xlsx", tmp_path / "out" / "h.sqlite"
    _rollup(root, out, db)
    _edit_contract(next(root.rglob("PRJ-2026-002-合同进程表.xlsx")))
    real_batch, real_record = reading._read_batch, CachedResult.record.fget
    monkeypatch.setattr(reading, "_read_batch", lambda args: real_batch((*args[:3], False, [])))  # as for a project
    loaded: list[str] = []                                                                 # spread over folders
    monkeypatch.setattr(CachedResult, "record", property(
        lambda self: (loaded.append(self.path) if not self.record_loaded else None) or real_record(self),
        CachedResult.record.fset))
    again = run.run_rollup(root.resolve(), out.resolve(), as_of=CUT, settings=settings_for(root), history=db)
    assert again.parsed == 1 and again.reused == len(again.model.projects) - 1
    assert sorted(loaded) == sorted(r.path for r in again.results if r.project_id == "PRJ-2026-002")
    monkeypatch.undo()
    _as_from_scratch({k: v for k, v in json.loads(json.dumps(again.json(), default=str)).items()
                      if k not in ("timings", "outputs")}, root, out, db, tmp_path)


def test_rerun_reuses_and_still_equals_a_fresh_run_in_english(centre_src: Path, tmp_path: Path) -> None:
    root = copy_centre(centre_src, tmp_path / "c")
    out, db = tmp_path / "out" / "汇总.xlsx", tmp_path / "out" / "h.sqlite"
    _rollup(root, out, db, "--lang", "en")
    _edit_contract(next(root.rglob("PRJ-2026-003-合同进程表.xlsx")))
    rerun = _rollup(root, out, db, "--lang", "en")
    assert rerun["cache"]["parsed"] == 1
    _as_from_scratch(rerun, root, out, db, tmp_path, "--lang", "en")


def test_a_damaged_cached_record_is_parsed_again(centre_src: Path, tmp_path: Path) -> None:
    root = copy_centre(centre_src, tmp_path / "c")
    out, db = tmp_path / "out" / "汇总.xlsx", tmp_path / "out" / "h.sqlite"
    first = _rollup(root, out, db)
    con = sqlite3.connect(db)
    path, blob = con.execute("SELECT path, blob FROM cache WHERE path LIKE '%合同进程表.xlsx' ORDER BY path").fetchone()
    # The record's last bytes flipped: the head still loads, the checksum in it does not match.
    con.execute("UPDATE cache SET blob = ? WHERE path = ?", (blob[:-8] + bytes(b ^ 0xFF for b in blob[-8:]), path))
    con.commit()
    con.close()
    again = _rollup(root, out, db, "--force")
    assert again["cache"]["parsed"] == 1
    for doc in (first, again):
        doc.pop("cache")
    assert again == first


def test_damaged_cross_findings_are_found_again(centre_src: Path, tmp_path: Path) -> None:
    root = copy_centre(centre_src, tmp_path / "c")
    out, db = tmp_path / "out" / "汇总.xlsx", tmp_path / "out" / "h.sqlite"
    _rollup(root, out, db)
    con = sqlite3.connect(db)
    damaged = con.execute("UPDATE cross SET blob = x'80ff00' WHERE cross_key IS NOT NULL").rowcount
    con.commit()
    con.close()
    assert damaged > 0
    rerun = _rollup(root, out, db, "--lang", "en")  # not an unchanged re-run: another language
    fresh = _rollup(root, tmp_path / "fresh" / "汇总.xlsx", tmp_path / "fresh" / "h.sqlite", "--lang", "en")
    assert rerun.pop("cache")["parsed"] == 0 and fresh.pop("cache")["cached"] == 0
    assert rerun == fresh


def test_split_blob_loads_the_record_on_first_use(centre_src: Path) -> None:
    path = next(p for p in sorted(centre_src.rglob("*-项目计划书.xlsx")) if not p.name.startswith("~$"))
    pid = path.name.removesuffix("-项目计划书.xlsx")
    result = read_file(path, as_of=CUT, display="p.xlsx")
    blob = split_dumps(result)
    assert result.record is not None  # the result given is left as it was
    lazy, eager = load_split(blob), load_split(blob, eager=True)
    # Known without the record: the project id, and that there is one.
    assert lazy.project_id == eager.project_id == result.project_id == pid
    assert lazy.has_record and not lazy.record_loaded and eager.record_loaded
    assert lazy.record.get("project_id") == pid and lazy.record_loaded
    assert lazy.record.form_values() == result.record.form_values()
    assert (lazy.path, lazy.sha256, lazy.findings) == (result.path, result.sha256, result.findings)
    lazy.record = None  # released as the rollup does
    assert lazy.record is None and lazy.record_loaded
    with pytest.raises(ValueError):
        load_split(blob[:-1])  # a damaged record: found when the head is loaded
    with pytest.raises(ValueError):
        load_split(b"\x78\x9c" + blob[3:])  # not a split blob (an older cache entry)


def test_compact_blobs_small_ones_stay_bare_and_older_deflated_ones_load() -> None:
    import pickle
    import zlib

    from pimxl.pipeline import SMALL_PICKLE, compact_dumps, compact_loads

    small, large = ["a finding"], [f"finding {i}" for i in range(400)]
    assert compact_dumps(small)[:1] == b"\x80" and compact_loads(compact_dumps(small)) == small
    assert len(pickle.dumps(large, pickle.HIGHEST_PROTOCOL)) > SMALL_PICKLE
    assert compact_dumps(large)[:1] != b"\x80" and compact_loads(compact_dumps(large)) == large
    # As an earlier pimxl stored even the small ones.
    assert compact_loads(zlib.compress(pickle.dumps(small, pickle.HIGHEST_PROTOCOL), 1)) == small


def test_workers_settle_the_projects_of_folders_they_read_whole(centre_src: Path, tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """A fresh run: each folder's files are read by one worker, which also checks and builds its projects; the
    run builds none itself, and gets what it gets when it builds them all (no folder read whole)."""
    from pimxl.commands.common import settings_for
    from pimxl.rollup import reading, run

    built: list[str] = []
    real_project, real_batch = aggregate._project, reading._read_batch
    monkeypatch.setattr(aggregate, "_project", lambda pid, *a: built.append(pid) or real_project(pid, *a))
    a, b = tmp_path / "workers", tmp_path / "here"
    # Two worker processes (forked after the patch: what they build is not counted here).
    pooled = run.run_rollup(centre_src.resolve(), (a / "汇总.xlsx").resolve(), as_of=CUT,
                            settings=settings_for(centre_src), history=a / "h.sqlite", jobs=2)
    assert len(pooled.model.projects) >= 7 and built == []
    monkeypatch.setattr(reading, "_read_batch", lambda args: real_batch((*args[:3], False, [])))
    here = run.run_rollup(centre_src.resolve(), (b / "汇总.xlsx").resolve(), as_of=CUT,
                          settings=settings_for(centre_src), history=b / "h.sqlite", jobs=1)
    assert sorted(built) == sorted(here.model.projects) == sorted(pooled.model.projects)
    assert summary_cells(a / "汇总.xlsx") == summary_cells(b / "汇总.xlsx")
    assert _history(a / "h.sqlite") == _history(b / "h.sqlite")
    assert pooled.json()["projects"] == here.json()["projects"] and pooled.kpis == here.kpis


def test_next_weeks_run_is_settled_by_the_workers_from_the_cache(centre_src: Path, tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """A new week with nothing edited: no file is parsed, and every folder goes to a worker with its cached files
    — which runs the rules for the new as-of date and builds the projects — so the run itself checks and builds
    nothing; the same summary and week as a run whose cache was emptied first (every file parsed again)."""
    from pimxl.commands.common import settings_for
    from pimxl.rollup import reading, run

    week2 = date(2026, 11, 27)
    out, db = tmp_path / "out" / "汇总.xlsx", tmp_path / "out" / "h.sqlite"
    _rollup(centre_src, out, db)
    parsed_db = tmp_path / "parsed" / "h.sqlite"
    parsed_db.parent.mkdir()
    shutil.copy(db, parsed_db)
    con = sqlite3.connect(parsed_db)
    con.execute("DELETE FROM cache")
    con.commit()
    con.close()
    built, checked = [], []
    real_project, real_check = aggregate._project, reading.check_file
    monkeypatch.setattr(aggregate, "_project", lambda pid, *a: built.append(pid) or real_project(pid, *a))
    monkeypatch.setattr(reading, "check_file", lambda r, **k: checked.append(r.path) or real_check(r, **k))
    settings = settings_for(centre_src)
    cached = run.run_rollup(centre_src.resolve(), out.resolve(), as_of=week2, settings=settings, history=db, jobs=2)
    assert cached.parsed == 0 and cached.cached > 20 and built == [] and checked == []
    monkeypatch.undo()
    again = run.run_rollup(centre_src.resolve(), (parsed_db.parent / "汇总.xlsx").resolve(), as_of=week2,
                           settings=settings, history=parsed_db, jobs=2)
    assert again.parsed == cached.cached
    assert summary_cells(out) == summary_cells(parsed_db.parent / "汇总.xlsx")
    assert _history(db) == _history(parsed_db)
