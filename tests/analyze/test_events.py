"""Event roles: type, perpetrators with status, weapons, places and date."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from helpers import by_id, needs_shared
from hypothesis import given, settings
from hypothesis import strategies as st

from corroborate.analyze.events import extract_events
from corroborate.analyze.when import resolve_phrase


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
    assert [i.text for i in other.targets] == ["bus station"]
    # victims come from the trained model alone (the rules' victims lost on validation, see
    # roles.POLICY); each event's fillers lie in its own sentences
    assert all(text.index("In a separate") <= v.start for v in other.victims)
    assert all(v.end <= text.index("In a separate") for v in main.victims)


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
    # the most specific place first (the market), then the dateline's city, kept though the
    # gazetteer does not know it (Port Halvard is fictional)
    texts = [i.text for i in by_id(demo_result, "northwire-0315").events[0].locations]
    assert texts[0] == "Eastgate Market" and "PORT HALVARD" in texts


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
    import dateparser

    phrase = case(day)
    settings = {"RETURN_AS_TIMEZONE_AWARE": False, "PREFER_DAY_OF_MONTH": "first", "RELATIVE_BASE": base}
    expected = dateparser.parse(phrase, languages=["en"], settings=settings)
    assert expected is not None and expected <= base
    assert resolve_phrase(phrase, base.date()) == expected.date()


def test_date_phrases_resolved_against_the_publication_day():
    base = date(2016, 3, 12)  # a Saturday
    assert resolve_phrase("Saturday", base) == date(2016, 3, 12)
    assert resolve_phrase("Sunday", base) == date(2016, 3, 6)
    assert resolve_phrase("March 3, 2015", base) == date(2015, 3, 3)
    assert resolve_phrase("yesterday", base) == date(2016, 3, 11)
    assert resolve_phrase("early Sunday", base) == date(2016, 3, 6)  # read here: dateparser cannot


ROLES = ("perpetrator_organizations", "perpetrator_individuals", "victims", "targets", "weapons", "locations")


def events_of(nlp, text, published=None):
    """The events of ``text``; every role item slices exactly out of the text."""
    events = extract_events(nlp(text), published)
    for event in events:
        for role in ROLES:
            for item in getattr(event, role):
                assert text[item.start : item.end] == item.text
    return events


def type_of(nlp, text, published=None):
    events = events_of(nlp, text, published)
    return events[0].type if events else None


@pytest.mark.parametrize(("text", "kind"), [
    ("Firefighters battled a blaze that gutted a warehouse in Millbrook on Saturday, and two workers were treated for burns.", "fire"),
    ("A gas explosion ripped through an apartment block in Port Halvard, killing three residents. The blast collapsed the building.", "explosion"),
    ("A bus collided with a truck on the highway near Millbrook, killing six passengers.", "crash"),
    ("A cyclist was killed in a hit-and-run on Main Street on Friday night.", "crash"),
    ("A passenger train derailed outside Millbrook, injuring 40 people.", "crash"),
    ("The roof of a shopping centre collapsed on Tuesday, trapping 20 shoppers.", "collapse"),
    ("Part of a coal mine caved in, trapping eleven miners.", "collapse"),
    ("A magnitude 6.1 earthquake struck the province, collapsing buildings and killing 12 people.", "natural_disaster"),
    ("Flash floods swept through the valley after heavy rain, killing nine people.", "natural_disaster"),
    ("Two workers were killed in an accident at a sawmill in Millbrook.", "other_incident"),
])
def test_accidents_and_disasters_have_their_types(nlp, text, kind):
    assert type_of(nlp, text) == kind


def test_a_wildfire_is_a_natural_disaster_though_it_says_fire_more(nlp):
    text = (
        "A wildfire burned 3,000 hectares. Firefighters evacuated two villages after the fire destroyed 40 homes "
        "and flames reached the road."
    )
    assert type_of(nlp, text) == "natural_disaster"


def test_a_bomb_explosion_stays_a_bombing(nlp):
    text = "A car bomb exploded outside the police station. The blast killed four officers and the explosion shattered windows."
    assert type_of(nlp, text) == "bombing"


def test_an_explosion_set_off_by_attackers_is_a_bombing(nlp):
    assert type_of(nlp, "Militants claimed responsibility for an explosion that damaged the pipeline.") == "bombing"


def test_burning_by_attackers_is_arson(nlp):
    assert type_of(nlp, "Guerrillas set the town hall on fire and burned five buses.") == "arson"


def test_opened_fire_is_shooting_and_fire_officials_are_no_fire(nlp):
    text = "Gunmen opened fire on worshippers, and fire officials said the church was not damaged."
    assert type_of(nlp, text) == "shooting"


@pytest.mark.parametrize("text", [
    "The senator took a veiled shot at the president during the debate.",
    "Nurses gave 300 booster shots at the clinic on Tuesday.",
    "She got a shot of vaccine and a flu shot.",
    "The director shot a film in Port Halvard last year.",
    "Winning the title is a long shot for the club.",
    "Astronomers detected fast radio blasts from a distant galaxy.",
    "The team fired its coach on Saturday after a losing season.",
    "The minister came under fire for his remarks about the budget.",
    "Stock markets crashed after the announcement, and the economy collapsed.",
    "The party won the election by a landslide.",
    "The website crashed and a flood of complaints followed.",
    "Thousands could die if the dam fails, experts warned.",  # "die" is no cue: hypothetical, and German
])
def test_figurative_harm_words_make_no_event(nlp, text):
    assert events_of(nlp, text) == []


@pytest.mark.parametrize("text", [
    "A man was shot and killed outside a bar in Millbrook.",
    "Shots rang out near the school and two students were wounded.",
    "Police said the suspect shot him twice in the chest.",
])
def test_shot_in_its_harm_sense_is_a_shooting(nlp, text):
    assert type_of(nlp, text) == "shooting"


def test_a_bare_year_is_no_event_date(nlp):
    text = "The market, attacked once in 1884 and again since 2009, was bombed, killing two people."
    [event] = events_of(nlp, text, published="2024-03-23")
    assert event.date is None


def test_the_first_date_naming_a_day_is_taken(nlp):
    text = "Gunmen have attacked the market every year since 2009. On Friday gunmen attacked it again, killing three."
    [event] = events_of(nlp, text, published="2024-03-23T09:00:00")
    assert event.date == "2024-03-22"


@pytest.mark.parametrize("when", ["on Saturday", "yesterday", "last night", "on July 1", "four months ago"])
def test_without_publication_date_a_relative_date_is_not_resolved(nlp, when):
    [event] = events_of(nlp, f"A bomb exploded at the bus station {when}, killing two people.")
    assert event.date is None  # never resolved against the clock of the machine that reads it


def test_without_publication_date_a_complete_date_is_kept(nlp):
    [event] = events_of(nlp, "A bomb exploded at the bus station on March 22, 2024, killing two people.")
    assert event.date == "2024-03-22"


def test_the_date_of_a_statement_is_not_the_event_date(nlp):
    text = "Gunmen attacked the market, killing 12 people, police said Tuesday. The attack happened on Saturday."
    [event] = events_of(nlp, text, published="2024-03-26")
    assert event.date == "2024-03-23"


def test_a_weekday_inside_a_longer_phrase(nlp):
    [event] = events_of(nlp, "A bomb exploded at the station early Saturday morning, killing two people.", published="2024-03-25")
    assert event.date == "2024-03-23"


def test_a_day_and_month_after_publication_is_last_year(nlp):
    [event] = events_of(nlp, "A bomb exploded at the station on December 28, killing two people.", published="2024-01-03")
    assert event.date == "2023-12-28"
