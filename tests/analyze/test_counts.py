"""Counts: category, value, bounds and hedge, on real parses of hand-written and seed sentences."""

from __future__ import annotations

import pytest
from helpers import needs_shared
from hypothesis import given
from hypothesis import strategies as st

from corroborate.analyze.counts import extract_counts, parse_number


def counts_of(nlp, text):
    counts = extract_counts(nlp(text))
    for c in counts:
        assert text[c.start : c.end] == c.text
    return [(c.category, c.value, c.low, c.high, c.hedge) for c in counts]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The attack in Moscow left at least 93 people dead and hundreds injured.",
         [("killed", 93, 93, None, "at_least"), ("injured", 100, 100, 999, "vague")]),
        ("As of early Saturday morning EST, 11 suspects had been arrested.", [("arrested", 11, 11, 11, "exact")]),
        ("The death toll rose to 133 on Sunday.", [("killed", 133, 133, 133, "exact")]),
        ("At least 14 people were killed and more than 30 wounded.",
         [("killed", 14, 14, None, "at_least"), ("injured", 30, 31, None, "at_least")]),
        ("Between 30 and 40 people were wounded.", [("injured", 30, 30, 40, "range")]),
        ("Up to 50 people were evacuated.", [("displaced", 50, None, 50, "at_most")]),
        ("About 200 residents were evacuated.", [("displaced", 200, 180, 220, "about")]),
        ("Eleven people died and twenty-one were injured.",
         [("killed", 11, 11, 11, "exact"), ("injured", 21, 21, 21, "exact")]),
        ("Dozens of people were hurt.", [("injured", 12, 12, 99, "vague")]),
        ("No one was killed, and 3 crew members were treated for smoke inhalation.",
         [("killed", 0, 0, 0, "exact"), ("injured", 3, 3, 3, "exact")]),
        ("Police said four people were shot, one fatally, at the park.",
         [("other", 4, 4, 4, "exact"), ("killed", 1, 1, 1, "exact"), ("injured", 3, 3, 3, "exact")]),
        ("Gunmen kidnapped 12 students from a school.", [("kidnapped", 12, 12, 12, "exact")]),
        ("Five people are still missing.", [("missing", 5, 5, 5, "exact")]),
        # each coordinated verb keeps its own figure (GVA: "killed one and injured four" gave killed 4)
        ("The gunman killed 49 people and injured 53 others at the club.",
         [("killed", 49, 49, 49, "exact"), ("injured", 53, 53, 53, "exact")]),
        ("Police said the shooting killed one and injured four.",
         [("killed", 1, 1, 1, "exact"), ("injured", 4, 4, 4, "exact")]),
        ("The attack killed 49 and injured 53.", [("killed", 49, 49, 49, "exact"), ("injured", 53, 53, 53, "exact")]),
        # a figure right before the coordinated keyword is its own: "three injured" is not also 2 injured
        ("Two people were killed and three injured in the crash.",
         [("killed", 2, 2, 2, "exact"), ("injured", 3, 3, 3, "exact")]),
        # a toll verb under "expected to" takes the governing verb's subject (the count is then an
        # estimate of the future: see test_tolls.py)
        ("The death toll is expected to rise to 50.", [("killed", 50, 50, 50, "exact")]),
        # "held" is an arrest only of people, in custody
        ("Two men were held on charges of murder.", [("arrested", 2, 2, 2, "exact")]),
        ("The state held two special elections last spring.", []),
    ],
)
def test_counts(nlp, text, expected):
    assert counts_of(nlp, text) == expected


def test_shot_minus_killed_is_a_derived_injured_count(nlp):
    text = "Police said four people were shot, one fatally, at the park."
    [derived] = [c for c in extract_counts(nlp(text)) if c.derived]
    assert (derived.category, derived.value, derived.text) == ("injured", 3, "four people were shot, one fatally")


def test_no_derived_count_when_injured_is_stated(nlp):
    counts = extract_counts(nlp("Four people were shot and two were wounded."))
    assert not any(c.derived for c in counts)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("A 25-year-old man was fatally shot on Tuesday.", [("killed", 1, "A 25-year-old man was fatally shot")]),
        ("The victim died at the hospital.", [("killed", 1, "The victim died")]),
        ("A man and a woman were killed in the crash.", [("killed", 2, "A man and a woman were killed")]),
        ("Officers arrested a suspect on Friday.", [("arrested", 1, "arrested a suspect")]),
        ("The suspected shooter is dead, police said.", [("killed", 1, "The suspected shooter is dead")]),
        ("A man was found dead in a wooded area.", [("killed", 1, "A man was found dead")]),
        ("He fatally shot an intruder and accidentally shot and killed his brother.",
         [("killed", 1, "killed his brother")]),
        ("Police said the shooting happened at noon.", []),
    ],
)
def test_singular_people_count_one_each(nlp, text, expected):
    assert [(c.category, c.value, c.text) for c in extract_counts(nlp(text))] == expected


def test_nested_count_is_not_counted_twice(nlp):
    text = "Russia has arrested 11 people, including 4 suspected of carrying out the attack."
    assert counts_of(nlp, text) == [("arrested", 11, 11, 11, "exact")]


@pytest.mark.parametrize(
    "text",
    [
        "A 12-year-old boy was hurt.",
        "The 32-year-old man was arrested at 300 North Street.",
        "It took six hours to extinguish the fire.",
        "He posted $5,000 bail on May 3, 2014.",
        "The shooting happened at 11:40 p.m. in 2015.",
        "Call 555-1234 with information about the killing.",
    ],
)
def test_not_counts(nlp, text):
    assert [c for c in counts_of(nlp, text) if c[1] not in (None, 1)] == []


@given(st.integers(min_value=0, max_value=10_000_000))
def test_parse_number_reads_digits_with_and_without_commas(n):
    assert parse_number([str(n)]) == n
    assert parse_number([f"{n:,}"]) == n


@pytest.mark.parametrize(
    ("words", "value"),
    [(["eleven"], 11), (["twenty-one"], 21), (["three", "hundred"], 300), (["1.5", "million"], 1_500_000),
     (["two", "thousand", "five", "hundred"], 2500), (["banana"], None)],
)
def test_parse_number_words(words, value):
    assert parse_number(words) == value


@needs_shared
def test_crocus_000_counts(crocus_000):
    got = {(c.category, c.value, c.hedge) for c in crocus_000.counts}
    assert ("killed", 93, "at_least") in got
    assert ("injured", 100, "vague") in got
    assert ("arrested", 11, "exact") in got
    assert not any(c.category == "arrested" and c.value in (4, 15) for c in crocus_000.counts)


@needs_shared
def test_crocus_004_counts(crocus_004):
    killed = [c for c in crocus_004.counts if c.category == "killed"]
    assert [(c.value, c.low, c.high, c.hedge, c.text) for c in killed] == [(40, 40, None, "at_least", "at least 40 individuals dead")]


def test_coordinated_keywords_share_the_quantity(nlp):
    text = "Islamic State fighters attacked a large gathering, killing and wounding hundreds."
    assert counts_of(nlp, text) == [("injured", 100, 100, 999, "vague"), ("killed", 100, 100, 999, "vague")]


@pytest.mark.parametrize("text", ["Mark is held in high esteem by everyone at the plant.",
                                  "He held the baby in his arms."])
def test_held_without_custody_is_no_singular_arrest(nlp, text):
    assert counts_of(nlp, text) == []


def test_held_in_custody_is_a_singular_arrest(nlp):
    assert counts_of(nlp, "He was held without bail at the county jail.") == [("arrested", 1, 1, 1, "exact")]


def test_no_one_else_is_not_a_zero_count(nlp):
    assert counts_of(nlp, "A man was wounded. No one else was injured.") == [("injured", 1, 1, 1, "exact")]


def test_pronoun_subject_counts_one(nlp):
    assert counts_of(nlp, "A man was shot on Main Street. He died at the hospital.") == [
        ("other", 1, 1, 1, "exact"), ("killed", 1, 1, 1, "exact"),
    ]


@pytest.mark.parametrize(
    "text",
    ["Police arrested 11 suspects. Four of the 11 were arrested in Moscow.",
     "Eleven people were arrested, and 4 of them were arrested at the venue."],
)
def test_partitive_subset_is_not_a_separate_count(nlp, text):
    assert [c[:2] for c in counts_of(nlp, text)] == [("arrested", 11)]


def test_partitive_of_another_category_counts(nlp):
    assert counts_of(nlp, "Two of the victims died in hospital.") == [("killed", 2, 2, 2, "exact")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # people joined by "and" add up
        ("Five young men and a woman were shot and wounded at a barbecue, police said.",
         ("injured", 6, "Five young men and a woman were shot and wounded")),
        ("Two men and two women were injured in a shooting at a party early Monday.",
         ("injured", 4, "Two men and two women were injured")),
    ],
)
def test_people_joined_by_and_add_up(nlp, text, expected):
    counts = extract_counts(nlp(text))
    assert expected in [(c.category, c.value, c.text) for c in counts]
    assert max(c.value for c in counts if c.category == expected[0]) == expected[1]


@pytest.mark.parametrize(
    ("text", "forbidden"),
    [
        ("Wainwright was pronounced dead at 5 at the scene.", ("killed", 5)),  # a time
        ("He was sentenced for the 2015 death of Elijah Walker.", ("killed", 2015)),  # a year
        ("Two people were killed and four others were in the hospital with gunshot wounds.", ("killed", 4)),
        ("An 8 yo girl was shot in the leg.", ("other", 8)),  # an age
    ],
)
def test_times_years_ages_and_the_next_figure_are_not_this_count(nlp, text, forbidden):
    assert forbidden not in [(c.category, c.value) for c in extract_counts(nlp(text))]


def test_all_over_is_not_more_than(nlp):
    # "when it was all over, one person was killed": one, not "more than one"
    counts = counts_of(nlp, "When it was all over one person was killed and five others shot.")
    assert ("killed", 1, 1, 1, "exact") in counts


def test_people_named_one_by_one_are_singular(nlp):
    counts = extract_counts(nlp("A man was shot and killed on Tuesday. Four people were arrested."))
    assert sorted((c.category, c.value, c.singular) for c in counts) == [("arrested", 4, False), ("killed", 1, True)]


def test_a_derived_count_from_one_person_shot_is_singular(nlp):
    [derived] = [c for c in extract_counts(nlp("Her mother said she got shot outside the store.")) if c.derived]
    assert (derived.category, derived.value, derived.singular) == ("injured", 1, True)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Three people are dead, including the gunman, after a shooting spree on Sunday evening.", (3, True)),
        ("The suspected shooter is dead, police said.", (1, True)),
        ("The gunman who shot two people to death in a movie theater before killing himself had bought the gun legally.",
         (2, False)),
        ("Two people were killed in a shooting on Main Street on Saturday.", (2, None)),
    ],
)
def test_killed_counts_say_whether_they_count_a_perpetrator_who_died(nlp, text, expected):
    [count] = [c for c in extract_counts(nlp(text)) if c.category == "killed"]
    assert (count.value, count.with_perpetrator) == expected
