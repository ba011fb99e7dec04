"""The machine-written likelihood: a small trained classifier over words and style.

Trained on ``../shared/data/llmfake`` (human-written news beside ChatGPT-written
versions) by :mod:`corroborate.assess.train_detector` (``make train-detector``,
fixed seed), and shipped as ``data/detector.json``: a logistic regression over

- word unigrams and bigrams (lowercased, punctuation dropped: the dev data
  differ in casing and punctuation by source, not by author), as
  ``log(1 + count)``, L2-normalized over all the text's terms; the model keeps
  only function-word terms (spaCy's stop words), so it reads style, not topic;
- stylometric features (:data:`DENSE`): sentence-length mean and burstiness,
  type-token ratio, word length, stock phrases of generated news, hedges,
  first-person words, reporting verbs and digits, standardized with the
  training mean and scale. Layout is ignored (whitespace collapsed).

It needs numpy only (no scikit-learn at run time). The file carries its own
metrics (dev AUROC, held-out generation methods, calibration); ``make bench``
re-measures the dev AUROC with this module.
"""

from __future__ import annotations

import math
import re
import statistics
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise

from corroborate.lang import en
from corroborate.phrases import alternation

_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_SENTENCE = re.compile(r"[^.!?]+[.!?]*")
#: the word classes of the style features (``lang/en/detector_words.json``; the model was trained with them)
_FIRST_PERSON = set(en.load("detector_words")["first_person"])
_SAID = set(en.load("detector_words")["said"])
_HEDGES = set(en.load("detector_words")["hedges"])
MAX_CHARS = 20_000  # enough to judge style; keeps the cost bounded on long pages

#: the stylometric features, in model order
DENSE = (
    "sentence_words_mean",
    "sentence_words_cv",
    "type_token_ratio",
    "word_length_mean",
    "long_word_share",
    "stock_phrases_per_100_words",
    "hedges_per_100_words",
    "first_person_per_100_words",
    "said_per_100_words",
    "digits_share",
)


@dataclass
class Model:
    bias: float
    vocabulary: dict[str, int]
    weights: list[float]
    dense_mean: list[float]
    dense_scale: list[float]
    dense_weights: list[float]
    stock_re: re.Pattern
    meta: dict


def _stock_re(phrases: list[str]) -> re.Pattern:
    return re.compile(r"\b(?:" + alternation(phrases, ignorecase=True) + r")\b", re.IGNORECASE)


@lru_cache(maxsize=1)
def stock_phrases() -> list[str]:
    return en.load("stock_phrases")["phrases"]


@lru_cache(maxsize=1)
def load_model() -> Model:
    from corroborate.learned import load_json_model

    data = load_json_model("corroborate.assess", "data/detector.json")
    vocabulary = {term: i for i, term in enumerate(data["vocabulary"])}
    return Model(
        bias=data["bias"], vocabulary=vocabulary, weights=data["weights"],
        dense_mean=data["dense_mean"], dense_scale=data["dense_scale"], dense_weights=data["dense_weights"],
        stock_re=_stock_re(stock_phrases()), meta={k: v for k, v in data.items() if k.startswith("_") or k == "metrics"},
    )


def words(text: str) -> list[str]:
    return _WORD.findall(text.lower().replace("’", "'"))


def terms(tokens: list[str]) -> dict[str, int]:
    """Unigram and bigram counts."""
    counts: dict[str, int] = {}
    for t in tokens:
        counts[t] = counts.get(t, 0) + 1
    for a, b in pairwise(tokens):
        key = a + " " + b
        counts[key] = counts.get(key, 0) + 1
    return counts


def dense_features(text: str, tokens: list[str], stock_re: re.Pattern) -> list[float]:
    n = max(len(tokens), 1)
    per100 = 100.0 / n
    text = " ".join(text.split())  # layout (line breaks, paragraphs) differs by source in the training data
    lengths = [len(_WORD.findall(s.lower())) for s in _SENTENCE.findall(text)]
    lengths = [k for k in lengths if k > 0] or [n]
    mean = statistics.fmean(lengths)
    cv = statistics.pstdev(lengths) / mean if len(lengths) > 1 and mean else 0.0
    head = tokens[:200]
    word_lengths = [len(t) for t in tokens] or [0]
    return [
        mean,
        cv,
        len(set(head)) / max(len(head), 1),
        statistics.fmean(word_lengths),
        sum(1 for k in word_lengths if k >= 7) / n,
        len(stock_re.findall(text)) * per100,
        sum(1 for t in tokens if t in _HEDGES) * per100,
        sum(1 for t in tokens if t in _FIRST_PERSON) * per100,
        sum(1 for t in tokens if t in _SAID) * per100,
        sum(1 for t in tokens if t[0].isdigit()) / n,
    ]


def features(text: str, stock_re: re.Pattern) -> tuple[dict[str, float], list[float]] | None:
    """The model's inputs, the same for training and scoring: each term's ``log(1 + count)`` over the
    L2 norm of all the text's terms, and the dense features. None for a text with no words."""
    text = text[:MAX_CHARS]
    tokens = words(text)
    if not tokens:
        return None
    counts = terms(tokens)
    norm = math.sqrt(sum(math.log1p(c) ** 2 for c in counts.values())) or 1.0
    return {t: math.log1p(c) / norm for t, c in counts.items()}, dense_features(text, tokens, stock_re)


def sigmoid(z: float) -> float:
    """The probability of log-odds ``z`` (clamped to +-40: no overflow)."""
    return 1.0 / (1.0 + math.exp(-max(min(z, 40.0), -40.0)))


def log_odds(p: float) -> float:
    """The log-odds of probability ``p`` (clamped to [1e-12, 1 - 1e-12]: finite at 0 and 1)."""
    p = min(max(p, 1e-12), 1 - 1e-12)
    return math.log(p / (1 - p))


def score(text: str, model: Model | None = None) -> float:
    """The likelihood in [0, 1] that ``text`` is machine-written (0.5 for an empty text)."""
    model = model or load_model()
    found = features(text, model.stock_re)
    if found is None:
        return 0.5
    term_values, dense = found
    z = model.bias
    z += sum(model.weights[model.vocabulary[t]] * v for t, v in term_values.items() if t in model.vocabulary)
    z += sum(w * (x - m) / s for w, x, m, s in zip(model.dense_weights, dense, model.dense_mean, model.dense_scale))
    return sigmoid(z)


@lru_cache(maxsize=1)
def load_deep() -> dict:
    """The deep detector's model (``data/detector_deep.json``, sha256-checked): weights over the
    style log-odds and the language model's measures (:mod:`corroborate.assess.train_detector_deep`)."""
    from corroborate.learned import load_json_model

    return load_json_model("corroborate.assess", "data/detector_deep.json")


def score_deep(text: str, model: Model | None = None) -> tuple[float, list[float] | None]:
    """The deep likelihood (``--deep-detect``) and the language model's measures of ``text``
    (:mod:`corroborate.assess.likelihood`); a text too short for them gets the style score and None."""
    from corroborate.assess import likelihood

    style = score(text, model)
    measures = likelihood.measure(text)
    if measures is None:
        return style, None
    deep = load_deep()
    values = [log_odds(style), *measures]
    z = deep["bias"] + sum(w * (x - m) / s for w, x, m, s in zip(deep["weights"], values, deep["mean"], deep["scale"]))
    return sigmoid(z), measures


def reliability(deep: bool) -> list[dict]:
    """The held-out reliability bins of the style (or deep) model: for each band of scores, the
    share of held-out texts in it that were machine-written (classes weighted equally)."""
    if deep:
        return load_deep()["metrics"]["deep"]["calibration"]["reliability"]
    return load_model().meta["metrics"]["calibration"]["reliability"]
