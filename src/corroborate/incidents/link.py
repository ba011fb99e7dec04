"""The pair linker: how likely two reports are to tell one incident, learned and calibrated.

Clustering (:mod:`corroborate.incidents.cluster`) finds candidate pairs by blocking; this
module turns each candidate pair into the features in :data:`FEATURES` (:meth:`PairData.matrix`)
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
from collections import defaultdict
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


def tfidf_rows(feats, df: tuple[np.ndarray, np.ndarray] | None = None) -> object:
    """The reports' content-word vectors as one sparse matrix (rows L2-normalized): sublinear
    term frequency times smoothed IDF over the reports of this run; ``df``: the run's
    :func:`term_counts`, when the caller has them."""
    from scipy import sparse

    indptr = np.zeros(len(feats) + 1, dtype=np.int64)
    np.cumsum([len(feat.terms[0]) for feat in feats], out=indptr[1:])
    cols = np.concatenate([feat.terms[0] for feat in feats]) if feats else np.zeros(0, np.int32)
    values = np.concatenate([feat.terms[1] for feat in feats]).astype(np.float64) if feats else np.zeros(0)
    vocab, counts = df if df is not None else term_counts(feats)
    inverse = np.searchsorted(vocab, cols)
    idf = np.log((1 + len(feats)) / (1 + counts)) + 1.0
    values = (1.0 + np.log(np.maximum(values, 1.0))) * idf[inverse]
    matrix = sparse.csr_matrix((values, inverse, indptr), shape=(len(feats), max(len(vocab), 1)))
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sparse.diags(1.0 / norms) @ matrix


def term_counts(feats) -> tuple[np.ndarray, np.ndarray]:
    """The run's content-word ids (sorted) and how many reports hold each."""
    if not feats:
        return np.zeros(0, np.int32), np.zeros(0, np.int64)
    return np.unique(np.concatenate([feat.terms[0] for feat in feats]), return_counts=True)


def _sets(feats, attribute: str, weights: dict[str, float] | None = None):
    """One sparse row per report over the run's values of a set-valued feature (columns in
    sorted order, so that every sum below adds in one order, whatever the process): 1 for each
    value the report holds, or the value's weight."""
    from scipy import sparse

    values = [getattr(feat, attribute) for feat in feats]
    vocab = {value: k for k, value in enumerate(sorted(set().union(*values)))}
    indptr = np.zeros(len(feats) + 1, dtype=np.int64)
    np.cumsum([len(v) for v in values], out=indptr[1:])
    cols = np.fromiter((vocab[x] for v in values for x in sorted(v)), dtype=np.int32, count=int(indptr[-1]))
    data = (np.ones(len(cols)) if weights is None else
            np.fromiter((weights[x] for v in values for x in sorted(v)), dtype=np.float64, count=len(cols)))
    return sparse.csr_matrix((data, cols, indptr), shape=(len(feats), max(len(vocab), 1)))


def _rowwise(matrix, a: np.ndarray, b: np.ndarray, weighted=None, rows: int = 4096) -> np.ndarray:
    """Row a[k] · row b[k] of a sparse matrix, for each k; with ``weighted`` (the same matrix,
    weighted), row a[k] of ``matrix`` · row b[k] of ``weighted``. ``rows`` pairs at a time: the
    rows gathered for 50,000 pairs of 128-word vectors would take about 150 MB."""
    other = matrix if weighted is None else weighted
    out = np.empty(len(a))
    for begin in range(0, len(a), rows):
        i, j = a[begin : begin + rows], b[begin : begin + rows]
        out[begin : begin + rows] = np.asarray(matrix[i].multiply(other[j]).sum(axis=1)).ravel()
    return out


def _interval(feats, get) -> np.ndarray:
    """(low, high) of a toll per report: NaN where it has none."""
    out = np.full((len(feats), 2), np.nan)
    for k, feat in enumerate(feats):
        value = get(feat)
        if value is not None:
            out[k] = value
    return out


def _count_diff(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """How far apart two tolls are: 0 when both can be true ("at least 40" and "at least 93"),
    else the gap between the values they allow, on a log scale (1 and 2 differ more than 40 and
    41); NaN when either is unknown."""
    with np.errstate(invalid="ignore"):
        below = np.log1p(b[:, 0]) - np.log1p(a[:, 1])  # a's highest is under b's lowest
        above = np.log1p(a[:, 0]) - np.log1p(b[:, 1])
        out = np.where(a[:, 1] < b[:, 0], below, np.where(b[:, 1] < a[:, 0], above, 0.0))
    out[np.isnan(a[:, 0]) | np.isnan(b[:, 0])] = np.nan
    return out


def _days(feats, attribute: str) -> np.ndarray:
    return np.array([np.nan if (d := getattr(feat, attribute)) is None else float(d.toordinal()) for feat in feats])


class PairData:
    """What :meth:`matrix` needs of a run's reports (clustering
    :class:`~corroborate.incidents.cluster.Features`, signed), as arrays and sparse matrices, so
    that the features of many pairs are computed with a few array operations.

    The IDF of a name is smoothed with a background of ``idf_prior`` reports (see
    :mod:`corroborate.incidents.cluster`)."""

    def __init__(self, feats, idf_prior: float, embedded: bool = False, df=None, other_tolls=()):
        n = len(feats)
        self.hashes = np.stack([feat.minhash.hashvalues for feat in feats]) if feats else np.zeros((0, 1), np.uint64)
        self.size = np.array([feat.size for feat in feats], dtype=np.float64)
        self.tfidf = tfidf_rows(feats, df)
        names: dict[str, int] = defaultdict(int)
        for feat in feats:
            for key in feat.places | feat.orgs | feat.persons:
                names[key] += 1
        idf = {key: math.log((n + idf_prior) / (count + 1)) for key, count in names.items()}
        self.names = {attr: (_sets(feats, attr), _sets(feats, attr, idf)) for attr in ("places", "orgs", "persons")}
        self.weight = {attr: np.asarray(m.sum(axis=1)).ravel() for attr, (_, m) in self.names.items()}
        self.sets = {attr: _sets(feats, attr) for attr in ("cities", "regions", "victims", "suspects", "numbers", "years")}
        held = {**{attr: m for attr, (m, _) in self.names.items()}, **self.sets}
        self.count = {attr: np.diff(m.indptr).astype(np.float64) for attr, m in held.items()}
        self.days = {attr: _days(feats, attr) for attr in ("day", "published")}
        self.tolls = {"killed": _interval(feats, lambda f: f.killed), "injured": _interval(feats, lambda f: f.injured)}
        self.others = [_interval(feats, lambda f, c=c: f.others.get(c)) for c in other_tolls]
        kinds = {kind: k for k, kind in enumerate(sorted({f.kind for f in feats if f.kind is not None}))}
        self.kind = np.array([-1 if f.kind is None else kinds[f.kind] for f in feats], dtype=np.int64)
        self.relevance = np.array([np.nan if f.relevance is None else f.relevance for f in feats])
        self.vectors = np.stack([feat.vector for feat in feats]) if embedded and feats else None

    def matrix(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """One row of :data:`FEATURES` per pair (a[k], b[k])."""
        out = np.full((len(a), len(FEATURES)), np.nan)
        if not len(a):
            return out
        column = {name: out[:, k] for k, name in enumerate(FEATURES)}  # views: writing one fills out
        count = self.count
        with np.errstate(invalid="ignore", divide="ignore"):
            jac = np.count_nonzero(self.hashes[a] == self.hashes[b], axis=1) / self.hashes.shape[1]
            column["jaccard"][:] = jac
            # |A & B| from the Jaccard estimate and the two set sizes, over the smaller set
            smaller = np.minimum(self.size[a], self.size[b])
            shared = jac / (1 + jac) * (self.size[a] + self.size[b])
            column["containment"][:] = np.where(smaller > 0, np.minimum(shared / np.where(smaller > 0, smaller, 1), 1.0), 0.0)
            column["tfidf"][:] = _rowwise(self.tfidf, a, b)
            if self.vectors is not None:
                column["lead_cosine"][:] = np.einsum("ij,ij->i", self.vectors[a], self.vectors[b])
            both = {attr: (held[a] > 0) & (held[b] > 0) for attr, held in count.items()}  # neither side empty
            for attr, (held, weighted) in self.names.items():  # the weight of the shared names over the smaller side's
                lighter = np.minimum(self.weight[attr][a], self.weight[attr][b])
                value = np.minimum(_rowwise(held, a, b, weighted) / np.where(lighter > 0, lighter, 1), 1.0)
                column[attr][:] = np.where(both[attr], value, np.nan)
            shared_values = {attr: _rowwise(m, a, b) for attr, m in self.sets.items()}
            for attr, name in (("cities", "same_city"), ("regions", "same_region"), ("years", "years")):
                column[name][:] = np.where(both[attr], (shared_values[attr] > 0).astype(np.float64), np.nan)
            for attr in ("victims", "suspects"):
                column[attr][:] = np.where(both[attr], shared_values[attr], np.nan)
            union = count["numbers"][a] + count["numbers"][b] - shared_values["numbers"]
            column["numbers"][:] = np.where(both["numbers"], shared_values["numbers"] / np.where(union > 0, union, 1), np.nan)
            column["event_days"][:] = np.abs(self.days["day"][a] - self.days["day"][b])
            column["published_days"][:] = np.abs(self.days["published"][a] - self.days["published"][b])
            for attr in ("killed", "injured"):
                column[f"{attr}_diff"][:] = _count_diff(self.tolls[attr][a], self.tolls[attr][b])
            if self.others:
                column["others_diff"][:] = np.fmax.reduce([_count_diff(t[a], t[b]) for t in self.others])
            known = (self.kind[a] >= 0) & (self.kind[b] >= 0)
            column["same_type"][:] = np.where(known, (self.kind[a] == self.kind[b]).astype(np.float64), np.nan)
            column["relevance_min"][:] = np.minimum(self.relevance[a], self.relevance[b])
            column["relevance_max"][:] = np.maximum(self.relevance[a], self.relevance[b])
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

    def leaves(self, node: int = 0) -> list[int]:
        """The leaves under ``node``, left to right."""
        out, stack = [], [node]
        while stack:
            node = stack.pop()
            if self.leaf[node]:
                out.append(node)
            else:
                stack += [int(self.right[node]), int(self.left[node])]
        return out


class _Forest:
    """The trees compiled for evaluation by bitmasks (QuickScorer, Lucchese et al., SIGIR 2015).

    Each tree's leaves are numbered left to right, one bit each. A node whose test is false for a
    row (the row goes right) rules out the leaves of its left subtree; the leaf a row reaches is
    the leftmost leaf no node rules out. For each feature the nodes that test it are sorted by
    threshold, so the nodes a value sends right are a prefix of that order (those whose threshold
    is below the value: the trees send ``value <= threshold`` left), and a table holds, for each
    prefix, every tree's mask of leaves still possible. A row's leaves are then the AND, over the
    features, of one table row each: a few array operations per feature instead of one per tree
    level. A missing value has a row of its own (the nodes that send missing values right)."""

    def __init__(self, trees: list[_Tree], n_features: int):
        n_leaves = max(len(tree.leaves()) for tree in trees)
        self.dtype = next(d for bits, d in ((8, np.uint8), (16, np.uint16), (32, np.uint32), (64, np.uint64))
                          if n_leaves <= bits)
        full = np.iinfo(self.dtype).max
        self.values = np.zeros((len(trees), n_leaves))
        nodes: list[list[tuple[float, int, int, bool]]] = [[] for _ in range(n_features)]
        for t, tree in enumerate(trees):
            order = tree.leaves()
            bit = {node: k for k, node in enumerate(order)}
            self.values[t, : len(order)] = tree.value[order]
            for node in np.flatnonzero(~tree.leaf):
                ruled_out = sum(1 << bit[leaf] for leaf in tree.leaves(int(tree.left[node])))
                nodes[int(tree.feature[node])].append(
                    (float(tree.threshold[node]), t, full & ~ruled_out, bool(tree.missing_left[node])))
        self.tables: list[tuple[int, np.ndarray, np.ndarray]] = []
        for f, tests in enumerate(nodes):
            if not tests:
                continue
            tests.sort(key=lambda test: test[0])
            table = np.full((len(tests) + 2, len(trees)), full, dtype=self.dtype)
            for p, (_, t, mask, _) in enumerate(tests):
                table[p + 1] = table[p]
                table[p + 1, t] &= mask
            for _, t, mask, missing_left in tests:
                if not missing_left:
                    table[-1, t] &= mask
            self.tables.append((f, np.array([test[0] for test in tests]), table))
        self.offsets = np.arange(len(trees)) * n_leaves

    def leaves(self, x: np.ndarray) -> np.ndarray:
        """Each row's leaf in each tree (its position, left to right): shape (rows, trees)."""
        alive = np.full((len(x), len(self.offsets)), np.iinfo(self.dtype).max, dtype=self.dtype)
        for f, thresholds, table in self.tables:
            value = x[:, f]
            position = np.searchsorted(thresholds, value, side="left")
            position[np.isnan(value)] = len(table) - 1
            alive &= table[position]
        lowest = alive & (~alive + self.dtype(1))  # the lowest set bit: the leftmost leaf left
        return np.log2(lowest.astype(np.float64)).astype(np.int64)  # exact: a power of two

    def margin(self, x: np.ndarray, baseline: float, rows: int = 4096) -> np.ndarray:
        out = np.full(len(x), baseline)
        flat = self.values.ravel()
        for begin in range(0, len(x), rows):
            leaf_values = flat[self.leaves(x[begin : begin + rows]) + self.offsets]
            part = out[begin : begin + rows]
            for t in range(leaf_values.shape[1]):  # tree by tree, as the trees were fitted: the same sums
                part += leaf_values[:, t]
        return out


class Scorer:
    """One variant of the model: trees over some of :data:`FEATURES`, then Platt scaling, and
    the thresholds of :func:`corroborate.incidents.cluster.group` chosen for it."""

    def __init__(self, data: dict, column: dict[str, int] | None = None):
        """``column``: each feature's column in the rows scored (the linker's :data:`COLUMN` by default)."""
        self.features = list(data["features"])
        self.columns = [(COLUMN if column is None else column)[f] for f in self.features]
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
        self.forest = _Forest(self.trees, len(self.columns))

    def margin(self, matrix: np.ndarray) -> np.ndarray:
        """The trees' raw score (log-odds before calibration) of each row of a :meth:`PairData.matrix`."""
        return self.forest.margin(np.ascontiguousarray(matrix[:, self.columns]), self.baseline)

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
