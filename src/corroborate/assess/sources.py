"""Per-outlet aggregation: ``sources.jsonl``.

Ground News rates outlets; corroborate rates each report and aggregates per
outlet. An outlet is the report's ``source``, else the domain of its ``url``,
else ``"unknown"``. For each outlet: the number of reports, the mean of each
numeric signal, and how its facts fared: each time one of its reports supports
or dissents from a reconciled fact, the fact's status is tallied.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence

from corroborate.records import Incident, Report, Source, SourceFacts
from corroborate.sources.readers import domain_of

#: a report's own signals
REPORT_SIGNALS = ("attribution_rate", "unnamed_source_rate", "vagueness", "specificity", "emotive", "machine_generated")
#: the means per outlet: a report's own signals, and the claims no other report of its incident
#: makes (counted from ``Incident.single_source_claims``, for reports in incidents of two or more)
SIGNALS = (*REPORT_SIGNALS, "single_source_claims")


def signal_values(report: Report) -> tuple[float | int | None, ...] | None:
    """The report's :data:`REPORT_SIGNALS`, in that order; None when it has no signals."""
    if report.signals is None:
        return None
    return tuple(getattr(report.signals, signal) for signal in REPORT_SIGNALS)


def outlet_of(report: Report) -> str:
    return report.source or domain_of(report.url) or "unknown"


class SourceTally:
    """:func:`aggregate`, fed one report and one incident at a time: a long run keeps per
    outlet only running sums and report ids, never the reports.

    ``outlets`` maps each report id to its outlet (:func:`outlet_of`), for the incidents'
    facts; reports and incidents may then come in any order.
    """

    def __init__(self, outlets: dict[str, str]) -> None:
        self.outlets = outlets
        self.ids: dict[str, list[str]] = defaultdict(list)
        self.sums: dict[str, dict[str, list]] = defaultdict(lambda: {s: [0.0, 0] for s in SIGNALS})
        self.tallies: dict[str, SourceFacts] = defaultdict(SourceFacts)
        self.signed: set[str] = set()  # the reports with signals
        self.claims: dict[str, int] = {}  # single-source claims of each report in an incident of two or more

    def add_report(self, report: Report) -> None:
        self.add_values(report.id, signal_values(report), outlet_of(report))

    def add_values(self, report_id: str, values: Sequence[float | int | None] | None, outlet: str | None = None) -> None:
        """One report, by its id and its :func:`signal_values` (None: no signals)."""
        name = self.outlets.get(report_id) or outlet or "unknown"
        self.outlets.setdefault(report_id, name)
        self.ids[name].append(report_id)
        sums = self.sums[name]
        if values is not None:
            self.signed.add(report_id)
        for signal, value in zip(REPORT_SIGNALS, values or ()):
            if value is not None:
                sums[signal][0] += value
                sums[signal][1] += 1

    def add_incident(self, incident: Incident) -> None:
        if len(incident.reports) > 1:
            alone = Counter(p.report for p in incident.single_source_claims)
            for rid in incident.reports:
                self.claims[rid] = alone.get(rid, 0)
        for fact in incident.facts:
            for rid in {p.report for p in fact.support} | {p.report for p in fact.dissent}:
                if rid in self.outlets:
                    tally = self.tallies[self.outlets[rid]]
                    setattr(tally, fact.status, getattr(tally, fact.status) + 1)

    def sources(self) -> list[Source]:
        """One :class:`Source` per outlet, most reports first (ties by name)."""
        for rid, n in self.claims.items():  # counted once both the reports and the incidents are in
            if rid in self.signed:
                running = self.sums[self.outlets[rid]]["single_source_claims"]
                running[0] += n
                running[1] += 1
        self.claims.clear()
        out = []
        for name, ids in sorted(self.ids.items(), key=lambda item: (-len(item[1]), item[0])):
            means = {signal: round(total / n, 4) for signal, (total, n) in self.sums[name].items() if n}
            facts = self.tallies[name]
            total = facts.corroborated + facts.discrepant + facts.conflicting + facts.single_source

            def share(n: int, total: int = total) -> float | None:
                return round(n / total, 4) if total else None

            out.append(Source(
                source=name, reports=len(ids), report_ids=list(ids), signals=means, facts=facts,
                corroborated_share=share(facts.corroborated), single_source_share=share(facts.single_source),
                conflicting_share=share(facts.conflicting),
            ))
        return out


def aggregate(reports: Iterable[Report], incidents: Iterable[Incident]) -> list[Source]:
    """One :class:`Source` per outlet, most reports first (ties by name)."""
    reports = list(reports) if not isinstance(reports, Sequence) else reports
    tally = SourceTally({r.id: outlet_of(r) for r in reports})
    for report in reports:
        tally.add_report(report)
    for incident in incidents:
        tally.add_incident(incident)
    return tally.sources()
