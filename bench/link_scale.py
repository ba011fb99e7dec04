"""Linking cost from 10k to 1M reports, on synthetic news (:mod:`synthetic`: each copy of the
GVA dev reports tells other incidents the same way, so candidate generation sees what it would
see on real news of that size, not hundreds of copies of each story).

Features (each report's clustering features and MinHash signature: in a run, the workers' part)
are computed in a pool of 2 processes; linking (``cluster_features``: candidate pairs, their
features, the linker's scores, grouping: the main process's part) is timed alone, in this process.

    python bench/link_scale.py bench/out/gva/reports.jsonl 10000 100000 [--phases] [--profile]

``--phases`` times the steps of ``cluster_features`` one by one (:func:`phases`); ``--profile``
runs it under cProfile. Peak RSS is this process's (it holds every report's features, never a
report: the pool's workers build the copies).
"""

from __future__ import annotations

import cProfile
import importlib
import pstats
import resource
import sys
import time
from multiprocessing import Pool
from pathlib import Path

from synthetic import Variation

from corroborate.analyze import takes_part
from corroborate.records import Report

cluster = importlib.import_module("corroborate.incidents.cluster")
_variation: Variation | None = None  # set before the pool forks


def _generation(task: tuple[int, int]) -> list:
    """The signed features of the first ``m`` reports of generation ``k`` that take part."""
    k, m = task
    feats = [cluster.features(r) for r in _variation.copies(k)[:m] if takes_part(r)]
    cluster.signatures(feats)
    cluster.pack(feats)  # as a worker sends them back
    return feats


def features(n: int, processes: int = 2) -> list:
    """The signed features of the first ``n`` synthetic reports that take part, in order."""
    size = len(_variation.reports)
    tasks = [(k, min(size, n - k * size)) for k in range(-(-n // size))]
    with Pool(processes) as pool:
        return [feat for part in pool.imap(_generation, tasks) for feat in part]


def _peak_gb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20  # kB on Linux


def measure(reports_path: Path, sizes=(10_000, 100_000), seed: int = 20, phased: bool = False,
            profiled: bool = False) -> list[dict]:
    global _variation
    _variation = Variation([Report.model_validate_json(line) for line in reports_path.open(encoding="utf-8")], seed)
    rows = []
    for n in sizes:
        started = time.perf_counter()
        feats = features(n)
        featured = time.perf_counter()
        stats: dict = {}
        groups = cluster.cluster_features(feats, stats=stats)
        linked = time.perf_counter()
        pairs = stats["candidate_pairs"]
        rows.append({"reports": n, "grouped": len(feats), "features_s": round(featured - started, 1),
                     "link_s": round(linked - featured, 1), "candidate_pairs": pairs, "kept_pairs": stats["kept_pairs"],
                     "pairs_per_report": round(pairs / len(feats), 2), "us_per_pair": round(1e6 * (linked - featured) / max(pairs, 1), 2),
                     "incidents": len(groups), "peak_rss_gb": round(_peak_gb(), 2)})
        print(rows[-1], flush=True)
        del groups, stats
        if phased:
            cluster.pack(feats)  # back to the state the workers sent
            print({"reports": n, **phases(feats)}, flush=True)
        if profiled:
            cluster.pack(feats)
            with cProfile.Profile() as profile:
                cluster.cluster_features(feats)
            pstats.Stats(profile).sort_stats("cumulative").print_stats(30)
        del feats
    return rows


def phases(feats: list) -> dict[str, float]:
    """Seconds per step of ``cluster_features`` (without embeddings or earlier groups)."""
    import numpy as np

    from corroborate.incidents.link import COLUMN, PairData, load_linker, term_counts

    out: dict[str, float] = {}
    clock = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        out[name] = round(out.get(name, 0.0) + now - clock, 2)
        clock = now

    scorer = load_linker().scorer(False)
    cluster.signatures(feats)
    cluster._unpack(feats)
    lap("signatures+unpack")
    df = term_counts(feats)
    lap("term_counts")
    a, b = cluster.candidate_pairs(feats, df)
    lap("candidate_pairs")
    data = PairData(feats, cluster.IDF_PRIOR, df=df, other_tolls=cluster.OTHER_TOLLS)
    lap("PairData")
    scores: dict = {}
    near: list = []
    for begin in range(0, len(a), cluster.SCORE_CHUNK):
        i, j = a[begin : begin + cluster.SCORE_CHUNK], b[begin : begin + cluster.SCORE_CHUNK]
        matrix = data.matrix(i, j)
        lap("score: matrix")
        probabilities = scorer.probability(matrix)
        lap("score: probability")
        kept = probabilities >= cluster.MIN_PROBABILITY
        scores.update(zip(zip(i[kept].tolist(), j[kept].tolist()), probabilities[kept].tolist()))
        with np.errstate(invalid="ignore"):
            close = (matrix[:, COLUMN["jaccard"]] >= cluster.NEAR_COPY) & ~(matrix[:, COLUMN["published_days"]] > cluster.NEAR_COPY_DAYS)
        near += zip(i[close].tolist(), j[close].tolist())
        lap("score: keep")
    cluster.group(len(feats), scores, None, scorer.pair_threshold, scorer.link_threshold)
    lap("group")
    return out


if __name__ == "__main__":
    flags = {a for a in sys.argv[1:] if a.startswith("--")}
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    measure(Path(args[0]), tuple(int(x) for x in args[1:]) or (10_000, 100_000),
            phased="--phases" in flags, profiled="--profile" in flags)
