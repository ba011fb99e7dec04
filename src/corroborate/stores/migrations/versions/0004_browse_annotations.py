"""Columns to browse incidents by, and the analysts' annotations.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01

Columns on ``incidents`` (the same on SQLite and PostgreSQL), filled from the incident's record
by the store whenever it stores one (:func:`corroborate.stores.sql.incident_columns`), and here
from the stored lines:

- ``type``: the incident's type (its ``type`` fact), or NULL;
- ``killed``, ``injured``: the reconciled best values of those facts, or NULL;
- ``status``: the most serious status among its facts (conflicting, discrepant, single_source,
  corroborated, in that order), ``statuses``: every status it has, as ``|a|b|``;
- ``n_reports``, ``n_outlets``, ``n_independent``: its reports, outlets and independent sources;
- ``place``: its place words, lower case (location, city, county, region, country), to filter by.

Indexes on ``incidents`` (date, status, type, killed, n_reports) and ``report_versions.source``
(the outlet filter).

Table ``annotations``: an analyst's correction, stored beside the machine's reading and never
written into it: ``kind`` (merge, split, wrong, set), the incident it is about, the other
incident (merge), the report (split), the fact (its index and slot: wrong, set), the value
(set, as JSON), a note, who, and when.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_COLUMNS = (("type", sa.Text()), ("killed", sa.Integer()), ("injured", sa.Integer()), ("status", sa.Text()),
            ("statuses", sa.Text()), ("n_reports", sa.Integer()), ("n_outlets", sa.Integer()),
            ("n_independent", sa.Integer()), ("place", sa.Text()))


def upgrade() -> None:
    """Add the columns (filled from the stored lines) and the ``annotations`` table."""
    from corroborate.records import Incident
    from corroborate.stores.sql import incident_columns

    with op.batch_alter_table("incidents") as batch:
        for name, kind in _COLUMNS:
            batch.add_column(sa.Column(name, kind, nullable=True))
    for column in ("date", "status", "type", "killed", "n_reports"):
        op.create_index(f"ix_incidents_{column}", "incidents", [column])
    op.create_index("ix_report_versions_source", "report_versions", ["source"])
    conn = op.get_bind()
    table = sa.table("incidents", sa.column("id"), sa.column("line"), *(sa.column(name) for name, _ in _COLUMNS))
    for ident, line in conn.execute(sa.select(table.c.id, table.c.line)).all():
        values = incident_columns(Incident.model_validate(json.loads(line)))
        conn.execute(table.update().where(table.c.id == ident).values(**values))
    op.create_table(
        "annotations",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("incident_id", sa.Text(), nullable=False, index=True),
        sa.Column("other_incident_id", sa.Text(), nullable=True, index=True),
        sa.Column("report_id", sa.Text(), nullable=True),
        sa.Column("fact", sa.Integer(), nullable=True),
        sa.Column("slot", sa.Text(), nullable=True),
        sa.Column("value", sa.Text(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("author", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    """Drop the ``annotations`` table and the columns."""
    op.drop_table("annotations")
    op.drop_index("ix_report_versions_source", "report_versions")
    for column in ("date", "status", "type", "killed", "n_reports"):
        op.drop_index(f"ix_incidents_{column}", "incidents")
    with op.batch_alter_table("incidents") as batch:
        for name, _ in reversed(_COLUMNS):
            batch.drop_column(name)
