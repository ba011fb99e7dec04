"""The columns incidents are browsed by, on both databases: filled when an incident is stored, and
filled from the stored lines when an older store (revision 0003) is upgraded."""

from __future__ import annotations

import json

from corroborate.stores import browse, open_store
from corroborate.stores.sql import incident_columns

EASTGATE, CALDERA = "inc-2ada39a6589a", "inc-2696c109e3a3"


def test_columns_from_the_record(demo_records):
    _, incidents = demo_records
    eastgate = next(i for i, _ in incidents if i.id == EASTGATE)
    columns = incident_columns(eastgate)
    assert (columns["type"], columns["killed"], columns["injured"], columns["n_reports"]) == ("armed_assault", 21, 57, 5)
    assert columns["status"] == "conflicting" and columns["statuses"].startswith("|conflicting|")
    assert columns["n_outlets"] == eastgate.outlets and columns["n_independent"] == len(eastgate.source_groups)
    assert "eastgate market" in columns["place"].split("|")


def test_upgrading_a_0003_store_fills_the_columns(filled):
    with open_store(filled) as store:
        before = browse.find_incidents(store, sort="-killed")
        from alembic import command

        with store.engine.begin() as conn:
            command.downgrade(store._alembic(conn), "0003")
        assert store.revision() == "0003"
        store.upgrade()
        assert store.revision() == "0004"
        after = browse.find_incidents(store, sort="-killed")
    assert after == before and [row.id for row in after.items] == [EASTGATE, CALDERA]
    assert after.items[0].killed == 21 and after.items[1].type == "fire"


def test_search_takes_any_text_safely(filled):
    with open_store(filled) as store:
        for q in ('"', "'", "-", "AND OR NOT", "%", "_", "\\", "a\x00b", "(((", "*", "NEAR(", "😀", " "):
            page = browse.find_incidents(store, browse.IncidentFilter(q=q, place=q))
            assert page.total >= 0
        assert browse.find_incidents(store, browse.IncidentFilter(place="%")).total == 0  # a literal %


UPDATE = ("PORT HALVARD - The death toll from Saturday's attack on the Eastgate Market in Port Halvard rose to 21 "
          "on Monday, police said. Six suspects remain in custody, officials said.")


def test_query_words_and_nearby_incidents(filled):
    words = browse.query_words("The Port Halvard police said the Eastgate Market attack killed 21 people on Monday.")
    assert words[:5] == ["port", "halvard", "eastgate", "market", "monday"] and "the" not in words
    with open_store(filled) as store:
        assert browse.nearby_incidents(store, [UPDATE]) >= {EASTGATE}
        assert CALDERA in browse.nearby_incidents(store, ["Crew treated after fire on MV Caldera at Millbrook pier"])
        assert browse.nearby_incidents(store, ["zzyzx qwerty"]) == set()


def test_a_run_against_nearby_incidents_leaves_the_others_as_they_were(filled, tmp_path):
    from corroborate.records import Incident, Report
    from corroborate.settings import Settings
    from corroborate.stores.run import run_into_store

    other = Report(id="ash", text="Volcanic ash grounded flights over Reykjavik for a third day.", origin="ash.txt")
    apart = Incident(id="inc-ash", reports=["ash"], title="Ash cloud", date=None, location="Reykjavik")
    record = {"text": UPDATE, "title": "Eastgate toll at 21", "source": "Test Wire", "published": "2026-03-16"}
    (tmp_path / "update.jsonl").write_text(json.dumps({"id": "update", **record}) + "\n", encoding="utf-8")
    with open_store(filled) as store:
        store.save([(other, other.model_dump_json())], [], [(apart, apart.model_dump_json())])
        before = store.incident_lines_of(["inc-ash", CALDERA])
        assert browse.nearby_incidents(store, [UPDATE]) == {EASTGATE, CALDERA}  # the ash cloud shares no word
        settings = Settings(executor="local")
        done = run_into_store([str(tmp_path / "update.jsonl")], store, tmp_path / "out", nearby=200,
                              options=settings.read_options(), settings=settings, workers=1)
        assert done.added == ["update"] and store.incident_of(["update"]) == {"update": EASTGATE}
        assert store.incident_lines_of(["inc-ash", CALDERA]) == before
        assert store.count_incidents() == 3 and store.count_reports() == 8
        assert sorted(json.loads(line)["id"] for line in (tmp_path / "out" / "incidents.jsonl").open()) == [
            CALDERA, EASTGATE]  # the run saw the nearby incidents only


def test_a_narrow_scope_can_decide_otherwise(filled, tmp_path):
    """What ``nearby`` costs: the linker's name weights come from the reports a run sees, so with
    only the one matching incident in scope this borderline report stays apart (with the demo's
    two, as in a run against the whole store, it joins Eastgate)."""
    from corroborate.settings import Settings
    from corroborate.stores.run import run_into_store

    record = {"id": "update", "text": UPDATE, "title": "Eastgate toll at 21", "source": "Test Wire", "published": "2026-03-16"}
    (tmp_path / "update.jsonl").write_text(json.dumps(record) + "\n", encoding="utf-8")
    with open_store(filled) as store:
        settings = Settings(executor="local")
        run_into_store([str(tmp_path / "update.jsonl")], store, tmp_path / "out", nearby=3,
                       options=settings.read_options(), settings=settings, workers=1)
        assert store.incident_of(["update"])["update"] not in (EASTGATE, CALDERA)
