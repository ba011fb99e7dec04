"""Per-person attributes of a victim or suspect filler, read from the parse (contract 1.5).

:func:`describe` takes a person filler span of a parsed report and returns its ``name``,
``age``, ``gender`` and, for a victim, its ``harm`` (killed, injured, kidnapped, harmed) or,
for a suspect, its ``status`` (suspected, accused, claimed, at_large, arrested, charged,
killed). Every rule is local and conservative: a value is given only when the text states it
next to the person, else None.

- **name**: the PERSON entity the filler is or contains (or lies in), titles stripped
  ("Officer Andrew Williams" -> "Andrew Williams").
- **age**: "Andrew Williams, 32,", "Williams, 32, of Elgin", "32-year-old Andrew Williams",
  "a 12-year-old boy", "Williams, a 32-year-old father", "Williams (32)", "aged 32";
  "6-month-old" is 0.
- **gender**: a gendered noun in the filler or its apposition (man, woman, boy, girl, father,
  mother, Mr., Mrs., ...); else he/she/his/her after the person in its sentence and the next,
  when no other person (a PERSON entity or a gendered noun) stands in that window and the
  pronouns agree.
- **harm / status**: cue words linked to the person in the dependency tree of its sentence
  (at most :data:`MAX_PATH` arcs; not through a verb of speech, nor into a clause with a
  subject of its own: "Smith was injured and Jones was killed"), the most severe or advanced
  one winning; a negated cue ("was not injured") counts for nothing, nor does an active
  subject of a transitive cue ("Smith shot and killed Jones" does not make Smith killed),
  except a reflexive one ("killed himself"). When the person's sentence gives no harm (or only
  "shot"), a next sentence whose subject is "he"/"she" (of the person's gender, if known) or the
  person's surname is read the same way ("Williams was shot. He died at the hospital.").
  "Shot"/"stabbed" alone is ``harmed``; "shot in the leg" is ``injured``. A suspect with no cue
  is ``suspected``.
"""

from __future__ import annotations

import re
from functools import lru_cache

from spacy.tokens import Doc, Span, Token

from corroborate.analyze.docinfo import info
from corroborate.lang import en

#: The longest dependency path (in arcs) between a person and a cue word.
MAX_PATH = 4

#: the words of the rules (``lang/en/people.json``)
_LEX = en.load("people")
_MALE = set(_LEX["male"])
_FEMALE = set(_LEX["female"])
#: Gendered nouns only (no pronouns): another person standing in a pronoun's window.
_GENDER_NOUNS = (_MALE | _FEMALE) - {"he", "she", "male", "female"}
_HE = set(_LEX["he"])
_SHE = set(_LEX["she"])

_EXTRA_TITLES = set(_LEX["extra_titles"])
_POSSESSIVE = set(_LEX["possessive_clitics"])
_SUFFIXES = set(_LEX["name_suffixes"])

_NUMBER_WORDS: dict[str, int] = dict(_LEX["number_words"])
_NUM = r"(\d{1,3}|" + "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True)) + r")"
_YEAR_OLD = re.compile(_NUM + r"[- ](years?|months?|weeks?|days?)[- ]old\b", re.IGNORECASE)
_AFTER_AGE = (
    re.compile(r"\s*,\s*(\d{1,3})\s*(?=[,.;:)\u2014-]|\s+(?:of|from|and|was|is|were|who|died)\b|$)"),
    re.compile(r"\s*\(\s*(\d{1,3})\s*\)"),
    re.compile(r"\s*,?\s*(?:aged?)\s+(\d{1,3})\b", re.IGNORECASE),
)
_APPOSITION = re.compile(r"\s*,\s*(?:an?|the)\s+((?:[\w.'-]+\s+){0,4}?[\w.'-]+)\s*(?=[,.;)]|$)", re.IGNORECASE)

_SPEECH = set(_LEX["speech_verbs"])

_HARM_CUES: dict[str, str] = dict(_LEX["harm_cues"])
_HARM_RANK = {"harmed": 0, "injured": 1, "kidnapped": 2, "killed": 3}

_STATUS_CUES: dict[str, str] = dict(_LEX["status_cues"])
_STATUS_RANK = {"suspected": 0, "accused": 1, "claimed": 1, "at_large": 2, "arrested": 3, "charged": 4, "killed": 5}

#: Cue verbs whose active subject is the one who does the harm, not the one harmed.
_TRANSITIVE = set(_LEX["transitive_verbs"])
_REFLEXIVE = set(_LEX["reflexives"])
#: "in critical condition": the words that make "condition" an injury
_CONDITIONS = set(_LEX["condition_words"])


@lru_cache(maxsize=1)
def _titles() -> frozenset[str]:
    # imported late: the events module may import this one
    from corroborate.analyze.events import lexicon

    return frozenset(lexicon()["title_words"]) | frozenset(_EXTRA_TITLES)


@lru_cache(maxsize=1)
def _body_parts() -> frozenset[str]:
    from corroborate.analyze.events import lexicon

    return frozenset(lexicon()["body_parts"])


def describe(doc: Doc, start_char: int, end_char: int, role: str) -> dict:
    """``name``, ``age``, ``gender`` and ``harm`` (role "victim") or ``status`` (role "suspect")
    of the person filler at ``start_char`` .. ``end_char`` of ``doc``; None where not stated."""
    out: dict = {"name": None, "age": None, "gender": None}
    out["harm" if role == "victim" else "status"] = None if role == "victim" else "suspected"
    data = info(doc)
    span = doc.char_span(start_char, end_char, alignment_mode="expand")
    if span is None or not len(span):
        return out
    root = _root(span)
    sent = data.sent(root.i)
    ent = _person_entity(doc, span)
    if ent is not None:
        out["name"] = _name(doc, ent)
    out["age"] = _age(data.text, span, sent)
    out["gender"] = _gender(doc, span, sent, ent)
    if role == "victim":
        out["harm"] = _harm(doc, root, sent, out["gender"], out["name"])
    else:
        out["status"] = _status(doc, root, sent, out["gender"], out["name"]) or "suspected"
    return out


def _root(span: Span) -> Token:
    """The span's head: the token whose head lies outside the span (the last such, for a flat span)."""
    heads = [t for t in span if t.head.i < span.start or t.head.i >= span.end or t.head.i == t.i]
    return heads[-1] if heads else span[-1]


def _person_entity(doc: Doc, span: Span) -> Span | None:
    data = info(doc)
    for i in range(span.start, span.end):
        ent = data.ent_at.get(i)
        if ent is not None and ent.label_ == "PERSON":
            after = data.lowers[ent.end] if ent.end < span.end else ""
            if after in _POSSESSIVE or data.lowers[ent.end - 1].endswith(("'", "\u2019")):
                return None  # "Bibbes' mother": the filler is the mother, not Bibbes
            return ent
    return None


def _name(doc: Doc, ent: Span) -> str | None:
    """The entity's text without leading titles, trailing "'s" and name suffix punctuation."""
    titles = _titles()
    lowers = info(doc).lowers
    start, end = ent.start, ent.end
    while start < end - 1 and (lowers[start] in titles or lowers[start].rstrip(".") in titles):
        start += 1
    while end > start + 1 and lowers[end - 1] in {"'s", "’s", "'", ",", "."}:
        end -= 1
    text = info(doc).text[doc[start].idx : doc[end - 1].idx + len(doc[end - 1].text)]
    words = [w for w in text.split() if w.lower().rstrip(".") not in {s.rstrip(".") for s in _SUFFIXES}]
    if not words or not words[0][:1].isupper() or words[0].lower() in titles or words[-1].lower() in _GENDER_NOUNS:
        return None
    return text


def _age_value(number: str, unit: str = "year") -> int | None:
    value = int(number) if number.isdigit() else _NUMBER_WORDS.get(number.lower())
    if value is None:
        return None
    if not unit.lower().startswith("year"):
        return 0
    return value if 0 < value <= 110 else None


def _age(text: str, span: Span, sent: Span) -> int | None:
    start, end = span.start_char, span.end_char
    inner = text[start:end]
    match = _YEAR_OLD.search(inner)
    if match:
        return _age_value(match.group(1), match.group(2))
    before = text[max(sent.start_char, start - 60) : start]
    for match in _YEAR_OLD.finditer(before):
        gap = before[match.end() :]
        if re.fullmatch(r"\s*(?:[\w.'-]+\s+){0,3}", gap) and "," not in gap:
            return _age_value(match.group(1), match.group(2))
    after = text[end : min(sent.end_char + 1, end + 60)]
    for pattern in _AFTER_AGE:
        match = pattern.match(after)
        if match:
            return _age_value(match.group(1))
    match = _APPOSITION.match(after)
    if match:
        inner_match = _YEAR_OLD.search(match.group(1))
        if inner_match:
            return _age_value(inner_match.group(1), inner_match.group(2))
    return None


def _gender_of_words(words) -> str | None:
    male = female = False
    for word in words:
        word = word.lower()
        male |= word in _MALE
        female |= word in _FEMALE
    if male != female:
        return "male" if male else "female"
    return None


def _gender(doc: Doc, span: Span, sent: Span, ent: Span | None) -> str | None:
    data = info(doc)
    lowers = data.lowers
    words = [lowers[i] for i in range(span.start, span.end) if lowers[i] not in {"he", "she"}]
    if span.start > 0:
        words.append(lowers[span.start - 1])  # "Mr. Williams", "Mrs. Williams"
    gender = _gender_of_words(words)
    if gender:
        return gender
    after = data.text[span.end_char : min(sent.end_char + 1, span.end_char + 80)]
    match = _APPOSITION.match(after)
    if match:
        gender = _gender_of_words(re.findall(r"[\w.'-]+", match.group(1)))
        if gender:
            return gender
    return _pronoun_gender(doc, span, sent, ent)


def _pronoun_gender(doc: Doc, span: Span, sent: Span, ent: Span | None) -> str | None:
    """He/she after the person in its sentence and the next, when nobody else stands there."""
    data = info(doc)
    lowers = data.lowers
    k = data.sent_of[span.start]
    end = data.sents[k + 1].end if k + 1 < len(data.sents) else sent.end
    surname = lowers[ent.end - 1] if ent is not None else None
    found = set()
    for i in range(sent.start, end):
        if span.start <= i < span.end:
            continue
        other = data.ent_at.get(i)
        if (
            other is not None and other.label_ == "PERSON" and (ent is None or other.start != ent.start)
            and (surname is None or lowers[other.end - 1] != surname)
        ):
            return None  # another person: the pronoun may be theirs
        if lowers[i] in _GENDER_NOUNS:
            return None
        if i > span.end - 1:
            if lowers[i] in _HE:
                found.add("male")
            elif lowers[i] in _SHE:
                found.add("female")
    return found.pop() if len(found) == 1 else None


def _path(a: Token, b: Token) -> tuple[list[Token], int] | None:
    """The tokens on the dependency path from ``a`` to ``b`` (both included), and the index of
    their common ancestor in it; None when they share none."""
    up_a = [a]
    while up_a[-1].head.i != up_a[-1].i:
        up_a.append(up_a[-1].head)
    index = {t.i: n for n, t in enumerate(up_a)}
    up_b = [b]
    while up_b[-1].i not in index:
        if up_b[-1].head.i == up_b[-1].i:
            return None
        up_b.append(up_b[-1].head)
    top = index[up_b[-1].i]
    return up_a[: top + 1] + list(reversed(up_b[:-1])), top


def _negated(tok: Token) -> bool:
    if any(c.dep_ == "neg" for c in tok.children):
        return True
    return tok.dep_ in {"acomp", "xcomp", "oprd"} and any(c.dep_ == "neg" for c in tok.head.children)


def _linked(person: Token, cue: Token, gender: str | None = None) -> bool:
    """Whether a cue word speaks of the person: a short path, not through a verb of speech, not
    into a clause with a subject of its own, and not the active subject of a transitive cue."""
    found = _path(person, cue)
    if found is None or len(found[0]) - 1 > MAX_PATH or _negated(cue):
        return False
    path, top = found
    for tok in path[1:]:
        if tok.lower_ in _SPEECH and tok is not cue:
            return False
    ancestors = {t.i for t in path[: top + 1]}
    for tok in path[top + 1 :]:  # the descending part: from the common ancestor down to the cue
        subjects = [c for c in tok.children if c.dep_ in {"nsubj", "nsubjpass"}]
        own = {"who", "that"} | ({"he"} if gender != "female" else set()) | ({"she"} if gender != "male" else set())
        if subjects and not any(s.i in ancestors for s in subjects) and subjects[0].lower_ not in own:
            return False  # "Smith was injured and Jones was killed": killed has a subject of its own
    if cue.lower_ in _TRANSITIVE and not any(c.dep_ == "auxpass" for c in cue.children) and cue.dep_ not in {"acl", "amod"}:
        subject = _active_subject(cue)
        if subject is not None and subject.i == _clause_token(person).i:
            return any(c.lower_ in _REFLEXIVE for c in cue.children if c.dep_ == "dobj")
    return True


def _active_subject(verb: Token) -> Token | None:
    subj = next((c for c in verb.children if c.dep_ == "nsubj"), None)
    if subj is None and verb.dep_ in {"conj", "xcomp"} and verb.head.i != verb.i:
        return _active_subject(verb.head)
    return subj


def _clause_token(person: Token) -> Token:
    """The token that stands for the person in its clause: the person, or the appositive host."""
    return person.head if person.dep_ == "appos" else person


def _cues_for(doc: Doc, person: Token, sent: Span, table: dict[str, str], gender: str | None = None) -> list[tuple[str, Token]]:
    lowers = info(doc).lowers
    found = []
    for i in range(sent.start, sent.end):
        low = lowers[i]
        if low not in table or i == person.i:
            continue
        cue = doc[i]
        if low == "large" and cue.head.lower_ != "at":
            continue
        if low == "run" and cue.head.lower_ != "on":
            continue
        if _linked(person, cue, gender):
            found.append((table[low], cue))
    return found


def _harm_in(doc: Doc, person: Token, sent: Span, gender: str | None = None) -> str | None:
    first = person
    while first.dep_ == "conj" and first.head.i != first.i:
        first = first.head
    if any(t.lower_ in {"neither", "nor"} for t in first.subtree):
        return None  # "neither Bibbes' mother nor his brothers were injured"
    best = None
    for harm, cue in _cues_for(doc, person, sent, _HARM_CUES, gender):
        if harm == "harmed" and cue.lower_ in {"shot", "stabbed"} and _in_body_part(cue):
            harm = "injured"
        if harm == "injured" and cue.lower_ == "condition" and not any(c.lower_ in _CONDITIONS for c in cue.children):
            continue
        if best is None or _HARM_RANK[harm] > _HARM_RANK[best]:
            best = harm
    return best


def _in_body_part(cue: Token) -> bool:
    parts = _body_parts()
    return any(
        prep.dep_ == "prep" and prep.lower_ in {"in", "on"} and any(p.lower_ in parts for p in prep.subtree)
        for prep in cue.children
    )


def _follow_up(doc: Doc, sent: Span, gender: str | None, name: str | None) -> Token | None:
    """The subject of the next sentence when it is the person again: he/she (of the person's
    gender, if known) or the person's surname."""
    data = info(doc)
    k = data.sent_of[sent.start]
    if k + 1 >= len(data.sents):
        return None
    nxt = data.sents[k + 1]
    subject = next((t for t in nxt if t.dep_ in {"nsubj", "nsubjpass"} and t.head.dep_ == "ROOT"), None)
    if subject is None:
        return None
    low = subject.lower_
    if low in {"he", "she"}:
        pronoun = "male" if low == "he" else "female"
        return subject if gender in {None, pronoun} else None
    if name and low == name.split()[-1].lower():
        return subject
    return None


def _harm(doc: Doc, root: Token, sent: Span, gender: str | None, name: str | None) -> str | None:
    harm = _harm_in(doc, root, sent, gender)
    if harm in {None, "harmed"}:
        subject = _follow_up(doc, sent, gender, name)
        if subject is not None:
            later = _harm_in(doc, subject, info(doc).sent(subject.i))
            if later is not None and (harm is None or _HARM_RANK[later] > _HARM_RANK[harm]):
                harm = later
    return harm


def _status_in(doc: Doc, person: Token, sent: Span, gender: str | None = None) -> str | None:
    best = None
    for status, cue in _cues_for(doc, person, sent, _STATUS_CUES, gender):
        if status == "killed" and cue.lower_ == "killed" and not (
            any(c.dep_ == "auxpass" for c in cue.children) or any(c.lower_ in _REFLEXIVE for c in cue.children)
            or cue.dep_ in {"acl", "amod"}
        ):
            continue  # "the gunman killed two people": not the gunman's death
        if best is None or _STATUS_RANK[status] > _STATUS_RANK[best]:
            best = status
    return best


def _status(doc: Doc, root: Token, sent: Span, gender: str | None, name: str | None) -> str | None:
    status = _status_in(doc, root, sent, gender)
    if status is None:
        subject = _follow_up(doc, sent, gender, name)
        if subject is not None:
            status = _status_in(doc, subject, info(doc).sent(subject.i))
    return status
