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

from helpers import DEMO

from corroborate.stores import open_store

CLI = str(Path(sys.executable).with_name("corroborate"))


def _cli(*args: str, cwd: Path | None = None, timeout: int = 600) -> subprocess.CompletedProcess:
    return subprocess.run([CLI, *args], capture_output=True, text=True, timeout=timeout, cwd=cwd, check=False)


def _demo_jsonl(path: Path, copies: int = 1, changed: str | None = None) -> Path:
    """The demo's JSONL reports (``copies`` times with new ids); ``changed``: that id with another text."""
    lines = (DEMO / "wire.jsonl").read_text(encoding="utf-8").splitlines()
    with path.open("w", encoding="utf-8") as handle:
        for k in range(copies):
            for line in lines:
                obj = json.loads(line)
                obj["id"] = obj["id"] if copies == 1 else f"{obj['id']}-{k}"
                if obj["id"] == changed:
                    obj["text"] += "\n\nUpdate: police later said a second suspect was arrested on Friday."
                handle.write(json.dumps(obj) + "\n")
    return path


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
    assert "exported 6 reports and 2 incidents" in exported.stderr
    for name in ("reports.jsonl", "incidents.jsonl", "sources.jsonl", "report.md", "report.html"):
        assert (tmp_path / "exported" / name).read_bytes() == (tmp_path / "plain" / name).read_bytes(), name


def test_the_same_id_with_other_content_is_a_new_version_and_joins_its_incident(url, tmp_path):
    original = _demo_jsonl(tmp_path / "wire.jsonl")
    ids = [json.loads(line)["id"] for line in original.open(encoding="utf-8")]
    assert _cli("run", str(original), "--db", url, "--quiet").returncode == 0
    changed = _demo_jsonl(tmp_path / "wire2.jsonl", changed=ids[0])
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
    inputs = _demo_jsonl(tmp_path / "copies.jsonl", copies=12)
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
    one = _demo_jsonl(tmp_path / "one.jsonl", copies=3)
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
