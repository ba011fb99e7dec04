"""The incident-relevance classifier: the shipped model, its integrity check, its decisions on
hand-written texts, its evidence spans, and (with ../shared) its held-out figures and reproducible
training. Every text here is written for these tests."""

from __future__ import annotations

import hashlib
import json
import shutil
from importlib import resources
from itertools import pairwise

import pytest
from helpers import SHARED, needs_shared

from corroborate import learned
from corroborate.analyze import relevance
from corroborate.analyze import train_relevance as train
from corroborate.lang import en
from corroborate.splits import held_out

KEY = "corroborate.analyze/data/relevance.json"

INCIDENTS = {
    "local shooting": (
        "A 27-year-old man was shot twice in the leg late Saturday night outside a convenience store on Maple "
        "Avenue, police said. Officers found him on the sidewalk shortly after 11 p.m. and he was taken to a "
        "hospital in stable condition. No arrests have been made, and detectives are asking anyone with "
        "information to call the department."
    ),
    "house fire": (
        "A fire tore through a two-story house on Elm Street early Tuesday, leaving a woman and her two children "
        "with burns. Firefighters arrived to find flames coming from the roof and pulled the family out through a "
        "back window. The fire marshal said the blaze appears to have started in the kitchen. The home was destroyed."
    ),
    "highway crash": (
        "Two people died and three others were injured Friday afternoon when a pickup truck crossed the median on "
        "Interstate 80 and struck a minivan head-on, state troopers said. The driver of the truck and a passenger "
        "in the minivan were pronounced dead at the scene. The eastbound lanes were closed for several hours while "
        "investigators examined the wreckage."
    ),
}

CALM = {
    "veiled shot": (
        "In a speech to party donors on Thursday, the governor took a veiled shot at the senator, saying that "
        "leadership means showing up rather than posting online. The senator's office declined to comment. The two "
        "have clashed for months over the state budget, and analysts expect the rivalry to shape next year's primary."
    ),
    "vaccine shot": (
        "Pharmacies across the state began offering the updated flu vaccine this week. Health officials say a "
        "single shot provides protection for the whole season, and recommend that adults over 65 get theirs before "
        "November. Most insurance plans cover the cost, and appointments can be booked online."
    ),
    "fast radio blasts": (
        "Astronomers have traced a series of fast radio blasts to a dwarf galaxy about three billion light-years "
        "away. The bursts last only a few milliseconds but release as much energy as the sun does in a day. The team "
        "used a network of radio telescopes to pin down the source, and hopes the discovery will help explain what "
        "produces the signals."
    ),
    "ransomware": (
        "A ransomware gang has held the city's computer systems hostage for a week, demanding payment in bitcoin to "
        "unlock its files. Council members said the city would not pay the ransom. Residents can still pay water "
        "bills in person, and the city's IT staff are restoring systems from backups with help from an outside "
        "security firm."
    ),
    "covid statistics": (
        "A new model from university researchers estimates that 2.2 million Americans could die if the virus spreads "
        "unchecked, and that social distancing could cut that number sharply. The study assumes that hospitals would "
        "run out of beds within weeks. Public health experts said the estimate shows why early measures matter, "
        "though the figures depend heavily on how people behave."
    ),
    "sports injury": (
        "The team's star point guard will miss the rest of the season after injuring his knee in the third quarter "
        "of Sunday's win. The coach said the injury was a blow but that the roster had depth. The guard averaged 21 "
        "points a game and was expected to be named to the all-star team next month."
    ),
}


def score(nlp, text: str, title: str | None = None):
    """As the analyze stage scores a report: with the parse of its text."""
    return relevance.assess(text, title, doc=nlp(text))


def _shipped_bytes() -> bytes:
    return resources.files("corroborate.analyze").joinpath("data/relevance.json").read_bytes()


def test_shipped_model_is_consistent_and_small():
    raw = _shipped_bytes()
    assert len(raw) < 2 * 1024 * 1024
    data = learned.load_json_model("corroborate.analyze", "data/relevance.json")
    assert len(data["vocabulary"]) == len(data["weights"]) > 1000
    assert data["vocabulary"] == sorted(data["vocabulary"])
    assert data["dense_names"] == list(relevance.DENSE)
    assert len(data["dense_mean"]) == len(data["dense_scale"]) == len(data["dense_weights"]) == len(relevance.DENSE)
    assert 0.05 <= data["threshold"] <= 0.95
    assert relevance.threshold() == data["threshold"]
    assert data["_seed"] == train.SEED
    assert data["metrics"]["cv_at_threshold"]["llmfake_false_incident_rate"] <= train.MAX_LLMFAKE_FP
    # the parse features read the sense rules of events.json at run time: the model was trained with these
    assert data["_events_sha256"] == hashlib.sha256(en.read_bytes("events")).hexdigest(), "events.json changed: make train-relevance"


def test_a_tampered_copy_of_the_model_is_refused(tmp_path, monkeypatch):
    # a package holding a byte-exact copy of the shipped file, with the shipped file's recorded sum
    package = tmp_path / "relevance_copy"
    (package / "data").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    shutil.copyfile(resources.files("corroborate.analyze").joinpath("data/relevance.json"), package / "data" / "relevance.json")
    monkeypatch.syspath_prepend(str(tmp_path))
    recorded = learned.manifest()[KEY]
    monkeypatch.setattr(learned, "manifest", lambda: {"relevance_copy/data/relevance.json": recorded})
    assert learned.load_json_model("relevance_copy", "data/relevance.json")["threshold"] == relevance.threshold()

    data = json.loads((package / "data" / "relevance.json").read_text(encoding="utf-8"))
    data["threshold"] = 0.99  # one number changed
    (package / "data" / "relevance.json").write_text(json.dumps(data, sort_keys=True, separators=(",", ":")) + "\n")
    with pytest.raises(learned.ModelIntegrityError, match="has sha256"):
        learned.load_json_model("relevance_copy", "data/relevance.json")


def test_the_shipped_model_is_refused_when_its_sum_does_not_match(monkeypatch):
    wrong = dict(learned.manifest())
    wrong[KEY] = hashlib.sha256(_shipped_bytes() + b" ").hexdigest()
    monkeypatch.setattr(learned, "manifest", lambda: wrong)
    relevance.load_model.cache_clear()
    try:
        with pytest.raises(learned.ModelIntegrityError):
            relevance.load_model()
    finally:
        relevance.load_model.cache_clear()


@pytest.mark.parametrize("name", sorted(INCIDENTS))
def test_incident_reports_are_above_the_threshold(nlp, name):
    probability, evidence = score(nlp, INCIDENTS[name])
    assert probability >= relevance.threshold(), name
    assert probability > 0.8
    # the harm words themselves are the evidence for (with their share of the cue-word features)
    cues = relevance.load_model().lexicons["cue"]
    assert any(c.weight > 0 and c.text.lower() in cues for c in evidence[:3])


@pytest.mark.parametrize("name", sorted(CALM))
def test_calm_articles_with_harm_words_are_below_the_threshold(nlp, name):
    probability, _ = score(nlp, CALM[name])
    assert probability < relevance.threshold(), name


VEILED = (
    "In a speech on Tuesday the senator took a veiled shot at her rival, saying the budget plan would hit families "
    "hardest. She also urged residents to get a booster shot before winter."
)
WOUND = "A man was shot in the chest outside a bar on Tuesday, police said. He was taken to a hospital."


def test_shot_the_jab_and_shot_the_wound_are_different_features(nlp):
    lex = relevance.load_model().lexicons
    jab = relevance.features(VEILED, None, lex, relevance.parse_features(nlp(VEILED)))
    wound = relevance.features(WOUND, None, lex, relevance.parse_features(nlp(WOUND)))
    assert "shot" + relevance.FIGURATIVE in jab.terms and "shot" not in jab.terms
    assert "veiled shot" + relevance.FIGURATIVE in jab.terms
    assert "shot" in wound.terms and "shot" + relevance.FIGURATIVE not in wound.terms
    dense = dict(zip(relevance.DENSE, jab.dense))
    assert dense["figurative_cues"] > 0 and dense["violent_cues"] == 0 and dense["cue_rate"] == 0
    dense = dict(zip(relevance.DENSE, wound.dense))
    assert dense["violent_cues"] > 0 and dense["harm_frames"] > 0 and dense["figurative_cues"] == 0


def test_a_figurative_headline_does_not_make_an_incident(nlp):
    # the calm report of tests/test_gates.py: "shot" twice in the text and once in the title, none a wound
    text = (VEILED + " Economists said the plan could cost 2 billion dollars over ten years. The state held two "
            "special elections last year, and the senator is held in high esteem by farmers, a poll found.")
    title = "Senator takes a veiled shot at rival over budget"
    probability, evidence = score(nlp, text, title)
    assert probability < relevance.threshold()
    assert relevance.assess(text, title)[0] == pytest.approx(probability, abs=1e-12)  # parsed by assess itself
    shots = [c for c in evidence if c.text.lower() == "shot"]
    assert all(c.weight < 0 for c in shots)


def test_a_headline_counts_but_has_no_span(nlp):
    text = CALM["sports injury"]
    plain, _ = score(nlp, text)
    titled, evidence = score(nlp, text, title="Gunman kills two in shooting at mall")
    assert titled > plain
    assert all(text[c.start : c.end] == c.text for c in evidence)


def test_lowercased_text_is_judged_alike(nlp):
    # MUC-4 is lowercased: the words are read lowercased, but the parse of a lowercased text differs a little
    t = relevance.threshold()
    for text in list(INCIDENTS.values()) + list(CALM.values()):
        assert (score(nlp, text.lower())[0] >= t) == (score(nlp, text)[0] >= t)


@pytest.mark.parametrize("text", list(INCIDENTS.values()) + list(CALM.values()))
def test_evidence_spans_slice_the_text_exactly_largest_first(nlp, text):
    _, evidence = score(nlp, text, title="A headline about a shooting")
    assert 0 < len(evidence) <= relevance.EVIDENCE
    for cue in evidence:
        assert text[cue.start : cue.end] == cue.text
        assert cue.weight != 0
    weights = [abs(c.weight) for c in evidence]
    assert weights == sorted(weights, reverse=True)
    spans = sorted((c.start, c.end) for c in evidence)
    assert all(end <= start for (_, end), (start, _) in pairwise(spans))  # no two overlap ("The state", "state")


def test_statistics_and_hypotheticals_are_evidence_against(nlp):
    _, evidence = score(nlp, CALM["covid statistics"])
    against = {c.text.lower() for c in evidence if c.weight < 0}
    assert against & {"study", "estimate", "estimates", "million", "2.2 million", "could die"}


def test_empty_and_odd_texts(nlp):
    probability, evidence = score(nlp, "")
    assert 0.0 <= probability <= 1.0 and evidence == []
    for text in ("  \n ", "2", "²³ ½", "İstanbul’da ŞOK", "killed killed killed"):
        probability, evidence = score(nlp, text)
        assert 0.0 <= probability <= 1.0
        assert all(text[c.start : c.end] == c.text for c in evidence)


def test_only_the_first_max_chars_are_read(nlp):
    text = INCIDENTS["highway crash"]
    padded = text + " " * (relevance.MAX_CHARS - len(text))
    more = padded + " astronomers radio telescope season coach. A veiled shot at the senator."
    assert score(nlp, more)[0] == score(nlp, padded)[0]


def test_labels_as_data_are_consistent():
    ecb = [set(train.ECB_INCIDENT), set(train.ECB_NOT_INCIDENT), set(train.ECB_AMBIGUOUS)]
    assert not (ecb[0] & ecb[1] or ecb[0] & ecb[2] or ecb[1] & ecb[2])
    # the llmfake texts left out of training were read in the training part only: nothing held out was relabelled
    assert not any(held_out(key) for key in train.LLMFAKE_NOT_NEGATIVE)


@pytest.mark.shared
@needs_shared
def test_every_ecb_topic_in_the_data_is_labelled():
    topics = {json.loads(line)["topic"] for line in (SHARED / "data" / "ecbplus" / "docs.jsonl").open(encoding="utf-8")}
    labelled = set(train.ECB_INCIDENT) | set(train.ECB_NOT_INCIDENT) | set(train.ECB_AMBIGUOUS)
    assert {int(t) for t in topics} == labelled


@pytest.mark.shared
@needs_shared
def test_held_out_figures():
    samples = [s for s in train.load(SHARED / "data") if s["held"]]
    assert {s["corpus"] for s in samples} == {"gva", "muc4", "ecbplus", "llmfake"}
    t = relevance.threshold()
    parsed = train.parses(samples)  # as the pipeline has them: the cleaned text, its parse
    scored = [(s, relevance.assess(text, s["title"], doc=doc)[0] >= t) for s, (text, doc) in zip(samples, parsed)]
    not_muc = [(s["label"], p) for s, p in scored if s["corpus"] != "muc4"]
    tp = sum(1 for y, p in not_muc if y and p)
    precision = tp / sum(p for _, p in not_muc)
    recall = tp / sum(y for y, _ in not_muc)
    assert 2 * precision * recall / (precision + recall) >= 0.95
    llmfake = [p for s, p in scored if s["corpus"] == "llmfake"]
    assert sum(llmfake) / len(llmfake) <= 0.03
