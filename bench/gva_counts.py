"""GVA dev: does each report's best killed / injured count agree with its incident's gold record?

A report's best count of a category is the claim the incidents stage uses
(``corroborate.incidents.reconcile.best_claim``: asserted tolls of the report's own
incident only). Reports that state a count are scored on exact agreement with gold
``num_killed`` / ``num_injured``; reports that state none are scored as 0 (right when gold
is 0). Misses are sorted into error classes for study.

``part``: ``held_out`` (the incidents with ``corroborate.splits.held_out`` true, which the
toll model was neither trained nor thresholded on: the figure to quote; ``make bench`` and
``__main__`` report it), ``train`` (the training part) or ``all`` (the default, for
compatibility).
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

PARTS = {"held_out": "GVA held-out part", "train": "GVA training part", "all": "all of GVA dev"}


def in_part(incident_id: str, part: str) -> bool:
    from corroborate.splits import gva_key, held_out

    return part == "all" or held_out(gva_key(incident_id)) == (part == "held_out")


def error_class(count, gold: int, counts, category: str) -> str:
    if count is None:
        return "not stated (gold > 0)"
    value = count.value
    if count.hedge == "vague":
        return "vague amount"
    if count.derived:
        return "derived from 'shot' minus killed"
    if value > gold:
        return "over gold (other victims, totals, or a different event)"
    return "under gold (early report, or partial count)"


def evaluate(reports_path: Path, gva_dir: Path, part: str = "all") -> dict:
    incident_of = {}
    for line in (gva_dir / "reports.jsonl").open(encoding="utf-8"):
        obj = json.loads(line)
        incident_of.setdefault(obj["id"], obj["incident_id"])
    gold = {}
    for line in (gva_dir / "incidents.jsonl").open(encoding="utf-8"):
        obj = json.loads(line)
        if in_part(obj["incident_id"], part):
            gold[obj["incident_id"]] = {"killed": obj["num_killed"], "injured": obj["num_injured"]}
    from corroborate.incidents.reconcile import best_claim
    from corroborate.records import Report

    reports = [Report.model_validate_json(line) for line in reports_path.open(encoding="utf-8")]
    result = {}
    for category in ("killed", "injured"):
        stated = [0, 0]
        unstated = [0, 0]
        errors: Counter = Counter()
        for report in reports:
            truth = gold.get(incident_of.get(report.id))
            if truth is None:
                continue
            count = best_claim(report, category)
            if count is None:
                unstated[1] += 1
                unstated[0] += truth[category] == 0
                if truth[category] != 0:
                    errors[error_class(None, truth[category], report.counts, category)] += 1
            else:
                stated[1] += 1
                ok = count.value == truth[category]
                stated[0] += ok
                if not ok:
                    errors[error_class(count, truth[category], report.counts, category)] += 1
        result[category] = {"stated": stated, "unstated": unstated, "errors": errors}
    return result


if __name__ == "__main__":
    for part in ("held_out", "train"):
        print(f"{PARTS[part]}:")
        for category, r in evaluate(Path(sys.argv[1]), Path(sys.argv[2]), part).items():
            s, u = r["stated"], r["unstated"]
            print(f"  {category}: stated {s[0]}/{s[1]} = {s[0] / max(s[1], 1):.3f}; not stated {u[0]}/{u[1]} = {u[0] / max(u[1], 1):.3f}; all {(s[0] + u[0]) / max(s[1] + u[1], 1):.3f}")
            for name, n in r["errors"].most_common():
                print(f"      {n:4}  {name}")
