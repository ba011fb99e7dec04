"""Per-person attributes (name, age, gender, harm, status) read from the parse."""

from __future__ import annotations

import pytest

from corroborate.analyze.nlp import parse
from corroborate.analyze.people import describe


def about(text, phrase, role, nlp):
    doc = parse(text, nlp)
    start = text.index(phrase)
    return describe(doc, start, start + len(phrase), role)


@pytest.mark.parametrize(("text", "phrase", "expected"), [
    ("Andrew Williams, 32, was shot and killed Tuesday night.", "Andrew Williams",
     {"name": "Andrew Williams", "age": 32, "harm": "killed"}),
    ("Police said 32-year-old Andrew Williams was wounded in the leg.", "Andrew Williams",
     {"name": "Andrew Williams", "age": 32, "harm": "injured"}),
    ("A 12-year-old boy was fatally shot in Elgin on Sunday.", "12-year-old boy",
     {"name": None, "age": 12, "gender": "male", "harm": "killed"}),
    ("Officer Jane Doe was injured and John Smith was killed.", "Officer Jane Doe", {"name": "Jane Doe", "harm": "injured"}),
    ("Officer Jane Doe was injured and John Smith was killed.", "John Smith", {"name": "John Smith", "harm": "killed"}),
    ("Maria Lopez was shot on Tuesday. She died at the hospital.", "Maria Lopez",
     {"name": "Maria Lopez", "gender": "female", "harm": "killed"}),
    ("The victim, a 45-year-old woman, was taken to the hospital in critical condition.", "victim",
     {"age": 45, "gender": "female", "harm": "injured"}),
    ("Kevin Brown was kidnapped on Monday.", "Kevin Brown", {"harm": "kidnapped"}),
    ("Mr. Jones was not injured.", "Jones", {"gender": "male", "harm": None}),
])
def test_victims(nlp, text, phrase, expected):
    found = about(text, phrase, "victim", nlp)
    assert {key: found[key] for key in expected} == expected


@pytest.mark.parametrize(("text", "phrase", "expected"), [
    ("Williams, 32, of Elgin, was arrested and charged with attempted murder.", "Williams",
     {"name": "Williams", "age": 32, "status": "charged"}),
    ("The gunman killed two people before he was shot dead by police.", "gunman", {"status": "killed"}),
    ("The shooter remains at large, police said.", "shooter", {"status": "at_large", "name": None}),
    ("John Smith shot and killed his neighbor. He faces charges of murder.", "John Smith",
     {"name": "John Smith", "gender": "male", "status": "charged"}),
    ("A suspect was seen running from the store.", "suspect", {"status": "suspected", "age": None, "gender": None}),
])
def test_suspects(nlp, text, phrase, expected):
    found = about(text, phrase, "suspect", nlp)
    assert {key: found[key] for key in expected} == expected


def test_an_active_killer_is_not_harmed_and_pronouns_of_others_do_not_count(nlp):
    found = about("John Smith shot and killed his neighbor.", "John Smith", "victim", nlp)
    assert found["harm"] is None
    found = about("Police said Tom Hill shot a woman. She died later.", "Tom Hill", "victim", nlp)
    assert found["gender"] is None  # "she" is the woman


def test_out_of_range_spans_give_nothing(nlp):
    doc = parse("A man was shot.", nlp)
    assert describe(doc, 100, 120, "victim") == {"name": None, "age": None, "gender": None, "harm": None}


def test_a_possessive_name_is_not_the_filler(nlp):
    found = about("Neither Bibbes' mother nor his brothers were injured.", "Bibbes' mother", "victim", nlp)
    assert (found["name"], found["gender"], found["harm"]) == (None, "female", None)
