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


def report_sources(reports) -> dict[str, str | None]:
    """Each report's ``source`` by id, without holding the reports (a store keeps it aside)."""
    from corroborate.store import JsonlStore

    if isinstance(reports, JsonlStore) and reports.extra is not None:
        return dict(zip(reports.ids, reports.extra))
    return {r.id: r.source for r in reports}


def overview(result) -> dict:
    outlets = {s for s in report_sources(result.reports).values() if s}
    return {
        "n_reports": len(result.reports),
        "n_incidents": len(result.incidents),
        "n_outlets": len(outlets),
        "n_errors": len(result.errors),
    }


def outside_incidents(result) -> list[str]:
    """The ids of the reports that joined no incident (not about an incident, not in English, or
    no text), in input order: listed in their own section, so that nothing is hidden."""
    from corroborate.store import record_ids

    inside = {rid for incident in result.incidents for rid in incident.reports}
    return [rid for rid in record_ids(result.reports) if rid not in inside]


def why_outside(report: Report) -> str:
    """Why a report joined no incident, in words."""
    if not report.text:
        return "no article text"
    if report.incident is None:
        return f"not analyzed: language '{report.language}'" if report.language else "not assessed"
    return f"incident probability {report.incident.probability:.2f}, below the threshold"


def signal_rows(signals) -> list[tuple[str, float, float, str]]:
    """(label, value, bar full scale, format) for each numeric signal shown as a bar."""
    rows = [
        ("attribution rate", signals.attribution_rate, 1.0, "%.2f"),
        ("unnamed-source rate", signals.unnamed_source_rate, 1.0, "%.2f"),
        ("vagueness /100 words", signals.vagueness, 3.0, "%.1f"),
        ("specificity /100 words", signals.specificity, 20.0, "%.1f"),
        ("emotive /100 words", signals.emotive, 3.0, "%.1f"),
        ("machine-written likelihood", signals.machine_generated, 1.0, "%.2f"),
    ]
    return [row for row in rows if row[1] is not None]  # null: not measured (a record from contract 1.0)
