"""MUC-4 dev: role-filler extraction scored per document (micro P/R/F1 over five roles), on the
held-out documents by default (the role model trains on the rest of train and dev).

Gold: for each document and role, the entities of all its templates (each a list
of mention strings), deduplicated. Predicted: the role fillers of all of the
report's events, deduplicated by normalized text; perpetrators reported as
*denied* are not predictions. Matching is one to one after normalization
(lowercase, punctuation and a/an/the dropped), as in ``metrics.match_fillers``.

Role mapping: PerpInd -> perpetrator_individuals, PerpOrg ->
perpetrator_organizations, Target -> targets, Victim -> victims, Weapon -> weapons.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from metrics import match_fillers, normalize_filler, prf

ROLES = {
    "PerpInd": "perpetrator_individuals",
    "PerpOrg": "perpetrator_organizations",
    "Target": "targets",
    "Victim": "victims",
    "Weapon": "weapons",
}


def gold_entities(doc: dict) -> dict[str, list[list[str]]]:
    gold: dict[str, list[list[str]]] = {}
    for role in ROLES:
        seen, entities = set(), []
        for template in doc["templates"]:
            for entity in template.get(role, []):
                mentions = [m[0] for m in entity]
                key = frozenset(normalize_filler(m) for m in mentions)
                if key not in seen:
                    seen.add(key)
                    entities.append(mentions)
        gold[role] = entities
    return gold


def predicted_fillers(report) -> dict[str, list[str]]:
    out = {}
    for role, field in ROLES.items():
        texts = []
        for event in report.events:
            for item in getattr(event, field):
                if getattr(item, "status", None) != "denied":
                    texts.append(item.text)
        out[role] = list(dict.fromkeys(texts))
    return out


def evaluate(path: Path, part: str = "held_out") -> dict:
    """``part``: ``held_out`` (the documents :mod:`corroborate.splits` holds out: the figure to
    quote; the role model never trains on them), ``train`` or ``all``."""
    from corroborate.records import Report
    from corroborate.splits import held_out, muc4_key
    from corroborate.steps import analyze_reports

    docs = [json.loads(line) for line in path.open(encoding="utf-8")]
    docs = [d for d in docs if part == "all" or held_out(muc4_key(d["docid"])) == (part == "held_out")]
    reports = (Report(id=d["docid"], text=d["doctext"], origin=f"{path}:{i}") for i, d in enumerate(docs, 1))
    started = time.perf_counter()
    analyzed = list(analyze_reports(reports))
    seconds = time.perf_counter() - started
    totals = {role: [0, 0, 0] for role in ROLES}
    for doc, report in zip(docs, analyzed):
        gold = gold_entities(doc)
        pred = predicted_fillers(report)
        for role in ROLES:
            totals[role][0] += match_fillers(pred[role], gold[role])
            totals[role][1] += len(pred[role])
            totals[role][2] += len(gold[role])
    scores = {role: prf(*totals[role]) for role in ROLES}
    all_counts = [sum(t[i] for t in totals.values()) for i in range(3)]
    scores["micro"] = prf(*all_counts)
    return {"scores": scores, "totals": totals, "docs": len(docs), "seconds": seconds}


if __name__ == "__main__":
    result = evaluate(Path(sys.argv[1]), sys.argv[2] if len(sys.argv) > 2 else "held_out")
    for role, (p, r, f) in result["scores"].items():
        print(f"{role:8} P={p:.3f} R={r:.3f} F1={f:.3f} {result['totals'].get(role, '')}")
