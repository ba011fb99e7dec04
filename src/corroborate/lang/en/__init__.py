"""English language data: lexicons, stop words and the word lists of the rules.

Each ``<name>.json`` file beside this module is one lexicon; its ``_doc`` keys say what it
holds and which module reads it. Two kinds:

- the lexicons of the analysis (``counts``, ``events``, ``attributions``, ``outlets``,
  ``armed_groups``, ``countries``, ``weapons``, ``relevance_words``, ``lexicons``,
  ``stock_phrases``, ``boilerplate``, ``credits``, ``titles``, ``aliases``);
- the word lists of the rules in code, a file per module (``when``, ``people``,
  ``places`` (also of ``locate`` and ``build_places``), ``roles``, ``event_words``,
  ``toll_words``, ``detector_words``, ``names`` (of ``incidents.people``), ``derive_words``;
  and keys added to ``counts``, ``lexicons`` and ``relevance_words``); each module keeps its
  constants, built from the file when it is imported.

The stop words are spaCy's (:func:`stop_words`).

The learned models (``data/*.json`` of the stage packages, listed in
``corroborate/data/models.sha256.json``) are not language data and stay where they are; some
snapshot these lists when they are trained (``relevance.json`` records the sha256 of
``events.json``), so editing a list can call for retraining.
"""

from __future__ import annotations

import json
from functools import cache, lru_cache
from importlib import resources
from typing import Any


@cache  # functools.lru_cache without a bound: a file is read once
def load(name: str) -> Any:
    """The parsed ``lang/en/<name>.json``, read once. The object is shared by every caller: do
    not change it."""
    return json.loads(resources.files(__name__).joinpath(f"{name}.json").read_text(encoding="utf-8"))


def read_bytes(name: str) -> bytes:
    """The bytes of ``lang/en/<name>.json`` (to record or check their sha256)."""
    return resources.files(__name__).joinpath(f"{name}.json").read_bytes()


@lru_cache(maxsize=1)
def stop_words() -> frozenset[str]:
    """spaCy's English stop words (imported on first use: spaCy is slow to import)."""
    from spacy.lang.en.stop_words import STOP_WORDS

    return frozenset(STOP_WORDS)
