"""The language a report is written in, by py3langid (a naive Bayes model over byte n-grams,
shipped in its wheel: nothing is fetched at run time).

:func:`detect` judges the first :data:`PREFIX_CHARS` characters only, so its cost is bounded
(about 0.25 ms a text once the model is loaded; loading takes about 1 s, once per process).
Text with fewer than :data:`MIN_LETTERS` letters in that prefix is not judged: a headline
fragment or a caption says too little, and the model's guess on it is noise ("Police said"
reads as Nigerian Pidgin).

The prefix is lowercased first. The model reads case, and text in capitals reads as noise: the
all-caps broadcast transcripts in the GVA reports ("A VIOLENT NIGHT ON THE STREETS OF DETROIT...")
came out Lingala and Nigerian Pidgin. Lowercased, they are English, and no other report among
the 4,600 of GVA, ECB+ and MUC-4 changes its language.

Codes are ISO 639-1. The model also knows a few languages that have no ISO 639-1 code: members of
a macrolanguage that has one are given the macrolanguage's code (Egyptian and Moroccan Arabic
-> ``ar``, Cantonese and Wu -> ``zh``, Paraguayan Guarani -> ``gn``...); the rest keep their ISO
639-3 code (``pcm``, ``vec``, ``kab``...), and ``zxx`` ("no linguistic content") is ``None``.
"""

from __future__ import annotations

from functools import lru_cache

#: Characters judged: the start of a report says which language it is written in.
PREFIX_CHARS = 2000
#: Fewer letters than this in the prefix: no judgement.
MIN_LETTERS = 20

#: py3langid labels without an ISO 639-1 code whose macrolanguage (or parent) has one.
_TO_ISO_639_1 = {
    "arz": "ar",  # Egyptian Arabic
    "ary": "ar",  # Moroccan Arabic
    "yue": "zh",  # Cantonese
    "wuu": "zh",  # Wu Chinese
    "gug": "gn",  # Paraguayan Guarani
    "uzs": "uz",  # Southern Uzbek
    "sdh": "ku",  # Southern Kurdish
    "fuv": "ff",  # Nigerian Fulfulde
    "kik": "ki",  # Kikuyu
    "ltg": "lv",  # Latgalian, within the Latvian macrolanguage
}


@lru_cache(maxsize=1)
def _identifier():
    """The model, loaded once per process, with probabilities normalized over its languages."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def detect(text: str) -> str | None:
    """The ISO 639-1 code of the language ``text`` is written in; ``None`` when its first
    :data:`PREFIX_CHARS` characters hold fewer than :data:`MIN_LETTERS` letters."""
    prefix = (text or "")[:PREFIX_CHARS]
    if sum(ch.isalpha() for ch in prefix) < MIN_LETTERS:
        return None
    code, _ = _identifier().classify(prefix.lower())
    if code == "zxx":
        return None
    return _TO_ISO_639_1.get(code, code)
