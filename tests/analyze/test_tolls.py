"""Tolls: each count's modality, scope and learned toll, on hand-written reports, and their use
in reconciliation. The texts are made up for these tests."""

from __future__ import annotations

import hashlib
import json
from importlib import resources

import pytest

from corroborate.analyze import tolls
from corroborate.analyze.counts import extract_counts
from corroborate.incidents.reconcile import best_claim, reconcile
from corroborate.learned import ModelIntegrityError, load_json_model
from corroborate.records import Report


def analyzed(nlp, text: str, rid: str = "r", published: str | None = None) -> Report:
    counts = extract_counts(nlp(text))
    for c in counts:
        assert text[c.start : c.end] == c.text
        assert c.toll is not None and 0 <= c.toll <= 1
        assert (c.scope == "this_incident") == (c.toll >= tolls.load_model()["threshold"])
    return Report(id=rid, text=text, origin=rid, counts=counts, published=published)


def only(report: Report, category: str):
    found = [c for c in report.counts if c.category == category]
    assert len(found) == 1, found
    return found[0]


def test_could_die_is_hypothetical_and_not_a_toll(nlp):
    report = analyzed(nlp, "Health officials warned that 40,000 residents could die if the outbreak spreads.")
    count = only(report, "killed")
    assert (count.value, count.modality) == (40_000, "hypothetical")
    assert best_claim(report, "killed") is None


def test_would_have_died_is_hypothetical(nlp):
    report = analyzed(nlp, "A woman was hurt on Pike Road on Friday. Had the bullet struck higher, she would have died.")
    assert [c.modality for c in report.counts if c.category == "killed"] == ["hypothetical"]
    assert best_claim(report, "killed") is None


def test_negated_figure_is_not_a_toll(nlp):
    report = analyzed(nlp, "A man was shot in the arm on Birch Lane on Monday. The two officers at the scene were not injured.")
    negated = [c for c in report.counts if c.modality == "negated"]
    assert [(c.category, c.value) for c in negated] == [("injured", 2)]
    assert all(c is not best_claim(report, "injured") for c in negated)


def test_no_one_killed_is_an_asserted_zero(nlp):
    report = analyzed(nlp, "A fire gutted a warehouse on Dock Street on Tuesday. No one was killed, the fire chief said.")
    count = only(report, "killed")
    assert (count.value, count.modality) == (0, "asserted")


def test_did_not_deserve_to_die_is_not_a_negation_of_the_death(nlp):
    report = analyzed(nlp, "A teenager was killed on Cedar Court on Friday. \u201cHe did not deserve to die,\u201d his aunt said.")
    assert all(c.modality == "asserted" for c in report.counts if c.category == "killed")


def test_expected_to_rise_is_an_estimate_of_the_future(nlp):
    report = analyzed(nlp, "A bus plunged into a ravine on Sunday, killing 12 people. Officials said the death toll is expected to rise to 20.")
    future = [c for c in report.counts if c.modality == "estimate_of_future"]
    assert [(c.category, c.value) for c in future] == [("killed", 20)]
    assert best_claim(report, "killed").value == 12


def test_yearly_total_is_an_aggregate_not_the_toll(nlp):
    report = analyzed(nlp, "A man was shot and killed on Oak Street on Sunday night, police said. Officers found him in a parked "
                           "car shortly after 10 p.m. Police said 40 people have been killed in the city so far this year.")
    total = next(c for c in report.counts if c.value == 40)
    assert (total.category, total.modality, total.scope) == ("killed", "asserted", "aggregate")
    assert best_claim(report, "killed").value == 1


def test_case_counts_are_not_a_killed_toll(nlp):
    report = analyzed(nlp, "A woman was wounded in a shooting outside a grocery store on Tuesday, police said. "
                           "The county has reported 162,000 cases and 2,100 deaths since March.")
    assert not any(c.value == 162_000 for c in report.counts)
    deaths = next(c for c in report.counts if c.value == 2100)
    assert deaths.scope == "aggregate"
    assert best_claim(report, "killed") is None


def test_homicides_this_year_is_no_killed_toll(nlp):
    report = analyzed(nlp, "Three people were wounded in a shooting at a park on Sunday afternoon, police said. "
                           "The city has seen 40 homicides this year, according to police statistics.")
    assert best_claim(report, "killed") is None
    assert best_claim(report, "injured").value == 3


def test_separate_shooting_is_another_incident(nlp):
    report = analyzed(nlp, "Two men were wounded in a shooting on Elm Street on Saturday night, police said. Both were taken "
                           "to a hospital in stable condition. In a separate shooting last month, two people were killed.")
    other = only(report, "killed")
    assert (other.value, other.modality, other.scope) == (2, "asserted", "other_incident")
    assert best_claim(report, "killed") is None
    assert best_claim(report, "injured").value == 2


@pytest.mark.parametrize("text", ["Mark is held in high esteem by everyone at the plant.",
                                  "The state held two special elections last spring."])
def test_held_without_custody_is_no_arrest(nlp, text):
    assert not any(c.category == "arrested" for c in extract_counts(nlp(text)))


@pytest.mark.parametrize(("text", "value"), [("Two men were held on charges of murder.", 2),
                                             ("Police held two suspects for questioning.", 2)])
def test_held_in_custody_is_an_arrest(nlp, text, value):
    assert [(c.category, c.value) for c in extract_counts(nlp(text))] == [("arrested", value)]


def test_plain_toll_is_asserted_this_incident_and_reconciled(nlp):
    text = "Two people were killed and three injured in a shooting on Main Street on Saturday."
    report = analyzed(nlp, text)
    killed, injured = only(report, "killed"), only(report, "injured")
    assert (killed.value, killed.modality, killed.scope) == (2, "asserted", "this_incident")
    assert (injured.value, injured.modality, injured.scope) == (3, "asserted", "this_incident")
    second = analyzed(nlp, "A shooting on Main Street on Saturday left two people dead and three wounded, police said.", "s")
    incident = reconcile([report, second])
    facts = {f.slot: f for f in incident.facts}
    assert (facts["killed"].value, facts["killed"].status) == (2, "corroborated")
    assert (facts["injured"].value, facts["injured"].status) == (3, "corroborated")


def test_counts_that_are_not_tolls_are_kept(nlp):
    report = analyzed(nlp, "A man was shot and killed on Oak Street on Sunday night, police said. "
                           "Police said 40 people have been killed in the city so far this year.")
    assert sorted(c.value for c in report.counts if c.category == "killed") == [1, 40]


def test_shipped_model_matches_its_recorded_sha256():
    raw = resources.files("corroborate.analyze").joinpath(tolls.MODEL).read_bytes()
    manifest = json.loads(resources.files("corroborate").joinpath("data/models.sha256.json").read_text())
    assert manifest["files"]["corroborate.analyze/data/tolls.json"] == hashlib.sha256(raw).hexdigest()
    model = load_json_model("corroborate.analyze", tolls.MODEL)
    assert 0 < model["threshold"] < 1 and model["weights"]


def test_a_changed_model_file_is_refused(monkeypatch):
    from corroborate import learned

    monkeypatch.setattr(learned, "manifest", lambda: {"corroborate.analyze/data/tolls.json": "0" * 64})
    with pytest.raises(ModelIntegrityError):
        load_json_model("corroborate.analyze", tolls.MODEL)


def test_score_is_the_logistic_of_the_summed_weights():
    model = {"bias": -1.0, "weights": {"a": 0.5, "b": 2.0}, "threshold": 0.5}
    assert tolls.score(["a", "b", "b", "c"], model) == pytest.approx(1 / (1 + 2.718281828459045 ** -1.5))


#: the shipped model's tolls for fixed reports (a retrained model changes them: update with it)
KNOWN = [
    ("Two people were killed and three injured in a shooting on Main Street on Saturday.", "killed", 2),
    ("Police said a 19-year-old man was shot and killed outside a bar on Friday night.", "killed", 1),
]


@pytest.mark.parametrize(("text", "category", "value"), KNOWN)
def test_known_predictions(nlp, text, category, value):
    count = next(c for c in extract_counts(nlp(text)) if c.category == category and c.value == value)
    assert count.toll == pytest.approx(EXPECTED_TOLLS[(text, category)], abs=1e-4)


EXPECTED_TOLLS = {
    (KNOWN[0][0], "killed"): 0.9039,
    (KNOWN[1][0], "killed"): 0.8543,
}
