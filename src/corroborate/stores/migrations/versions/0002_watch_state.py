"""Per-feed state of ``corroborate watch``: conditional-request validators and error backoff.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-08

Table (the same on SQLite and PostgreSQL):

- ``watch_state``: one row per feed or sitemap URL polled by ``corroborate watch``: the ``etag``
  and ``last_modified`` of its last 200 answer (sent back as ``If-None-Match`` and
  ``If-Modified-Since``), when it was last polled, how many polls in a row failed, and when it
  may be polled again after a failure (``next_poll``; NULL: at the next cycle).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _when(name: str, nullable: bool = True) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    """Create ``watch_state``."""
    op.create_table(
        "watch_state",
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("etag", sa.Text(), nullable=True),
        sa.Column("last_modified", sa.Text(), nullable=True),
        _when("last_polled"),
        sa.Column("failures", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("last_error", sa.Text(), nullable=True),
        _when("next_poll"),
        sa.PrimaryKeyConstraint("url", name="pk_watch_state"),
    )


def downgrade() -> None:
    """Drop ``watch_state``."""
    op.drop_table("watch_state")
