"""What made a run's incidents: ``runs.engine``.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01

Column (the same on SQLite and PostgreSQL):

- ``runs.engine``: the engine that made the incidents a run stored
  (:func:`corroborate.corpus.engine`: this corroborate's version, the contract, the learned
  models' sha256, ``--embeddings``), set in the transaction that stores them. A later run made
  by the same engine keeps the stored incidents no new report touches instead of reconciling
  them again; NULL (a run that stored nothing, or from before this revision): reconcile all.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add ``runs.engine``."""
    with op.batch_alter_table("runs") as batch:
        batch.add_column(sa.Column("engine", sa.Text(), nullable=True))


def downgrade() -> None:
    """Drop ``runs.engine``."""
    with op.batch_alter_table("runs") as batch:
        batch.drop_column("engine")
