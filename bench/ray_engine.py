"""The Ray engine (``--engine ray``) against the local engine.

1. Throughput on the GVA dev set: ``corroborate run`` with the local engine at 1 and 2 workers
   and with Ray (a local Ray started by the run) at 1 and 2 workers; the scaling efficiency from
   1 to 2 workers; the peak memory of each process (the run's own process, and each Ray worker),
   sampled from /proc every 0.2 s; whether each output is the local engine's, byte for byte.
2. The fixed cost of the Ray engine: the demo's six reports, with each engine.
3. Linking time for synthetic reports (:mod:`synthetic`: GVA dev varied into other incidents)
   at 100,000 and 1,000,000, in one process (the local engine) and on a local Ray of 2 workers,
   with its phases (candidates, scoring, grouping).
4. A projection for a day of 200,000 articles on 16 cores and on 4 × 16 cores, from the measured
   per-worker rates and fixed costs, the arithmetic printed.

``python bench/ray_engine.py GVA_REPORTS_JSONL ANALYZED_GVA_REPORTS_JSONL [--sizes 100000,1000000]``
(``make bench`` runs it). Run it on a quiet machine: Ray's workers run at nice 15.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import re
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
OUT = HERE / "out" / "ray"
CLI = str(Path(sys.executable).with_name("corroborate"))
DEMO = REPO / "examples" / "demo"
_SUMMARY = re.compile(r"(\d+) reports \(([\d,]+) words\)")


def _children(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        try:
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children", encoding="ascii") as handle:
                    kids = [int(k) for k in handle.read().split()]
                found += kids
                todo += kids
        except OSError:
            continue
    return found


def _status(pid: int) -> tuple[str, int]:
    """(command line, resident kB) of a process; ("", 0) once it is gone."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as handle:
            command = handle.read().replace(b"\0", b" ").decode("utf8", "replace")
        with open(f"/proc/{pid}/status", encoding="ascii") as handle:
            rss = next((int(line.split()[1]) for line in handle if line.startswith("VmRSS:")), 0)
        return command, rss
    except OSError:
        return "", 0


def timed_run(args: list[str]) -> dict:
    """``corroborate run ARGS``: wall seconds, reports and words (from its summary), and the peak
    RSS (MB) of its own process and of its largest worker (pool workers or Ray task workers)."""
    started = time.perf_counter()
    process = subprocess.Popen([CLI, "run", *args, "-q"], stderr=subprocess.PIPE, text=True)
    peaks = {"driver": 0, "worker": 0}
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            peaks["driver"] = max(peaks["driver"], _status(process.pid)[1])
            for pid in _children(process.pid):
                command, rss = _status(pid)
                if command.startswith("ray::") and "Agent" not in command or "multiprocessing" in command:
                    peaks["worker"] = max(peaks["worker"], rss)
            stop.wait(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, err = process.communicate()
    seconds = time.perf_counter() - started
    stop.set()
    sampler.join()
    found = _SUMMARY.search(err or "")
    if process.returncode not in (0, 1) or found is None:
        raise RuntimeError(f"corroborate run {' '.join(args)} failed ({process.returncode}): {err[-2000:]}")
    return {"seconds": seconds, "reports": int(found.group(1)), "words": int(found.group(2).replace(",", "")),
            "driver_mb": peaks["driver"] / 1024, "worker_mb": peaks["worker"] / 1024}


def _same(a: Path, b: Path) -> bool:
    return all((a / name).read_bytes() == (b / name).read_bytes() for name in ("reports.jsonl", "incidents.jsonl"))


def throughput(gva: Path) -> dict:
    """The four GVA runs and the two demo runs."""
    OUT.mkdir(parents=True, exist_ok=True)
    runs = {}
    for engine, workers in (("local", 1), ("ray", 1), ("local", 2), ("ray", 2)):
        out = OUT / f"gva-{engine}-{workers}"
        shutil.rmtree(out, ignore_errors=True)
        runs[(engine, workers)] = timed_run([str(gva), "--out", str(out), "--engine", engine, "--workers", str(workers)])
        runs[(engine, workers)]["same"] = _same(OUT / "gva-local-1", out)
        print(f"  {engine} {workers}: {runs[(engine, workers)]}", flush=True)
    for engine in ("local", "ray"):
        out = OUT / f"demo-{engine}"
        shutil.rmtree(out, ignore_errors=True)
        runs[("demo", engine)] = timed_run([str(DEMO), "--out", str(out), "--engine", engine, "--workers", "2"])
    return runs


def linking(analyzed: Path, sizes: tuple[int, ...], amdahl: tuple[int, ...] = (), order=(("ray", 2), ("ray", 1), ("local", 1))) -> list[dict]:
    """Linking time at each size, in one process and on a local Ray of 2 workers (same groups).
    The features of every size are made first (a pool of 2 processes), before Ray starts. At the
    sizes in ``amdahl``, Ray with 1 worker too: with T(w) = S + P / w, the serial part is
    S = 2 T(2) - T(1) and the parallel part P = 2 (T(1) - T(2))."""
    import importlib

    import link_scale
    from synthetic import Variation

    from corroborate.analyze import takes_part
    from corroborate.executors.ray import RayExecutor
    from corroborate.records import Report

    cluster = importlib.import_module("corroborate.incidents.cluster")
    link_scale._variation = Variation([Report.model_validate_json(line) for line in analyzed.open(encoding="utf-8")])
    made = {}
    base = link_scale._variation.reports
    cached = OUT / f"features-{max(sizes)}.pkl"
    if cached.exists():  # the features of the largest size, from an earlier bench run (same seed)
        with cached.open("rb") as handle:
            every = pickle.load(handle)
    else:
        started = time.perf_counter()
        every = link_scale.features(max(sizes))
        print(f"  features of {max(sizes):,} synthetic reports ({len(every):,} grouped) in "
              f"{time.perf_counter() - started:.0f} s", flush=True)
        with cached.open("wb") as handle:
            pickle.dump(every, handle, protocol=5)
    for n in sizes:  # the first n synthetic reports: a prefix of the features (whole copies of the corpus, then a part)
        whole, part = divmod(n, len(base))
        made[n] = every[: whole * sum(map(takes_part, base)) + sum(map(takes_part, base[:part]))]
    del every
    rows = []
    for n in sizes:
        feats = made.pop(n)
        row: dict = {"reports": n, "grouped": len(feats)}
        for name, workers in order:
            if name == "ray" and workers == 1 and n not in amdahl:
                continue
            cluster.pack(feats)  # as the workers send them
            executor = RayExecutor(workers) if name == "ray" else None
            stats: dict = {}
            started = time.perf_counter()
            groups = cluster.cluster_features(feats, stats=stats, executor=executor)
            key = f"{name}-{workers}"
            row[key] = {"seconds": time.perf_counter() - started, "phases": stats["seconds"],
                        "pairs": stats["candidate_pairs"], "kept": stats["kept_pairs"], "incidents": len(groups),
                        "peak_gb": link_scale._peak_gb()}
            row.setdefault("groups", groups)
            row[key]["same"] = groups == row["groups"]
            if executor is not None:
                executor.close()
            del groups
            print(f"  {n:,} {key}: {row[key]}", flush=True)
            (OUT / "links.jsonl").open("a").write(json.dumps({"n": n, "key": key, **row[key]}) + "\n")
        del row["groups"], feats
        rows.append(row)
    return rows


def projection(runs: dict, links: list[dict], articles: int = 200_000) -> list[str]:
    """A day of ``articles`` on 16 cores and on 4 × 16, from the measured rates, with the arithmetic."""
    one, two = runs[("ray", 1)], runs[("ray", 2)]
    fixed = runs[("demo", "ray")]["seconds"]
    reports = two["reports"]
    per_worker = reports / (one["seconds"] - fixed)  # reports/s of one Ray worker, start-up taken off
    efficiency = (reports / (two["seconds"] - fixed)) / (2 * per_worker)
    measured = sorted((row["reports"], row["ray-2"]["seconds"]) for row in links)
    split = next((row for row in links if "ray-1" in row), None)
    (small, t_small), (large, t_large) = measured[0], measured[-1]
    t_day = t_small + (articles - small) / (large - small) * (t_large - t_small) if large > small else t_small
    if split is not None:
        serial_share = max(0.0, min(1.0, (2 * split["ray-2"]["seconds"] - split["ray-1"]["seconds"]) / split["ray-2"]["seconds"]))
    else:
        serial_share = 1.0
    serial, parallel2 = t_day * serial_share, t_day * (1 - serial_share)
    lines = [(f"Projection for {articles:,} articles a day. Measured here: one Ray worker analyzes {per_worker:.2f} "
              f"reports/s (GVA dev, the Ray engine's fixed cost of {fixed:.1f} s taken off); 2 workers scale at "
              f"{efficiency:.0%}; linking on 2 Ray workers takes {t_small:.0f} s at {small:,} reports and {t_large:.0f} s "
              f"at {large:,}, so {t_day:.0f} s at {articles:,} (linear between the two); of it, "
              f"{serial_share:.0%} is serial (from 1 and 2 workers at {split['reports'] if split else small:,}: "
              f"S = 2 T(2) - T(1)), so {serial:.0f} s serial and {parallel2:.0f} s parallel on 2 workers.")]
    for label, workers in (("16 cores", 16), ("4 × 16 cores", 64)):
        analyze = articles / (workers * per_worker * efficiency)
        parallel = parallel2 * 2 / workers
        total = fixed + analyze + serial + parallel
        lines.append(f"- {label} ({workers} workers): {fixed:.0f} s fixed + analysis {articles:,} / ({workers} × "
                     f"{per_worker:.2f} × {efficiency:.2f}) = {analyze:,.0f} s + linking {serial:,.0f} s serial + "
                     f"{parallel2:,.0f} × 2 / {workers} = {parallel:,.0f} s parallel = **{total / 60:,.1f} min** "
                     f"({articles / total:,.0f} articles/s)")
    lines.append("  (assumed: the scaling measured from 1 to 2 workers holds to 64; the reading of inputs and the "
                 "writing of outputs by the run's one process are in the per-report rate, and stay serial)")
    return lines


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("gva", type=Path)
    parser.add_argument("analyzed", type=Path)
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--amdahl", default="100000", help="sizes at which Ray linking also runs on 1 worker")
    parser.add_argument("--skip-runs", action="store_true", help="reuse bench/out/ray/runs.json")
    options = parser.parse_args(argv)
    saved = OUT / "runs.json"
    if options.skip_runs and saved.exists():
        runs = {tuple(k.split("|")): v for k, v in json.loads(saved.read_text()).items()}
        runs = {(k[0], int(k[1]) if k[1].isdigit() else k[1]): v for k, v in runs.items()}
    else:
        runs = throughput(options.gva)
        saved.write_text(json.dumps({f"{k[0]}|{k[1]}": v for k, v in runs.items()}, indent=1))
    print("| engine | workers | reports | seconds | words/s | same output as local, 1 worker | peak MB: run's process | peak MB: largest worker |")
    print("|---|---:|---:|---:|---:|---|---:|---:|")
    for (engine, workers), r in runs.items():
        if engine == "demo":
            continue
        print(f"| {engine} | {workers} | {r['reports']:,} | {r['seconds']:.1f} | {r['words'] / r['seconds']:,.0f} | "
              f"{'yes' if r['same'] else 'NO'} | {r['driver_mb']:.0f} | {r['worker_mb']:.0f} |")
    for engine in ("local", "ray"):
        one, two = runs[(engine, 1)], runs[(engine, 2)]
        print(f"scaling 1 -> 2 workers, {engine}: {one['seconds'] / two['seconds']:.2f}x, "
              f"efficiency {one['seconds'] / (2 * two['seconds']):.0%}")
    print(f"fixed cost (the demo's 6 reports, 2 workers): local {runs[('demo', 'local')]['seconds']:.1f} s, "
          f"ray {runs[('demo', 'ray')]['seconds']:.1f} s")
    sizes = tuple(int(s) for s in options.sizes.split(",") if s)
    links = linking(options.analyzed, sizes, tuple(int(s) for s in options.amdahl.split(",") if s))
    print("\n| reports | grouped | engine | linking s | candidates s | scoring s | grouping s | candidate pairs | incidents "
          "| same groups | peak GB (this process) |")
    print("|---:|---:|---|---:|---:|---:|---:|---:|---:|---|---:|")
    for row in links:
        for name in ("local-1", "ray-2", "ray-1"):
            if name not in row:
                continue
            r = row[name]
            print(f"| {row['reports']:,} | {row['grouped']:,} | {name.replace('-', ', ')} worker(s) | {r['seconds']:.1f} | "
                  f"{r['phases']['candidates']:.1f} | {r['phases']['scoring']:.1f} | {r['phases']['grouping']:.1f} | "
                  f"{r['pairs']:,} | {r['incidents']:,} | {'yes' if r['same'] else 'NO'} | {r['peak_gb']:.1f} |")
    print()
    print("\n".join(projection(runs, links)))
    return {"runs": runs, "links": links}


if __name__ == "__main__":
    main()
