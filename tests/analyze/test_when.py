"""The event's day from the words that state it (corroborate.analyze.when), with its support span."""

from __future__ import annotations

from datetime import date

import pytest

from corroborate.analyze.events import extract_events
from corroborate.analyze.when import resolve_phrase
from corroborate.records import Report
from corroborate.steps import analyze_reports


def main_event(nlp, text, published):
    [event, *_] = extract_events(nlp(text), published)
    support = event.date_support
    if support is not None:
        assert text[support.start : support.end] == support.text
        assert support.value == event.date
    else:
        assert event.date is None
    return event


def test_late_saturday_is_resolved_against_a_monday_publication(nlp):
    text = "A 19-year-old man was shot and killed late Saturday outside a bar in Millbrook, police said."
    event = main_event(nlp, text, "2024-03-25")  # a Monday
    assert event.date == "2024-03-23"
    assert event.date_support.text == "late Saturday"


def test_a_day_of_the_month_is_this_years(nlp):
    text = "Two people were wounded in a shooting on March 22 at a gas station on Elm Street."
    event = main_event(nlp, text, "2024-03-24")
    assert (event.date, event.date_support.text) == ("2024-03-22", "March 22")


@pytest.mark.parametrize(("words", "published", "day"), [
    ("early Sunday morning", "2024-03-26", "2024-03-24"),
    ("Tuesday night", "2024-03-27", "2024-03-26"),
    ("yesterday", "2024-03-27", "2024-03-26"),
    ("Friday", "2024-03-23T09:00:00+00:00", "2024-03-22"),
])
def test_the_words_that_state_the_day(nlp, words, published, day):
    event = main_event(nlp, f"A man was shot and killed {words} in the 1200 block of Oak Street.", published)
    assert (event.date, event.date_support.text) == (day, words)


def test_a_date_after_publication_is_refused(nlp):
    text = "A man was shot on March 28 outside a bar, and a vigil is planned."
    assert main_event(nlp, text, "2024-03-24").date is None  # four days ahead: never last year's


def test_a_bare_year_is_refused(nlp):
    text = "A man was shot and killed in 2019 outside the same bar, and the shooting was never solved."
    event = main_event(nlp, text, "2024-03-24")
    assert event.date is None and event.date_support is None


def test_no_date_phrase_gives_none(nlp):
    event = main_event(nlp, "A man was shot in the leg outside a bar on Elm Street, police said.", "2024-03-24")
    assert event.date is None and event.date_support is None


def test_a_block_number_is_no_year(nlp):
    """The seen bug: an incident dated 7700-02-01, "7700" of a block read as a year."""
    text = "Courtney Lewis, of the 7700 block of South Paulina Street, was shot Feb. 1 outside his home."
    event = main_event(nlp, text, "2016-02-03")
    assert (event.date, event.date_support.text) == ("2016-02-01", "Feb. 1")


def test_impossible_dates_are_impossible():
    base = date(2016, 2, 3)
    assert resolve_phrase("Feb. 1, 1880", base) is None  # before 1900
    assert resolve_phrase("Feb. 1, 2017", base) is None  # after publication
    assert resolve_phrase("December 28", date(2024, 1, 3)) == date(2023, 12, 28)
    assert resolve_phrase("next Friday", base) is None
    assert resolve_phrase("Saturday", None) is None  # never the reading machine's clock
    assert resolve_phrase("March 22, 2024", None) == date(2024, 3, 22)
    assert resolve_phrase("Thanksgiving", date(2016, 11, 29)) == date(2016, 11, 24)
    assert resolve_phrase("New Year's Eve", date(2017, 1, 2)) == date(2016, 12, 31)


@pytest.mark.parametrize("text", [
    "A man was arrested Friday in the shooting death of a teenager on Wednesday night in Millbrook.",
    "Police said Tuesday that a man was shot and killed Sunday afternoon in Millbrook.",
    "Posted: Tuesday, March 26, 2024\n\nA man was shot and killed Sunday afternoon in Millbrook.",
    "The wounded boy remained in critical condition Tuesday. He was shot Sunday afternoon in Millbrook.",
])
def test_the_date_of_a_statement_is_skipped(nlp, text):
    event = main_event(nlp, text, "2024-03-26")  # a Tuesday
    assert event.date in {"2024-03-20", "2024-03-24"}  # Wednesday night / Sunday afternoon
    assert event.date_support.text in {"Wednesday night", "Sunday afternoon"}


def test_the_support_span_slices_the_report_text():
    text = ("MILLBROOK — Two men were shot and wounded early Sunday morning outside a nightclub on Elm Street, "
            "police said Monday. Officers found the victims just after 2 a.m.")
    [report] = analyze_reports([Report(id="r1", text=text, published="2024-03-25", origin="test")])
    event = report.events[0]
    support = event.date_support
    assert (event.date, support.text, support.value) == ("2024-03-24", "early Sunday morning", "2024-03-24")
    assert report.text[support.start : support.end] == support.text
    assert [s.text for s in event.type_support] == ["shot"]
    for span in event.type_support:
        assert report.text[span.start : span.end] == span.text


def test_type_support_names_the_cue_words_in_text_order(nlp):
    text = "A bomb exploded at the bus station on Friday. The blast killed two people and the explosion damaged shops."
    [event] = extract_events(nlp(text), "2024-03-23")
    assert event.type == "bombing"
    assert [s.text for s in event.type_support] == ["bomb", "exploded", "blast", "explosion"]
    assert [s.start for s in event.type_support] == sorted(s.start for s in event.type_support)
    for span in event.type_support:
        assert text[span.start : span.end] == span.text
