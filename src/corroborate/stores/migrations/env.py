"""Alembic environment of corroborate's SQL store.

There is no ``alembic.ini``: :mod:`corroborate.stores.sql` builds the Alembic ``Config`` in
code, opens the transaction (taking a lock so two processes never migrate at once) and hands
its connection over in ``config.attributes["connection"]``. Run migrations through
``SqlStore.upgrade()`` / ``SqlStore.reset()`` (or ``corroborate db upgrade --db URL``), not the
``alembic`` command line.
"""

from __future__ import annotations

from alembic import context

from corroborate.stores.sql import VERSION_TABLE


def run_migrations() -> None:
    """Run the migrations on the connection the store passed in (online mode only)."""
    connection = context.config.attributes.get("connection")
    if connection is None:
        raise RuntimeError(
            "corroborate's migrations run through corroborate.stores (SqlStore.upgrade), "
            "which passes a connection; offline (--sql) mode is not supported"
        )
    context.configure(connection=connection, target_metadata=None, version_table=VERSION_TABLE,
                      transactional_ddl=True)
    with context.begin_transaction():
        context.run_migrations()


run_migrations()
