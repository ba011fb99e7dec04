"""The seed reports' incident record (issue 15): one ISIS fact, whole weapon names, no invented
date, and every fact traced to at least one span that slices its report's text exactly."""

from __future__ import annotations


def test_isis_is_one_perpetrator(crocus_incident):
    incident = crocus_incident
    perpetrators = [f for f in incident.facts if f.slot == "perpetrator"]
    isis = [f for f in perpetrators if f.value in {"ISIS", "Islamic State", "IS", "ISIL", "Daesh"}]
    assert len(isis) == 1, [f.value for f in perpetrators]
    texts = {p.text for p in isis[0].support}
    assert "ISIS" in texts and "Islamic State" in texts  # both names support the one fact
    assert isis[0].status == "corroborated" and isis[0].qualifier == "claimed"


def test_weapons_are_whole(crocus_incident):
    incident = crocus_incident
    weapons = {f.value for f in incident.facts if f.slot == "weapon"}
    assert "improvised explosive devices" in weapons
    assert not any(w.startswith("both ") for w in weapons), weapons


def test_no_invented_date(crocus_result, crocus_incident):
    incident = crocus_incident
    assert all(r.published is None for r in crocus_result.reports)
    # "Friday" without a publication date names no day that can be known: no date at all
    assert incident.date is None
    assert not [f for f in incident.facts if f.slot == "date"]


def test_every_fact_has_a_support_span_that_slices_exactly(crocus_result, crocus_incident, demo_result):
    for result, incidents in ((crocus_result, crocus_result.incidents + [crocus_incident]), (demo_result, demo_result.incidents)):
        texts = {r.id: r.text for r in result.reports}
        for incident in incidents:
            for fact in incident.facts:
                assert fact.support, (incident.id, fact.slot, fact.value)
                for p in fact.support + fact.dissent:
                    assert texts[p.report][p.start:p.end] == p.text


def test_the_place_is_resolved(crocus_incident):
    incident = crocus_incident
    assert incident.place is not None
    assert (incident.place.city, incident.place.country) == ("Moscow", "Russia")
