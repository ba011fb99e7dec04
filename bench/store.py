"""The store's cost and behaviour on GVA dev (issue 18): throughput with --db against files only,
a second overlapping batch, and two concurrent runs into PostgreSQL.

    python bench/store.py [GVA_REPORTS_JSONL] [--workers N]

Batch A is the first 60% of the GVA dev lines, batch B the last 60% (a fifth of the reports in
both). Each run is the real command and writes the same output folder (--out), so the store's cost is
what --db adds; times are wall-clock, one run each, files-only before and after the store runs
(their mean is the baseline; their difference shows the machine's noise).
PostgreSQL: postgresql://postgres@127.0.0.1:5432, a database made for the bench and dropped after.
"""

from __future__ import annotations

import json
import re
import secrets
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


def main(argv: list[str]) -> None:
    workers = argv[argv.index("--workers") + 1] if "--workers" in argv else "2"
    source = Path(next((a for a in argv if not a.startswith("--") and a != workers), GVA))
    lines = [line for line in source.open(encoding="utf-8") if json.loads(line).get("text")]
    cut_a, cut_b = int(len(lines) * 0.6), int(len(lines) * 0.4)
    with tempfile.TemporaryDirectory(prefix="corroborate-bench-store-") as tmp:
        work = Path(tmp)
        (work / "a.jsonl").write_text("".join(lines[:cut_a]), encoding="utf-8")
        (work / "b.jsonl").write_text("".join(lines[cut_b:]), encoding="utf-8")
        a, b = str(work / "a.jsonl"), str(work / "b.jsonl")
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
            second, summary = _timed("run", b, "--db", sqlite_url, *common)
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
          f"store: {second:.1f} s; {_stored(summary)}.")
    print(f"Two concurrent runs (A and B) into one PostgreSQL database: {concurrent:.1f} s, exit codes {codes}; "
          f"{len(stored)} reports stored of {len(expected)} distinct ids ({'none lost' if stored >= expected else 'LOST: ' + str(len(expected - stored))}), "
          f"{versions} versions.")


if __name__ == "__main__":
    main(sys.argv[1:])
