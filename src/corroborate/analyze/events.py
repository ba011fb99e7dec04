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
import re
from datetime import datetime, time, timedelta
from functools import lru_cache
from importlib import resources

from spacy.tokens import Doc, Span as SpacySpan, Token

from corroborate.analyze.attributions import find_quotes
from corroborate.analyze.docinfo import info
from corroborate.phrases import alternation
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
    while start_tok < end_tok - 1 and doc[start_tok].lower_ in {"the", "a", "an"} | _POSSESSIVES:
        start_tok += 1  # "the gunmen" -> "gunmen", "his rifle" -> "rifle": the filler, not its determiner
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


_MODIFIER_DEPS = {"det", "amod", "compound", "nummod", "poss", "quantmod", "nmod"}
#: Arms seized, found or handed over are not the weapons of the event.
_SEIZURE_VERBS = {"seized", "captured", "confiscated", "found", "recovered", "discovered", "surrendered", "handed", "seize", "capture", "confiscate", "find", "recover", "seizure", "cache", "arsenal", "arsenals", "caches"}


def _chunks(doc: Doc, heads: set[str]):
    """Noun phrases (start, end, head) headed by a word in ``heads``, from the dependency parse.

    spaCy's ``noun_chunks`` needs part-of-speech tags, which the excluded tagger provides.
    """
    for i, low in enumerate(info(doc).lowers):
        if low not in heads:
            continue
        token = doc[i]
        if token.dep_ not in {"compound", "amod", "poss"}:
            start, end = _np(token)
            yield start, end, token


def _subject(verb: Token) -> Token | None:
    subj = next((c for c in verb.children if c.dep_ in {"nsubj", "nsubjpass"}), None)
    if subj is None and verb.dep_ in {"conj", "xcomp"} and verb.head is not verb:
        return _subject(verb.head)
    return subj


_PRONOUNS = {"it", "they", "he", "she", "who", "which", "that", "them", "him", "her", "we", "i", "you", "us", "one", "this", "these", "those"}
_POSSESSIVES = {"his", "her", "their", "its", "our", "my", "your"}


@lru_cache(maxsize=1)
def _group_re():
    data = json.loads(resources.files("corroborate.analyze").joinpath("data/armed_groups.json").read_text())
    names = {n.lower() for n in data["train"] + data["current"]}
    return re.compile(r"(?<![\w-])(?:" + alternation(names, ignorecase=True) + r")(?![\w-])", re.IGNORECASE)


def _with_conjuncts(token: Token) -> list[Token]:
    """"killed X and Y": X, then Y."""
    out = [token]
    for child in token.children:
        if child.dep_ == "conj":
            out.extend(_with_conjuncts(child))
    return out


def _frames(doc: Doc):
    """(agent tokens, patient tokens, verb) for each harm or attack verb, active or passive,
    and (None, patient, noun) for "the assassination of X", "an attack on X"."""
    lex = lexicon()
    verbs = lex["harm_verbs"] | lex["attack_verbs"]
    for i, low in enumerate(info(doc).lowers):
        if low in verbs:
            tok = doc[i]
            passive = any(c.dep_ == "auxpass" for c in tok.children) or tok.dep_ == "acl"
            if passive:
                patients = [c for c in tok.children if c.dep_ == "nsubjpass"] + ([tok.head] if tok.dep_ == "acl" else [])
                agents = [g for c in tok.children if c.dep_ == "agent" for g in c.children if g.dep_ == "pobj"]
            else:
                patients = [c for c in tok.children if c.dep_ == "dobj"]
                agents = [c for c in tok.children if c.dep_ == "nsubj"]
                if not agents and tok.dep_ in {"conj", "xcomp", "advcl"} and tok.head.i != tok.i:
                    agents = [c for c in tok.head.children if c.dep_ == "nsubj"]
            yield [a for t in agents for a in _with_conjuncts(t)], [p for t in patients for p in _with_conjuncts(t)], tok
        elif low in lex["harm_nouns"] or low in lex["attack_nouns"]:
            tok = doc[i]
            preps = {"of"} if low in lex["harm_nouns"] else {"on", "against", "at", "of"}
            for prep in tok.children:
                if prep.dep_ == "prep" and prep.lower_ in preps:
                    patients = [p for c in prep.children if c.dep_ == "pobj" for p in _with_conjuncts(c)]
                    yield [], patients, tok


def _perpetrators(doc: Doc) -> tuple[list[tuple[int, int, str, str]], list]:
    """Perpetrator candidates (start, end, kind, status) from status cues, agents and known groups."""
    lex = lexicon()
    found: list[tuple[int, int, str, str]] = []  # (start, end, kind, status)

    def add(token: Token | None, status: str, kind: str | None = None) -> None:
        if token is None or token.lower_ in _PRONOUNS or _is_number_like(token):
            return
        start, end, phrase_kind = _phrase(token)
        if end - start <= 2 and token.lower_ in lex["perpetrator_org_heads"] and token.ent_type_ == "":
            return  # "the group denied": a bare anaphor, not a name
        found.append((start, end, kind or phrase_kind, status))

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
    frames = list(_frames(doc))
    for agents, _, _ in frames:
        for agent in agents:
            ent = info(doc).ent_at.get(agent.i)
            if agent.lower_ in lex["perpetrator_individual_heads"] | lex["ambiguous_person_heads"] or (ent is not None and ent.label_ == "PERSON"):
                add(agent, "suspected", "individual")
            elif agent.lower_ in lex["perpetrator_org_heads"] or (ent is not None and ent.label_ in {"ORG", "NORP"}):
                add(agent, "suspected", "org")
    text = info(doc).text
    for match in _group_re().finditer(text):
        span = doc.char_span(match.start(), match.end(), alignment_mode="contract")
        if span is not None and len(span):
            found.append((span.start, span.end, "org", "suspected"))
    return found, frames


def _is_number_like(token: Token) -> bool:
    return token.like_num or token.lower_ in {"two", "three", "several", "some", "many", "all", "both"}


def _perpetrator_items(doc: Doc, found) -> tuple[list[RoleItem], list[RoleItem]]:
    """Deduplicated organizations and individuals; a known group's plain mention adds nothing
    when a status cue already names it."""
    orgs, people, seen, named = [], [], set(), set()
    for start, end, kind, status in found:
        item = _item(doc, start, end, status)
        key = item.text.lower()
        if (key, status) in seen or (status == "suspected" and key in named):
            continue
        seen.add((key, status))
        named.add(key)
        (orgs if kind == "org" else people).append(item)
    return orgs[:MAX_ITEMS], people[:MAX_ITEMS]


def _event_type(doc: Doc, tokens: set[int] | None = None) -> str:
    lex = lexicon()
    votes: dict[str, int] = {}
    lowers = info(doc).lowers
    for i in range(len(lowers)) if tokens is None else sorted(tokens):
        kind = lex["type_cues"].get(lowers[i])
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


def _roles(doc: Doc, sents: list[SpacySpan], frames) -> tuple[list[RoleItem], list[RoleItem], list[RoleItem]]:
    """Victims and targets from the harm and attack frames; weapons by head word in event sentences."""
    lex = lexicon()
    victims, targets, weapons = [], [], []
    for _, patients, verb in frames:
        for patient in patients:
            low = patient.lower_
            if low in _PRONOUNS or _is_number_like(patient) or low in lex["perpetrator_individual_heads"] | lex["weapon_heads"]:
                continue
            start, end = _np(patient)
            ent = info(doc).ent_at.get(patient.i)
            is_place = ent is not None and ent.label_ in {"GPE", "LOC"}
            if low in lex["target_heads"] or (ent is not None and ent.label_ == "FAC"):
                targets.append(_item(doc, start, end))
            elif low in lex["victim_heads"] | lex["ambiguous_person_heads"] or (ent is not None and ent.label_ == "PERSON"):
                victims.append(_item(doc, _after_titles(doc, start, end), end))
            elif verb.lower_ in lex["harm_verbs"] or verb.lower_ in lex["harm_nouns"]:
                if not is_place:  # people are killed: a name the NER missed
                    victims.append(_item(doc, _after_titles(doc, start, end), end))
    in_event = {i for s in sents for i in range(s.start, s.end)}
    for start, end, root in _chunks(doc, lex["weapon_heads"]):
        if root.i in in_event and not (root.lower_ in {"weapon", "weapons"} and end - start == 1) and not _seized(root):
            weapons.append(_item(doc, start, end))
    for ent in info(doc).ents:
        if ent.label_ == "FAC" and ent.start in in_event:
            targets.append(_item(doc, ent.start, ent.end))
    return _dedupe(victims), _dedupe(targets), _dedupe(weapons)


def _after_titles(doc: Doc, start: int, end: int) -> int:
    """Skip titles and roles before a name: "presidential candidate luis carlos galan" -> "luis carlos galan"."""
    titles = lexicon()["title_words"]
    lowers = info(doc).lowers
    last_title = max((i for i in range(start, end - 1) if lowers[i] in titles), default=None)
    return last_title + 1 if last_title is not None else start


def _seized(token: Token) -> bool:
    """A weapon the text says was seized, found or handed over: its governing word, through one
    preposition ("a cache of rifles"), is a seizure word."""
    head = token.head
    if head.dep_ == "prep" and head.head is not head:
        head = head.head if head.lower_ == "of" else head
    return head.lower_ in _SEIZURE_VERBS


def _np(token: Token) -> tuple[int, int]:
    """Token range of the noun phrase headed by ``token``: its left modifiers, and "of" for group heads
    ("members of the FMLN")."""
    left = [t for t in token.lefts if t.dep_ in _MODIFIER_DEPS]
    start = min((next(t.subtree).i for t in left), default=token.i)
    for k in range(token.i - 1, start - 1, -1):  # never across punctuation: "(0415 gmt) incendiary bombs"
        if token.doc[k].is_punct and token.doc[k].text not in {"-", "'", "’", "."}:
            start = k + 1
            break
    end = token.i + 1
    if token.lower_ in {"members", "member", "group", "column", "unit", "commando", "squad"}:
        for child in token.rights:
            if child.dep_ == "prep" and child.lower_ == "of":
                end = list(child.subtree)[-1].i + 1
    return start, end


def _dedupe(items: list[RoleItem]) -> list[RoleItem]:
    seen, out = set(), []
    for item in items:
        key = item.text.lower()
        if key not in seen:
            seen.add(key)
            out.append(item)
    return out[:MAX_ITEMS]


_LOCATIVE = {"in", "at", "near", "outside", "inside", "into", "on", "across", "throughout", "around", "from"}
_PLACE_OF = {"city", "town", "village", "province", "region", "district", "department", "state", "county", "suburb", "municipality"}


@lru_cache(maxsize=1)
def _countries() -> frozenset[str]:
    data = json.loads(resources.files("corroborate.analyze").joinpath("data/countries.json").read_text())
    return frozenset(data["countries"])


def _place_rank(ent: SpacySpan) -> int | None:
    """0 for a facility, 1 for a city or region, 2 for a country; None if the entity is no place.

    The small model often labels facilities and towns ORG: an ORG whose head is a facility word
    ("Crocus City Hall") is a facility, one after "the city of" a town."""
    head = ent[-1].lower_
    before = ent.doc[ent.start - 1].lower_ if ent.start else ""
    if ent.label_ == "FAC" or (ent.label_ == "ORG" and head in lexicon()["target_heads"]):
        return 0
    if ent.label_ in {"GPE", "LOC"} or (ent.label_ == "ORG" and before == "of" and ent.start >= 2 and ent.doc[ent.start - 2].lower_ in _PLACE_OF):
        name = ent.text.lower().removeprefix("the ")
        return 2 if name in _countries() else 1
    return None


def _is_locative(ent: SpacySpan) -> bool:
    """The place is where something happened: "in Moscow", "at the Crocus City Hall",
    "Moscow's Crocus City Hall", "the city of Krasnogorsk", or the place attacked."""
    root = ent.root
    while root.dep_ in {"poss", "compound", "appos", "conj"} and root.head is not root:
        root = root.head
    if root.dep_ == "pobj" and root.head.lower_ in _LOCATIVE:
        return True
    if root.dep_ == "pobj" and root.head.lower_ == "of" and root.head.head.lower_ in _PLACE_OF:
        return True  # "the city of Krasnogorsk"
    if root.dep_ in {"dobj", "nsubjpass"} and root.head.lower_ in lexicon()["attack_verbs"]:
        return True  # the place attacked: "gunmen attacked the Crocus City Hall"
    return False


def _locations(doc: Doc, sents: list[SpacySpan]) -> list[RoleItem]:
    """Places where the event happened, most specific first: facilities, then cities and regions,
    then countries, each in order of mention."""
    in_event = {i for s in sents for i in range(s.start, s.end)}
    ranked = []
    for ent in info(doc).ents:
        dateline = ent.start == 0 and ent.end < len(doc) and doc[ent.end].text in {",", "-", "—", "–", "("}
        if not dateline and (ent.start not in in_event or not _is_locative(ent)):
            continue  # a dateline ("PORT HALVARD, Norvania -") places the whole report
        rank = _place_rank(ent)
        if rank is not None:
            ranked.append((rank, ent.start, ent))
    ranked.sort(key=lambda item: item[:2])
    return _dedupe([_item(doc, e.start, e.end) for _, _, e in ranked])


_WEEKDAYS = {day: i for i, day in enumerate(("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"))}


def _parse_date(phrase: str, base: datetime | None) -> datetime | None:
    """The date ``phrase`` names, relative to ``base`` (the publication time), as dateparser reads it.

    A bare weekday name ("Saturday"), half of all date phrases in the GVA reports, is worked out
    here: dateparser gives midnight of the latest such day on or before ``base``
    (``tests/analyze/test_events.py`` checks this against dateparser itself)."""
    day = _WEEKDAYS.get(phrase.lower())
    if day is not None and base is not None:
        return datetime.combine(base.date() - timedelta(days=(base.weekday() - day) % 7), time())
    return _dateparser(phrase, base)


@lru_cache(maxsize=4096)
def _dateparser(phrase: str, base: datetime | None) -> datetime | None:
    """dateparser, relative to ``base`` (the publication time); cached, as phrases repeat."""
    import dateparser  # lazily: slow to import, needed only when a report has a date

    settings = {"RETURN_AS_TIMEZONE_AWARE": False, "PREFER_DAY_OF_MONTH": "first"}
    if base is not None:
        settings["RELATIVE_BASE"] = base
    return dateparser.parse(phrase, languages=["en"], settings=settings)


def _date(doc: Doc, sents: list[SpacySpan], published: str | None) -> str | None:
    """The first resolvable date in an event sentence, as an ISO date."""
    base = None
    if published:
        try:
            base = datetime.fromisoformat(published).replace(tzinfo=None)
        except ValueError:
            base = None
    meta = info(doc)
    for sent in sents:
        for ent in meta.ents_in(sent):
            if ent.label_ not in {"DATE", "TIME"}:
                continue
            words = {t.lower_ for t in ent}
            has_year = any(t.like_num and len(t.text) == 4 for t in ent)
            if not (words & _DATE_WORDS or has_year):
                continue
            if base is None and not has_year:
                continue  # "Friday" cannot be placed without a publication date
            parsed = _parse_date(ent.text, base)
            if parsed is not None:
                if base is not None and parsed > base and not has_year:
                    continue  # "on Friday" in a report never names a day after its publication
                return parsed.date().isoformat()
    return None


def _further_scopes(doc: Doc, sents: list[SpacySpan], frames) -> list[list[SpacySpan]]:
    """Groups of event sentences that clearly describe another event: outside quotations, a harm
    or attack frame with a victim or target, at a place the main event's lead does not name, and a
    cue of separateness ("in a separate attack", "elsewhere", "another"). Following event sentences
    that name no place join the group."""
    lex = lexicon()
    meta = info(doc)
    quotes = find_quotes(meta.text)
    framed = {meta.sent(f[2].i).start for f in frames if f[1]}
    place_ents = [e for e in meta.ents if e.label_ in {"GPE", "LOC", "FAC"}]

    def places(sent: SpacySpan) -> set[str]:
        return {e.text.lower() for e in place_ents if sent.start <= e.start < sent.end}

    named = [places(s) for s in sents]
    main = next((here for here in named if here), set())
    groups: list[list[SpacySpan]] = []
    current: list[SpacySpan] | None = None
    for sent, here in zip(sents, named):
        inside_quote = any(a <= sent.start_char < b for a, b in quotes)
        lowered = meta.text_of(sent).lower()
        if (
            sent.start in framed and here and not here & main and not inside_quote
            and any(cue in lowered for cue in lex["separate_event_cues"])
        ):
            current = [sent]
            groups.append(current)
        elif here & main:
            current = None
        elif current is not None and not here:
            current.append(sent)
    return groups


def _event(doc: Doc, tokens: set[int], sents: list[SpacySpan], found, frames, published: str | None) -> Event:
    orgs, people = _perpetrator_items(doc, [f for f in found if f[0] in tokens])
    scoped_frames = [f for f in frames if f[2].i in tokens]
    victims, targets, weapons = _roles(doc, sents, scoped_frames)
    return Event(
        type=_event_type(doc, tokens),
        perpetrator_organizations=orgs,
        perpetrator_individuals=people,
        victims=victims,
        targets=targets,
        weapons=weapons,
        locations=_locations(doc, sents),
        date=_date(doc, sents, published),
    )


def extract_events(doc: Doc, published: str | None = None) -> list[Event]:
    """The report's main event first, then any further event it clearly describes; nothing when
    the report describes no violent event."""
    found, frames = _perpetrators(doc)
    sents = _event_sentences(doc)
    further = _further_scopes(doc, sents, frames)
    taken = {t for group in further for s in group for t in range(s.start, s.end)}
    main_tokens = set(range(len(doc))) - taken
    main = _event(doc, main_tokens, [s for s in sents if s.start not in taken], found, frames, published)
    if main.type == "other" and not (main.perpetrator_organizations or main.perpetrator_individuals or main.weapons):
        return []
    events = [main]
    for group in further:
        tokens = {t for s in group for t in range(s.start, s.end)}
        event = _event(doc, tokens, group, found, frames, published)
        if event.victims or event.targets:
            events.append(event)
    return events
