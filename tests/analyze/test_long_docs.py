"""Long documents: a text longer than ``CHUNK_CHARS`` is parsed in sentence-aligned chunks
joined into one ``Doc`` of the whole text, so every span offset stays exact and the parser's
memory stays that of one chunk. Real model, real texts (generated sentences and the demo)."""

from __future__ import annotations

import re
from itertools import pairwise

from helpers import DEMO
from hypothesis import given, settings
from hypothesis import strategies as st

from corroborate.analyze import analyze_doc
from corroborate.analyze.nlp import CHUNK_CHARS, chunk_offsets, chunks, parse, parse_all
from corroborate.assess import assess_report
from corroborate.sources import iter_inputs
from corroborate.sources.readers import RawDoc
from corroborate.steps.clean import to_report

PLANTED = "Police said 3 people were killed in the shooting on Main Street."

_TOWNS = ["Eastbrook", "Millford", "Ashby", "Corran", "Dunmore", "Fellside", "Garth", "Holloway"]
_PEOPLE = ["Ana Ruiz", "Tomas Reyne", "Maria Okonjo", "Daniel Voss", "Ilse Brandt", "Peter Hale", "Nora Quist"]
_THINGS = ["library", "bridge", "bus depot", "water plant", "market hall", "school", "harbour wall"]


def _paragraph(i: int) -> str:
    """A paragraph of distinct sentences (every one holds ``i``): a town council's business."""
    town, person, thing = _TOWNS[i % len(_TOWNS)], _PEOPLE[i % len(_PEOPLE)], _THINGS[i % len(_THINGS)]
    return (
        f"The council of {town} met on {['Monday', 'Tuesday', 'Thursday'][i % 3]} to discuss item {i} of the budget. "
        f"Councillor {person} said the plan for the {thing} would cost {100 + 7 * i} thousand dollars. "
        f"\u201cWe have waited {i % 11 + 2} years for this,\u201d {person.split()[0]} told reporters after session {i}. "
        f"The vote on item {i} was postponed until the {thing} report is published."
    )


def _demo_texts() -> list[str]:
    """The demo reports' cleaned texts (their page boilerplate removed)."""
    return [to_report(item).text for item in iter_inputs([DEMO]) if isinstance(item, RawDoc) and item.text.strip()]


def long_text(chars: int) -> str:
    """About ``chars`` characters: the demo reports, then council paragraphs, with :data:`PLANTED`
    in the last chunk's paragraphs."""
    parts = _demo_texts()
    i = 0
    while sum(len(p) + 2 for p in parts) < chars:
        parts.append(_paragraph(i))
        i += 1
    parts.insert(len(parts) - 3, PLANTED)
    return "\n\n".join(parts)


def test_a_long_text_is_analyzed_with_exact_spans(nlp):
    text = long_text(250_000)
    report = to_report(RawDoc(id="long", origin="long.txt", text=text))
    assert len(report.text) > 240_000
    starts = chunk_offsets(report.text)
    assert len(starts) >= 5  # it is chunked: 250,000 characters, chunks of at most CHUNK_CHARS
    doc = parse(report.text, nlp)
    assert doc.text == report.text
    assert len(doc) == len(nlp.make_doc(report.text))  # the tokens of the whole text
    # each chunk starts a sentence (the chunks were cut at paragraph breaks)
    sentence_starts = {s.start_char for s in doc.sents}
    assert set(starts) <= sentence_starts
    report = assess_report(analyze_doc(report, doc), doc)

    for items in (report.entities, report.counts, report.attributions, report.signals.evidence):
        assert items
        for item in items:
            assert report.text[item.start : item.end] == item.text
    for event in report.events:
        for role in ("perpetrator_organizations", "perpetrator_individuals", "victims", "targets", "weapons", "locations"):
            for item in getattr(event, role):
                assert report.text[item.start : item.end] == item.text

    planted = report.text.index(PLANTED)
    assert planted > starts[-1]  # in the last chunk
    late = [c for c in report.counts if planted <= c.start < planted + len(PLANTED)]
    assert [(c.category, c.value) for c in late] == [("killed", 3)]
    assert any(e.text == "Main Street" and e.start > planted for e in report.entities)
    # the demo's own counts, at the start of the text, are there too
    assert any(c.category == "killed" and c.value == 15 and c.start < starts[1] for c in report.counts)
    # attributions of the late chunks: the quotes of the last council paragraph
    last_quote = report.text.rindex("\u201cWe have waited")
    assert any(a.start <= last_quote < a.end and a.direct for a in report.attributions)


def test_chunks_keep_tokens_sentences_and_heads_within_a_chunk(nlp):
    text = "\n\n".join(_paragraph(i) for i in range(40))  # about 11,000 characters
    size = 2_000
    starts = chunk_offsets(text, size)
    assert len(starts) > 5
    doc = parse(text, nlp, size)
    whole = nlp(text)
    assert doc.text == text
    assert [(t.text, t.whitespace_) for t in doc] == [(t.text, t.whitespace_) for t in whole]
    bounds = [*starts, len(text)]
    chunk_of = [next(k for k in range(len(starts)) if bounds[k] <= t.idx < bounds[k + 1]) for t in doc]
    for token in doc:
        assert chunk_of[token.head.i] == chunk_of[token.i]  # dependencies stay within a chunk
    for ent in doc.ents:
        assert chunk_of[ent.start] == chunk_of[ent.end - 1]
        assert text[ent.start_char : ent.end_char] == ent.text
    # the parse of a chunk is the parse of that text alone
    second = nlp(text[starts[1] : starts[2]])
    part = doc[chunk_of.index(1) : chunk_of.index(2)]
    assert [(t.dep_, t.head.i - t.i, t.ent_iob_, t.ent_type_, t.is_sent_start) for t in part][1:] == [
        (t.dep_, t.head.i - t.i, t.ent_iob_, t.ent_type_, t.is_sent_start) for t in second
    ][1:]


def test_a_text_within_the_chunk_size_is_parsed_as_before(nlp):
    texts = _demo_texts()
    assert all(len(t) <= CHUNK_CHARS for t in texts)
    assert [d.to_bytes() for d in parse_all(texts, nlp)] == [d.to_bytes() for d in nlp.pipe(texts)]
    assert chunks(texts[0]) == [texts[0]]


def test_chunks_end_at_the_best_break():
    para = "First sentence here. Second one follows.\nA new line starts. " + "x" * 10
    assert chunks(para + "\n\nNext paragraph.", 75) == [para + "\n\n", "Next paragraph."]
    assert chunks("One. Two three four\nFive six", 24) == ["One. Two three four\n", "Five six"]
    assert chunks("One two three. Four five six seven", 20) == ["One two three. ", "Four five six seven"]
    # a break in the first half of a chunk would make chunks small: a lesser break later wins
    assert chunks("One two. Three four five six", 20) == ["One two. Three four ", "five six"]
    assert chunks("one two three four five", 10) == ["one two ", "three ", "four five"]
    assert chunks("abcdefghij" * 3, 10) == ["abcdefghij"] * 3  # no whitespace: the one case that cuts a word


_PIECES = st.sampled_from(["word", "Dr.", "U.S.", "don't", "3", "1,200", "9:30", "said.", "\u201cquote\u201d", "(x)",
                           "e-mail", "#tag", "http://a.example/b", "!", "?", ".", ",", "\u00e9t\u00e9", "ok"])
_GAPS = st.sampled_from([" ", "  ", "\n", "\n\n", " \n", "\n \n", "\t", "\u00a0", "\r\n", ""])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(_PIECES, _GAPS), min_size=1, max_size=60), st.integers(min_value=8, max_value=80))
def test_chunks_rejoin_to_the_text_and_never_split_a_token(nlp, pieces, size):
    text = "".join(p + g for p, g in pieces)
    parts = chunks(text, size)
    assert "".join(parts) == text
    assert all(0 < len(p) <= size for p in parts)
    starts = chunk_offsets(text, size)
    token_starts = {t.idx for t in nlp.make_doc(text)}
    for a, b in pairwise(starts):
        if re.search(r"\s\S", text[a : b + 1]):  # a chunk with a break in it ends at a token start
            assert b in token_starts
            assert text[b - 1].isspace() and not text[b].isspace()
        else:  # no whitespace at all: a "word" longer than a chunk is cut after ``size`` characters
            assert b - a == size
    if all(re.search(r"\s\S", text[a : b + 1]) for a, b in pairwise(starts)):
        assert [t.text for p in parts for t in nlp.make_doc(p)] == [t.text for t in nlp.make_doc(text)]
