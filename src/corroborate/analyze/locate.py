"""Where a report places its incident: every place it names, resolved to its hierarchy with the
offline gazetteer (:mod:`corroborate.analyze.places`), each with the span that names it.

The candidates, in the order :func:`~corroborate.analyze.places.most_specific` weighs them:
the dateline ("ROCKY MOUNT, N.C. (AP) —"), the place entities spaCy finds (GPE, LOC, FAC),
the city names at cues the entity recogniser misses ("shot in Elgin", "Memphis police"), and
the counties the text names ("Greene County"). Each resolves in the report's context (its
dateline, the states and cities it names): "Canal Street" in a New Orleans report is a street
of New Orleans; "Canal" or "Pandora's box" alone is no place.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Literal, cast

from spacy.tokens import Doc

from corroborate.analyze import places
from corroborate.analyze.docinfo import info
from corroborate.lang import en
from corroborate.records import Place, RoleItem

_PLACE_LABELS = {"GPE", "LOC", "FAC"}
#: where victims are taken, not where an incident happens: a hospital places no incident
_CARE = re.compile(r"(?i)\b(?:" + "|".join(en.load("places")["care_places"]) + r")\b")


def _first(text: str, name: str, taken: list[tuple[int, int]]) -> tuple[int, int] | None:
    """The first occurrence of ``name`` as whole words that overlaps no span already taken."""
    for m in re.finditer(r"(?<![\w])" + re.escape(name) + r"(?![\w])", text):
        if all(m.end() <= a or m.start() >= b for a, b in taken):
            return m.start(), m.end()
    return None


def report_places(doc: Doc, located: Sequence[RoleItem] = ()) -> list[RoleItem]:
    """The places a parsed report names, resolved, in order of evidence (see the module), each
    place once (its first mention). ``located``: the places the event rules found where the
    event happened ("at the Crocus City Hall", "in Krasnogorsk"), weighed after the dateline."""
    meta = info(doc)
    text = meta.text
    # places, and organisations named for a building ("Crocus City Hall" is often tagged ORG)
    ents = [e for e in meta.ents if e.label_ in _PLACE_LABELS or (e.label_ == "ORG" and places._VENUE_WORDS.search(meta.text_of(e)))]
    mentions = [meta.text_of(e) for e in ents]
    ctx = places.PlaceContext.from_text(text, mentions)
    items: list[RoleItem] = []
    taken: list[tuple[int, int]] = []

    named: set[tuple[str, str]] = set()

    def add(start: int, end: int, place: Place | None, source: Literal["rule", "dateline"]) -> None:
        if place is None or _CARE.search(text[start:end]):
            return
        taken.append((start, end))
        if text[start:end].lower().startswith("the ") and end - start > 4:
            start += 4  # "The Eastgate Market": the place, not its article
        key = (place.name.lower(), place.kind)
        if key in named:
            return
        named.add(key)
        items.append(RoleItem(text=text[start:end], start=start, end=end, place=place, source=source))

    found = places.dateline(text)
    if found is not None:
        add(found[0], found[1], found[2], "dateline")
    for item in located:
        if not any(item.start < b and item.end > a for a, b in taken):
            add(item.start, item.end, places.resolve(item.text, context=ctx), "rule")
    for ent in ents:
        start, end = ent.start_char, ent.end_char
        if any(start < b and end > a for a, b in taken):
            continue
        add(start, end, places.resolve(text[start:end], context=ctx), "rule")
    for name in [*ctx.cue_names, *ctx.counties]:
        span = _first(text, name, taken)
        if span is not None:
            add(span[0], span[1], places.resolve(name, context=ctx), "rule")
    return items


def _compatible(place: Place, best: Place) -> bool:
    """Whether ``place`` is ``best``, lies in the same city, or holds it (its county, region or
    country): a place that places the incident, not another one the report mentions."""
    if best.city and place.city:
        return (place.city, place.region, place.country) == (best.city, best.region, best.country)
    if place.kind == "country":
        return place.country is not None and place.country == best.country
    if place.kind in {"region", "county"}:
        return place.region is not None and place.region == best.region
    return place.name.lower() == best.name.lower()


def event_locations(items: list[RoleItem], located: list[RoleItem]) -> list[RoleItem]:
    """The main event's locations: the report's resolved places that place the incident (its
    most specific place first, with its hierarchy; then, in order, the dateline, the places the
    rules found where the event happened, and the places in the same city or holding it), then
    the rules' places that the gazetteer does not know (a fictional "Port Halvard")."""
    best = places.most_specific([i.place for i in items if i.place is not None])
    out: list[RoleItem] = []
    if best is not None:
        located_spans = {(i.start, i.end) for i in located}
        k = next((n for n, i in enumerate(items) if i.place is not None and i.place.name == best.name and i.place.kind == best.kind), None)
        if k is not None:
            out.append(items[k].model_copy(update={"place": best}))
        for n, item in enumerate(items):
            if n == k:
                continue
            if item.source == "dateline" or (item.start, item.end) in located_spans or _compatible(cast(Place, item.place), best):
                out.append(item)
    for item in located:
        if not any(item.start < o.end and o.start < item.end for o in out):
            out.append(item)
    return out
