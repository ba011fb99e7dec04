"""Per-document lookups that spaCy recomputes on every access.

``doc.text`` rebuilds the string from its tokens and ``doc.ents`` creates new
spans each time it is read: the extractors ask for them often, so they share
one cached copy per document (a one-slot cache per thread: a thread analyzes
one document at a time).
"""

from __future__ import annotations

import threading
from bisect import bisect_left
from dataclasses import dataclass
from typing import cast

from spacy.tokens import Doc, Span

from corroborate.analyze.nlp import TEXT_KEY


@dataclass
class DocInfo:
    text: str
    ents: tuple[Span, ...]
    ent_at: dict[int, Span]
    sents: tuple[Span, ...]
    lowers: list[str]
    alpha: list[bool]
    lengths: list[int]
    sent_of: list[int]  # for each token, the index of its sentence in ``sents``
    ent_starts: list[int]  # the first token of each entity (``ents`` are in text order)

    def sent(self, i: int) -> Span:
        """The sentence of token ``i``: ``doc[i].sent``, without spaCy's walk to its bounds."""
        return self.sents[self.sent_of[i]]

    def text_of(self, span: Span) -> str:
        """``span.text``, sliced from the text rather than joined from the span's tokens."""
        return self.text[span.start_char : span.end_char]

    def ents_from(self, start: int, end: int) -> list[Span]:
        """The cached entities whose first token lies in ``start`` .. ``end - 1`` (a bisection:
        a long document's thousands of entities are not scanned for every sentence)."""
        i = bisect_left(self.ent_starts, start)
        return list(self.ents[i : bisect_left(self.ent_starts, end, i)])

    def ents_in(self, span: Span) -> list[Span]:
        """``span.ents``, from the cached entities: those that fall completely within the span."""
        out = []
        for ent in self.ents[bisect_left(self.ent_starts, span.start) :]:
            if ent.end <= span.end:
                out.append(ent)
            else:
                break
        return out


class _Last(threading.local):
    """The last document seen and its lookups, one slot per thread: a thread analyzes one document
    at a time, and threads (a server's) never see each other's."""

    doc: Doc | None = None
    info: DocInfo | None = None


_last = _Last()


def info(doc: Doc) -> DocInfo:
    if _last.doc is doc:
        return cast(DocInfo, _last.info)  # set with the document, so never None here
    from spacy.attrs import IDX, IS_ALPHA, LENGTH

    ents = tuple(doc.ents)
    ent_at = {i: ent for ent in ents for i in range(ent.start, ent.end)}
    text = doc.user_data.get(TEXT_KEY) or doc.text
    if len(doc):
        table = doc.to_array([IDX, LENGTH, IS_ALPHA]).tolist()
    else:
        table = []
    lowered = text.lower()
    if len(lowered) != len(text):  # a few characters change length when lowercased: use spaCy's own
        lowers = [t.lower_ for t in doc]
    else:
        lowers = [lowered[i : i + n] for i, n, _ in table]
    sents = tuple(doc.sents)
    sent_of = [0] * len(table)
    for k, sent in enumerate(sents):
        sent_of[sent.start : sent.end] = [k] * (sent.end - sent.start)
    data = DocInfo(
        text=text, ents=ents, ent_at=ent_at, sents=sents, lowers=lowers,
        alpha=[bool(a) for _, _, a in table], lengths=[n for _, n, _ in table], sent_of=sent_of,
        ent_starts=[ent.start for ent in ents],
    )
    _last.doc, _last.info = doc, data
    return data
