"""Workbooks re-saved by LibreOffice (as .xlsx, .ods and .xls) read to the same records."""

from __future__ import annotations

from pathlib import Path

import pytest
from fixtures_reader import SAMPLES, expected, snapshot, write_sample
from lo import convert

from pimxl.findings import Severity
from pimxl.io.reader import read_workbook

pytestmark = [pytest.mark.libreoffice, pytest.mark.slow]
IDS = sorted(SAMPLES)


@pytest.fixture(scope="module")
def sources(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    folder = tmp_path_factory.mktemp("lo-src")
    return [write_sample(t, folder / f"{t}.xlsx") for t in IDS]


@pytest.fixture(scope="module", params=["xlsx", "ods", "xls"])
def resaved(request: pytest.FixtureRequest, sources: list[Path],
            tmp_path_factory: pytest.TempPathFactory) -> tuple[str, dict[str, Path]]:
    fmt = request.param
    outs = convert(sources, fmt, tmp_path_factory.mktemp(f"lo-{fmt}"))
    return fmt, dict(zip(IDS, outs, strict=True))


@pytest.mark.parametrize("template_id", IDS)
def test_resaved_by_libreoffice(resaved: tuple[str, dict[str, Path]], template_id: str) -> None:
    fmt, paths = resaved
    rec = read_workbook(paths[template_id])
    assert rec.template_id == template_id
    assert snapshot(rec) == expected(template_id)
    # LibreOffice computed the formulas, so nothing was recomputed; .ods/.xls lose names and tables.
    codes = {f.code for f in rec.findings}
    assert "formula-recomputed" not in codes
    assert codes <= ({"read-by-label"} if fmt != "xlsx" else set())
    assert not [f for f in rec.findings if f.severity != Severity.INFO]
    assert rec.cell("project_id").address == "'" + rec.sheets["info"] + "'!B4"
