"""Grouping on the held-out parts: the learned linker against a tuned TF-IDF baseline, and an ablation.

    python bench/linker.py GVA_RUN_DIR ECB_RUN_DIR

The two folders are ``corroborate run`` outputs over GVA dev and over ECB+ (``make bench``
writes them); their ``reports.jsonl`` are the analyzed reports, split here by
:mod:`corroborate.splits` (GVA by incident, ECB+ by topic). Every figure is on the held-out part,
grouped as a run of its own:

- the linker: GVA as ``corroborate run`` groups it (only the reports the relevance gate lets in;
  the others are alone), ECB+ over all its documents (most of its held-out topics are sport and
  entertainment, which the gate keeps out of incidents: the linker is what is measured);
- the baseline: TF-IDF (scikit-learn, English stop words, sublinear tf) over all the part's
  texts, then average-linkage agglomerative clustering on cosine distance, its one distance
  threshold tuned per corpus on the training part;
- the ablation: the lexical linker retrained (same recipe, thresholds re-chosen out of fold)
  without each feature group of :data:`corroborate.incidents.link.GROUPS`.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
SHARED = HERE.parent.parent / "shared" / "data"
BASELINE_GRID = [round(0.05 * k, 2) for k in range(6, 20)]


def corpora(gva_run: Path, ecb_run: Path, part: str) -> list:
    """(GVA, ECB+) of ``part`` as :class:`corroborate.incidents.train_linker.Corpus`."""
    from corroborate.incidents.train_linker import Corpus
    from corroborate.records import Report
    from corroborate.splits import ecb_key, gva_key, held_out

    gva_gold: dict[str, str] = {}
    for line in (SHARED / "gva" / "reports.jsonl").open(encoding="utf-8"):
        if line.strip():
            obj = json.loads(line)
            gva_gold.setdefault(obj["id"], str(obj["incident_id"]))
    ecb_gold = {}
    for line in (SHARED / "ecbplus" / "docs.jsonl").open(encoding="utf-8"):
        obj = json.loads(line)
        ecb_gold[obj["doc_id"]] = (obj["subtopic_event_cluster"], obj["topic"])
    want = part == "held_out"
    gva = [r for r in map(Report.model_validate_json, (gva_run / "reports.jsonl").open(encoding="utf-8"))
           if r.text and r.id in gva_gold and held_out(gva_key(gva_gold[r.id])) == want]
    ecb = [r for r in map(Report.model_validate_json, (ecb_run / "reports.jsonl").open(encoding="utf-8"))
           if r.text and r.id in ecb_gold and held_out(ecb_key(ecb_gold[r.id][1])) == want]
    return [Corpus("gva", gva, [gva_gold[r.id] for r in gva], True),
            Corpus("ecbplus", ecb, [ecb_gold[r.id][0] for r in ecb], False)]


def linker_groups(corpus, embedder=None) -> list[list[int]]:
    """The corpus grouped by the shipped linker, as a run groups it."""
    from corroborate.incidents.cluster import cluster, cluster_features, features

    if corpus.gated:
        return cluster(corpus.reports, embedder=embedder)
    return cluster_features([features(r, keep_lead=embedder is not None) for r in corpus.reports], embedder=embedder)


def baseline_groups(corpus, threshold: float) -> list[list[int]]:
    from sklearn.cluster import AgglomerativeClustering
    from sklearn.feature_extraction.text import TfidfVectorizer

    matrix = TfidfVectorizer(stop_words="english", sublinear_tf=True).fit_transform(
        [((r.title or "") + "\n" + r.text) for r in corpus.reports])
    labels = AgglomerativeClustering(n_clusters=None, metric="cosine", linkage="average",
                                     distance_threshold=threshold).fit_predict(matrix.toarray())
    groups: dict[int, list[int]] = {}
    for i, label in enumerate(labels):
        groups.setdefault(int(label), []).append(i)
    return list(groups.values())


def tune_baseline(corpus) -> tuple[float, float]:
    """The baseline's distance threshold with the best B-cubed F1 on a training corpus."""
    from corroborate.incidents.train_linker import bcubed

    scores = {t: bcubed(baseline_groups(corpus, t), corpus.gold)[2] for t in BASELINE_GRID}
    best = max(scores, key=lambda t: (round(scores[t], 4), t))
    return best, scores[best]


def ablation(train, held, log=print) -> list[tuple[str, dict]]:
    """The lexical linker retrained without each feature group; held-out B-cubed F1 per corpus."""
    from corroborate.incidents import train_linker
    from corroborate.incidents.link import GROUPS, from_data

    sets = train_linker.training_sets(train, None)
    held_pairs = [train_linker.pairs_of(c) for c in held]
    rows = []
    for dropped in ["none"] + [g for g in GROUPS if g != "embedding"]:
        columns = [f for f in train_linker.VARIANTS["lexical"] if dropped == "none" or f not in GROUPS[dropped]]
        with train_linker.one_thread():  # as make train-linker fits: the same trees on every run
            data, info = train_linker.train_variant("lexical", columns, sets, log=lambda *_: None)
        scorer = from_data({"variants": {"lexical": data, "embedding": data}}).lexical
        scores = {}
        for corpus, (pairs, matrix, _) in zip(held, held_pairs):
            probs = scorer.probability(matrix) if pairs else np.zeros(0)
            groups = train_linker.grouped(corpus, pairs, probs, scorer.pair_threshold, scorer.link_threshold)
            scores[corpus.name] = train_linker.bcubed(groups, corpus.gold)[2]
        scores.update({f"{k}_oof": v for k, v in info["bcubed_f1_oof"].items()})
        log(f"  without {dropped}: " + ", ".join(f"{k} {v:.3f}" for k, v in scores.items()))
        rows.append((dropped, scores))
    return rows


def errors(corpus, groups: list[list[int]]) -> tuple[list, list]:
    """(merges, splits): predicted groups holding reports of two or more gold incidents, and gold
    incidents spread over two or more predicted groups, each as lists of report ids."""
    by_gold: dict[str, set[int]] = {}
    for i, g in enumerate(corpus.gold):
        by_gold.setdefault(g, set()).add(i)
    label = {i: k for k, g in enumerate(groups) for i in g}
    merges = [[corpus.reports[i].id for i in g] for g in groups if len({corpus.gold[i] for i in g}) > 1]
    splits = [[corpus.reports[i].id for i in sorted(members)] for members in by_gold.values()
              if len({label.get(i, -1 - i) for i in members}) > 1]
    return merges, splits


def run(gva_run: Path, ecb_run: Path, log=print) -> dict:
    from corroborate.analyze import embed
    from corroborate.incidents.train_linker import bcubed

    train, held = corpora(gva_run, ecb_run, "train"), corpora(gva_run, ecb_run, "held_out")
    out: dict = {"rows": []}
    embedder = embed.load_embedder() if embed.available() else None
    for corpus, tcorpus in zip(held, train):
        started = time.perf_counter()
        groups = linker_groups(corpus)
        seconds = time.perf_counter() - started
        out["rows"].append((corpus.name, "linker (default, lexical)", *bcubed(groups, corpus.gold), len(corpus.reports), seconds))
        out[f"errors_{corpus.name}"] = errors(corpus, groups)
        if embedder is not None:
            started = time.perf_counter()
            groups = linker_groups(corpus, embedder)
            out["rows"].append((corpus.name, "linker with --embeddings", *bcubed(groups, corpus.gold), len(corpus.reports),
                                time.perf_counter() - started))
        threshold, train_f1 = tune_baseline(tcorpus)
        out["rows"].append((corpus.name, f"TF-IDF + average linkage (distance {threshold}, training-part F1 {train_f1:.3f})",
                            *bcubed(baseline_groups(corpus, threshold), corpus.gold), len(corpus.reports), None))
    out["ablation"] = ablation(train, held, log)
    return out


def table(result: dict) -> None:
    print("\n| held-out part | method | B-cubed P | R | F1 | reports | seconds |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for name, method, p, r, f, n, seconds in result["rows"]:
        print(f"| {name} | {method} | {p:.3f} | {r:.3f} | {f:.3f} | {n} | {'' if seconds is None else f'{seconds:.1f}'} |")
    print("\n| ablation (lexical linker retrained without) | GVA held-out F1 | ECB+ held-out F1 "
          "| GVA training part, out of fold | ECB+ training part, out of fold |")
    print("|---|---:|---:|---:|---:|")
    for dropped, scores in result["ablation"]:
        print(f"| {dropped} | {scores['gva']:.3f} | {scores['ecbplus']:.3f} | {scores['gva_oof']:.3f} "
              f"| {scores['ecbplus_oof']:.3f} |")
    for name in ("gva", "ecbplus"):
        merges, splits = result[f"errors_{name}"]
        print(f"\n{name} held-out: {len(merges)} predicted groups merge incidents, {len(splits)} incidents are split")
        for kind, items in (("merge", merges), ("split", splits)):
            for ids in items:
                print(f"  {kind}: {' '.join(ids)}")


if __name__ == "__main__":
    sys.path.insert(0, str(HERE))
    table(run(Path(sys.argv[1]), Path(sys.argv[2])))
