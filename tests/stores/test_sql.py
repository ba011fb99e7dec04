"""SqlStore on real databases: every test runs on SQLite (a file in tmp_path) and on PostgreSQL
(a fresh database made for this session on 127.0.0.1:5432, dropped at the end).

PostgreSQL tests skip when the server is not reachable, and fail instead when
CORROBORATE_REQUIRE_POSTGRES=1 (CI). CORROBORATE_TEST_POSTGRES overrides the admin URL.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import signal
import subprocess
import sys
import threading
import time

import pytest
import sqlalchemy as sa

from corroborate.records import Incident, Report
from corroborate.stores import (
    SNIPPET_START,
    Store,
    StoreError,
    content_hash,
    fts5_query,
    open_store,
)
from corroborate.stores import sql as sqlstore

BACKENDS = ["sqlite", "postgresql"]  # the fixtures (url, store, pg_database) are in conftest.py
HEAD = "0004"


def report(rid: str, text: str, **fields) -> Report:
    return Report(id=rid, origin=f"{rid}.txt", text=text, **fields)


def pairs(*reports: Report) -> list[tuple[Report, str]]:
    return [(r, r.model_dump_json()) for r in reports]


def incident(iid: str, reports: list[str], title: str | None = None) -> tuple[Incident, str]:
    record = Incident(id=iid, reports=reports, title=title, date="2026-03-14", location="Eastgate")
    return record, record.model_dump_json()


def backend(url: str) -> str:
    return "sqlite" if url.startswith("sqlite") else "postgresql"


def execute(store: sqlstore.SqlStore, statement: str) -> None:
    with store.engine.begin() as conn:
        conn.exec_driver_sql(statement)


# -- opening and the schema ---------------------------------------------------------------------
def test_upgrade_an_empty_database_then_reopen(url):
    with pytest.raises(StoreError, match="no corroborate schema: run `corroborate db upgrade --db "):
        open_store(url, create=False)
    with open_store(url, check=False) as store:
        assert store.revision() is None
        store.upgrade()
        assert store.revision() == store.head() == HEAD
        store.upgrade()  # at head: nothing to do
        assert store.revision() == HEAD
    with open_store(url, create=False) as store:  # reopening checks and passes
        assert store.revision() == HEAD
        assert isinstance(store, Store)
        assert store.count_reports() == 0


def test_a_schema_not_at_head_is_a_clear_error(store, url):
    store.add_reports(pairs(report("a", "kept")))
    execute(store, f"UPDATE {sqlstore.VERSION_TABLE} SET version_num = 'f00dfeed'")
    with pytest.raises(StoreError) as unknown:
        open_store(url)
    message = str(unknown.value)
    assert "'f00dfeed'" in message and "does not know" in message and f"needs '{HEAD}'" in message
    assert f"`corroborate db upgrade --db {store.url}`" in message

    execute(store, f"DELETE FROM {sqlstore.VERSION_TABLE}")
    with pytest.raises(StoreError, match="corroborate tables but no schema revision"):
        open_store(url)
    with open_store(url, check=False) as raw:
        assert raw.revision() is None
        raw.reset()
        assert raw.revision() == HEAD
    with open_store(url) as reopened:
        assert reopened.count_reports() == 0  # reset dropped everything


@pytest.mark.parametrize("kind", BACKENDS)
def test_bad_urls_and_unreachable_databases_are_one_clear_error(kind, tmp_path, request):
    if kind == "sqlite":
        missing = tmp_path / "no" / "such" / "dir" / "x.db"
        with pytest.raises(StoreError, match=f"cannot open sqlite:///{missing}: directory .* does not exist"):
            open_store(f"sqlite:///{missing}")
        garbage = tmp_path / "garbage.db"
        garbage.write_bytes(b"this is not a database" * 100)
        with pytest.raises(StoreError, match=f"cannot connect to sqlite:///{garbage}: .*not a database"):
            open_store(f"sqlite:///{garbage}")
        with pytest.raises(StoreError, match="unsupported database URL mysql://u:\\*\\*\\*@h/db"):
            open_store("mysql://u:s3cret@h/db")
        with pytest.raises(StoreError, match="not a database URL"):
            open_store("no url at all")
        return
    with pytest.raises(StoreError) as refused:
        open_store("postgresql://corr:s3cret@127.0.0.1:1/nowhere")
    assert str(refused.value).startswith("cannot connect to postgresql://corr:***@127.0.0.1:1/nowhere: ")
    assert "s3cret" not in str(refused.value)
    admin = sa.make_url(request.getfixturevalue("pg_admin"))
    missing_db = admin.set(password="s3cret", database=f"corroborate_missing_{secrets.token_hex(4)}")
    with pytest.raises(StoreError, match="does not exist") as absent:
        open_store(missing_db.render_as_string(hide_password=False))
    assert "s3cret" not in str(absent.value) and "***" in str(absent.value)


def test_the_query_tables_match_what_the_migrations_create(store):
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    with store.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diffs = compare_metadata(context, sqlstore.metadata)
    made_by_hand = ("reports_fts", sqlstore.VERSION_TABLE, "ix_report_versions_tsv", "tsv", "ix_runs_status")
    unexpected = [diff for diff in diffs if not any(name in repr(diff) for name in made_by_hand)]
    assert unexpected == []


# -- reports and their versions -----------------------------------------------------------------
def test_the_same_report_twice_is_unchanged(store):
    a, b = report("a", "Two people were hurt."), report("b", "A fire broke out.")
    first = store.add_reports(pairs(a, b))
    assert (first.added, first.unchanged, first.versioned) == (["a", "b"], [], [])
    again = store.add_reports(pairs(a, b))
    assert (again.added, again.unchanged, again.versioned) == ([], ["a", "b"], [])
    analysed = a.model_copy(update={"language": "en"})  # analysis is not part of a report's identity
    assert content_hash(analysed) == content_hash(a)
    assert store.add_reports(pairs(analysed)).unchanged == ["a"]
    assert store.count_reports() == 2
    assert store.versions("a") == [1] and store.versions("nope") == []
    assert list(store.report_lines()) == [a.model_dump_json(), b.model_dump_json()]  # the first line is kept


def test_new_content_is_a_new_version_and_keeps_its_place(store):
    a, b, c = report("a", "First."), report("b", "Three were killed.", title="Attack"), report("c", "Third.")
    store.add_reports(pairs(a, b, c))
    b2 = b.model_copy(update={"text": "Four were killed, police said."})
    result = store.add_reports(pairs(b2))
    assert (result.added, result.unchanged, result.versioned) == ([], [], ["b"])
    assert store.versions("b") == [1, 2]
    assert store.report("b") == b2 and store.report("b", version=2) == b2 and store.report("b", version=1) == b
    assert store.report("b", version=3) is None and store.report("zz") is None
    assert [r.id for r in store.reports()] == ["a", "b", "c"]
    assert list(store.report_lines()) == [a.model_dump_json(), b2.model_dump_json(), c.model_dump_json()]
    assert store.count_reports() == 3

    b3 = b2.model_copy(update={"title": "Attack on market"})  # a new title is new content too
    back = b.model_copy()  # and returning to an old content is a version of its own
    assert store.add_reports(pairs(b3)).versioned == ["b"]
    assert store.add_reports(pairs(back)).versioned == ["b"]
    assert store.versions("b") == [1, 2, 3, 4]
    assert store.report("b") == b and store.report("b", 3) == b3
    mixed = store.add_reports(pairs(report("d", "New."), a, b2))  # one call, three outcomes
    assert (mixed.added, mixed.unchanged, mixed.versioned) == (["d"], ["a"], ["b"])
    assert [r.id for r in store.reports()] == ["a", "b", "c", "d"]


def test_content_hash_is_sha256_of_the_canonical_input_fields(store):
    r = report("h", "Zürich – “quoted”", title="T", url="https://x.test/a", published="2026-03-14", source="X")
    canonical = ('{"published":"2026-03-14","source":"X","text":"Zürich – “quoted”","title":"T",'
                 '"url":"https://x.test/a"}')
    assert content_hash(r) == hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    assert content_hash(r.model_copy(update={"origin": "elsewhere", "byline": "B"})) == content_hash(r)
    assert content_hash(r.model_copy(update={"url": None})) != content_hash(r)
    store.add_reports(pairs(r))
    with store.engine.connect() as conn:
        stored = conn.execute(sa.select(sqlstore.reports.c.content_hash)).scalar_one()
    assert stored == content_hash(r)


def test_report_lines_are_the_lines_given_in_first_ingest_order(store):
    reports = [report(f"id-{n:04d}", f"Report {n}: Zürich – “quoted” \\ \"esc\" 🚒\nline two.",
                      title=None if n % 3 else f"Title {n}") for n in reversed(range(1100))]
    reports[5] = reports[5].model_copy(update={"text": "A NUL \x00 inside (PostgreSQL text cannot hold it)."})
    # lines as some other writer made them: escaped non-ASCII, different key order, extra spaces
    lines = [json.dumps(r.model_dump(), sort_keys=True, ensure_ascii=True, indent=None) + " " for r in reports]
    result = store.add_reports(zip(reports, lines, strict=True))
    assert len(result.added) == 1100
    got = list(store.report_lines())  # 1100 lines: three pages
    assert got == lines
    assert [r.id for r in store.reports()] == [r.id for r in reports]
    assert store.count_reports() == 1100


# -- incidents ----------------------------------------------------------------------------------
def test_replace_incidents_upserts_deletes_and_keeps_order(store):
    store.add_reports(pairs(*(report(rid, f"Text {rid}.") for rid in "abcdef")))
    i1, i2, i3 = incident("i1", ["a", "b"], "One"), incident("i2", ["c"], "Two"), incident("i3", ["d", "e"])
    store.replace_incidents([i1, i2, i3])
    assert [i.id for i in store.incidents()] == ["i1", "i2", "i3"]
    assert list(store.incident_lines()) == [i1[1], i2[1], i3[1]]
    assert store.incident_of(["a", "b", "c", "d", "e", "f"]) == {"a": "i1", "b": "i1", "c": "i2", "d": "i3", "e": "i3"}

    i1b = incident("i1", ["b", "f"], "One, updated")  # an update keeps i1 first
    i4 = incident("i4", ["a"], "Four")
    store.replace_incidents([i4, i1b], removed=["i2"])
    assert [i.id for i in store.incidents()] == ["i1", "i3", "i4"]
    assert store.incident("i1") == i1b[0] and store.incident("i2") is None
    assert list(store.incident_lines()) == [i1b[1], i3[1], i4[1]]
    assert store.incident_of(["a", "b", "c", "f"]) == {"a": "i4", "b": "i1", "f": "i1"}
    with store.engine.connect() as conn:
        rows = conn.execute(sa.select(sqlstore.incident_reports).order_by("incident_id", "position")).all()
        columns = conn.execute(sa.select(sqlstore.incidents.c.id, sqlstore.incidents.c.title,
                                         sqlstore.incidents.c.date, sqlstore.incidents.c.location)
                               .where(sqlstore.incidents.c.id == "i1")).one()
    assert [tuple(r) for r in rows] == [("i1", 0, "b"), ("i1", 1, "f"), ("i3", 0, "d"), ("i3", 1, "e"), ("i4", 0, "a")]
    assert tuple(columns) == ("i1", "One, updated", "2026-03-14", "Eastgate")
    with pytest.raises(ValueError, match="both replaced and removed"):
        store.replace_incidents([i4], removed=["i4"])
    store.replace_incidents([], removed=["i1", "i3", "i4", "never-there"])
    assert list(store.incidents()) == [] and store.incident_of(["a", "b"]) == {}


# -- runs ---------------------------------------------------------------------------------------
def test_runs_record_their_start_end_and_status(store):
    run_id = store.begin_run(["examples/demo", "more.jsonl"])
    run = store.run(run_id)
    assert run is not None and run.status == "running" and run.finished_at is None
    assert run.inputs == ["examples/demo", "more.jsonl"] and run.pid == os.getpid()
    assert store.stale_runs() == []  # this process is alive
    store.finish_run(run_id, "done", added=3, unchanged=2, versioned=1)
    run = store.run(run_id)
    assert run is not None and (run.status, run.added, run.unchanged, run.versioned) == ("done", 3, 2, 1)
    assert run.finished_at is not None and run.finished_at >= run.started_at
    with pytest.raises(ValueError, match="'done' or 'failed'"):
        store.finish_run(run_id, "running", 0, 0, 0)
    with pytest.raises(StoreError, match="no run 999"):
        store.finish_run(999, "failed", 0, 0, 0)
    old = store.begin_run([])
    assert [r.id for r in store.stale_runs(max_age=sqlstore.timedelta(seconds=-1))] == [old]


# -- full-text search ---------------------------------------------------------------------------
SEARCH_CORPUS = [
    report("flood-1", "The flood reached the valley overnight. Flood defences failed as the flood rose.",
           title="Flood swamps valley town"),
    report("fire-1", "A fire destroyed a warehouse near the docks; firefighters said nobody was hurt. "
           "Residents nearby reported a smell of smoke, and a minor flood from the hoses in the basement.",
           title="Warehouse fire"),
    report("crash-1", "Two trains collided outside the station, injuring dozens of passengers.", title="Train crash"),
    report("quake-1", "An earthquake shook the coastal city, damaging bridges.", title="Earthquake"),
    report("storm-1", "Heavy winds tore roofs off houses in the northern district.", title="Storm damage"),
]


def test_search_finds_title_and_text_words_and_ranks(store):
    store.add_reports(pairs(*SEARCH_CORPUS))
    hits = store.search_reports("flood")
    assert [h[0] for h in hits] == ["flood-1", "fire-1"]  # three floods and a title beat one in passing
    assert hits[0][1] == "Flood swamps valley town"
    assert SNIPPET_START in hits[0][2] and "flood" in hits[0][2].lower()
    assert [h[0] for h in store.search_reports("Earthquake")] == ["quake-1"]  # a title word
    assert [h[0] for h in store.search_reports("collided passengers")] == ["crash-1"]  # text words, stemmed
    assert [h[0] for h in store.search_reports('"northern district"')] == ["storm-1"]
    assert sorted(h[0] for h in store.search_reports("earthquake or storm")) == ["quake-1", "storm-1"]
    assert [h[0] for h in store.search_reports("flood -warehouse")] == ["flood-1"]
    assert len(store.search_reports("flood", limit=1)) == 1
    assert store.search_reports("volcano") == [] and store.search_reports("   ") == []


def test_search_follows_new_versions(store):
    store.add_reports(pairs(*SEARCH_CORPUS))
    quake = SEARCH_CORPUS[3]
    store.add_reports(pairs(quake.model_copy(update={"text": "A tremor rattled windows; no damage.",
                                                     "title": "Tremor felt"})))
    assert store.search_reports("earthquake") == []  # the old version is out of the index
    assert [h[0] for h in store.search_reports("tremor")] == ["quake-1"]
    if store.dialect == "sqlite":
        execute(store, "INSERT INTO reports_fts(reports_fts) VALUES ('integrity-check')")


@pytest.mark.parametrize("query", ['"', 'NEAR(', '*', "'; DROP TABLE reports; --", 'flood"', 'title:flood',
                                   '"flood', "AND OR NOT", "-", "^flood", "flood*", "(flood",
                                   "' OR 1=1 --", "\\", "%", "_", "\x00"])
def test_hostile_search_queries_do_not_raise(store, query):
    store.add_reports(pairs(*SEARCH_CORPUS))
    hits = store.search_reports(query)
    assert isinstance(hits, list)
    if query in ('flood"', '"flood', "^flood", "flood*", "(flood"):  # flood is its only word
        assert "flood-1" in [h[0] for h in hits]
    assert store.count_reports() == len(SEARCH_CORPUS)  # nothing dropped


def test_fts5_queries_quote_every_word():
    assert fts5_query("flood") == '"flood"'
    assert fts5_query('NEAR(a b) title:x*') == '"NEAR a" AND "b" AND "title x"'  # a token's words: a phrase
    assert fts5_query('"two words" or fire -smoke') == '"two words" OR "fire" NOT "smoke"'
    assert fts5_query('"') is None and fts5_query("-alone") is None and fts5_query("or") is None


# -- concurrency and crashes (real OS processes) ------------------------------------------------
WRITER = """
import json, sys, time
from corroborate.records import Report
from corroborate.stores import open_store

url, first, stop, step, go = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5])
reports = [Report(id=f"r{i:03d}", origin="shared", title=f"Report {i}", text=f"Text of report {i}.")
           for i in range(first, stop, step)]
store = open_store(url)
time.sleep(max(0.0, go - time.time()))
totals = {"added": [], "unchanged": [], "versioned": []}
for start in range(0, len(reports), 50):
    result = store.add_reports((r, r.model_dump_json()) for r in reports[start:start + 50])
    for key in totals:
        totals[key] += getattr(result, key)
store.close()
print(json.dumps(totals))
"""


def test_two_processes_adding_overlapping_reports(store, url):
    go = time.time() + 3.0  # both start writing at once
    # 200 each, 100 shared (r100-r199); the second walks them backwards, so locks cross
    args = [("0", "200", "1"), ("299", "99", "-1")]
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, url, *a, str(go)], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for a in args]
    outputs = [p.communicate(timeout=60) for p in procs]
    for proc, (out, err) in zip(procs, outputs, strict=True):
        assert proc.returncode == 0, err
    first, second = (json.loads(out) for out, _ in outputs)
    expected = {f"r{i:03d}" for i in range(300)}
    assert set(first["added"]) | set(second["added"]) == expected
    assert not set(first["added"]) & set(second["added"])
    assert len(first["unchanged"]) + len(second["unchanged"]) == 100
    assert first["versioned"] == second["versioned"] == []
    assert store.count_reports() == 300
    assert {r.id for r in store.reports()} == expected
    with store.engine.connect() as conn:
        versions = conn.execute(sa.select(sa.func.count(), sa.func.max(sqlstore.report_versions.c.version))
                                .select_from(sqlstore.report_versions)).one()
    assert tuple(versions) == (300, 1)
    assert [h[0] for h in store.search_reports("report 150")] == ["r150"]


KILLED = """
import sys, time
from sqlalchemy import event
from corroborate.records import Report
from corroborate.stores import open_store

store = open_store(sys.argv[1])
print(store.begin_run(["killed"]), flush=True)
statements = 0

@event.listens_for(store.engine, "before_cursor_execute")
def pause_inside(*args):
    global statements
    statements += 1
    if statements == 1500:  # a few hundred reports into the transaction
        print("inside", flush=True)
        time.sleep(120)

reports = [Report(id=f"k{i:05d}", origin="big", text=f"Killed batch report number {i}.") for i in range(3000)]
store.add_reports((r, r.model_dump_json()) for r in reports)
print("finished", flush=True)
"""


def test_a_writer_killed_inside_add_reports_changes_nothing(store, url):
    before = [report("keep-1", "Kept before the crash."), report("keep-2", "Also kept.")]
    store.add_reports(pairs(*before))
    proc = subprocess.Popen([sys.executable, "-c", KILLED, url], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    guard = threading.Timer(60, proc.kill)
    guard.start()
    try:
        run_id = int(proc.stdout.readline())
        assert proc.stdout.readline().strip() == "inside", proc.stderr.read()
        assert store.count_reports() == 2  # the open transaction is not visible
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    finally:
        guard.cancel()
    assert proc.returncode == -signal.SIGKILL
    with open_store(url) as reopened:
        assert reopened.count_reports() == 2
        assert list(reopened.report_lines()) == [r.model_dump_json() for r in before]
        assert [h[0] for h in reopened.search_reports("crash")] == ["keep-1"]
        assert reopened.search_reports("killed batch") == []
        assert [r.id for r in reopened.stale_runs()] == [run_id]  # left 'running' by a dead process
        again = [report(f"k{i:05d}", f"Killed batch report number {i}.") for i in range(100)]
        assert len(reopened.add_reports(pairs(*again)).added) == 100  # its row locks are gone
        assert reopened.count_reports() == 102
        reopened.finish_run(run_id, "failed", 0, 0, 0)
        assert reopened.stale_runs() == []
        if reopened.dialect == "sqlite":
            with reopened.engine.connect() as conn:
                assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
                assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            execute(reopened, "INSERT INTO reports_fts(reports_fts) VALUES ('integrity-check')")


def test_processes_opening_a_new_database_at_once_all_find_its_schema(url):
    """Each process opening an empty database creates the schema or finds it made by another
    (it once failed with "tables but no schema revision" when the other committed between
    its two reads)."""
    import subprocess
    import sys

    code = ("import sys\nfrom corroborate.stores import open_store\n"
            "with open_store(sys.argv[1]) as store:\n    print(store.revision())\n")
    for _ in range(3):
        with open_store(url, check=False) as store:
            store.drop()
        procs = [subprocess.Popen([sys.executable, "-c", code, url], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for _ in range(4)]
        outs = [p.communicate(timeout=120) for p in procs]
        assert [(p.returncode, out.strip()) for p, (out, _) in zip(procs, outs)] == [(0, HEAD)] * 4, [e for _, e in outs]
