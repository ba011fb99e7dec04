"""Derived reports and independent sources (contract 1.6), through the real pipeline.

The stories are this project's own writing: a wire story, an independent local report of the
same shooting, and copies of the wire story.
"""

from __future__ import annotations

import json

import pytest
from helpers import CROCUS, fact, needs_shared

import corroborate
from corroborate.incidents import derive
from corroborate.incidents.reconcile import evidence_weight, title_tolls
from corroborate.records import Report

WIRE = """Two killed, three wounded in Lakeport warehouse shooting

LAKEPORT, Maine (AP) — Two people were killed and three others were wounded when a gunman opened fire inside a shipping warehouse in Lakeport on Thursday afternoon, police said.

Police Chief Dana Whitfield said officers arrived within four minutes of the first call and arrested a 41-year-old former employee, Gregory Lyle, in the parking lot.

The wounded were taken to Lakeport Memorial Hospital, where two were listed in serious condition. Whitfield said a handgun was recovered at the scene.

Investigators have not said what led to the shooting. The company said in a statement that it was cooperating with the police and had closed the warehouse until next week.
"""

OWN = """Former worker held after deadly Lakeport warehouse attack

Detectives in Lakeport spent Friday piecing together how a dismissed employee walked into a harbor-side shipping depot with a pistol on Thursday. Two people died and three were injured, according to the county prosecutor's office, which charged Gregory Lyle, 41, with two counts of murder.

Co-workers described hearing loud bangs near the loading dock around 2 p.m. and hiding in a break room until officers came. One of them, forklift driver Ana Reyes, said Lyle had been let go in March after a dispute with a supervisor.

A judge ordered Lyle held without bail at his first court appearance. His public defender declined to comment.
"""

PICKUP_LEAD = "A deadly shooting in a Maine port town left families waiting for news late Thursday.\n\n"


def _run(tmp_path, rows: list[dict]):
    path = tmp_path / "reports.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    result = corroborate.run([path])
    assert not result.errors, result.errors
    return result


def _only_incident(result):
    assert len(result.incidents) == 1, [i.reports for i in result.incidents]
    return result.incidents[0]


def test_three_copies_of_one_story_are_one_independent_source(tmp_path):
    rows = [{"id": f"copy{k}", "text": WIRE, "source": outlet, "published": "2025-03-06"}
            for k, outlet in enumerate(["Lakeport Herald", "Coast News", "Daily Wire"])]
    result = _run(tmp_path, rows)
    incident = _only_incident(result)
    assert incident.source_groups == [["copy0", "copy1", "copy2"]]
    assert incident.outlets == 3
    killed = fact(incident, "killed")
    assert (killed.value, killed.status, killed.independent_sources) == (2, "single_source", 1)
    assert killed.copies == ["copy1", "copy2"]  # the copies, listed
    assert {p.report for p in killed.support} == {"copy0", "copy1", "copy2"}
    assert all(f.status != "corroborated" for f in incident.facts)
    # no outlet is corroborated by the copies of its own story
    assert {s.source: s.corroborated_share for s in result.sources} == {"Lakeport Herald": 0.0, "Coast News": 0.0, "Daily Wire": 0.0}
    by_id = {r.id: r for r in result.reports}
    assert by_id["copy0"].derived_from == []
    link = by_id["copy1"].derived_from[0]
    assert (link.report, link.relation, link.share) == ("copy0", "copy", 1.0)
    for report in result.reports:  # every reused passage slices both texts exactly
        for d in report.derived_from:
            source = by_id[d.report]
            for span in d.spans:
                assert report.text[span.start : span.end] == span.text
                assert source.text[span.source_start : span.source_end] == span.text  # a copy: the same words


def test_two_independent_reports_with_the_same_figure_are_two_sources(tmp_path):
    result = _run(tmp_path, [{"id": "wire", "text": WIRE, "source": "AP", "published": "2025-03-06"},
                             {"id": "own", "text": OWN, "source": "Lakeport Herald", "published": "2025-03-07"}])
    incident = _only_incident(result)
    assert incident.source_groups == [["wire"], ["own"]]
    assert all(r.derived_from == [] for r in result.reports)
    killed = fact(incident, "killed")
    assert (killed.value, killed.status, killed.independent_sources, killed.copies) == (2, "corroborated", 2, [])
    single = fact(incident, "arrested")
    assert single.independent_sources == 1 and single.status == "single_source"
    assert killed.confidence > single.confidence > 0  # two independent witnesses weigh more than one
    assert "2 independent" not in killed.rule


def test_a_copy_that_changes_the_figure_is_one_source_disagreeing_with_itself(tmp_path):
    changed = WIRE.replace("Two killed", "Three killed").replace("Two people were killed", "Three people were killed")
    result = _run(tmp_path, [{"id": "wire", "text": WIRE, "source": "AP", "published": "2025-03-06"},
                             {"id": "changed", "text": changed, "source": "Coast News", "published": "2025-03-06"}])
    incident = _only_incident(result)
    by_id = {r.id: r for r in result.reports}
    # the copy credits AP, the other's outlet: it is the derived one
    assert [(d.report, d.relation, d.direction) for d in by_id["changed"].derived_from] == [("wire", "copy", "credit")]
    killed = fact(incident, "killed")
    assert killed.status == "single_source" and killed.independent_sources == 1
    assert [p.report for p in killed.dissent] == ["changed"]  # the copy's figure stays, as dissent ...
    assert "one source disagreeing with itself" in killed.rule  # ... and the rule says why it is no conflict
    assert killed.dissent[0].source_group == killed.support[0].source_group == 0


def test_an_edited_pickup_is_found_with_exact_passages(tmp_path):
    sentences = WIRE.split("\n\n")
    pickup = PICKUP_LEAD + "\n\n".join([sentences[0], sentences[2], sentences[1], sentences[4]])
    # the source is not AP (the "(AP)" both carry credits neither), so the earlier publication decides
    result = _run(tmp_path, [{"id": "wire", "text": WIRE, "source": "Maine Wire", "published": "2025-03-06"},
                             {"id": "pickup", "text": pickup, "source": "Coast News", "published": "2025-03-07"}])
    by_id = {r.id: r for r in result.reports}
    (link,) = by_id["pickup"].derived_from
    assert (link.report, link.direction) == ("wire", "published")
    assert link.relation in ("copy", "partial") and 0.6 < link.share < 1.0  # its own lead is not in the wire story
    for span in link.spans:
        assert by_id["pickup"].text[span.start : span.end] == span.text
        assert by_id["wire"].text[span.source_start : span.source_end].split() == span.text.split()
    assert PICKUP_LEAD.strip() not in " ".join(s.text for s in link.spans)


def test_two_reports_that_both_say_police_said_rest_on_one_origin():
    one = Report(id="a", origin="t", text="Seven people were shot at the club, police said.")
    two = Report(id="b", origin="t", text="A man was arrested on Friday, officers said.")
    from corroborate.incidents.reconcile import by_sources
    from corroborate.records import Attribution, Fact, Provenance

    one = one.model_copy(update={"attributions": [Attribution(text=one.text, start=0, end=len(one.text), speaker="police",
                                                              speaker_type="organization", cue="said", content="", direct=False)]})
    two = two.model_copy(update={"attributions": [Attribution(text=two.text, start=0, end=len(two.text), speaker="officers",
                                                              speaker_type="organization", cue="said", content="", direct=False)]})
    item = Fact(slot="location", value="club", status="corroborated", rule="r",
                support=[Provenance(report="a", text="Seven", start=0, end=5), Provenance(report="b", text="A man", start=0, end=5)])
    judged = by_sources(item, {"a": 0, "b": 1}, {"a": one, "b": two}, {"a": 0.6, "b": 0.6})
    assert judged.independent_sources == 2 and judged.status == "corroborated"
    assert judged.origins == ["police"] and judged.independent_origins == 1  # both rest on the police
    assert judged.confidence == pytest.approx(0.6)  # one origin: no more than one witness's weight


def test_near_identical_reports_of_other_stories_are_not_derived():
    wire = Report(id="w", origin="t", text=WIRE)
    own = Report(id="o", origin="t", text=OWN)
    assert derive.derivation(wire, own) is None


def test_a_title_that_contradicts_the_reconciled_toll_is_not_the_incident_title():
    assert dict(title_tolls("At least 14 killed in Moscow concert hall attack")) == {"killed": {14}}
    assert dict(title_tolls("Two dead, three hurt in shooting")) == {"killed": {2}, "injured": {3}}
    assert dict(title_tolls("Police: 2013 shooting suspect arrested")) == {}
    from corroborate.incidents.reconcile import _title
    from corroborate.records import Fact

    early = Report(id="a", origin="t", text="x", title="At least 14 killed in concert hall attack", published="2024-03-22")
    late = Report(id="b", origin="t", text="x", title="Concert hall attack toll rises", published="2024-03-23")
    killed = Fact(slot="killed", value=21, status="discrepant", rule="r")
    assert _title([early, late], [killed]) == "Concert hall attack toll rises"
    assert _title([early], [killed, Fact(slot="type", value="armed_assault", status="single_source", rule="r")]) == "Armed assault: 21 killed"


@needs_shared
def test_the_seeds_are_independent_texts_and_the_machine_like_one_weighs_less():
    from corroborate.sources import iter_inputs

    raws = {r.id.split("_")[0]: r for r in iter_inputs([CROCUS]) if hasattr(r, "text")}
    result = corroborate.run([CROCUS])
    by_id = {r.id.split("_")[0]: r for r in result.reports}
    assert set(by_id) >= {"000", "004"}, raws.keys()
    assert derive.derivation(by_id["000"], by_id["004"]) is None
    assert all(r.derived_from == [] for r in result.reports)
    assert evidence_weight(by_id["004"]) < evidence_weight(by_id["000"]) / 2
    weights = {p.report.split("_")[0]: p.weight for i in result.incidents for f in i.facts for p in f.support}
    assert weights["004"] < weights["000"]


def test_two_stories_crediting_one_wire_are_one_source_whatever_their_words():
    ap_one = Report(id="a", origin="t", text="CLEVELAND (AP) — A third juror in the barbershop slayings trial was dismissed today.")
    ap_two = Report(id="b", origin="t", text="CLEVELAND (AP) — A man accused in the barbershop slayings faces new charges in two other shootings.")
    own = Report(id="c", origin="t", text="Our reporter was at the courthouse when the judge spoke to the jury on Wednesday.")
    assert derive.wire_of(ap_one) == derive.wire_of(ap_two) == "apnews" and derive.wire_of(own) is None
    assert derive.within([ap_one, ap_two, own]) == {}  # no text reuse ...
    assert derive.source_groups([ap_one, ap_two, own], {}) == [["a", "b"], ["c"]]  # ... but one agency


@needs_shared
def test_training_reproduces_the_shipped_reuse_detector(tmp_path):
    """``make train-derive`` rebuilds the shipped file (fixed seed, one thread): byte for byte on the
    machine that trained it; on another CPU, the fitted floats may differ in their last bit (the
    Platt intercept did: 0.2382227749426396 against ...966), so numbers agree to 1e-12, relatively,
    and everything else exactly."""
    import json
    from importlib import resources

    from corroborate.incidents.train_derive import train
    from corroborate.learned import write_json_model

    out = write_json_model("corroborate.incidents", "data/derive.json", train(CROCUS.parents[1] / "data", log=lambda *_: None),
                           tmp_path / "derive.json")
    shipped = json.loads(resources.files("corroborate.incidents").joinpath("data/derive.json").read_text(encoding="utf-8"))
    _assert_same_model(json.loads(out.read_text(encoding="utf-8")), shipped)


def _assert_same_model(a, b, path="model") -> None:
    """The same JSON tree; floats equal to a relative 1e-12."""
    if isinstance(a, float) or isinstance(b, float):
        assert a == pytest.approx(b, rel=1e-12, abs=1e-15), path
    elif isinstance(a, dict):
        assert isinstance(b, dict) and sorted(a) == sorted(b), path
        for key in a:
            _assert_same_model(a[key], b[key], f"{path}.{key}")
    elif isinstance(a, list):
        assert isinstance(b, list) and len(a) == len(b), path
        for k, (x, y) in enumerate(zip(a, b)):
            _assert_same_model(x, y, f"{path}[{k}]")
    else:
        assert a == b, path


def test_near_copies_are_pairs_with_close_publication(tmp_path):
    """The linker's candidate pairs that are near-copies (shingle Jaccard 0.5 or more) published
    within a month are handed to the reuse detector, whatever incidents they end in; a copy a
    year on (a story retold) is not."""
    from corroborate.incidents.cluster import cluster_features, features

    result = _run(tmp_path, [{"id": "wire", "text": WIRE, "published": "2025-03-06"},
                             {"id": "pickup", "text": WIRE, "published": "2025-03-07"},
                             {"id": "year-on", "text": WIRE, "published": "2026-03-07"}])
    stats: dict = {}
    cluster_features([features(r) for r in result.reports], stats=stats)
    assert sorted(stats["near_copies"]) == [(0, 1)]


def _embedder():
    from corroborate.analyze.embed import available, load_embedder

    if not available():
        pytest.skip("needs the optional embed extra (make install installs it)")
    return load_embedder()


def test_with_embeddings_copies_stay_found_and_independent_reports_independent():
    """``--embeddings`` adds to what words find, never takes it away."""
    embedder = _embedder()
    wire = Report(id="wire", origin="t", text=WIRE, published="2025-03-06")
    sentences = WIRE.split("\n\n")
    pickup = Report(id="pickup", origin="t", published="2025-03-07",
                    text=PICKUP_LEAD + "\n\n".join([sentences[0], sentences[2], sentences[1], sentences[4]]))
    own = Report(id="own", origin="t", text=OWN, published="2025-03-07")
    found = derive.within([wire, pickup, own], embedder=embedder)
    assert list(found) == ["pickup"] and found["pickup"][0].report == "wire"
    assert derive.load_detector(True).semantic and not derive.load_detector(False).semantic


@needs_shared
def test_with_embeddings_more_held_out_paraphrases_and_rewrites_are_found():
    """The held-out CoAID paraphrases and rewrites (ChatGPT's, of human articles): words alone find
    18 of 34, the embedding variant more; no article is taken for a copy of another."""
    import csv
    from itertools import pairwise

    from corroborate.splits import held_out, llmfake_key

    embedder = _embedder()
    csv.field_size_limit(10**9)
    pairs = []
    for kind in ("paraphrase", "rewrite"):
        path = CROCUS.parents[1] / "data" / "llmfake" / f"coaid__synthetic-gpt-3.5-turbo_coaid_{kind}_generation_processed.csv"
        for row in csv.DictReader(path.open(encoding="utf-8")):
            human, machine = row["news_text"], row["synthetic_misinformation"]
            if human and machine and human.strip() != machine.strip() and held_out(llmfake_key("coaid", row["news_id"])):
                pairs.append((Report(id="human", origin="t", text=human), Report(id="machine", origin="t", text=machine)))
    assert len(pairs) == 34
    by_words = sum(bool(derive.within(list(pair))) for pair in pairs)
    with_embeddings = [derive.within(list(pair), embedder=embedder) for pair in pairs]
    assert by_words == 18
    assert sum(map(bool, with_embeddings)) >= 24  # 26 when the model was trained
    for (human, machine), found in zip(pairs, with_embeddings):
        for links in found.values():
            for link in links:
                derived = machine if link.report == "human" else human
                assert all(derived.text[s.start : s.end] == s.text for s in link.spans)
    articles = [human for human, _ in pairs[:17]]
    others = [(a.model_copy(update={"id": "other"}), b) for a, b in pairwise(articles)]
    assert not any(derive.within(list(pair), embedder=embedder) for pair in others)
