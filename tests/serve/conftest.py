"""Fixtures for the server's tests: a store holding the demo's reports and incidents (analyzed once
per session), on SQLite and on PostgreSQL (the fixtures of tests/stores), and the app over it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from helpers import DEMO
from serving import Server, make_client
from stores.conftest import BACKENDS, pg_admin, pg_database, url  # noqa: F401  (SQLite and PostgreSQL)

from corroborate.records import Incident, Report
from corroborate.stores import open_store

__all__ = ["BACKENDS"]


@pytest.fixture(scope="session")
def demo_records(tmp_path_factory) -> tuple[list[tuple[Report, str]], list[tuple[Incident, str]]]:
    """The demo's reports and incidents, as (record, line) pairs, analyzed once."""
    from corroborate.pipeline import stream

    out = tmp_path_factory.mktemp("demo-out")
    stream([DEMO], out)
    reports = [(Report.model_validate_json(line), line) for line in (out / "reports.jsonl").read_text("utf-8").splitlines()]
    incidents = [(Incident.model_validate_json(line), line)
                 for line in (out / "incidents.jsonl").read_text("utf-8").splitlines()]
    return reports, incidents


@pytest.fixture
def filled(url: str, demo_records) -> str:  # noqa: F811
    """The URL of a store holding the demo (6 reports, 2 incidents)."""
    reports, incidents = demo_records
    with open_store(url) as store:
        store.save(reports, [], incidents)
    return url


@pytest.fixture
def client(filled: str):
    with make_client(filled) as test_client:
        yield test_client


@pytest.fixture
def server(sqlite_filled: str) -> Iterator[Server]:
    """``corroborate serve`` over a SQLite store holding the demo (the UI's tests; the API's run on both databases)."""
    running = Server(sqlite_filled)
    yield running
    print("corroborate serve said:\n" + running.stop()[-6000:])  # shown when the test fails


@pytest.fixture
def sqlite_filled(tmp_path, demo_records) -> str:
    """A SQLite store holding the demo (for tests about the server, not the database)."""
    db = f"sqlite:///{tmp_path / 'serve.db'}"
    reports, incidents = demo_records
    with open_store(db) as store:
        store.save(reports, [], incidents)
    return db
