"""Whether a report is about a specific real-world incident of harm: a trained classifier.

"Incident of harm": a violent attack (shooting, stabbing, bombing, arson, kidnapping, assault)
or an accident or disaster (fire, explosion, crash, collapse, flood, earthquake) that happened.
Not an incident: politics, celebrity and health news, statistics ("2.2 million Americans could
die"), figurative harm words ("a veiled shot at the senator", "a shot of vaccine", fast radio
"blasts", ransomware "hostage" data).

Trained by :mod:`corroborate.analyze.train_relevance` (``make train-relevance``, fixed seed) on
the training part of ``../shared/data`` (GVA, MUC-4, ECB+, llmfake; never the held-out part of
:mod:`corroborate.splits`) and shipped as ``data/relevance.json`` (sha256-checked at load). The
model is one logistic regression, Platt-calibrated (folded into the weights), over

- lowercased word unigrams and bigrams of the title and the text (punctuation dropped, so it
  reads MUC-4's lowercased and ECB+'s pre-tokenized text alike), where a cue word that the sense
  rules of :mod:`corroborate.analyze.events` read in another sense, on the spaCy parse, is a term
  of its own: "shot" in "was shot in the chest" is ``shot``, in "a veiled shot at her rival" or
  "a booster shot" ``shot~fig`` (and so is no cue word for the dense features either); as ``log(1 + count)``,
  L2-normalized over all the terms; the vocabulary keeps only terms common in at least two
  corpora, so that one outlet's or corpus's boilerplate is not learned as "incident", and no
  term made only of function words or digits (style and layout differ by corpus);
- a few dense rule-hit features (:data:`DENSE`) computed with the lexicons stored in the model
  file (taken from ``lang/en/events.json`` and ``lang/en/counts.json`` plus the training module's own
  lists): harm/attack/disaster cue words in the lead and over the text and how many distinct
  ones, weapons, a number just before a casualty word, small ("3 people killed") or large
  ("2.2 million Americans could die"), a modal or hypothetical word just before a harm word
  ("could die"), statistics words, time anchors ("on Sunday"), responders (police,
  firefighters);
- the parse's dense features (:data:`PARSE_DENSE`): the sense-checked type cues that vote for a
  violent attack and for an accident or disaster, the cue words read in another sense, and the
  harm and attack frames with a patient ("killed two people", "an attack on the embassy"), from
  :func:`corroborate.analyze.events.cue_senses` and :func:`~corroborate.analyze.events.harm_frames`.
  These read ``lang/en/events.json`` at run time: the model file records its sha256
  (``_events_sha256``; the tests check it), retrain when it changes.

The dense features are standardized with the training mean and scale.

The parse is the analyze stage's (``doc``, the cleaned text parsed by
``corroborate.analyze.nlp.load_nlp()``); the title, which the stage does not parse, is read by
its words, a cue word in it taking the sense the text gives that word (:func:`parse_features`). Only the first :data:`MAX_CHARS` characters of the text are read, so the
cost beyond the parse is bounded (a few milliseconds a 5 KB article). Needs no numpy and no
scikit-learn.

:func:`assess` gives the calibrated probability and the evidence: up to 5 spans of the text
(:class:`corroborate.records.Cue`) whose terms or rule hits move the log-odds most. A span's
weight is its term's contribution to the log-odds (against the term's absence), counting for a
lexicon word its share of the dense features that count such words (without that share, the
dense features absorb what harm words have in common and "killed" would show as evidence
against). Overlapping spans are not both listed. What speaks against an incident is often an absence (no police, no victims, no time
of day), which has no span. Title terms count but have no span.
:func:`threshold` is the decision threshold stored in the model file (chosen on the training
part by grouped cross-validation).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache

from corroborate.records import Cue

MAX_CHARS = 20_000  # of the text read; the lead decides and the cost stays bounded
MAX_TITLE_CHARS = 500
LEAD_TOKENS = 60  # the title and the start of the text
WINDOW = 4  # tokens between a number or a modal and the harm word it qualifies
EVIDENCE = 5

_WORD = re.compile(r"[^\W_]+")

#: the dense rule-hit features read from the words, in model order
LEXICAL_DENSE = (
    "cue_lead",  # log(1 + harm/attack/disaster cue words in the first LEAD_TOKENS tokens)
    "cue_rate",  # harm/attack/disaster cue words per 100 tokens
    "cue_distinct",  # log(1 + distinct cue words): a lone "shot" is often figurative
    "weapon_rate",  # weapon words per 100 tokens
    "small_count",  # log(1 + casualty words with a number below 1,000 in the WINDOW tokens before): "3 people killed"
    "large_count",  # the same with 1,000 or more ("2.2 million could die"): statistics, not one incident
    "modal_harm",  # share of harm words with a modal/hypothetical word in the WINDOW tokens before
    "stats_rate",  # statistics words per 100 tokens
    "time_anchor",  # log(1 + weekday and time-of-day words)
    "responder_rate",  # police, firefighters, investigators... per 100 tokens
)
#: the dense features read from the parse, by the sense rules of :mod:`corroborate.analyze.events`
#: (:func:`~corroborate.analyze.events.cue_senses`, :func:`~corroborate.analyze.events.harm_frames`),
#: over the title and the text, each as log(1 + count)
PARSE_DENSE = (
    "violent_cues",  # type cues in a harm sense voting for a violent attack ("was shot", "gunmen", "stabbed")
    "disaster_cues",  # type cues in a harm sense voting for an accident or disaster ("the house fire", "a crash on I-80")
    "figurative_cues",  # cue words read in another sense ("a veiled shot", "a booster shot", "fired the coach", "under fire")
    "harm_frames",  # harm verbs or nouns with a patient ("killed two people", "the man was shot", "the murder of")
    "attack_frames",  # attack verbs or nouns with a target ("gunmen attacked the hall", "an attack on the embassy")
)
#: all dense features, in model order
DENSE = LEXICAL_DENSE + PARSE_DENSE
#: the marker of a cue word the sense rules read in another sense: "shot" -> "shot~fig"
FIGURATIVE = "~fig"
_VIOLENT = frozenset({"armed_assault", "bombing", "shooting", "stabbing", "arson", "hostage_kidnapping", "vehicle_attack",
                      "assassination"})
_DISASTER = frozenset({"explosion", "fire", "crash", "collapse", "natural_disaster"})


@dataclass
class Model:
    bias: float
    vocabulary: dict[str, int]
    weights: list[float]
    dense_mean: list[float]
    dense_scale: list[float]
    dense_weights: list[float]
    lexicons: dict[str, frozenset[str]]
    threshold: float
    meta: dict


@lru_cache(maxsize=1)
def load_model() -> Model:
    """The shipped model, checked against its recorded sha256 (once per process)."""
    from corroborate.learned import load_json_model

    return model_from_dict(load_json_model("corroborate.analyze", "data/relevance.json"))


def model_from_dict(data: dict) -> Model:
    """A model from the parsed contents of a model file (e.g. a freshly trained one)."""
    if data["dense_names"] != list(DENSE):
        raise ValueError("the relevance model was trained with other dense features: rebuild it with make train-relevance")
    return Model(
        bias=data["bias"],
        vocabulary={term: i for i, term in enumerate(data["vocabulary"])},
        weights=data["weights"],
        dense_mean=data["dense_mean"],
        dense_scale=data["dense_scale"],
        dense_weights=data["dense_weights"],
        lexicons={name: frozenset(words) for name, words in data["lexicons"].items()},
        threshold=data["threshold"],
        meta={k: v for k, v in data.items() if k.startswith("_") or k == "metrics"},
    )


def threshold() -> float:
    """The probability at or above which a report counts as an incident report."""
    return load_model().threshold


def tokenize(text: str) -> list[tuple[str, int, int]]:
    """Lowercased word tokens with their offsets in ``text``."""
    return [(m.group().lower(), m.start(), m.end()) for m in _WORD.finditer(text)]


@dataclass
class Features:
    terms: dict[str, float]  # term -> log(1 + count) / L2 norm
    dense: list[float]
    spans: dict[str, tuple[int, int]]  # term -> its first span in the text (not the title)
    dense_spans: dict[str, tuple[int, int]]  # dense feature -> its first rule hit in the text
    counts: dict[str, int]  # term -> count in the title and the text
    lead: list[str]  # the first LEAD_TOKENS tokens
    n_tokens: int


@dataclass
class Parsed:
    """What the parse adds to the words: which cue words are read in another sense, and the
    :data:`PARSE_DENSE` features."""

    figurative: frozenset[int]  # character offsets of the text covered by cue words read in another sense
    title_figurative: frozenset[int]  # the same in the title (by the text's senses of its words)
    dense: list[float]  # PARSE_DENSE, in order
    dense_spans: dict[str, tuple[int, int]]  # parse feature -> its first hit in the text


def parse_features(doc, title: str | None = None) -> Parsed:
    """The parse's part of the model's inputs: ``doc`` is the parse of the text
    (``corroborate.analyze.nlp.load_nlp()``). Only what lies within the first :data:`MAX_CHARS`
    characters counts.

    The title is not parsed (the analyze stage parses the text only, and parsing a headline alone
    would cost about as much again as scoring): a cue word of the title is read in another sense
    when the text has the same word and reads it in another sense wherever it has it ("Senator
    takes a veiled shot at rival" over a text with "took a veiled shot at her rival")."""
    counts = dict.fromkeys(PARSE_DENSE, 0)
    spans: dict[str, tuple[int, int]] = {}
    senses: dict[str, set[bool]] = {}  # word -> whether it is read in a harm sense, for each occurrence
    figurative = _read_parse(doc, MAX_CHARS, counts, spans, senses)
    title_figurative: set[int] = set()
    for t, start, end in tokenize((title or "")[:MAX_TITLE_CHARS]):
        if senses.get(t) == {False}:
            title_figurative.update(range(start, end))
    return Parsed(figurative, frozenset(title_figurative), [math.log1p(counts[name]) for name in PARSE_DENSE], spans)


def _read_parse(doc, limit: int, counts: dict[str, int], spans: dict, senses: dict[str, set[bool]]) -> frozenset[int]:
    from corroborate.analyze import events

    figurative: set[int] = set()
    hits: list[tuple[str, int, int]] = []
    for i, n, kind in events.cue_senses(doc):
        start = doc[i].idx
        if start >= limit:
            continue
        end = doc[i + n - 1].idx + len(doc[i + n - 1])
        for k in range(i, i + n):
            senses.setdefault(doc[k].lower_, set()).add(kind is not None)
        if kind is None:
            figurative.update(range(start, end))
            hits.append(("figurative_cues", start, end))
        elif kind in _VIOLENT:
            hits.append(("violent_cues", start, end))
        elif kind in _DISASTER:
            hits.append(("disaster_cues", start, end))
    for i, harm, patient in events.harm_frames(doc):
        if patient and doc[i].idx < limit:
            hits.append(("harm_frames" if harm else "attack_frames", doc[i].idx, doc[i].idx + len(doc[i])))
    for name, start, end in hits:
        counts[name] += 1
        if name not in spans or start < spans[name][0]:
            spans[name] = (start, end)
    return frozenset(figurative)


def _masked(tokens: list[tuple[str, int, int]], figurative: frozenset[int]) -> list[tuple[str, int, int]]:
    """Tokens of cue words read in another sense, as a term of their own: "shot" -> "shot~fig"."""
    if not figurative:
        return tokens
    return [(t + FIGURATIVE, s, e) if s in figurative else (t, s, e) for t, s, e in tokens]


def features(text: str, title: str | None, lexicons: dict[str, frozenset[str]], parsed: Parsed) -> Features:
    """The model's inputs, the same for training and scoring: the words of the title and the
    text (cue words the parse reads in another sense marked: they count as no cue word either),
    the lexical dense features, then the parse's."""
    head = _masked(tokenize((title or "")[:MAX_TITLE_CHARS]), parsed.title_figurative)
    body = _masked(tokenize(text[:MAX_CHARS]), parsed.figurative)
    counts: dict[str, int] = {}
    spans: dict[str, tuple[int, int]] = {}
    for part, in_text in ((head, False), (body, True)):
        previous = None
        for token, start, end in part:
            counts[token] = counts.get(token, 0) + 1
            if in_text and token not in spans:
                spans[token] = (start, end)
            if previous is not None:
                bigram = previous[0] + " " + token
                counts[bigram] = counts.get(bigram, 0) + 1
                if in_text and bigram not in spans:
                    spans[bigram] = (previous[1], end)
            previous = (token, start)
    norm = math.sqrt(sum(math.log1p(c) ** 2 for c in counts.values())) or 1.0
    terms = {t: math.log1p(c) / norm for t, c in counts.items()}
    dense, dense_spans = _dense(head, body, lexicons)
    dense = dense + parsed.dense
    dense_spans.update(parsed.dense_spans)
    lead = [t for t, _, _ in head[:LEAD_TOKENS]] + [t for t, _, _ in body[: max(LEAD_TOKENS - len(head), 0)]]
    return Features(terms, dense, spans, dense_spans, counts, lead, len(head) + len(body))


def _number_size(tokens: list[str], k: int, small: frozenset[str], large: frozenset[str]) -> int:
    """0: no number (or a year: "the 2019 killing"); 1: a number below a thousand; 2: a thousand or
    more ("2,500", "2.2 million")."""
    t = tokens[k]
    if t in large:
        return 2
    if t.isdecimal():
        value = int(t[:7])
        if len(t) == 4 and 1800 <= value <= 2100:
            return 0
        if value >= 1000 or (k > 0 and len(t) == 3 and tokens[k - 1].isdecimal()):
            return 2
        return 1
    return 1 if t in small else 0


def _dense(head, body, lex) -> tuple[list[float], dict[str, tuple[int, int]]]:
    tokens = [t for t, _, _ in head] + [t for t, _, _ in body]
    offset = len(head)  # tokens before this index are the title's (no span)
    n = max(len(tokens), 1)
    per100 = 100.0 / n
    cues, weapons, harm, casualty = lex["cue"], lex["weapon"], lex["harm"], lex["casualty"]
    small, large, modal = lex["number"], lex["large_number"], lex["modal"]
    stats, time, responders = lex["stats"], lex["time"], lex["responder"]
    cue_lead = cue_all = n_weapon = n_stats = n_time = n_resp = n_harm = n_modal = 0
    n_count = [0, 0, 0]  # casualty words after no number, a small number, a large one
    distinct: set[str] = set()
    dense_spans: dict[str, tuple[int, int]] = {}

    def span(i: int, j: int) -> tuple[int, int] | None:
        if i < offset:
            return None
        return body[i - offset][1], body[j - offset][2]

    for i, t in enumerate(tokens):
        if t in cues:
            cue_all += 1
            distinct.add(t)
            if i < LEAD_TOKENS:
                cue_lead += 1
        if t in weapons:
            n_weapon += 1
        if t in stats:
            n_stats += 1
        if t in time:
            n_time += 1
        if t in responders:
            n_resp += 1
        if t in casualty:
            size, first = 0, i
            for k in range(max(i - WINDOW, 0), i):
                found = _number_size(tokens, k, small, large)
                if found and size == 0:
                    first = k
                size = max(size, found)
            n_count[size] += 1
            name = ("", "small_count", "large_count")[size]
            if size and name not in dense_spans and (s := span(first, i)):
                dense_spans[name] = s
        if t in harm:
            n_harm += 1
            for k in range(max(i - WINDOW, 0), i):
                if tokens[k] in modal:
                    n_modal += 1
                    if "modal_harm" not in dense_spans and (s := span(k, i)):
                        dense_spans["modal_harm"] = s
                    break
    dense = [
        math.log1p(cue_lead),
        cue_all * per100,
        math.log1p(len(distinct)),
        n_weapon * per100,
        math.log1p(n_count[1]),
        math.log1p(n_count[2]),
        n_modal / (n_harm + 1),
        n_stats * per100,
        math.log1p(n_time),
        n_resp * per100,
    ]
    return dense, dense_spans


def _logit(model: Model, found: Features) -> float:
    z = model.bias
    vocabulary, weights = model.vocabulary, model.weights
    for t, v in found.terms.items():
        i = vocabulary.get(t)
        if i is not None:
            z += weights[i] * v
    for w, x, m, s in zip(model.dense_weights, found.dense, model.dense_mean, model.dense_scale):
        z += w * (x - m) / s
    return z


def probability(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(min(z, 40.0), -40.0)))


#: the dense features that count words of one lexicon: a word's share of them is its own evidence
_WORD_FEATURES = (("cue_lead", "cue"), ("cue_rate", "cue"), ("cue_distinct", "cue"), ("weapon_rate", "weapon"),
                  ("stats_rate", "stats"), ("time_anchor", "time"), ("responder_rate", "responder"))


def _word_effects(model: Model, found: Features) -> dict[str, float]:
    """For each lexicon word of the text, what the dense features it feeds would lose without it
    (log-odds): the word's own share of "cue words per 100 tokens", "distinct cue words"..."""
    lex = model.lexicons
    per100 = 100.0 / max(found.n_tokens, 1)
    lead_cue = sum(1 for t in found.lead if t in lex["cue"])
    distinct = sum(1 for t in found.counts if t in lex["cue"])
    n_time = sum(c for t, c in found.counts.items() if t in lex["time"])
    words = [t for t in found.spans if " " not in t]
    effects: dict[str, float] = {}
    for name, group in _WORD_FEATURES:
        k = DENSE.index(name)
        per_unit = model.dense_weights[k] / model.dense_scale[k]
        for t in words:
            if t not in lex[group]:
                continue
            c = found.counts[t]
            if name == "cue_lead":
                mine = sum(1 for x in found.lead if x == t)
                delta = math.log1p(lead_cue) - math.log1p(lead_cue - mine)
            elif name == "cue_distinct":
                delta = math.log1p(distinct) - math.log1p(distinct - 1)
            elif name == "time_anchor":
                delta = math.log1p(n_time) - math.log1p(n_time - c)
            else:
                delta = c * per100
            effects[t] = effects.get(t, 0.0) + per_unit * delta
    return effects


def assess(text: str, title: str | None = None, doc=None, model: Model | None = None) -> tuple[float, list[Cue]]:
    """The calibrated probability that the report (its text and title) is about a specific
    incident of harm, and up to 5 spans of ``text`` that weigh most (log-odds, largest first),
    no two overlapping.

    ``doc`` is the spaCy parse of ``text`` by ``corroborate.analyze.nlp.load_nlp()`` (as the
    analyze stage has it); without it, the text is parsed here. The title is read by its words
    (see :func:`parse_features`).

    A span's weight is what its term adds to the log-odds: its own weight, plus, for a word of
    one of the model's lexicons, its share of the dense features that count those words; a
    rule hit ("3 people killed", "could die", "a veiled shot") weighs what its dense feature adds."""
    model = model or load_model()
    text = text or ""
    if doc is None:
        from corroborate.analyze.nlp import load_nlp

        doc = load_nlp()(text)
    found = features(text, title, model.lexicons, parse_features(doc, title))
    p = probability(_logit(model, found))
    effects = _word_effects(model, found)
    scored: list[tuple[float, int, int]] = []
    for t, (start, end) in found.spans.items():
        i = model.vocabulary.get(t)
        weight = (model.weights[i] * found.terms[t] if i is not None else 0.0) + effects.get(t, 0.0)
        if weight:
            scored.append((weight, start, end))
    for name, (start, end) in found.dense_spans.items():
        k = DENSE.index(name)
        scored.append((model.dense_weights[k] * found.dense[k] / model.dense_scale[k], start, end))
    scored.sort(key=lambda c: (-abs(c[0]), c[1], c[2]))
    chosen: list[tuple[float, int, int]] = []
    for w, s, e in scored:  # "The state" and "state": the one that weighs more
        if len(chosen) == EVIDENCE:
            break
        if not any(s < e2 and s2 < e for _, s2, e2 in chosen):
            chosen.append((w, s, e))
    evidence = [Cue(text=text[s:e], start=s, end=e, weight=round(w, 4)) for w, s, e in chosen]
    return p, evidence
