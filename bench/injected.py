"""Injected conflicts on GVA dev: does reconciliation notice a changed figure?

For each gold incident with two or more reports, reconcile its reports as they
are (how often an untouched incident is flagged conflicting or discrepant), then
change one report's stated killed (or injured) count to a different exact value
(+3) and reconcile again (how often the fact turns conflicting or discrepant).
Reports are grouped by gold incident here, so the figures measure
reconciliation, not clustering.
"""

from __future__ import annotations

import json
import sys
from collections import Counter, defaultdict
from pathlib import Path

FLAGGED = {"conflicting", "discrepant"}


def evaluate(reports_path: Path, gva_dir: Path) -> dict[str, dict[str, tuple[int, int]]]:
    from corroborate.incidents.reconcile import best_claim, reconcile
    from corroborate.records import Report

    gold_of = {}
    for line in (gva_dir / "reports.jsonl").open(encoding="utf-8"):
        obj = json.loads(line)
        gold_of.setdefault(obj["id"], obj["incident_id"])
    groups: dict[str, list[Report]] = defaultdict(list)
    for line in reports_path.open(encoding="utf-8"):
        report = Report.model_validate_json(line)
        if report.id in gold_of:
            groups[gold_of[report.id]].append(report)
    result = {}
    for slot in ("killed", "injured"):
        untouched = [0, 0]
        injected = [0, 0]
        injected_multi = [0, 0]  # incidents where two or more reports state the figure
        why: Counter = Counter()  # untouched and flagged: conflicting, revised, or hedges differ
        for reports in groups.values():
            stating = [r for r in reports if best_claim(r, slot) is not None]
            if len(reports) < 2 or not stating:
                continue
            fact = next((f for f in reconcile(reports).facts if f.slot == slot), None)
            untouched[1] += 1
            untouched[0] += fact is not None and fact.status in FLAGGED
            if fact is not None and fact.status in FLAGGED:
                why["conflicting" if fact.status == "conflicting" else "revised" if fact.revised else "hedges differ"] += 1
            target = stating[0]
            claim = best_claim(target, slot)
            changed = claim.model_copy(update={"value": claim.value + 3, "low": claim.value + 3, "high": claim.value + 3, "hedge": "exact"})
            altered = target.model_copy(update={"counts": [changed if c is claim else c for c in target.counts]})
            fact = next(f for f in reconcile([altered if r is target else r for r in reports]).facts if f.slot == slot)
            injected[1] += 1
            injected[0] += fact.status in FLAGGED
            if len(stating) >= 2:
                injected_multi[1] += 1
                injected_multi[0] += fact.status in FLAGGED
        result[slot] = {
            "untouched_flagged": tuple(untouched),
            "injected_flagged": tuple(injected),
            "injected_flagged_2plus": tuple(injected_multi),
            "untouched_why": why,
        }
    return result


if __name__ == "__main__":
    for slot, res in evaluate(Path(sys.argv[1]), Path(sys.argv[2])).items():
        (uf, un), (jf, jn), (mf, mn) = res["untouched_flagged"], res["injected_flagged"], res["injected_flagged_2plus"]
        print(f"{slot}: injected change flagged {jf}/{jn} = {jf / max(jn, 1):.3f} "
              f"(where 2+ reports state it: {mf}/{mn} = {mf / max(mn, 1):.3f}); untouched flagged {uf}/{un} = {uf / max(un, 1):.3f}")
