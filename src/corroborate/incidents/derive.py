"""Derived reports: which reports reuse another's text, and how (copy, partial, paraphrase, rewrite).

A wire story picked up by a local site, or a story rewritten by a machine, repeats one source: it
does not confirm it. This module finds such pairs among an incident's reports (and near-copies
across incidents), says which is the source, and pairs the reused passages exactly.

For a pair of reports, each sentence of one (quotations aside: two outlets quoting one statement
share its origin, not each other's text) is aligned with its closest sentence of the other
(closest by shared content words, through an inverted index), and the pair is described by a few
measures (:data:`FEATURES`): how much of each text is repeated word for word (word trigrams), how
much is restated (content words), whether the aligned sentences keep their order, and how much of
each text's vocabulary the other holds. Gradient-boosted trees (``data/derive.json``,
sha256-checked; ``make train-derive``, :mod:`corroborate.incidents.train_derive`) turns them into
the probability that one report is derived from the other; ``THRESHOLD`` in the model file was
chosen on the training part of dev (README, model card "reuse detector").

With sentence embeddings (``--embeddings``: :func:`prepare` with an embedder), each sentence is
also aligned with its closest sentence of the other text by cosine, :data:`EMBED_FEATURES` are
added, and the embedding variant of the detector (``data/derive-embed.json``, ``make
train-derive-embed``) decides; a pair the lexical detector calls derived stays derived. A sentence
no shared words align whose closest sentence is at least :data:`ALIGNED` close counts as restated.

Which report is the source (``direction``):

1. ``credit``: one report credits the other's outlet ("(AP) —", "Reuters contributed to this
   report", "according to CNN"; patterns and wire names in ``lang/en/credits.json``);
2. ``published``: else the earlier publication is the source;
3. ``containment``: else the report more of whose text the other holds is the derived one.

The relation, from the derived report's side: ``copy`` when at least ``COPY_SHARE`` of its text
repeats the source word for word; ``partial`` when less does, but some of its passages do (a
follow-up story that reuses the first one's paragraphs); else ``paraphrase`` when most of its
sentences restate the source's in the same order; else ``rewrite``.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_left
from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise
from typing import Literal

import numpy as np

from corroborate.lang import en
from corroborate.records import Derivation, DerivationRelation, Report, ReusedPassage

#: a sentence repeats another word for word when this share of its word trigrams are the other's
VERBATIM = 0.6
#: a sentence restates another when this share of its content words are the other's (and 3 or more)
RESTATED = 0.5
MIN_SHARED = 4
#: a sentence takes part in the order chain when this share of its content words (two or more) are in its closest sentence
SEQUENCE = 0.3
#: the relation, by the share of the derived report's text repeated word for word
COPY_SHARE = 0.8
PARTIAL_SHARE = 0.2  # (or any passage repeated word for word)
#: a sentence counts when it has at least this many words
MIN_WORDS = 4
#: features, in the model's order (``max_``/``min_``: over the two directions)
FEATURES = (
    "max_verbatim", "min_verbatim", "max_restated", "min_restated", "max_similarity", "min_similarity",
    "max_content", "min_content", "max_bigrams", "min_bigrams", "order", "max_sequence", "min_sequence",
    "length_ratio",
)
#: with sentence embeddings (``--embeddings``): each sentence's closest sentence of the other text by
#: cosine. ``cosine``: the mean of those closest cosines (by sentence length); ``cosine_60`` ...:
#: the share of the text whose closest cosine is at least 0.6, 0.7, 0.8; ``chain``: the longest run
#: of sentences (closest cosine 0.6 or more) whose closest sentences come in the same order, over
#: the sentences; ``max_``/``min_`` over the two directions; and the cosine of the two texts' mean vectors
EMBED_FEATURES = (
    "max_cosine", "max_cosine_60", "max_cosine_70", "max_cosine_80", "max_chain",
    "min_cosine", "min_cosine_60", "min_cosine_70", "min_cosine_80", "min_chain", "document_cosine",
)
COSINE_LEVELS = (0.6, 0.7, 0.8)
#: with embeddings, a sentence no shared words align restates its closest sentence when their cosine is at least this
ALIGNED = 0.75
_SENTENCE = re.compile(r"[^.!?\n]+(?:[.!?]+[\"'”’)]*|(?=\n)|$)")
_OPENING = ("\"", "“")
#: the inflectional endings of :func:`_stem`, tried in order (``lang/en/derive_words.json``)
_ENDINGS: tuple[str, ...] = tuple(en.load("derive_words")["endings"])
_QUOTED = re.compile(r"[\"“][^\"“”\n]*[\"”]")
_WORD = re.compile(r"[a-z0-9][a-z0-9'-]*")


@dataclass(frozen=True, slots=True)
class Sentence:
    start: int
    end: int
    content: frozenset  # content words (not stop words)
    trigrams: frozenset  # word trigrams, stop words included


@dataclass(frozen=True, slots=True)
class Text:
    """What alignment needs of one report's text."""

    sentences: tuple[Sentence, ...]
    content: frozenset
    bigrams: frozenset
    chars: int  # the characters of its sentences
    vectors: np.ndarray | None = None  # with embeddings: one unit vector per sentence


def _stem(word: str) -> str:
    """A crude stem, so that a restatement in other forms still matches ("killed", "kills", "killing"
    -> "kill"): the longest of a few inflectional endings, when a stem of four letters or more is left."""
    for ending in _ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= 4:
            return word[: -len(ending)]
    return word


def _quotation(sentence: str) -> bool:
    """Whether a sentence is mostly a direct quotation: two outlets that quote one statement
    word for word share its origin, not each other's text, so quotations are no evidence of reuse."""
    quoted = sum(m.end() - m.start() for m in _QUOTED.finditer(sentence))
    if sentence[:1] in _OPENING and not _QUOTED.match(sentence):
        return True  # a quotation that runs on past this sentence
    return quoted * 2 >= len(sentence)


def prepare(text: str, embedder=None) -> Text:
    """The sentences of ``text`` that can show reuse: at least ``MIN_WORDS`` words, and not mostly a
    direct quotation (:func:`_quotation`); with ``embedder`` (:class:`corroborate.analyze.embed.Embedder`),
    their sentence vectors too."""
    stop = en.stop_words()
    sentences = []
    content: set[str] = set()
    bigrams: set[tuple[str, str]] = set()
    for match in _SENTENCE.finditer(text):
        start, end = match.start(), match.end()
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        words = _WORD.findall(text[start:end].lower())
        if len(words) < MIN_WORDS or _quotation(text[start:end]):
            continue
        words_content = frozenset(_stem(w) for w in words if w not in stop)
        sentences.append(Sentence(start, end, words_content, frozenset(zip(words, words[1:], words[2:]))))
        content |= words_content
        bigrams.update(pairwise(words))
    vectors = embedder.encode([text[s.start : s.end] for s in sentences]) if embedder is not None else None
    return Text(tuple(sentences), frozenset(content), frozenset(bigrams), sum(s.end - s.start for s in sentences), vectors)


@dataclass(frozen=True, slots=True)
class Alignment:
    """How much of one text (``x``) the other (``y``) holds."""

    verbatim: float  # share of x's characters in sentences y repeats word for word
    restated: float  # ... in sentences y repeats or restates
    similarity: float  # mean over x's sentences (by length) of the content-word share y's closest sentence holds
    pairs: tuple[tuple[int, int, bool], ...]  # (x sentence, y sentence, verbatim) for each repeated or restated one
    sequence: float = 0.0  # the longest run of x's sentences whose closest sentences in y come in the same order, over x's sentences


def _longest_chain(matches) -> int:
    """The length of the longest increasing run of ``matches`` (patience sorting)."""
    chain: list[int] = []
    for m in matches:
        at = bisect_left(chain, m)
        chain[at : at + 1] = [m]
    return len(chain)


def align(x: Text, y: Text) -> Alignment:
    index: dict[str, list[int]] = defaultdict(list)
    for k, sentence in enumerate(y.sentences):
        for word in sentence.content:
            index[word].append(k)
    verbatim = restated = similarity = 0.0
    pairs = []
    chained: list[int] = []  # the closest sentences that take part in the order chain, in x's order
    for i, sentence in enumerate(x.sentences):
        overlap = Counter(k for word in sentence.content for k in index.get(word, ()))
        if not overlap:
            continue
        best, shared = max(overlap.items(), key=lambda kv: (kv[1] / max(len(y.sentences[kv[0]].content | sentence.content), 1), -kv[0]))
        share = shared / max(len(sentence.content), 1)
        length = sentence.end - sentence.start
        similarity += length * share
        if share >= SEQUENCE and shared >= 2:
            chained.append(best)
        repeated = len(sentence.trigrams & y.sentences[best].trigrams) / max(len(sentence.trigrams), 1) >= VERBATIM
        if repeated:
            verbatim += length
        if repeated or (share >= RESTATED and shared >= MIN_SHARED):
            restated += length
            pairs.append((i, best, repeated))
    total = x.chars or 1
    sequence = _longest_chain(chained) / max(len(x.sentences), 1)
    return Alignment(verbatim / total, restated / total, similarity / total, tuple(pairs), sequence)


def _order(pairs: tuple[tuple[int, int, bool], ...]) -> float:
    """Spearman's correlation of the aligned sentences' positions in the two texts (0 for fewer than 3)."""
    if len(pairs) < 3:
        return 0.0
    a = np.array([p[0] for p in pairs], dtype=float)
    b = np.array([p[1] for p in pairs], dtype=float)
    ra, rb = a.argsort().argsort(), b.argsort().argsort()
    if ra.std() == 0 or rb.std() == 0:
        return 0.0
    return float(np.corrcoef(ra, rb)[0, 1])


def _semantic_side(similarity: np.ndarray, x: Text) -> list[float]:
    """x's side of :data:`EMBED_FEATURES`: ``similarity`` is x's sentences by the other's."""
    weight = np.array([s.end - s.start for s in x.sentences], dtype=float)
    weight /= weight.sum()
    closest, best = similarity.max(axis=1), similarity.argmax(axis=1)
    chain = _longest_chain(int(b) for b, c in zip(best, closest) if c >= COSINE_LEVELS[0])
    return [float(weight @ closest), *(float(weight @ (closest >= level)) for level in COSINE_LEVELS), chain / len(closest)]


def semantic_features(x: Text, y: Text, similarity: np.ndarray) -> list[float]:
    """The pair's :data:`EMBED_FEATURES` (both texts prepared with an embedder; ``similarity``: the
    cosine of each of x's sentences with each of y's)."""
    assert x.vectors is not None and y.vectors is not None
    a, b = _semantic_side(similarity, x), _semantic_side(similarity.T, y)
    mx, my = x.vectors.mean(axis=0), y.vectors.mean(axis=0)
    document = float(mx @ my / max(float(np.linalg.norm(mx) * np.linalg.norm(my)), 1e-12))
    return [*(max(u, v) for u, v in zip(a, b)), *(min(u, v) for u, v in zip(a, b)), document]


def _with_semantic(alignment: Alignment, x: Text, similarity: np.ndarray) -> Alignment:
    """x's alignment in the other text, with the sentences no shared words align but whose closest
    sentence there is at least :data:`ALIGNED` close in meaning (a restatement in other words) as
    restated; ``similarity`` is x's sentences by the other's."""
    aligned = {i for i, _, _ in alignment.pairs}
    extra = [(i, int(similarity[i].argmax()), False) for i in range(len(x.sentences))
             if i not in aligned and float(similarity[i].max()) >= ALIGNED]
    if not extra:
        return alignment
    added = sum(x.sentences[i].end - x.sentences[i].start for i, _, _ in extra) / (x.chars or 1)
    return Alignment(alignment.verbatim, min(alignment.restated + added, 1.0), alignment.similarity,
                     tuple(sorted([*alignment.pairs, *extra])), alignment.sequence)


def features(x: Text, y: Text) -> tuple[np.ndarray, Alignment, Alignment]:
    """The pair's :data:`FEATURES` (and :data:`EMBED_FEATURES` when both texts have sentence
    vectors), and the alignment of x in y and of y in x."""
    xy, yx = align(x, y), align(y, x)
    content = [len(x.content & y.content) / max(len(t.content), 1) for t in (x, y)]
    bigrams = [len(x.bigrams & y.bigrams) / max(len(t.bigrams), 1) for t in (x, y)]
    order = _order(xy.pairs if len(xy.pairs) >= len(yx.pairs) else tuple((j, i, v) for i, j, v in yx.pairs))
    row = [max(xy.verbatim, yx.verbatim), min(xy.verbatim, yx.verbatim), max(xy.restated, yx.restated),
           min(xy.restated, yx.restated), max(xy.similarity, yx.similarity), min(xy.similarity, yx.similarity),
           max(content), min(content), max(bigrams), min(bigrams), order,
           max(xy.sequence, yx.sequence), min(xy.sequence, yx.sequence),
           abs(math.log((x.chars + 1) / (y.chars + 1)))]
    if x.vectors is not None and y.vectors is not None:
        similarity = x.vectors @ y.vectors.T
        row += semantic_features(x, y, similarity)
        xy, yx = _with_semantic(xy, x, similarity), _with_semantic(yx, y, similarity.T)
    return np.array(row), xy, yx


class Detector:
    """The shipped reuse detector: trees over :data:`FEATURES` (and, for the embedding variant,
    :data:`EMBED_FEATURES`), Platt-scaled (evaluated by :class:`corroborate.incidents.link.Scorer`),
    and its threshold."""

    def __init__(self, data: dict):
        from corroborate.incidents.link import Scorer

        names = list(data["features"])
        if names not in (list(FEATURES), [*FEATURES, *EMBED_FEATURES]):
            raise ValueError(f"reuse detector features {names} differ from this version's {list(FEATURES)} (and {list(EMBED_FEATURES)})")
        self.semantic = len(names) > len(FEATURES)
        self.scorer = Scorer(data, {f: k for k, f in enumerate(names)})
        self.threshold = float(data["threshold"])

    def probability(self, rows: np.ndarray) -> np.ndarray:
        return self.scorer.probability(np.atleast_2d(rows))


def verdict(detector: Detector, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(probability, derived) for pairs' feature rows, as a run decides. The embedding variant adds
    to what words find, never takes it away: where it does not call a pair derived, the lexical
    detector's verdict stands (and the probability is the larger of the two)."""
    rows = np.atleast_2d(rows)
    if not detector.semantic:
        probability = detector.probability(rows[:, : len(FEATURES)])
        return probability, probability >= detector.threshold
    if rows.shape[1] == len(FEATURES):
        raise ValueError("the embedding reuse detector needs texts prepared with an embedder")
    probability = detector.probability(rows)
    called = probability >= detector.threshold
    lexical = load_detector(False)
    either = np.maximum(probability, lexical.probability(rows[:, : len(FEATURES)]))
    return np.where(called, probability, either), called | (either >= lexical.threshold)


@lru_cache(maxsize=2)
def load_detector(semantic: bool = False) -> Detector:
    """The lexical reuse detector (``data/derive.json``), or with ``semantic`` the one that also
    reads sentence embeddings (``data/derive-embed.json``, for ``--embeddings``)."""
    from corroborate.learned import load_json_model

    return Detector(load_json_model("corroborate.incidents", "data/derive-embed.json" if semantic else "data/derive.json"))


def credits() -> dict:
    """``lang/en/credits.json``: credit-line patterns, outlet aliases, news agencies and official origins."""
    return en.load("credits")


@lru_cache(maxsize=1)
def _credit_patterns() -> list[re.Pattern]:
    return [re.compile(p) for p in credits()["patterns"]]


def _squash(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def credited(report: Report) -> set[str]:
    """The outlets a report credits ("(AP) —", "Reuters contributed", "according to CNN"), squashed
    ("associatedpress" -> "apnews" by the aliases)."""
    patterns, aliases = _credit_patterns(), credits()["aliases"]
    out = set()
    head, tail = report.text[:400], report.text[-600:]
    for pattern in patterns:
        for text in (head, tail) if len(report.text) > 1000 else (report.text,):
            for match in pattern.finditer(text):
                name = _squash(match.group("outlet"))
                out.add(aliases.get(name, name))
    return out


def _outlet_key(report: Report) -> str:
    from corroborate.assess.sources import outlet_of

    outlet = outlet_of(report).lower()
    outlet = re.sub(r"^www\.", "", outlet).split(":")[0]
    key = _squash(outlet.rsplit(".", 1)[0] if re.search(r"\.[a-z]{2,}$", outlet) else outlet)
    return credits()["aliases"].get(key, key)


def _credits_other(x: Report, y: Report) -> bool:
    """Whether x credits y's outlet."""
    key = _outlet_key(y)
    return bool(key) and any(name and (name == key or name in key) for name in credited(x))


def _passages(derived: Text, source: Text, pairs, derived_report: Report) -> list[ReusedPassage]:
    """The aligned sentences as passages, runs of consecutive sentences on both sides merged."""
    out: list[list] = []
    for i, j, verbatim in sorted(pairs):
        a, b = derived.sentences[i], source.sentences[j]
        if out and out[-1][4] == i - 1 and out[-1][5] == j - 1 and out[-1][6] == verbatim:
            out[-1][1], out[-1][3], out[-1][4], out[-1][5] = a.end, b.end, i, j
        else:
            out.append([a.start, a.end, b.start, b.end, i, j, verbatim])
    text = derived_report.text
    return [ReusedPassage(text=text[s:e], start=s, end=e, source_start=ss, source_end=se, verbatim=v)
            for s, e, ss, se, _, _, v in out]


def _relation(alignment: Alignment) -> DerivationRelation:
    if alignment.verbatim >= COPY_SHARE:
        return "copy"
    if alignment.verbatim >= PARTIAL_SHARE or any(verbatim for _, _, verbatim in alignment.pairs):
        return "partial"
    if alignment.restated >= 0.5 and _order(alignment.pairs) >= 0.5:
        return "paraphrase"
    return "rewrite"


def derivation(x: Report, y: Report, tx: Text | None = None, ty: Text | None = None,
               detector: Detector | None = None) -> tuple[Report, Derivation] | None:
    """(the derived report, its :class:`Derivation` from the other) when one of x and y reuses the
    other, else None."""
    if not x.text or not y.text:
        return None
    tx, ty = tx or prepare(x.text), ty or prepare(y.text)
    if not tx.sentences or not ty.sentences:
        return None
    detector = detector or load_detector(tx.vectors is not None and ty.vectors is not None)
    row, xy, yx = features(tx, ty)
    found, called = verdict(detector, row)
    if not called[0]:
        return None
    probability = float(found[0])
    derived_is_x, direction = _direction(x, y, xy, yx)
    derived, source = (x, y) if derived_is_x else (y, x)
    dt, st = (tx, ty) if derived_is_x else (ty, tx)
    mine = xy if derived_is_x else yx
    return derived, Derivation(report=source.id, relation=_relation(mine), share=round(mine.restated, 4),
                               probability=round(probability, 4), direction=direction,
                               spans=_passages(dt, st, mine.pairs, derived))


def _direction(x: Report, y: Report, xy: Alignment, yx: Alignment) -> tuple[bool, Literal["credit", "published", "containment"]]:
    """(whether x is the derived one, what decided it)."""
    x_credits, y_credits = _credits_other(x, y), _credits_other(y, x)
    if x_credits != y_credits:
        return x_credits, "credit"
    px, py = (x.published or "")[:10], (y.published or "")[:10]
    if px and py and px != py:
        return px > py, "published"
    if xy.restated != yx.restated:
        return xy.restated > yx.restated, "containment"
    return x.id > y.id, "containment"  # the same both ways: the later id, so the result is stable


def within(reports: list[Report], detector: Detector | None = None, embedder=None) -> dict[str, list[Derivation]]:
    """The derivations among one incident's reports, by derived report id (each list ordered by
    source report id). With ``embedder`` (``--embeddings``), sentences are also aligned by meaning,
    and the embedding variant of the detector decides."""
    if len(reports) < 2:
        return {}
    detector = detector or load_detector(embedder is not None)
    texts = [prepare(r.text, embedder if detector.semantic else None) for r in reports]
    out: dict[str, list[Derivation]] = defaultdict(list)
    for i in range(len(reports)):
        for j in range(i + 1, len(reports)):
            found = derivation(reports[i], reports[j], texts[i], texts[j], detector)
            if found is not None:
                out[found[0].id].append(found[1])
    return {k: sorted(v, key=lambda d: d.report) for k, v in out.items()}


def wire_of(report: Report) -> str | None:
    """The news agency a report credits ("(AP) —", "Reuters contributed"), if any (the first in
    name order): ``wires`` in ``lang/en/credits.json``."""
    return min(credited(report) & set(credits()["wires"]), default=None)


def source_groups(reports: list[Report], derived: dict[str, list[Derivation]]) -> list[list[str]]:
    """The reports joined by derivation (union of every derived-from link), and the reports that
    credit one news agency (two AP stories repeat AP, whatever their words); each group in report
    order, groups in order of their first report: each group is one independent source."""
    parent = {r.id: r.id for r in reports}

    def find(a: str) -> str:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    joined = [(report_id, link.report) for report_id, links in derived.items() for link in links]
    by_wire: dict[str, str] = {}
    for r in reports:
        if (wire := wire_of(r)) is not None:
            joined.append((by_wire.setdefault(wire, r.id), r.id))
    for x, y in joined:
        if x in parent and y in parent:
            a, b = find(x), find(y)
            if a != b:
                parent[max(a, b)] = min(a, b)
    groups: dict[str, list[str]] = defaultdict(list)
    for r in reports:
        groups[find(r.id)].append(r.id)
    return list(groups.values())
