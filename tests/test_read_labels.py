"""Header-label folding (pimxl.io.read_labels), including its per-text and per-declaration caches."""

from __future__ import annotations

from typing import Any

import pytest

from pimxl.io.read_labels import field_labels, label_keys, label_lookup
from pimxl.templates import TEMPLATES


@pytest.mark.parametrize(("text", "keys"), [
    ("计划开始\nPlanned start", ("计划开始plannedstart", "计划开始", "plannedstart")),
    (" 项目编号 * ", ("项目编号",)),
    ("ｐｒｏｊｅｃｔ　ＩＤ：", ("projectid",)),
    ("WBS\u200b编码", ("wbs编码",)),
    ("  ", ()),
    ("", ()),
    (3.0, ()),
    (None, ()),
])
def test_label_keys(text: Any, keys: tuple[str, ...]) -> None:
    assert label_keys(text) == keys
    assert label_keys(text) == keys  # the second answer comes from the cache: the same


def test_field_labels_and_lookup_are_built_once() -> None:
    wbs = TEMPLATES["project-plan"].table("wbs")
    code = wbs.column("wbs_code")
    assert field_labels(code) == {"wbs编码", "wbscode"}
    assert field_labels(code) is field_labels(code)
    lookup = label_lookup(wbs)
    assert lookup is label_lookup(wbs)
    assert lookup["wbs编码"] == "wbs_code" and lookup["task"] == "task"
