"""Event roles for a report's main event: type, perpetrators with status, victims,
targets, weapons, places and date. Lexicons live in ``lang/en/events.json`` (and
``lang/en/event_words.json``).

- **type**: each cue word or phrase votes for its type ("bomb" -> bombing, "gunmen" ->
  shooting, "hit-and-run" -> crash), once its sense is checked (:class:`Cues`: "a booster
  shot", "fired the coach", "fast radio blasts", "the market crashed" vote for nothing);
  firearms plus explosives, explosions or arson plus an assault cue make an armed_assault; an
  explosion in an attack is a bombing; a cause takes the votes of what it causes (a bomb's
  blast and fire). Accidents and disasters: fire, explosion, crash, collapse, natural_disaster
  (wildfires included). No cue: ``other`` when the report names perpetrators or weapons,
  ``other_incident`` when it has a harm word ("killed", "drowned", "accident"), else no event.
- **perpetrators**: the subject of "claimed responsibility/credit" (claimed), of
  "denied involvement" or "has nothing to do with" (denied), the object of
  "blamed"/"accused" (accused), the agent of "carried out by" (confirmed), and
  noun phrases headed by gunmen, attackers, suspects... (suspected).
  Organizations are named entities (ORG, NORP, GPE) or group-like heads;
  individuals are persons and attacker nouns.
- **victims, targets, weapons**: noun phrases by head word, victims and targets
  only next to a harm or attack word.
- **locations**: FAC, then LOC and GPE entities in event sentences, in order.
- **date**: the day the words of the event sentences state, with those words
  (:func:`corroborate.analyze.when.event_date`): a weekday, "yesterday" or a day of a month
  resolved against ``published``, never a bare year, a day after publication or the date of a
  statement ("police said Tuesday").
- **type_support**: the cue words that voted for the chosen type, in text order (at most
  :data:`MAX_TYPE_SUPPORT`).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Set as AbstractSet
from functools import lru_cache
from typing import Any, cast

from spacy.tokens import Doc, Token
from spacy.tokens import Span as SpacySpan

from corroborate.analyze import people as persons
from corroborate.analyze import roles
from corroborate.analyze.attributions import find_quotes
from corroborate.analyze.docinfo import info
from corroborate.analyze.when import event_date
from corroborate.lang import en
from corroborate.phrases import alternation
from corroborate.records import Event, EventType, PerpStatus, RoleItem, Span

#: the words of the rules besides the lexicons of :func:`lexicon` (``lang/en/event_words.json``)
_W = en.load("event_words")
_ORG_ENTS = {"ORG", "NORP", "GPE"}
_ATTACK_VERBS = set(_W["attack_verbs"])
_DATE_WORDS = set(_W["date_words"])
MAX_ITEMS = 8


_PHRASE_TOKEN = re.compile(r"[^\s-]+|-")


def _phrase_tokens(phrase: str) -> tuple[str, ...]:
    """A cue phrase as spaCy splits it: "hit-and-run" -> ("hit", "-", "and", "-", "run")."""
    return tuple(_PHRASE_TOKEN.findall(phrase.lower()))


_STRUCTURED = {"type_cues", "type_priority", "type_absorbs", "cue_rules", "neutral_phrases"}


@lru_cache(maxsize=1)
def lexicon() -> dict:
    data = en.load("events")
    sets: dict[str, Any] = {
        key: set(value) for key, value in data.items()
        if isinstance(value, list) and not key.startswith("_") and key not in _STRUCTURED
    }
    cues: dict[str, str | None] = {}  # one-token cue -> its type (None: no type)
    phrases: dict[str, list[tuple[tuple[str, ...], str | None]]] = {}  # first token -> (tokens, type), longest first
    entries = [(w, kind) for kind, words in data["type_cues"].items() for w in words]
    for word, kind in entries + [(w, None) for w in data["neutral_phrases"]]:
        tokens = _phrase_tokens(word)
        if len(tokens) == 1:
            cues[tokens[0]] = kind
        else:
            phrases.setdefault(tokens[0], []).append((tokens, kind))
    for options in phrases.values():
        options.sort(key=lambda option: -len(option[0]))
    rules: dict[tuple[str, ...], dict] = {}
    for rule in data["cue_rules"].values():
        compiled = {}
        for key, value in rule.items():
            if key in {"words", "sense"} or value is True:
                compiled[key] = value
            elif value == "*":
                compiled[key] = "*"
            else:
                compiled[key] = set(data[value]) if isinstance(value, str) else set(value)
        for word in rule["words"]:
            rules[_phrase_tokens(word)] = compiled
    sets["type_cues"] = cues
    sets["type_phrases"] = phrases
    sets["cue_rules"] = rules
    sets["type_priority"] = data["type_priority"]
    sets["type_absorbs"] = data["type_absorbs"]
    return sets


def _item(doc: Doc, start_tok: int, end_tok: int, status: str | None = None) -> RoleItem:
    while start_tok < end_tok - 1 and doc[start_tok].lower_ in _DETERMINERS | _POSSESSIVES:
        start_tok += 1  # "the gunmen" -> "gunmen", "his rifle" -> "rifle", "both firearms" -> "firearms": the filler, not its determiner
    start = doc[start_tok].idx
    last = doc[end_tok - 1]
    end = last.idx + len(last.text)
    return RoleItem(text=info(doc).text[start:end], start=start, end=end, status=cast("PerpStatus | None", status))


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
_SEIZURE_VERBS = set(_W["seizure_words"])


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


_PRONOUNS = set(_W["pronouns"])
_POSSESSIVES = set(_W["possessives"])
#: dropped from the start of a filler (with the possessives): "the gunmen" -> "gunmen"
_DETERMINERS = set(_W["leading_determiners"])
#: "carried out by", "claimed by": the heads of "by" whose object is the perpetrator
_AGENT_HEADS = set(_W["claim_agent_heads"])
#: number-like words: "several gunmen"
_QUANTIFIERS = set(_W["plural_quantifiers"])


@lru_cache(maxsize=1)
def _group_re():
    data = en.load("armed_groups")
    names = {n.lower() for n in data["train"] + data["current"]}
    return re.compile(r"(?<![\w-])(?:" + alternation(names, ignorecase=True) + r")(?![\w-])", re.IGNORECASE)


def _with_conjuncts(token: Token) -> list[Token]:
    """"killed X and Y": X, then Y."""
    out = [token]
    for child in token.children:
        if child.dep_ == "conj":
            out.extend(_with_conjuncts(child))
    return out


def _frames(doc: Doc, rejected: AbstractSet[int] = frozenset()):
    """(agent tokens, patient tokens, verb) for each harm or attack verb, active or passive,
    and (None, patient, noun) for "the assassination of X", "an attack on X". Cue words read in
    another sense (``rejected``: "shot a film", "fired the coach") frame nothing."""
    lex = lexicon()
    verbs = lex["harm_verbs"] | lex["attack_verbs"]
    for i, low in enumerate(info(doc).lowers):
        if i in rejected:
            continue
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


def _perpetrators(doc: Doc, rejected: AbstractSet[int] = frozenset()) -> tuple[list[tuple[int, int, str, str]], list]:
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
        elif low == "by" and tok.head.lower_ in _AGENT_HEADS:
            for obj in (c for c in tok.children if c.dep_ == "pobj"):
                add(obj, "confirmed")
        elif low in lex["suspect_words"] and tok.dep_ in {"acl", "amod"} and tok.head.lower_ in lex["perpetrator_individual_heads"]:
            add(tok.head, "suspected")
    frames = list(_frames(doc, rejected))
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
    return token.like_num or token.lower_ in _QUANTIFIERS


def _perpetrator_items(doc: Doc, found) -> tuple[list[RoleItem], list[RoleItem]]:
    """Deduplicated organizations and individuals; a known group's plain mention adds nothing
    when a status cue already names it."""
    orgs: list[RoleItem]
    people: list[RoleItem]
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


_NAME_LABELS = {"PERSON", "ORG", "WORK_OF_ART", "PRODUCT", "LAW", "NORP"}
_ARG_DEPS = {"nsubj", "nsubjpass", "dobj"}
_DIRECTED = set(_W["directed_prepositions"])


class Cues:
    """The type cues of a document, their senses checked: ``hits`` are (token, type), one per cue
    word or phrase; ``rejected`` are the tokens of cue words read in another sense ("a booster
    shot", "fired the coach"), which also frame no harm and make no event sentence; ``senses``
    are (first token, number of tokens, type or None) for every cue word or phrase, neutral
    phrases ("under fire") included as None (see :func:`cue_senses`)."""

    def __init__(self, doc: Doc):
        lex = lexicon()
        lowers = info(doc).lowers
        cues, phrases, rules = lex["type_cues"], lex["type_phrases"], lex["cue_rules"]
        self.hits: list[tuple[int, str]] = []
        self.rejected: set[int] = set()
        found: list[tuple[int, str, dict | None]] = []
        length: dict[int, int] = {}
        neutral: list[int] = []
        i, n = 0, len(lowers)
        while i < n:
            low = lowers[i]
            tokens, kind = (low,), cues.get(low, "")
            for option, option_kind in phrases.get(low, ()):
                if tuple(lowers[i : i + len(option)]) == option:
                    tokens, kind = option, option_kind
                    break
            if kind:
                rule = rules.get(tokens)
                sensed = _sense(doc, i, len(tokens), kind, rule)
                if sensed:
                    found.append((i, sensed, rule))
                else:
                    self.rejected.add(i)
                length[i] = len(tokens)
            elif kind is None:  # a neutral phrase: "under fire", "fire alarm"
                neutral.append(i)
                length[i] = len(tokens)
            i += len(tokens)
        # then the cues that need a word of their kind in their sentence ("a fatal crash", "the
        # roof collapsed"), or a cue of their type counted before them ("the crash")
        counted: set[str] = set()
        for i, kind, rule in found:
            if rule is not None and "requires" in rule and kind not in counted:
                sent = info(doc).sent(i)
                if not any(lowers[k] in rule["requires"] and k not in self.rejected for k in range(sent.start, sent.end)):
                    self.rejected.add(i)
                    continue
            self.hits.append((i, kind))
            counted.add(kind)
        self.at = {i for i, _ in self.hits}
        decided = dict.fromkeys(self.rejected) | dict.fromkeys(neutral) | dict(self.hits)
        self.senses: list[tuple[int, int, str | None]] = [(i, length[i], decided[i]) for i in sorted(decided)]


_last_cues: tuple[Doc | None, Cues | None] = (None, None)


def _cues(doc: Doc) -> Cues:
    """The document's :class:`Cues`, computed once for the latest document (the relevance
    classifier and the event extraction read the same decisions)."""
    global _last_cues
    if _last_cues[0] is not doc:
        _last_cues = (doc, Cues(doc))
    return cast(Cues, _last_cues[1])  # set with the document, so never None here


def cue_senses(doc: Doc) -> list[tuple[int, int, str | None]]:
    """The sense decisions of the type rules, without building events: for each cue word or
    phrase of ``doc``, in order, (first token, number of tokens, the type it votes for, or None
    when it is read in another sense: "a veiled shot at", "a booster shot", "fired the coach",
    "fast radio blasts", "the market crashed", "under fire"); then the harm words that have a
    sense rule (``cue_rules``: "killed", "injured"...), as "other_incident" or None ("injured his
    knee", "killed the bill"). The same decisions :func:`extract_events` makes."""
    cues = _cues(doc)
    lex = lexicon()
    words, rules = lex["other_incident_words"], lex["cue_rules"]
    lowers = info(doc).lowers
    taken = {k for i, n, _ in cues.senses for k in range(i, i + n)}
    harm = [(i, 1, _sense(doc, i, 1, "other_incident", rules[(low,)]))
            for i, low in enumerate(lowers) if low in words and (low,) in rules and i not in taken]
    return cues.senses + harm


def harm_frames(doc: Doc) -> list[tuple[int, bool, bool]]:
    """The harm and attack frames of ``doc`` (cue words read in another sense frame nothing):
    (token of the verb or noun, whether it is a harm word rather than an attack word, whether it
    has a patient: "killed two people", "the man was shot", "an attack on the embassy")."""
    lex = lexicon()
    harm = lex["harm_verbs"] | lex["harm_nouns"]
    return [(verb.i, verb.lower_ in harm, bool(patients)) for _, patients, verb in _frames(doc, _cues(doc).rejected)]


def _sense(doc: Doc, i: int, length: int, kind: str, rule: dict | None) -> str | None:
    """The type a cue at token ``i`` votes for in its context, or None: inside a name the tagger
    found ("Kevin Burns", "the Los Angeles Fire Department", "National Rifle Association"), a
    modifier of a hazard word ("wildfire prevention"), or a sense its rule in ``cue_rules`` rules
    out (but for ``requires``, which :class:`Cues` checks once all senses are known)."""
    ent = info(doc).ent_at.get(i)
    if ent is not None and ent.label_ in _NAME_LABELS and ent.start != i:
        return None
    tok = doc[i]
    if tok.dep_ in {"compound", "nmod"} and tok.head.lower_ in lexicon()["hazard_heads"]:
        return None  # "wildfire prevention", "flood insurance", "hurricane season": no event
    if rule is None:
        return kind
    if "sense" in rule:
        sensed = _SENSES[rule["sense"]](tok, kind)
        if not sensed:
            return None
        kind = sensed
    lowers = info(doc).lowers
    k = i - 1
    while k >= 0 and lowers[k] == "-":
        k -= 1
    before = {lowers[k]} if k >= 0 else set()
    before |= {c.lower_ for c in tok.lefts if c.dep_ in _MODIFIER_DEPS}
    after = lowers[i + length] if i + length < len(lowers) else ""
    kids = list(tok.children)
    if before & rule.get("not_mods", set()) or after in rule.get("not_next", ()):
        return None
    if "requires_next" in rule and after not in rule["requires_next"]:
        return None
    if "not_of" in rule:
        of = {g.lower_ for c in kids if c.dep_ == "prep" and c.lower_ == "of" for g in c.children if g.dep_ == "pobj"}
        if of and (rule["not_of"] == "*" or of & rule["not_of"]):
            return None
    if "not_pobj" in rule and {g.lower_ for c in kids if c.dep_ == "prep" for g in c.children if g.dep_ == "pobj"} & rule["not_pobj"]:
        return None
    if "not_args" in rule and {c.lower_ for c in kids if c.dep_ in _ARG_DEPS} & rule["not_args"]:
        return None
    if tok.head is not tok and tok.head.lower_ in rule.get("not_heads", ()):
        return None
    if rule.get("not_verb") and any(c.dep_ in _ARG_DEPS for c in kids):
        return None
    if rule.get("not_object") and any(c.dep_ == "dobj" for c in kids):
        return None
    if "not_in_sentence" in rule:
        sent = info(doc).sent(i)
        if set(lowers[sent.start : sent.end]) & rule["not_in_sentence"]:
            return None
    return kind


def _aimed(tok: Token) -> bool:
    """Aimed at someone or something: "fired at police", "fire into the crowd", not "on Saturday"."""
    for prep in tok.children:
        if prep.dep_ == "prep" and prep.lower_ in _DIRECTED:
            for obj in prep.children:
                ent = info(tok.doc).ent_at.get(obj.i)
                if obj.dep_ == "pobj" and not (obj.like_num or obj.lower_ in _DATE_WORDS or (ent is not None and ent.label_ in {"DATE", "TIME"})):
                    return True
    return False


def _args(tok: Token) -> set[str]:
    """Its subjects and objects, but for names ("shooting Katrinia Price" shoots no price)."""
    ent_at = info(tok.doc).ent_at
    return {
        c.lower_ for c in tok.children
        if c.dep_ in _ARG_DEPS and not (c.i in ent_at and ent_at[c.i].label_ in {"PERSON", "ORG", "GPE"})
    }


def _pobjs(tok: Token, preps: set[str] | None = None) -> set[str]:
    return {g.lower_ for c in tok.children if c.dep_ == "prep" and (preps is None or c.lower_ in preps) for g in c.children if g.dep_ == "pobj"}


_HARM_ADVERBS = set(_W["harm_adverbs"])
#: "shoots itself in the foot": figurative
_REFLEXIVES = set(_W["reflexives"])
#: "shot up", "shot back": no passive of a headline
_PARTICLES = set(_W["phrasal_particles"])
#: "opened fire", "returned fire", "exchanged fire": gunfire; "cease fire", "under fire": not
_GUNFIRE_HEADS = set(_W["gunfire_heads"])
_NOT_GUNFIRE_HEADS = set(_W["not_gunfire_heads"])
#: subjects that make burning arson (with the perpetrator heads of the lexicon)
_ARSON_AGENTS = set(_W["arson_agent_heads"])


def _shot_sense(tok: Token, kind: str) -> str | None:
    """"shot" as harm: "was shot", "shot him", "shot and killed", "shot dead", "shot at police",
    "shot in the head", "shots rang out", "heard shots", "two shots", "a warning shot". Not "a
    veiled shot at", "a booster shot", "a shot of vaccine", "shot a film", "the film was shot",
    "took a shot at", "prices shot up", "blocked six shots", "a shot at the title"."""
    lex = lexicon()
    kids = list(tok.children)
    deps = {c.dep_ for c in kids}
    mods = {c.lower_ for c in kids if c.dep_ in _MODIFIER_DEPS}
    if mods & lex["shot_nonharm_modifiers"] or _pobjs(tok, {"of"}):
        return None
    if any(c.dep_ in {"acl", "relcl"} and c.lower_ in lex["shot_context_heads"] for c in kids):
        return kind  # "shots fired", "a call of a shot fired"
    if any(c.dep_ == "advmod" and c.lower_ in _HARM_ADVERBS for c in kids):
        return kind  # "fatally shot", "shot once"
    head = tok.head if tok.head is not tok else None
    governor = head.lower_ if head is not None else ""
    args = _args(tok)
    nonharm = lex["shot_nonharm_objects"]
    if args & nonharm or _pobjs(tok) & lex["shot_nonharm_targets"] or (tok.dep_ == "acl" and governor in nonharm | lex["shot_nonharm_modifiers"]):
        return None  # "shot a film", "a shot at the title", "a bank shot"
    if tok.dep_ == "compound":
        return kind if governor in {"victim", "victims", "wound", "wounds"} else None  # "shot victim", not "shot clock"
    if args & _REFLEXIVES and "foot" in _pobjs(tok, {"in"}):
        return None  # "shoots itself in the foot"
    if tok.dep_ == "pobj" and governor == "of" and cast(Token, head).head is not head:
        holder = cast(Token, head).head  # "the sound of shots" / "8 of 14 shots"
        return kind if holder.lower_ in lex["shot_context_heads"] else None
    if tok.dep_ in {"dobj", "conj"} and governor in lex["shot_sport_heads"]:
        return None  # "blocked six shots", "missed a shot"
    if "det" in deps and (governor in lex["shot_figurative_heads"] or "arm" in _pobjs(tok, {"in"})):
        return None  # "took a shot at", "call the shots", "give it a shot", "a shot in the arm"
    harm_verbs = lex["harm_verbs"]
    if deps & {"auxpass", "nsubjpass", "agent", "dobj"} or tok.dep_ == "acl":
        return kind  # "was shot", "a man shot by police", "shot him"
    if any(c.lower_ in {"dead", "times"} for c in kids) or "death" in _pobjs(tok, {"to"}):
        return kind  # "shot dead", "shot three times", "shot to death"
    if any(c.dep_ in {"conj", "acl", "advcl"} and c.lower_ in harm_verbs for c in kids) or (tok.dep_ == "conj" and governor in harm_verbs):
        return kind  # "shot and killed", "stabbed and shot", "Teen shot, killed"
    if any(c.dep_ == "prep" and c.lower_ in {"at", "into", "through"} for c in kids) or _pobjs(tok, {"in", "to"}) & lex["body_parts"]:
        return kind  # "shot at officers", "shot at and missed", "shot in the chest", "a shot to the head"
    if "det" not in deps and "poss" not in deps and tok.dep_ in {"ROOT", "appos", "conj", "ccomp", "advcl", "relcl", "pobj"} and deps & {"prep", "npadvmod"}:
        return kind  # headlines: "Man, Juvenile Shot in Southeast DC", "shot near sorority house"
    if "nsubj" in deps and not any(c.dep_ in {"prt", "advmod"} and c.lower_ in _PARTICLES for c in kids):
        return kind  # "Teen shot outside bar": the passive of headlines
    if governor in lex["shot_context_heads"] or (tok.dep_ in {"nsubj", "nsubjpass"} and governor in lex["shot_subject_heads"]):
        return kind  # "shots rang out", "heard shots", "fired two shots", "a shot hit him"
    if mods & lex["shot_harm_modifiers"] or "nummod" in deps:
        return kind  # "a warning shot", "three shots"
    if any(c.dep_ == "aux" and c.lower_ == "to" for c in kids):
        return kind  # "somebody started to shoot", "a gun used to shoot the boy"
    return None


def _shooting_sense(tok: Token, kind: str) -> str | None:
    """"shooting" is a shooting unless it is "a shooting star", "photo shooting", "shooting a film"."""
    lex = lexicon()
    nonharm = lex["shot_nonharm_objects"]
    following = tok.doc[tok.i + 1].lower_ if tok.i + 1 < len(tok.doc) else ""
    mods = {c.lower_ for c in tok.lefts if c.dep_ in _MODIFIER_DEPS}
    if following in lex["shooting_nonharm_next"] or mods & lex["shot_nonharm_modifiers"]:
        return None
    if any(t.lower_ in {"percent", "%", "pct"} for t in tok.doc[tok.i + 1 : tok.i + 4]):
        return None  # "shooting 51 percent"
    if _args(tok) & nonharm or _pobjs(tok, {"of", "for"}) & (nonharm | lex["shot_nonharm_targets"]):
        return None  # "shooting a film", "shooting for a 2011 release"
    return kind


def _fire_sense(tok: Token, kind: str) -> str | None:
    """"fire" is a fire; shooting when "opened", "returned" or "exchanged", or a verb aimed "at"
    someone ("began to fire at police"); arson when "set" ("set the car on fire"); nothing when
    someone is fired from a job or a ceasefire is held."""
    lex = lexicon()
    kids = list(tok.children)
    deps = {c.dep_ for c in kids}
    head = tok.head.lower_ if tok.head is not tok else ""
    if deps & {"aux", "nsubj", "dobj", "auxpass", "nsubjpass"} and "det" not in deps:  # a verb
        objects = {c.lower_ for c in kids if c.dep_ == "dobj"}
        if _aimed(tok) or objects & lex["firearm_objects"]:
            return "shooting"
        return None  # "fire the coach"
    if head in _GUNFIRE_HEADS:
        return "shooting"
    if head in _NOT_GUNFIRE_HEADS:
        return None
    if tok.dep_ in {"compound", "nmod", "amod"} and head in lex["fire_responder_heads"]:
        return None  # "fire officials said", "the Fire Department": who responds, not what burned
    if tok.dep_ == "dobj" and head in {"set", "sets", "setting"}:
        return "arson"  # "set a fire"
    if tok.dep_ == "pobj" and head == "on" and tok.head.head.lower_ in {"set", "sets", "setting"}:
        return "arson"  # "set the building on fire"
    return kind


def _fired_sense(tok: Token, kind: str) -> str | None:
    """"fired"/"firing" with firearms: "shots were fired", "fired two rounds", "fired at police",
    a gun in the sentence; not "was fired from his job", "fired the coach", "the firing of"."""
    lex = lexicon()
    kids = list(tok.children)
    deps = {c.dep_ for c in kids}
    arms = lex["firearm_objects"]
    subjects = {c.lower_ for c in kids if c.dep_ == "nsubjpass"}
    objects = {c.lower_ for c in kids if c.dep_ == "dobj"}
    if subjects & arms or (tok.dep_ in {"acl", "amod"} and tok.head.lower_ in arms) or objects & arms:
        return kind
    if any(c.lower_ == "times" for c in kids) or _aimed(tok):
        return kind  # "fired 10 times", "fired at police"
    sent = info(tok.doc).sent(tok.i)
    words = {t.lower_ for t in sent}
    if words & lex["dismissal_words"]:
        return None  # "O'Brien, fired on June 8 as coach"
    if words & arms:
        return kind  # "drew a handgun and fired, striking him"
    if deps & {"auxpass", "nsubjpass", "dobj", "poss"} or tok.dep_ in {"amod", "acl", "compound"} or _pobjs(tok, {"of", "from"}):
        return None  # "was fired", "fired the instructor", "the firing of", "fired from his job"
    if any(c.lower_ == "up" for c in kids) or (tok.head is not tok and tok.head.lower_ in {"hiring", "hired", "hire"}):
        return None
    return kind  # "the gunman fired", "heavy firing"


def _burned_sense(tok: Token, kind: str) -> str | None:
    """Burning by attackers is arson: "guerrillas burned five buses"."""
    lex = lexicon()
    agents = [c for c in tok.children if c.dep_ == "nsubj"]
    agents += [g for c in tok.children if c.dep_ == "agent" for g in c.children if g.dep_ == "pobj"]
    if not agents and tok.dep_ == "conj" and tok.head is not tok:
        agents = [c for c in tok.head.children if c.dep_ == "nsubj"]  # "guerrillas set ... and burned ..."
    heads = lex["perpetrator_individual_heads"] | lex["perpetrator_org_heads"] | _ARSON_AGENTS
    if any(a.lower_ in heads for a in agents):
        return "arson"
    return kind


_SENSES = {"shot": _shot_sense, "shooting": _shooting_sense, "fire": _fire_sense, "fired": _fired_sense, "burned": _burned_sense}


_VIOLENT = {"armed_assault", "bombing", "shooting", "stabbing", "arson", "hostage_kidnapping", "vehicle_attack", "assassination"}


def _event_type(cues: Cues, tokens: set[int] | None = None, attackers: bool = False) -> str:
    """The type most cues vote for; "other" when none does. An explosion in an attack (a violent
    cue, or ``attackers`` named) is a bombing, as GTD's "Bombing/Explosion" has it."""
    lex = lexicon()
    votes: dict[str, int] = {}
    for i, kind in cues.hits:
        if tokens is None or i in tokens:
            votes[kind] = votes.get(kind, 0) + 1
    if not votes:
        return "other"
    if votes.get("shooting") and (votes.get("bombing") or votes.get("arson") or votes.get("explosion")) and votes.get("armed_assault"):
        return "armed_assault"
    if votes.get("explosion") and (attackers or _VIOLENT & votes.keys()):
        votes["bombing"] = votes.get("bombing", 0) + votes.pop("explosion")
    for cause, effects in lex["type_absorbs"]:
        if votes.get(cause):
            for effect in effects:
                votes[cause] += votes.pop(effect, 0)
    priority = lex["type_priority"]
    return max(votes, key=lambda k: (votes[k], -priority.index(k)))


def _event_sentences(doc: Doc, cues: Cues) -> list[SpacySpan]:
    lex = lexicon()
    words = lex["harm_words"] | lex["other_incident_words"] | _ATTACK_VERBS
    lowers = info(doc).lowers
    return [
        s for s in info(doc).sents
        if any(i in cues.at or (lowers[i] in words and i not in cues.rejected) for i in range(s.start, s.end))
    ]


def _other_incident(doc: Doc, sents: list[SpacySpan], cues: Cues) -> bool:
    """A harm event with no type cue: a harm word ("killed", "drowned", "accident") in an event
    sentence, in its harm sense ("injured his knee" is not)."""
    lex = lexicon()
    words, rules = lex["other_incident_words"], lex["cue_rules"]
    lowers = info(doc).lowers
    return any(
        lowers[i] in words and i not in cues.rejected and _sense(doc, i, 1, "other_incident", rules.get((lowers[i],)))
        for s in sents for i in range(s.start, s.end)
    )


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
            elif (verb.lower_ in lex["harm_verbs"] or verb.lower_ in lex["harm_nouns"]) and not is_place:
                victims.append(_item(doc, _after_titles(doc, start, end), end))  # people are killed: a name the NER missed
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


#: heads that keep their "of": "members of the FMLN"
_GROUP_MEMBER_NOUNS = set(_W["group_member_nouns"])


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
    if token.lower_ in _GROUP_MEMBER_NOUNS:
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


_LOCATIVE = set(_W["locative_prepositions"])
_PLACE_OF = set(_W["place_of_nouns"])


@lru_cache(maxsize=1)
def _countries() -> frozenset[str]:
    data = en.load("countries")
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
    return root.dep_ in {"dobj", "nsubjpass"} and root.head.lower_ in lexicon()["attack_verbs"]  # the place attacked: "gunmen attacked the Crocus City Hall"


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


def _further_scopes(doc: Doc, sents: list[SpacySpan], frames) -> list[list[SpacySpan]]:
    """Groups of event sentences that clearly describe another event: outside quotations, a harm
    or attack frame with a victim or target, at a place the main event's lead does not name, and a
    cue of separateness ("in a separate attack", "elsewhere", "another"). Following event sentences
    that name no place join the group."""
    lex = lexicon()
    meta = info(doc)
    quotes = find_quotes(meta.text)
    framed = {meta.sent(f[2].i).start for f in frames if f[1]}
    quote_starts = [a for a, _ in quotes]

    def places(sent: SpacySpan) -> set[str]:
        return {e.text.lower() for e in meta.ents_from(sent.start, sent.end) if e.label_ in {"GPE", "LOC", "FAC"}}

    named = [places(s) for s in sents]
    main = next((here for here in named if here), set())
    groups: list[list[SpacySpan]] = []
    current: list[SpacySpan] | None = None
    for sent, here in zip(sents, named):
        k = bisect_right(quote_starts, sent.start_char) - 1  # quotations are in text order, none inside another
        inside_quote = k >= 0 and sent.start_char < quotes[k][1]
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


def _attackers(orgs: list[RoleItem], people: list[RoleItem]) -> bool:
    """Whether the perpetrators are attackers: a claim or a confirmation, a known armed group, or
    gunmen, militants, terrorists..."""
    heads = lexicon()["perpetrator_individual_heads"]
    return (
        any(item.status in {"claimed", "confirmed"} for item in orgs + people)
        or any(item.text.lower().split()[-1] in heads for item in people)
        or any(_group_re().search(item.text) for item in orgs)
    )


MAX_TYPE_SUPPORT = 5


def _type_support(doc: Doc, cues: Cues, tokens: set[int], sents: list[SpacySpan], kind: str) -> list[Span]:
    """The cue words that voted for ``kind`` (or whose votes it took: a bombing's explosions, a
    shooting's fire), in text order, at most :data:`MAX_TYPE_SUPPORT`; for ``other_incident``,
    its harm words."""
    lex = lexicon()
    if kind == "other_incident":
        words, rules = lex["other_incident_words"], lex["cue_rules"]
        lowers = info(doc).lowers
        at = [
            (i, 1) for s in sents for i in range(s.start, s.end)
            if lowers[i] in words and i not in cues.rejected and _sense(doc, i, 1, "other_incident", rules.get((lowers[i],)))
        ]
    else:
        kinds = {kind}
        for cause, effects in lex["type_absorbs"]:
            if cause == kind:
                kinds.update(effects)
        if kind == "bombing":
            kinds.add("explosion")
        elif kind == "armed_assault":
            kinds.update({"shooting", "bombing", "arson", "explosion"})
        length = {i: n for i, n, _ in cues.senses}
        at = [(i, length.get(i, 1)) for i, voted in cues.hits if voted in kinds and i in tokens]
    text = info(doc).text
    spans = []
    for i, n in sorted(set(at))[:MAX_TYPE_SUPPORT]:
        start, last = doc[i].idx, doc[i + n - 1]
        end = last.idx + len(last.text)
        spans.append(Span(text=text[start:end], start=start, end=end))
    return spans


def _perpetrators_described(items: list[RoleItem], doc: Doc, role: str | None) -> list[RoleItem]:
    """Perpetrators with what the report says of each (people: name, age, gender, and their
    status when no rule gave one); the model's organisations are *suspected*."""
    out = []
    for item in items[:MAX_ITEMS]:
        if role is None:
            out.append(item if item.status else item.model_copy(update={"status": "suspected"}))
            continue
        said = persons.describe(doc, item.start, item.end, role)
        status = item.status if item.status not in (None, "suspected") else said["status"]
        out.append(item.model_copy(update={"name": said["name"] or roles.proper_name(item.text), "age": said["age"], "gender": said["gender"], "status": status}))
    if any(item.name for item in out):  # named suspects: "suspects", "the gunman" say nothing more
        out = [item for item in out if item.name or roles.key(item.text).split()[-1] not in roles.PERP_NOUNS]
    return out


@lru_cache(maxsize=1)
def _weapon_modifiers() -> frozenset[str]:
    data = en.load("weapons")
    return frozenset(data["weapon_modifiers"])


def _with_modifiers(doc: Doc, items: list[RoleItem]) -> list[RoleItem]:
    """Weapons with the word before them when it says what kind they are and the parse left it
    out ("improvised explosive devices", where "improvised" was read as a verb)."""
    text = info(doc).text
    out = []
    for item in items:
        m = re.search(r"([A-Za-z-]+)\s+$", text[max(0, item.start - 40) : item.start])
        if m and m.group(1).lower() in _weapon_modifiers():
            start = item.start - len(m.group(0))
            item = item.model_copy(update={"text": text[start : item.end], "start": start})
        out.append(item)
    return out


def _victims_described(items: list[RoleItem], doc: Doc) -> list[RoleItem]:
    """Victims with their name, age, gender and harm (killed, injured, kidnapped) where stated."""
    out = []
    for item in items[:MAX_ITEMS]:
        said = persons.describe(doc, item.start, item.end, "victim")
        out.append(item.model_copy(update={"name": said["name"] or roles.proper_name(item.text), "age": said["age"], "gender": said["gender"], "harm": said["harm"]}))
    return out


def _event(doc: Doc, tokens: set[int], sents: list[SpacySpan], found, frames, cues: Cues, published: str | None) -> Event:
    orgs, people = _perpetrator_items(doc, [f for f in found if f[0] in tokens])
    scoped_frames = [f for f in frames if f[2].i in tokens]
    victims, targets, weapons = _roles(doc, sents, scoped_frames)
    if roles.SPANS_KEY in doc.spans:  # the trained role extractor ran: its fillers join the rules'
        model = roles.model_items(doc, tokens)
        orgs = _perpetrators_described(roles.combine("perpetrator_organizations", orgs, model["perpetrator_organizations"]), doc, None)
        people = _perpetrators_described(roles.combine("perpetrator_individuals", people, model["perpetrator_individuals"]), doc, "suspect")
        victims = _victims_described(roles.combine("victims", victims, model["victims"]), doc)
        targets = roles.combine("targets", targets, model["targets"])[:MAX_ITEMS]
        weapons = _with_modifiers(doc, roles.combine("weapons", weapons, model["weapons"]))[:MAX_ITEMS]
    kind = _event_type(cues, tokens, _attackers(orgs, people))
    if kind == "other" and not (orgs or people or weapons) and _other_incident(doc, sents, cues):
        kind = "other_incident"
    when = event_date(doc, sents, published)
    return Event(
        type=cast(EventType, kind),
        perpetrator_organizations=orgs,
        perpetrator_individuals=people,
        victims=victims,
        targets=targets,
        weapons=weapons,
        locations=_locations(doc, sents),
        date=when.value if when else None,
        date_support=when,
        type_support=_type_support(doc, cues, tokens, sents, kind),
    )


def extract_events(doc: Doc, published: str | None = None) -> list[Event]:
    """The report's main event first, then any further event it clearly describes; nothing when
    the report describes no incident: no type cue, no perpetrator or weapon and no harm word."""
    cues = _cues(doc)
    found, frames = _perpetrators(doc, cues.rejected)
    sents = _event_sentences(doc, cues)
    further = _further_scopes(doc, sents, frames)
    taken = {t for group in further for s in group for t in range(s.start, s.end)}
    main_tokens = set(range(len(doc))) - taken
    main = _event(doc, main_tokens, [s for s in sents if s.start not in taken], found, frames, cues, published)
    if main.type == "other" and not (main.perpetrator_organizations or main.perpetrator_individuals or main.weapons):
        return []
    events = [main]
    for group in further:
        tokens = {t for s in group for t in range(s.start, s.end)}
        event = _event(doc, tokens, group, found, frames, cues, published)
        if event.victims or event.targets:
            events.append(event)
    return events
