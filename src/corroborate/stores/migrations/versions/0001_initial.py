"""Initial schema: reports and their versions, incidents and their reports, runs, full-text search.

Revision ID: 0001
Revises:
Create Date: 2026-12-01

Tables (the same on SQLite and PostgreSQL):

- ``reports``: one row per report id. ``seq`` is assigned when the id first appears (the
  first-ingest order); ``version`` and ``content_hash`` are those of its current version.
- ``report_versions``: every version of every report, never updated or deleted: the JSON line
  as written (``line``) and the columns that make up its identity (``content_hash``).
- ``incidents`` (``seq``: insertion order of the id, kept across updates) and
  ``incident_reports`` (its reports, by position).
- ``runs``: one row per pipeline run.
- view ``current_reports``: the current version of every report.

Full-text search: on SQLite an FTS5 table ``reports_fts`` whose content is the view
``current_reports`` (external content, kept in sync by the store in the same transaction); on
PostgreSQL a generated ``tsvector`` column ``report_versions.tsv`` with a GIN index.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CURRENT_REPORTS_VIEW = """
CREATE VIEW current_reports AS
SELECT v.pk AS pk, r.seq AS seq, v.report_id AS report_id, v.version AS version,
       v.content_hash AS content_hash, v.title AS title, v.text AS text, v.published AS published,
       v.url AS url, v.source AS source, v.line AS line, v.created_at AS created_at
FROM reports AS r
JOIN report_versions AS v ON v.report_id = r.id AND v.version = r.version
"""

SQLITE_FTS = """
CREATE VIRTUAL TABLE reports_fts USING fts5(
    title, text, content='current_reports', content_rowid='pk', tokenize='porter unicode61'
)
"""

POSTGRES_TSV = "to_tsvector('english'::regconfig, coalesce(title, '') || ' ' || text)"


def _key() -> sa.types.TypeEngine:
    """An autoincrementing integer key: a rowid alias on SQLite, BIGSERIAL on PostgreSQL."""
    return sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _when(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _runs() -> None:
    op.create_table(
        "runs",
        sa.Column("id", _key(), primary_key=True, autoincrement=True),
        sa.Column("status", sa.String(16), nullable=False),
        _when("started_at"),
        _when("finished_at", nullable=True),
        sa.Column("inputs", sa.JSON(), nullable=False),
        sa.Column("added", sa.Integer(), nullable=True),
        sa.Column("unchanged", sa.Integer(), nullable=True),
        sa.Column("versioned", sa.Integer(), nullable=True),
        sa.Column("pid", sa.Integer(), nullable=True),
        sa.Column("host", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_runs"),
        sa.CheckConstraint("status IN ('running', 'done', 'failed')", name="ck_runs_status"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_runs_status", "runs", ["status"])


def _reports() -> None:
    op.create_table(
        "reports",
        sa.Column("seq", _key(), primary_key=True, autoincrement=True),
        sa.Column("id", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        _when("first_seen"),
        _when("updated_at"),
        sa.PrimaryKeyConstraint("seq", name="pk_reports"),
        sa.UniqueConstraint("id", name="uq_reports_id"),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "report_versions",
        sa.Column("pk", _key(), primary_key=True, autoincrement=True),
        sa.Column("report_id", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("line", sa.Text(), nullable=False),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("published", sa.Text(), nullable=True),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("source", sa.Text(), nullable=True),
        sa.Column("run_id", _key(), nullable=True),
        _when("created_at"),
        sa.PrimaryKeyConstraint("pk", name="pk_report_versions"),
        sa.UniqueConstraint("report_id", "version", name="uq_report_versions_report_id_version"),
        sa.ForeignKeyConstraint(["report_id"], ["reports.id"], name="fk_report_versions_report_id_reports",
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["run_id"], ["runs.id"], name="fk_report_versions_run_id_runs",
                                ondelete="SET NULL"),
        sqlite_autoincrement=True,
    )


def _incidents() -> None:
    op.create_table(
        "incidents",
        sa.Column("seq", _key(), primary_key=True, autoincrement=True),
        sa.Column("id", sa.Text(), nullable=False),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("date", sa.Text(), nullable=True),
        sa.Column("location", sa.Text(), nullable=True),
        sa.Column("line", sa.Text(), nullable=False),
        _when("created_at"),
        _when("updated_at"),
        sa.PrimaryKeyConstraint("seq", name="pk_incidents"),
        sa.UniqueConstraint("id", name="uq_incidents_id"),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "incident_reports",
        sa.Column("incident_id", sa.Text(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("incident_id", "position", name="pk_incident_reports"),
        sa.ForeignKeyConstraint(["incident_id"], ["incidents.id"], name="fk_incident_reports_incident_id_incidents",
                                ondelete="CASCADE"),
    )
    op.create_index("ix_incident_reports_report_id", "incident_reports", ["report_id"])


def _search() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.add_column("report_versions", sa.Column(
            "tsv", postgresql.TSVECTOR(), sa.Computed(POSTGRES_TSV, persisted=True), nullable=True))
        op.create_index("ix_report_versions_tsv", "report_versions", ["tsv"], postgresql_using="gin")
    else:
        op.execute(SQLITE_FTS)


def upgrade() -> None:
    """Create every table, the ``current_reports`` view and the full-text index."""
    _runs()
    _reports()
    _incidents()
    op.execute(CURRENT_REPORTS_VIEW)
    _search()


def downgrade() -> None:
    """Drop everything :func:`upgrade` created."""
    if op.get_bind().dialect.name != "postgresql":
        op.execute("DROP TABLE IF EXISTS reports_fts")
    op.execute("DROP VIEW IF EXISTS current_reports")
    for table in ("incident_reports", "incidents", "report_versions", "reports", "runs"):
        op.drop_table(table)
