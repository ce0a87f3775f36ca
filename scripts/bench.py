"""Benchmark the weekly rollup against a raw parse and the naive pandas script (issue 8).

    python scripts/bench.py [-n 1000] [--quick] [--repeat 3] [--dir DIR] [--jobs 0] [--json]

Generates a synthetic centre of N projects (~4 workbooks each: plan, contract, site form, adjustments)
reproducibly from ``--seed``: a few dozen distinct projects are written with pimxl's own template writer
(real templates, ~90 ms a file), and every project of the centre is derived from one of them by patching
its identity (project id, contract number, name) into the form sheet's XML of a copy — a few ms a file.
The centre also holds one truncated workbook and one Excel lock file, as a real shared folder does.

Figures (each timed ``--repeat`` times, the median reported):

    a  raw python-calamine read of every sheet of every workbook, one process (the baseline)
    b  the naive script: pandas.read_excel(f, sheet_name=None, engine="openpyxl") over every workbook
    c  `pimxl rollup` from scratch (empty history): discover, read, validate, aggregate, summary, history
    d  the same rollup re-run with nothing changed (recognised as an unchanged re-run: the summary is kept)
    e  the rollup re-run after 5 % of the workbooks were edited
    f  `pimxl validate` of one workbook, wall time including interpreter start-up
    g  peak RSS of (c) — the rollup process and its workers together — at N and at 2.5 N projects, in runs
       of their own (sampling the tree's memory every 10 ms slows the run it watches by ~10 %)
    h  the summary writer against plain xlsxwriter writing the same cells (scripts/bench_writer.py)

Targets: c/a ≤ 2.0; b/c ≥ 10; d/c ≤ 0.10; e/c ≤ 0.20; f ≤ 0.5 s; g ≤ 1 GiB; h ≤ 1.2. The benchmark
reports; it does not assert. ``--json`` prints one JSON document and nothing else (progress on stderr).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import statistics
import struct
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
import zlib
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

AS_OF = date(2026, 11, 27)
_STAMP = datetime(2026, 11, 27, 8, 0)
GiB = 1 << 30
TARGETS = {"c/a": ("≤", 2.0), "b/c": ("≥", 10.0), "d/c": ("≤", 0.10), "e/c": ("≤", 0.20), "f": ("≤", 0.5),
           "g": ("≤", 1.0), "g_big": ("≤", 1.0), "h": ("≤", 1.2)}


def compile_pimxl() -> int:
    """Write pimxl's bytecode cache when this interpreter would not (``PYTHONDONTWRITEBYTECODE``, as set on these
    machines), so that the runs measured are those of an installed pimxl: Python writes ``__pycache__`` on a user's
    first run (and ``pip install .`` at install time), whereas here every process — the run, each worker, the
    summary's child — would compile ~150 modules again, 0.1–0.2 CPU-s a run that no user pays. Returns how many
    modules were compiled (0 when the cache was there, or the interpreter writes it itself)."""
    if not sys.dont_write_bytecode:
        return 0
    import compileall
    import importlib.util

    import pimxl

    package = Path(pimxl.__file__).parent
    # compileall recompiles what is stale by itself; counted here to say so.
    cached = {f: Path(importlib.util.cache_from_source(str(f))) for f in package.rglob("*.py")}
    stale = [f for f, pyc in cached.items() if not pyc.exists() or pyc.stat().st_mtime < f.stat().st_mtime]
    if stale:
        compileall.compile_dir(package, quiet=2)
    return len(stale)


def say(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


# ----------------------------------------------------------------------------------------------------
# The synthetic centre


@dataclass
class Proto:
    """One workbook written by the template writer: its zip members, raw (still compressed)."""

    kind: str  # file-name suffix: 项目计划书, 合同进程表, …
    members: list[tuple[zipfile.ZipInfo, bytes]]  # (info, compressed bytes)
    plain: dict[str, bytes]  # uncompressed XML of the members that hold the project's identity


@dataclass
class Centre:
    root: Path
    files: list[Path] = field(default_factory=list)  # the template workbooks (not the extras)
    recipes: dict[Path, tuple[Proto, dict[bytes, bytes]]] = field(default_factory=dict)


_ADJUSTMENT = "项目调整确认表"


def _write_project(args: tuple[int, int, int, str]) -> list[tuple[str, str, dict[str, str]]]:
    """Write one distinct project's workbooks with the template writer (in a worker)."""
    from pimxl.demo.centre import make_centre, workbooks_at
    from pimxl.demo.workbooks import adjustment_data
    from pimxl.io.writer import write_template
    from pimxl.templates import ADJUSTMENT, CONTRACT_PROGRESS, PROJECT_PLAN, SITE_ENVIRONMENT

    index, count, seed, folder = args
    p = make_centre(AS_OF, projects=count, seed=seed)[index]
    books = workbooks_at(p, AS_OF)
    jobs: list[tuple[Any, str, dict[str, Any]]] = [(PROJECT_PLAN, "项目计划书", books["plan"]),
                                                   (CONTRACT_PROGRESS, "合同进程表", books["contract"])]
    if books["site"]:
        jobs.append((SITE_ENVIRONMENT, "用户场地环境确认表", books["site"]))
    for adj in books["adjustments"]:
        jobs.append((ADJUSTMENT, f"项目调整确认表-{adj['adjustment_no']}", adjustment_data(p, adj, AS_OF)))
    out = []
    ident = {"id": p.project_id, "contract": p.contract_no, "name": p.name, "division": p.division}
    for template, kind, data in jobs:
        path = Path(folder) / f"{index:03d}-{kind}.xlsx"
        # A fixed document time: the same seed gives the same bytes.
        write_template(template, path, values=data["form"], rows=data["tables"], timestamp=_STAMP)
        out.append((str(path), kind, ident))
    return out


def _proto(path: Path, kind: str, needles: Sequence[bytes]) -> Proto:
    data = path.read_bytes()
    members: list[tuple[zipfile.ZipInfo, bytes]] = []
    plain: dict[str, bytes] = {}
    with zipfile.ZipFile(path) as zf:
        for info in zf.infolist():
            # The raw deflate stream follows the local header (30 bytes + name + extra).
            name_len, extra_len = struct.unpack_from("<HH", data, info.header_offset + 26)
            start = info.header_offset + 30 + name_len + extra_len
            members.append((info, data[start:start + info.compress_size]))
            body = zf.read(info)
            if any(n in body for n in needles):
                plain[info.filename] = body
    return Proto(kind, members, plain)


def _zip_bytes(members: Sequence[tuple[zipfile.ZipInfo, bytes, int, int]]) -> bytes:
    """A deflated zip from ready compressed members: (info, compressed bytes, crc, uncompressed size)."""
    out, central = bytearray(), bytearray()
    for info, body, crc, size in members:
        name = info.filename.encode()
        offset = len(out)
        out += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0x21, crc, len(body), size, len(name), 0)
        out += name + body
        central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0x21, crc, len(body), size,
                               len(name), 0, 0, 0, 0, 0o644 << 16, offset) + name
    n = len(members)
    return bytes(out + central + struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, n, n, len(central), len(out), 0))


def derive(proto: Proto, replace: dict[bytes, bytes], path: Path) -> None:
    """Write a copy of ``proto`` with strings replaced in its identity-holding parts."""
    members = []
    for info, body in proto.members:
        xml = proto.plain.get(info.filename)
        if xml is None:
            members.append((info, body, info.CRC, info.file_size))
            continue
        for old, new in replace.items():
            xml = xml.replace(old, new)
        comp = zlib.compressobj(6, zlib.DEFLATED, -15)
        members.append((info, comp.compress(xml) + comp.flush(), zlib.crc32(xml), len(xml)))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(_zip_bytes(members))


def make_protos(folder: Path, distinct: int, seed: int, jobs: int) -> list[list[Proto]]:
    """``distinct`` projects written by the template writer, as derivable prototypes (project by project)."""
    folder.mkdir(parents=True, exist_ok=True)
    args = [(i, distinct, seed, str(folder)) for i in range(distinct)]
    if jobs > 1 and distinct > 2:
        with ProcessPoolExecutor(jobs) as pool:
            written = list(pool.map(_write_project, args))
    else:
        written = [_write_project(a) for a in args]
    protos = []
    for files in written:
        ident = files[0][2]
        needles = [ident["id"].encode(), ident["contract"].encode(), ident["name"].encode()]
        project = [_proto(Path(p), kind, needles) for p, kind, _ in files]
        for pr in project:
            pr.plain["_ident"] = json.dumps(ident).encode()
        protos.append(project)
    return protos


def build_centre(root: Path, projects: int, protos: list[list[Proto]]) -> Centre:
    """N projects derived from the prototypes: project j copies prototype j mod K under its own identity."""
    centre = Centre(root)
    donors = [pr for project in protos for pr in project if pr.kind.startswith(_ADJUSTMENT)]
    for j in range(projects):
        project = protos[j % len(protos)]
        ident = json.loads(project[0].plain["_ident"])
        pid, name = f"PRJ-{j + 1:05d}", f"{ident['name']}{j + 1:05d}"
        folder = root / ident["division"] / f"{pid} {name}"
        jobs = [(proto, proto.kind) for proto in project]
        # A project collects change requests over its life: one more, borrowed from another project,
        # for every project with fewer than four workbooks, and for every third project (4.3 on average).
        own = sum(1 for pr in project if pr.kind.startswith(_ADJUSTMENT))
        extra = max(0, 4 - len(project)) + (j % 3 == 0)
        for m in range(extra):
            jobs.append((donors[(j + m) % len(donors)], f"{_ADJUSTMENT}-ADJ-{own + m + 1:02d}"))
        for proto, kind in jobs:
            donor = json.loads(proto.plain["_ident"])
            replace = {donor["id"].encode(): pid.encode(), donor["contract"].encode(): f"HT-{j + 1:06d}".encode(),
                       donor["name"].encode(): name.encode()}
            if kind != proto.kind:  # a borrowed change request gets its own number
                replace[proto.kind.split("-", 1)[1].encode()] = kind.split("-", 1)[1].encode()
            path = folder / f"{pid}-{kind}.xlsx"
            derive(proto, replace, path)
            centre.files.append(path)
            centre.recipes[path] = (proto, replace)
    # What a shared folder also holds: a copy that broke off in transfer, and an Excel lock file.
    first = centre.files[0]
    (root / "损坏的文件-传输中断.xlsx").write_bytes(first.read_bytes()[:3000])
    (first.parent / ("~$" + first.name)).write_bytes(b"\x06wanglei" + b" " * 100)
    return centre


def edit(centre: Centre, fraction: float, rng: random.Random, mark: str) -> int:
    """Edit ``fraction`` of the workbooks (the project name gets a suffix); returns how many."""
    chosen = rng.sample(centre.files, max(1, round(len(centre.files) * fraction)))
    for path in chosen:
        proto, replace = centre.recipes[path]
        name = json.loads(proto.plain["_ident"])["name"].encode()
        edited = {**replace, name: replace[name] + mark.encode()}
        derive(proto, edited, path)
    return len(chosen)


# ----------------------------------------------------------------------------------------------------
# Measurements


def raw_calamine(files: Sequence[Path]) -> int:
    """(a) Every sheet of every file through python-calamine; returns the number of cells."""
    from python_calamine import CalamineWorkbook

    cells = 0
    for f in files:
        wb = CalamineWorkbook.from_path(str(f))
        for name in wb.sheet_names:
            cells += sum(len(r) for r in wb.get_sheet_by_name(name).to_python())
    return cells


def naive_pandas(files: Sequence[Path]) -> int:
    """(b) The script everyone writes first: every sheet of every file into pandas with openpyxl."""
    import warnings

    import pandas as pd

    frames = 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl warns about data validation extensions
        for f in files:
            frames += len(pd.read_excel(f, sheet_name=None, engine="openpyxl"))
    return frames


def _tree_rss(pid: int) -> int:
    """Resident bytes of a process and all its descendants (Linux /proc; 0 elsewhere).

    Each process counts its proportional share (Pss) of pages it shares with others, so the forked
    pool workers do not count their parent's pages again; VmRSS where Pss is not available.
    """
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            total += _pss(p)
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as fh:
                    todo += [int(c) for c in fh.read().split()]
        except (OSError, ValueError):
            continue
    return total


def _pss(pid: int) -> int:
    for name, key in (("smaps_rollup", "Pss:"), ("status", "VmRSS:")):
        try:
            with open(f"/proc/{pid}/{name}") as fh:
                for line in fh:
                    if line.startswith(key):
                        return int(line.split()[1]) * 1024
        except OSError:
            continue
    return 0


@dataclass
class Measured:
    wall: float
    cpu: float  # user + system seconds of the process and the workers it waited for
    rss: int  # peak of the process tree, bytes
    proc: subprocess.CompletedProcess[str]


def run_measured(cmd: Sequence[str], *, memory: bool = False) -> Measured:
    """Run a command: its wall and CPU time and, with ``memory``, the peak memory of its process tree (sampled
    every 10 ms — which costs the machine ~15 % of a core and slowed a rollup by ~10 %: timed runs go without)."""
    peak = [0]
    t0 = time.perf_counter()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], _tree_rss(proc.pid))
            done.wait(0.01)

    sampler = threading.Thread(target=sample, daemon=True)
    if memory:
        sampler.start()
    out, err = proc.communicate()
    wall = time.perf_counter() - t0
    done.set()
    if memory:
        sampler.join()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode:
        raise RuntimeError(f"{' '.join(cmd)} failed ({proc.returncode}): {err.strip()[-2000:]}")
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return Measured(wall, cpu, peak[0], subprocess.CompletedProcess(cmd, proc.returncode, out, err))


def rollup_cmd(root: Path, out: Path, jobs: int | None) -> list[str]:
    cmd = [sys.executable, "-m", "pimxl", "rollup", str(root), "-o", str(out / "汇总-bench.xlsx"),
           "--history", str(out / "history.sqlite"), "--as-of", AS_OF.isoformat(), "--json"]
    return cmd + (["--jobs", str(jobs)] if jobs is not None else [])


def timed(fn: Callable[[], Any]) -> tuple[float, float]:
    """Wall and CPU seconds of ``fn()`` in this process."""
    t0, c0 = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - t0, time.process_time() - c0


def rollup_cycle(centre: Centre, work: Path, jobs: int | None, rng: random.Random, k: int) -> dict[str, Any]:
    """(c) from scratch, (d) nothing changed, (e) 5 % edited — one repetition."""
    out = work / f"out-{k}"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    c = run_measured(rollup_cmd(centre.root, out, jobs))
    d = run_measured(rollup_cmd(centre.root, out, jobs))
    edited = edit(centre, 0.05, rng, f"·改{k}")
    e = run_measured(rollup_cmd(centre.root, out, jobs))
    return {"c": c.wall, "d": d.wall, "e": e.wall, "cpu": {"c": c.cpu, "d": d.cpu, "e": e.cpu},
            "edited": edited, "doc": json.loads(c.proc.stdout), "cache_d": json.loads(d.proc.stdout).get("cache"),
            "cache_e": json.loads(e.proc.stdout).get("cache")}


def validate_time(path: Path) -> float:
    """(f) `pimxl validate FILE` as a user types it: the installed entry point, interpreter start-up included."""
    exe = Path(sys.executable).with_name("pimxl")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "pimxl"]
    t0 = time.perf_counter()
    subprocess.run([*cmd, "validate", str(path)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - t0


def writer_ratio(rows: int, repeat: int) -> dict[str, Any]:
    """(h) from scripts/bench_writer.py (the summary writer's own benchmark): wall-time ratio as ``h``."""
    script = Path(__file__).with_name("bench_writer.py")
    proc = subprocess.run([sys.executable, str(script), "--rows", str(rows), "--repeat", str(repeat), "--json"],
                          capture_output=True, text=True, check=True)
    doc = json.loads(proc.stdout)
    doc["h"] = doc.get("h_wall", doc.get("h"))
    return doc


# ----------------------------------------------------------------------------------------------------
# Report


def _verdict(key: str, value: float) -> str:
    op, target = TARGETS[key]
    ok = value <= target if op == "≤" else value >= target
    return f"{op} {target:g}  {'met' if ok else 'NOT met'}"


def report_table(res: dict[str, Any]) -> str:
    s, r = res["seconds"], res["ratios"]
    n, files, big = res["projects"], res["workbooks"], res.get("big") or {}
    cpu = res["cpu_seconds"]
    lines = [
        f"pimxl benchmark — {n:,} projects, {files:,} workbooks ({res['bytes'] / 1e6:.0f} MB), "
        f"{res['cpus']} CPUs, median of {res['repeat']}, load average {max(res['load_average']):.1f}",
        f"{'':4}{'measure':58}{'value':>12}   target / CPU seconds",
        f"{'a':4}{'raw python-calamine, every sheet, 1 process':58}{s['a']:>10.2f} s   cpu {cpu['a']:.2f} s",
        f"{'b':4}{'naive pandas.read_excel(sheet_name=None), openpyxl':58}{s['b']:>10.2f} s   cpu {cpu['b']:.2f} s",
        f"{'c':4}{'pimxl rollup, empty history':58}{s['c']:>10.2f} s   cpu {cpu['c']:.2f} s",
        f"{'d':4}{'pimxl rollup re-run, nothing changed':58}{s['d']:>10.2f} s   cpu {cpu['d']:.2f} s",
        f"{'e':4}{'pimxl rollup re-run, 5 % of workbooks edited':58}{s['e']:>10.2f} s   cpu {cpu['e']:.2f} s",
        f"{'':4}{'  c by step: ' + ', '.join(f'{k} {v:.2f}' for k, v in res.get('steps', {}).items()):58}",
        f"{'':4}{'c/a':58}{r['c/a']:>12.2f}   {_verdict('c/a', r['c/a'])}",
        f"{'':4}{'b/c':58}{r['b/c']:>12.1f}   {_verdict('b/c', r['b/c'])}",
        f"{'':4}{'d/c':58}{r['d/c']:>12.3f}   {_verdict('d/c', r['d/c'])}",
        f"{'':4}{'e/c':58}{r['e/c']:>12.3f}   {_verdict('e/c', r['e/c'])}",
        f"{'f':4}{'pimxl validate one workbook (with start-up)':58}{s['f']:>10.2f} s   {_verdict('f', s['f'])}",
        f"{'g':4}{f'peak RSS of c, {n:,} projects':58}{r['g']:>8.2f} GiB   {_verdict('g', r['g'])}",
    ]
    if big:
        label = f"peak RSS of c, {big['projects']:,} projects ({big['workbooks']:,} workbooks)"
        lines.append(f"{'g':4}{label:58}{r['g_big']:>8.2f} GiB   {_verdict('g_big', r['g_big'])}   (c took {big['c']:.1f} s)")
    h = res.get("writer") or {}
    if "h" in h:
        label = f"summary writer / plain xlsxwriter, {h['rows']:,}×{h['cols']} cells"
        lines.append(f"{'h':4}{label:58}{h['h']:>12.2f}   {_verdict('h', h['h'])}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-n", "--projects", type=int, default=None, help="projects in the centre (default 1000)")
    ap.add_argument("--quick", action="store_true", help="a small run: 40 projects, a small writer benchmark")
    ap.add_argument("--big", type=int, default=None, help="projects for the second peak-RSS run (default 2.5 N; 0 = skip)")
    ap.add_argument("--distinct", type=int, default=40, help="projects written with the template writer (default 40)")
    ap.add_argument("--repeat", type=int, default=3, help="repetitions; medians are reported (default 3)")
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--jobs", type=int, default=None, help="rollup worker processes (default: pimxl's)")
    ap.add_argument("--writer-rows", type=int, default=None, help="rows for (h) (default 30000; --quick 3000)")
    ap.add_argument("--dir", type=Path, default=None, help="work folder (kept); default a temporary one")
    ap.add_argument("--json", action="store_true", help="print one JSON document instead of the table")
    args = ap.parse_args(argv)
    n = args.projects or (40 if args.quick else 1000)
    big = args.big if args.big is not None else round(2.5 * n)
    writer_rows = args.writer_rows or (3000 if args.quick else 30_000)
    cpus = os.cpu_count() or 1

    compiled = compile_pimxl()
    if compiled:
        say(f"compiled the bytecode of {compiled} pimxl modules (PYTHONDONTWRITEBYTECODE is set here)")
    tmp = None
    if args.dir is None:
        tmp = tempfile.TemporaryDirectory(prefix="pimxl-bench-")
        work = Path(tmp.name)
    else:
        work = args.dir.resolve()
        work.mkdir(parents=True, exist_ok=True)
    try:
        t0 = time.perf_counter()
        distinct = max(1, min(args.distinct, n))
        protos = make_protos(work / "proto", distinct, args.seed, cpus)
        t_proto = time.perf_counter() - t0
        shutil.rmtree(work / "centre", ignore_errors=True)
        centre = build_centre(work / "centre" / "项目", n, protos)
        files = centre.files
        size = sum(f.stat().st_size for f in files)
        say(f"generated {len(files):,} workbooks for {n:,} projects in {time.perf_counter() - t0:.1f} s "
            f"({distinct} written by the template writer in {t_proto:.1f} s)")

        rng = random.Random(args.seed)
        times: dict[str, list[float]] = {k: [] for k in "abcdef"}
        cpu: dict[str, list[float]] = {k: [] for k in "abcde"}
        rss: list[int] = []
        cycles = []
        load = [os.getloadavg()[0]]
        for k in range(args.repeat):
            for key, fn in (("a", raw_calamine), ("b", naive_pandas)):
                wall, used = timed(lambda fn=fn: fn(files))  # type: ignore[misc]
                times[key].append(wall)
                cpu[key].append(used)
            cycle = rollup_cycle(centre, work, args.jobs, rng, k)
            cycles.append(cycle)
            for key in "cde":
                times[key].append(cycle[key])
                cpu[key].append(cycle["cpu"][key])
            times["f"].append(validate_time(files[k % len(files)]))
            load.append(os.getloadavg()[0])
            say(f"round {k + 1}/{args.repeat}: " + ", ".join(f"{key} {v[-1]:.2f} s" for key, v in times.items())
                + f" (load {load[-1]:.1f})")
        # (g) in a run of its own, not timed: the sampling would slow the timed runs.
        say("memory (g) …")
        out = work / "out-memory"
        shutil.rmtree(out, ignore_errors=True)
        out.mkdir(parents=True)
        rss.append(run_measured(rollup_cmd(centre.root, out, args.jobs), memory=True).rss)
        med = {k: statistics.median(v) for k, v in times.items()}
        med_cpu = {k: statistics.median(v) for k, v in cpu.items()}
        ratios: dict[str, float] = {
            "c/a": med["c"] / med["a"], "b/c": med["b"] / med["c"], "d/c": med["d"] / med["c"],
            "e/c": med["e"] / med["c"], "g": max(rss) / GiB,
        }
        result: dict[str, Any] = {
            "projects": n, "workbooks": len(files), "bytes": size, "cpus": cpus, "repeat": args.repeat,
            "seed": args.seed, "seconds": med, "cpu_seconds": med_cpu, "runs": times, "ratios": ratios,
            "peak_rss_bytes": max(rss), "load_average": load, "bytecode_compiled": compiled,
            "cache": {"d": cycles[-1]["cache_d"], "e": cycles[-1]["cache_e"]},
            "files": cycles[-1]["doc"].get("files"),
            # Where c's time went (the rollup's own step timings, wall seconds, median over the rounds).
            "steps": {step: statistics.median(cy["doc"].get("timings", {}).get(step, 0.0) for cy in cycles)
                      for step in cycles[-1]["doc"].get("timings", {})},
        }
        if big:
            shutil.rmtree(work / "centre", ignore_errors=True)
            big_centre = build_centre(work / "centre-big" / "项目", big, protos)
            out = work / "out-big"
            out.mkdir(exist_ok=True)
            m = run_measured(rollup_cmd(big_centre.root, out, args.jobs), memory=True)
            ratios["g_big"] = m.rss / GiB
            result["big"] = {"projects": big, "workbooks": len(big_centre.files), "c": m.wall, "cpu": m.cpu,
                             "peak_rss_bytes": m.rss}
            shutil.rmtree(work / "centre-big", ignore_errors=True)
        say("writer benchmark (h) …")
        result["writer"] = writer_ratio(writer_rows, args.repeat)
        ratios["h"] = result["writer"]["h"]
    finally:
        if tmp is not None:
            tmp.cleanup()
    if args.json:
        print(json.dumps(result, ensure_ascii=False, default=str))
    else:
        print(report_table(result))
    return result


if __name__ == "__main__":
    main()
