"""Exports for analysts: a run's reports and incidents as flat tables joinable by id.

Six tables (:data:`corroborate.render.tables.TABLES` lists their columns, with a type and a
description each): ``reports``, ``incidents``, ``facts``, ``support`` (the passages that
support or dissent from each fact), ``counts`` and ``derivations``. Three formats:

* ``csv``: one UTF-8 CSV file per table (:func:`corroborate.render.csv.write_csv`);
* ``parquet``: one Parquet file per table (:func:`corroborate.render.parquet.write_parquet`);
* ``datasette``: a SQLite database ``corroborate.db`` and its datasette ``metadata.json``
  (:func:`corroborate.render.datasette.write_datasette`).

>>> from corroborate.render import export
>>> export("csv", "out/tables", result.reports, result.incidents)   # doctest: +SKIP

The inputs may be lists or :class:`corroborate.store.JsonlStore` views (a streamed run's
output read back from disk): every table reads them once, one record at a time, so they must
be re-iterable. Each file is written under a temporary name and renamed when complete.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from corroborate.records import Incident, Report
from corroborate.render.csv import write_csv
from corroborate.render.datasette import write_datasette
from corroborate.render.parquet import write_parquet
from corroborate.render.tables import TABLES, rows

Writer = Callable[[str | Path, Iterable[Report], Iterable[Incident]], list[Path]]

FORMATS: dict[str, Writer] = {"csv": write_csv, "parquet": write_parquet, "datasette": write_datasette}


def export(format: str, out_dir: str | Path, reports: Iterable[Report], incidents: Iterable[Incident]) -> list[Path]:
    """Write the tables in ``format`` (a key of :data:`FORMATS`) into ``out_dir``; return the files written."""
    if format not in FORMATS:
        raise ValueError(f"unknown export format {format!r}: one of {', '.join(FORMATS)}")
    return FORMATS[format](out_dir, reports, incidents)


__all__ = ["FORMATS", "TABLES", "export", "rows", "write_csv", "write_datasette", "write_parquet"]
