"""Event roles for a report's main event: type, perpetrators with status, victims,
targets, weapons, places and date. Lexicons live in ``data/events.json``.

- **type**: each cue word votes for its type ("bomb" -> bombing, "gunmen" ->
  shooting); firearms plus explosives or arson plus an assault cue make an
  armed_assault. No cue: ``other``.
- **perpetrators**: the subject of "claimed responsibility/credit" (claimed), of
  "denied involvement" or "has nothing to do with" (denied), the object of
  "blamed"/"accused" (accused), the agent of "carried out by" (confirmed), and
  noun phrases headed by gunmen, attackers, suspects... (suspected).
  Organizations are named entities (ORG, NORP, GPE) or group-like heads;
  individuals are persons and attacker nouns.
- **victims, targets, weapons**: noun phrases by head word, victims and targets
  only next to a harm or attack word.
- **locations**: FAC, then LOC and GPE entities in event sentences, in order.
- **date**: the first date in an event sentence, resolved against ``published``.
"""

from __future__ import annotations

import json
from datetime import datetime
from functools import lru_cache
from importlib import resources

from spacy.tokens import Doc, Span as SpacySpan, Token

from corroborate.analyze.docinfo import info
from corroborate.records import Event, RoleItem

_ORG_ENTS = {"ORG", "NORP", "GPE"}
_ATTACK_VERBS = {"attacked", "stormed", "struck", "bombed", "targeted", "hit", "raided", "attack", "attacks", "assault", "bombing", "ambushed", "torched", "set"}
_DATE_WORDS = {
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "today", "yesterday", "tonight",
    "january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november",
    "december", "night", "morning", "afternoon", "evening",
}
MAX_ITEMS = 8


@lru_cache(maxsize=1)
def lexicon() -> dict:
    data = json.loads(resources.files("corroborate.analyze").joinpath("data/events.json").read_text())
    sets = {key: set(value) for key, value in data.items() if isinstance(value, list) and not key.startswith("_")}
    sets["type_cues"] = {word: kind for kind, words in data["type_cues"].items() for word in words}
    sets["type_priority"] = data["type_priority"]
    return sets


def _item(doc: Doc, start_tok: int, end_tok: int, status: str | None = None) -> RoleItem:
    while start_tok < end_tok - 1 and doc[start_tok].dep_ == "det" and doc[start_tok].lower_ in {"the", "a", "an"}:
        start_tok += 1  # "the gunmen" -> "gunmen": the role filler, not its determiner
    start = doc[start_tok].idx
    last = doc[end_tok - 1]
    end = last.idx + len(last.text)
    return RoleItem(text=info(doc).text[start:end], start=start, end=end, status=status)


def _phrase(token: Token) -> tuple[int, int, str]:
    """Token range of the entity or noun phrase headed by ``token``, and its kind (org / individual)."""
    doc = token.doc
    ent = info(doc).ent_at.get(token.i)
    lex = lexicon()
    if ent is not None and ent.label_ in _ORG_ENTS | {"PERSON"}:
        return ent.start, ent.end, "individual" if ent.label_ == "PERSON" else "org"
    left = [t for t in token.lefts if t.dep_ in {"det", "amod", "compound", "nummod", "poss"}]
    start = left[0].i if left else token.i
    kind = "org" if token.lower_ in lex["perpetrator_org_heads"] else "individual"
    return start, token.i + 1, kind


_MODIFIER_DEPS = {"det", "amod", "compound", "nummod", "poss", "quantmod", "nmod", "npadvmod"}


def _chunks(doc: Doc, heads: set[str]):
    """Noun phrases (start, end, head) headed by a word in ``heads``, from the dependency parse.

    spaCy's ``noun_chunks`` needs part-of-speech tags, which the excluded tagger provides.
    """
    for i, low in enumerate(info(doc).lowers):
        if low not in heads:
            continue
        token = doc[i]
        if token.dep_ not in {"compound", "amod", "poss"}:
            left = [t for t in token.lefts if t.dep_ in _MODIFIER_DEPS]
            start = min((next(t.subtree).i for t in left), default=token.i)
            yield start, token.i + 1, token


def _subject(verb: Token) -> Token | None:
    subj = next((c for c in verb.children if c.dep_ in {"nsubj", "nsubjpass"}), None)
    if subj is None and verb.dep_ in {"conj", "xcomp"} and verb.head is not verb:
        return _subject(verb.head)
    return subj


def _perpetrators(doc: Doc) -> tuple[list[RoleItem], list[RoleItem]]:
    lex = lexicon()
    found: list[tuple[int, int, str, str]] = []  # (start, end, kind, status)

    def add(token: Token | None, status: str) -> None:
        if token is None or token.lower_ in {"it", "they", "he", "she", "who", "which", "that"}:
            return
        start, end, kind = _phrase(token)
        if end - start <= 2 and token.lower_ in lexicon()["perpetrator_org_heads"] and token.ent_type_ == "":
            return  # "the group denied": a bare anaphor, not a name
        found.append((start, end, kind, status))

    cues = lex["claim_verbs"] | lex["deny_verbs"] | lex["accuse_verbs"] | lex["suspect_words"] | {"has", "had", "have", "by"}
    for i, low in enumerate(info(doc).lowers):
        if low not in cues:
            continue
        tok = doc[i]
        objects = [c for c in tok.children if c.dep_ in {"dobj", "attr"}]
        if low in lex["claim_verbs"] and any(o.lower_ in lex["claim_objects"] for o in objects):
            add(_subject(tok), "claimed")
        elif low in lex["deny_verbs"] and any(
            any(t.lower_ in lex["deny_objects"] for t in o.subtree) for o in objects
        ):
            add(_subject(tok), "denied")
        elif low in {"has", "had", "have"} and any(o.lower_ == "nothing" and any(t.lower_ == "do" for t in o.subtree) for o in objects):
            add(_subject(tok), "denied")  # "Ukraine has nothing to do with ..."
        elif low in lex["accuse_verbs"]:
            for obj in objects:
                add(obj, "accused")
        elif low == "by" and tok.head.lower_ in {"out", "carried", "perpetrated", "committed", "claimed"}:
            for obj in (c for c in tok.children if c.dep_ == "pobj"):
                add(obj, "confirmed")
        elif low in lex["suspect_words"] and tok.dep_ in {"acl", "amod"} and tok.head.lower_ in lex["perpetrator_individual_heads"]:
            add(tok.head, "suspected")
    for start, end, root in _chunks(doc, lex["perpetrator_individual_heads"]):
        if root.ent_type_ == "":
            found.append((start, end, "individual", "suspected"))
    orgs, people, seen = [], [], set()
    for start, end, kind, status in found:
        item = _item(doc, start, end, status)
        key = (item.text.lower(), status)
        if key in seen:
            continue
        seen.add(key)
        (orgs if kind == "org" else people).append(item)
    return orgs[:MAX_ITEMS], people[:MAX_ITEMS]


def _event_type(doc: Doc) -> str:
    lex = lexicon()
    votes: dict[str, int] = {}
    for low in info(doc).lowers:
        kind = lex["type_cues"].get(low)
        if kind:
            votes[kind] = votes.get(kind, 0) + 1
    if not votes:
        return "other"
    if votes.get("shooting") and (votes.get("bombing") or votes.get("arson")) and votes.get("armed_assault"):
        return "armed_assault"
    priority = lex["type_priority"]
    return max(votes, key=lambda k: (votes[k], -priority.index(k)))


def _event_sentences(doc: Doc) -> list[SpacySpan]:
    lex = lexicon()
    cues = lex["harm_words"] | set(lex["type_cues"]) | _ATTACK_VERBS
    lowers = info(doc).lowers
    return [s for s in info(doc).sents if any(lowers[i] in cues for i in range(s.start, s.end))]


def _roles(doc: Doc, sents: list[SpacySpan]) -> tuple[list[RoleItem], list[RoleItem], list[RoleItem]]:
    lex = lexicon()
    victims, targets, weapons = [], [], []
    in_event = {t.i for s in sents for t in s}
    harm = lex["harm_words"]
    heads = lex["weapon_heads"] | lex["victim_heads"] | lex["target_heads"]
    for start, end, root in _chunks(doc, heads):
        if root.i not in in_event:
            continue
        near = {t.lower_ for t in doc[max(0, start - 3) : min(len(doc), end + 3)]} | {root.head.lower_, root.head.head.lower_}
        if root.lower_ in lex["weapon_heads"]:
            weapons.append(_item(doc, start, end))
        elif root.lower_ in lex["victim_heads"] and near & harm and root.lower_ not in lex["perpetrator_individual_heads"]:
            victims.append(_item(doc, start, end))
        elif root.lower_ in lex["target_heads"] and near & (_ATTACK_VERBS | harm | {"at", "on"}):
            targets.append(_item(doc, start, end))
    for ent in info(doc).ents:
        if ent.label_ == "FAC" and ent.start in in_event:
            targets.append(_item(doc, ent.start, ent.end))
    return _dedupe(victims), _dedupe(targets), _dedupe(weapons)


def _dedupe(items: list[RoleItem]) -> list[RoleItem]:
    seen, out = set(), []
    for item in items:
        key = item.text.lower()
        if key not in seen:
            seen.add(key)
            out.append(item)
    return out[:MAX_ITEMS]


def _locations(doc: Doc, sents: list[SpacySpan]) -> list[RoleItem]:
    in_event = {t.i for s in sents for t in s}
    order = {"FAC": 0, "LOC": 1, "GPE": 1}
    ents = [e for e in info(doc).ents if e.label_ in order and e.start in in_event]
    ents.sort(key=lambda e: (order[e.label_], e.start))
    return _dedupe([_item(doc, e.start, e.end) for e in ents])


def _date(doc: Doc, sents: list[SpacySpan], published: str | None) -> str | None:
    """The first resolvable date in an event sentence, as an ISO date."""
    base = None
    if published:
        try:
            base = datetime.fromisoformat(published).replace(tzinfo=None)
        except ValueError:
            base = None
    for sent in sents:
        for ent in sent.ents:
            if ent.label_ not in {"DATE", "TIME"}:
                continue
            words = {t.lower_ for t in ent}
            has_year = any(t.like_num and len(t.text) == 4 for t in ent)
            if not (words & _DATE_WORDS or has_year):
                continue
            if base is None and not has_year:
                continue  # "Friday" cannot be placed without a publication date
            import dateparser  # lazily: slow to import, needed once per report

            settings = {"RETURN_AS_TIMEZONE_AWARE": False, "PREFER_DAY_OF_MONTH": "first"}
            if base is not None:
                settings["RELATIVE_BASE"] = base
            parsed = dateparser.parse(ent.text, languages=["en"], settings=settings)
            if parsed is not None:
                if base is not None and parsed > base and not has_year:
                    continue  # "on Friday" in a report never names a day after its publication
                return parsed.date().isoformat()
    return None


def extract_events(doc: Doc, published: str | None = None) -> list[Event]:
    """The report's main event, or nothing when the report describes no violent event."""
    kind = _event_type(doc)
    orgs, people = _perpetrators(doc)
    sents = _event_sentences(doc)
    victims, targets, weapons = _roles(doc, sents)
    if kind == "other" and not (orgs or people or weapons):
        return []
    return [
        Event(
            type=kind,
            perpetrator_organizations=orgs,
            perpetrator_individuals=people,
            victims=victims,
            targets=targets,
            weapons=weapons,
            locations=_locations(doc, sents),
            date=_date(doc, sents, published),
        )
    ]
