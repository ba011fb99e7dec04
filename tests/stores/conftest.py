"""Fixtures for the store tests: every test runs on SQLite (a file in tmp_path) and on PostgreSQL
(a fresh database made for this session on 127.0.0.1:5432, dropped at the end).

PostgreSQL tests skip when the server is not reachable, and fail instead when
CORROBORATE_REQUIRE_POSTGRES=1 (CI). CORROBORATE_TEST_POSTGRES overrides the admin URL.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from corroborate.stores import open_store
from corroborate.stores import sql as sqlstore

PG_ADMIN = os.environ.get("CORROBORATE_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres")
PG_ADDRESS = f"{sa.make_url(PG_ADMIN).host}:{sa.make_url(PG_ADMIN).port or 5432}"
BACKENDS = ["sqlite", "postgresql"]
HEAD = "0004"


@pytest.fixture(scope="session")
def pg_admin() -> str:
    """The admin URL of a reachable PostgreSQL, or skip (fail with CORROBORATE_REQUIRE_POSTGRES=1)."""
    import psycopg

    try:
        psycopg.connect(PG_ADMIN, connect_timeout=3, autocommit=True).close()
    except psycopg.Error as exc:
        reason = f"PostgreSQL at {PG_ADDRESS} is not reachable ({' '.join(str(exc).split())[:200]})"
        if os.environ.get("CORROBORATE_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"{reason}, and CORROBORATE_REQUIRE_POSTGRES=1", pytrace=False)
        pytest.skip(reason)
    return PG_ADMIN


@pytest.fixture(scope="session")
def pg_database(pg_admin: str) -> Iterator[str]:
    """A fresh database corroborate_t_<hex> for this session (never the shared `test` one)."""
    import psycopg
    from psycopg import sql

    name = f"corroborate_t_{secrets.token_hex(6)}"
    with psycopg.connect(pg_admin, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    yield sa.make_url(pg_admin).set(database=name).render_as_string(hide_password=False)
    with psycopg.connect(pg_admin, autocommit=True) as conn:
        conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                     "WHERE datname = %s AND pid <> pg_backend_pid()", (name,))
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@pytest.fixture(params=BACKENDS)
def url(request: pytest.FixtureRequest, tmp_path) -> str:
    """An empty database: a new SQLite file, or the session's PostgreSQL database emptied."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    pg_url = request.getfixturevalue("pg_database")
    with open_store(pg_url, check=False) as store:
        store.drop()
    return pg_url


@pytest.fixture
def store(url: str) -> Iterator[sqlstore.SqlStore]:
    with open_store(url) as opened:
        yield opened
