"""Injected conflicts on GVA dev: does reconciliation notice a changed figure?

For each gold incident with two or more reports, reconcile its reports as they
are (how often an untouched incident is flagged conflicting or discrepant), then
change one report's stated killed (or injured) count to a different exact value
(+3) and reconcile again (how often the fact turns conflicting or discrepant).
Reports are grouped by gold incident here, so the figures measure
reconciliation, not clustering; the derived reports among them are found as a run finds them
(:func:`corroborate.incidents.derive.within`), and a change in a copy of a supporting report is
one source disagreeing with itself (not flagged, by design): hence the column of incidents where
the changed report's source group states the figure only through it, and another group states it
too (the change then sets two independent sources against each other). Precision: of the facts flagged (each incident
reconciled once untouched and once changed), the share that hold the changed figure.

Also: the share of untouched incidents (two or more reports, at least one stating a killed
or injured figure) whose killed or injured fact is ``conflicting`` (goal: at most 3%).

``part``: ``held_out`` (the incidents with ``corroborate.splits.held_out`` true: the
figure to quote), ``train`` or ``all`` (the default, for compatibility).
"""

from __future__ import annotations

import json
import sys
from collections import Counter, defaultdict
from pathlib import Path

from gva_counts import PARTS, in_part

FLAGGED = {"conflicting", "discrepant"}
SLOTS = ("killed", "injured")


def _groups(reports_path: Path, gva_dir: Path, part: str) -> dict[str, list]:
    from corroborate.records import Report

    gold_of = {}
    for line in (gva_dir / "reports.jsonl").open(encoding="utf-8"):
        obj = json.loads(line)
        gold_of.setdefault(obj["id"], obj["incident_id"])
    groups: dict[str, list[Report]] = defaultdict(list)
    for line in reports_path.open(encoding="utf-8"):
        report = Report.model_validate_json(line)
        if report.id in gold_of and in_part(gold_of[report.id], part):
            groups[gold_of[report.id]].append(report)
    return groups


def evaluate(reports_path: Path, gva_dir: Path, part: str = "all") -> dict[str, dict[str, tuple[int, int]]]:
    from corroborate.incidents.derive import within
    from corroborate.incidents.reconcile import best_claim
    from corroborate.incidents.reconcile import reconcile as reconcile_reports

    groups = _groups(reports_path, gva_dir, part)
    derived = {k: within(reports) for k, reports in groups.items()}  # the derived reports among each gold incident's
    result = {}
    for slot in SLOTS:
        untouched = [0, 0]
        injected = [0, 0]
        injected_multi = [0, 0]  # incidents where two or more reports state the figure
        conflicting = [0, 0]
        why: Counter = Counter()  # untouched and flagged: conflicting, revised, or hedges differ
        injected_independent = [0, 0]  # ... where another independent source states it
        for key, reports in groups.items():
            stating = [r for r in reports if best_claim(r, slot) is not None]
            if len(reports) < 2 or not stating:
                continue

            def reconcile(members, derived=derived[key]):
                return reconcile_reports(members, derived=derived)

            fact = next((f for f in reconcile(reports).facts if f.slot == slot), None)
            untouched[1] += 1
            untouched[0] += fact is not None and fact.status in FLAGGED
            conflicting[1] += 1
            conflicting[0] += fact is not None and fact.status == "conflicting"
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
            stated_by = _groups_of(stating, derived[key])  # the changed report's source states it alone, another source too
            if len(stating) >= 2 and stated_by.count(stated_by[0]) == 1:
                injected_independent[1] += 1
                injected_independent[0] += fact.status in FLAGGED
        result[slot] = {
            "untouched_flagged": tuple(untouched),
            "untouched_conflicting": tuple(conflicting),
            "injected_flagged": tuple(injected),
            "injected_flagged_2plus": tuple(injected_multi),
            "injected_flagged_2plus_independent": tuple(injected_independent),
            # of the facts flagged, the share that hold a changed figure (each incident once untouched, once changed)
            "precision": (injected[0], injected[0] + untouched[0]),
            "untouched_why": why,
        }
    return result


def _groups_of(reports: list, derived: dict) -> list[int]:
    """The source group of each report (:func:`corroborate.incidents.derive.source_groups`)."""
    from corroborate.incidents.derive import source_groups

    group_of = {r: k for k, group in enumerate(source_groups(reports, derived)) for r in group}
    return [group_of[r.id] for r in reports]


def untouched_conflicting(reports_path: Path, gva_dir: Path, part: str = "all") -> tuple[int, int]:
    """(incidents whose killed or injured fact is conflicting, untouched incidents): incidents of
    two or more reports in which at least one report states a killed or injured figure."""
    from corroborate.incidents.derive import within
    from corroborate.incidents.reconcile import best_claim, reconcile

    flagged = total = 0
    for reports in _groups(reports_path, gva_dir, part).values():
        if len(reports) < 2 or not any(best_claim(r, slot) for r in reports for slot in SLOTS):
            continue
        total += 1
        flagged += any(f.slot in SLOTS and f.status == "conflicting" for f in reconcile(reports, derived=within(reports)).facts)
    return flagged, total


if __name__ == "__main__":
    reports_path, gva_dir = Path(sys.argv[1]), Path(sys.argv[2])
    for part in ("held_out", "train"):
        print(f"{PARTS[part]}:")
        for slot, res in evaluate(reports_path, gva_dir, part).items():
            (uf, un), (jf, jn), (mf, mn) = res["untouched_flagged"], res["injected_flagged"], res["injected_flagged_2plus"]
            cf, cn = res["untouched_conflicting"]
            (gf, gn), (pf, pn) = res["injected_flagged_2plus_independent"], res["precision"]
            print(f"  {slot}: injected change flagged {jf}/{jn} = {jf / max(jn, 1):.3f} "
                  f"(where 2+ reports state it: {mf}/{mn} = {mf / max(mn, 1):.3f}; another independent source: {gf}/{gn} = {gf / max(gn, 1):.3f}); "
                  f"precision {pf}/{pn} = {pf / max(pn, 1):.3f}; untouched flagged {uf}/{un} = {uf / max(un, 1):.3f}, "
                  f"conflicting {cf}/{cn} = {cf / max(cn, 1):.3f}")
        k, n = untouched_conflicting(reports_path, gva_dir, part)
        print(f"  untouched incidents whose killed or injured fact is conflicting: {k}/{n} = {k / max(n, 1):.3f} (goal <= 0.03)")
