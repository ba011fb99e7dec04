"""Resolve place mentions to a hierarchy with the offline GeoNames gazetteer.

The gazetteer is ``data/places.tsv.gz`` (built by ``make places``,
:mod:`corroborate.analyze.build_places`; sha256-checked at load): countries, US states with
their postal codes and AP abbreviations, US counties, US places of 500 people or more and other
places of 15,000 or more. Place data from GeoNames (geonames.org), CC BY 4.0.

* :func:`dateline` finds the dateline at the start of a report ("ROCKY MOUNT, N.C. (AP) —").
* :class:`PlaceContext` is what a report says about where it is: its dateline, the US states
  and the cities it names.
* :func:`resolve` resolves one mention (a GPE/LOC/FAC entity's text, or a street) to a
  :class:`~corroborate.records.Place`; streets, venues and neighbourhoods take their city from
  the context, and a bare ambiguous name needs the context's support unless it names a
  populous place and is not a common word.
* :func:`most_specific` picks an incident's place from its reports' places.

No spaCy here: the caller passes entity texts.
"""

from __future__ import annotations

import gzip
import math
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import cast

from corroborate.lang import en
from corroborate.learned import checked_bytes
from corroborate.records import Place, PlaceKind

PACKAGE = "corroborate.analyze"
NAME = "data/places.tsv.gz"
#: the words of the place rules (``lang/en/places.json``)
_LEX = en.load("places")


def _alt(key: str) -> str:
    """The words (regular-expression alternatives) of ``key`` in ``lang/en/places.json`` as one alternation."""
    return "|".join(_LEX[key])


#: A bare name with no support from the context resolves only to a place of at least this many
#: people (and never when it is in :data:`COMMON_WORDS`).
BARE_MIN_POP = 3000
#: ... and of at least this many when the report names US states and the place is in none of them.
BARE_OUTSIDE_MIN_POP = 100_000
#: A place named without support from the context within this many km of the context's city, and
#: with under a fifth of its people, is taken as a neighbourhood of that city (GeoNames lists
#: parts of cities, "Englewood" of Chicago, as places of their own).
NEIGHBOURHOOD_KM = 12.0

#: Place names that are far more often ordinary words (or a person's, an organisation's name)
#: than a place when they stand alone: they resolve only with support from the context.
COMMON_WORDS = frozenset(_LEX["common_words"])
#: First and last names that are also towns: not taken from capitalised words after a
#: preposition (:func:`_cue_names`), where they are more often a person ("according to Jackson").
_PERSON_NAMES = frozenset(_LEX["person_names"])

_KIND_RANK = {"venue": 0, "street": 0, "neighbourhood": 1, "city": 2, "county": 3, "region": 4, "country": 5}

_STREET_WORDS = _alt("street_words")
_STREET = re.compile(
    rf"(?i)\b(?:{_alt('street_cues')})\b|^\d+[A-Za-z]?\s+\S|"
    rf"\b(?:{_alt('route_prefixes')})[- ]?\d+\b|"
    rf"\b(?:{_STREET_WORDS})\.?$"
)
_VENUE_WORDS = re.compile(r"(?i)\b(?:" + _alt("venue_words") + r")$")
_NEIGHBOURHOOD = re.compile(
    r"(?i)^(?:(?P<dir>(?:" + _alt("neighbourhood_directions") + r")(?:ern)?)\s+(?P<city>.+)|"
    r"(?P<hood>.+?)\s+(?:" + _alt("neighbourhood_words") + r"))$"
)
_LOWER_OK = frozenset(_LEX["lowercase_name_words"])
_LOWER_WORD = re.compile(r"\b[a-z][a-z'’]*\b")


@dataclass(frozen=True)
class _Entry:
    kind: str
    gid: int
    name: str
    cc: str
    admin1: str
    pop: int
    lat: float | None
    lon: float | None


def _key(text: str) -> str:
    """The lookup form of a name: lowercase, no accents or dots, "St."/"Saint" -> "st",
    "Mt."/"Mount" -> "mt", "Ft."/"Fort" -> "ft", no leading "the"."""
    s = unicodedata.normalize("NFKD", text)
    s = "".join(ch for ch in s if not unicodedata.combining(ch)).casefold()
    s = s.replace("’", "'").replace("-", " ")
    s = re.sub(r"[.,'()]", " ", s)
    s = re.sub(r"\bsaint\b|\bste\b|\bsainte\b", "st", s)
    s = re.sub(r"\bmount\b", "mt", s)
    s = re.sub(r"\bfort\b", "ft", s)
    s = " ".join(s.split())
    return s.removeprefix("the ")


class Gazetteer:
    """The parsed gazetteer file: lookups by name key."""

    def __init__(self, raw: bytes) -> None:
        self.names: dict[str, list[_Entry]] = {}  # primary names
        self.aliases: dict[str, list[_Entry]] = {}
        self.counties: dict[str, list[_Entry]] = {}  # "greene" -> every Greene County (parish, borough)
        self.countries: dict[str, _Entry] = {}  # ISO code -> country
        self.regions: dict[tuple[str, str], _Entry] = {}  # (country, admin1) -> US state
        self.region_keys: dict[str, _Entry] = {}  # full names of the states
        self.state_abbr: dict[str, _Entry] = {}  # postal codes and AP abbreviations, after a comma
        for line in gzip.decompress(raw).decode("utf-8").splitlines():
            kind, gid, name, cc, admin1, pop, lat, lon, aliases = line.split("\t")
            e = _Entry(kind, int(gid), name, cc, admin1, int(pop), float(lat) if lat else None, float(lon) if lon else None)
            alias_list = [a for a in aliases.split("|") if a]
            if kind == "country":
                self.countries[cc] = e
            elif kind == "region":
                self.regions[(cc, admin1)] = e
                self.region_keys[_key(name)] = e
                for a in alias_list:
                    self.state_abbr[_key(a)] = e
                continue
            elif kind == "county":
                base = re.sub(r"\s+(county|parish|borough|city and borough|census area|municipality|city)$", "", _key(name))
                self.counties.setdefault(base, []).append(e)
                self.names.setdefault(_key(name), []).append(e)
                continue
            self.names.setdefault(_key(name), []).append(e)
            for a in alias_list:
                self.aliases.setdefault(_key(a), []).append(e)

    def region_name(self, e: _Entry) -> str | None:
        r = self.regions.get((e.cc, e.admin1))
        return r.name if r else None

    def country_name(self, cc: str) -> str | None:
        c = self.countries.get(cc)
        return c.name if c else None


def load_gazetteer(path: str | Path | None = None) -> Gazetteer:
    """The gazetteer of the package (or the file at ``path``), after checking its bytes against
    the sha256 recorded for the package's file: a changed file raises
    :class:`~corroborate.learned.ModelIntegrityError`."""
    raw = Path(path).read_bytes() if path is not None else None
    return Gazetteer(checked_bytes(PACKAGE, NAME, raw, what="gazetteer", shown=str(path or NAME), rebuild="make places"))


@lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    """The package's gazetteer, loaded (and checked) once."""
    return load_gazetteer()


# ---------------------------------------------------------------------------------------------
# Building places


def _place(e: _Entry, name: str, kind: str | None = None) -> Place:
    g = gazetteer()
    kind = kind or e.kind
    region = g.region_name(e) if e.kind != "country" else None
    return Place(
        name=name,
        kind=cast(PlaceKind, kind),
        city=e.name if e.kind == "city" else None,
        county=e.name if e.kind == "county" else None,
        region=e.name if e.kind == "region" else region,
        country=g.country_name(e.cc),
        lat=e.lat,
        lon=e.lon,
        geonameid=e.gid or None,
    )


def _within(name: str, kind: PlaceKind, holder: Place | None) -> Place:
    """A street, venue or neighbourhood ``name`` in the place ``holder`` (its city, county,
    region and country; its coordinates stand for the holder's)."""
    if holder is None:
        return Place(name=name, kind=kind)
    return Place(
        name=name, kind=kind, city=holder.city, county=holder.county, region=holder.region,
        country=holder.country, lat=holder.lat, lon=holder.lon, geonameid=holder.geonameid,
    )


def _km(a: _Entry, lat: float | None, lon: float | None) -> float:
    if a.lat is None or lat is None or lon is None or a.lon is None:
        return math.inf
    p1, p2 = math.radians(a.lat), math.radians(lat)
    dp, dl = p2 - p1, math.radians(lon - a.lon)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(min(1.0, math.sqrt(h)))


# ---------------------------------------------------------------------------------------------
# Datelines

#: "ROCKY MOUNT, N.C. (AP) —", "CHICAGO —", "NEW ORLEANS (WWL) --", "Elgin, Ill. —": a city
#: (capitals, or capitalised words), an optional region, an optional outlet, a dash.
_DATELINE = re.compile(
    r"(?P<city>[A-Z][A-Za-z.'’\-]*(?:[ ][A-Za-z.'’\-]+){0,4}?)"
    r"(?:,[ ]*(?P<region>[A-Z][A-Za-z.\-]*(?:[ ][A-Z][A-Za-z.\-]*){0,3}))?"
    r"[ ]*(?:\((?P<outlet>[^()\n]{1,40})\)[ ]*)?"
    r"(?:(?P<dash>—|–|--|-|:)|(?<=\)))(?=\s)"
)
_NOT_DATELINE = frozenset(_LEX["not_dateline"])
#: A dateline without its state needs a place of at least this many people (or a state named in the text).
DATELINE_MIN_POP = 500
#: How far into a text a dateline may start (after a headline or a byline line).
DATELINE_WINDOW = 600


def _region_entry(text: str) -> _Entry | None:
    """A US state (full name, postal code, AP abbreviation) or a country named by ``text``."""
    g = gazetteer()
    k = _key(text)
    if k in g.region_keys:
        return g.region_keys[k]
    if k in g.state_abbr:
        return g.state_abbr[k]
    if k.replace(" ", "") in g.state_abbr:
        return g.state_abbr[k.replace(" ", "")]
    for cands in (g.names.get(k, []), g.aliases.get(k, [])):
        for e in cands:
            if e.kind == "country":
                return e
    return None


def _country_entry(text: str) -> _Entry | None:
    g = gazetteer()
    k = _key(text)
    for e in [*g.names.get(k, []), *g.aliases.get(k, [])]:
        if e.kind == "country":
            return e
    return None


def dateline(text: str) -> tuple[int, int, Place] | None:
    """The dateline at the start of ``text`` (or of one of its first lines, after a headline):
    the span of the place's name (``text[start:end]`` is its words) and the resolved place,
    a city (or a county: "ANDERSON Co., S.C.") with its region and country. None when the text
    has none; ordinary sentences do not count (an all-capitals name, or a capitalised one
    followed by its state or country, then a dash)."""
    g = gazetteer()
    for line in re.finditer(r"(?m)^[^\S\n]*(?=\S)", text[:DATELINE_WINDOW]):
        m = _DATELINE.match(text, line.end())
        if m is None:
            continue
        city, region = m.group("city"), m.group("region")
        letters = re.sub(r"[^A-Za-z]", "", city)
        caps = letters.isupper() and len(letters) >= 3
        if not caps and region is None:
            continue
        if m.group("dash") is None and not (caps and m.group("outlet")):
            continue
        if _key(city) in _NOT_DATELINE or (m.group("dash") == ":" and m.group("outlet") is None and region is None):
            continue
        reg = _region_entry(region) if region else None
        if region and reg is None:
            # "SMITHFIELD, Cache County —": the county's state; "BED-STUY, BROOKLYN —": the city
            held = _resolve_named(region, None, allow_bare=True)
            if held is not None and held.kind == "county" and held.region:
                reg = g.region_keys.get(_key(held.region))
            elif held is not None and held.kind == "city" and region.replace(" ", "").isupper():
                return m.start("region"), m.start("region") + len(region), held.model_copy(update={"name": region})
            if reg is None:
                continue
        start, end = m.start("city"), m.end("city")
        county = re.match(r"(?i)^(.+?)\s+(?:co\.|county|parish)$", city)
        if county:
            cands = g.counties.get(_key(county.group(1)), [])
            if reg is not None and reg.kind == "region":
                cands = [c for c in cands if c.admin1 == reg.admin1]
            if len(cands) == 1:
                return start, end, _place(cands[0], city)
            continue
        cands = [e for e in g.names.get(_key(city), []) + g.aliases.get(_key(city), []) if e.kind == "city"]
        if reg is not None:
            inside = [e for e in cands if e.cc == reg.cc and (reg.kind == "country" or e.admin1 == reg.admin1)]
            if inside:
                return start, end, _place(max(inside, key=lambda e: e.pop), city)
            # a place too small for the gazetteer: the dateline still names it and its region
            name = city.title() if caps else city
            if reg.kind == "region":
                return start, end, Place(name=city, kind="city", city=name, region=reg.name,
                                         country=g.country_name(reg.cc))
            return start, end, Place(name=city, kind="city", city=name, country=reg.name)
        if not cands:
            continue
        states = _states_in(text)
        inside = [e for e in cands if e.cc == "US" and e.admin1 in states]
        best = max(inside or cands, key=lambda e: e.pop)
        if not inside and best.pop < DATELINE_MIN_POP:
            continue
        return start, end, _place(best, city)
    return None


# ---------------------------------------------------------------------------------------------
# Context

_STATE_PATTERN: re.Pattern | None = None


def _state_pattern() -> re.Pattern:
    global _STATE_PATTERN
    if _STATE_PATTERN is None:
        g = gazetteer()
        full = sorted((r.name for r in g.regions.values()), key=len, reverse=True)
        abbr = sorted({a for a in _abbreviation_forms()}, key=len, reverse=True)
        _STATE_PATTERN = re.compile(
            r"(?P<full>\b(?:" + "|".join(re.escape(n) for n in full) + r")\b(?!\s+(?:" + _alt("not_state_after") + r")\b))"
            r"|,\s*(?P<abbr>" + "|".join(re.escape(a) for a in abbr) + r")(?=[\s,;)]|$)"
        )
    return _STATE_PATTERN


def _abbreviation_forms() -> list[str]:
    forms = []
    for code, abbrs in _LEX["ap_state_abbreviations"].items():
        forms.append(code)
        forms.extend(abbrs)
    return forms


def _states_in(text: str) -> Counter:
    """US states named in ``text`` (full names; postal codes and AP abbreviations after a
    comma: "Elgin, Ill."), by postal code, with how often."""
    g = gazetteer()
    out: Counter = Counter()
    for m in _state_pattern().finditer(text):
        name = m.group("full") or m.group("abbr")
        if m.group("full") == "Washington":  # the city as often as the state
            continue
        e = g.region_keys.get(_key(name)) if m.group("full") else g.state_abbr.get(_key(name))
        if e is not None:
            out[e.admin1] += 1
    return out


_CAP = r"[A-Z][\w.'’\-]*"
#: Capitalised words after a preposition ("shot in Elgin"), before "police" and its like
#: ("Memphis police said", "a Thornton home"), and county names: what the entity recogniser
#: leaves inside organisations or misses.
_CUE_BEFORE = re.compile(rf"\b(?:{_alt('cue_prepositions')})\s+(?P<name>{_CAP}(?:[ ]{_CAP}){{0,3}})")
_CUE_AFTER = re.compile(rf"(?P<name>{_CAP}(?:[ ]{_CAP}){{0,3}})[ ](?:{_alt('cue_nouns_after')})\b")
_COUNTY_TEXT = re.compile(rf"(?P<name>{_CAP}(?:[ ]{_CAP}){{0,2}}[ ](?:{_alt('county_words')}))\b")
_NOT_CITY = frozenset(_LEX["not_city"])


#: a word after a city's name that makes the words one longer name: a street or a venue
_PART_OF_NAME = re.compile(rf"(?i)^(?:{_STREET_WORDS}|{_alt('name_continuations')})$")


def _cue_names(text: str) -> list[str]:
    """Gazetteer city names found at the cues of :data:`_CUE_BEFORE` and :data:`_CUE_AFTER`,
    in text order (the longest run of words that is a name: the first words after a
    preposition, the last ones before "police")."""
    g = gazetteer()
    found: list[tuple[int, str]] = []
    for pattern, from_start in ((_CUE_BEFORE, True), (_CUE_AFTER, False)):
        for m in pattern.finditer(text):
            words = m.group("name").split(" ")
            for n in range(len(words), 0, -1):
                part = words[:n] if from_start else words[-n:]
                if from_start and n < len(words) and _PART_OF_NAME.match(words[n].rstrip(".,'’")):
                    continue  # "at Corning Avenue", "near Yale University": a street or a venue, not the city
                name = " ".join(part).rstrip(".,'’")
                k = _key(name)
                if k in _NOT_CITY or k in COMMON_WORDS or k in _PERSON_NAMES:
                    break
                if any(e.kind == "city" for e in g.names.get(k, [])):
                    found.append((m.start("name"), name))
                    break
    return [name for _, name in sorted(found)]


@dataclass
class PlaceContext:
    """Where a report is: its dateline, the US states (postal codes) and the cities it names."""

    dateline: Place | None = None
    regions: Counter = field(default_factory=Counter)  # US state postal code -> mentions
    cities: Counter = field(default_factory=Counter)  # (city, region, country) -> mentions
    city_places: dict = field(default_factory=dict)  # (city, region, country) -> Place
    countries: Counter = field(default_factory=Counter)
    #: the places the report names, in order: its dateline, its mentions, then the cities named
    #: at cues ("shot in Elgin", "Memphis police") and the counties in its text
    places: list = field(default_factory=list)
    #: the names found in the text rather than given as mentions, in text order: cities at cues
    #: (:func:`_cue_names`) and counties ("Greene County")
    cue_names: list = field(default_factory=list)
    counties: list = field(default_factory=list)

    @classmethod
    def from_text(cls, text: str, mentions: list[str]) -> PlaceContext:
        """The context of a report: ``text`` its text, ``mentions`` its place-like entity texts
        (spaCy GPE, LOC and FAC)."""
        g = gazetteer()
        ctx = cls()
        dl = dateline(text)
        if dl is not None:
            ctx.dateline = dl[2]
        ctx.regions.update(_states_in(text))
        if ctx.dateline is not None and ctx.dateline.region:
            e = g.region_keys.get(_key(ctx.dateline.region))
            if e is not None:
                ctx.regions[e.admin1] += 3
        counties = ctx.counties = [m.group("name") for m in _COUNTY_TEXT.finditer(text)]
        ctx.cue_names = _cue_names(text)
        mentions = [*mentions, *ctx.cue_names]
        # the states of the counties named (one county of that name, or one in a state named),
        # then, if the report still names no state, of the populous cities it names
        for group, kinds in ((counties + mentions, ("county",)), (mentions, ("city",))):
            if kinds == ("city",) and ctx.regions:
                break
            lent: Counter = Counter()
            for m in group:
                p = resolve(m, context=ctx)
                if p is None or p.kind not in kinds or p.country != "United States" or not p.region:
                    continue
                e = g.region_keys.get(_key(p.region))
                if e is not None and (p.kind == "county" or _pop(p) >= BARE_OUTSIDE_MIN_POP):
                    lent[e.admin1] += 1
            ctx.regions.update(lent)
        if ctx.dateline is not None:
            ctx.places.append(ctx.dateline)
        for m in [*mentions, *counties]:
            p = resolve(m, context=ctx)
            if p is None:
                continue
            ctx.places.append(p)
            if p.kind == "city":
                k = (p.city, p.region, p.country)
                ctx.cities[k] += 1
                ctx.city_places.setdefault(k, p)
            if p.country:
                ctx.countries[p.country] += 1
        return ctx

    @property
    def city(self) -> Place | None:
        """The report's city: its dateline's, else the city it names most (first named on a tie)."""
        if self.dateline is not None and self.dateline.kind == "city":
            return self.dateline
        if self.cities:
            k = self.cities.most_common(1)[0][0]
            return self.city_places[k]
        return None

    def holder(self) -> Place | None:
        """What holds a street or venue of the report: its city, else its dateline (a county)."""
        return self.city or self.dateline

    def supports(self, e: _Entry) -> int:
        """How strongly the context supports gazetteer entry ``e`` (0: not at all)."""
        score = 0
        c = self.city
        if c is not None and c.geonameid and c.geonameid == e.gid:
            score += 10
        if e.cc == "US" and e.admin1 in self.regions:
            score += 1 + self.regions[e.admin1]
        return score


# ---------------------------------------------------------------------------------------------
# Resolving one mention


def _clean(name: str) -> str:
    s = " ".join(name.replace("’", "'").split())
    s = re.sub(r"^(?:the|a|an)\s+", "", s, flags=re.IGNORECASE)
    s = re.sub(r"'s$|'$", "", s)
    return s.strip(" ,;:-—–\"'()")


def _pick(cands: list[_Entry], context: PlaceContext | None, bare_key: str, allow_bare: bool = True) -> _Entry | None:
    """The entry a name means: the one the context supports most (then the most populous);
    without support the most populous, if populous enough and not a common word."""
    if not cands:
        return None
    if context is not None:
        scored = [(context.supports(e), e.pop, e) for e in cands]
        best = max(scored, key=lambda t: (t[0], t[1]))
        if best[0] > 0:
            return best[2]
    if not allow_bare or bare_key in COMMON_WORDS:
        return None
    pool = cands
    floor = BARE_MIN_POP
    if context is not None and (context.regions or any(p.country == "United States" for p in context.city_places.values())):
        us = [e for e in cands if e.cc == "US"]
        pool = us or cands
        if context.regions:  # the report names its states, and this place is in none of them
            floor = BARE_OUTSIDE_MIN_POP
    chosen = max(pool, key=lambda e: e.pop)
    return chosen if chosen.pop >= floor else None


def _resolve_named(s: str, context: PlaceContext | None, allow_bare: bool = True) -> Place | None:
    """A name of a country, a US state, a county or a city (no streets)."""
    g = gazetteer()
    k = _key(s)
    if not k:
        return None
    # "Elgin, Ill.", "Springfield, Massachusetts", "Paris, France", "Greene County, N.C."
    if "," in s:
        head, _, tail = s.partition(",")
        reg = _region_entry(tail.strip())
        if reg is not None:
            inner = PlaceContext()
            if reg.kind == "region":
                inner.regions[reg.admin1] = 5
            p = _resolve_named(head.strip(), inner, allow_bare=False)
            if p is not None and (p.region == reg.name or p.country == reg.name):
                return p.model_copy(update={"name": s})
            if reg.kind == "country":
                cands = [e for e in g.names.get(_key(head), []) + g.aliases.get(_key(head), []) if e.cc == reg.cc and e.kind == "city"]
                if cands:
                    return _place(max(cands, key=lambda e: e.pop), s)
            return None
    if k in ("dc", "d c", "washington dc", "washington d c", "district of columbia"):
        dc = [e for e in g.names.get("washington", []) if e.admin1 == "DC"]
        if dc:
            return _place(dc[0], s)
    if k in g.region_keys and k not in ("washington", "georgia") or (k == "georgia" and _us(context)):
        return _place(g.region_keys[k], s)
    if k == "washington state" or k == "washington" and context is not None and "WA" in context.regions and not _in_dc(context):
        return _place(g.region_keys["washington"], s)
    country = _country_entry(s)
    if country is not None:
        return _place(country, s)
    county = re.match(r"^(.+?)\s+(?:co|county|parish|borough)$", k)
    if county:
        cands = g.counties.get(county.group(1), [])
        if len(cands) == 1:
            return _place(cands[0], s)
        e = _pick(cands, context, "", allow_bare=False)
        return _place(e, s) if e is not None else None
    cands = [e for e in g.names.get(k, []) if e.kind == "city"]
    e = _pick(cands, context, k, allow_bare)
    if e is None:
        e = _pick([a for a in g.aliases.get(k, []) if a.kind == "city"], context, k, allow_bare)
    if e is None:
        return None
    c = context.city if context is not None else None
    if c is not None and c.geonameid != e.gid and c.lat is not None and c.city:
        ce = _entry_of(c)
        if ce is not None and e.pop * 5 < ce.pop and _km(e, c.lat, c.lon) <= NEIGHBOURHOOD_KM:
            return _within(s, "neighbourhood", c)
    return _place(e, s)


def _pop(p: Place) -> int:
    e = _entry_of(p)
    return e.pop if e is not None else 0


def _entry_of(p: Place) -> _Entry | None:
    if not p.geonameid:
        return None
    for e in gazetteer().names.get(_key(p.city or p.name), []):
        if e.gid == p.geonameid:
            return e
    return None


def _us(context: PlaceContext | None) -> bool:
    return context is not None and bool(context.regions)


def _in_dc(context: PlaceContext) -> bool:
    c = context.city
    return c is not None and c.region == "District of Columbia"


def resolve(name: str, *, context: PlaceContext | None = None) -> Place | None:
    """The place ``name`` means (a GPE, LOC or FAC entity's text, or a street such as "300
    block of North Street"), or None.

    Streets, venues and neighbourhoods get kind street, venue or neighbourhood and the city,
    region and country of ``context`` (its dateline, else the city it names most). A bare name
    resolves to the place the context supports (a state it names, its dateline's city), else to
    the most populous place of that name, if it has :data:`BARE_MIN_POP` people or more and is
    not a common word (:data:`COMMON_WORDS`); a mention with lowercase words in it ("Pandora's
    box") is no place name."""
    s = _clean(name)
    if not s or not any(ch.isalpha() for ch in s):
        return None
    holder = context.holder() if context is not None else None
    if _STREET.search(s):
        # "Main Street in Elgin": the street with its own city
        m = re.match(r"(?i)^(.+?)\s+in\s+(.+)$", s)
        if m:
            p = _resolve_named(m.group(2), context)
            if p is not None:
                return _within(s, "street", p)
        return _within(s, "street", holder) if s[0].isupper() or s[0].isdigit() else None
    lowers = [w for w in _LOWER_WORD.findall(s) if w not in _LOWER_OK]
    hood = _NEIGHBOURHOOD.match(s)
    if hood and not lowers and not _VENUE_WORDS.search(s):
        whole = _resolve_named(s, context, allow_bare=True)
        if whole is not None:
            return whole
    if hood:
        inner = hood.group("city")
        if inner:
            p = _resolve_named(inner, context)
            e = _entry_of(p) if p is not None else None
            if p is not None and p.kind == "city" and (e is None or e.pop >= BARE_OUTSIDE_MIN_POP or (context and context.supports(e))):
                return _within(s, "neighbourhood", p)
        elif hood.group("hood") and hood.group("hood")[0].isupper():
            return _within(s, "neighbourhood", holder)
    possessive = re.match(r"^(.+?)'s\s+(.+)$", s)
    if possessive and possessive.group(2)[0].isupper():
        p = _resolve_named(possessive.group(1), context)
        if p is not None and p.kind == "city":
            return _within(s, "neighbourhood" if not _VENUE_WORDS.search(s) else "venue", p)
    if lowers:
        return None
    if _VENUE_WORDS.search(s):
        p = _resolve_named(s, context, allow_bare=True)
        if p is not None:
            return p
        return _within(s, "venue", holder) if " " in s else None
    return _resolve_named(s, context)


# ---------------------------------------------------------------------------------------------
# An incident's place


def _fold_neighbourhoods(places: list[Place]) -> list[Place]:
    """A city of the list that lies within :data:`NEIGHBOURHOOD_KM` of a city of the list with
    five times its people or more (in its region) is a part of it: "Englewood" and "Chicago",
    "Kensington" and "Philadelphia" (GeoNames lists parts of cities as places)."""
    cities = {}
    for p in places:
        if p.kind == "city" and p.geonameid and p.geonameid not in cities:
            e = _entry_of(p)
            if e is not None:
                cities[p.geonameid] = (p, e)
    if len(cities) < 2:
        return places
    into: dict[int | None, Place] = {}  # looked up with any place's geonameid (None: not found)
    for gid, (p, e) in cities.items():
        big = [(q, f) for q, f in cities.values() if f.pop >= 5 * e.pop and f.admin1 == e.admin1 and f.cc == e.cc
               and _km(e, f.lat, f.lon) <= NEIGHBOURHOOD_KM]
        if big:
            into[gid] = max(big, key=lambda t: t[1].pop)[0]
    if not into:
        return places
    out = []
    for p in places:
        holder = into.get(p.geonameid) if p.city else None
        if holder is None:
            out.append(p)
        elif p.kind == "city":
            out.append(_within(p.name, "neighbourhood", holder))
        else:
            out.append(p.model_copy(update={"city": holder.city, "lat": holder.lat, "lon": holder.lon, "geonameid": holder.geonameid}))
    return out


def most_specific(places: list[Place]) -> Place | None:
    """The most specific place ``places`` (an incident's, best evidence first) support: the
    city named most often (first named on a tie), then the most specific place in it (a street
    or venue, a neighbourhood, the city itself) with its city, county, region and country
    filled in. A street never stands alone when a city is known; places in another city are
    left out. Without any city, the county, region or country named most."""
    places = _fold_neighbourhoods([p for p in places if p is not None])
    if not places:
        return None
    votes: Counter = Counter()
    for p in places:
        if p.city:
            votes[(p.city, p.region, p.country)] += 1
    if votes:
        top = max(votes.values())
        city_key = next(k for k in ((p.city, p.region, p.country) for p in places) if votes.get(k) == top)
        inside = [p for p in places if (p.city, p.region, p.country) == city_key]
        city_place = next((p for p in inside if p.kind == "city"), inside[0])
        county = next((p.county for p in inside if p.county), None)
        if county is None:
            county = next((p.county for p in places if p.kind == "county" and p.region == city_key[1]), None)
        best = min(inside, key=lambda p: _KIND_RANK[p.kind])  # min keeps the first of equals
        return best.model_copy(update={
            "city": city_key[0], "county": best.county or county, "region": city_key[1], "country": city_key[2],
            "lat": best.lat if best.lat is not None else city_place.lat,
            "lon": best.lon if best.lon is not None else city_place.lon,
            "geonameid": best.geonameid or city_place.geonameid,
        })
    for kind, attr in (("county", "county"), ("region", "region"), ("country", "country")):
        votes = Counter((getattr(p, attr), p.region if kind == "county" else None) for p in places if getattr(p, attr))
        if votes:
            top = max(votes.values())
            k = next(k for k in ((getattr(p, attr), p.region if kind == "county" else None) for p in places) if votes.get(k) == top)
            same = [p for p in places if (getattr(p, attr), p.region if kind == "county" else None) == k]
            best = min(same, key=lambda p: _KIND_RANK[p.kind])
            region = best.region or next((p.region for p in places if p.region and p.country == best.country), None)
            country = best.country or next((p.country for p in places if p.country), None)
            return best.model_copy(update={"region": region, "country": country})
    return places[0]
