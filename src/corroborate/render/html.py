"""``report.html``: one self-contained page (inline CSS, no script, no network), from a jinja2
template with autoescaping on: article text is untrusted and is always escaped."""

from __future__ import annotations

import hashlib
import math
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise

from markupsafe import Markup, escape

from corroborate import __version__
from corroborate.records import CONTRACT_VERSION, Incident, Provenance, Report
from corroborate.render.view import (
    STATUS_MEANING,
    STATUS_ORDER,
    Edge,
    Member,
    both_sides,
    derivation_graph,
    edge_text,
    fact_range,
    fact_sources,
    fact_value,
    incident_counts,
    is_quoted,
    machine_note,
    member_text,
    node_label,
    outside_incidents,
    overview,
    plural,
    provenance_note,
    signal_rows,
    status_counts,
    why_outside,
)
from corroborate.spill import ById, record_ids


@lru_cache(maxsize=1)
def _environment():
    from jinja2 import Environment, PackageLoader, select_autoescape

    env = Environment(
        loader=PackageLoader("corroborate.render", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(fact_range=fact_range, fact_value=fact_value, status_counts=status_counts, signal_rows=signal_rows,
                       machine_note=machine_note, fact_sources=fact_sources, provenance_note=provenance_note, both_sides=both_sides, quote=quote,
                       incident_counts=incident_counts, derivation_graph=derivation_graph, derivation_svg=derivation_svg,
                       node_label=node_label, member_text=member_text, edge_text=edge_text, status_meaning=STATUS_MEANING)
    return env


def quote(text: str) -> Markup:
    """A quoted span: in <q> (which adds the quotation marks), unless it already begins or ends with one."""
    return Markup('<span class="quoted">{}</span>' if is_quoted(text) else "<q>{}</q>").format(text)


def segments(text: str, spans: list[tuple[int, int, str]]) -> list[tuple[str, tuple[str, ...]]]:
    """Split ``text`` at span boundaries; each piece carries the classes of the spans covering it.

    One sweep over the boundaries, keeping count of the classes open at each: a report with
    hundreds of spans costs what its boundaries cost, not boundaries times spans."""
    cuts = sorted({0, len(text), *(s for s, _, _ in spans), *(e for _, e, _ in spans)})
    opening: dict[int, list[str]] = defaultdict(list)
    closing: dict[int, list[str]] = defaultdict(list)
    for start, end, cls in spans:
        if start < end:  # an empty span covers no piece
            opening[start].append(cls)
            closing[end].append(cls)
    active: Counter[str] = Counter()
    pieces = []
    for start, end in pairwise(cuts):
        for cls in closing.get(start, ()):
            active[cls] -= 1
        for cls in opening.get(start, ()):
            active[cls] += 1
        pieces.append((text[start:end], tuple(sorted(cls for cls, n in active.items() if n > 0))))
    return pieces


#: classes drawn as a background highlight (<mark>); the others are underlined
MARK_CLASSES = ("count", "perpetrator", "weapon", "victim", "target", "place")
#: above this many reports, incidents and report texts go to pages of their own (see README)
LARGE_RUN = 1000
CONTEXT_CHARS = 90


def anchor(report_id: str) -> str:
    """A fragment-safe id for a report: report ids are untrusted and may hold any character."""
    return "r-" + hashlib.sha1(report_id.encode("utf8")).hexdigest()[:12]


def span_id(report_id: str, start: int, end: int) -> str:
    return f"{anchor(report_id)}-{start}-{end}"


def highlight_spans(report: Report) -> list[tuple[int, int, str]]:
    spans = [(c.start, c.end, "count") for c in report.counts]
    spans += [(a.start, a.end, "attribution") for a in report.attributions]
    spans += [(e.start, e.end, "entity") for e in report.entities]
    for event in report.events[:1]:
        for item in event.perpetrator_organizations + event.perpetrator_individuals:
            spans.append((item.start, item.end, "perpetrator"))
        for item in event.weapons:
            spans.append((item.start, item.end, "weapon"))
        spans += [(i.start, i.end, "victim") for i in event.victims]
        spans += [(i.start, i.end, "target") for i in event.targets]
        spans += [(i.start, i.end, "place") for i in event.locations]
    return spans


def choose_anchors(provenance: list[Provenance]) -> list[tuple[int, int]]:
    """Non-overlapping spans to mark in one report's text: earliest first, longest first on ties."""
    chosen: list[tuple[int, int]] = []
    for start, end in sorted({(p.start, p.end) for p in provenance}, key=lambda se: (se[0], -(se[1] - se[0]))):
        if not chosen or start >= chosen[-1][1]:
            chosen.append((start, end))
    return chosen


def render_text(report: Report, anchors: list[tuple[int, int]]) -> Markup:
    """The report text as HTML: highlights, and each fact's span as a marked target that links land on."""
    spans = highlight_spans(report) + [(s, e, "") for s, e in anchors]
    opens = {s: e for s, e in anchors}
    out, pos, closing = [], 0, None
    for piece, classes in segments(report.text, spans):
        if closing is None and pos in opens:
            closing = opens[pos]
            out.append(f'<mark class="fact" id="{escape(span_id(report.id, pos, closing))}">')
        classes = tuple(c for c in classes if c)
        if not classes:
            out.append(escape(piece))
        elif any(c in MARK_CLASSES for c in classes):
            out.append(f'<mark class="{escape(" ".join(classes))}">{escape(piece)}</mark>')
        else:
            out.append(f'<span class="{escape(" ".join(classes))}">{escape(piece)}</span>')
        pos += len(piece)
        if closing is not None and pos >= closing:
            out.append("</mark>")
            closing = None
    if closing is not None:
        out.append("</mark>")
    return Markup("".join(out))  # every piece of text above went through escape()


def in_context(report: Report, start: int, end: int) -> Markup:
    """The span with up to CONTEXT_CHARS of text on each side, cut at word boundaries; the span highlighted."""
    text = report.text
    left = max(0, start - CONTEXT_CHARS)
    if left > 0:
        space = text.find(" ", left, start)
        left = space + 1 if space != -1 else left
    right = min(len(text), end + CONTEXT_CHARS)
    if right < len(text):
        space = text.rfind(" ", end, right)
        right = space if space != -1 else right
    return Markup("{}{}<mark class=\"quote\">{}</mark>{}{}").format(
        "…" if left > 0 else "", text[left:start], text[start:end], text[end:right], "…" if right < len(text) else ""
    )


def timeline(incident: Incident, by_id) -> list[dict]:
    """The incident's reports in order of publication (undated last), with each one's stated death toll."""
    from corroborate.incidents.reconcile import best_claim

    rows = []
    for rid in incident.reports:
        report = by_id[rid]
        claim = best_claim(report, "killed")
        rows.append({"report": report, "published": report.published, "killed": claim})
    return sorted(rows, key=lambda row: (row["published"] is None, row["published"] or ""))


def toll_chart(rows: list[dict]) -> Markup | None:
    """A small inline SVG of each dated report's stated death toll over time; None under two points."""
    from datetime import datetime

    points = []
    for row in rows:
        if row["published"] and row["killed"] is not None:
            when = datetime.fromisoformat(row["published"] if "T" in row["published"] else row["published"] + "T00:00:00")
            points.append((when.replace(tzinfo=None).timestamp(), row["killed"].value, row))
    if len(points) < 2:
        return None
    width, height, pad = 420, 160, 36
    t0, t1 = min(p[0] for p in points), max(p[0] for p in points)
    top = max(p[1] for p in points) or 1
    def x(t: float, i: int) -> float:
        return pad + (width - 2 * pad) * ((t - t0) / (t1 - t0) if t1 > t0 else i / (len(points) - 1))
    def y(v: float) -> float:
        return height - pad + (-(height - 2 * pad) * v / top)
    coords = [(x(t, i), y(v), v, row) for i, (t, v, row) in enumerate(points)]
    parts = [Markup('<svg class="chart" role="img" viewBox="0 0 {} {}" width="{}" height="{}" aria-label="{}">').format(
        width, height, width, height, f"Stated death toll by publication time, {len(points)} reports")]
    parts.append(Markup('<line x1="{0}" y1="{1}" x2="{2}" y2="{1}" class="axis"/><line x1="{0}" y1="{3}" x2="{0}" y2="{1}" class="axis"/>').format(
        pad, height - pad, width - pad, pad / 2))
    parts.append(Markup('<text x="{}" y="{}" class="tick">0</text><text x="{}" y="{}" class="tick">{}</text>').format(
        pad - 6, height - pad + 4, pad - 6, y(top) + 4, top))
    parts.append(Markup('<polyline class="line" points="{}"/>').format(" ".join(f"{cx:.1f},{cy:.1f}" for cx, cy, _, _ in coords)))
    for cx, cy, v, row in coords:
        report = row["report"]
        label = f"{report.source or report.id}, {report.published}: {row['killed'].text}"
        parts.append(Markup('<circle cx="{:.1f}" cy="{:.1f}" r="4" class="{}"><title>{}</title></circle><text x="{:.1f}" y="{:.1f}" class="value">{}</text>').format(
            cx, cy, row["killed"].hedge, label, cx, cy - 8, v))
    parts.append(Markup('<text x="{}" y="{}" class="tick">{}</text><text x="{}" y="{}" class="tick end">{}</text>').format(
        pad, height - 8, points[0][2]["published"][:16].replace("T", " "), width - pad, height - 8, points[-1][2]["published"][:16].replace("T", " ")))
    parts.append(Markup("</svg>"))
    return Markup("").join(parts)


def _clip(text: str, n: int = 26) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def derivation_svg(nodes: list[list[Member]], edges: list[Edge]) -> Markup:
    """The derivation graph (:func:`corroborate.render.view.derivation_graph`) as inline SVG: one
    box per source group (its first report's outlet and id, "+N copies" for the others), four to
    a row, and an arrow from a source group to a group that reuses it, labelled with the relation
    and share. Every text goes through ``Markup.format``, which escapes it."""
    w, h, gap_x, gap_y, pad = 180, 58, 90, 40, 10
    cols = min(len(nodes), 4)
    rows = _page_count(len(nodes), cols)
    width, height = 2 * pad + cols * w + (cols - 1) * gap_x, 2 * pad + rows * h + (rows - 1) * gap_y
    centre = [(pad + (k % cols) * (w + gap_x) + w / 2, pad + (k // cols) * (h + gap_y) + h / 2) for k in range(len(nodes))]
    label = f"Derivation graph: {plural(len(nodes), 'independent source')} from {plural(sum(map(len, nodes)), 'report')}"
    parts = [Markup('<svg class="chart graph" role="img" viewBox="0 0 {0} {1}" width="{0}" height="{1}" aria-label="{2}">').format(
        width, height, label)]
    labels = []
    for edge in edges:  # lines first, under the boxes; their labels last, over them
        (x0, y0), (x1, y1) = centre[edge.source], centre[edge.target]
        dx, dy = x1 - x0, y1 - y0
        t = min(w / 2 / abs(dx) if dx else math.inf, h / 2 / abs(dy) if dy else math.inf)  # centre to border, as a share
        tip_x, tip_y = x1 - t * dx, y1 - t * dy
        ux, uy = dx / math.hypot(dx, dy), dy / math.hypot(dx, dy)
        head = [(tip_x, tip_y), (tip_x - 9 * ux - 4 * uy, tip_y - 9 * uy + 4 * ux), (tip_x - 9 * ux + 4 * uy, tip_y - 9 * uy - 4 * ux)]
        parts.append(Markup('<g class="edge"><title>{}</title><line x1="{:.1f}" y1="{:.1f}" x2="{:.1f}" y2="{:.1f}"/><polygon points="{}"/></g>').format(
            edge_text(edge), x0 + t * dx, y0 + t * dy, tip_x, tip_y, " ".join(f"{x:.1f},{y:.1f}" for x, y in head)))
        labels.append(Markup('<text x="{:.1f}" y="{:.1f}" class="edge">{} {:.0%}</text>').format(
            (x0 + x1) / 2, (y0 + y1) / 2 - 4, edge.derivation.relation, edge.derivation.share))
    for (cx, cy), members in zip(centre, nodes):
        first, more = members[0], len(members) - 1
        lines = [_clip(first.outlet), _clip(first.id)] + ([f"+{plural(more, 'copy', 'copies')}"] if more else [])
        title = "; ".join(member_text(m) for m in members) if more else f"{first.id} ({first.outlet})"
        parts.append(Markup('<g class="node{}"><title>{}</title><rect x="{:.1f}" y="{:.1f}" width="{}" height="{}" rx="6"/>').format(
            " group" if more else "", title, cx - w / 2, cy - h / 2, w, h))
        for i, line in enumerate(lines):
            parts.append(Markup('<text x="{:.1f}" y="{:.1f}" class="{}">{}</text>').format(
                cx, cy + 4 + 14 * (i - (len(lines) - 1) / 2), ("outlet", "id", "copies")[i], line))
        parts.append(Markup("</g>"))
    parts += [*labels, Markup("</svg>")]
    return Markup("").join(parts)


def evidence_by_signal(report: Report) -> dict[str, list]:
    out: dict[str, list] = {}
    for e in report.signals.evidence if report.signals else []:
        out.setdefault(e.signal, []).append(e)
    return out


PAGE_SIZE = 500
INCIDENTS_PER_PAGE = 250


def page_name(number: int, kind: str = "reports") -> str:
    return f"{kind}-{number:03d}.html"


def render_html(result, sources: list | None = None) -> str:
    """``report.html`` as one string. For a large run, incidents and reports go to :func:`iter_pages` instead.
    ``sources``: the outlets (:func:`corroborate.assess.sources.aggregate`), if already computed."""
    return "".join(_generate(result, _shared(result), page=None, sources=sources))


def write_html(result, path, sources: list | None = None) -> None:
    """Write ``report.html`` as it is rendered, through a temporary file renamed when complete."""
    import os
    from pathlib import Path

    path = Path(path)
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("w", encoding="utf-8") as handle:
        for chunk in _generate(result, _shared(result), page=None, sources=sources):
            handle.write(chunk)
    os.replace(tmp, path)


def _page_count(n: int, size: int) -> int:
    return -(-n // size)


def iter_pages(result) -> Iterator[tuple[str, Iterator[str]]]:
    """For a large run (over ``LARGE_RUN`` reports): (file name under ``PAGES_DIR``, the page's
    HTML in chunks) for each incident and report page, one page's records read at a time;
    nothing for a small run, whose report.html holds everything."""
    if len(result.reports) <= LARGE_RUN:
        return
    shared = _shared(result)
    for kind, items, size in (("incidents", result.incidents, INCIDENTS_PER_PAGE), ("reports", result.reports, PAGE_SIZE)):
        pages = _page_count(len(items), size)
        for k in range(1, pages + 1):
            chunk = items[(k - 1) * size : k * size]
            page = {"kind": kind, "first": (k - 1) * size + 1, "last": (k - 1) * size + len(chunk),
                    "previous": page_name(k - 1, kind) if k > 1 else None,
                    "next": page_name(k + 1, kind) if k < pages else None}
            yield page_name(k, kind), _generate(result, shared, page=page, chunk=chunk)


def render_pages(result) -> dict[str, str]:
    """:func:`iter_pages`, each page as one string."""
    return {name: "".join(chunks) for name, chunks in iter_pages(result)}


PAGES_DIR = "report-pages"


@dataclass
class _Shared:
    """What every page of one run needs: reports by id (read on demand), the fact spans to mark
    in each report, and where each report and incident sits in the run."""

    by_id: ById
    anchors: dict[str, list[tuple[int, int]]]
    position: dict[str, int]
    incident_position: dict[str, int]
    claims: dict[str, int]  # claims no other report makes, of each report in an incident of two or more


def _shared(result) -> _Shared:
    provenance: dict[str, list[Provenance]] = {}
    claims: dict[str, int] = {}
    for incident in result.incidents:
        if len(incident.reports) > 1:
            claims.update(dict.fromkeys(incident.reports, 0))
            for p in incident.single_source_claims:
                claims[p.report] += 1
        for fact in incident.facts:
            for p in fact.support + fact.dissent:
                provenance.setdefault(p.report, []).append(p)
    by_id = ById(result.reports)
    return _Shared(
        by_id=by_id,
        anchors={rid: choose_anchors(provs) for rid, provs in provenance.items()},
        position=by_id.position,
        incident_position={ident: i for i, ident in enumerate(record_ids(result.incidents))},
        claims=claims,
    )


def _generate(result, shared: _Shared, page: dict | None, chunk: list | None = None, sources: list | None = None) -> Iterator[str]:
    from corroborate.assess.sources import aggregate

    anchors, position, incident_position = shared.anchors, shared.position, shared.incident_position

    def span_link(p: Provenance) -> str:
        """The id of the marked span in the report text that holds (or overlaps) this provenance span."""
        for start, end in anchors.get(p.report, []):
            if start < p.end and p.start < end or (start, end) == (p.start, p.end):
                return span_id(p.report, start, end)
        return anchor(p.report)

    large = len(result.reports) > LARGE_RUN

    def href(report_id: str, fragment: str | None = None) -> str:
        fragment = fragment or anchor(report_id)
        if not large:
            return "#" + fragment
        # only incident pages link to reports in a large run; they sit beside the report pages
        return f"{page_name(position[report_id] // PAGE_SIZE + 1)}#{fragment}"

    def incident_href(ident: str) -> str:
        if not large:
            return "#" + ident
        return f"{PAGES_DIR}/{page_name(incident_position[ident] // INCIDENTS_PER_PAGE + 1, 'incidents')}#{ident}"

    def listing(kind: str, n: int, size: int) -> list[dict]:
        return [{"href": f"{PAGES_DIR}/{page_name(k, kind)}", "first": (k - 1) * size + 1, "last": min(k * size, n)}
                for k in range(1, _page_count(n, size) + 1)] if large and page is None else []

    if page is None:
        section_incidents, page_reports = ([], []) if large else (result.incidents, result.reports)
    elif page["kind"] == "incidents":
        section_incidents, page_reports = chunk, []
    else:
        section_incidents, page_reports = [], chunk
    return _environment().get_template("report.html.j2").generate(
        info=overview(result),
        incidents=result.incidents,
        outside=outside_incidents(result) if page is None else [],
        why_outside=why_outside,
        page_reports=page_reports,
        section_incidents=section_incidents,
        page=page,
        pages=listing("reports", len(result.reports), PAGE_SIZE),
        incident_pages=listing("incidents", len(result.incidents), INCIDENTS_PER_PAGE),
        incident_href=incident_href,
        page_size=PAGE_SIZE,
        by_id=shared.by_id,
        claims=shared.claims,
        errors=result.errors,
        sources=[] if page else (sources if sources is not None else aggregate(result.reports, result.incidents)),
        large=large and page is None,
        large_run=LARGE_RUN,
        anchor=anchor,
        href=href,
        span_link=span_link,
        render_text=lambda r: render_text(r, anchors.get(r.id, [])),
        in_context=in_context,
        timeline=timeline,
        toll_chart=toll_chart,
        evidence_by_signal=evidence_by_signal,
        status_order=STATUS_ORDER,
        version=__version__,
        contract=CONTRACT_VERSION,
    )
