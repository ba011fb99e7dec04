"""Sentence alignment across an incident's reports: which claims does only one report make?

A claim is a sentence of at least ``MIN_WORDS`` content words (lowercased words
that are not stop words). It is *shared* when some sentence of another report
in the incident contains at least ``MIN_SHARED`` of its content words and at
least ``MIN_CONTAINMENT`` of the smaller sentence's content words; otherwise it
is a single-source claim. Candidate sentences come from an inverted index over
content words, so the cost grows with shared vocabulary, not with all pairs.

With sentence embeddings (``--embeddings``, the optional ``embed`` extra), a
claim is also shared when its cosine similarity to some sentence of another
report reaches ``SEMANTIC_THRESHOLD``, so that a paraphrase in other words is
recognized. The threshold was set on the paraphrase pairs of the training part of
``../shared/data/llmfake`` (see ``bench/alignment.py``, which measures both
modes on the held-out part: how often a paraphrased sentence is found shared with its original,
and how often a sentence is wrongly found shared with the most similar other article).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict

from corroborate.lang import en
from corroborate.records import Provenance, Report

MIN_WORDS = 6
MIN_SHARED = 3
MIN_CONTAINMENT = 0.34
SEMANTIC_THRESHOLD = 0.6
_SENTENCE = re.compile(r"[^.!?\n]+(?:[.!?]+[\"'”’)]*|(?=\n)|$)")
_WORD = re.compile(r"[a-z][a-z'-]+")


def claims(report: Report) -> list[tuple[int, int, frozenset[str]]]:
    """(start, end, content words) of each sentence long enough to be a claim."""
    stop = en.stop_words()
    out = []
    for match in _SENTENCE.finditer(report.text):
        start, end = match.start(), match.end()
        while start < end and report.text[start].isspace():
            start += 1
        while end > start and report.text[end - 1].isspace():
            end -= 1
        words = frozenset(w for w in _WORD.findall(report.text[start:end].lower()) if w not in stop)
        if len(words) >= MIN_WORDS:
            out.append((start, end, words))
    return out


def single_source_claims(reports: list[Report], embedder=None) -> list[Provenance]:
    """The claims of an incident that no other report in it makes, in report order.

    An incident of one report has none: with nothing to compare, every sentence would be listed.
    ``embedder`` (an :class:`corroborate.analyze.embed.Embedder`) adds the semantic test.
    """
    if len(reports) < 2:
        return []
    sentences = [(r.id, r.text[start:end], start, end, words) for r in reports for start, end, words in claims(r)]
    unshared = unshared_claims(sentences, embedder)
    return [Provenance(report=sentences[k][0], text=sentences[k][1], start=sentences[k][2], end=sentences[k][3]) for k in unshared]


def lexically_shared(sentences: list[tuple]) -> list[bool]:
    """For each (doc id, text, start, end, content words) sentence: does another doc's sentence share it?"""
    index: dict[str, list[int]] = defaultdict(list)
    for k, sentence in enumerate(sentences):
        for word in sentence[4]:
            index[word].append(k)
    out = []
    for k, (doc, _, _, _, words) in enumerate(sentences):
        overlap: Counter = Counter()
        for word in words:
            for other in index[word]:
                if sentences[other][0] != doc:
                    overlap[other] += 1
        out.append(
            any(
                n >= MIN_SHARED and n / min(len(words), len(sentences[other][4])) >= MIN_CONTAINMENT
                for other, n in overlap.items()
            )
        )
    return out


def semantic_similarity(sentences: list[tuple], embedder) -> list[float]:
    """For each sentence, the highest cosine similarity to a sentence of another doc."""
    import numpy as np

    vectors = embedder.encode([s[1] for s in sentences])
    codes: dict = {}
    docs = np.array([codes.setdefault(s[0], len(codes)) for s in sentences])
    sims = vectors @ vectors.T
    sims[docs[:, None] == docs[None, :]] = -1.0
    return sims.max(axis=1).tolist() if len(sentences) else []


def unshared_claims(sentences: list[tuple], embedder=None) -> list[int]:
    """Indices of the sentences no other doc shares, lexically or (with ``embedder``) semantically."""
    shared = lexically_shared(sentences)
    if embedder is not None and not all(shared):
        similarity = semantic_similarity(sentences, embedder)
        shared = [s or sim >= SEMANTIC_THRESHOLD for s, sim in zip(shared, similarity)]
    return [k for k, s in enumerate(shared) if not s]
