"""Named entities from spaCy's NER, as provenance-carrying records."""

from __future__ import annotations

from spacy.tokens import Doc

from corroborate.analyze.docinfo import info
from corroborate.records import Entity


def extract_entities(doc: Doc) -> list[Entity]:
    return [Entity(text=e.text, label=e.label_, start=e.start_char, end=e.end_char) for e in info(doc).ents]
