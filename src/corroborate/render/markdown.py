"""``report.md``: the overview and each incident's facts as Markdown tables."""

from __future__ import annotations

from collections.abc import Iterator

from corroborate.records import Report
from corroborate.render.view import (
    STATUS_MEANING,
    both_sides,
    derivation_graph,
    edge_text,
    fact_range,
    fact_sources,
    fact_value,
    incident_counts,
    member_text,
    node_label,
    outside_incidents,
    overview,
    provenance_note,
    quoted,
    report_sources,
    status_counts,
    why_outside,
)
from corroborate.spill import ById


def _cell(text: object) -> str:
    """Article text is untrusted: keep it from breaking the table or injecting markup."""
    value = str(text).replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")
    # angle brackets as entities: no renderer reads "&lt;script" as a tag, backslash escapes or not
    value = value.replace("<", "&lt;").replace(">", "&gt;")
    for char in "[]`*_":
        value = value.replace(char, "\\" + char)
    return value


def _provenance(p, copies=()) -> str:
    """A support or dissent item: "r1 (police, weight 0.80): “the span”"."""
    note = provenance_note(p, copies)
    return f"{p.report}{f' ({note})' if note else ''}: {quoted(p.text)}"


def render_markdown(result, sources: list | None = None) -> str:
    """``report.md`` as one string; ``sources``: the outlets (:func:`corroborate.assess.sources.aggregate`),
    if already computed."""
    return "".join(line + "\n" for line in iter_markdown(result, sources))


def iter_markdown(result, sources: list | None = None) -> Iterator[str]:
    """``report.md`` line by line (without newlines, no trailing blank line): a large run is
    written as it is rendered, reading its incidents back from disk twice."""
    blanks = 0
    for line in _lines(result, sources):
        if not line:
            blanks += 1
            continue
        yield from [""] * blanks
        blanks = 0
        yield line


def _lines(result, sources: list | None) -> Iterator[str]:
    from corroborate.assess.sources import aggregate

    info = overview(result)
    source_of = report_sources(result.reports)
    by_id: ById[Report] = ById(result.reports)
    yield from [
        "# corroborate report",
        "",
        f"{info['n_reports']} reports, {info['n_incidents']} incidents, {info['n_outlets']} outlets"
        + (f", {info['n_errors']} inputs rejected" if info["n_errors"] else "") + ".",
        "",
    ]
    if len(result.incidents):
        yield from ["| incident | date | location | reports | killed | injured | facts |", "|---|---|---|---:|---|---|---|"]
        for incident in result.incidents:
            heads = []
            for slot in ("killed", "injured"):
                fact = next((f for f in incident.facts if f.slot == slot), None)
                heads.append(f"{_cell(fact_value(fact))} ({fact.status.replace('_', ' ')})" if fact else "")
            statuses = ", ".join(f"{n} {s.replace('_', ' ')}" for s, n in status_counts(incident).items())
            yield (f"| {_cell(incident.title or incident.id)} | {_cell(incident.date or 'unknown')} | "
                   f"{_cell(incident.location or 'unknown')} | {len(incident.reports)} | {heads[0]} | {heads[1]} | {statuses} |")
        yield from ["", "Statuses:", ""]
        yield from (f"- {status.replace('_', ' ')}: {meaning}" for status, meaning in STATUS_MEANING.items())
        yield ""
    for incident in result.incidents:
        yield from [
            f"## {_cell(incident.title or incident.id)}",
            "",
            f"`{incident.id}` · date: {_cell(incident.date or 'unknown')} · location: {_cell(incident.location or 'unknown')}"
            f" · {len(incident.reports)} report(s): " + ", ".join(_cell(f"{r} ({source_of[r] or 'unknown source'})") for r in incident.reports),
            "",
            incident_counts(incident, by_id) + ".",
            "",
        ]
        if incident.facts:
            yield from ["| slot | value | low–high | status | support | dissent |", "|---|---|---|---|---|---|"]
            for fact in incident.facts:
                support = "; ".join(_provenance(p, fact.copies) for p in fact.support)
                dissent = "; ".join([*(_provenance(p) for p in fact.dissent), *both_sides(fact)])
                counted = fact_sources(fact)
                status = fact.status + (" (revised)" if fact.revised else "") + (f", {counted}" if counted else "")
                yield f"| {fact.slot} | {_cell(fact_value(fact))} | {fact_range(fact)} | {status} | {_cell(support)} | {_cell(dissent)} |"
            yield ""
        graph = derivation_graph(incident, by_id)
        if graph:
            nodes, edges = graph
            yield from ["Sources, one item per independent source (its copies collapsed into it):", ""]
            for members in nodes:
                yield f"- {_cell(node_label(members))}"
                if len(members) > 1:
                    yield from (f"  - {_cell(member_text(m))}" for m in members)
            yield from (f"- between sources: {_cell(edge_text(e))}" for e in edges)
            yield ""
        if incident.single_source_claims:
            yield from ["Claims only one report makes:", ""]
            yield from (f"- {_cell(p.report)}: {_cell(quoted(p.text))}" for p in incident.single_source_claims)
            yield ""
    outside = outside_incidents(result)
    if outside:
        yield from ["## Not incident reports", "",
                    ("Reports kept whole in reports.jsonl that joined no incident: not about a specific incident of harm, "
                     "not in English, or without text. Their counts are not incident facts."), "",
                    "| report | source | title | language | why |", "|---|---|---|---|---|"]
        for rid in outside:
            report = by_id[rid]
            yield (f"| {_cell(rid)} | {_cell(report.source or 'unknown')} | {_cell(report.title or '')} | "
                   f"{_cell(report.language or '')} | {_cell(why_outside(report))} |")
        yield ""
    if sources is None:
        sources = aggregate(result.reports, result.incidents)
    if sources:
        yield from ["## Outlets", "", "| outlet | reports | attribution rate | machine-written | facts corroborated | single source | conflicting |",
                    "|---|---:|---:|---:|---:|---:|---:|"]
        for src in sources:
            sig = src.signals
            rate = f"{sig['attribution_rate']:.2f}" if "attribution_rate" in sig else ""
            machine = f"{sig['machine_generated']:.2f}" if "machine_generated" in sig else ""
            yield (f"| {_cell(src.source)} | {src.reports} | {rate} | {machine} | {src.facts.corroborated} | "
                   f"{src.facts.single_source} | {src.facts.conflicting} |")
        yield ""
    if result.errors:
        yield from ["## Rejected inputs", ""]
        yield from (f"- {_cell(e.input)}: {_cell(e.message)}" for e in result.errors)
        yield ""
