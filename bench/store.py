"""The store's cost and behaviour on GVA dev (issue 18): throughput with --db against files only,
a second overlapping batch (only the incidents it touches reconciled, against all of them), two
concurrent runs into PostgreSQL, and kills at six points of a run (corroborate.faults).

    python bench/store.py [GVA_REPORTS_JSONL] [--workers N]

Batch A is the first 60% of the GVA dev lines, batch B the last 60% (a fifth of the reports in
both). Each run is the real command and writes the same output folder (--out), so the store's cost is
what --db adds; times are wall-clock, one run each, files-only before and after the store runs
(their mean is the baseline; their difference shows the machine's noise).
PostgreSQL: postgresql://postgres@127.0.0.1:5432, a database made for the bench and dropped after.
Kills: batch C (the last 150 reports) into copies of the SQLite store holding batch A, killed
(SIGKILL) at each point, then run again; the store must be as before the kill (or, killed after its
commit, complete), and after the second run hold what an uninterrupted run of C leaves.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
GVA = HERE.parent.parent / "shared" / "data" / "gva" / "reports.jsonl"
CLI = str(Path(sys.executable).with_name("corroborate"))
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"


def _timed(*args: str) -> tuple[float, str]:
    started = time.perf_counter()
    proc = subprocess.run([CLI, *args, "--quiet"], capture_output=True, text=True, check=False)
    if proc.returncode not in (0, 1):
        raise RuntimeError(proc.stderr[-2000:])
    return time.perf_counter() - started, proc.stderr.strip().splitlines()[-1]


def _stored(summary: str) -> str:
    found = re.search(r"(\d+) added, (\d+) new versions, (\d+) unchanged", summary)
    return f"{found.group(1)} added, {found.group(2)} new versions, {found.group(3)} unchanged" if found else "?"


def _touched(summary: str) -> str:
    found = re.search(r"\((\d+) reconciled, (\d+) untouched kept as they were\)", summary)
    return f"{found.group(1)} incidents reconciled, {found.group(2)} kept" if found else "?"


def _pg_database() -> tuple[str, str]:
    import psycopg

    name = f"corroborate_bench_{secrets.token_hex(4)}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    return name, PG_ADMIN.rsplit("/", 1)[0] + "/" + name


def _drop(name: str) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def _state(url: str) -> tuple[list[str], list[str], int]:
    from corroborate.stores import open_store

    with open_store(url) as store:
        return list(store.report_lines()), list(store.incident_lines()), store.count_reports()


def _kills(work: Path, after_a: Path, c: str, common: list[str]) -> list[str]:
    """Batch C into copies of ``after_a`` killed at each point, then run again: one line per point."""
    from corroborate.faults import ENV, POINTS

    def copy(name: str) -> str:
        path = work / f"{name}.db"
        shutil.copyfile(after_a, path)
        return f"sqlite:///{path}"

    whole = copy("kill-none")
    before = _state(whole)
    _timed("run", c, "--db", whole, *common)
    complete = _state(whole)
    rows = []
    for point in POINTS:
        url = copy(f"kill-{point}")
        killed = subprocess.run([CLI, "run", c, "--db", url, *common, "--quiet"], capture_output=True, text=True,
                                check=False, env={**os.environ, ENV: point})
        state = _state(url)
        consistent = state == (complete if point == "saved" else before)
        _timed("run", c, "--db", url, *common)
        rows.append(f"| {point} | {'SIGKILL' if killed.returncode == -signal.SIGKILL else killed.returncode} | "
                    f"{state[2]} | {'yes' if consistent else 'NO'} | {'yes' if _state(url) == complete else 'NO'} |")
    return rows


def main(argv: list[str]) -> None:
    workers = argv[argv.index("--workers") + 1] if "--workers" in argv else "2"
    source = Path(next((a for a in argv if not a.startswith("--") and a != workers), GVA))
    lines = [line for line in source.open(encoding="utf-8") if json.loads(line).get("text")]
    cut_a, cut_b = int(len(lines) * 0.6), int(len(lines) * 0.4)
    with tempfile.TemporaryDirectory(prefix="corroborate-bench-store-") as tmp:
        work = Path(tmp)
        (work / "a.jsonl").write_text("".join(lines[:cut_a]), encoding="utf-8")
        (work / "b.jsonl").write_text("".join(lines[cut_b:]), encoding="utf-8")
        (work / "c.jsonl").write_text("".join(lines[-150:]), encoding="utf-8")
        a, b, c = str(work / "a.jsonl"), str(work / "b.jsonl"), str(work / "c.jsonl")
        common = ["--workers", workers]
        # every run writes the same output folder, so that the store's cost is what it adds
        first, _ = _timed("run", a, "--out", str(work / "files"), *common)
        sqlite_url = f"sqlite:///{work / 'store.db'}"
        sqlite, _ = _timed("run", a, "--out", str(work / "sqlite"), "--db", sqlite_url, *common)
        pg_name, pg_url = _pg_database()
        try:
            pg, _ = _timed("run", a, "--out", str(work / "pg"), "--db", pg_url, *common)
            last, _ = _timed("run", a, "--out", str(work / "files2"), *common)
            files = (first + last) / 2
            shutil.copyfile(work / "store.db", work / "after-a.db")
            shutil.copyfile(work / "store.db", work / "all.db")
            second, summary = _timed("run", b, "--db", sqlite_url, *common)
            second_all, summary_all = _timed("run", b, "--db", f"sqlite:///{work / 'all.db'}", "--reconcile-all", *common)
            same = _state(sqlite_url)[:2] == _state(f"sqlite:///{work / 'all.db'}")[:2]
            kills = _kills(work, work / "after-a.db", c, common)
            both_name, both_url = _pg_database()
            try:
                started = time.perf_counter()
                procs = [subprocess.Popen([CLI, "run", path, "--db", both_url, *common, "--quiet"], stdout=subprocess.DEVNULL,
                                          stderr=subprocess.PIPE, text=True) for path in (a, b)]
                codes = [p.wait() for p in procs]
                concurrent = time.perf_counter() - started
                from corroborate.stores import open_store

                with open_store(both_url) as store:
                    stored = {r.id for r in store.reports()}
                    versions = sum(len(store.versions(r)) for r in stored)
                expected = {json.loads(line)["id"] for line in lines}
            finally:
                _drop(both_name)
        finally:
            _drop(pg_name)
    n_a = cut_a
    print(f"| run of batch A ({n_a} reports, --workers {workers}) | seconds | reports/s | cost of the store |")
    print("|---|---:|---:|---:|")
    for name, seconds in ((f"files only (--out; mean of {first:.1f} before and {last:.1f} after)", files),
                          ("--out and --db sqlite", sqlite), ("--out and --db postgresql", pg)):
        cost = "" if seconds is files else f"{(seconds - files) / files:+.1%}"
        print(f"| {name} | {seconds:.1f} | {n_a / seconds:.1f} | {cost} |")
    print(f"\nSecond, overlapping batch B ({len(lines) - cut_b} reports, {cut_a - cut_b} already stored) into the SQLite "
          f"store: {second:.1f} s; {_stored(summary)}; {_touched(summary)}. Reconciling every incident "
          f"(--reconcile-all): {second_all:.1f} s; {_touched(summary_all)}. Stored records "
          f"{'identical' if same else 'DIFFERENT'} either way.")
    print(f"Two concurrent runs (A and B) into one PostgreSQL database: {concurrent:.1f} s, exit codes {codes}; "
          f"{len(stored)} reports stored of {len(expected)} distinct ids ({'none lost' if stored >= expected else 'LOST: ' + str(len(expected - stored))}), "
          f"{versions} versions.")
    print(f"\nKills: batch C ({min(150, len(lines))} reports) into a copy of the SQLite store holding batch A, killed at each "
          "point of the run (corroborate.faults), then run again.\n")
    print("| killed at | exit | reports stored after the kill | consistent (as before, or complete) | complete after a run again |")
    print("|---|---|---:|---|---|")
    print("\n".join(kills))


if __name__ == "__main__":
    main(sys.argv[1:])
