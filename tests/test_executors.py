"""The executors and the per-report steps (``--workers``): the output is the same, byte for byte,
for any number of worker processes, and a report whose analysis fails is reported without losing
the others."""

from __future__ import annotations

import json
import subprocess
import sys
from concurrent.futures import process as process_pool
from pathlib import Path

import pytest
from helpers import CROCUS, DEMO, GVA, needs_shared

from corroborate import steps
from corroborate.pipeline import stream
from corroborate.render import OUTPUT_FILES, write_documents
from corroborate.settings import Settings, default_workers, plan_workers
from corroborate.sources.readers import RawDoc

CLI = str(Path(sys.executable).with_name("corroborate"))


def _outputs(directory: Path) -> dict[str, bytes]:
    """Every output file's bytes, but the marker file (it holds the time it was written)."""
    from corroborate.sources.readers import OUTPUT_MARKER

    files = sorted(p for p in directory.rglob("*") if p.is_file() and p.name != OUTPUT_MARKER)
    return {str(p.relative_to(directory)): p.read_bytes() for p in files}


def _gva_sample(path: Path, n: int) -> Path:
    """The first ``n`` GVA dev reports with text: several incidents, several outlets each."""
    lines = [line for line in (GVA / "reports.jsonl").open(encoding="utf-8") if json.loads(line).get("text")]
    path.write_text("".join(lines[:n]), encoding="utf-8")
    return path


@needs_shared
def test_two_workers_write_exactly_what_one_process_writes(tmp_path):
    inputs = [DEMO, CROCUS, _gva_sample(tmp_path / "gva.jsonl", 120)]
    outs = {}
    for n in (1, 2):
        out = tmp_path / f"out-{n}"
        result = stream(inputs, out, workers=n)
        write_documents(result, out)
        outs[n] = _outputs(out)
        assert len(result.reports) == 128 and len(result.incidents) > 20
    assert set(outs[1]) == set(OUTPUT_FILES)
    assert outs[1] == outs[2]


def _demo_copies(path: Path, copies: int) -> Path:
    """The demo's JSONL reports, ``copies`` times over with new ids: enough for a pool of workers."""
    lines = (DEMO / "wire.jsonl").read_text(encoding="utf-8").splitlines()
    with path.open("w", encoding="utf-8") as handle:
        for k in range(copies):
            for line in lines:
                obj = json.loads(line)
                handle.write(json.dumps({**obj, "id": f"{obj['id']}-{k}"}) + "\n")
    return path


def test_cli_workers_option_gives_the_same_output(tmp_path):
    inputs = _demo_copies(tmp_path / "copies.jsonl", 40 // len((DEMO / "wire.jsonl").read_text().splitlines()) + 1)
    assert sum(1 for _ in inputs.open()) > Settings().pool_min_reports
    procs = {}
    for n in ("1", "2"):
        procs[n] = subprocess.run([CLI, "run", str(inputs), str(DEMO), "--out", str(tmp_path / n), "--workers", n, "--quiet"],
                                  capture_output=True, text=True, timeout=600, check=False)
        assert procs[n].returncode == 0, procs[n].stderr
    assert "(2 workers, first report after" in procs["2"].stderr
    assert "(1 worker, first report after" in procs["1"].stderr
    assert _outputs(tmp_path / "1") == _outputs(tmp_path / "2")


def test_small_inputs_run_in_one_process_whatever_is_asked():
    assert plan_workers(8, Settings().pool_min_reports) == 1
    assert plan_workers(8, 1000) == 8
    assert plan_workers(8, 40) == 2  # no more workers than full batches
    assert plan_workers(None, 1000) == default_workers()


def test_workers_below_one_is_a_usage_error(tmp_path):
    proc = subprocess.run([CLI, "run", str(DEMO), "--out", str(tmp_path), "--workers", "0"], capture_output=True, text=True, check=False)
    assert proc.returncode == 2
    assert "--workers" in proc.stderr


def test_batches_ramp_up_then_keep_their_size():
    sizes = [len(b) for b in steps.batched(range(100), 16)]
    assert sizes == [1, 2, 4, 8, 16, 16, 16, 16, 16, 5]
    assert [x for b in steps.batched(range(100), 16) for x in b] == list(range(100))


def test_a_report_whose_analysis_fails_is_reported_and_the_batch_goes_on(monkeypatch):
    """Fault injection: the event extractor raises on one report (a real parse, real analysis
    of the others)."""
    from corroborate.analyze import events

    real = events.extract_events

    def flaky(doc, published):
        if "EXPLODE" in doc.text:
            raise RuntimeError("injected failure")
        return real(doc, published)

    monkeypatch.setattr(events, "extract_events", flaky)
    raws = [RawDoc(id=f"r{i}", origin=f"batch.jsonl:{i}", text=text) for i, text in enumerate([
        "Two people were killed in a fire in Dayton on Monday, police said.",
        "EXPLODE: this report makes the analysis fail.",
        "Three were injured when a bus crashed in Toledo, officials said.",
    ], start=1)]
    out = steps.analyze_batch(raws, sign=True)
    assert [type(item).__name__ for item in out] == ["Analyzed", "Failed", "Analyzed"]
    assert out[1].error.input == "batch.jsonl:2"
    assert out[1].error.message == "analysis failed: RuntimeError: injected failure"
    assert json.loads(out[0].line)["id"] == "r1" and out[0].features.minhash is not None
    assert out[2].words == 11  # "Three were injured when a bus crashed in Toledo, officials said."


def test_the_model_is_loaded_afresh_when_its_vocabulary_grows_and_the_analysis_is_the_same(monkeypatch):
    from corroborate.analyze import nlp as nlp_module
    from corroborate.pipeline import Result
    from corroborate.sources import iter_raw

    raws = list(iter_raw([DEMO], Result()))
    batches = list(steps.batched(raws, 2))
    nlp_module.load_nlp.cache_clear()  # a model that has not met these words in an earlier test
    first = nlp_module.load_nlp()
    before = len(first.vocab.strings)
    plain = [item.line for batch in batches for item in steps.analyze_batch(batch)]
    assert nlp_module.load_nlp() is first  # far below the default limit: the same model throughout
    assert len(first.vocab.strings) > before  # the reports brought new words
    monkeypatch.setattr(nlp_module, "VOCAB_GROWTH", 5)
    nlp_module.load_nlp.cache_clear()  # a new model, whose vocabulary has not met these words yet
    seen, renewed = [], []
    for batch in batches:
        renewed += [item.line for item in steps.analyze_batch(batch)]
        seen.append(nlp_module.load_nlp())
        assert len(seen[-1].vocab.strings) - nlp_module._loaded_strings <= 5
    assert len({id(n) for n in seen}) >= 3  # loaded afresh several times
    assert renewed == plain


def test_stream_removes_its_work_file_when_a_run_fails(tmp_path):
    from corroborate.pipeline import PreviousRunError

    (tmp_path / "prev").mkdir()
    (tmp_path / "prev" / "incidents.jsonl").write_text("", encoding="utf-8")
    (tmp_path / "prev" / "reports.jsonl").write_text("not json\n", encoding="utf-8")
    with pytest.raises(PreviousRunError):
        stream([DEMO], tmp_path / "out", previous=tmp_path / "prev")
    assert [p.name for p in (tmp_path / "out").iterdir()] == []


def test_a_batch_holds_at_most_its_character_budget_unless_one_document_exceeds_it():
    docs = [RawDoc(id=str(i), origin="x", text="w" * n) for i, n in enumerate([10, 10, 10, 10, 30, 100, 5, 5, 5, 5, 5])]
    batches = [[d.id for d in b] for b in steps.batched(docs, size=4, chars=40)]
    # ramp 1, 2, 4 (at most 40 characters each); the 100-character document stands alone
    assert batches == [["0"], ["1", "2"], ["3", "4"], ["5"], ["6", "7", "8", "9"], ["10"]]


@pytest.mark.parametrize("working", [False, True], ids=["while-starting", "while-working"])
def test_a_killed_worker_fails_the_run_with_one_clear_error_and_no_output(tmp_path, working):
    import os
    import signal
    import time

    inputs = _demo_copies(tmp_path / "copies.jsonl", 150)
    out = tmp_path / "out"
    proc = subprocess.Popen([CLI, "run", str(inputs), "--out", str(out), "--workers", "2", "--quiet"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while working and proc.poll() is None and time.monotonic() < deadline:
        # the run's work file, in the new folder it writes beside --out
        if any(f.stat().st_size > 0 for f in tmp_path.glob(".out.corroborate-new-*/.reports.analyzed.jsonl.tmp")):
            break  # the workers have sent back their first results
        time.sleep(0.02)
    killed = None
    while killed is None and time.monotonic() < deadline and proc.poll() is None:
        for child in Path(f"/proc/{proc.pid}/task/{proc.pid}/children").read_text().split():
            try:
                cmdline = Path(f"/proc/{child}/cmdline").read_bytes()
            except OSError:
                continue
            if b"spawn_main" in cmdline:  # a worker, not the resource tracker
                os.kill(int(child), signal.SIGKILL)
                killed = child
                break
        time.sleep(0.02)
    _, stderr = proc.communicate(timeout=600)
    assert killed is not None
    assert proc.returncode == 3, stderr
    assert stderr.strip().splitlines()[-1].startswith("error: a worker process died")
    assert not (out / "reports.jsonl").exists() and not (out / "incidents.jsonl").exists()
    assert not list(tmp_path.glob(".out.corroborate-new-*")), "the new folder is removed"


#: A run of two workers over a small input, in a process of its own, with one of the races
#: below forced by patching CPython's pool (the script's middle part): it prints how the run ended.
_RACE_HEAD = """
import multiprocessing, os, signal, threading, time
from concurrent.futures import process as pool_module
from corroborate.executors import WorkerError, make_executor
from corroborate.sources.readers import RawDoc
from corroborate.steps import run_steps
from corroborate.steps import prepare

start = pool_module.ProcessPoolExecutor._spawn_process  # the pool's own start of a worker
"""
_RACE_RUN = """
docs = [RawDoc(id=str(i), origin="x", text="Two people were killed in Springfield on Monday.") for i in range(64)]
try:
    list(run_steps(docs, make_executor("pool", 2, initializer=prepare)))
except WorkerError:
    print("WorkerError")
print("workers left:", len(multiprocessing.active_children()))
"""


#: A worker dies while the pool starts another: CPython's executor (3.11) marks the pool broken
#: and stops the workers it knows of, but a worker it is starting at that moment is not yet
#: among them: it waits for work for ever, and the pool's shutdown (or the interpreter's exit)
#: waits for it. Here the pool records its second worker only once it has stopped the others,
#: which makes that rare race certain (the pool's own start of a worker, delayed).
_DIES_WHILE_ANOTHER_STARTS = """
def start_while_the_pool_breaks(pool):
    if not pool._processes:
        return start(pool)
    worker = pool._mp_context.Process(target=pool_module._process_worker, args=(
        pool._call_queue, pool._result_queue, pool._initializer, pool._initargs, pool._max_tasks_per_child))
    worker.start()
    for pid in list(pool._processes):
        os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 60
    while not pool._call_queue._reader.closed and time.monotonic() < deadline:
        time.sleep(0.01)  # the pool has seen the death and stopped the workers it knows of
    print("pool broken before the second worker was recorded:", bool(pool._broken))
    pool._processes[worker.pid] = worker

pool_module.ProcessPoolExecutor._spawn_process = start_while_the_pool_breaks
"""


#: The other side of that race: a batch handed to the pool just as it breaks is neither run
#: nor failed by it (3.11 marks the pool broken, then fails the pending batches, without the
#: lock its submit holds), so waiting for that batch's result would wait for ever. Here the
#: pool forgets the first batch when it breaks, which makes that certain.
_A_BATCH_LOST_AS_THE_POOL_BREAKS = """
terminate_broken = pool_module._ExecutorManagerThread.terminate_broken

def lose_the_first_batch(manager, cause):
    manager.pending_work_items.pop(min(manager.pending_work_items))
    terminate_broken(manager, cause)

pool_module._ExecutorManagerThread.terminate_broken = lose_the_first_batch

def start_then_kill(pool):  # once this process waits for the first batch, long before the workers are ready
    start(pool)
    if len(pool._processes) == 1:
        threading.Timer(0.5, os.kill, (next(iter(pool._processes)), signal.SIGKILL)).start()

pool_module.ProcessPoolExecutor._spawn_process = start_then_kill
"""


@pytest.mark.skipif(not hasattr(process_pool, "_ExecutorManagerThread") or not hasattr(process_pool.ProcessPoolExecutor, "_spawn_process"),
                    reason="this Python's process pool is built differently")
@pytest.mark.parametrize(("race", "expected"), [
    (_DIES_WHILE_ANOTHER_STARTS, ["pool broken before the second worker was recorded: True", "WorkerError", "workers left: 0"]),
    (_A_BATCH_LOST_AS_THE_POOL_BREAKS, ["WorkerError", "workers left: 0"]),
], ids=["worker-not-stopped", "batch-never-failed"])
def test_a_worker_dying_in_a_race_with_the_pool_fails_the_run_instead_of_hanging(race, expected):
    proc = subprocess.run([sys.executable, "-c", _RACE_HEAD + race + _RACE_RUN], capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == expected
    assert "Traceback" not in proc.stderr


def test_workers_do_not_outlive_a_killed_run(tmp_path):
    import os
    import signal
    import time

    inputs = _demo_copies(tmp_path / "copies.jsonl", 30)
    proc = subprocess.Popen([CLI, "run", str(inputs), "--out", str(tmp_path / "out"), "--workers", "2", "--quiet"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    workers_seen: list[int] = []
    deadline = time.monotonic() + 120
    while len(workers_seen) < 2 and time.monotonic() < deadline:
        for child in Path(f"/proc/{proc.pid}/task/{proc.pid}/children").read_text().split():
            try:
                if b"spawn_main" in Path(f"/proc/{child}/cmdline").read_bytes() and int(child) not in workers_seen:
                    workers_seen.append(int(child))
            except OSError:
                pass
        time.sleep(0.05)
    time.sleep(3)  # the workers have started and are loading the model or working
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()

    def alive(pid: int) -> bool:
        try:
            return Path(f"/proc/{pid}/stat").read_text().split()[2] not in ("Z", "X")
        except OSError:
            return False

    deadline = time.monotonic() + 30
    while any(alive(pid) for pid in workers_seen) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert len(workers_seen) == 2
    assert not any(alive(pid) for pid in workers_seen)
