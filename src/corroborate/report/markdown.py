"""``report.md``: the overview and each incident's facts as Markdown tables."""

from __future__ import annotations

from collections.abc import Iterator

from corroborate.report.view import (
    fact_range,
    fact_value,
    outside_incidents,
    overview,
    report_sources,
    status_counts,
    why_outside,
)
from corroborate.store import ById


def _cell(text: object) -> str:
    """Article text is untrusted: keep it from breaking the table or injecting markup."""
    value = str(text).replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")
    # angle brackets as entities: no renderer reads "&lt;script" as a tag, backslash escapes or not
    value = value.replace("<", "&lt;").replace(">", "&gt;")
    for char in "[]`*_":
        value = value.replace(char, "\\" + char)
    return value


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
        yield ""
    for incident in result.incidents:
        yield from [
            f"## {_cell(incident.title or incident.id)}",
            "",
            f"`{incident.id}` · date: {_cell(incident.date or 'unknown')} · location: {_cell(incident.location or 'unknown')}"
            f" · {len(incident.reports)} report(s): " + ", ".join(_cell(f"{r} ({source_of[r] or 'unknown source'})") for r in incident.reports),
            "",
        ]
        if incident.facts:
            yield from ["| slot | value | low–high | status | support | dissent |", "|---|---|---|---|---|---|"]
            for fact in incident.facts:
                support = "; ".join(f"{p.report}: “{p.text}”" for p in fact.support)
                dissent = "; ".join(f"{p.report}: “{p.text}”" for p in fact.dissent)
                yield (
                    f"| {fact.slot} | {_cell(fact_value(fact))} | {fact_range(fact)} | {fact.status}{' (revised)' if fact.revised else ''}"
                    f" | {_cell(support)} | {_cell(dissent)} |"
                )
            yield ""
        if incident.single_source_claims:
            yield from ["Claims only one report makes:", ""]
            yield from (f"- {_cell(p.report)}: “{_cell(p.text)}”" for p in incident.single_source_claims)
            yield ""
    outside = outside_incidents(result)
    if outside:
        by_id = ById(result.reports)
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
