"""Is a count an asserted toll of this report's own incident? Modality, scope and a learned toll.

Every count that :mod:`corroborate.analyze.counts` finds is kept; this module says what it
counts, so that reconciliation takes only the report's own toll (``modality == "asserted"``
and ``scope == "this_incident"``, :func:`corroborate.incidents.reconcile.is_toll`):

``modality`` (rules over the dependency parse of the count's clause)
    ``estimate_of_future``: "is expected to rise to 50", "the toll will climb", "could rise to";
    ``hypothetical``: a modal ("could die", "may have been killed", "would have died"; not the
    narrative "she would later die"), or an "if / unless / whether" clause; ``negated``: the
    keyword is negated ("the two officers were not hurt", "he's not dead"; not "did not deserve
    to die"; a zero such as "no one was killed" is an asserted 0); ``asserted`` otherwise.

``toll``
    A logistic regression's calibrated probability that the count is an asserted toll of the
    report's incident (:func:`features`): the words around the count and by its quantity ("one
    of", "the other"), cue words in its sentence (aggregates: total, this year, since, cases,
    statistics, homicides...; other incidents: separate, previous, last year, years ago, "in a
    separate shooting"; partial counts: one of, of them, later died; the victims' state near the
    count: hospitalized, treated and released, critical condition), the clause's auxiliaries,
    negation and the modality above, whether the counted people are the killers, whether the
    sentence names a date or place the lead does not or a year, the sentence's position,
    quotation, hedge, category, value bucket, derived flag, and how the figure stands among the
    report's plain counts (asserted, in a sentence without an aggregate or other-incident cue):
    the largest, repeated, stated in the lead. The pooled rule features are trained with a
    weaker penalty (:data:`RULE_SCALE`). Trained on GVA distant labels by
    :mod:`corroborate.analyze.train_tolls` (``make train-tolls``); the model is
    ``data/tolls.json``, sha256-checked at load.

``scope``
    ``this_incident`` when ``toll`` is at or above the model's threshold (chosen on the
    training part by cross-validation; for the categories GVA does not label, arrested,
    missing, kidnapped, displaced and other, when the sentence holds no strong aggregate or
    other-incident cue); otherwise ``aggregate`` when the sentence holds an
    aggregate cue, else ``other_incident`` (another shooting, an earlier date, a related
    headline, and also a partial count such as "one of them": none of them is this incident's
    toll).

Scoring is a sparse dot product in pure Python (about half a millisecond a report): no
scikit-learn at run time.
"""

from __future__ import annotations

import bisect
import math
import re
from functools import lru_cache
from itertools import pairwise

from spacy.tokens import Doc, Token

from corroborate.analyze.docinfo import info
from corroborate.lang import en
from corroborate.records import Count, Modality

MODEL = "data/tolls.json"

#: the words of the rules and features (``lang/en/toll_words.json``; the model was trained with them)
_LEX = en.load("toll_words")
MODALS = set(_LEX["modals"])
FUTURE_AUX = set(_LEX["future_aux"])
RISE = set(_LEX["rise_verbs"])
FORECAST = set(_LEX["forecast_words"])
CONDITIONAL = set(_LEX["conditionals"])
#: a clause ends at these dependency labels: the keyword's modality is read up to its clause head
CLAUSE_HEADS = {"ROOT", "ccomp", "advcl", "relcl", "acl", "parataxis", "csubj", "pcomp"}

#: cue words and phrases of an aggregate: totals, statistics, yearly figures, case counts
AGGREGATE_WORDS = set(_LEX["aggregate_words"])
AGGREGATE_PHRASES = {tuple(words) for words in _LEX["aggregate_phrases"]}
#: the aggregate cues that make a sentence's figures other than plain (see ``_DocContext``); the
#: others ("shootings", "total", "since", ...) also stand in tolls' own sentences
STRONG_AGGREGATE = set(_LEX["strong_aggregate"])
#: cue words and phrases of another incident than the report's own
OTHER_WORDS = set(_LEX["other_words"])
OTHER_PHRASES = {tuple(words) for words in _LEX["other_phrases"]}
#: cue words and phrases of a part of the toll: "one of them", "she later died", "the other two"
PARTIAL_WORDS = set(_LEX["partial_words"])
PARTIAL_PHRASES = {tuple(words) for words in _LEX["partial_phrases"]}
#: words of the victims' state after the attack: a count of those still in hospital, treated and
#: released, or in critical condition is often a part of the injured ("two victims remain hospitalized")
PARTIAL_STATE = set(_LEX["partial_state"])
#: Pooled rule features: in training their value is RULE_SCALE instead of 1 (a weaker L2 penalty on
#: them than on the many word features), and the shipped weight is multiplied back, so scoring
#: reads every feature as 1.
RULE_FEATURES = {"any_agg", "any_oth", "any_partial", "near_agg", "near_oth", "near_state", "partitive", "agent", "not_plain",
                 "in_quote", "neg", "mod=asserted", "mod=hypothetical", "mod=negated", "mod=estimate_of_future",
                 "other_event", "year_ref", "strong_agg"}
#: "in a separate shooting", "another shooting", "two unrelated incidents": another event named outright
_OTHER_EVENT_ADJ = set(_LEX["other_event_adjectives"])
_EVENT_NOUNS = set(_LEX["event_nouns"])
RULE_SCALE = 3.0
HEDGE_WORDS = set(_LEX["hedge_words"])
_QUOTES_OPEN = ("\u201c",)
_QUOTES_CLOSE = ("\u201d",)
_YEAR = re.compile(r"\b(19|20)\d\d\b")
_DIGITS = re.compile(r"\d")
#: Value buckets stop at "2 or more": on GVA a figure of 20 or more is never the toll (0 of 56 in
#: training), a prior that would not hold for a bombing or a mass shooting elsewhere; aggregates
#: are left to their cues instead.
_VALUE_BUCKETS = ((0, "0"), (1, "1"))
_SENT_BUCKETS = ((0, "0"), (1, "1"), (2, "2"), (3, "3"), (6, "4-6"), (10, "7-10"), (20, "11-20"))
#: the lead: the first sentences of the text (a GVA text starts with its headline line)
LEAD_SENTENCES = 3
WINDOW = 4


def _bucket(value: int, buckets) -> str:
    for top, name in buckets:
        if value <= top:
            return name
    return f">{buckets[-1][0]}"


def _clause(token: Token, limit: int = 8) -> list[Token]:
    """The token and its heads up to its clause head (inclusive). A conjunct with a subject of
    its own heads its own clause ("... may have preceded a rampage that left four dead, and
    16 others injured": "injured" does not take "may")."""
    chain = [token]
    while token.dep_ not in CLAUSE_HEADS and token.head.i != token.i and len(chain) < limit:
        if token.dep_ == "conj" and any(c.dep_ in ("nsubj", "nsubjpass") for c in token.children):
            break
        token = token.head
        chain.append(token)
    return chain


#: "would" in "she would later die" tells the story's sequence, not a hypothesis
_NARRATIVE_WOULD = set(_LEX["narrative_would"])


def modality(doc: Doc, kw: int, value: int | None, num: int | None = None) -> tuple[Modality, list[str]]:
    """The modality of a count whose category keyword is ``doc[kw]`` (and quantity ``doc[num]``),
    and the cues it rests on. Auxiliaries and "if / unless / whether" are read on the keyword's
    clause; negation on the keyword itself, or on its verb when it is a complement ("he's not
    dead") or a conjunct ("were not shot or hurt"), not on a verb that governs it ("did not
    deserve to die", "did not release the names of the three injured"); rise and forecast verbs
    on the quantity's clause too ("the toll is expected to rise to 50")."""
    token = doc[kw]
    chain = _clause(token)
    auxes, marks = set(), set()
    for tok in chain:
        for child in tok.children:
            dep = child.dep_
            if dep in ("aux", "auxpass"):
                auxes.add(child.lower_)
            elif dep == "mark":
                marks.add(child.lower_)
    neg_holders = [token]
    if token.dep_ in ("acomp", "attr", "oprd", "conj") and token.head.i != token.i:
        neg_holders.append(token.head)
    neg = any(c.dep_ == "neg" for h in neg_holders for c in h.children)
    if "would" in auxes and any(c.lower_ in _NARRATIVE_WOULD for t in chain for c in t.children if c.dep_ == "advmod"):
        auxes.discard("would")
        auxes.add("would_later")
    words = {t.lower_ for t in chain}
    if num is not None and num != kw:
        words.update(t.lower_ for t in _clause(doc[num]))
    rise = bool(words & RISE)
    forecast = bool(words & FORECAST)
    cues = [f"aux={a}" for a in sorted(auxes)] + [f"mark={m}" for m in sorted(marks)]
    if neg:
        cues.append("neg")
    if rise:
        cues.append("rise")
    if forecast:
        cues.append("forecast")
    if (forecast and (rise or auxes & FUTURE_AUX or "to" in auxes)) or (rise and auxes & (MODALS | FUTURE_AUX)) or auxes & FUTURE_AUX:
        return "estimate_of_future", cues
    if auxes & MODALS or marks & CONDITIONAL:
        return "hypothetical", cues
    if neg and value != 0:
        return "negated", cues
    return "asserted", cues


def _phrases(lowers: list[str], phrases: set[tuple[str, ...]]) -> list[str]:
    found = []
    for phrase in phrases:
        n = len(phrase)
        first = phrase[0]
        for i, word in enumerate(lowers):
            if word == first and tuple(lowers[i : i + n]) == phrase:
                found.append(" ".join(phrase))
                break
    return sorted(found)


class _DocContext:
    """What every count of one document shares: the lead's dates and places, per-sentence cues,
    and figures over the report's plain counts (asserted, in a sentence without an aggregate or
    other-incident cue), so that a yearly total does not take "the largest figure" from the toll."""

    def __init__(self, doc: Doc):
        meta = info(doc)
        self.meta = meta
        self.n_sents = max(len(meta.sents), 1)
        lead_end = meta.sents[min(LEAD_SENTENCES, len(meta.sents)) - 1].end if meta.sents else 0
        self.lead_dates = {meta.text_of(e).lower() for e in meta.ents if e.label_ == "DATE" and e.start < lead_end}
        self.lead_places = {meta.text_of(e).lower() for e in meta.ents if e.label_ in ("GPE", "LOC", "FAC") and e.start < lead_end}
        self._sent_cache: dict[int, list[str]] = {}

    def set_counts(self, counts: list[Count], sents: list[int], plain: list[bool]) -> None:
        kept = [(i, c, k) for i, (c, k, ok) in enumerate(zip(counts, sents, plain)) if ok]
        precise = {c.category for _, c, _ in kept if c.hedge != "vague"}
        self.same: dict[tuple[str, int | None], int] = {}
        self.top: dict[str, int] = {}
        self.first: dict[str, int] = {}
        self.distinct: dict[str, set] = {}
        self.lead_values = {(c.category, c.value) for _, c, k in kept if k < LEAD_SENTENCES}
        self.numeric = {c.category for _, c, _ in kept if c.value and not c.derived and any(ch.isdigit() for ch in c.text)}
        self.shot_by_sent: dict[int, int] = {}
        for c, k in zip(counts, sents):
            if c.category == "other" and c.value:
                self.shot_by_sent[k] = max(self.shot_by_sent.get(k, 0), c.value)
        for _, c, _ in kept:
            self.same[(c.category, c.value)] = self.same.get((c.category, c.value), 0) + 1
            if c.value is not None and (c.hedge != "vague" or c.category not in precise):  # as best_claim: figures first
                self.top[c.category] = max(self.top.get(c.category, c.value), c.value)
            if c.category not in self.first or c.start < self.first[c.category]:
                self.first[c.category] = c.start
            self.distinct.setdefault(c.category, set()).add(c.value)
        self.rank: dict[int, int] = {}
        seen: dict[str, int] = {}
        for i in sorted(range(len(counts)), key=lambda i: counts[i].start):
            seen[counts[i].category] = seen.get(counts[i].category, 0) + 1
            self.rank[i] = seen[counts[i].category]
        self.n_cat = seen

    def sentence(self, k: int) -> list[str]:
        """The sentence-level features of sentence ``k``."""
        if k in self._sent_cache:
            return self._sent_cache[k]
        meta = self.meta
        sent = meta.sents[k]
        lowers = meta.lowers[sent.start : sent.end]
        words = set(lowers)
        feats = [f"agg={w}" for w in sorted(words & AGGREGATE_WORDS)] + [f"agg={p}" for p in _phrases(lowers, AGGREGATE_PHRASES)]
        feats += [f"oth={w}" for w in sorted(words & OTHER_WORDS)] + [f"oth={p}" for p in _phrases(lowers, OTHER_PHRASES)]
        feats += [f"part={w}" for w in sorted(words & PARTIAL_WORDS)] + [f"part={p}" for p in _phrases(lowers, PARTIAL_PHRASES)]
        feats += [f"hedgew={w}" for w in sorted(words & HEDGE_WORDS)]
        if any(a in _OTHER_EVENT_ADJ and b in _EVENT_NOUNS for a, b in pairwise(lowers)):
            feats.append("other_event")
        if any(a in ("in", "since", "of") and len(b) == 4 and b[:2] in ("19", "20") and b.isdigit() for a, b in pairwise(lowers)):
            feats.append("year_ref")  # "in 2008", "since 2013"
        if any(f.startswith("agg=") for f in feats):
            feats.append("any_agg")  # one pooled feature: each cue alone is rare in training
        if words & STRONG_AGGREGATE or any(f.startswith("agg=") and " " in f for f in feats):
            feats.append("strong_agg")
        if any(f.startswith("oth=") for f in feats):
            feats.append("any_oth")
        if any(f.startswith("part=") for f in feats):
            feats.append("any_partial")
        dates = places = other_date = other_place = year = False
        for ent in meta.ents_in(sent):
            label, text = ent.label_, meta.text_of(ent).lower()
            if label == "DATE":
                dates = True
                other_date |= text not in self.lead_dates
                year |= bool(_YEAR.search(text))
            elif label in ("GPE", "LOC", "FAC"):
                places = True
                other_place |= text not in self.lead_places
        for flag, name in ((dates, "sent_date"), (other_date, "sent_other_date"), (year, "sent_year"),
                           (places, "sent_place"), (other_place, "sent_other_place")):
            if flag:
                feats.append(name)
        if k >= LEAD_SENTENCES and other_date and other_place:
            feats.append("sent_other_date_place")
        text = meta.text_of(sent).rstrip()
        if text and text[-1] not in ".!?\"'\u201d\u2019)":
            feats.append("no_final_punct")  # a headline or a related-link line
        feats.append(f"sent={_bucket(k, _SENT_BUCKETS)}")
        feats.append(f"rel={min(int(5 * k / self.n_sents), 4)}")
        if k == self.n_sents - 1:
            feats.append("last_sent")
        self._sent_cache[k] = feats
        return feats

    def aggregate_cue(self, k: int) -> bool:
        return "any_agg" in self.sentence(k)

    def cued(self, k: int) -> bool:
        """Whether sentence ``k`` holds an aggregate or other-incident cue."""
        feats = self.sentence(k)
        return "strong_agg" in feats or "any_oth" in feats


def _kind(doc: Doc, count: Count, num: int) -> str:
    if count.derived:
        return "derived"
    if count.hedge == "vague":
        return "vague"
    if count.value == 0:
        return "zero"
    return "number" if doc[num].text[:1].isdigit() or doc[num].like_num else "person"


def _is_quantity_word(word: str) -> bool:
    from corroborate.analyze.counts import _is_number_word

    return _is_number_word(word) or word in {",", "-"}


def _norm(word: str) -> str:
    return _DIGITS.sub("#", word)


def features(doc: Doc, counts: list[Count], anchors: list[tuple[int, int]]) -> list[tuple[list[str], Modality, list[str], int, bool, bool]]:
    """For each count: (features, modality, modality cues, sentence index, whether its sentence
    holds an aggregate cue, whether it holds a strong aggregate or other-incident cue)."""
    if not counts:
        return []
    from spacy.attrs import IDX

    meta = info(doc)
    sents = [meta.sent_of[num] for num, _ in anchors]
    ctx = _DocContext(doc)
    mods = [modality(doc, kw, count.value, num) for count, (num, kw) in zip(counts, anchors)]
    plain = [mod == "asserted" and not ctx.cued(k) for (mod, _), k in zip(mods, sents)]
    ctx.set_counts(counts, sents, plain)
    starts = doc.to_array(IDX).tolist()
    lowers = meta.lowers
    n = len(lowers)
    out = []
    for i, (count, (num, kw), k) in enumerate(zip(counts, anchors, sents)):
        mod, cues = mods[i]
        sent = meta.sents[k]
        first_tok = bisect.bisect_right(starts, count.start) - 1
        last_tok = bisect.bisect_left(starts, count.end) - 1
        feats = [f"cat={count.category}", f"hedge={count.hedge}", f"kind={_kind(doc, count, num)}",
                 f"val={_bucket(count.value, _VALUE_BUCKETS) if count.value is not None else 'none'}",
                 f"mod={mod}", f"catmod={count.category}:{mod}", *cues,
                 f"kw={lowers[kw]}", f"numdep={doc[num].dep_}", f"kwdep={doc[kw].dep_}", f"gov={_clause(doc[kw])[-1].lower_}"]
        for j in range(max(sent.start, first_tok - WINDOW), first_tok):
            feats.append(f"L:{_norm(lowers[j])}")
        for j in range(last_tok + 1, min(sent.end, last_tok + 1 + WINDOW, n)):
            feats.append(f"R:{_norm(lowers[j])}")
        for j in range(first_tok, last_tok + 1):
            if not meta.alpha[j]:
                continue
            feats.append(f"S:{lowers[j]}")
        near = set(lowers[max(sent.start, first_tok - 6) : min(sent.end, last_tok + 7)])
        if near & AGGREGATE_WORDS:
            feats.append("near_agg")
        if near & OTHER_WORDS:
            feats.append("near_oth")
        if near & PARTIAL_STATE:
            feats.append("near_state")
        # the words right by the quantity itself: "one of the five", "the other two", "another"
        q_end = num + 1
        while q_end < n and q_end - num < 4 and _is_quantity_word(lowers[q_end]):
            q_end += 1
        before_q = lowers[num - 1] if num > 0 else "<s>"
        after_q = lowers[q_end] if q_end < n else "</s>"
        feats += [f"Q-1:{_norm(before_q)}", f"Q+1:{_norm(after_q)}"]
        if after_q == "of":
            feats.append("partitive")
        noun = doc[num].head if doc[num].dep_ == "nummod" else doc[num]
        if noun.dep_ == "nsubj" and any(c.dep_ == "dobj" for c in noun.head.children):
            feats.append("agent")  # "the four suspects killed two teens": the counted are the killers
        feats += ctx.sentence(k)
        # quotation: an open quote before the count in its sentence
        before = meta.text[sent.start_char : count.start]
        if before.count('"') % 2 == 1 or sum(before.count(q) for q in _QUOTES_OPEN) > sum(before.count(q) for q in _QUOTES_CLOSE):
            feats.append("in_quote")
        cat = count.category
        if plain[i]:
            doc_feats = [f"same={min(ctx.same.get((cat, count.value), 1), 3)}", f"distinct={min(len(ctx.distinct[cat]), 4)}",
                         f"rank={min(ctx.rank[i], 4)}", f"ncat={min(ctx.n_cat[cat], 5)}"]
            if count.value is not None and count.value == ctx.top.get(cat):
                doc_feats.append("is_max")
            if count.start == ctx.first[cat]:
                doc_feats.append("is_first")
        else:  # a count in a cued sentence, or not asserted: compared with the plain ones only
            doc_feats = ["not_plain", f"plain_same={min(ctx.same.get((cat, count.value), 0), 2)}"]
        if (cat, count.value) in ctx.lead_values:
            doc_feats.append("in_lead_values")  # the lead states this figure (maybe in this very count)
        if k < LEAD_SENTENCES:
            doc_feats.append("in_lead")
        if cat in ctx.numeric and not any(ch.isdigit() for ch in count.text):
            doc_feats.append("words_while_figures")  # "she later died" in a report that gives figures
        shot = ctx.shot_by_sent.get(k)
        if shot and count.value is not None and cat != "other":
            doc_feats.append("shot_same_sent_" + ("gt" if shot > count.value else "eq" if shot == count.value else "lt"))
        feats += doc_feats
        feats += [f"{cat}:{f}" for f in doc_feats]
        out.append((feats, mod, cues, k, ctx.aggregate_cue(k), ctx.cued(k)))
    return out


@lru_cache(maxsize=1)
def load_model() -> dict:
    from corroborate.learned import load_json_model

    return load_json_model("corroborate.analyze", MODEL)


def score(feats: list[str], model: dict) -> float:
    weights = model["weights"]
    z = model["bias"] + sum(weights.get(f, 0.0) for f in set(feats))
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


def annotate(doc: Doc, counts: list[Count], anchors: list[tuple[int, int]], model: dict | None = None) -> None:
    """Set ``modality``, ``toll`` and ``scope`` on each count, in place.

    The model was trained on killed and injured counts only (``model["categories"]``, the ones
    GVA labels). For the other categories (arrested, missing, ...) ``toll`` is its
    extrapolation, and the scope comes from the cue rules alone: ``this_incident`` unless the
    sentence holds a strong aggregate or an other-incident cue."""
    if not counts:
        return
    model = model or load_model()
    threshold = model["threshold"]
    trained = set(model["categories"])
    for count, (feats, mod, _cues, _k, aggregate, cued) in zip(counts, features(doc, counts, anchors)):
        toll = round(score(feats, model), 4)
        count.modality = mod
        count.toll = toll
        this = toll >= threshold if count.category in trained else not cued
        count.scope = "this_incident" if this else ("aggregate" if aggregate else "other_incident")
