"""Derived reports on the held-out part of dev: does the reuse detector find reuse, and leave
independent reports alone?

    python bench/derive.py [DATA_DIR] [GVA_RUN_DIR]

The pair sets are :func:`corroborate.incidents.train_derive.pair_sets` on the held-out part
(GVA by incident, llmfake by article; :mod:`corroborate.splits`), scored by the shipped
detector (``incidents/data/derive.json``) at its threshold, and by its embedding variant
(``incidents/data/derive-embed.json``, what ``--embeddings`` runs use; a few minutes more):

- derived: llmfake paraphrases and rewrites of a human article (and, apart, the versions
  identical to it); edited pickups built from GVA reports; GVA cross-outlet pairs of which one
  repeats at least half of the other word for word; GVA cross-outlet pairs that both carry one
  wire's credit line ("(AP) —"), judged by whether they end in one source group (the detector
  judges text; two AP stories in other words are one source by their credit);
- independent: GVA cross-outlet pairs of one incident that share almost nothing (neither restates
  a tenth of the other: the issue's set), and the harder set of those where neither repeats a
  tenth of the other word for word (they tell the same facts in their own words); llmfake
  articles against the most similar other article.

With GVA_RUN_DIR (a ``corroborate run`` over GVA dev), also: the share of incidents whose
independent sources are fewer than their reports, and the derived pairs it found, listed for
reading.
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
DATA = HERE.parent.parent / "shared" / "data"


def wire_pairs(data: Path) -> list:
    """Held-out GVA cross-outlet pairs of one incident that both credit the same wire."""
    from corroborate.incidents.derive import (
        credited,
        features,
        prepare,
        source_groups,
        within,
    )
    from corroborate.incidents.train_derive import _outlet
    from corroborate.records import Report
    from corroborate.splits import gva_key, held_out

    wires = {"apnews", "reuters", "afp", "cnn", "upi", "bloomberg"}
    by_incident: dict[str, list] = defaultdict(list)
    for line in (data / "gva" / "reports.jsonl").open(encoding="utf-8"):
        row = json.loads(line)
        if row.get("text") and held_out(gva_key(row["incident_id"])):
            by_incident[str(row["incident_id"])].append(row)
    out = []
    for members in by_incident.values():
        credits = [credited(Report(id=r["id"], origin="gva", text=r["text"])) & wires for r in members]
        for i, a in enumerate(members):
            for j in range(i + 1, len(members)):
                b = members[j]
                if _outlet(a["url"]) != _outlet(b["url"]) and credits[i] & credits[j]:
                    pair = [Report(id=r["id"], origin="gva", text=r["text"], published=r.get("published")) for r in (a, b)]
                    out.append((a["id"], b["id"], features(prepare(a["text"]), prepare(b["text"]))[0],
                                len(source_groups(pair, within(pair))) == 1))
    return out


def measure(data: Path, embedder=None) -> list[tuple[str, str, int, float]]:
    """(set, kind, pairs, share called derived) per set; with ``embedder``, by the embedding
    variant of the detector (``--embeddings``)."""
    from corroborate.incidents.derive import load_detector, verdict
    from corroborate.incidents.train_derive import DERIVED, pair_sets

    detector = load_detector(embedder is not None)
    sets = pair_sets(data, "held_out", embedder)
    sets["gva wire credit"] = wire_pairs(data)
    independent = sets.pop("gva independent")
    sets["gva independent, share almost nothing"] = [p for p in independent if p[2][2] <= 0.1]
    sets["gva independent, no verbatim reuse (hard)"] = independent
    wire = sets.pop("gva wire credit")
    rows = []
    for name, pairs in sets.items():
        kind = "derived" if name in DERIVED or name in ("llmfake identical", "gva wire credit") else "independent"
        if not pairs:
            rows.append((name, kind, 0, float("nan")))
            continue
        _, called = verdict(detector, np.array([p[2] for p in pairs]))  # as a run decides
        rows.append((name, kind, len(pairs), float(np.mean(called))))
    # two reports crediting one agency are one source even in other words: judged by source_groups
    rows.append(("gva wire credit (one source group)", "derived", len(wire), float(np.mean([one for *_, one in wire])) if wire else float("nan")))
    return rows


def run_figures(run: Path) -> tuple[int, int, list]:
    """(incidents of 2+ reports, of those with fewer independent sources than reports, derived pairs)."""
    from corroborate.records import Incident, Report

    incidents = [Incident.model_validate_json(line) for line in (run / "incidents.jsonl").open(encoding="utf-8")]
    multi = [i for i in incidents if len(i.reports) > 1]
    fewer = [i for i in multi if i.source_groups and len(i.source_groups) < len(i.reports)]
    pairs = []
    for line in (run / "reports.jsonl").open(encoding="utf-8"):
        report = Report.model_validate_json(line)
        for d in report.derived_from:
            pairs.append((report.id, d.report, d.relation, d.share, d.direction))
    return len(multi), len(fewer), pairs


def main(argv: list[str]) -> None:
    from corroborate.analyze.embed import available, load_embedder

    data = Path(argv[0]) if argv else DATA
    lexical = measure(data)
    semantic = measure(data, load_embedder()) if available() else [(n, k, m, float("nan")) for n, k, m, _ in lexical]
    print("| held-out pairs | kind | pairs | called derived | with `--embeddings` |")
    print("|---|---|---:|---:|---:|")
    for (name, kind, n, share), (*_, with_embeddings) in zip(lexical, semantic):
        print(f"| {name} | {kind} | {n} | {share:.3f} | {with_embeddings:.3f} |")
    if len(argv) > 1:
        multi, fewer, pairs = run_figures(Path(argv[1]))
        print(f"\nGVA dev run: {fewer} of {multi} incidents with two or more reports ({fewer / max(multi, 1):.1%}) "
              f"have fewer independent sources than reports; {len(pairs)} derived reports")
        for pair in pairs:
            print("  " + " ".join(str(x) for x in pair))


if __name__ == "__main__":
    main(sys.argv[1:])
