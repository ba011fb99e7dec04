"""Reading a store page by page, and the analysts' annotations: what ``corroborate serve`` asks.

:func:`find_incidents` filters and sorts incidents by the columns the store keeps beside each
record (:func:`~corroborate.stores.sql.incident_columns`), with full-text search over their
reports; :func:`find_reports` and :func:`outlets` do the same for reports and the outlets they
come from. Annotations (:func:`add_annotation`, :func:`annotations`) are corrections an analyst
stores beside the machine's reading: they never change a stored report or incident.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any, Literal

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.engine import Row

from corroborate.stores.sql import (
    STATUS_SEVERITY,
    SqlStore,
    _now,
    _utc,
    annotation_table,
    fts5_query,
    incident_reports,
    incidents,
    report_versions,
    reports,
)

#: How incidents can be sorted (``-`` before a key: descending).
INCIDENT_SORTS = ("date", "title", "reports", "outlets", "independent", "killed", "injured", "status", "updated")
#: The kinds of annotation: two incidents are one (merge), a report is not about its incident
#: (split), a fact is wrong (wrong), a fact's value should be another (set).
ANNOTATION_KINDS = ("merge", "split", "wrong", "set")
MAX_PAGE = 500

_CURRENT = reports.join(report_versions, sa.and_(report_versions.c.report_id == reports.c.id,
                                                 report_versions.c.version == reports.c.version))
_SORT_COLUMNS: dict[str, Any] = {
    "date": incidents.c.date, "title": incidents.c.title, "reports": incidents.c.n_reports,
    "outlets": incidents.c.n_outlets, "independent": incidents.c.n_independent, "killed": incidents.c.killed,
    "injured": incidents.c.injured, "updated": incidents.c.updated_at,
    "status": sa.case({s: i for i, s in enumerate(STATUS_SEVERITY)}, value=incidents.c.status, else_=len(STATUS_SEVERITY)),
}


@dataclass(frozen=True)
class IncidentFilter:
    """Which incidents: all given conditions hold. ``q``: words in web-search style, matched
    against the text and title of the incident's reports (full-text, stemmed) or its title and
    place; ``since``/``until``: ISO dates, inclusive; ``place``: part of its place's name (city,
    county, region, country); ``type``: its type; ``status``: it has a fact of that status;
    ``outlet``: one of its reports comes from that outlet."""

    q: str | None = None
    since: str | None = None
    until: str | None = None
    place: str | None = None
    type: str | None = None
    status: str | None = None
    outlet: str | None = None


class IncidentRow(BaseModel):
    """An incident as a row of a list (its record: :meth:`SqlStore.incident`)."""

    model_config = ConfigDict(frozen=True)

    id: str
    title: str | None
    date: str | None
    location: str | None
    type: str | None
    killed: int | None
    injured: int | None
    status: str | None = Field(description="the most serious status among its facts")
    statuses: list[str]
    reports: int | None
    outlets: int | None
    independent_sources: int | None


@dataclass(frozen=True)
class Page:
    """One page of a list: its ``items``, how many match in all, and where the page starts."""

    items: list[Any]
    total: int
    limit: int
    offset: int


def _like(text: str) -> str:
    """``text`` as a LIKE pattern matching it anywhere (its own % and _ taken literally)."""
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _matching_reports(store: SqlStore, q: str) -> Any | None:
    """A subquery of the ids of current reports that match ``q`` (full text), or None when
    ``q`` has no searchable word."""
    q = q.replace("\x00", "")
    if store.dialect == "sqlite":
        query = fts5_query(q)
        if query is None:
            return None
        # the index holds current versions only, by their pk: no need to join the view
        return (sa.select(sa.column("report_id")).select_from(sa.text(
            "(SELECT v.report_id AS report_id FROM reports_fts JOIN report_versions AS v "
            "ON v.pk = reports_fts.rowid WHERE reports_fts MATCH :fts) AS hits")).params(fts=query))
    if not q.strip():
        return None
    tsquery = sa.func.websearch_to_tsquery("english", q)
    return (sa.select(report_versions.c.report_id).select_from(_CURRENT)
            .where(sa.literal_column("report_versions.tsv").op("@@")(tsquery)))


def _clean(value: str | None) -> str | None:
    """A filter's text without NUL characters (PostgreSQL refuses them in any text)."""
    return None if value is None else value.replace("\x00", "")


def _conditions(store: SqlStore, where: IncidentFilter) -> list[Any]:
    where = IncidentFilter(**{name: _clean(getattr(where, name)) for name in where.__dataclass_fields__})
    conditions: list[Any] = []
    if where.q and where.q.strip():
        words = [w for w in where.q.replace("\x00", "").split() if w.strip("\"'-")]
        own = sa.and_(*(sa.func.lower(sa.func.coalesce(incidents.c.title, "") + " " + sa.func.coalesce(incidents.c.place, ""))
                        .like(_like(w.strip("\"'-")), escape="\\") for w in words)) if words else sa.false()
        hits = _matching_reports(store, where.q)
        if hits is not None:
            in_reports = incidents.c.id.in_(sa.select(incident_reports.c.incident_id)
                                            .where(incident_reports.c.report_id.in_(hits.scalar_subquery())))
            conditions.append(sa.or_(own, in_reports))
        else:
            conditions.append(own)
    if where.since:
        conditions.append(incidents.c.date >= where.since)
    if where.until:  # dates are ISO: "2024-03-22" and "2024-03-22T…" sort within the day
        conditions.append(incidents.c.date <= where.until + "\uffff")
    if where.place:
        conditions.append(incidents.c.place.like(_like(where.place.strip()), escape="\\"))
    if where.type:
        conditions.append(incidents.c.type == where.type)
    if where.status:
        conditions.append(incidents.c.statuses.like(_like(f"|{where.status}|"), escape="\\"))
    if where.outlet:
        of_outlet = (sa.select(incident_reports.c.incident_id)
                     .join(_CURRENT, reports.c.id == incident_reports.c.report_id)
                     .where(report_versions.c.source == where.outlet))
        conditions.append(incidents.c.id.in_(of_outlet))
    return conditions


def parse_sort(sort: str) -> tuple[str, bool]:
    """``"-date"`` -> ("date", descending). Raises ValueError for an unknown key."""
    descending = sort.startswith("-")
    key = sort.lstrip("-+ ")
    if key not in INCIDENT_SORTS:
        raise ValueError(f"sort by one of {', '.join(INCIDENT_SORTS)} (- before it: descending), not {sort!r}")
    return key, descending


def find_incidents(store: SqlStore, where: IncidentFilter = IncidentFilter(), *, sort: str = "-date",
                   limit: int = 50, offset: int = 0) -> Page:
    """A page of the incidents that match ``where``, sorted by ``sort`` (see
    :data:`INCIDENT_SORTS`; empty values last; ties in storing order)."""
    key, descending = parse_sort(sort)
    limit, offset = max(1, min(int(limit), MAX_PAGE)), max(0, int(offset))
    conditions = _conditions(store, where)
    column = _SORT_COLUMNS[key]
    order = (column.desc() if descending else column.asc()).nulls_last()
    query = (sa.select(incidents.c.id, incidents.c.title, incidents.c.date, incidents.c.location, incidents.c.type,
                       incidents.c.killed, incidents.c.injured, incidents.c.status, incidents.c.statuses,
                       incidents.c.n_reports, incidents.c.n_outlets, incidents.c.n_independent)
             .where(*conditions).order_by(order, incidents.c.seq).limit(limit).offset(offset))
    count = sa.select(sa.func.count()).select_from(incidents).where(*conditions)
    with store._connect() as conn:
        rows = conn.execute(query).all()
        total = _total(conn, count, rows, limit, offset)
    return Page([_incident_row(row) for row in rows], total, limit, offset)


def _total(conn: Any, count: Any, rows: Sequence[Any], limit: int, offset: int) -> int:
    """How many match: counted only when the page is full (a page that is not, is the last)."""
    if 0 < len(rows) < limit or (not rows and offset == 0):
        return offset + len(rows)
    return int(conn.execute(count).scalar_one())


def _incident_row(row: Row) -> IncidentRow:
    statuses = [s for s in (row.statuses or "").split("|") if s]
    return IncidentRow(id=row.id, title=row.title, date=row.date, location=row.location, type=row.type,
                       killed=row.killed, injured=row.injured, status=row.status, statuses=statuses,
                       reports=row.n_reports, outlets=row.n_outlets, independent_sources=row.n_independent)


def incident_types(store: SqlStore) -> list[str]:
    """The incident types in the store, alphabetically."""
    with store._connect() as conn:
        return [r[0] for r in conn.execute(sa.select(incidents.c.type).where(incidents.c.type.is_not(None))
                                           .distinct().order_by(incidents.c.type))]


class ReportRow(BaseModel):
    """A report as a row of a list (its record: :meth:`SqlStore.report`)."""

    model_config = ConfigDict(frozen=True)

    id: str
    title: str | None
    source: str | None
    published: str | None
    url: str | None
    version: int
    incident: str | None


def find_reports(store: SqlStore, *, q: str | None = None, outlet: str | None = None, incident: str | None = None,
                 limit: int = 50, offset: int = 0) -> Page:
    """A page of current reports, in first-ingest order: those matching ``q`` (full text), from
    ``outlet``, or in ``incident``."""
    limit, offset = max(1, min(int(limit), MAX_PAGE)), max(0, int(offset))
    q, outlet, incident = _clean(q), _clean(outlet), _clean(incident)
    conditions: list[Any] = []
    if q and q.strip():
        hits = _matching_reports(store, q)
        conditions.append(reports.c.id.in_(hits.scalar_subquery()) if hits is not None else sa.false())
    if outlet:
        conditions.append(report_versions.c.source == outlet)
    if incident:
        conditions.append(reports.c.id.in_(sa.select(incident_reports.c.report_id)
                                           .where(incident_reports.c.incident_id == incident)))
    member = (sa.select(incident_reports.c.incident_id).where(incident_reports.c.report_id == reports.c.id)
              .order_by(incident_reports.c.incident_id).limit(1).scalar_subquery())
    query = (sa.select(reports.c.id, report_versions.c.title, report_versions.c.source, report_versions.c.published,
                       report_versions.c.url, reports.c.version, member.label("incident"))
             .select_from(_CURRENT).where(*conditions).order_by(reports.c.seq).limit(limit).offset(offset))
    count = sa.select(sa.func.count()).select_from(_CURRENT).where(*conditions)
    with store._connect() as conn:
        rows = conn.execute(query).all()
        total = _total(conn, count, rows, limit, offset)
    return Page([ReportRow(id=r.id, title=r.title, source=r.source, published=r.published, url=r.url,
                           version=r.version, incident=r.incident) for r in rows], total, limit, offset)


class OutletRow(BaseModel):
    """An outlet: its reports and the incidents they are in, and the span of their dates."""

    model_config = ConfigDict(frozen=True)

    name: str
    reports: int
    incidents: int
    first_published: str | None
    last_published: str | None


def outlets(store: SqlStore) -> list[OutletRow]:
    """Every outlet of the current reports, most reports first (a report without a source is
    under ``"(unknown)"``)."""
    name = sa.func.coalesce(report_versions.c.source, "(unknown)").label("name")
    query = (sa.select(name, sa.func.count(sa.distinct(reports.c.id)).label("reports"),
                       sa.func.count(sa.distinct(incident_reports.c.incident_id)).label("incidents"),
                       sa.func.min(report_versions.c.published).label("first"),
                       sa.func.max(report_versions.c.published).label("last"))
             .select_from(_CURRENT.outerjoin(incident_reports, incident_reports.c.report_id == reports.c.id))
             .group_by(name).order_by(sa.text("reports DESC"), name))
    with store._connect() as conn:
        return [OutletRow(name=r.name, reports=int(r.reports), incidents=int(r.incidents), first_published=r.first,
                          last_published=r.last) for r in conn.execute(query)]


# -- candidates for a new report ----------------------------------------------------------------
#: Words of a new report that look for the stored reports like it (the first ones, names first).
QUERY_WORDS = 24
_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]{2,}")


def query_words(text: str, n: int = QUERY_WORDS) -> list[str]:
    """Up to ``n`` distinct words of ``text``'s first 2,000 characters to search the store with:
    capitalized words (names, places) first, then the others, stop words left out."""
    from corroborate.lang.en import stop_words

    stop = stop_words()
    seen: dict[str, bool] = {}
    for word in _WORD.findall(text[:2000]):
        key = word.lower().strip("'’-")
        if len(key) > 2 and key not in stop and key not in seen:
            seen[key] = word[0].isupper()
    ordered = [w for w, upper in seen.items() if upper] + [w for w, upper in seen.items() if not upper]
    return ordered[:n]


def nearby_incidents(store: SqlStore, texts: list[str], per_text: int = 200) -> set[str]:
    """The stored incidents of the ``per_text`` stored reports that best match each text (full-text
    search, any of its :func:`query_words`, ranked by bm25 / ts_rank): the incidents a new report
    could join, for a run that links against these only (``corroborate serve``)."""
    found: set[str] = set()
    for text in texts:
        words = query_words(text)
        if not words:
            continue
        if store.dialect == "sqlite":
            statement = sa.text("SELECT c.report_id FROM reports_fts JOIN current_reports AS c ON c.pk = reports_fts.rowid "
                                "WHERE reports_fts MATCH :query ORDER BY bm25(reports_fts, 4.0, 1.0) LIMIT :limit")
            params: dict[str, Any] = {"query": " OR ".join(f'"{w}"' for w in words), "limit": per_text}
        else:
            statement = sa.text("SELECT v.report_id FROM report_versions AS v JOIN reports AS r ON r.id = v.report_id "
                                "AND r.version = v.version WHERE v.tsv @@ websearch_to_tsquery('english', :query) "
                                "ORDER BY ts_rank(v.tsv, websearch_to_tsquery('english', :query)) DESC LIMIT :limit")
            params = {"query": " or ".join(words), "limit": per_text}
        with store._connect() as conn:
            ids = [row[0] for row in conn.execute(statement, params)]
        found |= set(store.incident_of(ids).values())
    return found


# -- annotations ------------------------------------------------------------------------------
AnnotationKind = Literal["merge", "split", "wrong", "set"]


@dataclass(frozen=True)
class Annotation:
    """An analyst's correction (see the module's description)."""

    id: int
    kind: str
    incident: str
    other_incident: str | None
    report: str | None
    fact: int | None
    slot: str | None
    value: Any
    note: str | None
    author: str
    created_at: datetime

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["created_at"] = self.created_at.isoformat()
        return data


class AnnotationError(ValueError):
    """An annotation that does not fit the store (an unknown incident, report or fact)."""


def add_annotation(store: SqlStore, *, kind: str, incident: str, author: str, other_incident: str | None = None,
                   report: str | None = None, fact: int | None = None, value: Any = None,
                   note: str | None = None) -> Annotation:
    """Store an annotation after checking it against the stored records: ``merge`` needs
    ``other_incident`` (another stored incident), ``split`` a ``report`` of the incident,
    ``wrong`` a ``fact`` (its index in the incident's facts), ``set`` a ``fact`` and a ``value``.
    Raises :class:`AnnotationError` naming what does not fit."""
    if kind not in ANNOTATION_KINDS:
        raise AnnotationError(f"kind is one of {', '.join(ANNOTATION_KINDS)}, not {kind!r}")
    record = store.incident(incident)
    if record is None:
        raise AnnotationError(f"no incident {incident!r}")
    slot = None
    if kind == "merge":
        if not other_incident or other_incident == incident:
            raise AnnotationError("a merge names another incident (other_incident)")
        if store.incident(other_incident) is None:
            raise AnnotationError(f"no incident {other_incident!r}")
    else:
        other_incident = None
    if kind == "split":
        if report not in record.reports:
            raise AnnotationError(f"report {report!r} is not one of incident {incident!r}'s reports")
    else:
        report = None
    if kind in ("wrong", "set"):
        if fact is None or not 0 <= fact < len(record.facts):
            raise AnnotationError(f"fact is the index of one of incident {incident!r}'s {len(record.facts)} facts")
        slot = record.facts[fact].slot
        if kind == "set" and (value is None or value == ""):
            raise AnnotationError("a set annotation gives the value")
    else:
        fact = None
    if kind != "set":
        value = None
    created = _now()
    values = {"kind": kind, "incident_id": incident, "other_incident_id": other_incident, "report_id": report,
              "fact": fact, "slot": slot, "value": None if value is None else json.dumps(value, ensure_ascii=False),
              "note": note or None, "author": author, "created_at": created}
    ident = store._write(lambda conn: conn.execute(annotation_table.insert().values(**values)
                                                   .returning(annotation_table.c.id)).scalar_one())
    return Annotation(id=int(ident), kind=kind, incident=incident, other_incident=other_incident, report=report,
                      fact=fact, slot=slot, value=value, note=note or None, author=author, created_at=created)


def annotations_of(store: SqlStore, incident: str | None = None) -> list[Annotation]:
    """The annotations about ``incident`` (as the incident or the other incident of a merge), or
    every annotation, oldest first."""
    query = sa.select(annotation_table).order_by(annotation_table.c.id)
    incident = _clean(incident)
    if incident is not None:
        query = query.where(sa.or_(annotation_table.c.incident_id == incident, annotation_table.c.other_incident_id == incident))
    with store._connect() as conn:
        return [_annotation(row) for row in conn.execute(query)]


def iter_annotations(store: SqlStore) -> Iterator[Annotation]:
    """Every annotation, oldest first (for exports)."""
    yield from annotations_of(store)


def _annotation(row: Row) -> Annotation:
    created = _utc(row.created_at)
    assert created is not None
    return Annotation(id=int(row.id), kind=row.kind, incident=row.incident_id, other_incident=row.other_incident_id,
                      report=row.report_id, fact=row.fact, slot=row.slot,
                      value=None if row.value is None else json.loads(row.value), note=row.note, author=row.author,
                      created_at=created)
