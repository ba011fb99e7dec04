"""Parquet export: one file per table of :data:`corroborate.render.tables.TABLES`.

Each file has an explicit pyarrow schema built from ``TABLES`` (text: ``string``, integer:
``int64``, real: ``float64``, boolean: ``bool``; every column nullable), with each column's
description in its field metadata (``description``) and the table's in the schema metadata
(``table``, ``description``, ``contract``). Rows are written in row groups of
``row_group_size`` rows, so at most one row group is held in memory at a time. A table
without rows is a valid file with the schema and no row group.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from corroborate.records import CONTRACT_VERSION, Incident, Report
from corroborate.render.tables import (
    ANNOTATIONS,
    TABLES,
    Row,
    Table,
    replacing,
    table_rows,
)

ROW_GROUP_SIZE = 10_000

ARROW_TYPES: dict[str, pa.DataType] = {
    "text": pa.string(),
    "integer": pa.int64(),
    "real": pa.float64(),
    "boolean": pa.bool_(),
}


def schema(table: Table) -> pa.Schema:
    """The Arrow schema of ``table``: its columns in order, typed, nullable, described."""
    fields = [pa.field(c.name, ARROW_TYPES[c.type], nullable=True, metadata={"description": c.description})
              for c in table.columns]
    return pa.schema(fields, metadata={"table": table.name, "description": table.description,
                                       "contract": CONTRACT_VERSION})


def batches(rows: Iterable[Row], size: int) -> Iterator[list[Row]]:
    """``rows`` in lists of ``size`` (the last one shorter)."""
    iterator = iter(rows)
    while batch := list(islice(iterator, size)):
        yield batch


def write_table_parquet(path: Path, table: Table, rows: Iterable[Row], row_group_size: int = ROW_GROUP_SIZE) -> Path:
    arrow_schema = schema(table)
    with replacing(path) as tmp, pq.ParquetWriter(tmp, arrow_schema) as writer:
        for batch in batches(rows, row_group_size):
            writer.write_batch(pa.RecordBatch.from_pylist(batch, schema=arrow_schema), row_group_size=row_group_size)
    return path


def write_parquet(out_dir: str | Path, reports: Iterable[Report], incidents: Iterable[Incident],
                  annotations: Iterable[Row] | None = None, *, row_group_size: int = ROW_GROUP_SIZE) -> list[Path]:
    """Write ``{table}.parquet`` for every table into ``out_dir`` (created if needed); return the
    paths. ``reports`` and ``incidents`` must be re-iterable (see :mod:`corroborate.render.tables`)."""
    if row_group_size < 1:
        raise ValueError("row_group_size must be at least 1")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = [write_table_parquet(out / f"{name}.parquet", table, table_rows(name, reports, incidents), row_group_size)
             for name, table in TABLES.items()]
    if annotations is not None:  # rows of ANNOTATIONS (a store's export)
        paths.append(write_table_parquet(out / "annotations.parquet", ANNOTATIONS, annotations, row_group_size))
    return paths
