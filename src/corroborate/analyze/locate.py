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

from spacy.tokens import Doc

from corroborate.analyze import places
from corroborate.analyze.docinfo import info
from corroborate.records import Place, RoleItem

_PLACE_LABELS = {"GPE", "LOC", "FAC"}


def _first(text: str, name: str, taken: list[tuple[int, int]]) -> tuple[int, int] | None:
    """The first occurrence of ``name`` as whole words that overlaps no span already taken."""
    for m in re.finditer(r"(?<![\w])" + re.escape(name) + r"(?![\w])", text):
        if all(m.end() <= a or m.start() >= b for a, b in taken):
            return m.start(), m.end()
    return None


def report_places(doc: Doc, located: list[RoleItem] = ()) -> list[RoleItem]:
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

    def add(start: int, end: int, place: Place | None, source: str) -> None:
        if place is None:
            return
        taken.append((start, end))
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
    for name in [*places._cue_names(text), *(m.group("name") for m in places._COUNTY_TEXT.finditer(text))]:
        span = _first(text, name, taken)
        if span is not None:
            add(span[0], span[1], places.resolve(name, context=ctx), "rule")
    return items


def best_first(items: list[RoleItem]) -> list[RoleItem]:
    """The items with the one naming the report's most specific place first (then in order)."""
    best = places.most_specific([i.place for i in items if i.place is not None])
    if best is None:
        return items
    k = next((n for n, i in enumerate(items) if i.place is not None and i.place.name == best.name and i.place.kind == best.kind), None)
    if k is None:
        return items
    return [items[k].model_copy(update={"place": best}), *items[:k], *items[k + 1 :]]
