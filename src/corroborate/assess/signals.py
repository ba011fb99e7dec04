"""Reliability signals of one report, each with the spans that drive it.

Rates are over the report's *factual* sentences: sentences of 5 words or more,
minus opinion sentences (an opinion marker from ``lang/en/lexicons.json`` and no
attribution) and sentences that only restate the headline (at least 60% of
their content words are in the title, and the sentence has no attribution).

- ``attribution_rate``: share of factual sentences attributed to a named person,
  organization or outlet.
- ``unnamed_source_rate``: share attributed only to unnamed sources ("officials
  said", "reports indicate").
- ``vagueness``: hedges and vague quantifiers not tied to a number ("numerous",
  "some reports", "reportedly") per 100 words.
- ``specificity``: named entities, numbers, dates and places (spaCy's entities)
  per 100 words.
- ``emotive``: loaded or moralizing words ("heinous", "cowardly act") per 100
  words, from the documented lexicon.
- ``machine_generated``: the trained detector's likelihood
  (:mod:`corroborate.assess.detector`); its evidence is the sentences that hold
  stock phrases of generated news.
- ``single_source_claims`` is set by the incidents stage.

Every evidence item is a span of ``report.text``.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from functools import lru_cache

from spacy.tokens import Doc

from corroborate.analyze.docinfo import info
from corroborate.assess import detector
from corroborate.assess.likelihood import FEATURES as LIKELIHOOD_MEASURES
from corroborate.lang import en
from corroborate.phrases import alternation
from corroborate.records import Evidence, LikelihoodMeasures, Report, Signals

MIN_SENTENCE_WORDS = 5
HEADLINE_SHARE = 0.6
_WORD = re.compile(r"[a-z][a-z'-]+")
_NUMBER_AFTER = re.compile(r"\s+(?:\d|" + "|".join(word + r"\b" for word in en.load("lexicons")["numbers"]) + ")", re.IGNORECASE)


def _phrase_re(phrases: list[str]) -> re.Pattern:
    return re.compile(r"(?<![\w-])(?:" + alternation(phrases, ignorecase=True) + r")(?![\w-])", re.IGNORECASE)


@lru_cache(maxsize=1)
def lexicons() -> dict[str, re.Pattern]:
    data = en.load("lexicons")
    return {name: _phrase_re(data[name]) for name in ("vague", "emotive", "opinion")}


def _overlaps(a_start: int, a_end: int, b_start: int, b_end: int) -> bool:
    return a_start < b_end and b_start < a_end


def _content(text: str) -> set[str]:
    stop = en.stop_words()
    return {w for w in _WORD.findall(text.lower()) if w not in stop}


def _matches(pattern: re.Pattern, text: str, signal: str, skip_numbers: bool = False) -> list[Evidence]:
    out = []
    for m in pattern.finditer(text):
        if skip_numbers and _NUMBER_AFTER.match(text, m.end()):
            continue  # "some 40", "about 12": a hedge on a number, not vagueness
        out.append(Evidence(signal=signal, text=m.group(0), start=m.start(), end=m.end()))
    return out


def assess_report(report: Report, doc: Doc, deep: bool = False) -> Report:
    """The report with its ``signals``, from its analysis and parse (a new record: ``report`` is
    left as it was). ``deep``: the machine-written likelihood from the style model and a small
    language model (``--deep-detect``), not the style model alone."""
    meta = info(doc)
    text = meta.text
    alpha = meta.alpha
    n_words = max(sum(alpha), 1)
    per100 = 100.0 / n_words
    lex = lexicons()
    sentences = [s for s in meta.sents if sum(alpha[s.start : s.end]) >= MIN_SENTENCE_WORDS]
    sentence_ends = [s.end_char for s in sentences]  # in text order
    named, unnamed, attributed = set(), set(), set()
    evidence: list[Evidence] = []
    for item in report.attributions:
        first = bisect_right(sentence_ends, item.start)  # the sentences before it end at or before its start
        last = bisect_left(sentence_ends, item.end, first) + 1  # ... and those after it start at or after its end
        hit = {i for i in range(first, min(last, len(sentences))) if _overlaps(sentences[i].start_char, sentences[i].end_char, item.start, item.end)}
        attributed |= hit
        if item.speaker_type == "unnamed":
            unnamed |= hit
            evidence.append(Evidence(signal="unnamed_source_rate", text=item.text, start=item.start, end=item.end))
        else:
            named |= hit
            evidence.append(Evidence(signal="attribution_rate", text=item.text, start=item.start, end=item.end))
    title_words = _content(report.title or "")
    factual = []
    for i, s in enumerate(sentences):
        if i not in attributed:
            s_text = meta.text_of(s)
            if lex["opinion"].search(s_text):
                continue
            words = _content(s_text)
            if title_words and words and len(words & title_words) / len(words) >= HEADLINE_SHARE:
                continue
        factual.append(i)
    total = max(len(factual), 1)
    factual_set = set(factual)
    vague = _matches(lex["vague"], text, "vagueness", skip_numbers=True)
    emotive = _matches(lex["emotive"], text, "emotive")
    stock: list[Evidence] = []
    starts = [x.start_char for x in meta.sents]
    for m in detector.load_model().stock_re.finditer(text):
        k = bisect_right(starts, m.start()) - 1  # the sentence holding the match, if any
        sent = meta.sents[k] if k >= 0 and m.start() < meta.sents[k].end_char else None
        start, end = (sent.start_char, sent.end_char) if sent is not None else (m.start(), m.end())
        while end > start and text[end - 1].isspace():
            end -= 1
        if not stock or stock[-1].start != start:  # one item per sentence
            stock.append(Evidence(signal="machine_generated", text=text[start:end], start=start, end=end))
    measures = None
    if deep:
        machine, measures = detector.score_deep(text)
    else:
        machine = detector.score(text)
    signals = Signals(
        attribution_rate=round(len(named & factual_set) / total, 4),
        unnamed_source_rate=round(len((unnamed - named) & factual_set) / total, 4),
        vagueness=round(len(vague) * per100, 4),
        specificity=round(len(meta.ents) * per100, 4),
        emotive=round(len(emotive) * per100, 4),
        machine_generated=round(machine, 4),
        machine_detector="style+language-model" if measures is not None else "style",
        likelihood=LikelihoodMeasures(**dict(zip(LIKELIHOOD_MEASURES, measures))) if measures is not None else None,
        factual_sentences=len(factual),
        evidence=evidence + vague + emotive + stock,
    )
    return report.model_copy(update={"signals": signals})
