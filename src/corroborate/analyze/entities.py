"""Named entities from spaCy's NER, as provenance-carrying records."""

from __future__ import annotations

from spacy.tokens import Doc

from corroborate.analyze.docinfo import info
from corroborate.records import Entity


def extract_entities(doc: Doc) -> list[Entity]:
    meta = info(doc)
    return [Entity(text=meta.text_of(e), label=e.label_, start=e.start_char, end=e.end_char) for e in meta.ents]
