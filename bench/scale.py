"""Clustering cost at 1k, 10k and 100k reports (synthetic variation of the GVA dev reports).

Copy k of each analyzed report gets a new id, its dates shifted by 60·k days,
and its names suffixed with k (as if the same stories happened elsewhere). The
text is unchanged, so MinHash LSH still proposes every copy of a story as a
candidate: a near-duplicate stress on candidate generation. Prints seconds,
candidate pairs and incidents; near-linear growth means the time per report
stays flat.
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

    from corroborate.records import Report

    cluster = importlib.import_module("corroborate.incidents.cluster")
    base = [Report.model_validate_json(line) for line in reports_path.open(encoding="utf-8")]
    rows = []
    for n in sizes:
        reports = synthetic(base, n)
        started = time.perf_counter()
        groups = cluster.cluster(reports)
        seconds = time.perf_counter() - started
        rows.append({"reports": n, "seconds": seconds, "incidents": len(groups), "ms_per_report": 1000 * seconds / n})
        del reports, groups
    return rows


if __name__ == "__main__":
    for row in measure(Path(sys.argv[1]), tuple(int(x) for x in sys.argv[2:]) or (1000, 10000, 100000)):
        print(row)
