"""Datasette export: a SQLite file ``corroborate.db`` with every table of
:data:`corroborate.render.tables.TABLES`, and a datasette ``metadata.json`` beside it.

Serve it with ``datasette corroborate.db --metadata metadata.json`` (datasette 0.65; the
metadata names the database ``corroborate``, after the file: keep the file name).

The database: one SQLite table per table, typed columns (text: ``TEXT``, integer: ``INTEGER``,
real: ``REAL``, boolean: ``INTEGER`` 0/1), the id column as ``PRIMARY KEY``, ``FOREIGN KEY``
declarations for the columns that refer to another table's id (not enforced: SQLite leaves
them off unless asked, and datasette uses them to link rows and label them), and indexes on
those columns and on the facet columns. Full-text search over the reports' ``title`` and
``text``: an external-content FTS5 table ``reports_fts`` (FTS4 where the SQLite has no FTS5),
which datasette finds by its ``content="reports"`` and which the metadata also declares
(``fts_table``, ``fts_pk``): ``/corroborate/reports?_search=gunmen``.

``metadata.json`` (datasette's format, see https://docs.datasette.io/en/0.65/metadata.html):
the title, description and a license note; for each table its description, its column
descriptions (from ``TABLES``), its default facets (:data:`FACETS`) and the column that labels
its rows in links to it.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from pathlib import Path

from corroborate.records import CONTRACT_VERSION, Incident, Report
from corroborate.render.tables import (
    ANNOTATIONS,
    TABLES,
    Row,
    Table,
    replacing,
    table_rows,
)

DB_NAME = "corroborate.db"
METADATA_NAME = "metadata.json"
#: datasette names a database after its file
DATABASE = Path(DB_NAME).stem
FTS_TABLE = "reports_fts"
FTS_COLUMNS = ("title", "text")

SQL_TYPES = {"text": "TEXT", "integer": "INTEGER", "real": "REAL", "boolean": "INTEGER"}

#: the facets datasette shows by default on each table (a ``{"date": column}`` facet groups by day)
FACETS: dict[str, list[str | dict[str, str]]] = {
    "reports": ["outlet", {"date": "published"}],
    "incidents": ["date"],
    "facts": ["status", "slot"],
    "support": ["status", "side"],
    "counts": ["category"],
    "derivations": ["relation"],
}
#: the column that labels a row where another table links to it
LABELS = {"reports": "title", "incidents": "title", "facts": "value"}
#: default sort, newest first
SORT_DESC = {"reports": "published", "incidents": "date"}

TITLE = "corroborate: incidents, facts and their sources"
DESCRIPTION = (
    "News reports turned into reconciled incident records by corroborate. `incidents` are real-world "
    "events; each has reconciled `facts` (tolls, perpetrators, place, date, ...), and every fact's "
    "`support` rows point to the exact words of the `reports` that support or dissent from it. `counts` "
    "are the counts of people found in each report, `derivations` the reports that reuse another's text "
    "(a copy repeats a source, it does not confirm it). Tables join by id: facts.incident_id, "
    "support.fact_id, support.report_id, reports.incident_id, counts.report_id, derivations.report_id."
)
LICENSE = ("Report titles and texts are quoted from their publishers and remain theirs; the derived records "
           "are machine-made by corroborate and can be wrong: check a fact against its support before relying on it.")


def quote(name: str) -> str:
    """An SQL identifier, quoted (``end`` and ``text`` are column names)."""
    return '"' + name.replace('"', '""') + '"'


def _column_sql(table: Table, name: str, kind: str) -> str:
    key = " PRIMARY KEY NOT NULL" if name == table.primary_key else ""
    return f"{quote(name)} {SQL_TYPES[kind]}{key}"


def create_sql(table: Table) -> str:
    """``CREATE TABLE`` for ``table``: typed columns, primary key, foreign keys."""
    parts = [_column_sql(table, c.name, c.type) for c in table.columns]
    for column, target in table.foreign_keys.items():
        other, other_column = target.split(".")
        parts.append(f"FOREIGN KEY ({quote(column)}) REFERENCES {quote(other)} ({quote(other_column)})")
    return f"CREATE TABLE {quote(table.name)} (\n  " + ",\n  ".join(parts) + "\n)"


def indexed_columns(table: Table) -> list[str]:
    """The columns to index: those that refer to another table, and the facet columns."""
    facets = [f if isinstance(f, str) else next(iter(f.values())) for f in FACETS.get(table.name, [])]
    return list(dict.fromkeys([*table.foreign_keys, *facets]))


def index_sql(table: Table) -> list[str]:
    return [f"CREATE INDEX {quote(f'idx_{table.name}_{column}')} ON {quote(table.name)} ({quote(column)})"
            for column in indexed_columns(table)]


def insert_rows(con: sqlite3.Connection, table: Table, rows: Iterable[Row]) -> None:
    """Insert ``rows`` one at a time (sqlite3 consumes the generator as it goes)."""
    names = table.names
    sql = (f"INSERT INTO {quote(table.name)} ({', '.join(quote(n) for n in names)}) "
           f"VALUES ({', '.join('?' for _ in names)})")
    con.executemany(sql, (tuple(row[n] for n in names) for row in rows))


def add_fts(con: sqlite3.Connection) -> str | None:
    """Full-text search over the reports' title and text; the FTS module used (None: neither)."""
    columns = ", ".join(quote(c) for c in FTS_COLUMNS)
    for module in ("fts5", "fts4"):
        try:
            con.execute(f'CREATE VIRTUAL TABLE {quote(FTS_TABLE)} USING {module} ({columns}, content="reports")')
        except sqlite3.OperationalError:  # this SQLite was built without the module
            continue
        con.execute(f"INSERT INTO {quote(FTS_TABLE)} (rowid, {columns}) SELECT rowid, {columns} FROM reports")
        return module
    return None


def build_database(path: Path, reports: Iterable[Report], incidents: Iterable[Incident],
                   annotations: Iterable[Row] | None = None) -> str | None:
    """Write the database to ``path`` (a new file), with the ``annotations`` table when given;
    return the FTS module used."""
    con = sqlite3.connect(path)
    try:
        con.execute("PRAGMA journal_mode = OFF")  # a new file, renamed into place when complete
        con.execute("PRAGMA synchronous = OFF")
        for name, table in TABLES.items():
            con.execute(create_sql(table))
            insert_rows(con, table, table_rows(name, reports, incidents))
            for sql in index_sql(table):
                con.execute(sql)
            con.commit()
        if annotations is not None:
            con.execute(create_sql(ANNOTATIONS))
            insert_rows(con, ANNOTATIONS, annotations)
            for sql in index_sql(ANNOTATIONS):
                con.execute(sql)
            con.commit()
        fts = add_fts(con)
        con.commit()
        return fts
    finally:
        con.close()


def _table_metadata(table: Table, fts: str | None) -> dict:
    meta: dict = {
        "description": table.description,
        "columns": {c.name: c.description for c in table.columns},
        "facets": FACETS.get(table.name, []),
    }
    if table.name in LABELS:
        meta["label_column"] = LABELS[table.name]
    if table.name in SORT_DESC:
        meta["sort_desc"] = SORT_DESC[table.name]
    if table.name == "reports" and fts:
        meta.update(fts_table=FTS_TABLE, fts_pk="rowid")
    return meta


def metadata(fts: str | None = "fts5", annotations: bool = False) -> dict:
    """The datasette metadata of the export (``fts``: the FTS module the database has, or None;
    ``annotations``: it has the annotations table)."""
    tables = {**TABLES, **({"annotations": ANNOTATIONS} if annotations else {})}
    return {
        "title": TITLE,
        "description": DESCRIPTION,
        "license": LICENSE,
        "about": f"corroborate export, output contract {CONTRACT_VERSION}",
        "databases": {DATABASE: {"tables": {name: _table_metadata(table, fts) for name, table in tables.items()}}},
    }


def write_datasette(out_dir: str | Path, reports: Iterable[Report], incidents: Iterable[Incident],
                    annotations: Iterable[Row] | None = None) -> list[Path]:
    """Write ``corroborate.db`` and ``metadata.json`` into ``out_dir`` (created if needed); return
    their paths. ``reports`` and ``incidents`` must be re-iterable (see :mod:`corroborate.render.tables`)."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    db, meta = out / DB_NAME, out / METADATA_NAME
    with replacing(db) as tmp:
        fts = build_database(tmp, reports, incidents, annotations)
    with replacing(meta) as tmp:
        tmp.write_text(json.dumps(metadata(fts, annotations is not None), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return [db, meta]
