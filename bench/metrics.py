"""Scoring functions for the bench (kept free of I/O so tests can check them)."""

from __future__ import annotations


def bcubed(predicted: dict[str, str], gold: dict[str, str]) -> tuple[float, float, float]:
    """B-cubed precision, recall and F1 of a clustering (``predicted`` and ``gold`` map each item
    to its cluster label; items absent from ``gold`` are ignored): the one the linker is trained
    and thresholded with."""
    from corroborate.incidents.train_linker import bcubed_labels

    return bcubed_labels(predicted, gold)


_ARTICLES = {"a", "an", "the"}


def normalize_filler(text: str) -> str:
    """MUC-4 string normalization: lowercase, drop punctuation and the articles a/an/the."""
    cleaned = "".join(ch if ch.isalnum() or ch.isspace() else " " for ch in text.lower())
    return " ".join(word for word in cleaned.split() if word not in _ARTICLES)


def match_fillers(predicted: list[str], gold: list[list[str]]) -> int:
    """How many predictions match gold entities, one to one.

    ``gold`` is a list of entities, each a list of its mention strings; a
    prediction matches an entity when its normalized text equals one of the
    entity's normalized mentions. Each entity and each prediction is used once.
    """
    entities = [{normalize_filler(m) for m in mentions} for mentions in gold]
    used = [False] * len(entities)
    matched = 0
    for text in dict.fromkeys(normalize_filler(p) for p in predicted):
        for k, mentions in enumerate(entities):
            if not used[k] and text in mentions:
                used[k] = True
                matched += 1
                break
    return matched


def prf(matched: int, n_pred: int, n_gold: int) -> tuple[float, float, float]:
    p = matched / n_pred if n_pred else 0.0
    r = matched / n_gold if n_gold else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def model_difference(fresh: bytes, shipped: bytes) -> str:
    """How a retrained JSON model file compares with the shipped one: "identical", or the largest
    change of any weight (the lists and numbers under keys holding "weight" or "bias") and whether
    the threshold is the same. Retraining on the machine that trained the shipped file gives it byte
    for byte; another CPU can parse or round a few values differently."""
    import json

    if fresh == shipped:
        return "identical"
    a, b = json.loads(fresh), json.loads(shipped)

    def weights(model: dict) -> list[float]:
        out: list[float] = []
        for key in sorted(k for k in model if "weight" in k or k == "bias"):
            value = model[key]
            if isinstance(value, dict):
                out += [float(value[k]) for k in sorted(value)]
            elif isinstance(value, list):
                out += [float(v) for v in value]
            else:
                out.append(float(value))
        return out

    wa, wb = weights(a), weights(b)
    if len(wa) != len(wb):
        return f"DIFFERENT: {len(wa)} weights against {len(wb)} shipped"
    largest = max((abs(x - y) for x, y in zip(wa, wb)), default=0.0)
    scale = max((abs(y) for y in wb), default=0.0)
    ta, tb = a.get("threshold"), b.get("threshold")
    threshold = "the same" if ta == tb else f"{ta} against {tb}"
    return f"not byte for byte: largest weight change {largest:.4f} (largest weight {scale:.2f}); threshold {threshold}"
