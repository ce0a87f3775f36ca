"""Run probe + a full calamine read over many files in child processes with time and memory limits.

A child reads file paths on stdin and prints one JSON line per file (``{"i": n, "start": true}``
before, the outcome after). The parent gives each file a deadline; a child that overruns it, or
dies (a Rust abort is not an exception), is killed and replaced, and the file is recorded as
``timeout`` / ``crash`` — which the tests treat as failures. Usable by hand::

    python tests/corpus_tool.py ../shared/corpus/real-spreadsheets   # prints a summary
"""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "real-spreadsheets"
MEMORY_LIMIT = 512 << 20  # RLIMIT_AS of each child
PER_FILE_SECONDS = 5.0  # CPU budget per file, asserted by the tests
HANG_SECONDS = 20.0  # wall-clock deadline per file before the child is killed as hung


@dataclass
class Outcome:
    file: str
    status: str  # ok | unreadable | skipped | timeout | crash
    code: str = ""
    reason_zh: str = ""
    reason_en: str = ""
    kind: str = ""
    sheets: int = 0
    probe_ms: float = 0.0
    read_ms: float = 0.0
    cpu_ms: float = 0.0  # CPU time of probe + read: the 5 s budget (wall time varies with machine load)
    error: str = ""  # an exception that escaped (must stay empty)
    extra: dict = field(default_factory=dict)


def manifest(corpus: Path = CORPUS) -> list[tuple[str, set[str]]]:
    """(relative file, tags) for every row of MANIFEST.tsv."""
    rows = (corpus / "MANIFEST.tsv").read_text(encoding="utf-8").splitlines()[1:]
    return [(r.split("\t")[0], set(r.split("\t")[5].split(","))) for r in rows if r.strip()]


# ---------------------------------------------------------------- child side

def _check_one(path: Path) -> dict:
    """Probe, then read every sheet; anything that escapes is reported in ``error``."""
    from pimxl.errors import FileProblem
    from pimxl.io.probe import probe
    from pimxl.io.safe_calamine import read_all_sheets

    out: dict = {"status": "ok"}
    cpu = time.process_time()
    try:
        t = time.perf_counter()
        pr = probe(path)
        out["probe_ms"] = (time.perf_counter() - t) * 1000
        out.update(kind=pr.kind, status=pr.status, code=pr.code, reason_zh=pr.reason_zh, reason_en=pr.reason_en)
        if pr.ok:
            t = time.perf_counter()
            try:
                sheets = read_all_sheets(path, check=False, kind=pr.kind)
                out["sheets"] = len(sheets)
            except FileProblem as e:
                out.update(status=e.status, code=e.code, reason_zh=e.reason_zh, reason_en=e.reason_en)
            out["read_ms"] = (time.perf_counter() - t) * 1000
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as e:  # must never happen: the test fails on it
        out["error"] = f"{type(e).__module__}.{type(e).__name__}: {e}"
    out["cpu_ms"] = (time.process_time() - cpu) * 1000
    return out


def _worker() -> None:
    if os.name == "posix":
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    import python_calamine  # noqa: F401

    import pimxl.io.probe  # noqa: F401  - import before the first file so its time is not counted
    import pimxl.io.safe_calamine  # noqa: F401

    for i, line in enumerate(sys.stdin):
        print(json.dumps({"i": i, "start": True}), flush=True)
        result = _check_one(Path(line.rstrip("\n")))
        print(json.dumps({"i": i, **result}, ensure_ascii=False), flush=True)


# ---------------------------------------------------------------- parent side

def _pump(stream, q: queue.Queue) -> None:
    for line in stream:
        q.put(line)
    q.put(None)  # end of output: the child exited (or was killed)


def _outcome(path: Path, msg: dict) -> Outcome:
    return Outcome(file=str(path), **{k: v for k, v in msg.items() if k != "i"})


def _run_queue(paths: list[Path], results: dict[Path, Outcome], per_file: float) -> None:
    """Feed ``paths`` to a child, replacing it whenever it hangs or dies."""
    pending = list(paths)
    while pending:
        proc = subprocess.Popen(
            [sys.executable, __file__, "--worker"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL, text=True, encoding="utf-8",
        )
        assert proc.stdin and proc.stdout
        proc.stdin.write("".join(f"{p}\n" for p in pending))
        proc.stdin.close()
        q: queue.Queue = queue.Queue()
        threading.Thread(target=_pump, args=(proc.stdout, q), daemon=True).start()
        done, current = 0, 0
        deadline = time.monotonic() + per_file + 10  # the child's start-up counts against the first file
        failure = ""
        while done < len(pending):
            try:
                line = q.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                failure = "timeout"
                break
            if line is None:
                failure = "crash"
                break
            msg = json.loads(line)
            current = msg["i"]
            if msg.get("start"):
                deadline = time.monotonic() + per_file
                continue
            results[pending[current]] = _outcome(pending[current], msg)
            done += 1
        proc.kill()
        proc.wait()
        if not failure:
            return
        bad = pending[current]
        results[bad] = Outcome(file=str(bad), status=failure, error=f"{failure} (exit {proc.returncode})")
        pending = pending[current + 1:]


def run_corpus(paths: list[Path], *, workers: int = 2, per_file: float = HANG_SECONDS) -> dict[Path, Outcome]:
    """Outcome per path, from ``workers`` children in parallel (files dealt round-robin)."""
    results: dict[Path, Outcome] = {}
    queues = [paths[i::workers] for i in range(workers)]
    threads = [threading.Thread(target=_run_queue, args=(q, results, per_file)) for q in queues if q]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def summary(results: dict[Path, Outcome]) -> Counter:
    return Counter((o.status, o.code) for o in results.values())


def main(argv: list[str]) -> int:
    if argv[:1] == ["--worker"]:
        _worker()
        return 0
    corpus = Path(argv[0]) if argv else CORPUS
    files = [corpus / f for f, _ in manifest(corpus)]
    t = time.perf_counter()
    results = run_corpus(files)
    wall = time.perf_counter() - t
    for (status, code), n in sorted(summary(results).items()):
        print(f"{n:4d}  {status:10s} {code}")
    probe_ms = sorted(o.probe_ms for o in results.values() if o.probe_ms)
    if probe_ms:
        print(f"probe median {probe_ms[len(probe_ms) // 2]:.2f} ms, max {probe_ms[-1]:.0f} ms; wall {wall:.1f} s")
    for o in results.values():
        if o.error:
            print("ESCAPED", o.file, o.error)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
