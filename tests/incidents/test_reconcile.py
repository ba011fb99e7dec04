"""Reconciliation: values, bounds, statuses and provenance of facts."""

from __future__ import annotations

from helpers import fact, incident_of, needs_shared

from corroborate.analyze.counts import extract_counts
from corroborate.incidents.reconcile import best_claim, reconcile
from corroborate.records import Count, Event, Report, RoleItem


def report(rid, text, counts=(), published=None, orgs=()):
    """A report whose counts are given as (category, phrase, value, low, high, hedge), located in text."""
    items = []
    for category, phrase, value, low, high, hedge in counts:
        start = text.index(phrase)
        items.append(Count(category=category, value=value, low=low, high=high, hedge=hedge, text=phrase, start=start, end=start + len(phrase)))
    events = []
    if orgs:
        roles = [RoleItem(text=name, start=text.index(name), end=text.index(name) + len(name), status=status) for name, status in orgs]
        events = [Event(type="bombing", perpetrator_organizations=roles)]
    return Report(id=rid, text=text, origin=rid, counts=items, published=published, events=events)


def killed(rid, phrase, value, low, high, hedge, published=None):
    return report(rid, f"Police said {phrase} in the blast.", [("killed", phrase, value, low, high, hedge)], published)


def test_single_source():
    f = fact(reconcile([killed("a", "5 people were killed", 5, 5, 5, "exact")]), "killed")
    assert (f.value, f.low, f.high, f.status) == (5, 5, 5, "single_source")


def test_same_exact_figure_is_corroborated():
    f = fact(reconcile([killed("a", "5 people were killed", 5, 5, 5, "exact"), killed("b", "5 people died", 5, 5, 5, "exact")]), "killed")
    assert (f.value, f.status, [p.report for p in f.support], f.dissent) == (5, "corroborated", ["a", "b"], [])


def test_same_figure_with_different_hedges_is_corroborated():
    f = fact(reconcile([killed("a", "at least 14 people were killed", 14, 14, None, "at_least"),
                        killed("b", "14 people were killed", 14, 14, 14, "exact")]), "killed")
    assert (f.value, f.low, f.high, f.status) == (14, 14, 14, "corroborated")


def test_hedges_that_allow_a_common_truth_are_discrepant():
    f = fact(reconcile([killed("a", "at least 40 people were killed", 40, 40, None, "at_least"),
                        killed("b", "at least 93 people were killed", 93, 93, None, "at_least")]), "killed")
    assert (f.value, f.low, f.high, f.status, f.revised) == (93, 93, None, "discrepant", False)
    assert {p.report for p in f.support} == {"a", "b"}


def test_incompatible_exact_figures_conflict():
    f = fact(reconcile([killed("a", "40 people were killed", 40, 40, 40, "exact"),
                        killed("b", "93 people were killed", 93, 93, 93, "exact")]), "killed")
    assert (f.status, f.low, f.high) == ("conflicting", 40, 93)
    assert len(f.support) == 1 and len(f.dissent) == 1


def test_a_later_higher_toll_is_a_revision_not_a_conflict():
    f = fact(reconcile([killed("early", "40 people were killed", 40, 40, 40, "exact", "2024-03-22T20:00:00"),
                        killed("late", "the toll rose to 133", 133, 133, 133, "exact", "2024-03-24T09:00:00")]), "killed")
    assert (f.value, f.status, f.revised) == (133, "discrepant", True)
    assert [p.report for p in f.dissent] == ["early"]


def test_only_asserted_tolls_of_this_incident_are_claims():
    text = "Police said 3 people were killed. Officials feared 50 could die. In all, 40 people have been killed this year."
    def count(phrase, value, **fields):
        start = text.index(phrase)
        return Count(category="killed", value=value, low=value, high=value, hedge="exact", text=phrase,
                     start=start, end=start + len(phrase), **fields)
    counts = [count("3 people were killed", 3, toll=0.9),
              count("50 could die", 50, modality="hypothetical", toll=0.7),
              count("40 people have been killed", 40, scope="aggregate", toll=0.2)]
    r = Report(id="a", text=text, origin="a", counts=counts)
    assert best_claim(r, "killed") is counts[0]
    f = fact(reconcile([r]), "killed")
    assert (f.value, f.status, [p.text for p in f.support]) == (3, "single_source", ["3 people were killed"])
    none = Report(id="b", text=text, origin="b", counts=counts[1:])
    assert best_claim(none, "killed") is None
    assert not [f for f in reconcile([none]).facts if f.slot == "killed"]


def test_provenance_spans_slice_the_report_text():
    a = killed("a", "at least 40 people were killed", 40, 40, None, "at_least")
    f = fact(reconcile([a]), "killed")
    assert a.text[f.support[0].start : f.support[0].end] == f.support[0].text == "at least 40 people were killed"


def test_claimed_against_denied_conflicts():
    a = report("a", "ISIS claimed the attack.", orgs=[("ISIS", "claimed")])
    b = report("b", "ISIS denied any role.", orgs=[("ISIS", "denied")])
    c = report("c", "ISIS claimed it again.", orgs=[("ISIS", "claimed")])
    f = fact(reconcile([a, b, c]), "perpetrator", "ISIS")
    assert (f.status, f.qualifier) == ("conflicting", "claimed")
    assert [p.report for p in f.support] == ["a", "c"] and [p.report for p in f.dissent] == ["b"]


def test_demo_incident_facts(demo_result):
    market = incident_of(demo_result, "halvard-herald")
    killed_fact = fact(market, "killed")
    assert (killed_fact.value, killed_fact.status) == (21, "conflicting")
    assert [p.report for p in killed_fact.dissent] == ["coastline-daily"]
    assert fact(market, "arrested").status == "single_source"
    btf = fact(market, "perpetrator", "Black Tide Front")
    assert (btf.status, btf.qualifier, len(btf.support)) == ("corroborated", "claimed", 5)
    assert fact(market, "perpetrator", "Free Coast Movement").status == "conflicting"
    # the most specific place the reports support: the market (Port Halvard and Norvania are
    # fictional, so the gazetteer gives the venue no city)
    where = fact(market, "location")
    assert (where.value, where.place.kind, where.status) == ("Eastgate Market", "venue", "corroborated")
    assert all(p.text == "Eastgate Market" for p in where.support)
    ferry = incident_of(demo_result, "millbrook-ferry-fire")
    assert (fact(ferry, "killed").value, fact(ferry, "injured").value) == (0, 3)


@needs_shared
def test_crocus_killed_is_discrepant_93(crocus_incident):
    incident = crocus_incident
    f = fact(incident, "killed")
    assert (f.value, f.low, f.status) == (93, 93, "discrepant")
    assert len({p.report for p in f.support}) == 2
    assert fact(incident, "perpetrator", "ISIS").status == "corroborated"
    assert (fact(incident, "arrested").value, fact(incident, "arrested").status) == (11, "single_source")


def test_incident_title_prefers_reports_not_flagged_as_machine_written(demo_result):
    market = incident_of(demo_result, "halvard-herald")
    # PulseNow published first, but reads as machine-written; Harbour Watch is the next earliest,
    # but its "At least 14 killed" contradicts the reconciled 21: the next title that does not
    assert fact(market, "killed").value == 21
    assert market.title == "Eastgate Market attack death toll rises to 21, six suspects arrested"


def parsed(nlp, *texts):
    """Reports "a", "b", ... of the given texts, with the counts the extractor finds in their parses."""
    return [Report(id=rid, text=text, origin=rid, counts=extract_counts(nlp(text))) for rid, text in zip("abcdefgh", texts)]


def test_people_named_one_by_one_do_not_conflict_with_a_larger_figure(nlp):
    # "a man was killed" names a victim, not the toll: it allows three killed
    reports = parsed(nlp, "Police said a gunman killed three people at the market on Monday.",
                     "He also shot and killed a man in his 20s who ran to help.")
    assert best_claim(reports[1], "killed").singular
    f = fact(reconcile(reports), "killed")
    assert (f.value, f.status, f.dissent) == (3, "discrepant", [])


def test_people_named_one_by_one_agree_with_each_other():
    one = Count(category="killed", value=1, low=1, high=1, hedge="exact", text="a man was killed", start=12, end=28, singular=True)
    reports = [Report(id=rid, text="Police said a man was killed.", origin=rid, counts=[one]) for rid in "ab"]
    f = fact(reconcile(reports), "killed")
    assert (f.value, f.low, f.high, f.status) == (1, 1, None, "corroborated")


def test_a_derived_injured_count_allows_fewer(nlp):
    # "four shot, one fatally" gives 3 injured unless more died: the report that says two died and two
    # others are recovering does not conflict with it
    reports = parsed(nlp, "Four people were shot inside an apartment on Tuesday, one fatally.",
                     "Four people were shot. Two people were killed and two others were injured.")
    assert best_claim(reports[0], "injured").derived
    f = fact(reconcile(reports), "injured")
    assert (f.value, f.status) == (2, "discrepant")


def test_exact_figures_still_conflict_beside_a_derived_count(nlp):
    reports = parsed(nlp, "Four people were shot inside an apartment on Tuesday, one fatally.",
                     "One person was killed and five others were injured in the shooting.")
    assert fact(reconcile(reports), "injured").status == "conflicting"


def test_a_count_that_may_leave_out_a_dead_gunman_allows_one_more(nlp):
    gunman, victims, plain = parsed(
        nlp, "Three people are dead, including the gunman, after a shooting spree on Sunday evening.",
        "Police have identified the two victims who were shot and killed during the rampage on Sunday.",
        "Three people were killed in the shooting on Sunday.")
    f = fact(reconcile([gunman, victims]), "killed")
    assert (f.value, f.status) == (3, "discrepant")
    # without a report saying the perpetrator died, the same figures conflict
    assert fact(reconcile([plain, victims]), "killed").status == "conflicting"


def test_a_later_higher_toll_revises_earlier_ones_even_when_they_are_more():
    early = killed("a", "four people were killed", 4, 4, 4, "exact", "2016-09-25")
    again = killed("b", "four people died", 4, 4, 4, "exact", "2016-09-27")
    later = killed("c", "five people were killed", 5, 5, 5, "exact", "2016-09-30")
    f = fact(reconcile([early, again, later]), "killed")
    assert (f.value, f.status, f.revised) == (5, "discrepant", True)
    assert [p.report for p in f.support] == ["c"] and [p.report for p in f.dissent] == ["a", "b"]
    # a later *lower* figure is no revision: that is a conflict
    lower = killed("d", "three people were killed", 3, 3, 3, "exact", "2016-10-02")
    f = fact(reconcile([early, again, lower]), "killed")
    assert (f.value, f.status, f.revised) == (4, "conflicting", False)
