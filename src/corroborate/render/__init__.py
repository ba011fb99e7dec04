"""Renderers: a run's reports and incidents written out, for people and for programs.

**A run's output folder** (:mod:`corroborate.render.outputs`): ``reports.jsonl``,
``incidents.jsonl`` and ``sources.jsonl`` (one JSON object per line, validated by
``schemas/*.schema.json``), ``report.md`` (:mod:`~corroborate.render.markdown`) and
``report.html`` (:mod:`~corroborate.render.html`, plus ``report-pages/`` for a large run).
Every writer streams: a run's reports and incidents may be
:class:`corroborate.spill.JsonlSpill` views read back from disk, and none of the documents is
held whole in memory. ``corroborate run`` never writes into ``--out`` directly: see
:class:`StagedOutput`.

**Exports for analysts** (:func:`export`): six flat tables joinable by id
(:data:`corroborate.render.tables.TABLES` lists their columns, with a type and a description
each): ``reports``, ``incidents``, ``facts``, ``support`` (the passages that support or
dissent from each fact), ``counts`` and ``derivations``, in one of three formats:

* ``csv``: one UTF-8 CSV file per table (:func:`corroborate.render.csv.write_csv`);
* ``parquet``: one Parquet file per table (:func:`corroborate.render.parquet.write_parquet`);
* ``datasette``: a SQLite database ``corroborate.db`` and its datasette ``metadata.json``
  (:func:`corroborate.render.datasette.write_datasette`).

>>> from corroborate.render import export
>>> export("csv", "out/tables", result.reports, result.incidents)   # doctest: +SKIP

The export inputs must be re-iterable: every table reads them once, one record at a time.
Each file is written under a temporary name and renamed when complete. A format's module
(pyarrow for Parquet) is imported only when that format is asked for.
"""

from __future__ import annotations

from collections.abc import Iterable
from importlib import import_module
from pathlib import Path

from corroborate.records import Incident, Report
from corroborate.render.outputs import (
    LEGACY_OUTPUT_FILES,
    OUTPUT_FILES,
    OutputError,
    StagedOutput,
    check_out,
    output_kind,
    write_documents,
    write_marker,
    write_outputs,
)

#: each export format, and the module and function that write it
FORMATS: dict[str, tuple[str, str]] = {
    "csv": ("corroborate.render.csv", "write_csv"),
    "parquet": ("corroborate.render.parquet", "write_parquet"),
    "datasette": ("corroborate.render.datasette", "write_datasette"),
}


def export(format: str, out_dir: str | Path, reports: Iterable[Report], incidents: Iterable[Incident],
           annotations: Iterable | None = None) -> list[Path]:
    """Write the tables in ``format`` (a key of :data:`FORMATS`) into ``out_dir``; return the files
    written. ``annotations``: rows of :data:`corroborate.render.tables.ANNOTATIONS` (a store's
    export), written as a seventh table."""
    if format not in FORMATS:
        raise ValueError(f"unknown export format {format!r}: one of {', '.join(FORMATS)}")
    module, name = FORMATS[format]
    writer = getattr(import_module(module), name)
    return writer(out_dir, reports, incidents, annotations)


__all__ = ["FORMATS", "LEGACY_OUTPUT_FILES", "OUTPUT_FILES", "OutputError", "StagedOutput", "check_out", "export",
           "output_kind", "write_documents", "write_marker", "write_outputs"]
