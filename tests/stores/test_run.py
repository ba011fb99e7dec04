"""``corroborate run --db URL``, ``db`` and ``export``, through the real command, on SQLite and on
PostgreSQL (fixtures in conftest.py)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from helpers import DEMO, demo_jsonl

from corroborate.stores import open_store

CLI = str(Path(sys.executable).with_name("corroborate"))


def _cli(*args: str, cwd: Path | None = None, timeout: int = 600) -> subprocess.CompletedProcess:
    return subprocess.run([CLI, *args], capture_output=True, text=True, timeout=timeout, cwd=cwd, check=False)


def test_a_run_into_the_store_then_the_same_reports_again_add_nothing(url, tmp_path):
    first = _cli("run", str(DEMO), "--db", url, "--quiet")
    assert first.returncode == 0, first.stderr
    assert "stored in" in first.stderr and "6 added, 0 new versions, 0 unchanged" in first.stderr
    again = _cli("run", str(DEMO), "--db", url, "--out", str(tmp_path / "again"), "--quiet")
    assert again.returncode == 0, again.stderr
    assert "0 reports (0 words) (+6 from the store)" in again.stderr and "0 added, 0 new versions, 6 unchanged" in again.stderr
    with open_store(url) as store:
        assert store.count_reports() == 6 and all(store.versions(r.id) == [1] for r in store.reports())
        runs = [store.run(k) for k in (1, 2)]
        assert [r.status for r in runs] == ["done", "done"] and (runs[0].added, runs[1].unchanged) == (6, 6)


def test_export_writes_exactly_what_run_out_writes(url, tmp_path):
    assert _cli("run", str(DEMO), "--db", url, "--quiet").returncode == 0
    plain = _cli("run", str(DEMO), "--out", str(tmp_path / "plain"), "--quiet")
    exported = _cli("export", "--db", url, "--out", str(tmp_path / "exported"))
    assert plain.returncode == exported.returncode == 0, exported.stderr
    assert "exported 6 reports, 2 incidents and 0 annotations" in exported.stderr
    assert (tmp_path / "exported" / "annotations.jsonl").read_bytes() == b""  # the analysts' corrections (none here)
    for name in ("reports.jsonl", "incidents.jsonl", "sources.jsonl", "report.md", "report.html"):
        assert (tmp_path / "exported" / name).read_bytes() == (tmp_path / "plain" / name).read_bytes(), name


def test_the_same_id_with_other_content_is_a_new_version_and_joins_its_incident(url, tmp_path):
    original = demo_jsonl(tmp_path / "wire.jsonl")
    ids = [json.loads(line)["id"] for line in original.open(encoding="utf-8")]
    assert _cli("run", str(original), "--db", url, "--quiet").returncode == 0
    changed = demo_jsonl(tmp_path / "wire2.jsonl", changed=ids[0])
    proc = _cli("run", str(changed), "--db", url, "--quiet")
    assert proc.returncode == 0, proc.stderr
    assert f"0 added, 1 new versions, {len(ids) - 1} unchanged" in proc.stderr
    with open_store(url) as store:
        assert store.versions(ids[0]) == [1, 2]
        assert "second suspect" in store.report(ids[0]).text and "second suspect" not in store.report(ids[0], 1).text
        assert store.count_reports() == len(ids)
        members = {r for i in store.incidents() for r in i.reports}
        assert ids[0] in members


def test_a_run_killed_before_it_stores_leaves_the_store_as_it_was_and_a_run_again_completes_it(url, tmp_path):
    assert _cli("run", str(DEMO), "--db", url, "--quiet").returncode == 0
    inputs = demo_jsonl(tmp_path / "copies.jsonl", copies=12)
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    proc = subprocess.Popen([CLI, "run", str(inputs), "--db", url, "--workers", "1", "--quiet"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env={**os.environ, "TMPDIR": str(scratch)})
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:  # killed in mid-analysis: some reports analyzed
        if any(f.stat().st_size > 0 for f in scratch.glob("corroborate-run-*/.reports.analyzed.jsonl.tmp")):
            break
        time.sleep(0.02)
    assert proc.poll() is None
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    with open_store(url) as store:
        assert store.count_reports() == 6  # as before the killed run
        assert [r.status for r in store.stale_runs()] == ["running"]
    again = _cli("run", str(inputs), "--db", url, "--quiet")
    assert again.returncode == 0, again.stderr
    with open_store(url) as store:
        assert store.count_reports() == 6 + len(inputs.read_text().splitlines())


def test_two_runs_at_once_lose_nothing(url, tmp_path):
    one = demo_jsonl(tmp_path / "one.jsonl", copies=3)
    lines = one.read_text(encoding="utf-8").splitlines()
    two = tmp_path / "two.jsonl"  # half of one's reports, and as many of its own
    two.write_text("\n".join(lines[len(lines) // 2 :] + [line.replace('-0"', '-9"') for line in lines[: len(lines) // 2]]) + "\n",
                   encoding="utf-8")
    procs = [subprocess.Popen([CLI, "run", str(path), "--db", url, "--workers", "1", "--quiet"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True) for path in (one, two)]
    errors = [p.communicate(timeout=600)[1] for p in procs]
    assert [p.returncode for p in procs] == [0, 0], errors
    expected = {json.loads(line)["id"] for path in (one, two) for line in path.open(encoding="utf-8")}
    with open_store(url) as store:
        stored = [r.id for r in store.reports()]
        assert sorted(stored) == sorted(expected)  # every report once
        assert all(store.versions(r) == [1] for r in stored)
        members = [r for i in store.incidents() for r in i.reports]
        assert sorted(members) == sorted(set(members)) and set(members) <= set(stored)


def test_db_commands_and_clear_errors(url, tmp_path):
    assert _cli("db", "upgrade", "--db", url).returncode == 0
    refused = _cli("db", "reset", "--db", url)
    assert refused.returncode == 2 and "add --yes" in refused.stderr
    assert _cli("db", "reset", "--db", url, "--yes").returncode == 0
    status = _cli("db", "status", "--db", url)
    assert status.returncode == 0 and "0 reports, 0 incidents" in status.stdout
    bad = _cli("run", str(DEMO), "--db", "mysql://nowhere/x", "--quiet")
    assert bad.returncode == 2 and bad.stderr.startswith("error: --db:")
    neither = _cli("run", str(DEMO))
    assert neither.returncode == 2 and "give --out DIR, --db URL, or both" in neither.stderr


def test_export_as_flat_tables(url, tmp_path):
    import csv

    assert _cli("run", str(DEMO), "--db", url, "--quiet").returncode == 0
    for format, name in (("csv", "facts.csv"), ("parquet", "facts.parquet"), ("datasette", "corroborate.db")):
        proc = _cli("export", "--db", url, "--out", str(tmp_path / format), "--format", format)
        assert proc.returncode == 0, proc.stderr
        assert (tmp_path / format / name).is_file() and (tmp_path / format / ".corroborate-output.json").is_file()
        assert not (tmp_path / format / "reports.jsonl").exists()
    with open_store(url) as store:
        facts = sum(len(i.facts) for i in store.incidents())
    with (tmp_path / "csv" / "facts.csv").open(encoding="utf-8", newline="") as handle:
        assert len(list(csv.DictReader(handle))) == facts
    bad = _cli("export", "--db", url, "--out", str(tmp_path / "x"), "--format", "xlsx")
    assert bad.returncode == 2 and "--format xlsx" in bad.stderr


def _wire_only(path: Path, ids: set[str]) -> Path:
    lines = [line for line in (DEMO / "wire.jsonl").read_text(encoding="utf-8").splitlines() if json.loads(line)["id"] in ids]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _updated(url: str) -> dict[str, object]:
    """Each stored incident's ``updated_at``."""
    import sqlalchemy as sa

    from corroborate.stores.sql import incidents

    with open_store(url) as store, store.engine.connect() as conn:
        return dict(conn.execute(sa.select(incidents.c.id, incidents.c.updated_at)).all())


def test_only_the_incidents_a_run_touches_are_reconciled_and_stored_again(url, tmp_path):
    ferry = _wire_only(tmp_path / "ferry.jsonl", {"millbrook-ferry-fire"})
    market = _wire_only(tmp_path / "market.jsonl", {"northwire-0315", "pulse-now-0314", "harbour-watch-0314"})
    first = [str(DEMO / "halvard-herald.html"), str(DEMO / "coastline-daily.txt"), str(ferry)]
    assert _cli("run", *first, "--db", url, "--quiet").returncode == 0
    with open_store(url) as store:
        made_by = store.incidents_engine()
        ferry_id = store.incident_of(["millbrook-ferry-fire"])["millbrook-ferry-fire"]
        ferry_line = store.incident(ferry_id).model_dump_json()
    assert made_by is not None and len(made_by) == 16
    before = _updated(url)
    second = _cli("run", str(market), "--db", url, "--quiet")
    assert second.returncode == 0, second.stderr
    assert "-> 2 incidents (1 reconciled, 1 untouched kept as they were)" in second.stderr
    after = _updated(url)
    assert after[ferry_id] == before[ferry_id]  # not written again
    assert [after[i] != before[i] for i in sorted(before) if i != ferry_id] == [True]  # the market attack: joined, stored anew
    with open_store(url) as store:
        assert store.incident(ferry_id).model_dump_json() == ferry_line and store.incidents_engine() == made_by
    # the same two runs reconciling every incident store the same records
    everything = f"sqlite:///{tmp_path / 'all.db'}"
    for inputs in (first, [str(market)]):
        run = _cli("run", *inputs, "--db", everything, "--quiet", "--reconcile-all")
        assert run.returncode == 0, run.stderr
    assert "(2 reconciled, 0 untouched kept as they were)" in run.stderr
    for db, out in ((url, "touched"), (everything, "all")):
        assert _cli("export", "--db", db, "--out", str(tmp_path / out)).returncode == 0
    for name in ("reports.jsonl", "incidents.jsonl", "sources.jsonl", "report.md", "report.html"):
        assert (tmp_path / "touched" / name).read_bytes() == (tmp_path / "all" / name).read_bytes(), name


def test_standard_input_is_read_into_the_store_and_again_adds_nothing(url, tmp_path):
    wire = (DEMO / "wire.jsonl").read_bytes()
    first = subprocess.run([CLI, "run", "-", "--db", url, "--quiet"], input=wire, capture_output=True, timeout=600, check=False)
    assert first.returncode == 0, first.stderr.decode()
    assert b"4 added, 0 new versions, 0 unchanged" in first.stderr
    again = subprocess.run([CLI, "run", "-", "--db", url, "--quiet"], input=wire, capture_output=True, timeout=600, check=False)
    assert again.returncode == 0 and b"0 added, 0 new versions, 4 unchanged" in again.stderr, again.stderr.decode()
    with open_store(url) as store:
        assert sorted(r.id for r in store.reports()) == sorted(json.loads(line)["id"] for line in wire.splitlines())
        assert {r.origin for r in store.reports()} == {f"-:{k}" for k in range(1, 5)}
