"""A SQL store for reports and incidents: SQLite by default, PostgreSQL for teams.

>>> from corroborate.stores import open_store
>>> with open_store("sqlite:///corroborate.db") as store:          # doctest: +SKIP
...     result = store.add_reports((r, r.model_dump_json()) for r in reports)
...     for line in store.report_lines(): ...

What it keeps:

- every **version** of every report: adding a report whose id is known but whose content (see
  :func:`content_hash`) differs stores a new version and makes it current; old versions stay,
  never overwritten or deleted. Each report keeps the position its id first had
  (first-ingest order), whatever its later versions.
- the JSON **line** of each report version and incident exactly as the caller wrote it, so
  ``report_lines()`` / ``incident_lines()`` give back byte-identical JSONL.
- incidents with their reports (``incident_reports``), pipeline **runs**, and a
  **full-text index** over the title and text of current report versions.

The schema is created and migrated with Alembic (``migrations/``, configured here in code; the
version table is ``corroborate_alembic_version``). Each write method is one transaction, retried
on the transient errors of concurrent writers (deadlock, serialization failure, a unique-key
race, a locked SQLite file), so several processes may write to one database at once. Open one
store per process (an engine must not cross ``fork``).

Notes for callers:

- A report re-analysed with the same input fields is ``unchanged``: its stored line is *not*
  replaced by the new analysis. Only new content makes a new version.
- SQLite: WAL mode (``-wal`` and ``-shm`` files beside the database; keep the three together,
  and do not put the file on a network share), ``busy_timeout`` 30 s, foreign keys on, and
  write transactions begin ``IMMEDIATE``, so writers take turns: keep one ``add_reports`` call
  to a moderate batch (say up to a few thousand reports), or other writers wait.
- SQLite full-text search is an FTS5 table with external content (the view
  ``current_reports``): the store keeps it in sync. Anyone writing to the tables by hand must
  run ``INSERT INTO reports_fts(reports_fts) VALUES ('rebuild')`` afterwards.
- PostgreSQL: psycopg 3 (``postgresql://`` URLs are mapped to ``postgresql+psycopg://``);
  concurrent writers adding the same ids in different orders can deadlock: PostgreSQL breaks it
  after ``deadlock_timeout`` (1 s) and the store retries, which costs that second.
- ``incident_reports.report_id`` is not a foreign key: incidents may name reports not stored.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import random
import re
import socket
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, NamedTuple, Self, TypeVar

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg_dialect
from sqlalchemy.dialects import sqlite as sqlite_dialect
from sqlalchemy.engine import URL, Connection, Engine, Row, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, OperationalError, SQLAlchemyError

from corroborate.faults import checkpoint
from corroborate.records import Incident, Report

if TYPE_CHECKING:
    from alembic.config import Config

log = logging.getLogger(__name__)

T = TypeVar("T")

#: Alembic's version table (not the default ``alembic_version``, so that a PostgreSQL database
#: shared with another Alembic-managed application does not clash).
VERSION_TABLE = "corroborate_alembic_version"
#: Where the Alembic scripts live (shipped as package data).
MIGRATIONS = Path(__file__).resolve().parent / "migrations"
#: Every table and view corroborate creates (what :meth:`SqlStore.drop` removes).
CORROBORATE_TABLES = ("annotations", "watch_state", "reports_fts", "incident_reports", "incidents", "report_versions", "reports", "runs",
                      VERSION_TABLE)
CORROBORATE_VIEWS = ("current_reports",)
#: Run statuses.
RUN_STATUSES = ("running", "done", "failed")
#: The marks around matched words in :meth:`SqlStore.search_reports` snippets.
SNIPPET_START, SNIPPET_END = "«", "»"
#: How long a SQLite connection waits for another writer before giving up (ms).
SQLITE_BUSY_TIMEOUT_MS = 30_000
#: How often a write transaction is tried before its transient error is raised.
MAX_ATTEMPTS = 8
_PAGE = 500  # rows per query when streaming lines
_PG_LOCK = 0x636F7272  # advisory lock key ('corr') held while migrating
# deadlock, serialization failure, unique violation (a race on a key), lock not available
_RETRY_SQLSTATES = frozenset({"40P01", "40001", "23505", "55P03"})


class StoreError(ValueError):
    """A store cannot be opened or used: bad URL, unreachable database, schema not at head,
    or a write that kept failing. The message names the URL (never its password) and what to do."""


@dataclass
class AddResult:
    """What :meth:`SqlStore.add_reports` did with each report id, in input order. An id given
    twice in one call appears once per occurrence (e.g. in ``added`` then ``versioned``)."""

    added: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    versioned: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Run:
    """One pipeline run: ``status`` is ``running``, ``done`` or ``failed``; the counts are those
    given to :meth:`SqlStore.finish_run` (None while running). Times are UTC."""

    id: int
    status: str
    started_at: datetime
    finished_at: datetime | None
    inputs: list[str]
    added: int | None
    unchanged: int | None
    versioned: int | None
    pid: int | None
    host: str | None
    engine: str | None = None  # what made the incidents it stored (corroborate.corpus.engine)


@dataclass(frozen=True)
class WatchState:
    """What ``corroborate watch`` keeps about one feed or sitemap URL (table ``watch_state``):
    the validators of its last 200 answer, when it was last polled, how many polls in a row
    failed (and the last error), and when it may be polled again (None: at the next cycle).
    Times are UTC."""

    url: str
    etag: str | None = None
    last_modified: str | None = None
    last_polled: datetime | None = None
    failures: int = 0
    last_error: str | None = None
    next_poll: datetime | None = None


def content_hash(report: Report) -> str:
    """The identity of a report's content: sha256 (hex) of the canonical JSON of its input fields
    ``text``, ``title``, ``published``, ``url`` and ``source`` (sorted keys, no spaces, UTF-8,
    non-ASCII kept). Analysis results are not part of it: re-analysing a report does not make a
    new version. A JSONL store can compute the same value with the same recipe."""
    fields = {"text": report.text, "title": report.title, "published": report.published,
              "url": report.url, "source": report.source}
    canonical = json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


# -- tables (for queries; the schema itself is made by migrations/versions) ---------------------
metadata = sa.MetaData()
_KEY = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_WHEN = sa.DateTime(timezone=True)

runs = sa.Table(
    "runs", metadata,
    sa.Column("id", _KEY, primary_key=True, autoincrement=True),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("started_at", _WHEN, nullable=False),
    sa.Column("finished_at", _WHEN),
    sa.Column("inputs", sa.JSON, nullable=False),
    sa.Column("added", sa.Integer),
    sa.Column("unchanged", sa.Integer),
    sa.Column("versioned", sa.Integer),
    sa.Column("pid", sa.Integer),
    sa.Column("host", sa.Text),
    sa.Column("engine", sa.Text),
)
reports = sa.Table(
    "reports", metadata,
    sa.Column("seq", _KEY, primary_key=True, autoincrement=True),
    sa.Column("id", sa.Text, nullable=False, unique=True),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("content_hash", sa.String(64), nullable=False),
    sa.Column("first_seen", _WHEN, nullable=False),
    sa.Column("updated_at", _WHEN, nullable=False),
)
report_versions = sa.Table(
    "report_versions", metadata,
    sa.Column("pk", _KEY, primary_key=True, autoincrement=True),
    sa.Column("report_id", sa.Text, sa.ForeignKey("reports.id", ondelete="CASCADE"), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("content_hash", sa.String(64), nullable=False),
    sa.Column("line", sa.Text, nullable=False),
    sa.Column("title", sa.Text),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("published", sa.Text),
    sa.Column("url", sa.Text),
    sa.Column("source", sa.Text),
    sa.Column("run_id", _KEY, sa.ForeignKey("runs.id", ondelete="SET NULL")),
    sa.Column("created_at", _WHEN, nullable=False),
    sa.UniqueConstraint("report_id", "version"),
    sa.Index("ix_report_versions_source", "source"),  # revision 0004
)
incidents = sa.Table(
    "incidents", metadata,
    sa.Column("seq", _KEY, primary_key=True, autoincrement=True),
    sa.Column("id", sa.Text, nullable=False, unique=True),
    sa.Column("title", sa.Text),
    sa.Column("date", sa.Text),
    sa.Column("location", sa.Text),
    sa.Column("line", sa.Text, nullable=False),
    sa.Column("created_at", _WHEN, nullable=False),
    sa.Column("updated_at", _WHEN, nullable=False),
    # to browse by (revision 0004; incident_columns)
    sa.Column("type", sa.Text),
    sa.Column("killed", sa.Integer),
    sa.Column("injured", sa.Integer),
    sa.Column("status", sa.Text),
    sa.Column("statuses", sa.Text),
    sa.Column("n_reports", sa.Integer),
    sa.Column("n_outlets", sa.Integer),
    sa.Column("n_independent", sa.Integer),
    sa.Column("place", sa.Text),
    *(sa.Index(f"ix_incidents_{column}", column) for column in ("date", "status", "type", "killed", "n_reports")),
)
annotation_table = sa.Table(
    "annotations", metadata,
    sa.Column("id", _KEY, primary_key=True, autoincrement=True),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("incident_id", sa.Text, nullable=False, index=True),
    sa.Column("other_incident_id", sa.Text, index=True),
    sa.Column("report_id", sa.Text),
    sa.Column("fact", sa.Integer),
    sa.Column("slot", sa.Text),
    sa.Column("value", sa.Text),
    sa.Column("note", sa.Text),
    sa.Column("author", sa.Text, nullable=False),
    sa.Column("created_at", _WHEN, nullable=False),
)
incident_reports = sa.Table(
    "incident_reports", metadata,
    sa.Column("incident_id", sa.Text, sa.ForeignKey("incidents.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("position", sa.Integer, primary_key=True),
    sa.Column("report_id", sa.Text, nullable=False, index=True),
)
watch_state = sa.Table(
    "watch_state", metadata,
    sa.Column("url", sa.Text, primary_key=True),
    sa.Column("etag", sa.Text),
    sa.Column("last_modified", sa.Text),
    sa.Column("last_polled", _WHEN),
    sa.Column("failures", sa.Integer, nullable=False, server_default="0"),
    sa.Column("last_error", sa.Text),
    sa.Column("next_poll", _WHEN),
)
_CURRENT = reports.join(report_versions, sa.and_(report_versions.c.report_id == reports.c.id,
                                                 report_versions.c.version == reports.c.version))

_SQLITE_SEARCH = sa.text(
    "SELECT c.report_id, c.title, snippet(reports_fts, -1, :start, :end, '…', 24) "
    "FROM reports_fts JOIN current_reports AS c ON c.pk = reports_fts.rowid "
    "WHERE reports_fts MATCH :query ORDER BY bm25(reports_fts, 4.0, 1.0), c.seq LIMIT :limit")
_PG_SEARCH = sa.text(
    "WITH hits AS ("
    " SELECT v.pk, r.seq, ts_rank(v.tsv, websearch_to_tsquery('english', :query)) AS rank"
    " FROM report_versions AS v JOIN reports AS r ON r.id = v.report_id AND r.version = v.version"
    " WHERE v.tsv @@ websearch_to_tsquery('english', :query)"
    " ORDER BY rank DESC, r.seq LIMIT :limit) "
    "SELECT v.report_id, v.title, ts_headline('english', coalesce(v.title, '') || ' ' || v.text,"
    " websearch_to_tsquery('english', :query), :options) "
    "FROM hits JOIN report_versions AS v ON v.pk = hits.pk ORDER BY hits.rank DESC, hits.seq")
_PG_HEADLINE = (f'StartSel="{SNIPPET_START}", StopSel="{SNIPPET_END}", MaxWords=30, MinWords=12, '
                'MaxFragments=2, FragmentDelimiter=" … "')


#: Fact statuses, most serious first: an incident's ``status`` column is the first it has.
STATUS_SEVERITY = ("conflicting", "discrepant", "single_source", "corroborated")


def _best_int(incident: Incident, slot: str) -> int | None:
    for fact in incident.facts:
        if fact.slot == slot:
            return fact.value if isinstance(fact.value, int) and not isinstance(fact.value, bool) else None
    return None


def incident_columns(incident: Incident) -> dict[str, Any]:
    """The columns an incident is browsed by (``incidents.type`` ... ``place``), from its record."""
    kind = next((f.value for f in incident.facts if f.slot == "type" and isinstance(f.value, str)), None)
    have = {f.status for f in incident.facts}
    statuses = [s for s in STATUS_SEVERITY if s in have]
    place = incident.place
    words = [incident.location] + ([place.name, place.city, place.county, place.region, place.country] if place else [])
    seen = list(dict.fromkeys(w.lower() for w in words if w))
    return {"type": kind, "killed": _best_int(incident, "killed"), "injured": _best_int(incident, "injured"),
            "status": statuses[0] if statuses else None,
            "statuses": "|" + "|".join(statuses) + "|" if statuses else None,
            "n_reports": len(incident.reports), "n_outlets": incident.outlets,
            "n_independent": len(incident.source_groups) if incident.source_groups else None,
            "place": "|".join(seen) or None}


class _Item(NamedTuple):
    """A report reduced to what the store writes."""

    id: str
    hash: str
    line: str
    title: str | None
    text: str
    published: str | None
    url: str | None
    source: str | None

    @classmethod
    def of(cls, report: Report, line: str) -> _Item:
        if not isinstance(line, str):
            raise TypeError(f"report {report.id!r}: its JSON line must be a str, not {type(line).__name__}")
        return cls(report.id, content_hash(report), line, _searchable(report.title), report.text.replace("\x00", ""),
                   report.published, report.url, report.source)


def _searchable(value: str | None) -> str | None:
    """Text for the search columns: without NUL characters, which PostgreSQL text cannot hold
    (the JSON line keeps them, escaped)."""
    return None if value is None else value.replace("\x00", "")


class _Current(NamedTuple):
    version: int
    content_hash: str


# -- URLs and engines ---------------------------------------------------------------------------
def redact(url: str | URL) -> str:
    """``url`` with its password hidden (``***``), for messages and logs."""
    if isinstance(url, URL):
        return url.render_as_string(hide_password=True)
    return re.sub(r"(://[^:/@\s]*:)[^@\s]*@", r"\1***@", url)


def _parse(url: str) -> tuple[URL, str]:
    """The SQLAlchemy URL for ``url`` (``sqlite:///path`` or ``postgresql://...``, mapped to
    psycopg 3), and ``url`` as the user wrote it with its password hidden."""
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError, TypeError) as exc:
        raise StoreError(f"not a database URL: {redact(str(url))} (use sqlite:///path/to.db or "
                         "postgresql://user@host:port/db)") from exc
    return _driver(parsed), redact(parsed)


def _driver(parsed: URL) -> URL:
    """SQLite through the standard library; PostgreSQL through psycopg 3 whatever the URL says."""
    backend, driver = parsed.get_backend_name(), parsed.get_driver_name()
    if backend == "sqlite" and parsed.drivername in ("sqlite", "sqlite+pysqlite"):
        return parsed
    if backend in ("postgresql", "postgres") and parsed.drivername in ("postgresql", "postgres", "postgresql+psycopg",
                                                         "postgresql+psycopg2"):
        return parsed.set(drivername="postgresql+psycopg")
    raise StoreError(f"unsupported database URL {redact(parsed)} (driver {backend}+{driver}): "
                     "use sqlite:///path/to.db or postgresql://user@host:port/db")


def _on_sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    """Every SQLite connection: SQLAlchemy emits BEGIN itself (see ``_on_sqlite_begin``), waits
    for other writers, uses WAL and enforces foreign keys."""
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA foreign_keys = ON")
    finally:
        cursor.close()


def _on_sqlite_begin(conn: Connection) -> None:
    """Write transactions take SQLite's write lock up front (``BEGIN IMMEDIATE``): a deferred one
    that reads, then writes, can fail with SQLITE_BUSY without waiting."""
    write = conn.get_execution_options().get("corroborate_write", False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def _make_engine(url: URL) -> Engine:
    if url.get_backend_name() == "sqlite":
        _check_sqlite_path(url)
        engine = sa.create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})
        sa.event.listen(engine, "connect", _on_sqlite_connect)
        sa.event.listen(engine, "begin", _on_sqlite_begin)
        return engine
    connect_args = {} if "connect_timeout" in url.query else {"connect_timeout": 10}
    return sa.create_engine(url, connect_args=connect_args, pool_pre_ping=True)


def _check_sqlite_path(url: URL) -> None:
    database = url.database or ""
    if database in ("", ":memory:") or database.startswith("file:"):
        return
    parent = Path(database).expanduser().resolve().parent
    if not parent.is_dir():
        raise StoreError(f"cannot open {redact(url)}: directory {parent} does not exist")


def _reason(exc: BaseException, url: URL) -> str:
    """A one-line reason from a driver error, without the password."""
    orig = getattr(exc, "orig", None) or exc
    text = " ".join(str(orig).split()) or type(orig).__name__
    if url.password:
        text = text.replace(str(url.password), "***")
    return text


def _retryable(exc: DBAPIError) -> bool:
    """A transient error of concurrent writers: retrying the transaction may succeed."""
    sqlstate = getattr(exc.orig, "sqlstate", None)
    if sqlstate:
        return sqlstate in _RETRY_SQLSTATES
    message = str(exc.orig).lower()
    return isinstance(exc, OperationalError) and ("locked" in message or "busy" in message)


def _utc(moment: datetime | None) -> datetime | None:
    """Datetimes come back naive from SQLite: they are UTC."""
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _now() -> datetime:
    return datetime.now(UTC)


def _pid_alive(pid: int) -> bool:
    """Whether process ``pid`` exists on this host (POSIX; elsewhere: assume it does)."""
    if os.name != "posix":
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


# -- full-text queries --------------------------------------------------------------------------
_TERM = re.compile(r'(-?)"([^"]*)"?|(\S+)')
_WORD = re.compile(r"\w+")


def _fts5_term(match: re.Match[str]) -> tuple[str, str] | None:
    """One term of a search: ``("or", "")`` for the keyword, else ``("and" or "not", the
    term's words as one quoted FTS5 phrase)``; None when it has no words."""
    negate, phrase, bare = match.group(1), match.group(2), match.group(3)
    if bare is not None and bare.lower() == "or":
        return "or", ""
    if bare is not None and bare.startswith("-") and len(bare) > 1:
        negate, bare = "-", bare[1:]
    words = _WORD.findall(phrase if phrase is not None else bare)
    if not words:
        return None
    return ("not" if negate else "and"), '"' + " ".join(words) + '"'


def fts5_query(query: str) -> str | None:
    """A user's search (web-search style, as PostgreSQL's ``websearch_to_tsquery``: words,
    ``"quoted phrases"``, ``or``, ``-excluded``) as an FTS5 query that cannot fail to parse:
    every word is quoted, FTS5 operators and syntax (``NEAR(``, ``*``, ``:``, ``^``) are only
    text; a token's words form a phrase (``title:x`` -> ``"title x"``). None when nothing
    searchable is left (an exclusion alone excludes from nothing)."""
    out: list[str] = []
    join = " AND "
    for term in filter(None, map(_fts5_term, _TERM.finditer(query))):
        kind, text = term
        if kind == "or":
            join = " OR " if out else join
        elif kind == "and" or out:
            out.append(text if not out else (" NOT " if kind == "not" else join) + text)
            join = " AND "
    return "".join(out) or None


# -- the store ----------------------------------------------------------------------------------
#: the PostgreSQL advisory lock key that runs into one database take in turn (:meth:`SqlStore.run_lock`)
RUN_LOCK_KEY = 0x636F7272  # "corr"


class SqlStore:
    """Reports, incidents and runs in a SQL database (SQLite or PostgreSQL).

    Make one with :func:`open_store`. Attributes: ``url`` (the URL as given, password hidden),
    ``engine`` (the SQLAlchemy engine), ``dialect`` (``"sqlite"`` or ``"postgresql"``).
    Usable as a context manager (closes on exit).
    """

    def __init__(self, url: str) -> None:
        """Connect to ``url`` (no schema check: :func:`open_store` does that).

        Raises :class:`StoreError` for a bad URL or an unreachable database."""
        parsed, self.url = _parse(url)
        self._url = parsed
        self.dialect = parsed.get_backend_name()
        self.engine = _make_engine(parsed)
        try:
            with self.engine.connect() as conn:
                conn.exec_driver_sql("SELECT 1")
        except SQLAlchemyError as exc:
            self.engine.dispose()
            raise StoreError(f"cannot connect to {self.url}: {_reason(exc, parsed)}") from exc

    # -- plumbing ---------------------------------------------------------------------------
    @property
    def _sqlite(self) -> bool:
        return self.dialect == "sqlite"

    @contextmanager
    def _connect(self, write: bool = False) -> Iterator[Connection]:
        """A connection in a transaction, committed on success. Connection-level failures
        become a :class:`StoreError`; transient write conflicts are left to :meth:`_write`."""
        try:
            with self.engine.connect() as conn:
                if write:
                    conn.execution_options(corroborate_write=True)
                with conn.begin():
                    yield conn
        except OperationalError as exc:
            if write and _retryable(exc):
                raise
            raise StoreError(f"{self.url}: {_reason(exc, self._url)}") from exc

    def _write(self, work: Callable[[Connection], T]) -> T:
        """Run ``work`` in one write transaction, again (with a random backoff) when it hits a
        transient conflict with another writer."""
        attempt = 1
        while True:
            try:
                with self._connect(write=True) as conn:
                    return work(conn)
            except DBAPIError as exc:
                if not _retryable(exc):
                    raise
                if attempt >= MAX_ATTEMPTS:
                    raise StoreError(f"{self.url}: a write kept conflicting with other writers "
                                     f"({attempt} attempts): {_reason(exc, self._url)}") from exc
                log.debug("retrying a write on %s after: %s", self.url, _reason(exc, self._url))
                time.sleep(min(1.0, 0.02 * 2 ** attempt) * (0.5 + random.random()))
                attempt += 1

    def _insert(self, table: sa.Table) -> Any:
        """INSERT with ON CONFLICT support, in this store's dialect."""
        return (sqlite_dialect.insert if self._sqlite else pg_dialect.insert)(table)

    # -- schema -----------------------------------------------------------------------------
    def _alembic(self, conn: Connection) -> Config:
        from alembic.config import Config

        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS).replace("%", "%%"))
        config.attributes["connection"] = conn
        return config

    def head(self) -> str:
        """The newest schema revision this corroborate knows."""
        from alembic.script import ScriptDirectory

        config = self._alembic(None)  # type: ignore[arg-type]
        head = ScriptDirectory.from_config(config).get_current_head()
        assert head is not None
        return head

    def _revision(self, conn: Connection) -> str | None:
        from alembic.runtime.migration import MigrationContext

        context = MigrationContext.configure(conn, opts={"version_table": VERSION_TABLE})
        return context.get_current_revision()

    def revision(self) -> str | None:
        """The database's current schema revision, or None (no corroborate schema)."""
        with self._connect() as conn:
            return self._revision(conn)

    def _lock_schema(self, conn: Connection) -> None:
        """Hold a lock on the schema until the transaction ends (SQLite: ``BEGIN IMMEDIATE``)."""
        if not self._sqlite:
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK})

    def _upgrade(self, conn: Connection) -> None:
        from alembic import command
        from alembic.util.exc import CommandError

        self._lock_schema(conn)
        try:
            command.upgrade(self._alembic(conn), "head")
        except CommandError as exc:
            raise StoreError(f"cannot upgrade {self.url}: {exc} (was it written by a newer corroborate?)") from exc

    def _drop(self, conn: Connection) -> None:
        self._lock_schema(conn)
        cascade = "" if self._sqlite else " CASCADE"
        for view in CORROBORATE_VIEWS:
            conn.exec_driver_sql(f"DROP VIEW IF EXISTS {view}{cascade}")
        for table in CORROBORATE_TABLES:
            conn.exec_driver_sql(f"DROP TABLE IF EXISTS {table}{cascade}")

    def upgrade(self) -> None:
        """Migrate the schema to the newest revision (Alembic ``upgrade head``); a no-op when it
        is there. Safe to call from several processes at once (they take a lock in turn)."""
        self._write(self._upgrade)

    def drop(self) -> None:
        """Drop every table and view corroborate created (other tables in the database are left
        alone). The database is then empty: :meth:`revision` is None."""
        self._write(self._drop)

    def reset(self) -> None:
        """Drop everything corroborate created, then create the newest schema, in one
        transaction (for tests and ``corroborate db reset --yes``). All data is lost."""

        def work(conn: Connection) -> None:
            self._drop(conn)
            self._upgrade(conn)

        self._write(work)

    def _has_tables(self) -> bool:
        with self._connect() as conn:
            return sa.inspect(conn).has_table("reports")

    def check(self, create: bool = True) -> None:
        """Make sure the schema is at head. An empty database gets the schema when ``create``;
        otherwise (older, unknown or missing revision) raise a :class:`StoreError` saying what
        to run."""
        revision, head = self.revision(), self.head()
        if revision == head:
            return
        if revision is None and not self._has_tables():
            if create:
                self.upgrade()  # two processes at once take turns; the second finds it done
                return
            raise StoreError(f"{self.url} has no corroborate schema: run `corroborate db upgrade --db {self.url}`")
        if revision is None:  # tables, no revision: or another process created both in between the two reads
            revision = self.revision()
            if revision == head:
                return
        raise StoreError(self._mismatch(revision, head))

    def _mismatch(self, revision: str | None, head: str) -> str:
        from alembic.script import ScriptDirectory
        from alembic.util.exc import CommandError

        fix = f"`corroborate db upgrade --db {self.url}`"
        if revision is None:
            return (f"{self.url} has corroborate tables but no schema revision (its version table "
                    f"{VERSION_TABLE} is missing or empty): back it up, then run `corroborate db reset "
                    f"--yes --db {self.url}`, or restore the version table and run {fix}")
        try:
            ScriptDirectory.from_config(self._alembic(None)).get_revision(revision)  # type: ignore[arg-type]
        except CommandError:
            return (f"{self.url} has schema revision {revision!r}, which this corroborate does not know "
                    f"(it needs {head!r}; written by a newer corroborate?): upgrade corroborate, then run {fix}")
        return f"{self.url} has schema revision {revision!r}, this corroborate needs {head!r}: run {fix}"

    # -- reports ----------------------------------------------------------------------------
    def add_reports(self, items: Iterable[tuple[Report, str]], *, run_id: int | None = None) -> AddResult:
        """Store reports, each given with its JSON line as written, in one transaction.

        Per report: ``unchanged`` when its id's current version has the same
        :func:`content_hash`; ``versioned`` when the id is known with other content (a new
        version, previous highest + 1, becomes current; older ones stay); else ``added`` (its id
        takes the next place in the first-ingest order). ``run_id``: the run that brought the new
        versions (optional). The items are read into memory first (the call is one transaction
        and may be retried). Safe with concurrent writers on the same ids: rows are locked and
        unique keys guard versions, a conflicting transaction is retried."""
        rows = [_Item.of(report, line) for report, line in items]
        return self._write(lambda conn: self._add(conn, rows, run_id))

    def _add(self, conn: Connection, rows: list[_Item], run_id: int | None) -> AddResult:
        result = AddResult()
        now = _now()
        for item in rows:
            outcome = self._add_one(conn, item, now, run_id)
            getattr(result, outcome).append(item.id)
        return result

    def _add_one(self, conn: Connection, item: _Item, now: datetime, run_id: int | None) -> str:
        current = self._current(conn, item.id)
        if current is None:
            inserted = conn.execute(
                self._insert(reports).values(id=item.id, version=1, content_hash=item.hash, first_seen=now,
                                             updated_at=now)
                .on_conflict_do_nothing(index_elements=["id"]).returning(reports.c.seq)).first()
            if inserted is not None:
                self._insert_version(conn, item, 1, now, run_id)
                return "added"
            current = self._current(conn, item.id)  # another writer added it meanwhile
            assert current is not None
        if current.content_hash == item.hash:
            return "unchanged"
        self._new_version(conn, item, current, now, run_id)
        return "versioned"

    def _current(self, conn: Connection, report_id: str) -> _Current | None:
        """The current version of ``report_id``, its row locked until the transaction ends."""
        query = (sa.select(reports.c.version, reports.c.content_hash).where(reports.c.id == report_id)
                 .with_for_update())
        row = conn.execute(query).first()
        return None if row is None else _Current(row.version, row.content_hash)

    def _insert_version(self, conn: Connection, item: _Item, version: int, now: datetime,
                        run_id: int | None) -> None:
        pk = conn.execute(report_versions.insert().values(
            report_id=item.id, version=version, content_hash=item.hash, line=item.line, title=item.title,
            text=item.text, published=item.published, url=item.url, source=item.source, run_id=run_id,
            created_at=now).returning(report_versions.c.pk)).scalar_one()
        if self._sqlite:
            conn.execute(sa.text("INSERT INTO reports_fts(rowid, title, text) VALUES (:pk, :title, :text)"),
                         {"pk": pk, "title": item.title, "text": item.text})

    def _new_version(self, conn: Connection, item: _Item, current: _Current, now: datetime,
                     run_id: int | None) -> None:
        if self._sqlite:  # take the old version out of the index, with the values it was indexed with
            old = conn.execute(sa.select(report_versions.c.pk, report_versions.c.title, report_versions.c.text)
                               .where(report_versions.c.report_id == item.id,
                                      report_versions.c.version == current.version)).one()
            conn.execute(sa.text("INSERT INTO reports_fts(reports_fts, rowid, title, text) "
                                 "VALUES ('delete', :pk, :title, :text)"),
                         {"pk": old.pk, "title": old.title, "text": old.text})
        version = self._max_version(conn, item.id) + 1
        self._insert_version(conn, item, version, now, run_id)
        conn.execute(reports.update().where(reports.c.id == item.id)
                     .values(version=version, content_hash=item.hash, updated_at=now))

    def _max_version(self, conn: Connection, report_id: str) -> int:
        query = sa.select(sa.func.max(report_versions.c.version)).where(report_versions.c.report_id == report_id)
        return int(conn.execute(query).scalar_one() or 0)

    def _paged(self, query: Callable[[int], sa.Select], key: str = "seq") -> Iterator[Row]:
        """Rows of ``query(after)`` page by page (keyset on ``key``), each page in its own short
        transaction: no connection or snapshot is held between pages."""
        after = 0
        while True:
            with self._connect() as conn:
                rows = conn.execute(query(after)).all()
            yield from rows
            if len(rows) < _PAGE:
                return
            after = getattr(rows[-1], key)

    def report_lines(self) -> Iterator[str]:
        """The current version of every report as its stored JSON line (exactly as given), in
        first-ingest order. Streams page by page; reports added meanwhile may or may not appear."""
        def page(after: int) -> sa.Select:
            return (sa.select(reports.c.seq, report_versions.c.line).select_from(_CURRENT)
                    .where(reports.c.seq > after).order_by(reports.c.seq).limit(_PAGE))

        for row in self._paged(page):
            yield row.line

    def report_lines_of(self, report_ids: Iterable[str]) -> list[str]:
        """The current lines of these reports (unknown ids left out), in first-ingest order."""
        return self._lines_of(report_ids, lambda chunk: sa.select(reports.c.seq, report_versions.c.line)
                              .select_from(_CURRENT).where(reports.c.id.in_(chunk)))

    def reports(self) -> Iterator[Report]:
        """:meth:`report_lines` parsed as :class:`Report` records."""
        for line in self.report_lines():
            yield Report.model_validate_json(line)

    def report_line(self, report_id: str, version: int | None = None) -> str | None:
        """The stored JSON line of one version of a report (default: the current one), or None."""
        if "\x00" in report_id:  # no stored id holds one (and PostgreSQL refuses it in a query)
            return None
        if version is None:
            query = sa.select(report_versions.c.line).select_from(_CURRENT).where(reports.c.id == report_id)
        else:
            query = sa.select(report_versions.c.line).where(report_versions.c.report_id == report_id,
                                                            report_versions.c.version == version)
        with self._connect() as conn:
            return conn.execute(query).scalar_one_or_none()

    def report(self, report_id: str, version: int | None = None) -> Report | None:
        """One version of a report (default: the current one) as a :class:`Report`, or None."""
        line = self.report_line(report_id, version)
        return None if line is None else Report.model_validate_json(line)

    def versions(self, report_id: str) -> list[int]:
        """The versions stored for a report, ascending ([] for an unknown id)."""
        if "\x00" in report_id:  # no stored id holds one (and PostgreSQL refuses it in a query)
            return []
        query = (sa.select(report_versions.c.version).where(report_versions.c.report_id == report_id)
                 .order_by(report_versions.c.version))
        with self._connect() as conn:
            return list(conn.execute(query).scalars())

    def count_reports(self) -> int:
        """How many distinct report ids are stored."""
        with self._connect() as conn:
            return int(conn.execute(sa.select(sa.func.count()).select_from(reports)).scalar_one())

    def count_incidents(self) -> int:
        """How many incidents are stored."""
        with self._connect() as conn:
            return int(conn.execute(sa.select(sa.func.count()).select_from(incidents)).scalar_one())

    def _refresh(self, conn: Connection, lines: list[tuple[str, str]]) -> int:
        """Replace the stored line of each report's current version by ``line`` where it differs
        (what a later run's incident stage adds to a report, such as ``derived_from``, is part of
        the record; its input, and so its version, is the same). Returns how many changed."""
        changed = 0
        for report_id, line in lines:
            version = sa.select(reports.c.version).where(reports.c.id == report_id).scalar_subquery()
            result = conn.execute(report_versions.update()
                                  .where(report_versions.c.report_id == report_id, report_versions.c.version == version,
                                         report_versions.c.line != line)
                                  .values(line=line))
            changed += result.rowcount or 0
        return changed

    def content_hashes(self, report_ids: Iterable[str]) -> dict[str, str]:
        """The :func:`content_hash` of the current version of each of ``report_ids`` that is stored."""
        ids = list(dict.fromkeys(report_ids))
        out: dict[str, str] = {}
        with self._connect() as conn:
            for start in range(0, len(ids), _PAGE):
                query = sa.select(reports.c.id, reports.c.content_hash).where(reports.c.id.in_(ids[start:start + _PAGE]))
                out.update({row.id: row.content_hash for row in conn.execute(query)})
        return out

    @contextmanager
    def run_lock(self) -> Iterator[None]:
        """Held for a whole run into the store: runs into one database take turns (each links its
        reports against what the one before stored), so that two at once lose nothing. PostgreSQL:
        a session advisory lock; SQLite: an exclusive lock on the file ``<database>.lock``."""
        if self._sqlite:
            import fcntl

            with open(f"{self._url.database}.lock", "a+b") as handle:
                fcntl.flock(handle, fcntl.LOCK_EX)
                try:
                    yield
                finally:
                    fcntl.flock(handle, fcntl.LOCK_UN)
            return
        with self.engine.connect() as conn:
            conn.exec_driver_sql(f"SELECT pg_advisory_lock({RUN_LOCK_KEY})")
            conn.commit()
            try:
                yield
            finally:
                conn.exec_driver_sql(f"SELECT pg_advisory_unlock({RUN_LOCK_KEY})")
                conn.commit()

    def save(self, new: Iterable[tuple[Report, str]], refreshed: Iterable[tuple[str, str]],
             incidents: list[tuple[Incident, str]], removed: Iterable[str] = (), *, run_id: int | None = None,
             engine: str | None = None) -> AddResult:
        """A run's results in one transaction: :meth:`add_reports` for ``new`` (its new or changed
        inputs), the current line of each ``refreshed`` (id, line) (reports carried over whose
        incident-stage part changed), :meth:`replace_incidents`, and ``engine`` (what made the
        incidents: :meth:`incidents_engine`) on run ``run_id``. A run killed before this leaves the store as
        it was; after it, complete."""
        rows = [_Item.of(report, line) for report, line in new]
        again = list(refreshed)
        gone = list(removed)

        def work(conn: Connection) -> AddResult:
            result = self._add(conn, rows, run_id)
            self._refresh(conn, again)
            checkpoint("saving")
            self._replace(conn, incidents, gone)
            if run_id is not None and engine is not None:
                conn.execute(runs.update().where(runs.c.id == run_id).values(engine=engine))
            return result

        return self._write(work)

    # -- incidents --------------------------------------------------------------------------
    def replace_incidents(self, items: list[tuple[Incident, str]], removed: Iterable[str] = ()) -> None:
        """In one transaction: upsert each incident (given with its JSON line as written; an
        existing id keeps its place in the order) with its report memberships, and delete the
        ``removed`` ids. An id may not be both upserted and removed."""
        gone = list(removed)
        overlap = {incident.id for incident, _ in items} & set(gone)
        if overlap:
            raise ValueError(f"incidents both replaced and removed: {sorted(overlap)[:5]}")
        self._write(lambda conn: self._replace(conn, items, gone))

    def _replace(self, conn: Connection, items: list[tuple[Incident, str]], removed: list[str]) -> None:
        now = _now()
        for start in range(0, len(removed), _PAGE):
            chunk = removed[start:start + _PAGE]
            conn.execute(incident_reports.delete().where(incident_reports.c.incident_id.in_(chunk)))
            conn.execute(incidents.delete().where(incidents.c.id.in_(chunk)))
        for incident, line in items:
            self._upsert_incident(conn, incident, line, now)

    def _upsert_incident(self, conn: Connection, incident: Incident, line: str, now: datetime) -> None:
        values = {"title": incident.title, "date": incident.date, "location": incident.location, "line": line,
                  "updated_at": now, **incident_columns(incident)}
        conn.execute(self._insert(incidents).values(id=incident.id, created_at=now, **values)
                     .on_conflict_do_update(index_elements=["id"], set_=values))
        conn.execute(incident_reports.delete().where(incident_reports.c.incident_id == incident.id))
        members = [{"incident_id": incident.id, "position": i, "report_id": rid}
                   for i, rid in enumerate(incident.reports)]
        if members:
            conn.execute(incident_reports.insert(), members)

    def incident_lines(self) -> Iterator[str]:
        """Every incident's stored JSON line, in the order its id was first stored."""
        def page(after: int) -> sa.Select:
            return (sa.select(incidents.c.seq, incidents.c.line).where(incidents.c.seq > after)
                    .order_by(incidents.c.seq).limit(_PAGE))

        for row in self._paged(page):
            yield row.line

    def incident_lines_of(self, incident_ids: Iterable[str]) -> list[str]:
        """The stored JSON lines of these incidents (unknown ids left out), in storing order."""
        return self._lines_of(incident_ids, lambda chunk: sa.select(incidents.c.seq, incidents.c.line)
                              .where(incidents.c.id.in_(chunk)))

    def _lines_of(self, ids: Iterable[str], query: Callable[[list[str]], sa.Select]) -> list[str]:
        """The lines ``query(chunk)`` selects as (seq, line) for the ids, a page of ids at a time, by seq."""
        wanted = sorted({i for i in ids if "\x00" not in i})
        rows: list[tuple[int, str]] = []
        with self._connect() as conn:
            for start in range(0, len(wanted), _PAGE):
                rows.extend((row[0], row[1]) for row in conn.execute(query(wanted[start:start + _PAGE])))
        return [line for _, line in sorted(rows)]

    def incidents(self) -> Iterator[Incident]:
        """:meth:`incident_lines` parsed as :class:`Incident` records."""
        for line in self.incident_lines():
            yield Incident.model_validate_json(line)

    def incident(self, incident_id: str) -> Incident | None:
        """One incident, or None."""
        if "\x00" in incident_id:  # no stored id holds one (and PostgreSQL refuses it in a query)
            return None
        with self._connect() as conn:
            line = conn.execute(sa.select(incidents.c.line).where(incidents.c.id == incident_id)).scalar_one_or_none()
        return None if line is None else Incident.model_validate_json(line)

    def incident_of(self, report_ids: Iterable[str]) -> dict[str, str]:
        """The incident each report belongs to (reports in none are left out). Should a report
        be listed by several incidents, the earliest stored incident wins."""
        ids = list(dict.fromkeys(report_ids))
        found: dict[str, str] = {}
        for start in range(0, len(ids), _PAGE):
            query = (sa.select(incident_reports.c.report_id, incident_reports.c.incident_id)
                     .join(incidents, incidents.c.id == incident_reports.c.incident_id)
                     .where(incident_reports.c.report_id.in_(ids[start:start + _PAGE]))
                     .order_by(incidents.c.seq.desc()))
            with self._connect() as conn:
                found.update((row.report_id, row.incident_id) for row in conn.execute(query))
        return found

    # -- runs -------------------------------------------------------------------------------
    def begin_run(self, inputs: list[str]) -> int:
        """Record the start of a run (status ``running``, this process's pid and host); its id."""
        values = {"status": "running", "started_at": _now(), "inputs": list(inputs), "pid": os.getpid(),
                  "host": socket.gethostname()}
        return int(self._write(lambda conn: conn.execute(runs.insert().values(**values).returning(runs.c.id))
                               .scalar_one()))

    def finish_run(self, run_id: int, status: str, added: int, unchanged: int, versioned: int) -> None:
        """Record the end of a run: ``status`` is ``done`` or ``failed``, with its report counts."""
        if status not in ("done", "failed"):
            raise ValueError(f"a run finishes as 'done' or 'failed', not {status!r}")
        update = (runs.update().where(runs.c.id == run_id)
                  .values(status=status, finished_at=_now(), added=added, unchanged=unchanged, versioned=versioned))
        if self._write(lambda conn: conn.execute(update).rowcount) != 1:
            raise StoreError(f"{self.url}: no run {run_id}")

    def incidents_engine(self) -> str | None:
        """What made the stored incidents: the engine the last run that stored any recorded
        (:func:`corroborate.corpus.engine`), or None."""
        query = sa.select(runs.c.engine).where(runs.c.engine.is_not(None)).order_by(runs.c.id.desc()).limit(1)
        with self._connect() as conn:
            return conn.execute(query).scalar_one_or_none()

    def run(self, run_id: int) -> Run | None:
        """One run, or None."""
        with self._connect() as conn:
            row = conn.execute(sa.select(runs).where(runs.c.id == run_id)).first()
        return None if row is None else _run(row)

    def stale_runs(self, max_age: timedelta = timedelta(hours=24)) -> list[Run]:
        """Runs still marked ``running`` that were killed or crashed: on this host, those whose
        process is gone; on any host, those started more than ``max_age`` ago. (A killed
        process's run stays ``running``; :meth:`finish_run` it as ``failed`` to tidy up.)"""
        with self._connect() as conn:
            rows = conn.execute(sa.select(runs).where(runs.c.status == "running").order_by(runs.c.id)).all()
        host, cutoff = socket.gethostname(), _now() - max_age
        return [run for run in map(_run, rows) if _is_stale(run, host, cutoff)]

    # -- watch ------------------------------------------------------------------------------
    def watch_state(self, url: str) -> WatchState | None:
        """The state ``corroborate watch`` keeps for the feed ``url``, or None (never polled)."""
        with self._connect() as conn:
            row = conn.execute(sa.select(watch_state).where(watch_state.c.url == url)).first()
        return None if row is None else _watch_state(row)

    def watch_states(self) -> list[WatchState]:
        """Every feed's watch state, by URL."""
        with self._connect() as conn:
            rows = conn.execute(sa.select(watch_state).order_by(watch_state.c.url)).all()
        return [_watch_state(row) for row in rows]

    def save_watch_state(self, state: WatchState) -> None:
        """Insert or replace the watch state of ``state.url`` (one transaction)."""
        values = {"etag": state.etag, "last_modified": state.last_modified, "last_polled": state.last_polled,
                  "failures": state.failures, "last_error": state.last_error, "next_poll": state.next_poll}
        statement = (self._insert(watch_state).values(url=state.url, **values)
                     .on_conflict_do_update(index_elements=["url"], set_=values))
        self._write(lambda conn: conn.execute(statement))

    # -- search -----------------------------------------------------------------------------
    def search_reports(self, q: str, limit: int = 20) -> list[tuple[str, str | None, str]]:
        """Full-text search over the title and text of current report versions, best first:
        ``(report id, title, snippet)``, matched words marked ``«…»`` in the snippet. ``q`` is
        user input in web-search style (words, ``"phrases"``, ``or``, ``-word``); it never
        raises on odd syntax. English stemming on both backends (FTS5 ``porter``; PostgreSQL
        ``english``), ranked by bm25 (title weighs 4x) on SQLite and ``ts_rank`` on PostgreSQL."""
        limit = max(1, min(int(limit), 1000))
        if self._sqlite:
            query = fts5_query(q.replace("\x00", ""))
            if query is None:
                return []
            params: dict[str, Any] = {"query": query, "limit": limit, "start": SNIPPET_START, "end": SNIPPET_END}
            statement = _SQLITE_SEARCH
        else:
            q = q.replace("\x00", "")
            if not q.strip():
                return []
            params, statement = {"query": q, "limit": limit, "options": _PG_HEADLINE}, _PG_SEARCH
        with self._connect() as conn:
            return [(row[0], row[1], row[2]) for row in conn.execute(statement, params)]

    # -- lifetime ---------------------------------------------------------------------------
    def close(self) -> None:
        """Close every pooled connection. The store is not to be used afterwards."""
        self.engine.dispose()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"SqlStore({self.url!r})"


def _run(row: Row) -> Run:
    started = _utc(row.started_at)
    assert started is not None
    return Run(id=row.id, status=row.status, started_at=started, finished_at=_utc(row.finished_at),
               inputs=list(row.inputs or []), added=row.added, unchanged=row.unchanged, versioned=row.versioned,
               pid=row.pid, host=row.host, engine=row.engine)


def _watch_state(row: Row) -> WatchState:
    return WatchState(url=row.url, etag=row.etag, last_modified=row.last_modified, last_polled=_utc(row.last_polled),
                      failures=int(row.failures or 0), last_error=row.last_error, next_poll=_utc(row.next_poll))


def _is_stale(run: Run, host: str, cutoff: datetime) -> bool:
    if run.started_at < cutoff:
        return True
    return run.host == host and run.pid is not None and not _pid_alive(run.pid)


def open_store(url: str, *, create: bool = True, check: bool = True) -> SqlStore:
    """Open the store at ``url``: ``sqlite:///path/to.db`` (the file is created; its directory
    must exist) or ``postgresql://user[:password]@host[:port]/db`` (psycopg 3).

    ``create``: give an empty database the newest schema. ``check``: raise a
    :class:`StoreError` unless the schema is at head (pass ``check=False`` for the ``db``
    commands that upgrade, reset or inspect it). A bad URL or unreachable database is a
    :class:`StoreError` naming the URL without its password."""
    store = SqlStore(url)
    if check:
        try:
            store.check(create=create)
        except BaseException:
            store.close()
            raise
    return store
