"""`pimxl validate` as a project manager runs it (issue 3, "Must show"): real files, the real command.

The demo centre's deliberate mistakes are located in the input workbooks with plain openpyxl, and the
finding must name exactly that cell.
"""

from __future__ import annotations

import json
import re
import shutil
import statistics
import time
from pathlib import Path

import openpyxl
import pytest
from e2e_helpers import CORPUS, DEMO_AS_OF, load, pimxl, read_table, shared_demo, tree_hashes

AS_OF = DEMO_AS_OF.isoformat()
FINDING_KEYS = {"code", "severity", "sheet", "cell", "field", "value", "message"}
CLEAN = {
    "form": {"project_id": "QA-001", "project_name": "测试项目", "contract_no": "HT-QA-1", "customer": "测试客户",
             "division": "网络集成事业部", "project_manager": "王磊", "sales_rep": "孙浩", "prepared_by": "王磊",
             "prepared_on": "2026-11-25", "contract_amount": 1000000, "signed_on": "2026-11-20",
             "payment_terms": "按节点", "currency": "CNY", "last_updated": "2026-11-25"},
    "tables": {
        "stages": [{"stage": "合同签订", "planned_date": "2026-11-20", "actual_date": "2026-11-20", "status": "已完成",
                    "owner": "孙浩"},
                   {"stage": "国内采购通知", "planned_date": "2026-12-01", "status": "进行中", "owner": "王磊"}],
        "payments": [{"node": "预付款", "ratio": 0.3, "trigger_stage": "合同签订", "due_date": "2026-12-20",
                      "invoiced": 300000, "invoiced_on": "2026-11-21", "received": 300000, "received_on": "2026-11-22"},
                     {"node": "到货款", "ratio": 0.3, "trigger_stage": "到货验货", "due_date": "2027-02-01"},
                     {"node": "初验款", "ratio": 0.2, "trigger_stage": "系统初验", "due_date": "2027-03-01"},
                     {"node": "终验款", "ratio": 0.15, "trigger_stage": "系统终验", "due_date": "2027-05-01"},
                     {"node": "质保金", "ratio": 0.05, "trigger_stage": "项目结项", "due_date": "2028-05-01"}]},
}


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return shared_demo(tmp_path_factory)[0] / "项目"


@pytest.fixture(scope="module")
def report(demo: Path) -> tuple[int, dict]:
    """`pimxl validate 项目 --json` over the whole demo centre, once."""
    before = tree_hashes(demo)
    proc = pimxl("validate", demo, "--json", "--as-of", AS_OF)
    assert tree_hashes(demo) == before
    return proc.returncode, json.loads(proc.stdout)  # exactly one JSON document on stdout


@pytest.fixture(scope="module")
def clean_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A contract table from `pimxl fill` with nothing wrong in it."""
    d = tmp_path_factory.mktemp("clean")
    data = d / "data.json"
    data.write_text(json.dumps(CLEAN, ensure_ascii=False), "utf-8")
    out = d / "QA-001-合同进程表.xlsx"
    proc = pimxl("fill", "contract-progress", out, "--data", data)
    assert proc.returncode == 0, proc.stderr
    return out


def _findings(doc: dict, path_part: str) -> list[dict]:
    (f,) = [f for f in doc["files"] if path_part in f["path"]]
    return f["findings"]


# ---------------------------------------------------------------- the JSON document and exit codes

def test_json_shape(report: tuple[int, dict]) -> None:
    code, doc = report
    assert code == 1  # the demo has errors
    assert set(doc) == {"files", "summary"}
    assert set(doc["summary"]) == {"files", "errors", "warnings", "infos"}
    assert doc["summary"]["files"] == len(doc["files"]) >= 130
    counted = {"error": 0, "warning": 0, "info": 0}
    for f in doc["files"]:
        assert {"path", "template", "version", "status", "reason", "findings"} == set(f)
        assert f["status"] in ("ok", "warnings", "errors", "unreadable", "skipped")
        if f["status"] in ("unreadable", "skipped"):
            assert f["reason"] and "\n" not in f["reason"]
        else:
            assert f["template"] in ("project-plan", "contract-progress", "adjustment", "site-environment")
            assert isinstance(f["version"], int)
        for g in f["findings"]:
            assert FINDING_KEYS <= set(g) <= FINDING_KEYS | {"related"}
            assert g["severity"] in counted and re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", g["code"])
            counted[g["severity"]] += 1
        worst = {g["severity"] for g in f["findings"]}
        if f["status"] not in ("unreadable", "skipped"):
            assert f["status"] == ("errors" if "error" in worst else "warnings" if "warning" in worst else "ok")
    assert [doc["summary"][k] for k in ("errors", "warnings", "infos")] == list(counted.values())


def test_exit_0_for_a_clean_file(clean_file: Path) -> None:
    proc = pimxl("validate", clean_file, "--as-of", AS_OF, "--json")
    assert proc.returncode == 0, proc.stdout
    (f,) = json.loads(proc.stdout)["files"]
    assert f["status"] == "ok" and all(g["severity"] == "info" for g in f["findings"])


@pytest.mark.parametrize("args", [
    ["--as-of", "2026-13-01"], ["--as-of", "soon"], ["--bogus"], ["--lang", "fr"], ["/no/such/file.xlsx"], [],
])
def test_exit_2_for_bad_usage(clean_file: Path, args: list[str]) -> None:
    proc = pimxl("validate", *([clean_file] if args != [] else []), *args)
    assert proc.returncode == 2
    assert proc.stdout == "" and proc.stderr.strip()


@pytest.mark.skipif(not CORPUS.is_dir(), reason="corpus not available")
@pytest.mark.parametrize("name,code", [
    ("apache-poi/protected_passtika.xlsx", "file-encrypted"),
    ("apache-poi/password.xls", "file-encrypted"),
    ("apache-poi/xlsx-corrupted.xlsx", None),
])
def test_exit_3_for_a_named_unreadable_file(name: str, code: str | None, clean_file: Path) -> None:
    proc = pimxl("validate", CORPUS / name, "--json")
    assert proc.returncode == 3
    (f,) = json.loads(proc.stdout)["files"]
    assert f["status"] == "unreadable" and f["reason"]
    (g,) = f["findings"]
    assert g["severity"] == "error" and (code is None or g["code"] == code)
    # alongside a good file the unreadable one still decides the exit code
    assert pimxl("validate", clean_file, CORPUS / name, "--as-of", AS_OF).returncode == 3


# ---------------------------------------------------------------- text output

def test_text_grouped_by_file_with_addresses(demo: Path) -> None:
    project = next(demo.rglob("PRJ-2026-014-项目计划书.xlsx")).parent
    proc = pimxl("validate", project, "--as-of", AS_OF)
    assert proc.returncode == 1
    lines = proc.stdout.splitlines()
    heads = [i for i, line in enumerate(lines) if not line.startswith(" ")]
    assert len(heads) == len(list(project.glob("*.xlsx"))) + 1  # one heading per file, then the total
    assert lines[-1].startswith("共 ") and "错误" in lines[-1]
    assert re.search(r"错误\s+'WBS工作分解'!G\d+\s+date-ambiguous", proc.stdout)

    en = pimxl("validate", project, "--as-of", AS_OF, "--lang", "en")
    assert en.returncode == 1
    assert re.search(r"error\s+'WBS工作分解'!G\d+\s+date-ambiguous\s+.*cannot", en.stdout) or \
        re.search(r"error\s+'WBS工作分解'!G\d+\s+date-ambiguous", en.stdout)
    assert en.stdout.splitlines()[-1].endswith("skipped") and "errors" in en.stdout.splitlines()[-1]
    assert not re.search(r"[\u4e00-\u9fff]{4,}。", en.stdout)  # no Chinese sentences in English output


# ---------------------------------------------------------------- folders, lock files, .numbers

def test_folder_recursion_skips_with_reasons(tmp_path: Path, clean_file: Path) -> None:
    root = tmp_path / "中心" / "项目A" / "子文件夹"
    root.mkdir(parents=True)
    shutil.copy2(clean_file, root / clean_file.name)
    (root / ("~$" + clean_file.name)).write_bytes(b"\x06wanglei" + b" " * 100)
    (root / "说明.docx").write_bytes(b"not a spreadsheet")
    numbers = sorted(CORPUS.glob("*/*.numbers"))
    if numbers:
        shutil.copy2(numbers[0], root / "苹果表格.numbers")
    proc = pimxl("validate", tmp_path / "中心", "--json", "--as-of", AS_OF)
    doc = json.loads(proc.stdout)
    by_name = {Path(f["path"]).name: f for f in doc["files"]}
    assert by_name[clean_file.name]["status"] == "ok"
    assert by_name["~$" + clean_file.name]["status"] == "skipped" and by_name["~$" + clean_file.name]["reason"]
    if numbers:
        assert by_name["苹果表格.numbers"]["status"] == "skipped" and "Numbers" in by_name["苹果表格.numbers"]["reason"]
    assert "说明.docx" not in by_name
    assert proc.returncode == 0  # skipped files are not errors


# ---------------------------------------------------------------- each demo mistake at its cell

def _books(root: Path, pattern: str) -> list[Path]:
    return [p for p in sorted(root.rglob(pattern)) if not p.name.startswith("~$")]


def _cell_where(path: Path, sheet: str, match: object) -> str:
    """The A1 address of the first cell on ``sheet`` for which ``match(value)`` holds."""
    ws = load(path, False)[sheet]
    for row in ws.iter_rows():
        for c in row:
            if match(c.value):  # type: ignore[operator]
                return c.coordinate
    raise AssertionError(f"nothing matched on {sheet}")


def _one(doc: dict, path: Path, code: str) -> dict:
    hits = [g for g in _findings(doc, path.name) if g["code"] == code]
    assert len(hits) == 1, (code, _findings(doc, path.name))
    return hits[0]


def test_ambiguous_date(demo: Path, report: tuple[int, dict]) -> None:
    date_like = re.compile(r"\d\d/\d\d/\d{4}")
    hits = [p for p in _books(demo, "*-项目计划书.xlsx") if any(
        isinstance(r["实际开始"], str) and date_like.fullmatch(r["实际开始"])
        for r in read_table(load(p)["WBS工作分解"]))]
    assert len(hits) == 1
    cell = _cell_where(hits[0], "WBS工作分解", lambda v: isinstance(v, str) and date_like.fullmatch(v))
    g = _one(report[1], hits[0], "date-ambiguous")
    assert (g["severity"], g["sheet"], g["cell"]) == ("error", "WBS工作分解", cell)
    assert re.fullmatch(r"\d\d/\d\d/\d{4}", g["value"]) and g["value"] in g["message"]
    # the unreadable start is not reported a second time as "missing"
    assert not [x for x in _findings(report[1], hits[0].name) if x["code"] == "actual-finish-without-start"]


def test_money_in_wan_normalised(demo: Path, report: tuple[int, dict]) -> None:
    hits = []
    for p in _books(demo, "*-项目计划书.xlsx"):
        ws = load(p, False)["项目信息"]
        hits += [(p, c.coordinate, c.value) for (c,) in ws.iter_rows(min_col=2, max_col=2)
                 if isinstance(c.value, str) and c.value.endswith("万")]
    assert len(hits) == 1
    path, cell, text = hits[0]
    g = _one(report[1], path, "number-normalised")
    assert (g["severity"], g["cell"], g["value"], g["field"]) == ("info", cell, text, "contract_amount")
    assert f"{float(text[:-1]) * 10_000:,.0f}" in g["message"]


def test_stage_order(demo: Path, report: tuple[int, dict]) -> None:
    found = []
    for p in _books(demo, "*-合同进程表.xlsx"):
        ws = load(p)["合同进程"]
        last = None
        for (_, _, act, status, *_), row in zip(ws.iter_rows(min_row=3, values_only=True), range(3, 100),
                                                strict=False):
            if status == "不适用" or act is None:
                continue
            if last is not None and act < last:
                found.append((p, f"C{row}"))
            last = act
    assert len(found) == 1
    path, cell = found[0]
    g = _one(report[1], path, "stage-order")
    assert (g["severity"], g["sheet"], g["cell"]) == ("error", "合同进程", cell)


def test_missing_customer(demo: Path, report: tuple[int, dict]) -> None:
    found = []
    for p in _books(demo, "*-用户场地环境确认表.xlsx"):
        ws = load(p, False)["场地信息"]
        found += [(p, b.coordinate) for a, b in ws.iter_rows(min_col=1, max_col=2)
                  if str(a.value or "").startswith("客户名称") and b.value in (None, "")]
    assert len(found) == 1
    g = _one(report[1], found[0][0], "required-missing")
    assert (g["severity"], g["sheet"], g["cell"], g["field"]) == ("error", "场地信息", found[0][1], "customer")


def test_percent_complete_vs_status(demo: Path, report: tuple[int, dict]) -> None:
    found = []
    for p in _books(demo, "*-项目计划书.xlsx"):
        ws = load(p)["WBS工作分解"]
        head = [c.value for c in ws[2]]
        pct, status = head.index("完成%"), head.index("状态")
        for row in ws.iter_rows(min_row=3):
            if row[pct].value == 1 and row[status].value == "进行中":
                found.append((p, row[status].coordinate))
    assert len(found) == 1
    g = _one(report[1], found[0][0], "complete-status-mismatch")
    assert (g["severity"], g["cell"], g["value"]) == ("error", found[0][1], "进行中")


# ---------------------------------------------------------------- --annotate

@pytest.mark.libreoffice
def test_annotate_copies(demo: Path, tmp_path: Path) -> None:
    from lo import convert

    project = next(demo.rglob("PRJ-2026-014-项目计划书.xlsx")).parent
    before = tree_hashes(project)
    out = tmp_path / "标注"
    proc = pimxl("validate", project, "--annotate", out, "--as-of", AS_OF)
    assert proc.returncode == 1
    assert tree_hashes(project) == before  # originals untouched
    copies = sorted(out.rglob("*.xlsx"))
    # A copy of each readable workbook, clean ones included (their 校验结果 sheet says so).
    readable = [Path(f["path"]).name for f in json.loads(
        pimxl("validate", project, "--json", "--as-of", AS_OF).stdout)["files"]
        if f["status"] not in ("unreadable", "skipped")]
    assert sorted(p.name for p in copies) == sorted(readable) and len(copies) >= 3
    plan = next(p for p in copies if p.name.endswith("项目计划书.xlsx"))
    wb = openpyxl.load_workbook(plan)
    rows = list(wb["校验结果"].iter_rows(min_row=2, values_only=True))
    bad = next(r for r in rows if r[2] == "date-ambiguous")
    sheet, cell = re.fullmatch(r"'(.+)'!([A-Z]+\d+)", bad[1]).groups()  # type: ignore[union-attr]
    c = wb[sheet][cell]
    assert c.comment is not None and "yyyy-mm-dd" in c.comment.text
    assert c.fill.fgColor.rgb not in (None, "00000000")
    pdfs = convert(copies, "pdf", tmp_path / "pdf")  # LibreOffice opens every copy
    assert all(p.stat().st_size > 1000 for p in pdfs)


# ---------------------------------------------------------------- corpus, start-up time

@pytest.mark.skipif(not CORPUS.is_dir(), reason="corpus not available")
def test_corpus_sample_no_traceback(tmp_path: Path) -> None:
    """A spread of odd real files in one command: each gets a status; unreadable ones a reason."""
    names = [line.split("\t")[0] for line in (CORPUS / "MANIFEST.tsv").read_text("utf-8").splitlines()[1:]]
    sample = [CORPUS / n for n in names[::12]]
    proc = pimxl("validate", *sample, "--json", timeout=120)
    assert proc.returncode in (0, 1, 3)
    doc = json.loads(proc.stdout)
    assert len(doc["files"]) == len(sample)
    for f in doc["files"]:
        assert f["status"] in ("ok", "warnings", "errors", "unreadable", "skipped")
        if f["status"] in ("unreadable", "skipped"):
            assert f["reason"]


def test_one_file_wall_time(clean_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`pimxl validate one.xlsx` including interpreter start-up: median of 5 runs."""
    times = []
    for _ in range(5):
        t = time.perf_counter()
        assert pimxl("validate", clean_file, "--as-of", AS_OF).returncode == 0
        times.append(time.perf_counter() - t)
    median = statistics.median(times)
    with capsys.disabled():
        print(f"\n[pimxl validate one.xlsx] median wall time {median:.3f} s (runs: "
              + ", ".join(f"{t:.3f}" for t in times) + ")")
    assert median < 3.0


def test_a_loop_of_symbolic_links_is_a_skipped_file_not_a_crash(tmp_path: Path) -> None:
    (tmp_path / "项目").mkdir()
    (tmp_path / "项目" / "a.xlsx").symlink_to("b.xlsx")
    (tmp_path / "项目" / "b.xlsx").symlink_to("a.xlsx")
    proc = pimxl("validate", tmp_path / "项目")
    assert proc.returncode == 0, proc.stderr
    assert "internal error" not in proc.stderr and proc.stdout.count("符号链接循环，无法读取") == 2


def test_many_workbooks_are_read_in_workers_with_the_same_result(demo: Path, report: tuple[int, dict]) -> None:
    # The demo centre (138 workbooks) is checked by worker processes; one process gives the very same document,
    # text and exit code.
    serial = pimxl("validate", demo, "--json", "--as-of", AS_OF, "--jobs", "1")
    assert (serial.returncode, json.loads(serial.stdout)) == report
    assert len(report[1]["files"]) >= 100
    text = [pimxl("validate", demo, "--as-of", AS_OF, "--jobs", jobs) for jobs in ("1", "2")]
    assert text[0].stdout == text[1].stdout and text[0].returncode == text[1].returncode == report[0]
    assert text[1].stderr == ""  # no progress bar off a terminal


def test_workers_start_only_for_many_workbooks(demo: Path, clean_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import concurrent.futures
    from datetime import date

    from pimxl import validate as V
    from pimxl.commands.common import settings_for

    made: list[int | None] = []

    class Spy(concurrent.futures.ProcessPoolExecutor):
        def __init__(self, *a: object, **k: object) -> None:
            made.append(k.get("max_workers"))  # type: ignore[arg-type]
            super().__init__(*a, **k)  # type: ignore[arg-type]

    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", Spy)
    as_of = date.fromisoformat(AS_OF)
    many = V.validate_paths([demo], as_of=as_of, settings=settings_for(demo), jobs=2)
    assert made == [2] and len(many.results) >= V.POOL_THRESHOLD
    made.clear()
    V.validate_paths([clean_file], as_of=as_of, settings=settings_for(clean_file), jobs=2)
    V.validate_paths([demo], as_of=as_of, settings=settings_for(demo), jobs=1)
    assert made == []
