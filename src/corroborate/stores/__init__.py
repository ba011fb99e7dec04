"""Stores for reports, incidents and runs.

:class:`Store` is the interface the pipeline and the CLI program against; :class:`SqlStore`
(SQLite or PostgreSQL, see :mod:`corroborate.stores.sql`) implements it, and a JSONL-folder
store can implement it later. Schema management (``upgrade``, ``reset``, ``revision``) is
specific to :class:`SqlStore` and not part of the protocol.

>>> from corroborate.stores import open_store
>>> with open_store("sqlite:///corroborate.db") as store:                     # doctest: +SKIP
...     run = store.begin_run(["examples/demo"])
...     result = store.add_reports((r, r.model_dump_json()) for r in reports)
...     store.replace_incidents([(i, i.model_dump_json()) for i in incidents])
...     store.finish_run(run, "done", len(result.added), len(result.unchanged), len(result.versioned))
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import timedelta
from types import TracebackType
from typing import Protocol, Self, runtime_checkable

from corroborate.records import Incident, Report
from corroborate.stores.sql import (
    MAX_ATTEMPTS,
    SNIPPET_END,
    SNIPPET_START,
    VERSION_TABLE,
    AddResult,
    Run,
    SqlStore,
    StoreError,
    content_hash,
    fts5_query,
    open_store,
    redact,
)


@runtime_checkable
class Store(Protocol):
    """What a store of reports, incidents and runs offers (see :class:`SqlStore` for the
    semantics of each method: versions, orders, transactions)."""

    def add_reports(self, items: Iterable[tuple[Report, str]], *, run_id: int | None = None) -> AddResult:
        """Store (report, JSON line) pairs: each is added, unchanged or a new version."""
        ...

    def report_lines(self) -> Iterator[str]:
        """Current version of every report, as its JSON line, in first-ingest order."""
        ...

    def reports(self) -> Iterator[Report]:
        """:meth:`report_lines` as records."""
        ...

    def report(self, report_id: str, version: int | None = None) -> Report | None:
        """One version of a report (default: current), or None."""
        ...

    def versions(self, report_id: str) -> list[int]:
        """A report's stored versions, ascending."""
        ...

    def count_reports(self) -> int:
        """Number of distinct report ids."""
        ...

    def count_incidents(self) -> int:
        """Number of incidents."""
        ...

    def incident_lines(self) -> Iterator[str]:
        """Every incident's JSON line, in a stable order (first insertion of its id)."""
        ...

    def incidents(self) -> Iterator[Incident]:
        """:meth:`incident_lines` as records."""
        ...

    def incident(self, incident_id: str) -> Incident | None:
        """One incident, or None."""
        ...

    def replace_incidents(self, items: list[tuple[Incident, str]], removed: Iterable[str] = ()) -> None:
        """Upsert (incident, JSON line) pairs and delete ``removed`` ids, atomically."""
        ...

    def incident_of(self, report_ids: Iterable[str]) -> dict[str, str]:
        """Report id -> id of the incident that holds it."""
        ...

    def begin_run(self, inputs: list[str]) -> int:
        """Record a run as started; its id."""
        ...

    def finish_run(self, run_id: int, status: str, added: int, unchanged: int, versioned: int) -> None:
        """Record a run as ``done`` or ``failed``."""
        ...

    def stale_runs(self, max_age: timedelta = timedelta(hours=24)) -> list[Run]:
        """Runs left ``running`` by a process that died."""
        ...

    def search_reports(self, q: str, limit: int = 20) -> list[tuple[str, str | None, str]]:
        """Full-text search: (id, title, snippet), best first."""
        ...

    def close(self) -> None:
        """Release the store's resources."""
        ...

    def __enter__(self) -> Self:
        ...

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        ...


__all__ = [
    "MAX_ATTEMPTS",
    "SNIPPET_END",
    "SNIPPET_START",
    "VERSION_TABLE",
    "AddResult",
    "Run",
    "SqlStore",
    "Store",
    "StoreError",
    "content_hash",
    "fts5_query",
    "open_store",
    "redact",
]
