"""Grouping quality floors on the held-out parts of the dev data (B-cubed F1), through the real pipeline.

Only the held-out parts (:mod:`corroborate.splits`: GVA incidents, ECB+ topics) are used: the
linker was trained and thresholded on the rest. Each part is run as a corpus of its own. GVA is
grouped as ``corroborate run`` groups it; ECB+'s held-out topics are mostly sport and film, which
the relevance gate keeps out of incidents, so there the linker groups all the documents. Floors
sit a little under the measured figures (README, "Grouping") so that a regression shows while
machine-to-machine noise does not.
"""

from __future__ import annotations

import json
import sys

import pytest
from helpers import REPO, SHARED, needs_shared

import corroborate
from corroborate.analyze import embed
from corroborate.incidents.cluster import cluster, cluster_features, features
from corroborate.settings import default_workers
from corroborate.splits import ecb_key, gva_key, held_out

sys.path.insert(0, str(REPO / "bench"))
from metrics import bcubed

needs_embed = pytest.mark.skipif(not embed.available(), reason="the optional 'embed' extra is not installed")


def _score(reports, groups, gold):
    """B-cubed of ``groups`` (indices into ``reports``); a report in no group is alone."""
    predicted = {r.id: "alone:" + r.id for r in reports}
    predicted.update({reports[i].id: str(g[0]) for g in groups for i in g})
    return bcubed(predicted, gold)


@pytest.fixture(scope="module")
def gva(tmp_path_factory):
    lines, gold = [], {}
    for line in (SHARED / "data" / "gva" / "reports.jsonl").open(encoding="utf-8"):
        obj = json.loads(line) if line.strip() else None
        if obj and held_out(gva_key(obj["incident_id"])) and obj["id"] not in gold:
            gold[obj["id"]] = str(obj["incident_id"])
            lines.append(line)
    inputs = tmp_path_factory.mktemp("gva") / "held-out.jsonl"
    inputs.write_text("".join(lines), encoding="utf-8")
    return corroborate.run([inputs], workers=default_workers()), gold  # the parallel path, as the CLI runs it


@pytest.fixture(scope="module")
def ecbplus(tmp_path_factory):
    docs = [json.loads(line) for line in (SHARED / "data" / "ecbplus" / "docs.jsonl").open(encoding="utf-8")]
    docs = [d for d in docs if held_out(ecb_key(d["topic"]))]
    inputs = tmp_path_factory.mktemp("ecbplus") / "held-out.jsonl"
    inputs.write_text("".join(json.dumps({"id": d["doc_id"], "text": d["text"]}) + "\n" for d in docs), encoding="utf-8")
    return corroborate.run([inputs], workers=default_workers()), {d["doc_id"]: d["subtopic_event_cluster"] for d in docs}


@needs_shared
def test_gva_held_out_bcubed_floor(gva):
    result, gold = gva
    p, r, f = bcubed({r: i.id for i in result.incidents for r in i.reports} |
                     {r.id: "alone:" + r.id for r in result.reports if not any(r.id in i.reports for i in result.incidents)}, gold)
    assert f >= 0.94, (p, r, f)
    assert p >= 0.98, (p, r, f)


@needs_shared
def test_ecbplus_held_out_bcubed_floor(ecbplus):
    result, gold = ecbplus
    reports = [r for r in result.reports if r.text]
    p, r, f = _score(reports, cluster_features([features(x) for x in reports]), gold)
    assert f >= 0.85, (p, r, f)


@needs_shared
@needs_embed
def test_gva_held_out_bcubed_floor_with_embeddings(gva):
    result, gold = gva
    p, r, f = _score(result.reports, cluster(result.reports, embedder=embed.load_embedder()), gold)
    assert f >= 0.94, (p, r, f)
    assert p >= 0.98, (p, r, f)


@needs_shared
@needs_embed
def test_ecbplus_held_out_bcubed_floor_with_embeddings(ecbplus):
    result, gold = ecbplus
    reports = [r for r in result.reports if r.text]
    groups = cluster_features([features(x, keep_lead=True) for x in reports], embedder=embed.load_embedder())
    p, r, f = _score(reports, groups, gold)
    assert f >= 0.84, (p, r, f)
