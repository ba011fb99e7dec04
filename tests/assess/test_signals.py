"""Reliability signals on real parses: rates, densities and their evidence spans."""

from __future__ import annotations

import pytest
from helpers import by_id, needs_shared

from corroborate.analyze.nlp import load_nlp
from corroborate.assess.signals import assess_report
from corroborate.records import Report


def assessed(text: str, title: str | None = None) -> Report:
    from corroborate.analyze import analyze_doc

    report = Report(id="t", text=text, title=title, origin="t")
    doc = load_nlp()(text)
    return assess_report(analyze_doc(report, doc), doc)


def test_every_evidence_span_slices_the_text(demo_result):
    for report in demo_result.reports:
        assert report.signals.evidence
        for e in report.signals.evidence:
            assert report.text[e.start : e.end] == e.text


def test_vagueness_counts_vague_words_not_hedged_numbers():
    vague = assessed("Numerous people were hurt, and some reports say the gunman reportedly fled. Police are searching the area now.")
    hedged = assessed("Some 40 people were hurt, and about 12 were taken to Mercy Hospital. Police are searching the area now.")
    assert {e.text.lower() for e in vague.signals.evidence if e.signal == "vagueness"} == {"numerous", "some reports", "reportedly"}
    assert vague.signals.vagueness == pytest.approx(100 * 3 / 18, rel=0.01)  # 18 words
    assert hedged.signals.vagueness == 0.0


def test_emotive_words_are_found_and_measured_per_100_words():
    report = assessed("The heinous and cowardly act left the town in shock. Officials said 3 people died on Main Street.")
    assert [e.text for e in report.signals.evidence if e.signal == "emotive"] == ["heinous", "cowardly act"]
    assert report.signals.emotive == pytest.approx(100 * 2 / 17, rel=0.01)  # 17 words ("3" is not one)


def test_specificity_counts_entities_per_100_words():
    specific = assessed("On March 3, 2024, police in Dayton, Ohio, said 4 people were shot outside the Oregon District bar.")
    vague = assessed("Something happened somewhere recently, and people are upset about it, they say, and want answers soon.")
    assert specific.signals.specificity > 20
    assert vague.signals.specificity < specific.signals.specificity / 4


def test_opinion_and_headline_sentences_leave_the_denominator():
    text = ("Gunman kills three at Dayton bar. "
            "Police Chief Maria Lopez said the gunman fired at least 20 rounds outside the bar. "
            "It is clear that the city must do more to stop this violence. "
            "The bar reopened on Friday after a week of repairs to its front windows.")
    report = assessed(text, title="Gunman kills three at Dayton bar")
    # the headline restatement and the opinion are not factual claims: 1 of 2 is attributed
    assert report.signals.factual_sentences == 2
    assert report.signals.attribution_rate == 0.5


def test_demo_unattributed_generated_report_scores_highest(demo_result):
    scores = {r.id: r.signals.machine_generated for r in demo_result.reports}
    assert max(scores, key=scores.get) == "pulse-now-0314"
    assert scores["pulse-now-0314"] >= 0.5
    assert all(v < 0.5 for k, v in scores.items() if k != "pulse-now-0314")
    pulse = by_id(demo_result, "pulse-now-0314")
    assert pulse.signals.attribution_rate == 0.0
    sentences = [e.text for e in pulse.signals.evidence if e.signal == "machine_generated"]
    assert any(s.startswith("In a developing story") for s in sentences)


def test_demo_attribution_rates(demo_result):
    herald = by_id(demo_result, "halvard-herald").signals
    watch = by_id(demo_result, "harbour-watch-0314").signals
    assert herald.attribution_rate > 0.3
    assert watch.attribution_rate == 0.0 and watch.unnamed_source_rate > 0.3


def test_single_source_claims_are_the_incidents_and_their_mean_is_the_outlets(demo_result):
    """Since contract 2.0 the claims no other report makes are the incident's, not a report signal;
    each outlet's mean counts them over its reports in incidents of two or more."""
    from corroborate.assess.sources import aggregate

    market = next(i for i in demo_result.incidents if len(i.reports) > 1)
    own = {rid: sum(1 for p in market.single_source_claims if p.report == rid) for rid in market.reports}
    assert own["pulse-now-0314"] >= 5
    assert all("single_source_claims" not in r.signals.model_dump() for r in demo_result.reports if r.signals)
    sources = {s.source: s for s in aggregate(demo_result.reports, demo_result.incidents)}
    pulse = by_id(demo_result, "pulse-now-0314")
    assert sources[pulse.source].signals["single_source_claims"] == own["pulse-now-0314"]  # its only report
    assert "single_source_claims" not in sources[by_id(demo_result, "millbrook-ferry-fire").source].signals  # alone in its incident


@needs_shared
def test_crocus_signals(crocus_000, crocus_004, crocus_incident):
    assert crocus_004.signals.machine_generated >= 0.5 > crocus_000.signals.machine_generated
    assert crocus_004.signals.attribution_rate < crocus_000.signals.attribution_rate
    assert crocus_004.signals.emotive > crocus_000.signals.emotive
    # the seeds are grouped apart by the linker (a known failure), so their single_source_claims
    # signal is unset; reconciled as the one incident they tell, each makes claims of its own
    alone = {p.report for p in crocus_incident.single_source_claims}
    assert {crocus_000.id, crocus_004.id} <= alone


@needs_shared
def test_crocus_evidence_names_the_sentences(crocus_000, crocus_004):
    machine = [e.text for e in crocus_004.signals.evidence if e.signal == "machine_generated"]
    assert any("it is evident that" in t for t in machine)
    named = [e.text for e in crocus_000.signals.evidence if e.signal == "attribution_rate"]
    assert any("according to CNN" in t for t in named)
