"""Scoring functions for the bench (kept free of I/O so tests can check them)."""

from __future__ import annotations

from collections import defaultdict


def bcubed(predicted: dict[str, str], gold: dict[str, str]) -> tuple[float, float, float]:
    """B-cubed precision, recall and F1 of a clustering.

    ``predicted`` and ``gold`` map each item to its cluster label; items absent
    from ``gold`` are ignored.
    """
    items = [i for i in predicted if i in gold]
    if not items:
        return 0.0, 0.0, 0.0
    pred_members, gold_members = defaultdict(set), defaultdict(set)
    for item in items:
        pred_members[predicted[item]].add(item)
        gold_members[gold[item]].add(item)
    precision = recall = 0.0
    for item in items:
        p, g = pred_members[predicted[item]], gold_members[gold[item]]
        both = len(p & g)
        precision += both / len(p)
        recall += both / len(g)
    precision /= len(items)
    recall /= len(items)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1
