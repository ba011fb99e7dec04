"""Reliability signals: attribution rate and the machine-written heuristic."""

from __future__ import annotations

from corroborate.assess.signals import machine_score
from helpers import by_id, needs_shared


def test_machine_score_moves_with_its_features():
    human = {"stock_per_100_words": 0.0, "attributed_share": 0.6, "sentence_length_cv": 0.6, "mean_word_length": 4.6}
    generated = {"stock_per_100_words": 2.0, "attributed_share": 0.0, "sentence_length_cv": 0.3, "mean_word_length": 5.3}
    assert machine_score(human) < 0.5 < machine_score(generated)


def test_demo_unattributed_generated_report_scores_highest(demo_result):
    scores = {r.id: r.signals.machine_generated for r in demo_result.reports}
    assert max(scores, key=scores.get) == "pulse-now-0314"
    assert scores["pulse-now-0314"] >= 0.5
    assert scores["halvard-herald"] < 0.5
    pulse = by_id(demo_result, "pulse-now-0314")
    assert pulse.signals.attribution_rate == 0.0
    assert {e.text.lower() for e in pulse.signals.evidence if e.signal == "machine_generated"} >= {"in a developing story", "it is evident that"}


def test_demo_attribution_rates(demo_result):
    herald = by_id(demo_result, "halvard-herald").signals
    watch = by_id(demo_result, "harbour-watch-0314").signals
    assert herald.attribution_rate > 0.3
    assert watch.attribution_rate == 0.0 and watch.unnamed_source_rate > 0.3


@needs_shared
def test_crocus_signals(crocus_000, crocus_004):
    assert crocus_004.signals.machine_generated >= 0.5 > crocus_000.signals.machine_generated
    assert crocus_004.signals.attribution_rate < crocus_000.signals.attribution_rate
