"""The flat tables (corroborate.render.tables) of the demo run: every row, every id join, every
span, against the records they come from."""

from __future__ import annotations

import types

import pytest
from helpers import fact, incident_of

from corroborate.records import Incident, Report
from corroborate.render.jsonl import write_jsonl
from corroborate.render.tables import TABLES, JsonlRecords, rows, table_rows


def _all(demo, name):
    return list(table_rows(name, demo.reports, demo.incidents))


def test_tables_document_every_column():
    assert list(TABLES) == ["reports", "incidents", "facts", "support", "counts", "derivations"]
    for table in TABLES.values():
        assert table.description
        assert len(set(table.names)) == len(table.names)
        assert table.primary_key == table.names[0]
        for column in table.columns:
            assert column.type in ("text", "integer", "real", "boolean")
            assert column.description and "\n" not in column.description
        for column, target in table.foreign_keys.items():
            other, other_column = target.split(".")
            assert column in table.names
            assert TABLES[other].primary_key == other_column


def test_rows_have_the_columns_in_order(demo, hostile):
    for name, table in TABLES.items():
        found = _all(demo, name) + list(table_rows(name, *hostile))
        assert found, f"rows in {name}"
        for row in found:
            assert list(row) == table.names


def test_row_counts_equal_the_records(demo):
    assert len(_all(demo, "reports")) == len(demo.reports) == 6
    assert len(_all(demo, "incidents")) == len(demo.incidents) == 2
    assert len(_all(demo, "facts")) == sum(len(i.facts) for i in demo.incidents)
    assert len(_all(demo, "support")) == sum(len(f.support) + len(f.dissent) for i in demo.incidents for f in i.facts)
    assert len(_all(demo, "counts")) == sum(len(r.counts) for r in demo.reports)
    assert len(_all(demo, "derivations")) == sum(len(r.derived_from) for r in demo.reports)


def test_ids_are_unique_and_join(demo):
    tables = {name: _all(demo, name) for name in TABLES}
    keys = {name: [row[TABLES[name].primary_key] for row in found] for name, found in tables.items()}
    for name, ids in keys.items():
        assert len(ids) == len(set(ids)), f"{name}: duplicate ids"
    for name, table in TABLES.items():
        for column, target in table.foreign_keys.items():
            other = set(keys[target.split(".")[0]])
            values = [row[column] for row in tables[name] if row[column] is not None]
            assert set(values) <= other, f"{name}.{column} -> {target}"
    assert {row["fact_id"] for row in tables["support"]} == set(keys["facts"])  # every demo fact has support
    assert {row["incident_id"] for row in tables["facts"]} == set(keys["incidents"])


def test_reports_rows_hold_their_record(demo):
    by_id = {row["id"]: row for row in _all(demo, "reports")}
    herald = next(r for r in demo.reports if r.id == "halvard-herald")
    row = by_id["halvard-herald"]
    assert row["title"] == herald.title == "At least 12 killed as gunmen and van bomb strike Eastgate Market"
    assert row["source"] == row["outlet"] == "The Halvard Herald"
    assert row["published"] == "2026-03-14T18:05:00+00:00"
    assert row["words"] == len(herald.text.split())
    assert row["text"] == herald.text
    assert row["relevant"] is True and row["incident_probability"] == herald.incident.probability
    assert row["machine_generated"] == herald.signals.machine_generated
    assert row["incident_id"] == incident_of(demo, "halvard-herald").id
    assert row["n_counts"] == len(herald.counts) and row["n_derived_from"] == 0
    # a report without an outlet name nor a URL: the outlet is "unknown", as in sources.jsonl
    assert by_id["coastline-daily"]["source"] is None and by_id["coastline-daily"]["outlet"] == "unknown"
    # the machine-written report
    assert by_id["pulse-now-0314"]["machine_generated"] > 0.9


def test_single_source_claims_are_counted_from_the_incidents(demo):
    """Contract 2.0: a report's single-source claims are its share of its incident's
    ``single_source_claims`` (as sources.jsonl counts them); null for an incident of one report."""
    found = {row["id"]: row["single_source_claims"] for row in _all(demo, "reports")}
    market = incident_of(demo, "halvard-herald")
    assert market.single_source_claims
    for rid in market.reports:
        assert found[rid] == sum(p.report == rid for p in market.single_source_claims)
    assert found["pulse-now-0314"] > 0  # the report that makes claims no other makes
    assert found["millbrook-ferry-fire"] is None  # alone in its incident
    # the outlets' means in sources.jsonl are the means of this column
    from corroborate.assess.sources import aggregate

    rows = _all(demo, "reports")
    for source in aggregate(demo.reports, demo.incidents):
        values = [r["single_source_claims"] for r in rows if r["outlet"] == source.source and r["single_source_claims"] is not None]
        if values:
            assert source.signals["single_source_claims"] == round(sum(values) / len(values), 4)
        else:
            assert "single_source_claims" not in source.signals


def test_incidents_rows_hold_their_record(demo):
    market = incident_of(demo, "halvard-herald")
    ferry = incident_of(demo, "millbrook-ferry-fire")
    found = {row["id"]: row for row in _all(demo, "incidents")}
    row = found[market.id]
    assert (row["n_reports"], row["outlets"], row["independent_sources"]) == (5, 5, 5)
    assert (row["killed"], row["type"], row["date"]) == (21, "armed_assault", "2026-03-14")
    assert row["n_facts"] == len(market.facts)
    fire = found[ferry.id]
    assert (fire["city"], fire["region"], fire["country"]) == ("Millbrook", "Alabama", "United States")
    assert (fire["lat"], fire["lon"], fire["geonameid"]) == (ferry.place.lat, ferry.place.lon, ferry.place.geonameid)
    assert (fire["killed"], fire["injured"], fire["type"]) == (0, 3, "fire")


def test_a_known_fact_matches_its_record(demo):
    market = incident_of(demo, "halvard-herald")
    killed = fact(market, "killed")
    k = market.facts.index(killed)
    row = next(r for r in _all(demo, "facts") if r["fact_id"] == f"{market.id}#{k}")
    assert (row["slot"], row["value"], row["value_int"], row["status"]) == ("killed", "21", 21, "conflicting")
    assert (row["low"], row["high"], row["rule"]) == (killed.low, killed.high, killed.rule)
    assert (row["independent_sources"], row["confidence"]) == (killed.independent_sources, killed.confidence)
    assert (row["n_support"], row["n_dissent"]) == (len(killed.support), len(killed.dissent))
    support = [r for r in _all(demo, "support") if r["fact_id"] == row["fact_id"]]
    assert [(r["side"], r["report_id"], r["text"]) for r in support] == (
        [("support", p.report, p.text) for p in killed.support] + [("dissent", p.report, p.text) for p in killed.dissent])
    assert ("dissent", "coastline-daily", "15 people were killed") in {(r["side"], r["report_id"], r["text"]) for r in support}
    assert all(r["status"] == "conflicting" and r["slot"] == "killed" for r in support)
    perpetrator = fact(market, "perpetrator", "Black Tide Front")
    row = next(r for r in _all(demo, "facts") if r["fact_id"] == f"{market.id}#{market.facts.index(perpetrator)}")
    assert (row["value"], row["value_int"], row["qualifier"], row["status"]) == ("Black Tide Front", None, "claimed", "corroborated")


def test_spans_slice_the_report_text_exactly(demo):
    texts = {r.id: r.text for r in demo.reports}
    support = _all(demo, "support")
    counts = _all(demo, "counts")
    assert support and counts
    for row in support:
        assert texts[row["report_id"]][row["start"]:row["end"]] == row["text"]
    for row in counts:
        assert texts[row["report_id"]][row["start"]:row["end"]] == row["text"]
    by_id = {r["count_id"]: r for r in counts}
    assert by_id["halvard-herald#0"]["text"] == "At least 12 people were killed"
    assert (by_id["halvard-herald#0"]["hedge"], by_id["halvard-herald#0"]["high"]) == ("at_least", None)


def test_derivations_and_copies(hostile):
    reports, incidents = hostile
    found = list(table_rows("derivations", reports, incidents))
    assert found == [{"derivation_id": "hostile-2#0", "report_id": "hostile-2", "position": 0,
                      "source_report_id": "hostile-1", "relation": "copy", "share": 0.95, "probability": 0.99,
                      "direction": "published", "n_passages": 0}]
    support = list(table_rows("support", reports, incidents))
    assert [(r["support_id"], r["report_id"], r["copy"]) for r in support] == [
        ("inc-hostile#0/support/0", "hostile-1", False),
        ("inc-hostile#0/support/1", "hostile-2", True),  # repeats hostile-1: not counted again
        ("inc-hostile#1/support/0", "hostile-1", False),
        ("inc-hostile#1/dissent/0", "hostile-2", None),
    ]
    assert [r["n_derived_from"] for r in table_rows("reports", reports, incidents)] == [0, 1]


def test_rows_are_lazy_and_refuse_one_shot_iterators(demo):
    tables = rows(demo.reports, demo.incidents)
    assert list(tables) == list(TABLES)
    assert all(isinstance(g, types.GeneratorType) for g in tables.values())
    with pytest.raises(TypeError, match="re-iterable"):
        table_rows("facts", demo.reports, iter(demo.incidents))
    with pytest.raises(TypeError, match="re-iterable"):
        rows((r for r in demo.reports), demo.incidents)


def test_inputs_are_read_one_record_at_a_time(demo):
    """A table holds no more than one input record at a time: count how far the input iterators
    are ahead of the rows given out."""

    class Watched:
        def __init__(self, records):
            self.records, self.read = records, 0

        def __iter__(self):
            for record in self.records:
                self.read += 1
                yield record

    reports, incidents = Watched(demo.reports), Watched(demo.incidents)
    counts = table_rows("counts", reports, incidents)
    first = next(counts)
    assert reports.read == 1 and incidents.read == 0 and first["report_id"] == demo.reports[0].id
    facts = table_rows("facts", reports, incidents)
    next(facts)
    assert incidents.read == 1


def test_jsonl_records_read_a_run_back(demo, tmp_path):
    write_jsonl(tmp_path / "reports.jsonl", demo.reports)
    write_jsonl(tmp_path / "incidents.jsonl", demo.incidents)
    reports = JsonlRecords(tmp_path / "reports.jsonl", Report)
    incidents = JsonlRecords(tmp_path / "incidents.jsonl", Incident)
    for name in TABLES:
        assert list(table_rows(name, reports, incidents)) == _all(demo, name)
