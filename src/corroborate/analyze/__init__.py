"""The analyze stage: spaCy parse, then entities, counts, attributions, cited outlets and events.

The extractors are imported when first used: importing this package (say, for
``corroborate.analyze.embed``) does not import spaCy, so a run's main process that leaves
the parsing to worker processes starts without it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.tokens import Doc

    from corroborate.records import Report


def analyze_doc(report: Report, doc: Doc) -> Report:
    """Fill a report's extracted fields from its parsed text (``doc.text == report.text``)."""
    from corroborate.analyze import attributions, counts, entities, events
    from corroborate.analyze.docinfo import info

    if info(doc).text != report.text:
        raise ValueError(f"report {report.id}: the parse is not of the report's own text")
    found, cited = attributions.extract_attributions(doc)
    report.entities = entities.extract_entities(doc)
    report.counts = counts.extract_counts(doc)
    report.attributions = found
    report.cited_sources = cited
    report.events = events.extract_events(doc, report.published)
    return report
