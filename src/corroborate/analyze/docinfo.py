"""Per-document lookups that spaCy recomputes on every access.

``doc.text`` rebuilds the string from its tokens and ``doc.ents`` creates new
spans each time it is read: the extractors ask for them often, so they share
one cached copy per document (a one-slot cache: documents are analyzed one at
a time).
"""

from __future__ import annotations

from dataclasses import dataclass

from spacy.tokens import Doc, Span


@dataclass
class DocInfo:
    text: str
    ents: tuple[Span, ...]
    ent_at: dict[int, Span]
    sents: tuple[Span, ...]
    lowers: list[str]


_last: tuple[Doc | None, DocInfo | None] = (None, None)


def info(doc: Doc) -> DocInfo:
    global _last
    if _last[0] is doc:
        return _last[1]
    ents = tuple(doc.ents)
    ent_at = {i: ent for ent in ents for i in range(ent.start, ent.end)}
    data = DocInfo(text=doc.text, ents=ents, ent_at=ent_at, sents=tuple(doc.sents), lowers=[t.lower_ for t in doc])
    _last = (doc, data)
    return data
