"""The analyze stage: language, spaCy parse, then entities, counts, attributions, cited
outlets, whether the report is about an incident, and its events.

The extractors are imported when first used: importing this package (say, for
``corroborate.analyze.embed``) does not import spaCy, so a run's main process that leaves
the parsing to worker processes starts without it.

Two gates keep rules away from text they were not made for:

- a report that is not in English (:mod:`corroborate.analyze.language`) gets its
  ``language`` and nothing else: no entities, counts, attributions, events or incident
  assessment, since the extractors are English rules;
- a report the relevance classifier (:mod:`corroborate.analyze.relevance`) does not take for
  an incident report gets no events, and it joins no incident (its counts are kept, but never
  become incident facts).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.tokens import Doc

    from corroborate.records import Report

#: the languages the extractors are written for
ANALYZED_LANGUAGES = frozenset({"en"})


def is_analyzed_language(language: str | None) -> bool:
    """Whether the English extractors may read a text of this language (None: too short to tell)."""
    return language is None or language in ANALYZED_LANGUAGES


def analyze_doc(report: Report, doc: Doc) -> Report:
    """The report with its extracted fields, from its parsed text (``doc.text == report.text``):
    a new record; ``report`` is left as it was."""
    from corroborate.analyze import (
        attributions,
        counts,
        entities,
        events,
        language,
        relevance,
    )
    from corroborate.analyze.docinfo import info
    from corroborate.records import IncidentAssessment

    if info(doc).text != report.text:
        raise ValueError(f"report {report.id}: the parse is not of the report's own text")
    lang = language.detect(report.text)
    if not report.text.strip() or not is_analyzed_language(lang):
        return report.model_copy(update={"language": lang})
    found, cited = attributions.extract_attributions(doc)
    found_entities = entities.extract_entities(doc)
    found_counts = counts.extract_counts(doc)
    probability, evidence = relevance.assess(report.text, report.title, doc=doc)
    relevant = probability >= relevance.threshold()
    found_events = _with_places(events.extract_events(doc, report.published), doc) if relevant else []
    return report.model_copy(update={
        "language": lang,
        "entities": found_entities,
        "counts": found_counts,
        "attributions": found,
        "cited_sources": cited,
        "events": found_events,
        "incident": IncidentAssessment(
            probability=round(probability, 4),
            relevant=relevant,
            type=(found_events[0].type if found_events else "other_incident") if relevant else None,
            evidence=evidence,
        ),
    })


def _with_places(found: list, doc: Doc) -> list:
    """The main event's locations, resolved to their hierarchy (:mod:`corroborate.analyze.locate`):
    the places that place the incident, its most specific place first."""
    from corroborate.analyze.locate import event_locations, report_places

    if not found:
        return found
    located = found[0].locations
    return [found[0].model_copy(update={"locations": event_locations(report_places(doc, located), located)}), *found[1:]]


def takes_part(report: Report) -> bool:
    """Whether a report joins an incident: the relevance classifier said so; or it comes from a
    run before contract 1.2, which had no such gate (its reports all joined incidents)."""
    if report.incident is not None:
        return report.incident.relevant
    return report.schema_version.split(".")[:2] in (["1", "0"], ["1", "1"])
