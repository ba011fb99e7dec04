"""A run into a store killed (SIGKILL) at each of six points leaves the store consistent, and a run
again completes it: the store then holds exactly what it holds after the same runs uninterrupted.

The points are named in :mod:`corroborate.faults`; ``CORROBORATE_KILL_AT`` makes the real command
kill itself there. Before the run's transaction commits (every point but ``saved``), the store is
as it was before the run; at ``saved`` it holds the run's results, and the run is left ``running``
(a stale run). On SQLite and on PostgreSQL.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import DEMO, demo_jsonl

from corroborate.faults import ENV, POINTS
from corroborate.stores import open_store

CLI = str(Path(sys.executable).with_name("corroborate"))
OUTPUTS = ("reports.jsonl", "incidents.jsonl", "sources.jsonl")


def _cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([CLI, *args], capture_output=True, text=True, timeout=600, check=False,
                          env={**os.environ, **(env or {})})


def _state(url: str) -> tuple[list[str], list[str], list[tuple[str, list[int]]]]:
    """Everything a store holds of reports and incidents: every report line, every incident line,
    and each report's versions."""
    with open_store(url) as store:
        return (list(store.report_lines()), list(store.incident_lines()),
                [(r.id, store.versions(r.id)) for r in store.reports()])


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> Path:
    """The second run's inputs: the demo's JSONL reports twice, with new ids (one file for every
    test: a report's ``origin`` names it)."""
    return demo_jsonl(tmp_path_factory.mktemp("inputs") / "copies.jsonl", copies=2)


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory, inputs):
    """The store's state and export after the demo folder then ``inputs``, uninterrupted (SQLite)."""
    tmp = tmp_path_factory.mktemp("uninterrupted")
    url = f"sqlite:///{tmp / 'store.db'}"
    for run in (_cli("run", str(DEMO), "--db", url, "--quiet"), _cli("run", str(inputs), "--db", url, "--quiet")):
        assert run.returncode == 0, run.stderr
    assert _cli("export", "--db", url, "--out", str(tmp / "export")).returncode == 0
    return _state(url), tmp / "export"


@pytest.mark.parametrize("point", POINTS)
def test_a_run_killed_at_any_point_leaves_the_store_consistent_and_a_run_again_completes_it(
        url, tmp_path, point, inputs, uninterrupted):
    with open_store(url) as store:
        assert store.count_reports() == 0
    first = _cli("run", str(DEMO), "--db", url, "--quiet")
    assert first.returncode == 0, first.stderr
    before = _state(url)
    killed = _cli("run", str(inputs), "--db", url, "--workers", "1", "--quiet", env={ENV: point})
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    with open_store(url) as store:
        [stale] = store.stale_runs()  # the killed run, left "running"
        assert stale.status == "running" and stale.id == 2
    state, export = uninterrupted
    if point == "saved":
        assert _state(url) == state  # committed: the run's results, whole
    else:
        assert _state(url) == before  # not committed: the store as it was, to the byte
    again = _cli("run", str(inputs), "--db", url, "--workers", "1", "--quiet")
    assert again.returncode == 0, again.stderr
    assert _state(url) == state
    assert _cli("export", "--db", url, "--out", str(tmp_path / "export")).returncode == 0
    for name in OUTPUTS:
        assert (tmp_path / "export" / name).read_bytes() == (export / name).read_bytes(), name
