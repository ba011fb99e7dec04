"""Named entities from spaCy's NER, as provenance-carrying records."""

from __future__ import annotations

from spacy.tokens import Doc

from corroborate.analyze.docinfo import info
from corroborate.records import Entity


def extract_entities(doc: Doc) -> list[Entity]:
    meta = info(doc)
    out = []
    for e in meta.ents:
        start, end = e.start_char, e.end_char
        out.append(Entity(text=meta.text[start:end], label=e.label_, start=start, end=end))
    return out
