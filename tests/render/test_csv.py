"""CSV export: real files read back with csv.reader."""

from __future__ import annotations

import csv

import pytest
from helpers import fact, incident_of

from corroborate.render import FORMATS, export
from corroborate.render.csv import cell, guard, write_csv
from corroborate.render.tables import TABLES


def read(path):
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def records(path):
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_one_file_per_table_with_header_and_rows(csv_dir, demo, expected_rows):
    assert sorted(p.name for p in csv_dir.iterdir()) == sorted(f"{name}.csv" for name in TABLES)
    expected = expected_rows
    for name, table in TABLES.items():
        lines = read(csv_dir / f"{name}.csv")
        assert lines[0] == table.names
        assert len(lines) - 1 == expected[name], name
        assert all(len(line) == len(table.names) for line in lines)
    assert (csv_dir / "reports.csv").read_bytes()[:3] != b"\xef\xbb\xbf"  # no byte-order mark


def test_texts_round_trip_with_their_newlines(csv_dir, demo):
    rows = {row["id"]: row for row in records(csv_dir / "reports.csv")}
    for report in demo.reports:
        assert "\n" in report.text
        assert rows[report.id]["text"] == report.text
        assert rows[report.id]["title"] == report.title
        assert rows[report.id]["words"] == str(len(report.text.split()))
    assert rows["coastline-daily"]["source"] == ""  # null
    assert rows["halvard-herald"]["relevant"] == "true"


def test_a_known_fact_and_its_support(csv_dir, demo):
    market = incident_of(demo, "halvard-herald")
    killed = fact(market, "killed")
    fid = f"{market.id}#{market.facts.index(killed)}"
    row = next(r for r in records(csv_dir / "facts.csv") if r["fact_id"] == fid)
    assert (row["value"], row["status"], row["low"], row["high"]) == ("21", "conflicting", "12", "")
    assert row["confidence"] == str(killed.confidence)
    texts = {r.id: r.text for r in demo.reports}
    support = [r for r in records(csv_dir / "support.csv") if r["fact_id"] == fid]
    assert len(support) == len(killed.support) + len(killed.dissent)
    for r in support:
        assert texts[r["report_id"]][int(r["start"]):int(r["end"])] == r["text"]


def test_ids_join_across_files(csv_dir):
    facts = {r["fact_id"] for r in records(csv_dir / "facts.csv")}
    incidents = {r["id"] for r in records(csv_dir / "incidents.csv")}
    reports = {r["id"] for r in records(csv_dir / "reports.csv")}
    support = records(csv_dir / "support.csv")
    assert {r["fact_id"] for r in support} <= facts
    assert {r["report_id"] for r in support} <= reports
    assert {r["incident_id"] for r in records(csv_dir / "facts.csv")} <= incidents
    assert {r["incident_id"] for r in records(csv_dir / "reports.csv")} - {""} <= incidents


def test_formula_injection_is_guarded_in_text_columns_only(hostile, tmp_path):
    write_csv(tmp_path, *hostile)
    original = hostile[0][0]
    report = records(tmp_path / "reports.csv")[0]
    assert report["title"] == "'" + original.title == "'=HYPERLINK(\"http://evil\")"
    assert report["source"] == "'+Evil Outlet"
    assert "\r\n" in original.text and '"' in original.text
    assert report["text"] == original.text  # starts with a letter: as is, quotes, commas, LF and CRLF kept
    incident = records(tmp_path / "incidents.csv")[0]
    assert (incident["title"], incident["location"]) == ("'" + original.title, "'@night")
    facts = records(tmp_path / "facts.csv")
    assert facts[0]["value"] == "'-Gang"
    assert facts[1]["value"] == "3" and facts[1]["value_int"] == "3"
    support = records(tmp_path / "support.csv")
    assert support[0]["text"] == "'-2 degrees"
    assert support[0]["weight"] == "0.5" and support[0]["copy"] == "false" and support[1]["copy"] == "true"
    raw = (tmp_path / "reports.csv").read_text(encoding="utf-8")
    assert '"\'=HYPERLINK(""http://evil"")"' in raw  # RFC 4180: quoted, inner quotes doubled


def test_cells():
    assert [guard(t) for t in ("=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx", "a=b", "", "'x")] == [
        "'=1+1", "'+1", "'-1", "'@SUM(A1)", "'\tx", "'\rx", "a=b", "", "'x"]
    assert cell(-3, "integer") == "-3"  # numbers are never guarded
    assert cell(-0.5, "real") == "-0.5"
    assert cell("-3", "text") == "'-3"
    assert (cell(None, "text"), cell(None, "integer")) == ("", "")
    assert (cell(True, "boolean"), cell(False, "boolean")) == ("true", "false")


def test_export_dispatch(hostile, tmp_path):
    assert set(FORMATS) == {"csv", "parquet", "datasette"}
    paths = export("csv", tmp_path / "new" / "dir", *hostile)
    assert [p.name for p in paths] == [f"{name}.csv" for name in TABLES]
    assert all(p.is_file() for p in paths)
    assert not list((tmp_path / "new" / "dir").glob("*.tmp"))
    with pytest.raises(ValueError, match="unknown export format 'xlsx'"):
        export("xlsx", tmp_path, *hostile)
