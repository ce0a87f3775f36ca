"""Every file of the shared real-world corpus: probe + a full calamine read, in child processes
limited to 512 MiB of address space, each file within 5 s of CPU. No exception may escape, no child
may die or hang, every file ends ok or with a one-line reason, and MANIFEST tags are honoured.
"""

from __future__ import annotations

from collections import Counter

import pytest
from corpus_tool import CORPUS, PER_FILE_SECONDS, Outcome, manifest, run_corpus

pytestmark = pytest.mark.skipif(not (CORPUS / "MANIFEST.tsv").is_file(), reason="shared corpus not present")


@pytest.fixture(scope="module")
def outcomes() -> dict[str, tuple[Outcome, set[str]]]:
    rows = manifest()
    results = run_corpus([CORPUS / f for f, _ in rows])
    by_name = {f: (results[CORPUS / f], tags) for f, tags in rows}
    counts = Counter((o.status, o.code) for o, _ in by_name.values())
    print("\ncorpus:", len(by_name), "files")
    for (status, code), n in sorted(counts.items()):
        print(f"  {n:4d} {status:10s} {code}")
    return by_name


def test_every_file_has_a_status_and_nothing_escapes(outcomes: dict[str, tuple[Outcome, set[str]]]) -> None:
    bad = {f: o.error for f, (o, _) in outcomes.items() if o.error or o.status not in ("ok", "unreadable", "skipped")}
    assert bad == {}
    for f, (o, _) in outcomes.items():
        if o.status != "ok":
            assert o.code and o.reason_zh and o.reason_en, f
            assert "\n" not in o.reason_zh + o.reason_en, f
            assert len(o.reason_en) < 240, f


def test_time_budget(outcomes: dict[str, tuple[Outcome, set[str]]]) -> None:
    slow = {f: round(o.cpu_ms) for f, (o, _) in outcomes.items() if o.cpu_ms > PER_FILE_SECONDS * 1000}
    assert slow == {}


def test_manifest_expectations(outcomes: dict[str, tuple[Outcome, set[str]]]) -> None:
    wrong = []
    for f, (o, tags) in outcomes.items():
        if "encrypted" in tags and o.code != "file-encrypted":
            wrong.append((f, "encrypted", o.code))
        if tags & {"numbers-native", "fods", "xls-biff2", "xls-biff3", "xls-biff4"} and o.status != "skipped":
            wrong.append((f, "unsupported format", o.status))
        if "xml-bomb" in tags and o.code != "xml-unsafe":
            wrong.append((f, "xml-bomb", o.code))
        # (the one ``xxe`` file is an XSD <redefine schemaLocation> in xl/xmlMaps.xml: no DTD, and no
        # parser of ours fetches schemas, so reading it is safe and it may well come out ok)
        if "not-ole-not-zip" in tags and o.code not in ("not-a-spreadsheet", "file-unsupported"):
            wrong.append((f, "not a workbook", o.code))
    assert wrong == []


def test_plain_files_from_real_producers_read(outcomes: dict[str, tuple[Outcome, set[str]]]) -> None:
    """Ordinary files from Excel, WPS, LibreOffice, Google Sheets… must read, not be refused."""
    producers = {"excel-made", "wps-made", "libreoffice-made", "google-sheets-made", "excel-mac", "numbers-made",
                 "tencent-docs-made", "openoffice-made"}
    defects = {"corrupt", "truncated", "encrypted", "fuzz", "bad-crc", "oom-trigger", "dos-trigger", "xml-bomb",
               "not-a-workbook-zip", "xls-biff2", "xls-biff3", "xls-biff4", "numbers-native", "fods",
               "excel-made(mutated)", "utf16-xml", "malformed-sst", "chartsheet", "quattro-made"}
    refused = [(f, o.code, o.reason_en) for f, (o, tags) in outcomes.items()
               if tags & producers and not tags & defects and o.status != "ok"]
    # Known calamine limitations (kept visible here rather than hidden by a tag):
    known = {"ExcelDataReader-ExcelDataReader/Test_git_issue_68_NullSheetPath.xlsm"}  # "Relationship not found"
    assert [r for r in refused if r[0] not in known] == []


def test_ext_mismatch_read_by_content(outcomes: dict[str, tuple[Outcome, set[str]]]) -> None:
    mismatched = {f: (o.kind, o.status) for f, (o, tags) in outcomes.items() if "ext-mismatch" in tags}
    assert mismatched and all(status == "ok" for _, status in mismatched.values()), mismatched
    assert mismatched["roo-rb-roo/type_excel.xlsx"] == ("xls", "ok")


def test_huge_dimension_files_stay_bounded(outcomes: dict[str, tuple[Outcome, set[str]]]) -> None:
    huge = {f: o.status for f, (o, tags) in outcomes.items() if "huge-dimension" in tags}
    # every one of them read in the 512 MiB child (declared dimensions are ignored by calamine), except the
    # ODS that asks for 17 G cells, which probe refuses before calamine sees it
    assert {f for f, s in huge.items() if s != "ok"} == {"tafia-calamine/issue_594_dos.ods"}
