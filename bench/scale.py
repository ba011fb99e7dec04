"""Clustering cost at 1k, 10k and 100k reports (synthetic variation of the GVA dev reports).

Copy k of each analyzed report gets a new id, its dates shifted by 60·k days,
and its names suffixed with k (as if the same stories happened elsewhere). The
text is unchanged, so MinHash LSH still proposes every copy of a story as a
candidate, and the copies share their rare words: a near-duplicate stress on
candidate generation, whose candidate pairs per report grow with the number of
copies (about n / 2,300 of each story).

Two costs are timed apart:

- features: each report's clustering features and MinHash signature (in a run,
  computed by the worker that analyzed the report, beside the analysis);
- linking: candidate pairs, their features, the linker's scores and grouping
  (in a run, the main process, once the reports are in).

Near-linear growth means the time per report stays flat, for features; for
linking, the time per candidate pair.
"""

from __future__ import annotations

import sys
import time
from datetime import date, timedelta
from pathlib import Path


def synthetic(reports, n: int):
    from corroborate.records import Entity

    out = []
    k = 0
    while len(out) < n:
        for report in reports:
            if len(out) >= n:
                break
            if k == 0:
                out.append(report)
                continue
            shift = timedelta(days=60 * k)
            published = (date.fromisoformat(report.published[:10]) + shift).isoformat() if report.published else None
            events = [e.model_copy(update={"date": (date.fromisoformat(e.date) + shift).isoformat() if e.date else None}) for e in report.events]
            entities = [Entity(text=f"{e.text} {k}", label=e.label, start=e.start, end=e.end) for e in report.entities]
            out.append(report.model_copy(update={"id": f"{report.id}-{k}", "published": published, "events": events, "entities": entities}))
        k += 1
    return out


def measure(reports_path: Path, sizes=(1000, 10000, 100000)) -> list[dict]:
    import importlib

    from corroborate.analyze import takes_part
    from corroborate.records import Report

    cluster = importlib.import_module("corroborate.incidents.cluster")
    base = [Report.model_validate_json(line) for line in reports_path.open(encoding="utf-8")]
    rows = []
    for n in sizes:
        reports = synthetic(base, n)
        started = time.perf_counter()
        feats = [cluster.features(r) for r in reports if takes_part(r)]
        cluster.signatures(feats)
        featured = time.perf_counter()
        stats: dict = {}
        groups = cluster.cluster_features(feats, stats=stats)
        linked = time.perf_counter()
        rows.append({"reports": n, "grouped": len(feats), "features_s": featured - started, "link_s": linked - featured,
                     "ms_per_report": 1000 * (linked - started) / n, "pairs": stats.get("candidate_pairs", 0),
                     "us_per_pair": 1e6 * (linked - featured) / max(stats.get("candidate_pairs", 0), 1),
                     "incidents": len(groups)})
        del reports, groups, feats
    return rows


if __name__ == "__main__":
    for row in measure(Path(sys.argv[1]), tuple(int(x) for x in sys.argv[2:]) or (1000, 10000, 100000)):
        print(row, flush=True)
