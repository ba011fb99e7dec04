"""The pair linker: how likely two reports are to tell one incident, learned and calibrated.

Clustering (:mod:`corroborate.incidents.cluster`) finds candidate pairs by blocking; this
module turns each candidate pair into the features in :data:`FEATURES` (:func:`pair_matrix`)
and scores them with the shipped model (``data/linker.json``, sha256-checked at load; rebuilt
by ``make train-linker``, see :mod:`corroborate.incidents.train_linker` and the README's model
card). The score is a calibrated probability that the two reports are of one incident.

The model is gradient-boosted trees (scikit-learn's ``HistGradientBoostingClassifier``, with
the monotonic constraints of :data:`MONOTONE`), exported as plain node tables and evaluated here
with numpy, followed by Platt scaling fitted on out-of-fold scores. A feature that cannot be
measured for a pair (a report without a resolved city, say) is missing (NaN), and the trees
send it the way training learned. The file holds two variants: ``lexical`` (the default) and
``embedding`` (with the cosine of the two reports' lead embeddings, ``--embeddings``), and the
thresholds grouping uses, chosen on out-of-fold scores of the training part.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

#: one column per feature, in this order
FEATURES = (
    "jaccard", "containment", "tfidf", "lead_cosine",
    "places", "orgs", "persons",
    "same_city", "same_region",
    "event_days", "published_days",
    "killed_diff", "injured_diff", "others_diff",
    "same_type", "relevance_min", "relevance_max",
    "victims", "suspects",
    "numbers", "years",
)
#: feature groups, for the ablation in ``make bench``
GROUPS = {
    "text": ("jaccard", "containment", "tfidf"),
    "embedding": ("lead_cosine",),
    "entities": ("places", "orgs", "persons"),
    "place": ("same_city", "same_region"),
    "time": ("event_days", "published_days"),
    "counts": ("killed_diff", "injured_diff", "others_diff"),
    "type": ("same_type", "relevance_min", "relevance_max"),
    "names": ("victims", "suspects"),
    "numbers": ("numbers", "years"),
}
#: +1: the probability may only rise with the feature; -1: only fall; 0: free
MONOTONE = {
    "jaccard": 1, "containment": 1, "tfidf": 1, "lead_cosine": 1, "places": 1, "orgs": 1, "persons": 1,
    "same_city": 1, "same_region": 1, "event_days": -1, "published_days": -1, "killed_diff": -1,
    "injured_diff": -1, "others_diff": -1, "same_type": 1, "relevance_min": 0, "relevance_max": 0, "victims": 1, "suspects": 1,
    "numbers": 1, "years": 1,
}
COLUMN = {name: k for k, name in enumerate(FEATURES)}
NAN = float("nan")


def _overlap(a, b, idf: dict[str, float]) -> float:
    """IDF-weighted overlap coefficient: the weight of the shared keys over the weight of the
    smaller side's keys; NaN when a side has none."""
    if not a or not b:
        return NAN
    shared = a & b
    if not shared:
        return 0.0
    # fsum: exact, so the result does not depend on the sets' iteration order (string hashing
    # differs between processes), and neither do the model's decisions nor training
    smaller = min(math.fsum(idf[k] for k in a), math.fsum(idf[k] for k in b))
    return min(math.fsum(idf[k] for k in shared) / smaller, 1.0) if smaller > 0 else 0.0


def _match(a, b) -> float:
    """1 when two sets meet, 0 when both are known and do not, NaN when either is empty."""
    if not a or not b:
        return NAN
    return 1.0 if a & b else 0.0


def _jaccard(a, b) -> float:
    return NAN if not a or not b else len(a & b) / len(a | b)


def _days(a, b) -> float:
    return NAN if a is None or b is None else float(abs((a - b).days))


def _count_diff(a: tuple | None, b: tuple | None) -> float:
    """How far apart two tolls are: 0 when both can be true ("at least 40" and "at least 93"),
    else the gap between the values they allow, on a log scale (1 and 2 differ more than 40 and 41)."""
    if a is None or b is None:
        return NAN
    (a_low, a_high), (b_low, b_high) = a, b
    if a_high < b_low:
        return math.log1p(b_low) - math.log1p(a_high)
    if b_high < a_low:
        return math.log1p(a_low) - math.log1p(b_high)
    return 0.0


def _shared(a, b) -> float:
    return NAN if not a or not b else float(len(a & b))


def tfidf_rows(feats) -> object:
    """The reports' content-word vectors as one sparse matrix (rows L2-normalized): sublinear
    term frequency times smoothed IDF over the reports of this run."""
    from scipy import sparse

    indptr, indices, counts = [0], [], []
    for feat in feats:
        ids, tf = feat.terms
        indices.append(ids)
        counts.append(tf)
        indptr.append(indptr[-1] + len(ids))
    cols = np.concatenate(indices) if indices else np.zeros(0, np.int64)
    values = np.concatenate(counts).astype(np.float64) if counts else np.zeros(0)
    vocab, inverse = np.unique(cols, return_inverse=True)
    df = np.bincount(inverse, minlength=len(vocab))
    idf = np.log((1 + len(feats)) / (1 + df)) + 1.0
    values = (1.0 + np.log(np.maximum(values, 1.0))) * idf[inverse]
    matrix = sparse.csr_matrix((values, inverse, np.asarray(indptr)), shape=(len(feats), max(len(vocab), 1)))
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sparse.diags(1.0 / norms) @ matrix


#: the features :func:`_pairwise` computes, in its order (the others are vectorized)
PAIRWISE = ("jaccard", "containment", "places", "orgs", "persons", "same_city", "same_region", "event_days",
            "published_days", "killed_diff", "injured_diff", "others_diff", "same_type", "relevance_min",
            "relevance_max", "victims", "suspects", "numbers", "years")


def _pairwise(fa, fb, idf: dict[str, float]) -> tuple[float, ...]:
    jac = fa.minhash.jaccard(fb.minhash)
    shared = jac / (1 + jac) * (fa.size + fb.size)  # |A & B| from the Jaccard estimate and the set sizes
    smaller = min(fa.size, fb.size)
    common = fa.others.keys() & fb.others.keys()
    relevance = (NAN, NAN) if fa.relevance is None or fb.relevance is None else (
        min(fa.relevance, fb.relevance), max(fa.relevance, fb.relevance))
    return (jac, min(shared / smaller, 1.0) if smaller else 0.0,
            _overlap(fa.places, fb.places, idf), _overlap(fa.orgs, fb.orgs, idf), _overlap(fa.persons, fb.persons, idf),
            _match(fa.cities, fb.cities), _match(fa.regions, fb.regions),
            _days(fa.day, fb.day), _days(fa.published, fb.published),
            _count_diff(fa.killed, fb.killed), _count_diff(fa.injured, fb.injured),
            max((_count_diff(fa.others[c], fb.others[c]) for c in sorted(common)), default=NAN),
            NAN if fa.kind is None or fb.kind is None else float(fa.kind == fb.kind), *relevance,
            _shared(fa.victims, fb.victims), _shared(fa.suspects, fb.suspects),
            _jaccard(fa.numbers, fb.numbers), _match(fa.years, fb.years))


def pair_matrix(feats, pairs: list[tuple[int, int]], idf: dict[str, float], embedded: bool = False,
                chunk: int = 50_000, rows=None) -> np.ndarray:
    """One row of :data:`FEATURES` per pair (i, j) of ``feats`` (clustering
    :class:`~corroborate.incidents.cluster.Features`, signed); ``idf`` weighs shared names;
    ``embedded``: the features carry lead vectors (else ``lead_cosine`` is missing); ``rows``:
    the :func:`tfidf_rows` of ``feats``, when the caller scores its pairs in parts."""
    out = np.full((len(pairs), len(FEATURES)), np.nan)
    if not pairs:
        return out
    left = np.fromiter((i for i, _ in pairs), dtype=np.int64, count=len(pairs))
    right = np.fromiter((j for _, j in pairs), dtype=np.int64, count=len(pairs))
    rows = tfidf_rows(feats) if rows is None else rows
    for begin in range(0, len(pairs), chunk):
        a, b = left[begin : begin + chunk], right[begin : begin + chunk]
        out[begin : begin + chunk, COLUMN["tfidf"]] = np.asarray(rows[a].multiply(rows[b]).sum(axis=1)).ravel()
    if embedded:
        out[:, COLUMN["lead_cosine"]] = [float(feats[i].vector @ feats[j].vector) for i, j in pairs]
    pairwise = [COLUMN[name] for name in PAIRWISE]
    for k, (i, j) in enumerate(pairs):
        out[k, pairwise] = _pairwise(feats[i], feats[j], idf)
    return out


@dataclass(slots=True)
class _Tree:
    feature: np.ndarray
    threshold: np.ndarray
    missing_left: np.ndarray
    left: np.ndarray
    right: np.ndarray
    leaf: np.ndarray
    value: np.ndarray


class Scorer:
    """One variant of the model: trees over some of :data:`FEATURES`, then Platt scaling, and
    the thresholds of :func:`corroborate.incidents.cluster.group` chosen for it."""

    def __init__(self, data: dict):
        self.features = list(data["features"])
        self.columns = [COLUMN[f] for f in self.features]
        self.baseline = float(data["baseline"])
        self.platt = tuple(data["platt"])
        self.pair_threshold = float(data["pair_threshold"])
        self.link_threshold = float(data["link_threshold"])
        self.trees = []
        for nodes in data["trees"]:
            table = np.asarray(nodes, dtype=np.float64).reshape(-1, 7)
            self.trees.append(_Tree(feature=table[:, 0].astype(np.int64), threshold=table[:, 1],
                                    missing_left=table[:, 2] > 0, left=table[:, 3].astype(np.int64),
                                    right=table[:, 4].astype(np.int64), leaf=table[:, 5] > 0, value=table[:, 6]))

    def margin(self, matrix: np.ndarray) -> np.ndarray:
        """The trees' raw score (log-odds before calibration) of each row of a :func:`pair_matrix`."""
        x = matrix[:, self.columns]
        rows = np.arange(len(x))
        out = np.full(len(x), self.baseline)
        for tree in self.trees:
            node = np.zeros(len(x), dtype=np.int64)
            active = ~tree.leaf[node]
            while active.any():
                value = x[rows, tree.feature[node]]
                go_left = np.where(np.isnan(value), tree.missing_left[node], value <= tree.threshold[node])
                node = np.where(active, np.where(go_left, tree.left[node], tree.right[node]), node)
                active = ~tree.leaf[node]
            out += tree.value[node]
        return out

    def probability(self, matrix: np.ndarray) -> np.ndarray:
        a, b = self.platt
        return 1.0 / (1.0 + np.exp(-(a * self.margin(matrix) + b)))


@dataclass(frozen=True, slots=True)
class Linker:
    """The shipped model: a scorer (with its grouping thresholds) per variant."""

    lexical: Scorer
    embedding: Scorer

    def scorer(self, embedded: bool) -> Scorer:
        return self.embedding if embedded else self.lexical


def from_data(data: dict) -> Linker:
    return Linker(lexical=Scorer(data["variants"]["lexical"]), embedding=Scorer(data["variants"]["embedding"]))


@lru_cache(maxsize=1)
def load_linker() -> Linker:
    """The shipped linker, after checking its sha256 (:mod:`corroborate.learned`)."""
    from corroborate.learned import load_json_model

    return from_data(load_json_model("corroborate.incidents", "data/linker.json"))
