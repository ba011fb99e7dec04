"""``report.html``: one self-contained page (inline CSS, no script, no network), from a jinja2
template with autoescaping on: article text is untrusted and is always escaped."""

from __future__ import annotations

from functools import lru_cache

from corroborate import __version__
from corroborate.records import CONTRACT_VERSION, Report
from corroborate.report.view import STATUS_ORDER, fact_range, fact_value, overview, reports_by_id, signal_rows, status_counts


@lru_cache(maxsize=1)
def _environment():
    from jinja2 import Environment, PackageLoader, select_autoescape

    env = Environment(
        loader=PackageLoader("corroborate.report", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(fact_range=fact_range, fact_value=fact_value, status_counts=status_counts, signal_rows=signal_rows)
    return env


def segments(text: str, spans: list[tuple[int, int, str]]) -> list[tuple[str, tuple[str, ...]]]:
    """Split ``text`` at span boundaries; each piece carries the classes of the spans covering it."""
    cuts = sorted({0, len(text), *(s for s, _, _ in spans), *(e for _, e, _ in spans)})
    pieces = []
    for start, end in zip(cuts, cuts[1:]):
        if start == end:
            continue
        classes = tuple(sorted({cls for s, e, cls in spans if s <= start and end <= e}))
        pieces.append((text[start:end], classes))
    return pieces


def highlights(report: Report) -> list[tuple[str, tuple[str, ...]]]:
    spans = [(c.start, c.end, "count") for c in report.counts]
    spans += [(a.start, a.end, "attribution") for a in report.attributions]
    for event in report.events[:1]:
        for item in event.perpetrator_organizations + event.perpetrator_individuals:
            spans.append((item.start, item.end, "perpetrator"))
        for item in event.weapons:
            spans.append((item.start, item.end, "weapon"))
    return segments(report.text, spans)


def render_html(result) -> str:
    return _environment().get_template("report.html.j2").render(
        info=overview(result),
        incidents=result.incidents,
        reports=result.reports,
        by_id=reports_by_id(result.reports),
        errors=result.errors,
        highlights=highlights,
        status_order=STATUS_ORDER,
        version=__version__,
        contract=CONTRACT_VERSION,
    )
