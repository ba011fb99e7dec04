"""What the human-readable reports show, computed once for both Markdown and HTML."""

from __future__ import annotations

from collections import Counter

from corroborate.records import Fact, Incident, Report

STATUS_ORDER = ("conflicting", "discrepant", "corroborated", "single_source")


def fact_range(fact: Fact) -> str:
    if fact.low is None and fact.high is None:
        return ""
    low = "?" if fact.low is None else str(fact.low)
    high = "∞" if fact.high is None else str(fact.high)
    return low if low == high else f"{low}–{high}"


def fact_value(fact: Fact) -> str:
    value = "—" if fact.value is None else str(fact.value)
    if fact.qualifier:
        value += f" ({fact.qualifier})"
    return value


def status_counts(incident: Incident) -> dict[str, int]:
    counts = Counter(f.status for f in incident.facts)
    return {s: counts[s] for s in STATUS_ORDER if counts[s]}


def overview(result) -> dict:
    outlets = {r.source for r in result.reports if r.source}
    return {
        "n_reports": len(result.reports),
        "n_incidents": len(result.incidents),
        "n_outlets": len(outlets),
        "n_errors": len(result.errors),
    }


def reports_by_id(reports: list[Report]) -> dict[str, Report]:
    return {r.id: r for r in reports}
