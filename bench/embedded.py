"""Clustering with sentence embeddings (``--embeddings``) on already-analyzed reports.

Re-clusters the reports that ``corroborate run`` wrote, with the lead embeddings
added to the pair score, and times the embedding and clustering together (the
analysis is the same with or without embeddings).
"""

from __future__ import annotations

import importlib
import time
from pathlib import Path

from metrics import bcubed


def evaluate(reports_path: Path, gold: dict[str, str]) -> dict:
    from corroborate.analyze.embed import available, load_embedder
    from corroborate.records import Report

    if not available():
        return {}
    cluster = importlib.import_module("corroborate.incidents.cluster")
    reports = [Report.model_validate_json(line) for line in reports_path.open(encoding="utf-8")]
    embedder = load_embedder()
    started = time.perf_counter()
    groups = cluster.cluster(reports, embedder=embedder)
    seconds = time.perf_counter() - started
    started = time.perf_counter()
    cluster.cluster(reports)
    lexical_seconds = time.perf_counter() - started
    p, r, f = bcubed({reports[i].id: g[0] for g in groups for i in g}, gold)
    predicted = len({g[0] for g in groups if any(reports[i].id in gold for i in g)})
    return {"p": p, "r": r, "f": f, "predicted": predicted, "seconds": seconds, "lexical_seconds": lexical_seconds,
            "reports": len(reports)}
