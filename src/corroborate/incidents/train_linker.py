"""Train the pair linker (``make train-linker``): are two reports of one incident?

    python -m corroborate.incidents.train_linker DATA_DIR [--out PATH] [--workers N]

``DATA_DIR`` is ``../shared/data``. Without ``--out`` the model goes to the package's
``incidents/data/linker.json`` and its sha256 into ``corroborate/data/models.sha256.json``; with
``--out`` it is written there only (a reproducibility check).

Data: the training parts only (:mod:`corroborate.splits`): the GVA reports of incidents not held
out, and the ECB+ documents of topics not held out. Each part is analyzed as ``corroborate run``
analyzes it (:func:`corroborate.steps.run_steps`), then turned into clustering features;
the candidate pairs are the ones blocking gives at run time (:func:`~corroborate.incidents.cluster.scored_pairs`,
each corpus as one run), labelled 1 when gold puts both reports in one incident (GVA
``incident_id``) or one event (ECB+ ``subtopic_event_cluster``).

Model: scikit-learn's ``HistGradientBoostingClassifier`` (fixed hyper-parameters :data:`PARAMS`,
``SEED``, the monotonic constraints of :data:`corroborate.incidents.link.MONOTONE`) on the
features of :data:`corroborate.incidents.link.FEATURES`; the ``lexical`` variant without the lead
embedding cosine, the ``embedding`` variant with it. Five-fold cross-validation grouped by gold
incident and topic (:func:`fold_of`) gives every training pair an out-of-fold score; Platt scaling
is fitted on those, so the shipped probability is calibrated.

Thresholds: with the out-of-fold probabilities, each training corpus is grouped as a run groups
it (:func:`corroborate.incidents.cluster.group`; GVA only over the reports the relevance gate
lets in, ECB+ over all its documents, since the linker is what is measured there); the pair and
link thresholds kept are the ones (on the grid :data:`PAIR_GRID` x :data:`LINK_GRID`) with the
best mean B-cubed F1 of the two corpora, ties to the higher thresholds.
"""

from __future__ import annotations

import json
import sys
import time
import zlib
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from corroborate.incidents.link import COLUMN, FEATURES, MONOTONE
from corroborate.learned import out_option
from corroborate.splits import ecb_key, gva_key, held_out

SEED = 16
FOLDS = 5
PARAMS = {"learning_rate": 0.05, "max_iter": 300, "max_leaf_nodes": 15, "min_samples_leaf": 40,
          "l2_regularization": 1.0, "early_stopping": False}
PAIR_GRID = [round(0.05 * k, 2) for k in range(4, 19)]
LINK_GRID = [round(0.05 * k, 2) for k in range(1, 15)]
VARIANTS = {"lexical": [f for f in FEATURES if f != "lead_cosine"], "embedding": list(FEATURES)}


@dataclass
class Corpus:
    """One training (or held-out) corpus, analyzed: its reports, their gold groups, and whether
    a run would gate it by relevance."""

    name: str
    reports: list
    gold: list[str]
    gated: bool


def fold_of(label: str) -> int:
    return zlib.crc32(f"linker-fold:{label}".encode()) % FOLDS


def gva_raws(data: Path, part: str) -> tuple[list, dict[str, str]]:
    """The GVA raw documents of ``part`` (train or held_out), and each one's gold incident."""
    from corroborate.sources.readers import RawDoc, iter_inputs

    incident_of: dict[str, str] = {}
    for line in (data / "gva" / "reports.jsonl").open(encoding="utf-8"):
        if line.strip():
            obj = json.loads(line)
            incident_of.setdefault(obj["id"], str(obj["incident_id"]))
    raws, gold, seen = [], {}, set()
    for item in iter_inputs([data / "gva" / "reports.jsonl"]):
        if not isinstance(item, RawDoc) or item.id in seen or item.id not in incident_of:
            continue
        seen.add(item.id)
        if held_out(gva_key(incident_of[item.id])) == (part == "held_out"):
            raws.append(item)
            gold[item.id] = incident_of[item.id]
    return raws, gold


def ecb_raws(data: Path, part: str) -> tuple[list, dict[str, str]]:
    """The ECB+ documents of ``part`` as raw documents (as ``make bench`` feeds them: id and text),
    and each one's gold event."""
    from corroborate.sources.readers import RawDoc

    raws, gold = [], {}
    for line in (data / "ecbplus" / "docs.jsonl").open(encoding="utf-8"):
        doc = json.loads(line)
        if held_out(ecb_key(doc["topic"])) == (part == "held_out"):
            raws.append(RawDoc(id=doc["doc_id"], text=doc["text"], url=doc.get("source_url"), origin=f"ecbplus:{doc['doc_id']}"))
            gold[doc["doc_id"]] = doc["subtopic_event_cluster"]
    return raws, gold


def analyze(raws: list, workers: int) -> list:
    """The reports, analyzed as a run analyzes them (in input order; failures left out)."""
    from corroborate.executors import make_executor
    from corroborate.records import Report
    from corroborate.steps import Analyzed, prepare, run_steps

    executor = make_executor("pool", workers, initializer=prepare)
    return [Report.model_validate_json(item.line) for item in run_steps(raws, executor)
            if isinstance(item, Analyzed)]


def corpora(data: Path, part: str, workers: int = 2, log=print) -> list[Corpus]:
    out = []
    for name, load, gated in (("gva", gva_raws, True), ("ecbplus", ecb_raws, False)):
        raws, gold = load(data, part)
        started = time.perf_counter()
        reports = [r for r in analyze(raws, workers) if r.text]
        log(f"{name} {part}: {len(reports)} reports analyzed in {time.perf_counter() - started:.0f} s")
        out.append(Corpus(name, reports, [gold[r.id] for r in reports], gated))
    return out


def pairs_of(corpus: Corpus, embedder=None) -> tuple[list[tuple[int, int]], np.ndarray, np.ndarray]:
    """The corpus's candidate pairs (all its reports, as one run), their features and labels."""
    from corroborate.incidents.cluster import features, scored_pairs

    feats = [features(r, keep_lead=embedder is not None) for r in corpus.reports]
    pairs, matrix = scored_pairs(feats, embedder=embedder)
    labels = np.array([corpus.gold[i] == corpus.gold[j] for i, j in pairs], dtype=np.int8)
    return pairs, matrix, labels


def _classifier(columns: list[str]):
    from sklearn.ensemble import HistGradientBoostingClassifier

    return HistGradientBoostingClassifier(random_state=SEED, monotonic_cst=[MONOTONE[c] for c in columns], **PARAMS)


def fit(matrix: np.ndarray, labels: np.ndarray, columns: list[str]):
    return _classifier(columns).fit(matrix[:, [COLUMN[c] for c in columns]], labels)


def out_of_fold(matrix: np.ndarray, labels: np.ndarray, folds: np.ndarray, columns: list[str]) -> np.ndarray:
    """Each pair's margin from a model fitted without its fold."""
    x = matrix[:, [COLUMN[c] for c in columns]]
    margins = np.zeros(len(labels))
    for k in range(FOLDS):
        test = folds == k
        model = _classifier(columns).fit(x[~test], labels[~test])
        margins[test] = model.decision_function(x[test])
    return margins


def platt(margins: np.ndarray, labels: np.ndarray) -> tuple[float, float]:
    from sklearn.linear_model import LogisticRegression

    lr = LogisticRegression(C=1e6, max_iter=1000).fit(margins.reshape(-1, 1), labels)
    return float(lr.coef_[0, 0]), float(lr.intercept_[0])


def export(model, columns: list[str], calibration: tuple[float, float], thresholds: tuple[float, float]) -> dict:
    """The fitted trees as node tables [feature, threshold, missing-left, left, right, leaf, value]
    (what :class:`corroborate.incidents.link.Scorer` reads)."""
    trees = []
    for (predictor,) in model._predictors:
        nodes = []
        for node in predictor.nodes:
            leaf = bool(node["is_leaf"])
            nodes.append([int(node["feature_idx"]) if not leaf else 0, float(node["num_threshold"]) if not leaf else 0.0,
                          int(node["missing_go_to_left"]), int(node["left"]), int(node["right"]), int(leaf),
                          float(node["value"]) if leaf else 0.0])
        trees.append([v for row in nodes for v in row])
    return {"features": columns, "baseline": float(np.ravel(model._baseline_prediction)[0]), "trees": trees,
            "platt": list(calibration), "pair_threshold": thresholds[0], "link_threshold": thresholds[1]}


def bcubed_labels(predicted: dict, gold: dict) -> tuple[float, float, float]:
    """B-cubed precision, recall and F1 of a clustering: ``predicted`` and ``gold`` map each item
    to its cluster label; items absent from ``gold`` are ignored."""
    items = [i for i in predicted if i in gold]
    if not items:
        return 0.0, 0.0, 0.0
    pred_members: dict = defaultdict(set)
    gold_members: dict = defaultdict(set)
    for item in items:
        pred_members[predicted[item]].add(item)
        gold_members[gold[item]].add(item)
    p = r = 0.0
    for item in items:
        pm, gm = pred_members[predicted[item]], gold_members[gold[item]]
        both = len(pm & gm)
        p += both / len(pm)
        r += both / len(gm)
    p, r = p / len(items), r / len(items)
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def bcubed(groups: list[list[int]], gold: list[str]) -> tuple[float, float, float]:
    """:func:`bcubed_labels` of ``groups`` (of indices into ``gold``; an index in no group is alone)."""
    label = {i: g[0] for g in groups for i in g}
    return bcubed_labels({i: label.get(i, -1 - i) for i in range(len(gold))}, dict(enumerate(gold)))


def grouped(corpus: Corpus, pairs: list[tuple[int, int]], probabilities: np.ndarray,
            pair_threshold: float, link_threshold: float) -> list[list[int]]:
    """The corpus grouped as a run groups it: with the relevance gate, only the reports that take
    part are grouped (the others stay alone)."""
    from corroborate.analyze import takes_part
    from corroborate.incidents.cluster import group

    members = set(range(len(corpus.reports)))
    if corpus.gated:
        members = {i for i, r in enumerate(corpus.reports) if takes_part(r)}
    scores = {p: float(q) for p, q in zip(pairs, probabilities) if p[0] in members and p[1] in members}
    return group(len(corpus.reports), scores, None, pair_threshold, link_threshold)


def choose_thresholds(sets: list[tuple[Corpus, list, np.ndarray]], log=print) -> tuple[tuple[float, float], dict]:
    """The (pair, link) thresholds with the best mean B-cubed F1 over the corpora, from
    out-of-fold probabilities; and the grid's scores."""
    table = {}
    for pt in PAIR_GRID:
        for lt in LINK_GRID:
            if lt > pt:
                continue
            table[(pt, lt)] = [bcubed(grouped(c, pairs, probs, pt, lt), c.gold)[2] for c, pairs, probs in sets]
    best = max(table, key=lambda k: (round(sum(table[k]) / len(table[k]), 4), k))
    log(f"thresholds {best}: out-of-fold B-cubed F1 " + ", ".join(f"{c.name} {f:.3f}" for (c, _, _), f in zip(sets, table[best])))
    return best, table


def train_variant(name: str, columns: list[str], sets: list, log=print) -> tuple[dict, dict]:
    """Fit one variant on all training pairs; calibrate and threshold it on out-of-fold scores."""
    matrix = np.concatenate([m for _, _, m, _, _ in sets])
    labels = np.concatenate([y for _, _, _, y, _ in sets])
    folds = np.concatenate([f for _, _, _, _, f in sets])
    margins = out_of_fold(matrix, labels, folds, columns)
    a, b = platt(margins, labels)
    probs = 1 / (1 + np.exp(-(a * margins + b)))
    split, start = [], 0
    for corpus, pairs, m, _, _ in sets:
        split.append((corpus, pairs, probs[start : start + len(m)]))
        start += len(m)
    thresholds, table = choose_thresholds(split, log)
    model = fit(matrix, labels, columns)
    brier = float(np.mean((probs - labels) ** 2))
    log(f"{name}: {len(labels)} pairs ({int(labels.sum())} positive), out-of-fold Brier {brier:.4f}")
    scores = {c.name: f for (c, _, _), f in zip(split, table[thresholds])}
    return export(model, columns, (a, b), thresholds), {"pairs": len(labels), "positive": int(labels.sum()),
                                                          "brier_oof": round(brier, 4), "bcubed_f1_oof": scores}


def training_sets(train: list[Corpus], embedder) -> list:
    sets = []
    for corpus in train:
        pairs, matrix, labels = pairs_of(corpus, embedder)
        folds = np.array([fold_of(min(corpus.gold[i], corpus.gold[j])) for i, j in pairs], dtype=np.int8)
        sets.append((corpus, pairs, matrix, labels, folds))
    return sets


def one_thread():
    """A context in which scikit-learn's trees are fitted on one thread (the OpenMP runtime must be
    loaded before it can be limited, hence the import)."""
    from sklearn.ensemble import HistGradientBoostingClassifier  # noqa: F401
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=1)


def train(data: Path, workers: int = 2, log=print) -> dict:
    """Both variants, reproducibly: the embeddings and the trees are computed on one thread (with
    more, the order of floating-point sums varies from run to run, and so do a few splits)."""
    from corroborate.analyze.embed import Embedder

    train_part = corpora(data, "train", workers, log)
    sets = training_sets(train_part, Embedder(threads=1))
    variants, meta = {}, {}
    with one_thread():
        for name, columns in VARIANTS.items():
            variants[name], meta[name] = train_variant(name, columns, sets, log)
    return {"_doc": "pair linker: corroborate.incidents.link; trained by corroborate.incidents.train_linker",
            "variants": variants, "training": meta}


def main(argv: list[str]) -> None:
    from corroborate.learned import write_json_model

    argv, out = out_option(argv)
    workers = 2
    if "--workers" in argv:
        k = argv.index("--workers")
        workers = int(argv[k + 1])
        argv = argv[:k] + argv[k + 2 :]
    if len(argv) != 1:
        sys.exit("usage: python -m corroborate.incidents.train_linker DATA_DIR [--out PATH] [--workers N]")
    model = train(Path(argv[0]), workers)
    print(f"wrote {write_json_model('corroborate.incidents', 'data/linker.json', model, out)}")


if __name__ == "__main__":
    main(sys.argv[1:])
