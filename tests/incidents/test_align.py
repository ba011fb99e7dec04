"""Single-source claims: sentences only one report of an incident makes."""

from __future__ import annotations

import pytest
from helpers import incident_of, needs_shared

from corroborate.analyze import embed
from corroborate.incidents.align import claims, single_source_claims
from corroborate.records import Report


def report(rid, text):
    return Report(id=rid, text=text, origin=rid)


A = report("a", "Gunmen opened fire on shoppers at the crowded Eastgate Market on Saturday morning. "
                "Drone footage circulating online shows thick smoke rising above the market district.")
B = report("b", "Gunmen opened fire at the crowded Eastgate Market on Saturday, police said. "
                "The interior minister promised a full inquiry into security failures at the market.")


def test_shared_sentence_is_not_single_source_and_spans_slice():
    found = single_source_claims([A, B])
    assert [(p.report, p.text) for p in found] == [
        ("a", "Drone footage circulating online shows thick smoke rising above the market district."),
        ("b", "The interior minister promised a full inquiry into security failures at the market."),
    ]
    for p in found:
        source = A if p.report == "a" else B
        assert source.text[p.start : p.end] == p.text


def test_one_report_incident_has_no_single_source_claims():
    assert single_source_claims([A]) == []


def test_short_sentences_are_not_claims():
    assert claims(report("c", "Police said so. It was late.")) == []


def test_demo_unattributed_report_extras_are_single_source(demo_result):
    market = incident_of(demo_result, "halvard-herald")
    texts = {p.text for p in market.single_source_claims}
    assert "Drone footage circulating online shows thick smoke rising above the market district." in texts
    assert any(t.startswith("Calls for a nationwide curfew") for t in texts)
    assert not any(t.startswith("At least 12 people were killed") for t in texts)


@needs_shared
def test_crocus_004_extra_claims_are_single_source(crocus_incident):
    incident = crocus_incident
    by_report = {}
    for p in incident.single_source_claims:
        by_report.setdefault(p.report[:3], []).append(p.text)
    assert any("close-circle video footage" in t for t in by_report["004"])
    assert any("calls for a state of emergency" in t for t in by_report["004"])
    assert not any(t.startswith("The terrorist group ISIS has claimed responsibility") for t in by_report["000"])


needs_embed = pytest.mark.skipif(not embed.available(), reason="the optional 'embed' extra is not installed")
FERRY = report("f", "Firefighters pulled three crew members from the burning ferry before dawn on Tuesday. "
                    "The harbour master said the ferry had passed its safety inspection in March.")
RESCUE = report("r", "Before sunrise on Tuesday, rescuers brought a trio of sailors out of the vessel, which was on fire.")


def test_lexical_alignment_misses_a_paraphrase():
    assert [p.report for p in single_source_claims([FERRY, RESCUE])] == ["f", "f", "r"]


@needs_embed
def test_semantic_alignment_finds_the_paraphrase_and_keeps_the_new_claim():
    found = single_source_claims([FERRY, RESCUE], embed.load_embedder())
    assert [(p.report, p.text) for p in found] == [
        ("f", "The harbour master said the ferry had passed its safety inspection in March.")
    ]
    assert FERRY.text[found[0].start : found[0].end] == found[0].text


@needs_embed
@needs_shared
def test_crocus_004_extra_claims_stay_single_source_with_embeddings(crocus_result):
    from corroborate.incidents.reconcile import reconcile

    incident = reconcile(crocus_result.reports, ident="inc-crocus", embedder=embed.load_embedder())
    assert incident.alignment == "lexical+semantic"
    texts = [p.text for p in incident.single_source_claims if p.report.startswith("004")]
    assert any("close-circle video footage" in t for t in texts)
    assert any("calls for a state of emergency" in t for t in texts)
