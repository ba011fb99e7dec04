"""Per-outlet aggregation (sources.jsonl) on the demo corpus."""

from __future__ import annotations

from corroborate.assess.sources import aggregate, outlet_of
from corroborate.records import Report


def test_outlet_falls_back_to_url_domain_then_unknown():
    assert outlet_of(Report(id="a", text="x", origin="a", source="Northwire", url="https://nw.example/x")) == "Northwire"
    assert outlet_of(Report(id="b", text="x", origin="b", url="https://www.nw.example/story/1")) == "nw.example"
    assert outlet_of(Report(id="c", text="x", origin="c")) == "unknown"


def test_demo_sources(demo_result):
    sources = {s.source: s for s in aggregate(demo_result.reports, demo_result.incidents)}
    assert sum(s.reports for s in sources.values()) == len(demo_result.reports) == 6
    gazette = sources["Millbrook Gazette"]  # the ferry fire, reported by no one else
    assert gazette.facts.single_source > 0
    assert gazette.facts.corroborated == gazette.facts.conflicting == 0
    assert gazette.single_source_share == 1.0
    assert "single_source_claims" not in gazette.signals  # alone in its incident: nothing compared
    pulse = sources["PulseNow"]
    assert pulse.signals["machine_generated"] >= 0.5
    # the market attack: killed 21 is conflicting, and every market outlet states a death toll
    market = next(i for i in demo_result.incidents if len(i.reports) > 1)
    killed = next(f for f in market.facts if f.slot == "killed")
    assert killed.status == "conflicting"
    stating = {p.report for p in killed.support + killed.dissent}
    for rid in stating:
        outlet = next(s for s in sources.values() if rid in s.report_ids)
        assert outlet.facts.conflicting >= 1
        total = sum(outlet.facts.model_dump().values())
        assert outlet.conflicting_share == round(outlet.facts.conflicting / total, 4)
    assert sources["unknown"].report_ids == ["coastline-daily"]  # a .txt file names no outlet
