"""The analyze stage: spaCy parse, then entities, counts, attributions, cited outlets and events."""

from __future__ import annotations

from spacy.tokens import Doc

from corroborate.analyze.attributions import extract_attributions
from corroborate.analyze.counts import extract_counts
from corroborate.analyze.docinfo import info
from corroborate.analyze.entities import extract_entities
from corroborate.analyze.events import extract_events
from corroborate.records import Report


def analyze_doc(report: Report, doc: Doc) -> Report:
    """Fill a report's extracted fields from its parsed text (``doc.text == report.text``)."""
    if info(doc).text != report.text:
        raise ValueError(f"report {report.id}: the parse is not of the report's own text")
    attributions, cited = extract_attributions(doc)
    report.entities = extract_entities(doc)
    report.counts = extract_counts(doc)
    report.attributions = attributions
    report.cited_sources = cited
    report.events = extract_events(doc, report.published)
    return report
