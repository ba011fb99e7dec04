"""CSV export: one UTF-8 file per table of :data:`corroborate.render.tables.TABLES`.

Each file has a header row (the column names) and one line per row, quoted as RFC 4180 says
(Python's ``csv`` module, minimal quoting, CRLF line ends): a value holding a comma, a quote
or a newline is quoted, quotes doubled, and newlines inside text are kept, inside the quotes.
The files have no byte-order mark.

Values: null is the empty cell (CSV cannot tell it from an empty text); booleans are ``true``
and ``false``; numbers are written as Python writes them (``0.5626``, ``21``).

Formula injection. A spreadsheet runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` (or a
tab or carriage return before one) as a formula, and report titles and texts come from the
web. So a **text** cell that starts with one of those characters gets a leading ``'`` (the
spreadsheet shows the text, not a formula): ``=HYPERLINK(...)`` is written ``'=HYPERLINK(...)``.
Number and boolean columns are never changed (``-3`` stays ``-3``): the guard depends on the
column's type in ``TABLES``, not on the value. Ids are text too, and are guarded the same
way in every table, so they still join across the CSV files; only an id that starts with
one of those characters differs from its JSON Lines spelling by the leading ``'``.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from pathlib import Path

from corroborate.records import Incident, Report
from corroborate.render.tables import (
    ANNOTATIONS,
    TABLES,
    Row,
    Table,
    replacing,
    table_rows,
)

#: what a text cell may not start with, unguarded
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def guard(text: str) -> str:
    """``text`` with a leading ``'`` if a spreadsheet would read it as a formula."""
    return "'" + text if text.startswith(FORMULA_START) else text


def cell(value: object, column_type: str) -> str:
    """One CSV cell of a column of ``column_type`` (text, integer, real or boolean)."""
    if value is None:
        return ""
    if column_type == "boolean":
        return "true" if value else "false"
    if column_type == "text":
        return guard(str(value))
    return str(value)


def csv_lines(table: Table, rows: Iterable[Row]) -> Iterator[list[str]]:
    """The header, then each row as CSV cells."""
    yield table.names
    types = [(c.name, c.type) for c in table.columns]
    for row in rows:
        yield [cell(row[name], kind) for name, kind in types]


def write_table_csv(path: Path, table: Table, rows: Iterable[Row]) -> Path:
    with replacing(path) as tmp, tmp.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(csv_lines(table, rows))
    return path


def write_csv(out_dir: str | Path, reports: Iterable[Report], incidents: Iterable[Incident],
              annotations: Iterable[Row] | None = None) -> list[Path]:
    """Write ``{table}.csv`` for every table into ``out_dir`` (created if needed); return the paths.
    ``reports`` and ``incidents`` must be re-iterable (see :mod:`corroborate.render.tables`).
    ``annotations``: rows of :data:`~corroborate.render.tables.ANNOTATIONS`, written as ``annotations.csv``."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = [write_table_csv(out / f"{name}.csv", table, table_rows(name, reports, incidents))
             for name, table in TABLES.items()]
    if annotations is not None:
        paths.append(write_table_csv(out / "annotations.csv", ANNOTATIONS, annotations))
    return paths
