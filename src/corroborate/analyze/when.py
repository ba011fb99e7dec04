"""When an event happened: the day, from the words that state it, and those words.

:func:`event_date` reads the date phrases of a report with one regular expression (not the
named-entity tagger, which misses "Sept. 19" and tags "5400" of "the 5400 block" as a date) and
resolves them itself against the publication date, without dateparser:

- a phrase must name a day: a weekday ("Friday", "late Saturday", "early Sunday morning",
  "Tuesday night"), a relative day ("yesterday", "today", "tonight", "last night", "this
  morning"), a day of a month ("on March 22", "Sept. 19", "March 22, 2024"), a numeric date
  ("3/22/2024", "2024-03-22") or a holiday ("New Year's Eve", "Thanksgiving"). A bare year
  ("in 1884", "since 2009"), a month ("March 2024") or a span ("four months ago", "earlier this
  week") names no day;
- a weekday is the latest such day on or before the publication day ("last Friday", when
  published on a Friday, the one a week before); a day of a month without a year is the latest
  one on or before it (in a report of January 3, "December 28" is last year's);
- without ``published``, only a complete date (day, month and year) is kept, never one resolved
  against the clock of the machine that reads it;
- no date after the publication day (a day of a month up to :data:`FUTURE_DAYS` ahead is a date
  to come, not last year's), none before 1900, and a phrase without its year never more than a
  year back; a number is a year only as 18xx, 19xx or 20xx next to a month and day ("the 7700
  block ... Feb. 1" once made 7700-02-01);
- the date of a statement or of what followed the event is not the event's: "police said
  Tuesday" (but "On Tuesday, police said the man was shot" is), "appeared in court Monday",
  "was arrested Friday", "turned himself in Wednesday", "remained in critical condition Sunday
  night", "Posted: Tuesday, April 15", a dateline's "(April 14, 2016)", a quoted tweet's date;
  nor a day that only anchors another ("the day after Thanksgiving");
- which phrase: the first (in text order) whose governing words (up to their verb) make it the
  incident's ("was shot Sunday", "the shooting happened Wednesday night", "the Sunday night
  shooting", "the shooting was reported Sunday") in an event sentence or next to one (anywhere,
  for "happened", "occurred", "incident", "shooting", "shot"); else the first in an event
  sentence; else the first next to one; else the first anywhere.

Measured on the GVA train part (README, Dates): a date for 83% of reports, right for 87% of
those; the majority date right for 80% of incidents.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import cast

from spacy.tokens import Doc, Token
from spacy.tokens import Span as SpacySpan

from corroborate.analyze.docinfo import info
from corroborate.lang import en
from corroborate.records import DateMention

#: the words of the date rules (``lang/en/when.json``)
_LEX = en.load("when")
WEEKDAYS: tuple[str, ...] = tuple(_LEX["weekdays"])
_MONTHS: dict[str, int] = dict(_LEX["months"])
#: The earliest event date taken; a phrase without its year goes back at most this many days.
EARLIEST = date(1900, 1, 1)
MAX_DAYS_BACK = 366
#: A day of a month this many days after the publication is a date ahead, not last year's.
FUTURE_DAYS = 60

_PART = r"(?:" + "|".join(_LEX["parts_of_day"]) + r")"
_WEEKDAY = r"(?:" + "|".join(WEEKDAYS) + r")"
_MONTH = r"(?:" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_DAYNUM = r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?"
_HOLIDAY = (
    r"new\s+year'?s\s+(?:eve|day)|christmas\s+(?:eve|day)|christmas|thanksgiving(?:\s+day)?|independence\s+day|"
    r"fourth\s+of\s+july|halloween|valentine'?s\s+day|memorial\s+day|labor\s+day|easter(?:\s+sunday)?|"
    r"mother'?s\s+day|father'?s\s+day|black\s+friday"
)
_PHRASE = re.compile(
    r"(?<![\w/.-])(?:"
    # a day of a month, with a weekday and a year if given: "Sunday, Nov. 27, 2016", "on March 22"
    r"(?:(?P<md_wd>" + _WEEKDAY + r"),?\s+)?(?P<md_month>" + _MONTH + r")\s+(?P<md_day>" + _DAYNUM + r")(?![\d:])"
    r"(?:,?\s+(?P<md_year>(?:1[89]|20)\d\d)(?!\d))?"
    # "the 5th of July", "20 May 2016"
    r"|(?P<dm_day>" + _DAYNUM + r")\s+(?:of\s+)?(?P<dm_month>" + _MONTH + r")(?![\w])(?:,?\s+(?P<dm_year>(?:1[89]|20)\d\d)(?!\d))?"
    # numeric: 3/22/2024, 3/22/24, 2024-03-22
    r"|(?P<num_m>1[0-2]|0?[1-9])/(?P<num_d>[12]\d|3[01]|0?[1-9])/(?P<num_y>(?:1[89]|20)\d\d|\d\d)(?![\d/])"
    r"|(?P<iso_y>(?:1[89]|20)\d\d)-(?P<iso_m>1[0-2]|0[1-9])-(?P<iso_d>[12]\d|3[01]|0[1-9])(?![\d-])"
    # a weekday: "late Saturday", "early Sunday morning", "last Friday", "Tuesday night"
    r"|(?:(?P<wd_mod>early|late|last|this|next|past|coming)\s+)?(?P<wd>" + _WEEKDAY + r")(?:\s+" + _PART + r")?"
    # a relative day: "yesterday", "early today", "last night", "this morning", "tonight"
    r"|(?:(?:early|late|earlier|later)\s+)?(?P<rel>yesterday|today|tonight)(?:\s+" + _PART + r")?"
    r"|(?P<lastnight>last\s+night)|(?P<this>this\s+(?:morning|afternoon|evening))"
    r"|(?P<holiday>" + _HOLIDAY + r")"
    r")(?![\w-])",
    re.IGNORECASE,
)

#: Words whose date is the event's: "was shot Sunday", "the shooting happened Friday" (with the
#: harm, attack and type-cue words of the event lexicon).
_INCIDENT_EXTRA = set(_LEX["incident_words"])
_HAPPENED = set(_LEX["happened_words"])
#: Words whose date is often, not always, the event's ("died Tuesday" after a shooting on Monday):
#: their phrase ranks with the other phrases of an event sentence.
_WEAK = set(_LEX["weak_words"])
#: Words whose date is that of a statement: "police said Tuesday" (but not "On Tuesday, police
#: said the man was shot", see :func:`_statement`).
_SAY = set(_LEX["say_words"])
#: Words whose date is that of what followed the event: "was arrested Friday", "appeared in court
#: Monday", "remained in critical condition Sunday night", "a vigil Tuesday night".
_AFTER = set(_LEX["after_words"])
_STATEMENT = _SAY | _AFTER
#: A phrase that only anchors another day: "the day after Thanksgiving", "the night before".
_RELATIVE_TO = re.compile(r"\b(?:" + "|".join(_LEX["anchor_units"]) + r")\s+(?:" + "|".join(_LEX["anchor_relations"]) + r")\s+(?:the\s+)?$",
                          re.IGNORECASE)
_HEADER_WORDS = set(_LEX["header_words"])


def _base(published: str | None) -> date | None:
    if not published:
        return None
    try:
        return datetime.fromisoformat(published).date()
    except ValueError:
        return None


def _weekday_before(day: int, base: date, strictly: bool = False) -> date:
    back = (base.weekday() - day) % 7
    return base - timedelta(days=back or (7 if strictly else 0))


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    """The ``n``-th ``weekday`` of a month (n = -1: the last)."""
    if n > 0:
        first = date(year, month, 1)
        return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))
    last = (date(year, month + 1, 1) if month < 12 else date(year + 1, 1, 1)) - timedelta(days=1)
    return last - timedelta(days=(last.weekday() - weekday) % 7)


def _easter(year: int) -> date:
    """Easter Sunday (the anonymous Gregorian algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    g = (8 * b + 13) // 25
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    ell = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * ell) // 451
    month, day = divmod(h + ell - 7 * m + 114, 31)
    return date(year, month, day + 1)


def _holiday(name: str, year: int) -> date:
    key = re.sub(r"[\s']+", " ", name.lower()).replace("’", "")
    if key.startswith("new year"):
        return date(year, 12, 31) if key.endswith("eve") else date(year, 1, 1)
    if key.startswith("christmas"):
        return date(year, 12, 24) if key.endswith("eve") else date(year, 12, 25)
    if key.startswith("thanksgiving"):
        return _nth_weekday(year, 11, 3, 4)
    if key.startswith("black"):
        return _nth_weekday(year, 11, 3, 4) + timedelta(days=1)
    if key.startswith(("independence", "fourth")):
        return date(year, 7, 4)
    if key.startswith("halloween"):
        return date(year, 10, 31)
    if key.startswith("valentine"):
        return date(year, 2, 14)
    if key.startswith("memorial"):
        return _nth_weekday(year, 5, 0, -1)
    if key.startswith("labor"):
        return _nth_weekday(year, 9, 0, 1)
    if key.startswith("easter"):
        return _easter(year)
    if key.startswith("mother"):
        return _nth_weekday(year, 5, 6, 2)
    return _nth_weekday(year, 6, 6, 3)  # Father's Day


def _latest(make, base: date) -> date | None:
    """The latest of ``make(year)`` on or before ``base``: this year's, else last year's; None
    when this year's is still to come within :data:`FUTURE_DAYS` (a date ahead: "due in court
    September 22")."""
    for year in (base.year, base.year - 1):
        try:
            day = make(year)
        except ValueError:  # February 29 of a common year
            continue
        if day <= base:
            return day
        if (day - base).days <= FUTURE_DAYS:
            return None
    return None


def resolve(match: re.Match, base: date | None) -> date | None:
    """The day a date phrase (a match of the phrase pattern) names, resolved against ``base`` (the
    publication day); None when it names none, or none that can be the day of an event reported
    on ``base``."""
    g = match.groupdict()
    year_text = g["md_year"] or g["dm_year"] or g["num_y"] or g["iso_y"]
    if g["md_month"] or g["dm_month"] or g["num_m"] or g["iso_m"]:
        if g["iso_m"]:
            month, day = int(g["iso_m"]), int(g["iso_d"])
        elif g["num_m"]:
            month, day = int(g["num_m"]), int(g["num_d"])
        else:
            if g["dm_month"] and not (year_text or re.search(r"[a-z]$", g["dm_day"]) or " of " in match.group().lower()):
                return None  # "all 3 may face charges": a day before its month needs "of", "th" or a year
            month = _MONTHS[(g["md_month"] or g["dm_month"]).lower().rstrip(".")]
            day = int(cast(re.Match[str], re.match(r"\d+", g["md_day"] or g["dm_day"])).group())
        if year_text:
            year = int(year_text)
            if len(year_text) == 2:
                year += 2000 if year <= (base.year % 100 if base else 30) else 1900
            try:
                found = date(year, month, day)
            except ValueError:
                return None
            if found < EARLIEST or (base is not None and found > base):
                return None
            return found
        if base is None:
            return None
        return _latest(lambda y: date(y, month, day), base)
    if base is None:
        return None
    if g["wd"]:
        modifier = (g["wd_mod"] or "").lower()
        if modifier in {"next", "coming"}:
            return None
        day = WEEKDAYS.index(g["wd"].lower())
        return _weekday_before(day, base, strictly=modifier in {"last", "past"})
    if g["rel"]:
        return base - timedelta(days=1) if g["rel"].lower() == "yesterday" else base
    if g["lastnight"]:
        return base - timedelta(days=1)
    if g["this"]:
        return base
    if g["holiday"]:
        return _latest(lambda y: _holiday(g["holiday"], y), base)
    return None


def resolve_phrase(phrase: str, base: date | None) -> date | None:
    """The day one whole date phrase names ("late Saturday", "March 22, 2024"), as :func:`resolve`."""
    match = _PHRASE.fullmatch(phrase.strip())
    return resolve(match, base) if match else None


def _token_span(doc: Doc, start: int, end: int) -> SpacySpan | None:
    return doc.char_span(start, end, alignment_mode="expand")


def _governor(span: SpacySpan) -> Token | None:
    """The word a date phrase modifies: "shot" in "was shot on Sunday", "shooting" in "the Sunday
    shooting", "said" in "police said Tuesday" (through a preposition and a time of day: "shot
    at 3 a.m. Sunday")."""
    root = span.root
    head = root.head
    for _ in range(3):
        if head is root or head.i in range(span.start, span.end):
            return None
        if head.dep_ == "prep" or (head.ent_type_ in {"TIME", "DATE"} and head.head is not head):
            root, head = head, head.head
            continue
        return head
    return head


def _path(governor: Token | None) -> list[Token]:
    """The governor, then its heads up to the nearest verb (at most four words): "Authorities on
    Saturday filed charges" is dated by "filed", through "Authorities"."""
    path: list[Token] = []
    token = governor
    while token is not None and len(path) < 4:
        path.append(token)
        if token.head is token or token.dep_ in _CLAUSE or any(c.dep_ in _VERB_KIDS for c in token.children):
            break  # a verb (the parse has no part-of-speech tags: a clause, or a word with a subject)
        token = token.head
    return path


_CLAUSE = {"ROOT", "ccomp", "advcl", "xcomp", "relcl", "acl", "parataxis", "pcomp"}
_VERB_KIDS = {"nsubj", "nsubjpass", "aux", "auxpass", "csubj"}


def _role(governor: Token | None, start: int) -> str:
    """What dates a phrase: "incident" ("was shot Sunday"), "weak" ("died Tuesday"), "statement"
    ("police said Tuesday", "was arrested Friday", "turned himself in Wednesday") or "" (nothing
    known), from the first word of its governor's path that tells."""
    incident = _incident_words()
    for token in _path(governor):
        low = token.lower_
        if low in {"reported", "reports"} and _reported_incident(token):
            return "incident"  # "the shooting was reported Sunday afternoon"
        if low in _AFTER or (low == "turned" and any(c.lower_ in _REFLEXIVE for c in token.children)):
            return "statement"
        if low in _SAY:
            return "statement" if _statement(token, start) else ""
        if low in incident:
            return "incident"
        if low in _WEAK:
            return "weak"
    return ""


_REFLEXIVE = set(_LEX["reflexives"])


@lru_cache(maxsize=1)
def _incident_words() -> frozenset[str]:
    from corroborate.analyze.events import lexicon

    lex = lexicon()
    words = set(_INCIDENT_EXTRA) | lex["harm_words"] | lex["harm_verbs"] | lex["harm_nouns"] | lex["attack_verbs"]
    words |= lex["attack_nouns"] | lex["other_incident_words"] | {w for w in lex["type_cues"] if w}
    return frozenset(words - _STATEMENT - _WEAK)


_TWEET = re.compile(r"\(@\w+\)\s*$")


def _after_header(text: str, start: int, end: int) -> bool:
    """The date of a page header or of a post, not of the event: "Posted: Tuesday, April 15",
    "Last Updated: ...", a dateline's "(April 14, 2016)", a quoted tweet's "— Name (@name)
    July 20, 2016"."""
    before = text[max(0, start - 40) : start]
    words = re.findall(r"[A-Za-z]+", before[-20:])
    if words and words[-1].lower() in _HEADER_WORDS and not before[-1:].isalpha():
        return True
    if before.endswith("(") and text[end : end + 1] == ")" and re.search(r"\d{4}$", text[start:end]):
        return True
    return _TWEET.search(before) is not None


def _statement(governor: Token, start: int) -> bool:
    """Whether a phrase governed by a statement word (starting at character ``start``) dates the
    statement: "police said Tuesday", "police on Tuesday said"; not a phrase before the
    statement's subject ("On Wednesday evening, officials say they were called")."""
    subject = next((c for c in governor.children if c.dep_ in {"nsubj", "nsubjpass"}), None)
    return subject is None or next(subject.subtree).idx <= start


def _reported_incident(governor: Token) -> bool:
    """"The shooting was reported Sunday": what was reported is the incident, not a statement."""
    return any(c.dep_ in {"nsubj", "nsubjpass"} and c.lower_ in _incident_words() for c in governor.children)


def event_date(doc: Doc, sents: list[SpacySpan], published: str | None) -> DateMention | None:
    """The day of the event the sentences ``sents`` describe, and the words that state it (see the
    module's rules); None when no words state it."""
    base = _base(published)
    meta = info(doc)
    text = meta.text
    if not sents or not text:
        return None
    event = {meta.sent_of[s.start] for s in sents}
    near = {k + d for k in event for d in (-1, 1)} - event
    best: tuple[int, int, DateMention] | None = None
    for match in _PHRASE.finditer(text):
        span = _token_span(doc, match.start(), match.end())
        if span is None or not len(span) or _after_header(text, match.start(), match.end()):
            continue
        governor = _governor(span)
        role = _role(governor, match.start())
        if role == "statement" or _RELATIVE_TO.search(text, max(0, match.start() - 30), match.start()):
            continue
        k = meta.sent_of[span.start]
        local = k in event or k in near
        happened = governor is not None and governor.lower_ in _HAPPENED
        tier = 0 if role == "incident" and (local or happened) else 1 if k in event else 2 if local else 3
        if best is not None and tier >= best[0]:
            continue
        found = resolve(match, base)
        if found is None:
            continue
        complete = bool(match["md_year"] or match["dm_year"] or match["num_y"] or match["iso_y"])
        if base is not None and not complete and (base - found).days > MAX_DAYS_BACK:
            continue
        mention = DateMention(text=match.group(), start=match.start(), end=match.end(), value=found.isoformat())
        best = (tier, match.start(), mention)
        if tier == 0:
            break
    return best[2] if best else None
