"""Flat tables of a run for analysts, joinable by id: the one definition the CSV, Parquet and
datasette writers share.

:data:`TABLES` names each table and its columns in order, with a type and a one-line
description each (it is also the documentation: the datasette ``metadata.json`` and the
Parquet schemas are built from it). :func:`rows` gives each table's rows as plain dicts
whose keys are the table's columns, in order; values are ``str``, ``int``, ``float``,
``bool`` or ``None``, text exactly as the records hold it (no escaping: a writer escapes
what its format needs).

Streaming. A corpus may hold 100k reports, so no table is ever built whole: each table's
rows come from a generator that reads its inputs once, one record at a time, and a writer
consumes one table before it starts the next. What this assumes of the inputs:

* ``reports`` and ``incidents`` are **re-iterable** (a ``list``, a ``tuple`` or a
  :class:`corroborate.spill.JsonlSpill` view of ``reports.jsonl``/``incidents.jsonl``): every
  table iterates its inputs afresh, so a one-shot iterator or generator is refused with a
  ``TypeError`` rather than silently giving empty tables.
* The ``reports`` table maps each report id to its incident and its count of single-source
  claims (one pass over the incidents first): that map is the only thing held for a whole
  table, a few dozen bytes per report. Every other table holds one record at a time.

Ids. Facts have no id of their own in the records: ``fact_id`` is ``"{incident_id}#{k}"``, ``k``
the fact's index in ``incident.facts``. A support or dissent item is
``"{fact_id}/{side}/{k}"`` (``k`` its index in ``fact.support`` or ``fact.dissent``); a count or
a derivation is ``"{report_id}#{k}"`` (its index in ``report.counts`` or
``report.derived_from``). All are stable for the same records.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel

from corroborate.assess.sources import outlet_of
from corroborate.records import (
    Count,
    Derivation,
    Fact,
    Incident,
    Place,
    Provenance,
    Report,
)

ColumnType = Literal["text", "integer", "real", "boolean"]
Row = dict[str, Any]
M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class Column:
    name: str
    type: ColumnType
    description: str


@dataclass(frozen=True)
class Table:
    """One flat table: its columns in order, the column that identifies a row, and the columns
    that refer to another table's id (``{"incident_id": "incidents.id"}``)."""

    name: str
    description: str
    columns: tuple[Column, ...]
    primary_key: str
    foreign_keys: dict[str, str] = field(default_factory=dict)

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]


def _cols(*specs: tuple[str, ColumnType, str]) -> tuple[Column, ...]:
    return tuple(Column(*spec) for spec in specs)


_SPAN: tuple[tuple[str, ColumnType, str], ...] = (
    ("start", "integer", "start offset of `text` in the report's text (characters): report.text[start:end] == text"),
    ("end", "integer", "end offset of `text` in the report's text (characters, exclusive)"),
    ("text", "text", "the words of the report, verbatim"),
)

_SINGLE_SOURCE = ("sentences of the report that no other report of its incident makes (from the incident's "
                  "single_source_claims; null: it joined no incident, or an incident of one report)")

REPORTS = Table(
    "reports",
    "One row per report: where it came from, whether it tells of an incident, its headline reliability "
    "signals, and the incident it joined.",
    _cols(
        ("id", "text", "report id (unique in a run)"),
        ("title", "text", "headline, as published"),
        ("source", "text", "outlet name as the input gives it (null: not given)"),
        ("outlet", "text", "the outlet: `source`, else the domain of `url`, else \"unknown\" (the `source` of sources.jsonl)"),
        ("url", "text", "address of the report, when known"),
        ("published", "text", "publication date or date-time, ISO 8601 (null: not known)"),
        ("byline", "text", "author(s), as published"),
        ("language", "text", "ISO 639-1 code of the text's language (null: not detected)"),
        ("words", "integer", "words in the cleaned text (whitespace-separated)"),
        ("relevant", "boolean", "the report tells of a specific incident of harm and takes part in incidents (null: not assessed)"),
        ("incident_probability", "real", "calibrated likelihood that the report tells of a specific incident of harm (null: not assessed)"),
        ("incident_type", "text", "the incident type the relevance classifier gives (null: not relevant or not assessed)"),
        ("incident_id", "text", "the incident the report belongs to (incidents.id; null: it joined none)"),
        ("machine_generated", "real", "likelihood that the text is machine-written (trained detector)"),
        ("attribution_rate", "real", "share of factual sentences attributed to a named source"),
        ("unnamed_source_rate", "real", "share of factual sentences attributed to unnamed sources only"),
        ("vagueness", "real", "hedges and vague quantifiers not tied to a number, per 100 words"),
        ("specificity", "real", "named entities, numbers, dates and places, per 100 words"),
        ("emotive", "real", "loaded or moralizing words, per 100 words"),
        ("single_source_claims", "integer", _SINGLE_SOURCE),
        ("factual_sentences", "integer", "factual sentences: the denominator of the two rates"),
        ("n_counts", "integer", "counts of people found in the text (rows of `counts`)"),
        ("n_attributions", "integer", "attributed passages (who said what) found in the text"),
        ("n_derived_from", "integer", "reports this one reuses: copies, partial copies, paraphrases, rewrites (rows of `derivations`)"),
        ("encoding", "text", "how the input's bytes were decoded (Python codec name)"),
        ("origin", "text", "where the report came from: a path, or path:line for JSON Lines"),
        ("text", "text", "the cleaned body; every start/end offset indexes into it"),
        ("schema_version", "text", "version of the output contract of the record"),
    ),
    "id",
    {"incident_id": "incidents.id"},
)

INCIDENTS = Table(
    "incidents",
    "One row per incident: reports grouped as one real-world event, with its reconciled headline facts.",
    _cols(
        ("id", "text", "incident id"),
        ("title", "text", "a title from its reports"),
        ("date", "text", "ISO date of the incident (null: not known)"),
        ("location", "text", "the incident's place, in words"),
        ("place_name", "text", "the most specific supported place, as the reports name it"),
        ("place_kind", "text", "how specific that place is: venue, street, neighbourhood, city, county, region, country"),
        ("city", "text", "city holding the place (GeoNames)"),
        ("county", "text", "county holding the place"),
        ("region", "text", "region (state, province) holding the place"),
        ("country", "text", "country holding the place"),
        ("lat", "real", "latitude of the most specific place the gazetteer knows"),
        ("lon", "real", "longitude of the most specific place the gazetteer knows"),
        ("geonameid", "integer", "GeoNames id of the most specific place known"),
        ("type", "text", "the reconciled incident type (value of its `type` fact; null: none)"),
        ("killed", "integer", "the reconciled number killed (value of its `killed` fact; null: no figure)"),
        ("injured", "integer", "the reconciled number injured (value of its `injured` fact; null: no figure)"),
        ("n_reports", "integer", "reports of the incident"),
        ("outlets", "integer", "distinct outlets the reports come from (null: a record before 1.6)"),
        ("independent_sources", "integer", "independent sources: groups of reports joined by derivation (copies count once)"),
        ("n_facts", "integer", "reconciled facts (rows of `facts`)"),
        ("n_single_source_claims", "integer", "sentences only one report of the incident makes"),
        ("alignment", "text", "how single-source claims were found: lexical, or lexical+semantic"),
        ("schema_version", "text", "version of the output contract of the record"),
    ),
    "id",
)

FACTS = Table(
    "facts",
    "One row per reconciled fact of an incident (a toll, a perpetrator, a place, a date, ...), with how "
    "well independent sources bear it out.",
    _cols(
        ("fact_id", "text", "\"{incident_id}#{k}\", k the fact's index in the incident's facts"),
        ("incident_id", "text", "the incident (incidents.id)"),
        ("position", "integer", "k: the fact's index in the incident's facts"),
        ("slot", "text", "what the fact is about: killed, injured, arrested, missing, kidnapped, displaced, perpetrator, victim, suspect, location, date, weapon, type"),
        ("value", "text", "the reconciled value, as text (a number for counts)"),
        ("value_int", "integer", "the value when it is a number (counts), else null"),
        ("low", "integer", "counts: the lowest figure the reports allow"),
        ("high", "integer", "counts: the highest figure the reports allow (null: unbounded, e.g. 'at least')"),
        ("qualifier", "text", "perpetrators and suspects: the status most reports give; victims: killed, injured, kidnapped"),
        ("age", "integer", "victims and suspects: age where stated"),
        ("gender", "text", "victims and suspects: where stated"),
        ("status", "text", "corroborated, discrepant, conflicting or single_source"),
        ("rule", "text", "how the value was chosen"),
        ("revised", "boolean", "a later report revised an earlier figure"),
        ("independent_sources", "integer", "independent sources (source groups) that support the value"),
        ("independent_origins", "integer", "independent sources, counting as one those that attribute the value to a common origin"),
        ("confidence", "real", "how far the independent evidence bears the value out (0-1)"),
        ("origins", "text", "the distinct origins the supporting reports attribute the value to, joined by '; '"),
        ("n_support", "integer", "supporting passages (rows of `support` with side = support)"),
        ("n_dissent", "integer", "dissenting passages (rows of `support` with side = dissent)"),
    ),
    "fact_id",
    {"incident_id": "incidents.id"},
)

SUPPORT = Table(
    "support",
    "One row per passage of a report that supports or dissents from a fact: the provenance of every "
    "reconciled value, to the character.",
    _cols(
        ("support_id", "text", "\"{fact_id}/{side}/{k}\", k the passage's index in the fact's support or dissent list"),
        ("fact_id", "text", "the fact (facts.fact_id)"),
        ("incident_id", "text", "the fact's incident (incidents.id)"),
        ("slot", "text", "the fact's slot (copied from facts, for filtering)"),
        ("status", "text", "the fact's status (copied from facts, for filtering)"),
        ("side", "text", "support or dissent"),
        ("position", "integer", "k: the passage's index in the fact's support or dissent list"),
        ("report_id", "text", "the report the passage is in (reports.id)"),
        *_SPAN,
        ("source_group", "integer", "index of the report's source group in the incident: one group is one independent source"),
        ("origin", "text", "who the report attributes the passage to, when it says (\"police\")"),
        ("weight", "real", "the report's evidence weight (0-1)"),
        ("copy", "boolean", "support side: the report repeats a source already counted for the fact (not counted again); null on the dissent side"),
    ),
    "support_id",
    {"fact_id": "facts.fact_id", "incident_id": "incidents.id", "report_id": "reports.id"},
)

COUNTS = Table(
    "counts",
    "One row per count of people found in a report (\"at least 12 people were killed\"), whether or not it "
    "made it into a fact.",
    _cols(
        ("count_id", "text", "\"{report_id}#{k}\", k the count's index in the report's counts"),
        ("report_id", "text", "the report (reports.id)"),
        ("position", "integer", "k: the count's index in the report's counts"),
        ("category", "text", "killed, injured, arrested, missing, kidnapped, displaced or other"),
        ("value", "integer", "best point value (vague amounts: a conventional point, or null)"),
        ("low", "integer", "lowest figure the words allow"),
        ("high", "integer", "highest figure the words allow (null: unbounded above)"),
        ("hedge", "text", "exact, at_least, at_most, about, range or vague"),
        ("modality", "text", "asserted, hypothetical, negated or estimate_of_future"),
        ("scope", "text", "this_incident, other_incident or aggregate"),
        ("toll", "real", "learned likelihood that this is an asserted toll of the report's own incident (null: not scored)"),
        ("singular", "boolean", "counted from people named one by one, without a figure: at least these people"),
        ("derived", "boolean", "inferred from other counts (injured = shot minus killed)"),
        ("with_perpetrator", "boolean", "killed counts: includes a perpetrator who died (null: the text does not say)"),
        *_SPAN,
    ),
    "count_id",
    {"report_id": "reports.id"},
)

DERIVATIONS = Table(
    "derivations",
    "One row per report reused by another (a copy repeats a source, it does not confirm it).",
    _cols(
        ("derivation_id", "text", "\"{report_id}#{k}\", k the link's index in the report's derived_from"),
        ("report_id", "text", "the derived report (reports.id)"),
        ("position", "integer", "k: the link's index in the report's derived_from"),
        ("source_report_id", "text", "the report it is derived from (reports.id)"),
        ("relation", "text", "copy, partial, paraphrase or rewrite"),
        ("share", "real", "fraction of the derived report's text found in the source"),
        ("probability", "real", "the reuse detector's probability that one report is derived from the other"),
        ("direction", "text", "what says which is the source: credit, published or containment"),
        ("n_passages", "integer", "reused passages located in both texts"),
    ),
    "derivation_id",
    {"report_id": "reports.id", "source_report_id": "reports.id"},
)

#: Every table, in the order the writers write them.
TABLES: dict[str, Table] = {t.name: t for t in (REPORTS, INCIDENTS, FACTS, SUPPORT, COUNTS, DERIVATIONS)}

#: The analysts' corrections (a store's export only: ``corroborate export --db``), beside the
#: machine's tables and never merged into them.
ANNOTATIONS = Table(
    "annotations",
    "One row per analyst's correction (corroborate serve): stored beside the machine's reading, which it never changes.",
    _cols(
        ("annotation_id", "integer", "the annotation's number in the store"),
        ("kind", "text", ("merge (the same incident as other_incident_id), split (report_id is not about the "
                         "incident), wrong (the fact is wrong) or set (the fact's value should be value)")),
        ("incident_id", "text", "the incident annotated (incidents.id; it may have been reconciled away since)"),
        ("other_incident_id", "text", "merge: the other incident (incidents.id)"),
        ("report_id", "text", "split: the report (reports.id)"),
        ("fact_id", "text", "wrong, set: the fact (facts.fact_id) as it was when annotated"),
        ("slot", "text", "wrong, set: the fact's slot when annotated"),
        ("value", "text", "set: the analyst's value, as JSON (a number, or a quoted text)"),
        ("note", "text", "the analyst's note"),
        ("author", "text", "who stored it"),
        ("created_at", "text", "when, ISO 8601 UTC"),
    ),
    "annotation_id",
    {"incident_id": "incidents.id", "report_id": "reports.id", "fact_id": "facts.fact_id"},
)


def annotation_rows(annotations: Iterable) -> Iterator[Row]:
    """The rows of :data:`ANNOTATIONS` from :class:`corroborate.stores.browse.Annotation` records."""
    import json

    for a in annotations:
        yield {"annotation_id": a.id, "kind": a.kind, "incident_id": a.incident, "other_incident_id": a.other_incident,
               "report_id": a.report, "fact_id": None if a.fact is None else fact_id(a.incident, a.fact),
               "slot": a.slot, "value": None if a.value is None else json.dumps(a.value, ensure_ascii=False),
               "note": a.note, "author": a.author, "created_at": a.created_at.isoformat()}


# Rows ---------------------------------------------------------------------------------------


def _reiterable(records: Iterable, what: str) -> Iterable:
    if iter(records) is records:
        raise TypeError(f"{what}: the exports read their inputs once per table, so they need a re-iterable "
                        "sequence (a list, or a JsonlSpill), not a one-shot iterator")
    return records


def fact_id(incident_id: str, k: int) -> str:
    return f"{incident_id}#{k}"


def _report_signals(report: Report) -> Row:
    s = report.signals
    names = ("machine_generated", "attribution_rate", "unnamed_source_rate", "vagueness", "specificity", "emotive",
             "factual_sentences")
    return {name: getattr(s, name) if s is not None else None for name in names}


def _report_relevance(report: Report) -> Row:
    a = report.incident
    return {
        "relevant": a.relevant if a is not None else None,
        "incident_probability": a.probability if a is not None else None,
        "incident_type": a.type if a is not None else None,
    }


@dataclass(frozen=True)
class Membership:
    """What the incidents say of one report: the incident that lists it, and how many of the
    incident's single-source claims are the report's (None when the incident has one report:
    there is no other report to compare with)."""

    incident_id: str
    single_source_claims: int | None


def report_row(report: Report, member: Membership | None) -> Row:
    row = {
        "id": report.id, "title": report.title, "source": report.source, "outlet": outlet_of(report),
        "url": report.url, "published": report.published, "byline": report.byline, "language": report.language,
        "words": len(report.text.split()),
        **_report_relevance(report),
        "incident_id": member.incident_id if member else None,
        **_report_signals(report),
        "single_source_claims": member.single_source_claims if member else None,
        "n_counts": len(report.counts), "n_attributions": len(report.attributions),
        "n_derived_from": len(report.derived_from), "encoding": report.encoding, "origin": report.origin,
        "text": report.text, "schema_version": report.schema_version,
    }
    return {name: row[name] for name in REPORTS.names}


def memberships(incidents: Iterable[Incident]) -> dict[str, Membership]:
    """Each report id to its :class:`Membership` (a report joins one incident at most; were one
    listed twice, its first incident is kept). Single-source claims are counted as
    ``sources.jsonl`` counts them: from ``Incident.single_source_claims``, for incidents of two
    reports or more."""
    found: dict[str, Membership] = {}
    for incident in incidents:
        alone = Counter(p.report for p in incident.single_source_claims)
        for rid in incident.reports:
            claims = alone.get(rid, 0) if len(incident.reports) > 1 else None
            found.setdefault(rid, Membership(incident.id, claims))
    return found


def report_rows(reports: Iterable[Report], incidents: Iterable[Incident]) -> Iterator[Row]:
    members = memberships(incidents)
    for report in reports:
        yield report_row(report, members.get(report.id))


def _place_columns(place: Place | None) -> Row:
    fields = ("city", "county", "region", "country", "lat", "lon", "geonameid")
    row = {"place_name": place.name if place else None, "place_kind": place.kind if place else None}
    row.update({name: getattr(place, name) if place else None for name in fields})
    return row


def _fact_value(incident: Incident, slot: str) -> int | str | None:
    return next((f.value for f in incident.facts if f.slot == slot), None)


def _as_int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def incident_row(incident: Incident) -> Row:
    kind = _fact_value(incident, "type")
    return {
        "id": incident.id, "title": incident.title, "date": incident.date, "location": incident.location,
        **_place_columns(incident.place),
        "type": None if kind is None else str(kind),
        "killed": _as_int(_fact_value(incident, "killed")),
        "injured": _as_int(_fact_value(incident, "injured")),
        "n_reports": len(incident.reports), "outlets": incident.outlets,
        "independent_sources": len(incident.source_groups), "n_facts": len(incident.facts),
        "n_single_source_claims": len(incident.single_source_claims), "alignment": incident.alignment,
        "schema_version": incident.schema_version,
    }


def incident_rows(incidents: Iterable[Incident]) -> Iterator[Row]:
    for incident in incidents:
        yield incident_row(incident)


def fact_row(incident: Incident, k: int, fact: Fact) -> Row:
    return {
        "fact_id": fact_id(incident.id, k), "incident_id": incident.id, "position": k, "slot": fact.slot,
        "value": None if fact.value is None else str(fact.value), "value_int": _as_int(fact.value),
        "low": fact.low, "high": fact.high, "qualifier": fact.qualifier, "age": fact.age, "gender": fact.gender,
        "status": fact.status, "rule": fact.rule, "revised": fact.revised,
        "independent_sources": fact.independent_sources, "independent_origins": fact.independent_origins,
        "confidence": fact.confidence, "origins": "; ".join(fact.origins) if fact.origins else None,
        "n_support": len(fact.support), "n_dissent": len(fact.dissent),
    }


def fact_rows(incidents: Iterable[Incident]) -> Iterator[Row]:
    for incident in incidents:
        for k, fact in enumerate(incident.facts):
            yield fact_row(incident, k, fact)


def support_row(incident: Incident, k: int, fact: Fact, side: str, j: int, item: Provenance) -> Row:
    fid = fact_id(incident.id, k)
    return {
        "support_id": f"{fid}/{side}/{j}", "fact_id": fid, "incident_id": incident.id, "slot": fact.slot,
        "status": fact.status, "side": side, "position": j, "report_id": item.report,
        "start": item.start, "end": item.end, "text": item.text,
        "source_group": item.source_group, "origin": item.origin, "weight": item.weight,
        "copy": item.report in fact.copies if side == "support" else None,
    }


def support_rows(incidents: Iterable[Incident]) -> Iterator[Row]:
    for incident in incidents:
        for k, fact in enumerate(incident.facts):
            for side, items in (("support", fact.support), ("dissent", fact.dissent)):
                for j, item in enumerate(items):
                    yield support_row(incident, k, fact, side, j, item)


def count_row(report: Report, k: int, count: Count) -> Row:
    return {
        "count_id": f"{report.id}#{k}", "report_id": report.id, "position": k, "category": count.category,
        "value": count.value, "low": count.low, "high": count.high, "hedge": count.hedge,
        "modality": count.modality, "scope": count.scope, "toll": count.toll, "singular": count.singular,
        "derived": count.derived, "with_perpetrator": count.with_perpetrator,
        "start": count.start, "end": count.end, "text": count.text,
    }


def count_rows(reports: Iterable[Report]) -> Iterator[Row]:
    for report in reports:
        for k, count in enumerate(report.counts):
            yield count_row(report, k, count)


def derivation_row(report: Report, k: int, link: Derivation) -> Row:
    return {
        "derivation_id": f"{report.id}#{k}", "report_id": report.id, "position": k,
        "source_report_id": link.report, "relation": link.relation, "share": link.share,
        "probability": link.probability, "direction": link.direction, "n_passages": len(link.spans),
    }


def derivation_rows(reports: Iterable[Report]) -> Iterator[Row]:
    for report in reports:
        for k, link in enumerate(report.derived_from):
            yield derivation_row(report, k, link)


_ROWS: dict[str, Callable[[Iterable[Report], Iterable[Incident]], Iterator[Row]]] = {
    "reports": report_rows,
    "incidents": lambda reports, incidents: incident_rows(incidents),
    "facts": lambda reports, incidents: fact_rows(incidents),
    "support": lambda reports, incidents: support_rows(incidents),
    "counts": lambda reports, incidents: count_rows(reports),
    "derivations": lambda reports, incidents: derivation_rows(reports),
}


def table_rows(name: str, reports: Iterable[Report], incidents: Iterable[Incident]) -> Iterator[Row]:
    """The rows of table ``name``, one at a time (nothing is read until the first row is asked for)."""
    if name not in _ROWS:
        raise KeyError(f"no table {name!r}; the tables are {', '.join(TABLES)}")
    return _ROWS[name](_reiterable(reports, "reports"), _reiterable(incidents, "incidents"))


def rows(reports: Iterable[Report], incidents: Iterable[Incident]) -> dict[str, Iterator[Row]]:
    """Every table's rows, by table name, in the order of :data:`TABLES`. Each value is a lazy
    generator over the inputs: consume one table before the next to keep memory bounded."""
    return {name: table_rows(name, reports, incidents) for name in TABLES}


class JsonlRecords(Generic[M]):
    """A ``reports.jsonl`` or ``incidents.jsonl`` of an earlier run as re-iterable input: each
    iteration reads the file again, one validated record at a time (none is kept).

    >>> reports = JsonlRecords("out/reports.jsonl", Report)   # doctest: +SKIP
    """

    def __init__(self, path: str | os.PathLike, model: type[M]) -> None:
        self.path = Path(path)
        self.model = model

    def __iter__(self) -> Iterator[M]:
        with self.path.open(encoding="utf-8") as handle:
            for line in handle:
                if line.strip():
                    yield self.model.model_validate_json(line)


# Files --------------------------------------------------------------------------------------


@contextmanager
def replacing(path: Path) -> Iterator[Path]:
    """A temporary path beside ``path`` to write to, renamed to ``path`` when the block ends
    without error and removed when it fails: a crash never leaves a half-written export under
    the final name."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.unlink(missing_ok=True)
    try:
        yield tmp
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    os.replace(tmp, path)
