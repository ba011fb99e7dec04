"""Attributions and cited outlets on the seeds and the demo corpus."""

from __future__ import annotations

from helpers import by_id, needs_shared

from corroborate.analyze.attributions import extract_attributions, find_quotes


def speakers(report):
    return {(a.speaker, a.speaker_type) for a in report.attributions}


def test_direct_quote_with_trailing_cue(nlp):
    text = "“We had nothing to do with this attack,” its spokesman Daniel Voss said."
    [a], cited = extract_attributions(nlp(text))
    assert (a.speaker, a.speaker_type, a.cue, a.direct) == ("Daniel Voss", "person", "said", True)
    assert a.content == "We had nothing to do with this attack,"
    assert text[a.start : a.end] == a.text == text
    assert cited == []


def test_indirect_speech_and_unnamed_source(nlp):
    text = "Officials said the market would stay closed. Reports indicate that the attackers fled."
    atts, _ = extract_attributions(nlp(text))
    assert [(a.speaker, a.speaker_type, a.cue, a.direct, a.content) for a in atts] == [
        ("Officials", "unnamed", "said", False, "the market would stay closed"),
        ("Reports", "unnamed", "indicate", False, "that the attackers fled"),
    ]


def test_pronoun_resolves_to_last_named_speaker(nlp):
    text = "“We will rebuild,” Mayor Ana Ruiz said. “Nobody will be forgotten,” she added."
    atts, _ = extract_attributions(nlp(text))
    assert [(a.speaker, a.cue) for a in atts] == [("Ana Ruiz", "said"), ("Ana Ruiz", "added")]


def test_event_verbs_without_speech_are_not_attributions(nlp):
    atts, _ = extract_attributions(nlp("The Black Tide Front claimed responsibility for the attack."))
    assert atts == []


def test_find_quotes_curly_and_straight():
    assert find_quotes('He said “yes” and "no".') == [(8, 13), (18, 22)]


def test_demo_unattributed_report_has_no_attributions(demo_result):
    report = by_id(demo_result, "pulse-now-0314")
    assert report.attributions == []
    assert report.cited_sources == []


def test_demo_named_sources(demo_result):
    herald = by_id(demo_result, "halvard-herald")
    assert ("Maria Okonjo", "person") in speakers(herald)
    assert ("Daniel Voss", "person") in speakers(herald)
    assert "Norvanian News Agency" in herald.cited_sources
    watch = by_id(demo_result, "harbour-watch-0314")
    assert {t for _, t in speakers(watch)} == {"unnamed"}


@needs_shared
def test_crocus_000_speakers_and_via(crocus_000):
    by_speaker = {a.speaker: a for a in crocus_000.attributions}
    for name in ("Adrienne Watson", "Watson", "Mykhailo Podolyak", "Dmitry Medvedev", "Andrey Vorobyov", "Vladimir Putin"):
        assert by_speaker[name].speaker_type == "person", name
    assert by_speaker["Adrienne Watson"].via == "CNN"
    assert by_speaker["Vladimir Putin"].content == "provocative"
    for item in crocus_000.attributions:
        assert crocus_000.text[item.start : item.end] == item.text


@needs_shared
def test_crocus_cited_outlets(crocus_000, crocus_004):
    assert {"CNN", "NBC News", "RIA Novosti", "Amaq", "The Daily Beast", "Telegram", "X"} <= set(crocus_000.cited_sources)
    assert crocus_004.cited_sources == []
    assert {a.speaker_type for a in crocus_004.attributions} == {"unnamed"}


def test_colon_introduced_multi_sentence_quote(nlp):
    text = "Podolyak wrote on X: “Ukraine has nothing to do with it. Terrorist attacks do not solve any problems.”"
    [a], cited = extract_attributions(nlp(text))
    assert (a.speaker, a.cue, a.direct) == ("Podolyak", "wrote", True)
    assert a.content == "Ukraine has nothing to do with it. Terrorist attacks do not solve any problems."
    assert cited == ["X"]


def test_indirect_speech_with_clausal_content(nlp):
    [a], _ = extract_attributions(nlp("Russia has said it believes Ukraine was involved."))
    assert (a.speaker, a.speaker_type, a.cue, a.direct, a.content) == ("Russia", "organization", "said", False, "it believes Ukraine was involved")


def test_according_to(nlp):
    [a], _ = extract_attributions(nlp("According to police, the gunman fled in a white car."))
    assert (a.speaker, a.cue, a.content) == ("police", "according to", "the gunman fled in a white car")


def test_speaker_title_is_dropped(nlp):
    text = "“They must all be found,” Russian Security Council Deputy Chairman Dmitry Medvedev said."
    [a], _ = extract_attributions(nlp(text))
    assert a.speaker == "Dmitry Medvedev"


def test_a_clause_on_the_speaker_is_not_the_speaker(nlp):
    text = ("Two people died and three were injured, according to the county prosecutor's office, "
            "which charged Gregory Lyle, 41, with two counts of murder.")
    atts, _ = extract_attributions(nlp(text))
    assert [(a.speaker, a.speaker_type) for a in atts] == [("prosecutor's office", "organization")], atts
