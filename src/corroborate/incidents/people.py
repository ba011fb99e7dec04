"""People and group aliases in an incident record (contract 1.5).

Groups
    A perpetrator organization's key is its canonical name from ``lang/en/aliases.json`` when it is
    a known group under any of its names ("ISIS", "Islamic State", "IS", "ISIL", "Daesh", "the
    Islamic State group" are one), else its normalized name (:func:`normalize_group`: case, a
    leading "the", a trailing "group"/"militants"/"fighters"..., hyphens, dots, apostrophes and
    spaces do not count). An all-capitals name that is the acronym of another name of the same
    incident ("FMLN", "Farabundo Marti National Liberation Front") joins it (:func:`group_keys`).

People (slots ``victim`` and ``suspect``)
    Built from the main event's ``victims`` and ``perpetrator_individuals`` items: one fact per
    person, named ("Andrew Williams") or described ("12-year-old boy").

    - An item is a person when it has a ``name`` (or, for items without any person attribute,
      when its text looks like a full name: two or more capitalized words); an unnamed item
      must be one person (not "people", "two men", "gunmen") and state an age or a gender
      ("the victim", "a suspect" alone say nothing about who it is and are left out).
    - Named mentions merge by surname when nothing contradicts it: first names (an initial
      matches its name: "A. Williams"), ages and genders must agree where both are stated. So
      "Andrew J. Williams", "Andrew Williams" and "Williams" are one person; "Andrew Williams,
      32" and "Andrew Williams, 45" are two. A surname alone that fits two people joins the one
      its own report names, else stays apart.
    - A described mention joins a person (named or described) only on clear agreement: both age
      and gender stated and equal, and exactly one such person in the incident; otherwise it
      stays a fact of its own.
    - ``support`` holds every mention of the person; ``status`` is ``single_source`` with one
      report, else ``corroborated``: for a victim, ``discrepant`` when reports state different
      harms (``revised`` when the lesser harms all come from earlier reports than the latest
      one stating the worst), for a suspect ``conflicting`` when one report says they died and
      another that they were arrested or charged.
    - ``qualifier``: a victim's most severe harm (killed > kidnapped > injured > harmed); a
      suspect's most advanced status (suspected < accused, claimed, confirmed, denied <
      at_large < arrested < charged < killed). ``age`` and ``gender``: the most stated values.

    One name as victim and as suspect: the person is a **suspect** when a report says they
    were arrested or charged, or says they died as the perpetrator (status ``killed``; police
    shot the gunman) ; else a **victim** when a report says they were killed, injured or
    kidnapped; else the role more reports give (ties: victim). The other role's mentions go to
    the fact's ``dissent``; the person is never both.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TypeVar

from corroborate.lang import en
from corroborate.records import Fact, FactStatus, Provenance, Report, RoleItem

_T = TypeVar("_T")

#: keyed ``str | None`` to take ``RoleItem.harm`` values (only stated harms are looked up)
_HARM_RANK: dict[str | None, int] = {"harmed": 0, "injured": 1, "kidnapped": 2, "killed": 3}
_STATUS_RANK = {
    "suspected": 0, "denied": 1, "accused": 1, "claimed": 1, "confirmed": 1,
    "at_large": 2, "arrested": 3, "charged": 4, "killed": 5,
}
#: Suspect statuses that settle a name given in both roles as a suspect's.
_SUSPECT_WINS = {"arrested", "charged", "killed"}
_VICTIM_HARMS = {"killed", "injured", "kidnapped"}

#: the words of name matching (``lang/en/names.json``)
_LEX = en.load("names")
_GROUP_TAILS: tuple[str, ...] = tuple(_LEX["group_tails"])
_ACRONYM_SKIP = set(_LEX["acronym_skip"])

_SUFFIXES = set(_LEX["name_suffixes"])
_PLURAL_WORDS = set(_LEX["plural_words"])
_NOT_PLURAL = set(_LEX["not_plural"])
_QUANTITY = set(_LEX["quantity_words"])
_PERSON_WORDS = set(_LEX["person_words"])


# --- groups -----------------------------------------------------------------------------


def normalize_group(name: str) -> str:
    """A group name reduced for matching: "The Islamic State group" -> "islamicstate",
    "al-Qa'ida" -> "alqaida"."""
    low = name.lower().replace("\u2019", "'").strip()
    low = re.sub(r"^the\s+", "", low)
    low = re.sub(r"'s$", "", low)
    low = re.sub(r"[\s-]+", " ", low).strip()
    changed = True
    while changed:
        changed = False
        for tail in _GROUP_TAILS:
            if low.endswith(" " + tail) and len(low) > len(tail) + 2:
                low = low[: -len(tail) - 1].strip()
                changed = True
    return re.sub(r"[\s.'\-]+", "", low)


@lru_cache(maxsize=1)
def aliases() -> dict[str, str]:
    """Normalized name -> canonical name, for every name of ``lang/en/aliases.json``."""
    data = en.load("aliases")
    table: dict[str, str] = {}
    for canonical, others in data["groups"].items():
        for name in [canonical, *others]:
            table.setdefault(normalize_group(name), canonical)
    return table


def _acronyms(name: str) -> list[str]:
    """The acronyms of a name of two or more words, without and with its small words:
    "Farabundo Marti National Liberation Front" -> ["fmnlf"]; "Revolutionary Armed Forces of
    Colombia" -> ["rafc", "rafoc"]."""
    words = [w for w in re.split(r"[\s-]+", name.strip()) if w]
    if words and words[0].lower() == "the":
        words = words[1:]
    if len(words) < 2:
        return []
    full = "".join(w[0] for w in words if w[0].isalpha()).lower()
    short = "".join(w[0] for w in words if w[0].isalpha() and w.lower() not in _ACRONYM_SKIP).lower()
    return list(dict.fromkeys([short, full]))


def group_key(name: str) -> str:
    """The key a perpetrator organization is grouped by: its canonical name when it is a known
    group, else its normalized name."""
    norm = normalize_group(name)
    return aliases().get(norm, norm)


def group_keys(names: list[str]) -> dict[str, str]:
    """The key of each name of one incident: :func:`group_key`, then an all-capitals name that
    is the acronym of exactly one other name of the incident ("MRTA" beside "Movimiento
    Revolucionario Tupac Amaru") takes that name's key."""
    keys = {name: group_key(name) for name in names}
    by_acronym: dict[str, set[str]] = {}
    for name in names:
        for short in _acronyms(name):
            by_acronym.setdefault(short, set()).add(keys[name])
    for name in names:
        letters = re.sub(r"[.\-]", "", name.strip())
        if letters.isalpha() and letters.isupper() and 2 <= len(letters) <= 7:
            targets = by_acronym.get(letters.lower(), set()) - {keys[name]}
            if len(targets) == 1:
                keys[name] = targets.pop()
    return keys


# --- people -----------------------------------------------------------------------------


@dataclass(eq=False)
class Mention:
    report: Report
    item: RoleItem
    role: str  # "victim" or "suspect"
    name: str | None
    first: str | None
    last: str | None


@dataclass(eq=False)
class Person:
    role: str
    mentions: list[Mention] = field(default_factory=list)
    dissent: list[Mention] = field(default_factory=list)

    @property
    def firsts(self) -> set[str]:
        return {m.first for m in self.mentions if m.first}

    @property
    def last(self) -> str | None:
        return next((m.last for m in self.mentions if m.last), None)

    @property
    def ages(self) -> set[int]:
        return {m.item.age for m in self.mentions if m.item.age is not None}

    @property
    def genders(self) -> set[str]:
        return {m.item.gender for m in self.mentions if m.item.gender}

    @property
    def reports(self) -> set[str]:
        return {m.report.id for m in self.mentions}


def _looks_like_name(text: str) -> bool:
    words = text.split()
    return (
        len(words) >= 2
        and all(w[:1].isupper() and re.fullmatch(r"[A-Z][\w.'\u2019-]*", w) for w in words)
        and not {w.lower().rstrip(".") for w in words} & _PERSON_WORDS
    )


def name_parts(name: str) -> tuple[str | None, str]:
    """(first name or None, surname), suffixes left out: "Andrew J. Williams Jr." -> ("andrew", "williams")."""
    words = [w.strip(",").lower().replace("\u2019", "'") for w in name.split()]
    words = [w for w in words if w and w.rstrip(".") not in _SUFFIXES]
    if not words:
        return None, name.lower()
    last = words[-1].rstrip(".").removesuffix("'s")
    return (words[0].rstrip(".") if len(words) > 1 else None), last


def _one_person(item: RoleItem) -> bool:
    """Whether an unnamed item describes one person (not "people", "two men", "gunmen")."""
    words = re.findall(r"[\w'-]+", item.text.lower())
    if not words or words[0] in _QUANTITY or any(w.isdigit() and int(w) > 1 for w in words[:1]):
        return False
    head = words[-1]
    if head in _PLURAL_WORDS:
        return False
    return not (head.endswith("s") and not head.endswith("ss") and head not in _NOT_PLURAL)


def _has_attributes(item: RoleItem) -> bool:
    return any(v is not None for v in (item.name, item.age, item.gender, item.harm)) or item.source is not None


def mentions(reports: list[Report]) -> list[Mention]:
    """Every person item of the reports' main events, as victim or suspect mentions."""
    out = []
    for report in reports:
        for event in report.events[:1]:
            for role, items in (("victim", event.victims), ("suspect", event.perpetrator_individuals)):
                for item in items:
                    name = item.name
                    if name is None and not _has_attributes(item) and _looks_like_name(item.text):
                        name = item.text
                    if name:
                        first, last = name_parts(name)
                        out.append(Mention(report, item, role, name, first, last))
                    elif _one_person(item) and (item.age is not None or item.gender is not None):
                        out.append(Mention(report, item, role, None, None, None))
    return out


def _first_names_agree(a: str, b: str) -> bool:
    if a == b:
        return True
    short, long = sorted((a, b), key=len)
    return len(short) == 1 and long.startswith(short)  # "a" and "andrew"


def _attributes_agree(person: Person, mention: Mention) -> bool:
    item = mention.item
    if item.age is not None and person.ages and item.age not in person.ages:
        return False
    return not (item.gender and person.genders and item.gender not in person.genders)


def _name_fits(person: Person, mention: Mention) -> bool:
    if person.last is None or mention.last != person.last:
        return False
    return mention.first is None or all(_first_names_agree(mention.first, f) for f in person.firsts)


def cluster(found: list[Mention], role: str) -> list[Person]:
    """The people of one role: named mentions merged by name, then described ones on clear agreement."""
    people: list[Person] = []
    named = [m for m in found if m.role == role and m.name]
    # full names first, longest first, so that a surname alone meets every full name it may join
    named.sort(key=lambda m: (m.first is None, -len(m.name or "")))
    for mention in named:
        fits = [p for p in people if _name_fits(p, mention) and _attributes_agree(p, mention)]
        if mention.first is not None:
            exact = [p for p in fits if mention.first in p.firsts]
            fits = exact or fits
        if len(fits) > 1:
            same_report = [p for p in fits if mention.report.id in p.reports]
            fits = same_report if len(same_report) == 1 else []
        if fits:
            fits[0].mentions.append(mention)
        else:
            people.append(Person(role, [mention]))
    for mention in (m for m in found if m.role == role and not m.name):
        item = mention.item
        fits = []
        if item.age is not None and item.gender is not None:
            fits = [p for p in people if p.ages == {item.age} and p.genders == {item.gender}]
        if len(fits) == 1:
            fits[0].mentions.append(mention)
        else:
            people.append(Person(role, [mention]))
    order = {id(m): n for n, m in enumerate(found)}
    people.sort(key=lambda p: min(order[id(m)] for m in p.mentions))
    return people


def _same_person(a: Person, b: Person) -> bool:
    if a.last is None or b.last is None or a.last != b.last:
        return False
    if any(not _first_names_agree(x, y) for x in a.firsts for y in b.firsts):
        return False
    if a.ages and b.ages and not a.ages & b.ages:
        return False
    return not (a.genders and b.genders and not a.genders & b.genders)


def _settle_roles(victims: list[Person], suspects: list[Person]) -> tuple[list[Person], list[Person]]:
    """A named person given as victim and as suspect keeps one role (see the module's doc)."""
    for victim in list(victims):
        for suspect in [s for s in suspects if _same_person(victim, s)]:
            statuses = {m.item.status for m in suspect.mentions}
            harms = {m.item.harm for m in victim.mentions}
            if statuses & _SUSPECT_WINS:
                winner, loser = suspect, victim
            elif harms & _VICTIM_HARMS:
                winner, loser = victim, suspect
            else:
                winner, loser = (victim, suspect) if len(victim.reports) >= len(suspect.reports) else (suspect, victim)
            winner.dissent += loser.mentions + loser.dissent
            (victims if loser is victim else suspects).remove(loser)
            if loser is victim:
                break
    return victims, suspects


def _prov(mention: Mention) -> Provenance:
    item = mention.item
    return Provenance(report=mention.report.id, text=item.text, start=item.start, end=item.end)


def _unique(provs: list[Provenance]) -> list[Provenance]:
    seen, out = set(), []
    for p in provs:
        key = (p.report, p.start, p.end)
        if key not in seen:
            seen.add(key)
            out.append(p)
    return out


def _most(values: list[_T | None]) -> _T | None:
    counts = Counter(v for v in values if v is not None)
    return counts.most_common(1)[0][0] if counts else None


def _value(person: Person) -> str:
    full = [m.name for m in person.mentions if m.name and m.first]
    names = full or [m.name for m in person.mentions if m.name]
    if names:
        counts = Counter(names)
        return max(counts, key=lambda n: (counts[n], len(n)))
    counts = Counter(m.item.text for m in person.mentions)
    return max(counts, key=lambda t: (counts[t], len(t)))


def _victim_status(person: Person) -> tuple[str | None, FactStatus, str, bool]:
    harms = [m.item.harm for m in person.mentions if m.item.harm]
    qualifier = max(harms, key=_HARM_RANK.__getitem__) if harms else None
    if len(person.reports) < 2:
        return qualifier, "single_source", "named or described as a victim in one report", False
    stated = {h for h in harms if h != "harmed"}
    if len(stated) <= 1:
        return qualifier, "corroborated", "named or described as a victim in two or more reports", False
    worst = [m.report.published for m in person.mentions if m.item.harm == qualifier and m.report.published]
    latest = max(worst, default=None)
    lesser = [m for m in person.mentions if m.item.harm in stated and m.item.harm != qualifier]
    revised = latest is not None and all(m.report.published and m.report.published < latest for m in lesser)
    rule = "the most severe harm: earlier reports gave a lesser one" if revised else "the most severe harm the reports give"
    return qualifier, "discrepant", rule, revised


def _suspect_status(person: Person) -> tuple[str | None, FactStatus, str]:
    statuses = [m.item.status for m in person.mentions if m.item.status]
    qualifier = max(statuses, key=lambda s: _STATUS_RANK.get(s, 0)) if statuses else "suspected"
    if len(person.reports) < 2:
        return qualifier, "single_source", "named or described as a suspect in one report"
    if "killed" in statuses and {"arrested", "charged"} & set(statuses):
        return qualifier, "conflicting", "one report says the suspect died, another that they were arrested or charged"
    return qualifier, "corroborated", "named or described as a suspect in two or more reports"


def people_facts(reports: list[Report]) -> list[Fact]:
    """``victim`` facts, then ``suspect`` facts, of an incident's reports."""
    found = mentions(reports)
    if not found:
        return []
    victims, suspects = _settle_roles(cluster(found, "victim"), cluster(found, "suspect"))
    facts = []
    for person in victims:
        qualifier, status, rule, revised = _victim_status(person)
        facts.append(_fact("victim", person, qualifier, status, rule, revised))
    for person in suspects:
        qualifier, status, rule = _suspect_status(person)
        facts.append(_fact("suspect", person, qualifier, status, rule, False))
    return facts


def _fact(slot: str, person: Person, qualifier, status: FactStatus, rule: str, revised: bool) -> Fact:
    return Fact(
        slot=slot, value=_value(person), qualifier=qualifier,
        age=_most([m.item.age for m in person.mentions]), gender=_most([m.item.gender for m in person.mentions]),
        status=status, rule=rule, revised=revised,
        support=_unique([_prov(m) for m in person.mentions]),
        dissent=_unique([_prov(m) for m in person.dissent]),
    )
