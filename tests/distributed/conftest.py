"""The store's PostgreSQL fixtures, for the Ray run into PostgreSQL."""

from stores.conftest import pg_admin, pg_database  # noqa: F401 - fixtures: a fresh PostgreSQL database
