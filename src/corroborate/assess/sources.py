"""Per-outlet aggregation: ``sources.jsonl``.

Ground News rates outlets; corroborate rates each report and aggregates per
outlet. An outlet is the report's ``source``, else the domain of its ``url``,
else ``"unknown"``. For each outlet: the number of reports, the mean of each
numeric signal, and how its facts fared: each time one of its reports supports
or dissents from a reconciled fact, the fact's status is tallied.
"""

from __future__ import annotations

from collections import defaultdict

from corroborate.ingest.readers import domain_of
from corroborate.records import Incident, Report, Source, SourceFacts

SIGNALS = ("attribution_rate", "unnamed_source_rate", "vagueness", "specificity", "emotive", "machine_generated",
           "single_source_claims")


def outlet_of(report: Report) -> str:
    return report.source or domain_of(report.url) or "unknown"


def aggregate(reports: list[Report], incidents: list[Incident]) -> list[Source]:
    """One :class:`Source` per outlet, most reports first (ties by name)."""
    by_outlet: dict[str, list[Report]] = defaultdict(list)
    outlet = {}
    for report in reports:
        name = outlet_of(report)
        by_outlet[name].append(report)
        outlet[report.id] = name
    tallies: dict[str, SourceFacts] = defaultdict(SourceFacts)
    for incident in incidents:
        for fact in incident.facts:
            for rid in {p.report for p in fact.support} | {p.report for p in fact.dissent}:
                if rid in outlet:
                    tally = tallies[outlet[rid]]
                    setattr(tally, fact.status, getattr(tally, fact.status) + 1)
    out = []
    for name, members in sorted(by_outlet.items(), key=lambda item: (-len(item[1]), item[0])):
        means = {}
        for signal in SIGNALS:
            values = [getattr(r.signals, signal) for r in members if r.signals is not None and getattr(r.signals, signal) is not None]
            if values:
                means[signal] = round(sum(values) / len(values), 4)
        facts = tallies[name]
        total = facts.corroborated + facts.discrepant + facts.conflicting + facts.single_source

        def share(n: int) -> float | None:
            return round(n / total, 4) if total else None

        out.append(Source(
            source=name, reports=len(members), report_ids=[r.id for r in members], signals=means, facts=facts,
            corroborated_share=share(facts.corroborated), single_source_share=share(facts.single_source),
            conflicting_share=share(facts.conflicting),
        ))
    return out
