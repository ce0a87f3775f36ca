"""Shared fixtures: a click runner, and LibreOffice (skipping tests marked ``libreoffice`` without it)."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from lo import soffice_path


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if soffice_path() is not None:
        return
    skip = pytest.mark.skip(reason="LibreOffice (soffice) not installed")
    for item in items:
        if "libreoffice" in item.keywords:
            item.add_marker(skip)
