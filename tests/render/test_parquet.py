"""Parquet export: real files read back with pyarrow."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.parquet as pq
from helpers import fact, incident_of

from corroborate.render.parquet import write_parquet
from corroborate.render.tables import TABLES, table_rows

TYPES = {"text": pa.string(), "integer": pa.int64(), "real": pa.float64(), "boolean": pa.bool_()}


def test_schemas_are_explicit_and_typed(parquet_dir):
    assert sorted(p.name for p in parquet_dir.iterdir()) == sorted(f"{name}.parquet" for name in TABLES)
    for name, table in TABLES.items():
        schema = pq.read_schema(parquet_dir / f"{name}.parquet")
        assert schema.names == table.names
        for column in table.columns:
            field = schema.field(column.name)
            assert field.type == TYPES[column.type], f"{name}.{column.name}"
            assert field.nullable
            assert field.metadata[b"description"].decode() == column.description
        assert schema.metadata[b"table"].decode() == name
    facts = pq.read_schema(parquet_dir / "facts.parquet")
    assert (facts.field("value").type, facts.field("high").type, facts.field("confidence").type,
            facts.field("revised").type) == (pa.string(), pa.int64(), pa.float64(), pa.bool_())


def test_row_counts_and_values(parquet_dir, demo, expected_rows):
    counts = {name: pq.read_table(parquet_dir / f"{name}.parquet").num_rows for name in TABLES}
    assert counts == expected_rows
    for name in TABLES:  # the very rows of corroborate.render.tables, nulls included
        assert pq.read_table(parquet_dir / f"{name}.parquet").to_pylist() == list(table_rows(name, demo.reports, demo.incidents))
    market = incident_of(demo, "halvard-herald")
    killed = fact(market, "killed")
    facts = pq.read_table(parquet_dir / "facts.parquet").to_pylist()
    row = next(r for r in facts if r["fact_id"] == f"{market.id}#{market.facts.index(killed)}")
    assert (row["value"], row["value_int"], row["low"], row["high"], row["status"]) == ("21", 21, 12, None, "conflicting")
    reports = {r["id"]: r for r in pq.read_table(parquet_dir / "reports.parquet").to_pylist()}
    texts = {r.id: r.text for r in demo.reports}
    assert all(reports[rid]["text"] == text for rid, text in texts.items())
    for r in pq.read_table(parquet_dir / "support.parquet").to_pylist():
        assert texts[r["report_id"]][r["start"]:r["end"]] == r["text"]


def test_written_in_row_groups(demo, hostile, tmp_path):
    write_parquet(tmp_path, demo.reports, demo.incidents, row_group_size=4)
    support = pq.ParquetFile(tmp_path / "support.parquet")
    n = sum(len(f.support) + len(f.dissent) for i in demo.incidents for f in i.facts)
    assert support.metadata.num_rows == n
    assert support.metadata.num_row_groups == -(-n // 4)
    assert all(support.metadata.row_group(k).num_rows == 4 for k in range(n // 4))
    empty = pq.ParquetFile(tmp_path / "derivations.parquet")  # no rows: a valid file with the schema
    assert (empty.metadata.num_rows, empty.schema_arrow.names) == (0, TABLES["derivations"].names)
    write_parquet(tmp_path / "h", *hostile)
    reports = pq.read_table(tmp_path / "h" / "reports.parquet").to_pylist()
    assert reports[0]["title"] == '=HYPERLINK("http://evil")'  # as is: no spreadsheet guard in Parquet
    assert pq.read_table(tmp_path / "h" / "derivations.parquet").to_pylist()[0]["source_report_id"] == "hostile-1"
