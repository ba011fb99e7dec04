"""Datasette export: the SQLite file, its metadata.json, and a real datasette serving them."""

from __future__ import annotations

import contextlib
import importlib.util
import json
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from collections import Counter

import pytest
from helpers import fact, incident_of

from corroborate.render.datasette import FACETS, write_datasette
from corroborate.render.tables import TABLES


@pytest.fixture
def db(datasette_dir):
    con = sqlite3.connect(f"file:{datasette_dir / 'corroborate.db'}?mode=ro", uri=True)
    yield con
    con.close()


def test_tables_columns_and_row_counts(db, demo, expected_rows):
    names = {row[0] for row in db.execute("select name from sqlite_master where type = 'table'")}
    assert set(TABLES) <= names and "reports_fts" in names
    expected = expected_rows
    types = {"text": "TEXT", "integer": "INTEGER", "real": "REAL", "boolean": "INTEGER"}
    for name, table in TABLES.items():
        info = db.execute(f'pragma table_info("{name}")').fetchall()  # cid, name, type, notnull, default, pk
        assert [(c[1], c[2]) for c in info] == [(c.name, types[c.type]) for c in table.columns]
        assert [c[1] for c in info if c[5]] == [table.primary_key]
        assert db.execute(f'select count(*) from "{name}"').fetchone()[0] == expected[name]


def test_foreign_keys_are_declared_and_hold(db):
    for name, table in TABLES.items():
        declared = {(row[3], f"{row[2]}.{row[4]}") for row in db.execute(f'pragma foreign_key_list("{name}")')}
        assert declared == set(table.foreign_keys.items())
    assert db.execute("pragma foreign_key_check").fetchall() == []
    joined = db.execute('select count(*) from support s join facts f using (fact_id) join reports r on r.id = s.report_id '
                        'join incidents i on i.id = s.incident_id').fetchone()[0]
    assert joined == db.execute("select count(*) from support").fetchone()[0]


def test_indexes_on_ids_and_facets(db):
    indexed = set(db.execute(
        "select m.name, ii.name from sqlite_master m, pragma_index_list(m.name) i, pragma_index_info(i.name) ii "
        "where m.type = 'table'"))
    for column in ("status", "slot", "incident_id"):
        assert ("facts", column) in indexed
    for column in ("status", "side", "fact_id", "report_id", "incident_id"):
        assert ("support", column) in indexed
    for column in ("outlet", "published", "incident_id"):
        assert ("reports", column) in indexed
    assert ("incidents", "date") in indexed and ("counts", "report_id") in indexed


def test_values_and_spans(db, demo):
    market = incident_of(demo, "halvard-herald")
    killed = fact(market, "killed")
    fid = f"{market.id}#{market.facts.index(killed)}"
    assert db.execute("select value, value_int, status, high, revised from facts where fact_id = ?", (fid,)).fetchone() == (
        "21", 21, "conflicting", None, 0)
    rows = db.execute('select s.start, s."end", s.text, r.text from support s join reports r on r.id = s.report_id').fetchall()
    assert rows and all(text[start:end] == piece for start, end, piece, text in rows)


def test_full_text_search_over_reports(db):
    hits = {row[0] for row in db.execute(
        "select id from reports where rowid in (select rowid from reports_fts where reports_fts match 'ferry')")}
    assert hits == {"millbrook-ferry-fire"}
    titled = {row[0] for row in db.execute(
        "select id from reports where rowid in (select rowid from reports_fts where reports_fts match 'title:tragedy')")}
    assert titled == {"pulse-now-0314"}


def test_metadata_json(datasette_dir):
    meta = json.loads((datasette_dir / "metadata.json").read_text(encoding="utf-8"))
    assert meta["title"] and meta["description"] and meta["license"]
    tables = meta["databases"]["corroborate"]["tables"]
    assert set(tables) == set(TABLES)
    assert tables["facts"]["facets"] == ["status", "slot"]
    assert tables["support"]["facets"] == ["status", "side"]
    assert tables["reports"]["facets"] == ["outlet", {"date": "published"}]
    assert tables["incidents"]["facets"] == ["date"]
    assert (tables["reports"]["fts_table"], tables["reports"]["fts_pk"]) == ("reports_fts", "rowid")
    for name, table in TABLES.items():
        assert tables[name]["description"] == table.description
        assert tables[name]["columns"] == {c.name: c.description for c in table.columns}
        assert tables[name]["facets"] == FACETS[name]


def test_rewriting_replaces_the_database(hostile, tmp_path):
    write_datasette(tmp_path, *hostile)
    paths = write_datasette(tmp_path, *hostile)  # again, over the first
    assert [p.name for p in paths] == ["corroborate.db", "metadata.json"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["corroborate.db", "metadata.json"]
    con = sqlite3.connect(paths[0])
    try:
        assert con.execute("select title, source from reports where id = 'hostile-1'").fetchone() == (
            '=HYPERLINK("http://evil")', "+Evil Outlet")  # as is: SQL values are not formulas
        assert con.execute("select count(*) from derivations").fetchone()[0] == 1
        assert con.execute("select copy from support where support_id = 'inc-hostile#0/support/1'").fetchone() == (1,)
    finally:
        con.close()


# A real datasette ----------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.load(response)


@contextlib.contextmanager
def serving(folder):
    port = _free_port()
    command = [sys.executable, "-m", "datasette", "serve", str(folder / "corroborate.db"),
               "--metadata", str(folder / "metadata.json"), "--host", "127.0.0.1", "--port", str(port)]
    server = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                _get(base + "/-/versions.json")
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    output = server.stdout.read().decode() if server.poll() is not None else ""
                    pytest.fail(f"datasette did not start: {output}")
                time.sleep(0.2)
        yield base
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        server.stdout.close()


@pytest.mark.skipif(importlib.util.find_spec("datasette") is None, reason="needs datasette (the test extra)")
def test_a_real_datasette_serves_the_export_with_its_facets(datasette_dir, demo):
    facts = [f for i in demo.incidents for f in i.facts]
    with serving(datasette_dir) as base:
        page = _get(base + "/corroborate/facts.json?_facet=status&_shape=objects")
        facets = {r["value"]: r["count"] for r in page["facet_results"]["status"]["results"]}
        assert facets == dict(Counter(f.status for f in facts))
        assert {r["value"]: r["count"] for r in page["facet_results"]["slot"]["results"]} == dict(Counter(f.slot for f in facts))
        assert page["filtered_table_rows_count"] == len(facts)
        assert {row["fact_id"] for row in page["rows"]} == {f"{i.id}#{k}" for i in demo.incidents for k in range(len(i.facts))}
        side = _get(base + "/corroborate/support.json?_shape=objects&_size=0")["facet_results"]["side"]["results"]
        assert {r["value"]: r["count"] for r in side} == {
            "support": sum(len(f.support) for f in facts), "dissent": sum(len(f.dissent) for f in facts)}
        found = _get(base + "/corroborate/reports.json?_search=ferry&_shape=objects")
        assert [row["id"] for row in found["rows"]] == ["millbrook-ferry-fire"]
        published = _get(base + "/corroborate/reports.json?_size=0")["facet_results"]["published"]
        assert published["type"] == "date"
        assert {r["value"]: r["count"] for r in published["results"]} == dict(
            Counter(r.published[:10] for r in demo.reports if r.published))
