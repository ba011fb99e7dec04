"""What the human-readable reports show, computed once for both Markdown and HTML."""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass

from corroborate.assess.sources import outlet_of
from corroborate.records import Derivation, Fact, Incident, Provenance, Report

STATUS_ORDER = ("conflicting", "discrepant", "corroborated", "single_source")
#: what each status means, for the legends of report.html and report.md
STATUS_MEANING = {
    "corroborated": "two or more independent sources give the value",
    "discrepant": "sources differ, but their figures can all be true (\"at least 40\" and \"at least 93\", "
                  "or an earlier toll revised later)",
    "conflicting": "independent sources give values that cannot all be true",
    "single_source": "only one independent source gives the value (copies of one story count once)",
}
#: quotation marks: a span that already begins or ends with one is shown without another pair
QUOTE_MARKS = "\"“”'‘’«»"


def plural(n: int, word: str, words: str | None = None) -> str:
    """"1 report", "3 reports"; ``words``: an irregular plural ("copies")."""
    return f"{n} {word if n == 1 else words or word + 's'}"


def fact_range(fact: Fact) -> str:
    """"12–14", "12" for one value, "≥ 12" (or "≤ 14") for an open bound; "" without bounds."""
    if fact.low is None and fact.high is None:
        return ""
    if fact.high is None:
        return f"≥ {fact.low}"
    if fact.low is None:
        return f"≤ {fact.high}"
    return str(fact.low) if fact.low == fact.high else f"{fact.low}–{fact.high}"


def fact_sources(fact: Fact) -> str:
    """"2 independent sources, confidence 0.83"; "" for a record before 1.6."""
    parts = []
    if fact.independent_sources is not None:
        parts.append(plural(fact.independent_sources, "independent source"))
    if fact.confidence is not None:
        parts.append(f"confidence {fact.confidence:.2f}")
    return ", ".join(parts)


def provenance_note(p: Provenance, copies: Collection[str] = ()) -> str:
    """Who the report attributes the value to, its weight, and whether it only repeats a source
    already counted (its id in ``copies``): "police, weight 0.80, a copy: not counted again"."""
    parts = [p.origin] if p.origin else []
    if p.weight is not None:
        parts.append(f"weight {p.weight:.2f}")
    if p.report in copies:
        parts.append("a copy: not counted again")
    return ", ".join(parts)


def both_sides(fact: Fact) -> list[str]:
    """Why a report is in both support and dissent of the fact, one note per such report."""
    dissenting = {p.report for p in fact.dissent}
    what = "figures" if isinstance(fact.value, int) or fact.low is not None else "values"
    both = dict.fromkeys(p.report for p in fact.support if p.report in dissenting)
    return [f"report {rid} both supports and dissents: it gives several {what}" for rid in both]


def is_quoted(text: str) -> bool:
    """True when ``text`` already begins or ends with a quotation mark."""
    return bool(text) and (text[0] in QUOTE_MARKS or text[-1] in QUOTE_MARKS)


def quoted(text: str) -> str:
    """``text`` in quotation marks, unless it already begins or ends with one."""
    return text if is_quoted(text) else f"“{text}”"


def fact_value(fact: Fact) -> str:
    value = "—" if fact.value is None else str(fact.value)
    if fact.qualifier:
        value += f" ({fact.qualifier})"
    return value


def status_counts(incident: Incident) -> dict[str, int]:
    counts: Counter[str] = Counter(f.status for f in incident.facts)
    return {s: counts[s] for s in STATUS_ORDER if counts[s]}


def incident_counts(incident: Incident, by_id) -> str:
    """"5 reports, 3 outlets, 2 independent sources" (the last part only from contract 1.6 on)."""
    outlets = incident.outlets
    if outlets is None:
        outlets = len({outlet_of(by_id[rid]) for rid in incident.reports})
    parts = [plural(len(incident.reports), "report"), plural(outlets, "outlet")]
    if incident.source_groups:
        parts.append(plural(len(incident.source_groups), "independent source"))
    return ", ".join(parts)


@dataclass
class Member:
    """A report of a source group, and its derivations from reports of the same group."""

    id: str
    outlet: str
    derived: list[Derivation]


@dataclass
class Edge:
    """A derivation between two source groups (indexes into the nodes): ``report`` reuses
    ``derivation.report``."""

    source: int
    target: int
    report: str
    derivation: Derivation


def derivation_text(d: Derivation) -> str:
    """"copy of r1 (92%)": the share is that of the derived report's text found in the source."""
    return f"{d.relation} of {d.report} ({d.share:.0%})"


def node_label(members: list[Member]) -> str:
    """A source group: its first report's outlet and id, and "+N copies" for the others."""
    label = f"{members[0].outlet} · {members[0].id}"
    return label if len(members) == 1 else f"{label} +{plural(len(members) - 1, 'copy', 'copies')}"


def member_text(member: Member) -> str:
    """"r2 (Daily Star): copy of r1 (92%)"; a report that reuses no other of its group is its source."""
    how = ", ".join(derivation_text(d) for d in member.derived) or "source"
    return f"{member.id} ({member.outlet}): {how}"


def edge_text(edge: Edge) -> str:
    return f"{edge.report} {derivation_text(edge.derivation)}"


def derivation_graph(incident: Incident, by_id) -> tuple[list[list[Member]], list[Edge]] | None:
    """The incident's source groups as nodes (a group's copies collapsed into it) and the
    derivations between groups as edges (the strongest one per pair of groups); None for an
    incident of one report, or a record without source groups (before 1.6)."""
    if len(incident.reports) < 2 or not incident.source_groups:
        return None
    node_of = {rid: k for k, group in enumerate(incident.source_groups) for rid in group}
    nodes: list[list[Member]] = []
    edges: dict[tuple[int, int], Edge] = {}
    for k, group in enumerate(incident.source_groups):
        members = []
        for rid in group:
            report = by_id[rid]
            members.append(Member(rid, outlet_of(report), [d for d in report.derived_from if node_of.get(d.report) == k]))
            for d in report.derived_from:
                j = node_of.get(d.report, k)
                if j != k and ((j, k) not in edges or d.share > edges[j, k].derivation.share):
                    edges[j, k] = Edge(j, k, rid, d)
        nodes.append(members)
    return nodes, list(edges.values())


def report_sources(reports) -> dict[str, str | None]:
    """Each report's ``source`` by id, without holding the reports (a spill file that kept them
    aside gives them: :meth:`corroborate.spill.JsonlSpill.kept`)."""
    kept = reports.kept() if hasattr(reports, "kept") else None
    if kept is not None:
        return kept
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
    from corroborate.spill import record_ids

    inside = {rid for incident in result.incidents for rid in incident.reports}
    return [rid for rid in record_ids(result.reports) if rid not in inside]


def why_outside(report: Report) -> str:
    """Why a report joined no incident, in words."""
    if not report.text:
        return "no article text"
    if report.incident is None:
        return f"not analyzed: language '{report.language}'" if report.language else "not assessed"
    return f"incident probability {report.incident.probability:.2f}, below the threshold"


def machine_note(signals) -> str | None:
    """The machine-written likelihood in words, with its calibration on held-out texts: which model
    gave it, and how often texts scored alike were machine-written in validation. Never a verdict."""
    from corroborate.assess.detector import reliability

    value = getattr(signals, "machine_generated", None)
    if value is None:
        return None
    deep = getattr(signals, "machine_detector", None) == "style+language-model"
    bins = reliability(deep)
    def holds(band: dict) -> bool:  # the bands are [lo, hi), the last [lo, 1]
        lo, hi = (float(x) for x in band["bin"].split("-"))
        return lo <= value < hi or (hi == 1.0 and value == 1.0)

    here = next((b for b in bins if holds(b)), None)
    model = "the style model and a small language model (--deep-detect)" if deep else "the style model (function words and stylometry)"
    text = f"machine-written likelihood {value:.2f}, from {model}"
    if here is not None:
        text += (f": of held-out texts scored {here['bin'].replace('-', ' to ')}, {100 * here['share_machine']:.0f}% were "
                 f"machine-written (validation with as many human as machine texts; {here['n']} texts)")
    return text + ". A likelihood, not a verdict: read the evidence."


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
