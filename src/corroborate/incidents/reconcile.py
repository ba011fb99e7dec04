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
    the latest publication, then to the smaller (conservative) one. A later, higher toll
    revises the earlier ones, even when they are more: when the latest dated report's figure is
    higher than that value and every claim that does not allow it is dated earlier and lower,
    it is the value (``discrepant``, ``revised``).

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
    :mod:`corroborate.incidents.people` and ``lang/en/aliases.json``), its value the name the
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

Independent sources (contract 1.6)
    Reports joined by derivation (:mod:`corroborate.incidents.derive`: a copy, a pickup, a
    rewrite) form one *source group*, and every fact is then judged on groups, not reports
    (:func:`by_sources`): ``independent_sources`` is the number of groups that support the
    value; ``corroborated`` needs two; a fact whose support is one group is ``single_source``,
    its other reports listed in ``copies``; and a fact is ``conflicting`` or ``discrepant`` only
    when a group that gives none of the support dissents. A copy that changes its source's
    figure is one source disagreeing with itself: the fact keeps the status its independent
    sources give, the copy's figure stays in ``dissent``, and ``rule`` says so.

    Each support item carries its report's evidence weight (:func:`evidence_weight`) and the
    origin it is attributed to, where the report says ("police", "Sheriff Jane Doe"; see
    :func:`origin_of`). Groups whose support names a common origin rest on that one origin:
    ``independent_origins`` counts them once. ``confidence`` combines the independent origins
    as independent witnesses (a noisy OR of their best weights), discounted by the independent
    dissent: ``confidence = (1 - prod(1 - w_origin)) * prod(1 - w_dissent)``, where
    ``w_dissent`` are the best weights of the dissenting groups that support nothing (earlier
    tolls a later report revised do not dissent here).
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from functools import lru_cache
from typing import cast

from corroborate.incidents.align import single_source_claims
from corroborate.incidents.cluster import incident_id
from corroborate.incidents.people import group_keys, people_facts
from corroborate.records import (
    Count,
    Derivation,
    Fact,
    FactStatus,
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

    candidates = sorted({cast(int, c.value) for _, c in claims} | {c.low for _, c in claims if c.low is not None and not c.derived})

    def rank(value: int):
        support = [(r, c) for r, c in claims if allows(c, value)]
        latest = max((r.published for r, _ in support if r.published), default="")
        stated = sum(1 for _, c in support if not (c.derived or c.singular))  # figures a report states as the toll
        return len(support), stated, latest, -value

    value = max(candidates, key=rank)
    revision = _latest_revision(claims, value, allows, _interval)
    if revision is not None:
        value = revision
    support = [(r, c) for r, c in claims if allows(c, value)]
    dissent = [(r, c) for r, c in claims if not allows(c, value)]
    revised = False
    status: FactStatus
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


def _latest_revision(claims: list[tuple[Report, Count]], value: int, allows, interval) -> int | None:
    """A later, higher toll revises the earlier ones: the figure of the latest dated report, when it
    is higher than ``value`` (what most claims allow) and every claim that does not allow it is
    dated earlier and lower ("four wounded" on Sunday and Tuesday, "five wounded" on Friday: 5).
    None when there is no such figure."""
    dated = [(r, c) for r, c in claims if r.published]
    if not dated:
        return None
    latest = max(cast(str, r.published) for r, _ in dated)
    figure = max(cast(int, c.value) for r, c in dated if r.published == latest)
    if figure <= value:
        return None
    against = [(r, c) for r, c in claims if not allows(c, figure)]
    if all(r.published and r.published < latest and interval(c)[1] < figure for r, c in against):
        return figure
    return None


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
        status: FactStatus
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


def _vote_fact(slot: str, per_report: Sequence[tuple[Report, str, Span | None]], disagree: str | None, tiebreak: Counter | None = None,
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
        status = cast(FactStatus, disagree or "conflicting")
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
    ordered = cast("list[Place]", [items[0].place for _, items in located] + [i.place for _, items in located for i in items[1:]])
    best = most_specific(ordered)
    if best is None:
        return None
    key = _city_of(best)
    support, dissent = [], []
    for r, items in located:
        mine = [i for i in items if (best.city and _city_of(cast(Place, i.place)) == key) or cast(Place, i.place).name.lower() == best.name.lower()]
        if mine:
            support += [_prov(r, i) for i in mine]
        elif best.city and cast(Place, items[0].place).city and _city_of(cast(Place, items[0].place)) != key:
            dissent.append(_prov(r, items[0]))
    n = len({p.report for p in support})
    status: FactStatus = "conflicting" if dissent else ("corroborated" if n >= 2 else "single_source")
    return Fact(slot="location", value=best.name, place=best, status=status,
                rule="the most specific place the reports support, in the city they name most",
                support=support, dissent=dissent)


def _with_type_support(fact: Fact, reports: list[Report]) -> Fact:
    """The type fact's support: the cue words of each report that gives that type."""
    support = [Provenance(report=r.id, text=s.text, start=s.start, end=s.end)
               for r in reports for e in r.events[:1] if e.type == fact.value for s in e.type_support]
    return fact.model_copy(update={"support": support, "rule": "the type most reports give, from their cue words"})


@lru_cache(maxsize=1)
def _title_pattern() -> tuple[re.Pattern, dict[str, str]]:
    from corroborate.analyze.counts import _SCALES, _WORDS
    from corroborate.lang import en

    data = en.load("titles")
    slot = {word: name for name in ("killed", "injured") for word in data[name]}
    number = r"\d+|" + "|".join(sorted(set(_WORDS) | set(_SCALES), key=len, reverse=True))
    words = "|".join(sorted(slot, key=len, reverse=True))
    pattern = re.compile(rf"\b(?P<n>(?:{number})(?:[- ](?:{number}))*)\b(?:[^\w\n]+[\w'-]+){{0,3}}?[^\w\n]+(?P<what>{words})\b", re.IGNORECASE)
    return pattern, slot


def title_tolls(title: str) -> dict[str, set[int]]:
    """The figures a title gives for the killed and the injured ("At least 14 killed" -> killed {14})."""
    from corroborate.analyze.counts import parse_number

    pattern, slot = _title_pattern()
    out: dict[str, set[int]] = defaultdict(set)
    for match in pattern.finditer(title):
        text = match.group("n")
        value = int(text) if text.isdigit() else parse_number(re.split(r"[- ]", text.lower()))
        if value is not None:
            out[slot[match.group("what").lower()]].add(value)
    return out


def _title(by_time: list[Report], facts: list[Fact] | None = None) -> str | None:
    """The earliest title, preferring reports not flagged as likely machine-written, and never one
    whose toll contradicts the reconciled one ("At least 14 killed" above 21 killed): then the
    next title that does not; when every title does, one made from the facts ("Shooting in
    Chicago: 21 killed, 3 injured")."""
    titled = [r for r in by_time if r.title]
    trusted = [r for r in titled if r.signals is None or r.signals.machine_generated < 0.5]
    chosen = trusted + [r for r in titled if r not in trusted]
    values = {f.slot: f.value for f in facts or [] if f.slot in ("killed", "injured") and isinstance(f.value, int)}

    def agrees(title: str) -> bool:
        return all(stated == {values[slot]} for slot, stated in title_tolls(title).items() if slot in values)

    for report in chosen:
        if agrees(cast(str, report.title)):
            return report.title
    if not chosen:
        return None
    kind = next((f.value for f in facts or [] if f.slot == "type"), None)
    place = next((f.place.city or f.value if f.place else f.value for f in facts or [] if f.slot == "location"), None)
    head = str(kind or "incident").replace("_", " ").capitalize() + (f" in {place}" if place else "")
    return head + ": " + ", ".join(f"{values[s]} {s}" for s in ("killed", "injured") if s in values)


def evidence_weight(report: Report, derived_from: list[Derivation] | None = None) -> float:
    """How much one report's word weighs, from 0.05 to 1 (README, Evidence weight):
    ``(0.5 + 0.5 a - 0.25 u) * (1 - 0.8 m) * (1 - 0.5 d)``, where ``a`` is the share of its factual
    sentences attributed to a named source, ``u`` the share attributed to unnamed sources only,
    ``m`` its machine-written likelihood and ``d`` the largest share of its text it reuses from
    another report (``derived_from``: its derivations, when not yet on the report). A report
    without signals weighs 0.5."""
    signals = report.signals
    if signals is None:
        return 0.5
    derived = max((d.share for d in (report.derived_from if derived_from is None else derived_from)), default=0.0)
    weight = ((0.5 + 0.5 * signals.attribution_rate - 0.25 * signals.unnamed_source_rate)
              * (1 - 0.8 * signals.machine_generated) * (1 - 0.5 * derived))
    return round(min(max(weight, 0.05), 1.0), 4)


@lru_cache(maxsize=1)
def _origin_words() -> dict[str, str]:
    from corroborate.incidents.derive import credits

    return {word: name for name, words in credits()["origins"].items() for word in words}


def origin_of(report: Report, item: Span) -> str | None:
    """Who the report attributes a support item to: the speaker of a named attribution whose
    passage holds the item ("Seven people were shot, police said"). An official body's many names ("officers", "the sheriff's office") are one origin
    (``origins`` in ``lang/en/credits.json``). None when the report does not say, or the source is
    unnamed (two unnamed sources cannot be told apart)."""
    for attribution in report.attributions:
        if attribution.speaker_type == "unnamed" or not attribution.speaker:
            continue
        if attribution.start <= item.start and item.end <= attribution.end:
            speaker = " ".join(attribution.speaker.lower().split()).removeprefix("the ")
            words = _origin_words()
            return next((words[w] for w in sorted(words) if re.search(rf"\b{re.escape(w)}\b", speaker)), speaker)
    return None


def by_sources(fact: Fact, group_of: dict[str, int], reports: dict[str, Report], weights: dict[str, float]) -> Fact:
    """The fact judged on source groups (see the module's "Independent sources"): each support
    and dissent item with its group, origin and weight; ``independent_sources``,
    ``independent_origins``, ``origins``, ``copies`` and ``confidence``; and the status when its
    reports are fewer sources than they look."""
    def annotate(items: list[Provenance]) -> list[Provenance]:
        return [p.model_copy(update={"source_group": group_of.get(p.report), "weight": weights.get(p.report),
                                     "origin": origin_of(reports[p.report], p) if p.report in reports else None})
                for p in items]

    support, dissent = annotate(fact.support), annotate(fact.dissent)
    supporters = list(dict.fromkeys(p.report for p in support))
    # each report's group; a report no group holds is a source of its own
    group = {r: group_of.get(r, -1 - k) for k, r in enumerate(dict.fromkeys(p.report for p in support + dissent))}
    first_of_group: dict[int, str] = {}
    for r in supporters:
        first_of_group.setdefault(group[r], r)
    groups = list(first_of_group)
    copies = [r for r in supporters if r not in first_of_group.values()]
    origins_of: dict[int, set[str]] = defaultdict(set)
    best: dict[int, float] = defaultdict(float)
    for p in support:
        if p.origin:
            origins_of[group[p.report]].add(p.origin)
        best[group[p.report]] = max(best[group[p.report]], p.weight if p.weight is not None else 0.5)
    units: dict[int, int] = {g: g for g in groups}  # groups that rest on a common origin are one origin
    for g in groups:
        for h in groups:
            if g < h and origins_of[g] & origins_of[h]:
                old, new = units[h], units[g]
                units = {k: (new if v == old else v) for k, v in units.items()}
    unit_weight: dict[int, float] = defaultdict(float)
    for g in groups:
        unit_weight[units[g]] = max(unit_weight[units[g]], best[g])
    independent_dissent = {group[p.report] for p in dissent} - set(groups)
    dissent_weight: dict[int, float] = defaultdict(float)
    for p in dissent:
        if group[p.report] in independent_dissent:
            dissent_weight[group[p.report]] = max(dissent_weight[group[p.report]], p.weight if p.weight is not None else 0.5)
    confidence = 1 - math.prod(1 - w for w in unit_weight.values())
    if not fact.revised:
        confidence *= math.prod(1 - w for w in dissent_weight.values())
    status, rule = fact.status, fact.rule
    # a report that both supports and dissents states both sides ("police accused them; they denied
    # it"): its disagreement stands; a copy of a supporting report that dissents is no second witness
    both_sides = any(p.report in supporters for p in dissent)
    if support and not independent_dissent and not both_sides:
        if len(groups) < 2 and status != "single_source":
            status = "single_source"
            rule += "; its reports are one source (copies of one story)"
        elif status == "conflicting":  # only copies of a supporting report disagree
            status = "corroborated"
        if dissent:
            rule += "; the dissent comes from a copy of a supporting report: one source disagreeing with itself, not a second witness"
    elif status == "corroborated" and len(groups) < 2:
        status = "single_source"
        rule += "; its reports are one source (copies of one story)"
    return fact.model_copy(update={
        "support": support, "dissent": dissent, "status": status, "rule": rule,
        "independent_sources": len(groups), "independent_origins": len(set(units.values())),
        "origins": sorted({p.origin for p in support if p.origin}),
        "copies": copies, "confidence": round(confidence, 4)})


def reconcile(reports: list[Report], ident: str | None = None, embedder=None,
              derived: dict[str, list[Derivation]] | None = None) -> Incident:
    """One incident record from the reports grouped into it (in input order).

    ``ident`` keeps an existing incident's id; by default it derives from the first report.
    ``embedder`` adds semantic sentence alignment to the single-source claims. ``derived``: the
    derivations among the reports (:func:`corroborate.incidents.derive.within`), by derived
    report id; by default, the reports' own ``derived_from``."""
    from corroborate.assess.sources import outlet_of
    from corroborate.incidents.derive import source_groups

    if derived is None:
        derived = {r.id: r.derived_from for r in reports if r.derived_from}
    groups = source_groups(reports, derived)
    group_of = {r: k for k, group in enumerate(groups) for r in group}
    by_id = {r.id: r for r in reports}
    weights = {r.id: evidence_weight(r, derived.get(r.id, [])) for r in reports}
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
    facts = [by_sources(f, group_of, by_id, weights) for f in facts]
    place = location.place if location is not None else None
    date = cast("str | None", next((f.value for f in facts if f.slot == "date"), None))  # never the publication day: null when no report states it
    return Incident(
        id=ident or incident_id(reports[0].id),
        reports=[r.id for r in reports],
        title=_title(by_time, facts),
        source_groups=groups,
        outlets=len({outlet_of(r) for r in reports}),
        date=date,
        location=_place_text(place) if place is not None else (cast(str, location.value) if location is not None else None),
        place=place,
        facts=facts,
        single_source_claims=single_source_claims(reports, embedder),
        alignment="lexical" if embedder is None else "lexical+semantic",
    )
