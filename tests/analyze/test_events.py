"""Event roles: type, perpetrators with status, weapons, places and date."""

from __future__ import annotations

from datetime import datetime

from hypothesis import given, settings, strategies as st

from corroborate.analyze.events import _dateparser, _parse_date, extract_events
from helpers import by_id, needs_shared


def orgs(report):
    return {(i.text, i.status) for i in report.events[0].perpetrator_organizations}


def test_claim_and_denial(nlp):
    text = (
        "Gunmen attacked the Eastgate Market with assault rifles. The Black Tide Front claimed responsibility. "
        "The Free Coast Movement denied any involvement. Police blamed the Red Hand gang."
    )
    [event] = extract_events(nlp(text))
    assert {(i.text, i.status) for i in event.perpetrator_organizations} == {
        ("Black Tide Front", "claimed"), ("Free Coast Movement", "denied"), ("Red Hand gang", "accused"),
    }
    assert [i.text for i in event.weapons] == ["assault rifles"]
    assert [i.text for i in event.perpetrator_individuals] == ["Gunmen"]
    for role in (event.perpetrator_organizations, event.weapons, event.perpetrator_individuals):
        for item in role:
            assert text[item.start : item.end] == item.text


def test_date_resolved_against_publication(nlp):
    text = "A bomb exploded at the station on Friday, killing two people."
    [event] = extract_events(nlp(text), published="2024-03-23T09:00:00+00:00")
    assert event.type == "bombing"
    assert event.date == "2024-03-22"


def test_no_event_in_a_non_violent_report(nlp):
    assert extract_events(nlp("The council approved the new budget on Tuesday.")) == []


def test_demo_market_attack_roles(demo_result):
    herald = by_id(demo_result, "halvard-herald")
    event = herald.events[0]
    assert event.type == "armed_assault"
    assert ("Black Tide Front", "claimed") in orgs(herald)
    assert ("Free Coast Movement", "denied") in orgs(herald)
    assert ("Free Coast Movement", "accused") in orgs(herald)
    assert "Port Halvard" in [i.text for i in event.locations]
    assert event.date == "2026-03-14"


@needs_shared
def test_crocus_perpetrators(crocus_000, crocus_004):
    assert ("ISIS", "claimed") in orgs(crocus_000)
    assert ("Ukraine", "denied") in orgs(crocus_000)
    assert ("ISIS", "claimed") in orgs(crocus_004)
    weapons = {i.text for i in crocus_000.events[0].weapons}
    assert {"automatic weapons", "grenade", "incendiary bomb"} <= weapons


def test_a_clearly_separate_event_is_its_own(nlp):
    text = (
        "Gunmen attacked a market in Port Halvard on Saturday, killing 12 people, police said. "
        "In a separate attack in Millbrook, a bomb damaged a bus station and wounded three passengers."
    )
    main, other = extract_events(nlp(text), published="2026-03-15")
    assert ([i.text for i in main.locations], main.type) == (["Port Halvard"], "armed_assault")
    assert ([i.text for i in other.locations], other.type) == (["Millbrook"], "bombing")
    assert [i.text for i in other.targets] == ["bus station"] and [i.text for i in other.victims] == ["three passengers"]


def test_victims_and_targets_from_harm_and_attack_frames(nlp):
    text = "guerrillas murdered presidential candidate luis carlos galan and dynamited the antioquia liqueur plant."
    [event] = extract_events(nlp(text))
    assert [i.text for i in event.victims] == ["luis carlos galan"]
    assert [i.text for i in event.targets] == ["antioquia liqueur plant"]
    assert [i.text for i in event.perpetrator_individuals] == ["guerrillas"]


def test_known_armed_group_in_lowercase_text(nlp):
    [event] = extract_events(nlp("the fmln attacked a military post in san miguel."))
    assert [(i.text, i.status) for i in event.perpetrator_organizations] == [("fmln", "suspected")]


def test_seized_arms_are_not_weapons_of_the_event(nlp):
    [event] = extract_events(nlp("Soldiers seized ten rifles after guerrillas attacked the post with grenades."))
    assert [i.text for i in event.weapons] == ["grenades"]


def test_locations_are_where_it_happened_most_specific_first(nlp):
    text = "The U.S. embassy had warned of attacks. Gunmen attacked the Crocus City Hall in Krasnogorsk, Russia, killing 40."
    [event] = extract_events(nlp(text))
    assert [i.text for i in event.locations] == ["Crocus City Hall", "Krasnogorsk", "Russia"]


def test_dateline_places_the_report(demo_result):
    assert [i.text for i in by_id(demo_result, "northwire-0315").events[0].locations][:1] == ["PORT HALVARD"]


@needs_shared
def test_crocus_locations(crocus_000):
    places = [i.text for i in crocus_000.events[0].locations]
    assert places[0] == "Crocus City Hall"
    assert {"Krasnogorsk", "Moscow"} <= set(places)
    assert "U.S." not in places and "US" not in places


@settings(max_examples=300, deadline=None)
@given(st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2040, 12, 31)),
       st.sampled_from(["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]),
       st.sampled_from([str, str.lower, str.upper]))
def test_a_bare_weekday_is_dated_as_dateparser_dates_it(base, day, case):
    phrase = case(day)
    expected = _dateparser.__wrapped__(phrase, base)  # dateparser itself, not the cache
    assert expected is not None and expected <= base
    assert _parse_date(phrase, base) == expected


def test_other_date_phrases_go_to_dateparser():
    base = datetime(2016, 3, 12, 18, 30)  # a Saturday evening
    assert _parse_date("Saturday", base) == datetime(2016, 3, 12)
    assert _parse_date("Sunday", base) == datetime(2016, 3, 6)
    assert _parse_date("March 3, 2015", base) == datetime(2015, 3, 3)
    assert _parse_date("yesterday", base).date() == datetime(2016, 3, 11).date()
    assert _parse_date("early Sunday", base) is None  # dateparser cannot read it; the next date phrase is tried
