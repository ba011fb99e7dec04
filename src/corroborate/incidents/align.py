"""Sentence alignment across an incident's reports: which claims does only one report make?

A claim is a sentence of at least ``MIN_WORDS`` content words (lowercased words
that are not stop words). It is *shared* when some sentence of another report
in the incident contains at least ``MIN_SHARED`` of its content words and at
least ``MIN_CONTAINMENT`` of the smaller sentence's content words; otherwise it
is a single-source claim. Candidate sentences come from an inverted index over
content words, so the cost grows with shared vocabulary, not with all pairs.

This is lexical alignment only: a paraphrase with different words counts as a
different claim.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from functools import lru_cache

from corroborate.records import Provenance, Report

MIN_WORDS = 6
MIN_SHARED = 3
MIN_CONTAINMENT = 0.34
_SENTENCE = re.compile(r"[^.!?\n]+(?:[.!?]+[\"'”’)]*|(?=\n)|$)")
_WORD = re.compile(r"[a-z][a-z'-]+")


@lru_cache(maxsize=1)
def _stop_words() -> frozenset[str]:
    from spacy.lang.en.stop_words import STOP_WORDS

    return frozenset(STOP_WORDS)


def claims(report: Report) -> list[tuple[int, int, frozenset[str]]]:
    """(start, end, content words) of each sentence long enough to be a claim."""
    stop = _stop_words()
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


def single_source_claims(reports: list[Report]) -> list[Provenance]:
    """The claims of an incident that no other report in it makes, in report order.

    An incident of one report has none: with nothing to compare, every sentence would be listed.
    """
    if len(reports) < 2:
        return []
    sentences = [(r, start, end, words) for r in reports for start, end, words in claims(r)]
    index: dict[str, list[int]] = defaultdict(list)
    for k, (_, _, _, words) in enumerate(sentences):
        for word in words:
            index[word].append(k)
    out = []
    for k, (report, start, end, words) in enumerate(sentences):
        overlap: Counter = Counter()
        for word in words:
            for other in index[word]:
                if sentences[other][0].id != report.id:
                    overlap[other] += 1
        shared = any(
            n >= MIN_SHARED and n / min(len(words), len(sentences[other][3])) >= MIN_CONTAINMENT
            for other, n in overlap.items()
        )
        if not shared:
            out.append(Provenance(report=report.id, text=report.text[start:end], start=start, end=end))
    return out
