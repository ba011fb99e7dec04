"""The output folder of ``corroborate run``: written whole into a new folder and swapped in, so that
whatever stops a run (an error, a full disk, Ctrl-C, SIGKILL) ``--out`` holds the complete old
outputs or the complete new ones; a folder that is not a corroborate output is never replaced
without ``--force``; and the messages and exit codes say what happened.

The folder-level parts run in this process on real folders; the rest runs the installed
``corroborate`` command as a user does, and stops it with real signals."""

from __future__ import annotations

import contextlib
import fcntl
import glob
import json
import os
import re
import resource
import shutil
import signal
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from helpers import DEMO
from test_cli import CLI, corroborate

from corroborate import __version__
from corroborate.records import CONTRACT_VERSION
from corroborate.render.outputs import (
    OutputError,
    StagedOutput,
    _signals_held,
    check_out,
    exchange,
    output_kind,
)
from corroborate.sources.readers import OUTPUT_MARKER

OUTPUTS = {"reports.jsonl", "incidents.jsonl", "sources.jsonl", "report.md", "report.html", OUTPUT_MARKER}


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (relative path -> content)."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def leftovers(parent: Path) -> list[str]:
    return sorted(p.name for p in parent.iterdir() if ".corroborate-" in p.name)


def fill(folder: Path, files: dict[str, str]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")


# The folder swap, in this process ------------------------------------------------------------


def test_a_new_output_folder_is_renamed_into_place_with_its_marker(tmp_path):
    out = tmp_path / "deep" / "out"
    with StagedOutput(out) as staged:
        assert staged.path.parent == out.parent and staged.path.name.startswith(".out.corroborate-new-")
        fill(staged.path, {"reports.jsonl": "{}\n"})
        staged.commit()
    assert sorted(p.name for p in out.iterdir()) == sorted(["reports.jsonl", OUTPUT_MARKER])
    marker = json.loads((out / OUTPUT_MARKER).read_text(encoding="utf-8"))
    assert marker["corroborate"] == __version__ and marker["contract"] == CONTRACT_VERSION
    assert marker["written"].endswith("+00:00") and marker["written"][:4].isdigit()
    assert leftovers(out.parent) == []
    assert output_kind(out) == "output"


@pytest.mark.parametrize("use_exchange", [True, False], ids=["renameat2", "fallback"])
def test_an_old_output_folder_is_replaced_whole(tmp_path, use_exchange):
    out = tmp_path / "out"
    fill(out, {"reports.jsonl": "old\n", "stale-page.html": "old"})
    (out / OUTPUT_MARKER).write_text("{}", encoding="utf-8")
    with StagedOutput(out, use_exchange=use_exchange) as staged:
        fill(staged.path, {"reports.jsonl": "new\n"})
        staged.commit()
    assert snapshot(out).keys() == {"reports.jsonl", OUTPUT_MARKER}  # nothing of the old folder is left in it
    assert (out / "reports.jsonl").read_text() == "new\n"
    assert leftovers(tmp_path) == []


def test_renameat2_exchange_swaps_two_folders_in_one_step(tmp_path):
    fill(tmp_path / "a", {"x": "from a"})
    fill(tmp_path / "b", {"y": "from b"})
    if not exchange(tmp_path / "a", tmp_path / "b"):
        pytest.skip("renameat2(RENAME_EXCHANGE) is not available on this system or file system")
    assert snapshot(tmp_path / "a") == {"y": b"from b"}
    assert snapshot(tmp_path / "b") == {"x": b"from a"}


@pytest.mark.parametrize("stop", [KeyboardInterrupt, OSError, ValueError])
def test_a_run_that_stops_leaves_the_old_outputs_and_no_temporary_folder(tmp_path, stop):
    out = tmp_path / "out"
    fill(out, {"reports.jsonl": "old\n", OUTPUT_MARKER: "{}"})
    before = snapshot(out)
    with pytest.raises(stop), StagedOutput(out) as staged:
        fill(staged.path, {"reports.jsonl": "half"})
        raise stop("stopped")
    assert snapshot(out) == before
    assert leftovers(tmp_path) == []


def test_folders_made_for_out_are_removed_when_nothing_is_written(tmp_path):
    out = tmp_path / "a" / "b" / "out"
    with pytest.raises(KeyboardInterrupt), StagedOutput(out):
        raise KeyboardInterrupt
    assert list(tmp_path.iterdir()) == []


def test_leftovers_of_killed_runs_are_swept_and_old_outputs_put_back(tmp_path):
    out = tmp_path / "out"
    stale_new = tmp_path / ".out.corroborate-new-0badc0de"  # a run killed while writing
    fill(stale_new, {"reports.jsonl": "half"})
    stale_old = tmp_path / ".out.corroborate-old-0badc0de"  # a run killed between the fallback's renames
    fill(stale_old, {"reports.jsonl": "the previous outputs\n", OUTPUT_MARKER: "{}"})
    running = tmp_path / ".out.corroborate-new-11111111"  # a run still going: it holds its lock
    fill(running, {"reports.jsonl": "being written"})
    other = tmp_path / ".other.corroborate-new-22222222"  # another --out's folder
    other.mkdir()
    fd = os.open(running, os.O_RDONLY)
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        StagedOutput(out).sweep()
    finally:
        os.close(fd)
    assert (out / "reports.jsonl").read_text() == "the previous outputs\n"
    assert leftovers(tmp_path) == sorted([running.name, other.name])
    StagedOutput(out).sweep()  # its run is over: now it goes
    assert leftovers(tmp_path) == [other.name]


def test_ctrl_c_during_the_swap_waits_for_the_swap(tmp_path):
    # Python's own Ctrl-C handler, whatever this test was started under (a shell's background
    # job, nohup, starts with SIGINT ignored, and an ignored signal is rightly held back for good)
    started_with = signal.signal(signal.SIGINT, signal.default_int_handler)
    done = []
    try:
        with pytest.raises(KeyboardInterrupt), _signals_held():
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(0.05)
            done.append("swapped")  # reached: the interrupt comes after the block
        assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    finally:
        signal.signal(signal.SIGINT, started_with)
    assert done == ["swapped"]


def test_what_out_is(tmp_path):
    assert output_kind(tmp_path / "missing") == "missing"
    (tmp_path / "empty").mkdir()
    assert output_kind(tmp_path / "empty") == "empty"
    fill(tmp_path / "marked", {OUTPUT_MARKER: "{}"})
    assert output_kind(tmp_path / "marked") == "output"
    fill(tmp_path / "older", {"reports.jsonl": "", "incidents.jsonl": "", "report.html": "", "report.md": ""})
    assert output_kind(tmp_path / "older") == "output"  # an older corroborate's outputs, before the marker
    fill(tmp_path / "mine", {"reports.jsonl": "", "notes.txt": "my notes"})
    assert output_kind(tmp_path / "mine") == "other"
    (tmp_path / "file").write_text("x")
    assert output_kind(tmp_path / "file") == "file"


def test_force_never_replaces_a_folder_that_holds_an_input(tmp_path):
    fill(tmp_path / "work" / "in", {"a.txt": "A report."})
    with pytest.raises(OutputError, match="is not empty and is not a corroborate output folder"):
        check_out(tmp_path / "work", inputs=[str(tmp_path / "work" / "in")])
    with pytest.raises(OutputError, match=r"holds the input .*in; even with --force it would be replaced whole"):
        check_out(tmp_path / "work", force=True, inputs=[str(tmp_path / "work" / "in")])
    assert check_out(tmp_path / "work", force=True, inputs=[str(DEMO)]) == "other"


# The command ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_out(tmp_path_factory):
    """The outputs of a run over the demo, to copy as a --out holding earlier outputs."""
    out = tmp_path_factory.mktemp("demo") / "out"
    proc = corroborate("run", DEMO, "--out", out, "--quiet")
    assert proc.returncode == 0, proc.stderr
    return out


@pytest.fixture(scope="module")
def big_input(tmp_path_factory):
    """A JSONL file of 400 reports (the demo's wire reports under new ids): long enough to stop mid-run."""
    path = tmp_path_factory.mktemp("big") / "big.jsonl"
    records = [json.loads(line) for line in (DEMO / "wire.jsonl").read_text(encoding="utf-8").splitlines()]
    with path.open("w", encoding="utf-8") as handle:
        for i in range(400):
            handle.write(json.dumps({**records[i % len(records)], "id": f"r{i}"}) + "\n")
    return path


def test_a_folder_of_other_files_is_refused_unless_forced(tmp_path):
    fill(tmp_path / "mine", {"notes.txt": "my notes"})
    proc = corroborate("run", DEMO, "--out", tmp_path / "mine")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert proc.stderr.strip() == (f"error: --out {tmp_path / 'mine'} is not empty and is not a corroborate output folder; "
                                   "choose another folder, or add --force to replace everything in it")
    assert snapshot(tmp_path / "mine") == {"notes.txt": b"my notes"}
    assert leftovers(tmp_path) == []
    proc = corroborate("run", DEMO / "wire.jsonl", "--out", tmp_path / "mine", "--force", "--quiet")
    assert proc.returncode == 0, proc.stderr
    assert {p.name for p in (tmp_path / "mine").iterdir()} == OUTPUTS


def test_the_outputs_of_an_older_corroborate_are_replaced_without_force(tmp_path, demo_out):
    shutil.copytree(demo_out, tmp_path / "out")
    (tmp_path / "out" / OUTPUT_MARKER).unlink()  # as an older version wrote it
    proc = corroborate("run", DEMO / "coastline-daily.txt", "--out", tmp_path / "out", "--quiet")
    assert proc.returncode == 0, proc.stderr
    assert {p.name for p in (tmp_path / "out").iterdir()} == OUTPUTS
    assert [json.loads(line)["id"] for line in (tmp_path / "out" / "reports.jsonl").open()] == ["coastline-daily"]


def test_out_under_a_file_is_one_clear_error(tmp_path):
    (tmp_path / "file").write_text("x")
    proc = corroborate("run", DEMO, "--out", tmp_path / "file" / "out")
    assert proc.returncode == 2
    assert proc.stderr.strip() == f"error: cannot write outputs to {tmp_path / 'file' / 'out'}: {tmp_path / 'file'} is not a directory"


@contextlib.contextmanager
def read_only_folder(path: Path):
    """A folder this process cannot write to: by its mode, or (as root, whom modes do not stop) a
    read-only tmpfs mounted on it."""
    path.mkdir()
    if os.geteuid() != 0:
        path.chmod(0o555)
        try:
            yield path
        finally:
            path.chmod(0o755)
        return
    if shutil.which("mount") is None or subprocess.run(["mount", "-t", "tmpfs", "-o", "ro,size=1m", "tmpfs", str(path)],
                                                       capture_output=True, check=False).returncode != 0:
        pytest.skip("running as root, and mounting a read-only tmpfs is not permitted here")
    try:
        yield path
    finally:
        subprocess.run(["umount", str(path)], check=True)


def test_a_read_only_place_for_out_is_one_clear_error(tmp_path):
    with read_only_folder(tmp_path / "ro") as ro:
        proc = corroborate("run", DEMO, "--out", ro / "out")
        listed = os.listdir(ro)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    reason = "Permission denied" if os.geteuid() != 0 else "Read-only file system"
    assert proc.stderr.strip() == f"error: cannot write outputs to {ro / 'out'}: {reason}"
    assert listed == []


def test_a_read_only_out_is_one_clear_error(tmp_path, demo_out):
    if os.geteuid() == 0:
        pytest.skip("as root, a folder's mode does not stop writes (the read-only mount is the test above)")
    shutil.copytree(demo_out, tmp_path / "out")
    before = snapshot(tmp_path / "out")
    (tmp_path / "out").chmod(0o555)
    try:
        proc = corroborate("run", DEMO, "--out", tmp_path / "out")
    finally:
        (tmp_path / "out").chmod(0o755)
    assert proc.returncode == 2
    assert proc.stderr.strip() == f"error: cannot write outputs to {tmp_path / 'out'}: Permission denied"
    assert snapshot(tmp_path / "out") == before


@pytest.fixture
def small_disk(tmp_path):
    """A 2 MB tmpfs (root only, where mounting is permitted)."""
    disk = tmp_path / "disk"
    disk.mkdir()
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a small tmpfs needs root (the RLIMIT_FSIZE test covers a write that fails)")
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(disk)], capture_output=True, check=False).returncode:
        pytest.skip("mounting a tmpfs is not permitted here")
    yield disk
    subprocess.run(["umount", str(disk)], check=True)


def test_a_full_disk_is_one_clear_error_and_the_old_outputs_stay(small_disk, demo_out):
    out = small_disk / "out"
    shutil.copytree(demo_out, out)
    before = snapshot(out)
    free = shutil.disk_usage(small_disk).free
    with (small_disk / "filler").open("wb") as handle:  # leave 24 KB: less than the demo's reports take
        handle.write(b"\0" * (free - 24 * 1024))
    proc = corroborate("run", DEMO, "--out", out, "--quiet")
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    assert proc.stderr.strip().splitlines()[-1] == (f"error: cannot write outputs to {out}: No space left on device; "
                                                    f"nothing written, {out}/ holds the previous outputs")
    assert snapshot(out) == before
    assert sorted(os.listdir(small_disk)) == ["filler", "out"]  # no temporary file or folder left


def test_a_write_that_fails_midway_is_one_clear_error(tmp_path, demo_out):
    # RLIMIT_FSIZE: a file grown past 20 KB fails with EFBIG (Python ignores SIGXFSZ), as a full disk would
    out = tmp_path / "out"
    shutil.copytree(demo_out, out)
    before = snapshot(out)

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (20_000, 20_000))

    proc = subprocess.run([CLI, "run", str(DEMO), "--out", str(out), "--quiet"], capture_output=True, text=True,
                          preexec_fn=limit, timeout=600, check=False)
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    assert proc.stderr.strip().splitlines()[-1] == (f"error: cannot write outputs to {out}: File too large; "
                                                    f"nothing written, {out}/ holds the previous outputs")
    assert snapshot(out) == before
    assert sorted(os.listdir(tmp_path)) == ["out"]


def start(*args, cwd=None) -> subprocess.Popen:
    """``corroborate`` in a process group of its own, as a shell starts a command (Ctrl-C goes to the group)."""
    return subprocess.Popen([CLI, *map(str, args)], stderr=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                            cwd=cwd, start_new_session=True)


def wait_for(condition, proc: subprocess.Popen, timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if proc.poll() is not None:
            pytest.fail(f"the run ended before the moment to stop it: {proc.communicate()[1]}")
        if time.monotonic() > deadline:
            proc.kill()
            pytest.fail("the moment to stop the run never came")
        time.sleep(0.02)


def staging(parent: Path) -> list[str]:
    return glob.glob(str(parent / ".out.corroborate-new-*"))


def analyzing(parent: Path) -> bool:
    """The run has analyzed reports: its work file in the new folder has lines."""
    return any(os.path.getsize(p) > 0 for p in glob.glob(str(parent / ".out.corroborate-new-*" / ".reports.analyzed.jsonl.tmp")))


@pytest.mark.parametrize("moment", ["starting", "analyzing"])
def test_ctrl_c_keeps_the_old_outputs_whole(tmp_path, demo_out, big_input, moment):
    out = tmp_path / "out"
    shutil.copytree(demo_out, out)
    before = snapshot(out)
    proc = start("run", big_input, "--out", out, "--workers", "1")
    wait_for((lambda: staging(tmp_path)) if moment == "starting" else (lambda: analyzing(tmp_path)), proc)
    os.killpg(proc.pid, signal.SIGINT)  # Ctrl-C in a terminal: to the whole process group
    _, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 130, stderr
    assert stderr.strip() == f"interrupted: no output written; {out}/ holds the previous outputs"
    assert snapshot(out) == before
    assert sorted(os.listdir(tmp_path)) == ["out"]


def test_ctrl_c_before_a_first_output_leaves_nothing(tmp_path, big_input):
    proc = start("run", big_input, "--out", tmp_path / "new" / "out", "--workers", "1")
    wait_for(lambda: analyzing(tmp_path / "new"), proc)
    proc.send_signal(signal.SIGINT)  # kill -INT to the process alone
    _, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 130, stderr
    assert stderr.strip() == f"interrupted: no output written; {tmp_path / 'new' / 'out'} is unchanged"
    assert os.listdir(tmp_path) == []  # not even the folder made for --out


def test_sigterm_is_handled_as_ctrl_c(tmp_path, demo_out, big_input):
    out = tmp_path / "out"
    shutil.copytree(demo_out, out)
    before = snapshot(out)
    proc = start("run", big_input, "--out", out, "--workers", "1")
    wait_for(lambda: analyzing(tmp_path), proc)
    proc.terminate()
    _, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 143
    assert stderr.strip() == f"terminated: no output written; {out}/ holds the previous outputs"
    assert snapshot(out) == before and sorted(os.listdir(tmp_path)) == ["out"]


@pytest.mark.parametrize("working", [False, True], ids=["while-workers-start", "while-workers-work"])
def test_ctrl_c_with_worker_processes_is_one_line(tmp_path, demo_out, big_input, working):
    out = tmp_path / "out"
    shutil.copytree(demo_out, out)
    before = snapshot(out)
    proc = start("run", big_input, "--out", out, "--workers", "2")
    if working:
        wait_for(lambda: analyzing(tmp_path), proc)  # the workers have sent back results
    else:
        wait_for(lambda: staging(tmp_path), proc)
        time.sleep(1.5)  # the workers are importing spaCy and loading the model
    os.killpg(proc.pid, signal.SIGINT)
    _, stderr = proc.communicate(timeout=120)
    assert snapshot(out) == before and sorted(os.listdir(tmp_path)) == ["out"]
    assert proc.returncode == 130, stderr
    assert stderr.strip() == f"interrupted: no output written; {out}/ holds the previous outputs"


def test_a_killed_run_leaves_the_old_outputs_and_the_next_run_sweeps_its_folder(tmp_path, demo_out, big_input):
    out = tmp_path / "out"
    shutil.copytree(demo_out, out)
    before = snapshot(out)
    proc = start("run", big_input, "--out", out, "--workers", "1")
    wait_for(lambda: analyzing(tmp_path), proc)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=60)
    assert snapshot(out) == before
    assert len(staging(tmp_path)) == 1  # what SIGKILL leaves: no process can clean up after it
    proc = corroborate("run", DEMO / "coastline-daily.txt", "--out", out, "--quiet")
    assert proc.returncode == 0, proc.stderr
    assert sorted(os.listdir(tmp_path)) == ["out"]
    assert [json.loads(line)["id"] for line in (out / "reports.jsonl").open()] == ["coastline-daily"]


def test_previous_may_be_out_itself(tmp_path):
    out = tmp_path / "out"
    proc = corroborate("run", DEMO / "wire.jsonl", "--out", out, "--quiet")
    assert proc.returncode == 0, proc.stderr
    first = [json.loads(line) for line in (out / "incidents.jsonl").open()]
    proc = corroborate("run", DEMO / "coastline-daily.txt", "--previous", out, "--out", out, "--quiet")
    assert proc.returncode == 0, proc.stderr
    assert "(+4 from --previous)" in proc.stderr
    ids = [json.loads(line)["id"] for line in (out / "reports.jsonl").open()]
    assert len(ids) == 5 and ids[-1] == "coastline-daily"
    incidents = [json.loads(line) for line in (out / "incidents.jsonl").open()]
    assert {i["id"] for i in first} <= {i["id"] for i in incidents}  # the incidents keep their ids
    assert leftovers(tmp_path) == []


def test_out_inside_the_input_folder_is_never_read_back(tmp_path):
    shutil.copytree(DEMO, tmp_path / "in")
    for _ in range(2):
        proc = corroborate("run", tmp_path / "in", "--out", tmp_path / "in" / "out", "--quiet")
        assert proc.returncode == 0, proc.stderr
        assert proc.stderr.strip().splitlines()[-1].startswith("6 reports")  # not 6 + its own outputs
        assert "error:" not in proc.stderr
    assert len((tmp_path / "in" / "out" / "reports.jsonl").read_text().splitlines()) == 6
    assert leftovers(tmp_path / "in") == []


def test_no_absolute_path_in_the_outputs_of_relative_inputs(tmp_path):
    shutil.copytree(DEMO, tmp_path / "in")
    (tmp_path / "in" / "empty.txt").write_bytes(b"")
    proc = corroborate("run", "in", "--out", "out", "--verbose", cwd=tmp_path)
    assert proc.returncode == 1
    assert "error: in/empty.txt: empty file" in proc.stderr.splitlines()
    assert any(line.startswith("skipped: in/README.md: unsupported file type") for line in proc.stderr.splitlines())
    origins = [json.loads(line)["origin"] for line in (tmp_path / "out" / "reports.jsonl").open()]
    assert sorted(origins)[:2] == ["in/coastline-daily.txt", "in/halvard-herald.html"]
    absolute = [str(tmp_path), str(tmp_path.resolve())]
    for name in ("reports.jsonl", "incidents.jsonl", "sources.jsonl", "report.md", "report.html"):
        text = (tmp_path / "out" / name).read_text(encoding="utf-8")
        assert not any(a in text for a in absolute), name
    assert not any(a in proc.stderr for a in absolute)


def test_nothing_to_read_is_exit_2_and_leaves_out_unchanged(tmp_path, demo_out):
    shutil.copytree(demo_out, tmp_path / "out")
    before = snapshot(tmp_path / "out")
    fill(tmp_path / "in", {"notes.md": "x", "photo.png": "x"})
    proc = corroborate("run", tmp_path / "in", "--out", tmp_path / "out", "--verbose")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    skipped = sorted(line for line in lines if line.startswith("skipped:"))
    assert [line.rsplit(": ", 1)[0] for line in skipped] == [f"skipped: {tmp_path / 'in' / name}" for name in ("notes.md", "photo.png")]
    assert all(line.rsplit(": ", 1)[1].startswith("unsupported file type") for line in skipped)
    assert re.match(re.escape(f"error: no reports to read in {tmp_path / 'in'}: 2 files, all skipped (")
                    + r"1 unsupported file type[^,]*, 1 unsupported file type[^)]*\); corroborate reads ", lines[-1]), lines[-1]
    assert lines[-1].endswith(f"; nothing written, {tmp_path / 'out'}/ holds the previous outputs")
    assert snapshot(tmp_path / "out") == before
    assert leftovers(tmp_path) == []


def test_bad_inputs_only_is_exit_1_with_valid_empty_outputs(tmp_path):
    fill(tmp_path / "in", {"empty.txt": "", "lines.jsonl": '{"id": "x"}\n'})
    proc = corroborate("run", tmp_path / "in", "--out", tmp_path / "out")
    assert proc.returncode == 1
    errors = [line for line in proc.stderr.splitlines() if line.startswith("error:")]
    assert errors[0] == f"error: {tmp_path / 'in' / 'empty.txt'}: empty file"
    assert errors[1].startswith(f"error: {tmp_path / 'in' / 'lines.jsonl'}:1: ") and len(errors) == 2
    out = tmp_path / "out"
    assert {p.name for p in out.iterdir()} == OUTPUTS
    assert (out / "reports.jsonl").read_text() == "" and (out / "incidents.jsonl").read_text() == ""
    assert "0 reports · 0 incidents" in (out / "report.html").read_text(encoding="utf-8")


def test_no_input_at_all_is_a_usage_error(tmp_path):
    proc = corroborate("run", "--out", tmp_path / "out")
    assert proc.returncode == 2
    assert proc.stderr.strip() == "error: no input given: name files, folders, URLs or - (standard input), or give --urls FILE"
    assert os.listdir(tmp_path) == []


def test_summary_counts_skipped_files_by_reason(tmp_path):
    fill(tmp_path / "in", {"a.txt": "Two people were hurt in a fire on Main Street on Sunday, police said.",
                           "b.png": "x", "c.png": "x"})
    proc = corroborate("run", tmp_path / "in", "--out", tmp_path / "out", "--quiet")
    assert proc.returncode == 0, proc.stderr
    assert "skipped:" not in proc.stderr  # only with --verbose
    assert re.search(r", 2 skipped \(2 unsupported file type( '\.png')?\); outputs in ", proc.stderr.strip().splitlines()[-1])


class _Article(BaseHTTPRequestHandler):
    def do_GET(self):
        body = (b"<html><head><title>Fire at the pier</title></head><body><article><h1>Fire at the pier</h1>"
                b"<p>A fire broke out on the ferry on Sunday. Three crew members were hurt, the fire chief said.</p>"
                b"</article></body></html>")
        self.send_response(200 if self.path != "/robots.txt" else 404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_a_url_input_reaches_the_reader_unmangled(tmp_path):
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Article)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}/news/fire.html?id=7"
    try:
        proc = corroborate("run", url, "--out", tmp_path / "out", "--quiet")
    finally:
        server.shutdown()
    # read (exit 0), or refused by the fetcher's guard (a local address): either way under its own name
    assert proc.returncode in (0, 1), proc.stderr
    if proc.returncode == 1:
        assert any(line.startswith(f"error: {url}: ") for line in proc.stderr.splitlines()), proc.stderr
    else:
        assert [json.loads(line)["origin"] for line in (tmp_path / "out" / "reports.jsonl").open()] == [url]
    assert "http:/127" not in proc.stderr


def test_urls_file_that_cannot_be_read_is_a_usage_error(tmp_path):
    proc = corroborate("run", "--urls", tmp_path / "missing.txt", "--out", tmp_path / "out")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: --urls") and f"{tmp_path / 'missing.txt'}: " in lines[0]
    assert os.listdir(tmp_path) == []


def test_a_urls_line_that_is_not_a_url_is_one_error_naming_the_file_and_line_once(tmp_path):
    urls = tmp_path / "urls.txt"
    urls.write_text("# today's pages\nhttps://news.example/a\n\nnot a url\n", encoding="utf-8")
    proc = corroborate("run", "--urls", urls, "--out", tmp_path / "out")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert proc.stderr.strip() == f"error: --urls {urls}:4: not an http(s) URL: 'not a url'"
    assert not (tmp_path / "out").exists()


def test_a_bad_map_is_one_clear_error(tmp_path):
    proc = corroborate("run", DEMO, "--map", "text", "--out", tmp_path / "out")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: --map text: ")
    assert os.listdir(tmp_path) == []


def test_a_dash_is_standard_input(tmp_path):
    line = json.dumps({"id": "s1", "text": "Two people were hurt in a fire on Main Street on Sunday, police said."})
    proc = subprocess.run([CLI, "run", "-", "--out", str(tmp_path / "out"), "--quiet"], input=line + "\n",
                          capture_output=True, text=True, timeout=600, check=False)
    assert proc.returncode == 0, proc.stderr
    assert [json.loads(r)["id"] for r in (tmp_path / "out" / "reports.jsonl").open()] == ["s1"]
