"""Reconcile an incident's reports into one record of facts (first version).

Counts (killed, injured, arrested, missing, kidnapped, displaced)
    Only a report's asserted tolls of its own incident are claims (``modality ==
    "asserted"`` and ``scope == "this_incident"``: not "could die", negated figures,
    forecasts, yearly totals, other shootings or partial counts; the others stay in
    ``report.counts``). Each report's claim is its largest such count of the category
    (figures before vague amounts), read as
    the interval ``[low, high]`` its hedge allows (``high`` open for "at least"). People named
    one by one without a figure ("a man was killed", ``singular``) allow that many or more;
    an injured count derived from "N shot, K killed" allows N − K or fewer. When a report says
    a perpetrator died ("three dead, including the gunman", "killed two before killing himself":
    ``Count.with_perpetrator``), a killed count that does not say it includes them allows one more.
    The value is the one the most claims allow; ties go to the value more stated
    figures allow (neither derived nor singular), then to the value backed by
    the latest publication, then to the smaller (conservative) one.

    - every claim allows it: ``single_source`` (one report), ``corroborated``
      (the same figure everywhere, whatever the hedge: "at least 14" and "14")
      or ``discrepant`` (the hedges allow a
      common truth, e.g. "at least 40" and "at least 93": 93); low/high are the
      common interval;
    - the claims that do not allow it are all dated earlier than the latest
      supporting report, and lower: ``discrepant`` with ``revised = true`` (an
      early toll against a later one);
    - otherwise ``conflicting`` ("40 killed" against "93 killed", or an undated
      report against a dated one); low/high span all claims.

    ``support`` holds the spans that allow the value; ``dissent`` the rest.

Perpetrators
    One fact per organization named as a perpetrator; a group's other names are one
    organization ("ISIS", "Islamic State", "Daesh", "the Islamic State group": see
    :mod:`corroborate.incidents.people` and ``data/aliases.json``), its value the name the
    reports use most. ``qualifier`` is the status
    most reports give. A claim or confirmation in one report against a denial in
    another is ``conflicting``; two or more reports agreeing is ``corroborated``.

Victims and suspects (contract 1.5)
    One ``victim`` fact per person harmed and one ``suspect`` fact per individual perpetrator,
    named or described, merged across reports by name (see :mod:`corroborate.incidents.people`):
    ``qualifier`` is the victim's harm or the suspect's status, with ``age`` and ``gender``
    where stated; ``corroborated`` when two or more reports mention the person.

Location, date, type, weapon
    The most frequent value. A report giving another date dissents
    (``conflicting``), another type too (``discrepant``); a report dissents on
    the location only when it names none of the winning place (a report naming
    both "Krasnogorsk" and "Moscow" does not dissent from "Moscow").
"""

from __future__ import annotations

from collections import Counter, defaultdict

from corroborate.incidents.align import single_source_claims
from corroborate.incidents.cluster import incident_id
from corroborate.incidents.people import group_keys, people_facts
from corroborate.records import (
    Count,
    Fact,
    Incident,
    Place,
    Provenance,
    Report,
    RoleItem,
    Span,
)

COUNT_SLOTS = ("killed", "injured", "arrested", "missing", "kidnapped", "displaced")
#: Statuses that put responsibility on a party; any of them against a denial is a conflict.
_POSITIVE = {"claimed", "confirmed", "accused", "suspected"}


def _prov(report: Report, item) -> Provenance:
    return Provenance(report=report.id, text=item.text, start=item.start, end=item.end)


def _bounds(count: Count, perpetrator_died: bool = False) -> tuple[int, float]:
    """The values a claim allows. A count of people named one by one ("a man was killed", ``singular``)
    allows that many or more: it names victims, not a total. An injured count derived from "N shot,
    K killed" allows N − K or fewer: the report may not give every death."""
    low = count.low if count.low is not None else 0
    high = count.high if count.high is not None else float("inf")
    if count.singular:
        high = float("inf")
    if count.derived:
        low = 0
    if perpetrator_died and count.category == "killed" and not count.with_perpetrator:
        high += 1  # "killed two people" may leave out the gunman who died: two or three dead
    return low, high


def is_toll(count: Count) -> bool:
    """Whether a count can be an incident fact: an asserted toll of the report's own incident
    (not "could die", "were not hurt", "expected to rise to", a yearly total, another
    shooting or a partial count; see :mod:`corroborate.analyze.tolls`)."""
    return count.modality == "asserted" and count.scope == "this_incident"


def best_claim(report: Report, category: str) -> Count | None:
    """A report's claim for a category: its largest count that is an asserted toll of this
    incident (:func:`is_toll`), preferring figures to vague amounts ("at least 93 dead" over
    "killing and wounding hundreds")."""
    counts = [c for c in report.counts if c.category == category and c.value is not None and is_toll(c)]
    precise = [c for c in counts if c.hedge != "vague"]
    if not counts:
        return None
    return max(precise or counts, key=lambda c: (c.low if c.low is not None else c.value, c.value))


def perpetrator_died(reports: list[Report]) -> bool:
    """Whether a report of the incident says a perpetrator died: one of its killed counts includes
    them ("three dead, including the gunman") or leaves them out in a sentence that says they died
    ("killed two people before killing himself")."""
    return any(c.category == "killed" and c.with_perpetrator is not None for r in reports for c in r.counts)


def _count_fact(slot: str, claims: list[tuple[Report, Count]], died: bool = False) -> Fact:
    """``died``: a perpetrator died (:func:`perpetrator_died`), so a killed count that does not say
    it includes them allows one more."""

    def _interval(count: Count) -> tuple[int, float]:
        return _bounds(count, died)

    def allows(count: Count, value: int) -> bool:
        low, high = _interval(count)
        return low <= value <= high

    candidates = sorted({c.value for _, c in claims} | {c.low for _, c in claims if c.low is not None and not c.derived})

    def rank(value: int):
        support = [(r, c) for r, c in claims if allows(c, value)]
        latest = max((r.published for r, _ in support if r.published), default="")
        stated = sum(1 for _, c in support if not (c.derived or c.singular))  # figures a report states as the toll
        return len(support), stated, latest, -value

    value = max(candidates, key=rank)
    support = [(r, c) for r, c in claims if allows(c, value)]
    dissent = [(r, c) for r, c in claims if not allows(c, value)]
    revised = False
    if not dissent:
        low = max(_interval(c)[0] for _, c in claims)
        high = min(_interval(c)[1] for _, c in claims)
        if len(claims) == 1:
            status, rule = "single_source", "the only report's figure"
        elif len({c.value for _, c in claims}) == 1:
            status, rule = "corroborated", "all reports give this figure"
        else:
            status, rule = "discrepant", "the smallest value every report allows"
    else:
        latest_support = max((r.published for r, _ in support if r.published), default=None)
        revised = latest_support is not None and all(
            r.published and r.published < latest_support and _interval(c)[1] < value for r, c in dissent
        )
        if revised:
            status, rule = "discrepant", "the latest figure: earlier, lower reports were revised"
            low = max(_interval(c)[0] for _, c in support)
            high = min(_interval(c)[1] for _, c in support)
        else:
            status, rule = "conflicting", "the value most reports allow (ties: the latest report's, then the smaller)"
            low = min(_interval(c)[0] for _, c in claims)
            high = max(_interval(c)[1] for _, c in claims)
    return Fact(
        slot=slot, value=value, low=low, high=None if high == float("inf") else int(high),
        status=status, rule=rule, revised=revised,
        support=[_prov(r, c) for r, c in support], dissent=[_prov(r, c) for r, c in dissent],
    )


def _perpetrator_facts(reports: list[Report]) -> list[Fact]:
    found = [(report, item) for report in reports for event in report.events[:1] for item in event.perpetrator_organizations]
    keys = group_keys([item.text for _, item in found])
    mentions: dict[str, list[tuple[Report, RoleItem]]] = defaultdict(list)
    for report, item in found:
        mentions[keys[item.text]].append((report, item))
    facts = []
    for items in mentions.values():
        by_report = {r.id for r, _ in items}
        statuses = Counter(i.status for _, i in items)
        positive = {r.id for r, i in items if i.status in _POSITIVE}
        denied = {r.id for r, i in items if i.status == "denied"}
        qualifier = statuses.most_common(1)[0][0]
        if positive and denied:
            status, rule = "conflicting", "held responsible in one report, denied in another"
            keep = _POSITIVE if qualifier in _POSITIVE else {qualifier}
        else:
            status = "corroborated" if len(by_report) >= 2 else "single_source"
            rule, keep = "named as perpetrator", None
        support = [_prov(r, i) for r, i in items if keep is None or i.status in keep]
        dissent = [_prov(r, i) for r, i in items if keep is not None and i.status not in keep]
        names = Counter(i.text for _, i in items)
        value = max(names, key=lambda name: names[name])  # the name used most (ties: the first seen)
        facts.append(Fact(slot="perpetrator", value=value, qualifier=qualifier, status=status,
                          rule=rule, support=support, dissent=dissent))
    return facts


def _vote_fact(slot: str, per_report: list[tuple[Report, str, Span | None]], disagree: str | None, tiebreak: Counter | None = None,
               by_key: bool = False) -> Fact | None:
    """A fact by majority vote; ``per_report`` holds (report, key, item). The value is the
    first supporting item's text, or the key itself with ``by_key`` (a date's ISO day).

    ``disagree`` is the status when some report gives another value; None means a
    report dissents only when it names none of the winning value (places).
    Ties go to the value mentioned most often (``tiebreak``), then to the first seen."""
    if not per_report:
        return None
    votes = Counter(key for _, key, _ in per_report)
    tiebreak = tiebreak or Counter()
    best = max(votes, key=lambda key: (votes[key], tiebreak[key]))
    support = [(r, item) for r, key, item in per_report if key == best]
    if disagree is None:
        # places: a report naming another place as well does not dissent ("Krasnogorsk" and "Moscow")
        per_report = [(r, key, item) for r, key, item in per_report if key == best or r.id not in {s.id for s, _ in support}]
    dissent = [(r, item) for r, key, item in per_report if key != best]
    if dissent:
        status = disagree or "conflicting"
    else:
        status = "corroborated" if len({r.id for r, _ in support}) >= 2 else "single_source"
    value = support[0][1].text if support[0][1] is not None and not by_key else best
    return Fact(
        slot=slot, value=value, status=status, rule="the value most reports give",
        support=[_prov(r, i) for r, i in support if i is not None],
        dissent=[_prov(r, i) for r, i in dissent if i is not None],
    )


def _places(locations: list[RoleItem]) -> list[RoleItem]:
    """One mention per distinct place of a report (a report votes once for each place it names)."""
    seen, out = set(), []
    for item in locations:
        if item.text.lower() not in seen:
            seen.add(item.text.lower())
            out.append(item)
    return out


def _city_of(place: Place) -> tuple:
    return (place.city, place.region, place.country)


def _place_text(place: Place) -> str:
    """"Canal Street, New Orleans, Louisiana, United States": the place and what holds it."""
    parts: list[str] = []
    for part in (place.name, place.city, place.county, place.region, place.country):
        if part and part.lower() not in {p.lower() for p in parts}:
            parts.append(part)
    return ", ".join(parts)


def _location_fact(reports: list[Report]) -> Fact | None:
    """The incident's place: the most specific place its reports support
    (:func:`corroborate.analyze.places.most_specific` over every report's resolved places, each
    report's best first), with its city, region and country. Support: every mention of that
    place or of a place in its city; dissent: the reports whose own best place is in another
    city and that name nothing in the chosen one. Reports from before contract 1.5 (no
    resolved places) vote with their locations' text, as they did then."""
    from corroborate.analyze.places import most_specific

    located = [(r, [i for i in r.events[0].locations if i.place is not None]) for r in reports if r.events]
    located = [(r, items) for r, items in located if items]
    if not located:  # as before 1.5: each place a report names votes once, ties to the place named most
        votes = [(r, item.text.lower(), item) for r in reports for e in r.events[:1] for item in _places(e.locations)]
        mentions = Counter(e.text.lower() for r in reports for e in r.entities if e.label in {"GPE", "LOC", "FAC"})
        return _vote_fact("location", votes, None, mentions)
    # every report's best place first, then the others: most_specific counts the cities named
    ordered = [items[0].place for _, items in located] + [i.place for _, items in located for i in items[1:]]
    best = most_specific(ordered)
    if best is None:
        return None
    key = _city_of(best)
    support, dissent = [], []
    for r, items in located:
        mine = [i for i in items if (best.city and _city_of(i.place) == key) or i.place.name.lower() == best.name.lower()]
        if mine:
            support += [_prov(r, i) for i in mine]
        elif best.city and items[0].place.city and _city_of(items[0].place) != key:
            dissent.append(_prov(r, items[0]))
    n = len({p.report for p in support})
    status = "conflicting" if dissent else ("corroborated" if n >= 2 else "single_source")
    return Fact(slot="location", value=best.name, place=best, status=status,
                rule="the most specific place the reports support, in the city they name most",
                support=support, dissent=dissent)


def _with_type_support(fact: Fact, reports: list[Report]) -> Fact:
    """The type fact's support: the cue words of each report that gives that type."""
    support = [Provenance(report=r.id, text=s.text, start=s.start, end=s.end)
               for r in reports for e in r.events[:1] if e.type == fact.value for s in e.type_support]
    return fact.model_copy(update={"support": support, "rule": "the type most reports give, from their cue words"})


def _title(by_time: list[Report]) -> str | None:
    """The earliest title, preferring reports not flagged as likely machine-written."""
    titled = [r for r in by_time if r.title]
    trusted = [r for r in titled if r.signals is None or r.signals.machine_generated < 0.5]
    chosen = trusted or titled
    return chosen[0].title if chosen else None


def reconcile(reports: list[Report], ident: str | None = None, embedder=None) -> Incident:
    """One incident record from the reports grouped into it (in input order).

    ``ident`` keeps an existing incident's id; by default it derives from the first report.
    ``embedder`` adds semantic sentence alignment to the single-source claims."""
    by_time = sorted(reports, key=lambda r: (r.published is None, r.published or ""))
    facts: list[Fact] = []
    died = perpetrator_died(reports)
    for slot in COUNT_SLOTS:
        claims = [(r, c) for r in reports if (c := best_claim(r, slot)) is not None]
        if claims:
            facts.append(_count_fact(slot, claims, died))
    facts += _perpetrator_facts(reports)
    facts += people_facts(reports)
    location = _location_fact(reports)
    if location is not None:
        facts.append(location)
    date_votes = [(r, e.date, e.date_support) for r in reports for e in r.events[:1] if e.date]
    type_votes = [(r, e.type, None) for r in reports for e in r.events[:1] if e.type != "other"]
    for slot, votes, disagree in (("date", date_votes, "conflicting"), ("type", type_votes, "discrepant")):
        fact = _vote_fact(slot, votes, disagree, by_key=True)
        if fact is not None and slot == "type":
            fact = _with_type_support(fact, reports)
        if fact:
            facts.append(fact)
    weapon_votes: dict[str, list[tuple[Report, RoleItem]]] = defaultdict(list)
    for r in reports:
        for e in r.events[:1]:
            for w in e.weapons:
                weapon_votes[w.text.lower().split()[-1].rstrip("s")].append((r, w))
    for items in weapon_votes.values():
        n_reports = len({r.id for r, _ in items})
        facts.append(Fact(slot="weapon", value=items[0][1].text, status="corroborated" if n_reports >= 2 else "single_source",
                          rule="named as a weapon", support=[_prov(r, w) for r, w in items]))
    place = location.place if location is not None else None
    date = next((f.value for f in facts if f.slot == "date"), None)  # never the publication day: null when no report states it
    return Incident(
        id=ident or incident_id(reports[0].id),
        reports=[r.id for r in reports],
        title=_title(by_time),
        date=date,
        location=_place_text(place) if place is not None else (location.value if location is not None else None),
        place=place,
        facts=facts,
        single_source_claims=single_source_claims(reports, embedder),
        alignment="lexical" if embedder is None else "lexical+semantic",
    )
