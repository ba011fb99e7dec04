"""The Ray engine (``--engine ray``) on a real local Ray cluster: the same outputs as the local
engine, byte for byte; a killed worker retried with the same output; a run that cannot finish
fails with one clear error and leaves the previous outputs as they were.

The cluster is started once for the module with ``ray start --head`` on 127.0.0.1 (2 CPUs), and
the runs join it with ``--ray-address``, as a run on an existing cluster does; the kill tests let
the run start its own local Ray (its workers inherit the run's environment, which names the kill).
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import DEMO, GVA, REPO

ray = pytest.importorskip("ray", reason="the ray extra is not installed (pip install 'corroborate[ray]')")

CLI = [str(Path(sys.executable).with_name("corroborate"))]
OUTPUTS = ("reports.jsonl", "incidents.jsonl", "sources.jsonl")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


#: the cluster's token (Ray's token authentication), which a run joining it must present
AUTH = {"RAY_AUTH_MODE": "token", "RAY_AUTH_TOKEN": secrets.token_hex(16)}


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """A Ray head on this machine with 2 CPUs and token authentication, stopped at the end; its address."""
    ray_cli = str(Path(sys.executable).with_name("ray"))
    port = _free_port()
    temp = tmp_path_factory.mktemp("ray")
    env = {**os.environ, **AUTH}
    started = subprocess.run([ray_cli, "start", "--head", f"--port={port}", "--num-cpus=2", "--include-dashboard=false",
                              "--disable-usage-stats", f"--temp-dir={temp}"],
                             capture_output=True, text=True, timeout=180, check=False, env=env)
    assert started.returncode == 0, started.stderr
    try:
        yield f"127.0.0.1:{port}"
    finally:
        subprocess.run([ray_cli, "stop", "--force"], capture_output=True, timeout=120, check=False, env=env)


def _run(*args: str, env: dict | None = None, timeout: int = 900) -> subprocess.CompletedProcess:
    return subprocess.run([*CLI, "run", *args, "-q"], capture_output=True, text=True, timeout=timeout, cwd=REPO,
                          env={**os.environ, **(env or {})}, check=False)


def _same_outputs(a: Path, b: Path) -> None:
    for name in OUTPUTS:
        assert (a / name).read_bytes() == (b / name).read_bytes(), f"{name} differs between the engines"


@pytest.fixture(scope="module")
def demo_local(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("local") / "demo"
    done = _run(str(DEMO), "--out", str(out), "--workers", "1")
    assert done.returncode == 0, done.stderr
    return out


def test_demo_on_a_ray_cluster_gives_the_local_outputs_byte_for_byte(cluster, demo_local, tmp_path):
    done = _run(str(DEMO), "--out", str(tmp_path / "ray"), "--engine", "ray", "--ray-address", cluster, env=AUTH)
    assert done.returncode == 0, done.stderr
    assert "2 Ray workers" in done.stderr  # the cluster's CPUs
    _same_outputs(demo_local, tmp_path / "ray")
    incidents = (tmp_path / "ray" / "incidents.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(incidents) == 2


@pytest.mark.skipif(not GVA.exists(), reason="needs ../shared/data/gva (the GVA dev reports), absent here")
def test_a_slice_of_gva_dev_on_a_ray_cluster_gives_the_local_outputs(cluster, tmp_path):
    """240 GVA dev reports, several outlets per incident: the linking, the reconciliation and the
    independence judgments all run as Ray tasks, and give what one process gives."""
    lines = (GVA / "reports.jsonl").read_text(encoding="utf-8").splitlines()[:240]
    (tmp_path / "slice.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    local = _run(str(tmp_path / "slice.jsonl"), "--out", str(tmp_path / "local"), "--workers", "1")
    on_ray = _run(str(tmp_path / "slice.jsonl"), "--out", str(tmp_path / "ray"), "--engine", "ray",
                  "--ray-address", cluster, env=AUTH)
    assert on_ray.returncode == local.returncode, on_ray.stderr
    _same_outputs(tmp_path / "local", tmp_path / "ray")
    incidents = (tmp_path / "ray" / "incidents.jsonl").read_text(encoding="utf-8").splitlines()
    assert 40 < len(incidents) < 240  # reports were grouped, not each alone
    assert any('"derived_from":[{' in line for line in (tmp_path / "ray" / "reports.jsonl").open(encoding="utf-8"))


def test_a_killed_ray_worker_is_retried_and_the_output_is_the_same(demo_local, tmp_path):
    """The first task to start kills its own worker (SIGKILL); Ray runs it again elsewhere."""
    mark = tmp_path / "killed"
    done = _run(str(DEMO), "--out", str(tmp_path / "ray"), "--engine", "ray", "--workers", "2",
                env={"CORROBORATE_KILL_AT": "ray-task", "CORROBORATE_KILL_ONCE": str(mark)})
    assert mark.exists(), "no worker was killed"
    assert done.returncode == 0, done.stderr
    _same_outputs(demo_local, tmp_path / "ray")


def test_a_run_whose_workers_always_die_fails_with_one_error_and_keeps_the_previous_outputs(demo_local, tmp_path):
    out = tmp_path / "out"
    shutil.copytree(demo_local, out)
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    done = _run(str(DEMO), "--out", str(out), "--engine", "ray", "--workers", "2",
                env={"CORROBORATE_KILL_AT": "ray-task"})
    assert done.returncode == 3
    errors = [line for line in done.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "Ray task failed 4 times" in errors[0] and "holds the previous outputs" in errors[0]
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()} == before


def test_an_unreachable_cluster_is_one_clear_error(tmp_path):
    address = f"127.0.0.1:{_free_port()}"
    done = _run(str(DEMO), "--out", str(tmp_path / "out"), "--engine", "ray", "--ray-address", address, timeout=60)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        (f"error: --engine ray: cannot reach the Ray cluster at {address}: Connection refused; "
         f"nothing written, {tmp_path / 'out'} is unchanged")]
    assert not (tmp_path / "out").exists()


def test_a_ray_run_into_postgresql_stores_what_the_local_engine_writes(cluster, demo_local, pg_database, tmp_path):
    """The store as the sink (PostgreSQL, for many writers): what the Ray run stored, exported,
    is the local engine's output."""
    done = _run(str(DEMO), "--db", pg_database, "--engine", "ray", "--ray-address", cluster, env=AUTH)
    assert done.returncode == 0, done.stderr
    assert "6 added" in done.stderr
    exported = subprocess.run([*CLI, "export", "--db", pg_database, "--out", str(tmp_path / "export")],
                              capture_output=True, text=True, timeout=300, check=False)
    assert exported.returncode == 0, exported.stderr
    _same_outputs(demo_local, tmp_path / "export")


def test_a_ray_run_on_top_of_an_earlier_run_gives_the_local_outputs(cluster, tmp_path):
    """--previous: the earlier incidents stay together (fixed groups in the grouping of each
    component) and untouched ones are kept; Ray and the local engine agree."""
    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir()
    second.mkdir()
    for k, path in enumerate(sorted(p for p in DEMO.iterdir() if p.suffix != ".md")):
        shutil.copy(path, (first if k % 2 else second) / path.name)
    earlier = _run(str(first), "--out", str(tmp_path / "earlier"), "--workers", "1")
    assert earlier.returncode == 0, earlier.stderr
    local = _run(str(second), "--out", str(tmp_path / "local"), "--previous", str(tmp_path / "earlier"), "--workers", "1")
    on_ray = _run(str(second), "--out", str(tmp_path / "ray"), "--previous", str(tmp_path / "earlier"),
                  "--engine", "ray", "--ray-address", cluster, env=AUTH)
    assert local.returncode == on_ray.returncode == 0, on_ray.stderr
    _same_outputs(tmp_path / "local", tmp_path / "ray")
    assert len((tmp_path / "ray" / "reports.jsonl").read_text(encoding="utf-8").splitlines()) == 6
