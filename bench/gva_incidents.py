"""GVA dev: incident-level killed / injured accuracy of the reconciled facts.

Each gold incident (with at least one report in the run's output) is mapped to the
predicted incident that holds most of its reports; the reconciled ``value`` of that
incident's killed (injured) fact is compared with gold ``num_killed`` (``num_injured``). A
missing fact counts as 0, and so does a gold incident none of whose reports joined an
incident (all taken for not incident reports).

``part``: ``held_out`` (the figure to quote), ``train`` or ``all`` (the default): which
gold incidents are scored (see ``gva_counts.py``).
"""

from __future__ import annotations

import json
import sys
from collections import Counter, defaultdict
from pathlib import Path

from gva_counts import PARTS, in_part


def matched(incidents_path: Path, gva_dir: Path, part: str = "all") -> list[tuple[dict, dict]]:
    """(gold incident, its predicted incident) for each gold incident of ``part`` with a report in
    the run's output, in gold id order; the predicted incident is the one that holds most of its
    reports, or ``{}`` when none of them joined an incident."""
    gold_of_report, gold = {}, {}
    for line in (gva_dir / "reports.jsonl").open(encoding="utf-8"):
        obj = json.loads(line)
        gold_of_report.setdefault(obj["id"], obj["incident_id"])
    for line in (gva_dir / "incidents.jsonl").open(encoding="utf-8"):
        obj = json.loads(line)
        if in_part(obj["incident_id"], part):
            gold[obj["incident_id"]] = obj
    predicted, members = {}, defaultdict(Counter)
    for line in incidents_path.open(encoding="utf-8"):
        incident = json.loads(line)
        predicted[incident["id"]] = incident
        for report_id in incident["reports"]:
            if report_id in gold_of_report:
                members[gold_of_report[report_id]][incident["id"]] += 1
    analyzed = set()  # gold incidents with a report in the output
    for line in (incidents_path.parent / "reports.jsonl").open(encoding="utf-8"):
        report_id = json.loads(line)["id"]
        if report_id in gold_of_report:
            analyzed.add(gold_of_report[report_id])
    out = []
    for gold_id in sorted(analyzed & set(gold)):
        votes = members.get(gold_id)
        out.append((gold[gold_id], predicted[votes.most_common(1)[0][0]] if votes else {}))
    return out


def evaluate(incidents_path: Path, gva_dir: Path, part: str = "all") -> dict[str, tuple[int, int]]:
    pairs = matched(incidents_path, gva_dir, part)
    result = {}
    for category in ("killed", "injured"):
        right = total = 0
        for gold, record in pairs:
            values = {f["slot"]: f["value"] for f in record.get("facts", []) if f["slot"] in ("killed", "injured")}  # no incident: no facts
            total += 1
            right += (values.get(category) or 0) == gold[f"num_{category}"]
        result[category] = (right, total)
    return result


if __name__ == "__main__":
    for part in ("held_out", "train"):
        print(f"{PARTS[part]}:")
        for category, (right, total) in evaluate(Path(sys.argv[1]), Path(sys.argv[2]), part).items():
            print(f"  {category}: {right}/{total} = {right / max(total, 1):.3f}")
