"""Reliability signals of one report, each with the spans that drive it.

- ``attribution_rate``: share of the report's sentences (of 5 words or more)
  that carry an attribution to a named person, organization or outlet.
- ``unnamed_source_rate``: share of sentences attributed only to unnamed
  sources ("officials said", "reports indicate").
- ``machine_generated``: a first-version stylometric heuristic, documented with
  its weights in ``data/machine.json``.
"""

from __future__ import annotations

import json
import math
import re
import statistics
from functools import lru_cache
from importlib import resources

from spacy.tokens import Doc

from corroborate.analyze.docinfo import info
from corroborate.records import Evidence, Report, Signals

MIN_SENTENCE_WORDS = 5


@lru_cache(maxsize=1)
def _machine() -> dict:
    data = json.loads(resources.files("corroborate.assess").joinpath("data/machine.json").read_text())
    phrases = sorted(data["stock_phrases"], key=len, reverse=True)
    data["stock_re"] = re.compile(r"\b(?:" + "|".join(re.escape(p) for p in phrases) + r")\b", re.IGNORECASE)
    return data


def _overlaps(a_start: int, a_end: int, b_start: int, b_end: int) -> bool:
    return a_start < b_end and b_start < a_end


def machine_features(doc: Doc, sentences: list, attributed: set[int]) -> tuple[dict, list[Evidence]]:
    """The heuristic's features and the stock-phrase evidence."""
    cfg = _machine()
    meta = info(doc)
    text = meta.text
    word_lengths = [n for n, alpha in zip(meta.lengths, meta.alpha) if alpha]
    n_words = max(len(word_lengths), 1)
    evidence = [
        Evidence(signal="machine_generated", text=m.group(0), start=m.start(), end=m.end())
        for m in cfg["stock_re"].finditer(text)
    ]
    lengths = [sum(meta.alpha[s.start : s.end]) for s in sentences]
    cv = statistics.pstdev(lengths) / statistics.mean(lengths) if len(lengths) >= 2 and statistics.mean(lengths) else 0.55
    return {
        "stock_per_100_words": 100 * len(evidence) / n_words,
        "attributed_share": len(attributed) / max(len(sentences), 1),
        "sentence_length_cv": cv,
        "mean_word_length": sum(word_lengths) / n_words,
    }, evidence


def machine_score(features: dict) -> float:
    cfg = _machine()
    z = (
        cfg["bias"]
        + cfg["w_stock"] * min(features["stock_per_100_words"], 3.0)
        + cfg["w_unattributed"] * (1 - features["attributed_share"])
        + cfg["w_uniform"] * (0.55 - features["sentence_length_cv"])
        + cfg["w_long_words"] * (features["mean_word_length"] - 4.7)
    )
    return 1 / (1 + math.exp(-z))


def assess_report(report: Report, doc: Doc) -> Report:
    """Set ``report.signals`` from its analysis and parse."""
    alpha = info(doc).alpha
    sentences = [s for s in info(doc).sents if sum(alpha[s.start : s.end]) >= MIN_SENTENCE_WORDS]
    named, unnamed, any_attr = set(), set(), set()
    evidence: list[Evidence] = []
    for item in report.attributions:
        hit = {i for i, s in enumerate(sentences) if _overlaps(s.start_char, s.end_char, item.start, item.end)}
        any_attr |= hit
        if item.speaker_type == "unnamed":
            unnamed |= hit
            evidence.append(Evidence(signal="unnamed_source_rate", text=item.text, start=item.start, end=item.end))
        else:
            named |= hit
            evidence.append(Evidence(signal="attribution_rate", text=item.text, start=item.start, end=item.end))
    total = max(len(sentences), 1)
    features, machine_evidence = machine_features(doc, sentences, any_attr)
    report.signals = Signals(
        attribution_rate=round(len(named) / total, 4),
        unnamed_source_rate=round(len(unnamed - named) / total, 4),
        machine_generated=round(machine_score(features), 4),
        evidence=evidence + machine_evidence,
    )
    return report
