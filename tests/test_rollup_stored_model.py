"""Projects stored in the history as class and field values (stored_model), and loaded back by field name when
an older pimxl stored them with other fields."""

from __future__ import annotations

import io
import json
import pickle
import zlib
from dataclasses import MISSING, fields
from pathlib import Path

import pytest
import rollupcentre as C

from pimxl.rollup import model as M
from pimxl.rollup import stored_model as S
from pimxl.rollup.aggregate import build_model
from pimxl.rollup.history import History, StoredProject, project_blob
from pimxl.rollup.kpis import compute_kpis


@pytest.fixture(scope="module")
def built() -> M.RollupModel:
    return build_model(C.centre(1), C.AS_OF_1)


def _old_blob(obj: object, layout_id: str, table: dict) -> bytes:
    """A blob as a pimxl with another layout made it: ``table`` maps a class to its reduction then."""
    buf = io.BytesIO()
    pickler = pickle.Pickler(buf, pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = table
    pickler.dump(obj)
    return b"PM1" + layout_id.encode() + zlib.compress(buf.getvalue())


def test_every_model_class_is_made_from_its_fields() -> None:
    # What makes cls(*values) the object pickled: every field an __init__ argument, nothing recomputed after.
    assert set(S.LAYOUT) >= {"Project", "Contract", "StageRow", "PaymentRow", "MilestoneRow", "Reason",
                             "OverdueItem", "RollupModel"}
    for name in S.LAYOUT:
        cls = getattr(M, name)
        assert S.positional(cls) and cls in S._TABLE, name
    # A class with a keyword-only field (or a __post_init__) is not: _table leaves it to the default pickling.
    from dataclasses import dataclass, field

    @dataclass
    class Later:
        a: int
        b: list[int] = field(default_factory=list, kw_only=True)

    @dataclass
    class Derived:
        a: int

        def __post_init__(self) -> None:
            self.a += 1

    assert not S.positional(Later) and not S.positional(Derived)


def test_projects_round_trip_smaller(built: M.RollupModel) -> None:
    overdue = {pid: [o for o in built.overdue if o.project_id == pid] for pid in built.projects}
    for pid, p in built.projects.items():
        blob = project_blob(p, overdue[pid])
        assert blob.startswith(b"PM1" + S.LAYOUT_ID.encode())
        loaded = StoredProject.load("sig", blob)
        assert loaded.project == M.Project(**{**p.__dict__, "tasks": []})
        assert loaded.overdue == overdue[pid]
        assert loaded.findings == p.findings
        # The default pickle of the same, as an earlier pimxl stored it: still loaded, and larger.
        q = M.Project(**{**p.__dict__, "tasks": []})
        legacy = zlib.compress(pickle.dumps((q, overdue[pid]), pickle.HIGHEST_PROTOCOL), 1)
        assert StoredProject.load("sig", legacy).project == loaded.project
        assert len(blob) < len(legacy)


def test_another_layout_loads_by_field_name() -> None:
    reason = M.Reason("red", "逾期 12 天", "12 days late")
    # An older pimxl whose Reason had its fields in another order and one field since removed.
    layout = {"Reason": ["en", "gone", "zh", "level"]}
    blob = _old_blob([reason], "0123456789abcdef", {M.Reason: lambda r: (M.Reason, (r.en, "x", r.zh, r.level))})
    assert S.loads(blob, {"0123456789abcdef": layout}.get) == [reason]
    with pytest.raises(ValueError, match="unknown model layout"):
        S.loads(blob)
    # A class that layout did not pickle as values (its attribute dict, as the default pickle makes it): by name.
    default = _old_blob([reason], "00000000deadbeef", {})
    assert S.loads(default, {"00000000deadbeef": {"Project": ["project_id"]}}.get) == [reason]
    # A field that has no default and the old layout lacks: the blob cannot be used.
    lacking = _old_blob([reason], "fedcba9876543210", {M.Reason: lambda r: (M.Reason, (r.en, r.zh))})
    assert all(f.default is MISSING for f in fields(M.Reason))
    with pytest.raises(ValueError, match="cannot be loaded"):
        S.loads(lacking, {"fedcba9876543210": {"Reason": ["en", "zh"]}}.get)


def test_history_keeps_layouts_and_loads_an_older_pimxls_projects(tmp_path: Path, built: M.RollupModel) -> None:
    db = tmp_path / "h.sqlite"
    with History(db) as h:
        h.save_snapshot(C.AS_OF_1, built, compute_kpis(built))
        assert h.layout(S.LAYOUT_ID) == {k: list(v) for k, v in S.LAYOUT.items()}
        assert h.layout("0000000000000000") is None
        stored = h.load_projects(C.AS_OF_1)
        assert set(stored) == set(built.projects)
        pid, first = next(iter(stored.items()))
        # The same project as a pimxl whose Project had its fields reversed stored it, with its layout.
        old_layout = {**S.LAYOUT, "Project": list(reversed(S.LAYOUT["Project"]))}
        # (every other class as this pimxl stores it)
        table = {**S._table(), M.Project: lambda p: (M.Project, tuple(getattr(p, n) for n in old_layout["Project"]))}
        old = _old_blob((first.project, first.overdue), "1111111111111111", table)
        h.conn.execute("UPDATE run_projects SET blob = ? WHERE project_id = ?", (old, pid))
        h.conn.execute("INSERT INTO meta VALUES ('layout:1111111111111111', ?)", (json.dumps(old_layout),))
    with History(db) as h:
        again = h.load_projects(C.AS_OF_1)
        assert again[pid].project == first.project and again[pid].overdue == first.overdue
        assert h.load_model(C.AS_OF_1) is not None
        # A layout the history does not know: that project is left out (built again), the model unusable.
        h.conn.execute("DELETE FROM meta WHERE key = 'layout:1111111111111111'")
    with History(db) as h:
        assert pid not in h.load_projects(C.AS_OF_1) and len(h.load_projects(C.AS_OF_1)) == len(built.projects) - 1
        assert h.load_model(C.AS_OF_1) is None
