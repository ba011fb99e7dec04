"""Load the spaCy pipeline once, after checking the model files' sha256; parse long texts in chunks."""

from __future__ import annotations

import gc
import hashlib
import json
import re
from collections.abc import Iterable, Iterator
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, cast

if TYPE_CHECKING:
    from spacy.tokens import Doc

#: The paragraph component stores the text it builds under this ``doc.user_data`` key, so
#: that :mod:`corroborate.analyze.docinfo` builds it once per document.
TEXT_KEY = "corroborate_text"
#: Components not needed by corroborate: dropping them keeps NER and the parse and runs ~20% faster.
EXCLUDE = ("tagger", "attribute_ruler", "lemmatizer")


class ModelIntegrityError(RuntimeError):
    """The installed model files do not match the pinned sha256 sums."""


def _pins() -> dict:
    return json.loads(resources.files("corroborate.analyze").joinpath("data/model.sha256.json").read_text())


def model_dir() -> Path:
    import importlib

    pins = _pins()
    module = importlib.import_module(pins["package"])
    return Path(cast(str, module.__file__)).parent / f"{pins['package']}-{pins['version']}"


def verify_model(path: Path | None = None) -> Path:
    """Check every pinned file of the model; raise :class:`ModelIntegrityError` on a mismatch."""
    pins = _pins()
    path = path or model_dir()
    for name, expected in pins["files"].items():
        file = path / name
        if not file.is_file():
            raise ModelIntegrityError(f"model file missing: {file}")
        actual = hashlib.sha256(file.read_bytes()).hexdigest()
        if actual != expected:
            raise ModelIntegrityError(f"model file {file} has sha256 {actual}, expected {expected}")
    return path


_AFTER_NEWLINE = re.compile(r"\n\s*(?=\S)")


def _paragraph_breaks(doc):
    """Start a sentence after every line break: a headline or paragraph never runs into the next.

    The parser keeps sentence starts that are set before it runs.
    """
    import numpy
    from spacy.attrs import IDX

    text = doc.text
    doc.user_data[TEXT_KEY] = text
    if "\n" not in text:
        return doc
    starts = doc.to_array(IDX)
    for match in _AFTER_NEWLINE.finditer(text):
        i = int(numpy.searchsorted(starts, match.end()))
        if 0 < i < len(doc) and starts[i] == match.end():
            doc[i].is_sent_start = True
    return doc


#: New strings the vocabulary may take in before :func:`renew_if_grown` loads the model afresh.
#: spaCy keeps every new word it meets (its string, lexeme and tokenizer cache entry: about 350
#: bytes each, measured), so a long run's memory would grow with the words of its input. The GVA
#: dev set (680,000 words) adds 20,000 strings; this limit is about 70 MB. (spaCy's own answer,
#: ``nlp.memory_zone()``, switches the tokenizer's cache off: tokenizing took three times as long.)
VOCAB_GROWTH = 200_000


@lru_cache(maxsize=1)
def load_nlp():
    """The verified ``en_core_web_sm`` 3.8.0 pipeline (tok2vec, parser, ner), with paragraph breaks
    and the trained role extractor (:mod:`corroborate.analyze.roles`)."""
    import spacy
    from spacy.language import Language

    if "corroborate_paragraphs" not in Language.factories:
        Language.component("corroborate_paragraphs", func=_paragraph_breaks)
    path = verify_model()
    nlp = spacy.load(path, exclude=list(EXCLUDE))
    nlp.add_pipe("corroborate_paragraphs", before="parser")
    from corroborate.analyze import roles

    roles.add_to(nlp)  # the trained role extractor, before ner: doc.spans["roles"]
    nlp.max_length = MAX_LENGTH
    global _loaded_strings
    _loaded_strings = len(nlp.vocab.strings)
    return nlp


_loaded_strings = 0  # the vocabulary's size when the current model was loaded


def renew_if_grown() -> bool:
    """Load the model afresh (and verify it again) once its vocabulary has taken in more than
    :data:`VOCAB_GROWTH` new strings; no ``Doc`` of the old one may be alive. The analysis does
    not depend on the vocabulary's history, so the output is the same. True when it did."""
    if len(load_nlp().vocab.strings) - _loaded_strings <= VOCAB_GROWTH:
        return False
    frozen = gc.get_freeze_count() > 0
    load_nlp.cache_clear()
    if frozen:  # the old model sits in the collector's permanent generation (tune_gc): free it
        gc.unfreeze()
        gc.collect()
    load_nlp()
    if frozen:
        gc.freeze()
    return True


#: Texts longer than this many characters are parsed in chunks of at most this many (see
#: :func:`parse`). The parser's memory grows with the text it holds at once (spaCy's docs: about
#: 1 GB per 100,000 characters for the parser and NER); a chunk keeps it to that of one chunk.
#: Shorter texts (nearly every report) are parsed whole, as before.
CHUNK_CHARS = 50_000
#: ``nlp.max_length``: the longest text :func:`parse` takes (spaCy refuses longer ones). The
#: readers' own limit (``corroborate.sources.readers.MAX_TEXT_CHARS``) is the one a user meets;
#: this one is only a guard far above it.
MAX_LENGTH = 100_000_000

#: Where a chunk may end, best first: after a blank line, after a line break, after a sentence's
#: end (``.``, ``!`` or ``?``, closing quotes and brackets, then whitespace), after any
#: whitespace. A chunk ends after the whole run of whitespace, just before the next word (the
#: lookahead): spaCy's tokenizer splits at whitespace first, so the tokens of the chunks are the
#: tokens of the whole text.
_CUTS = (
    re.compile(r"\n[^\S\n]*\n\s*(?=\S)"),
    re.compile(r"\n\s*(?=\S)"),
    re.compile(r"[.!?][\"'\u201d\u2019)\]]*\s+(?=\S)"),
    re.compile(r"\s+(?=\S)"),
)


def _cut(text: str, start: int, size: int) -> int:
    """Where the chunk that begins at ``start`` ends: the best break of :data:`_CUTS` in its
    second half (else anywhere in it); with no whitespace at all in it, after ``size``
    characters (the one case that cuts a word: a "word" of ``size`` characters)."""
    end = start + size
    for floor in (start + size // 2, start):
        for pattern in _CUTS:
            last = None
            for last in pattern.finditer(text, floor, end + 1):  # + 1: the lookahead may see text[end]
                pass
            if last is not None and last.end() > start:
                return last.end()
    return end


def chunk_offsets(text: str, size: int = CHUNK_CHARS) -> list[int]:
    """The start offset of each chunk of ``text``: ``[0]`` for a text of at most ``size``
    characters; chunks hold at most ``size`` characters and end at a break of :data:`_CUTS`."""
    starts = [0]
    while len(text) - starts[-1] > size:
        starts.append(_cut(text, starts[-1], size))
    return starts


def chunks(text: str, size: int = CHUNK_CHARS) -> list[str]:
    """``text`` cut at :func:`chunk_offsets`: ``"".join(chunks(text)) == text``."""
    starts = chunk_offsets(text, size)
    return [text[a:b] for a, b in zip(starts, [*starts[1:], len(text)])]


def parse(text: str, nlp=None, size: int = CHUNK_CHARS) -> Doc:
    """The parse of one text. A text longer than ``size`` characters is parsed a chunk at a
    time (:func:`chunks`), and the chunks' parses are joined into one ``Doc`` of the whole text
    (``Doc.from_docs``: the text, tokens, sentence starts, dependency heads within a sentence
    and entities, with every character offset exact). A chunk starts a sentence; no sentence,
    entity or dependency crosses from one chunk to the next."""
    from spacy.tokens import Doc

    nlp = nlp or load_nlp()
    if len(text) <= size:
        return nlp(text)
    parts = []
    for part in chunks(text, size):
        doc = nlp(part)
        doc.tensor = None  # the tok2vec output: nothing reads it, and it is the largest array kept
        parts.append(doc)
    doc = Doc.from_docs(parts, ensure_whitespace=False, exclude=["user_data", "tensor"])  # type: ignore[call-arg]  # spaCy's doc.pyi omits from_docs's exclude
    del parts
    doc.user_data[TEXT_KEY] = text
    return doc


def parse_all(texts: Iterable[str], nlp=None, size: int = CHUNK_CHARS, batch_size: int | None = None) -> Iterator[Doc]:
    """The parse of each text of a batch, in order: ``nlp.pipe`` over the texts (with
    ``batch_size``, if given), except that a text longer than ``size`` is parsed alone, by
    :func:`parse`. The texts between two long ones are held until the next long one (or the
    end): hand it a batch, not an unbounded stream."""
    nlp = nlp or load_nlp()
    kwargs = {} if batch_size is None else {"batch_size": batch_size}
    run: list[str] = []
    for text in texts:
        if len(text) > size:
            if run:
                yield from nlp.pipe(run, **kwargs)
                run = []
            yield parse(text, nlp, size)
        else:
            run.append(text)
    if run:
        yield from nlp.pipe(run, **kwargs)
