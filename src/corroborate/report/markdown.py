"""``report.md``: the overview and each incident's facts as Markdown tables."""

from __future__ import annotations

from corroborate.report.view import fact_range, fact_value, overview, reports_by_id


def _cell(text: object) -> str:
    """Article text is untrusted: keep it from breaking the table or injecting markup."""
    value = str(text).replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")
    for char in "<>[]`*_":
        value = value.replace(char, "\\" + char)
    return value


def render_markdown(result) -> str:
    info = overview(result)
    by_id = reports_by_id(result.reports)
    lines = [
        "# corroborate report",
        "",
        f"{info['n_reports']} reports, {info['n_incidents']} incidents, {info['n_outlets']} outlets"
        + (f", {info['n_errors']} inputs rejected" if info["n_errors"] else "") + ".",
        "",
    ]
    for incident in result.incidents:
        lines += [
            f"## {_cell(incident.title or incident.id)}",
            "",
            f"`{incident.id}` · date: {_cell(incident.date or 'unknown')} · location: {_cell(incident.location or 'unknown')}"
            f" · {len(incident.reports)} report(s): " + ", ".join(_cell(f"{r} ({by_id[r].source or 'unknown source'})") for r in incident.reports),
            "",
        ]
        if incident.facts:
            lines += ["| slot | value | low–high | status | support | dissent |", "|---|---|---|---|---|---|"]
            for fact in incident.facts:
                support = "; ".join(f"{p.report}: “{p.text}”" for p in fact.support)
                dissent = "; ".join(f"{p.report}: “{p.text}”" for p in fact.dissent)
                lines.append(
                    f"| {fact.slot} | {_cell(fact_value(fact))} | {fact_range(fact)} | {fact.status}{' (revised)' if fact.revised else ''}"
                    f" | {_cell(support)} | {_cell(dissent)} |"
                )
            lines.append("")
        if incident.single_source_claims:
            lines += ["Claims only one report makes:", ""]
            lines += [f"- {_cell(p.report)}: “{_cell(p.text)}”" for p in incident.single_source_claims]
            lines.append("")
    if result.errors:
        lines += ["## Rejected inputs", ""]
        lines += [f"- {_cell(e.input)}: {_cell(e.message)}" for e in result.errors]
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"
