"""Load the spaCy pipeline once, after checking the model files' sha256."""

from __future__ import annotations

import gc
import hashlib
import json
import re
from functools import lru_cache

from importlib import resources
from pathlib import Path

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
    return Path(module.__file__).parent / f"{pins['package']}-{pins['version']}"


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
    """The verified ``en_core_web_sm`` 3.8.0 pipeline (tok2vec, parser, ner), with paragraph breaks."""
    import spacy
    from spacy.language import Language

    if "corroborate_paragraphs" not in Language.factories:
        Language.component("corroborate_paragraphs", func=_paragraph_breaks)
    path = verify_model()
    nlp = spacy.load(path, exclude=list(EXCLUDE))
    nlp.add_pipe("corroborate_paragraphs", before="parser")
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
