"""Sentence alignment on llmfake paraphrase pairs: lexical against lexical + semantic.

Each ChatGPT paraphrase of a human-written article restates the article, so its
sentences should be found *shared* with the original (recall). Against the
most similar other article of the same dataset (by content-word overlap, so the
topic is close), they should not (false-shared rate). Pairs whose paraphrase is
a verbatim copy are skipped. Articles are split as every dev set is
(:mod:`corroborate.splits`, by ``dataset:news_id``): the semantic threshold is chosen on the
training part (``--sweep``), and figures are reported on the held-out part.

Usage: python bench/alignment.py [LLMFAKE_DIR] [--sweep]
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

FILES = ["coaid", "gossipcop", "politifact"]


def _claims(doc: str, text: str):
    from corroborate.incidents.align import claims
    from corroborate.records import Report

    report = Report(id=doc, origin="llmfake", text=text)
    return [(doc, text[a:b], a, b, words) for a, b, words in claims(report)]


def load_pairs(llmfake: Path, part: str) -> list[tuple[str, list, list, list]]:
    """(dataset, paraphrase claims, original claims, nearest other original's claims) per pair of
    ``part`` ("train" or "held_out"); the nearest other article is sought among all of the dataset's."""
    from corroborate.splits import held_out, llmfake_key

    csv.field_size_limit(10**9)
    out = []
    for name in FILES:
        path = llmfake / f"{name}__synthetic-gpt-3.5-turbo_{name}_paraphrase_generation_processed.csv"
        rows = [r for r in csv.DictReader(path.open(encoding="utf-8")) if r["news_text"] and r["synthetic_misinformation"]]
        originals = {r["news_id"]: _claims("orig", r["news_text"]) for r in rows}
        vocab = {k: frozenset().union(*(c[4] for c in v)) if v else frozenset() for k, v in originals.items()}
        for row in rows:
            nid = row["news_id"]
            if held_out(llmfake_key(name, nid)) != (part == "held_out") or row["synthetic_misinformation"].strip() == row["news_text"].strip():
                continue
            para = _claims("para", row["synthetic_misinformation"])
            if not para or not originals[nid]:
                continue
            mine = vocab[nid]
            other = max(
                (k for k in originals if k != nid and originals[k]),
                key=lambda k: (len(mine & vocab[k]) / (len(mine | vocab[k]) or 1), k),
            )
            decoy = [("decoy",) + c[1:] for c in originals[other]]
            out.append((name, para, originals[nid], decoy))
    return out


def evaluate(pairs, embedder=None, thresholds=None) -> dict[str, tuple[int, int, int, int]]:
    """mode -> (shared with original, claims, shared with decoy, claims).

    The semantic test is :func:`corroborate.incidents.align.semantic_similarity`'s, computed
    here from one encoding per sentence (each paraphrase is compared twice)."""
    from corroborate.incidents import align

    counts: dict[str, list[int]] = {}
    for _, para, orig, decoy in pairs:
        vectors = embedder.encode([c[1] for c in para + orig + decoy]) if embedder is not None else None
        for against, slot, offset in ((orig, 0, len(para)), (decoy, 2, len(para) + len(orig))):
            lexical = align.lexically_shared(para + against)[: len(para)]
            modes = {"lexical": lexical}
            if vectors is not None:
                sims = (vectors[: len(para)] @ vectors[offset : offset + len(against)].T).max(axis=1)
                for t in thresholds or [align.SEMANTIC_THRESHOLD]:
                    modes[f"lexical+semantic (cosine >= {t:.2f})"] = [a or s >= t for a, s in zip(lexical, sims)]
            for mode, shared in modes.items():
                c = counts.setdefault(mode, [0, 0, 0, 0])
                c[slot] += sum(shared)
                c[slot + 1] += len(shared)
    return {k: tuple(v) for k, v in counts.items()}


def table(llmfake: Path, sweep: bool = False) -> list[str]:
    from corroborate.analyze.embed import available, load_embedder

    embedder = load_embedder() if available() else None
    pairs = load_pairs(llmfake, "train" if sweep else "held_out")
    thresholds = [0.55, 0.6, 0.65, 0.7, 0.75, 0.8] if sweep else None
    lines = [
        (f"| sentence alignment, llmfake paraphrases ({'training' if sweep else 'held-out'} part, {len(pairs)} pairs) "
         "| found shared with its original | found shared with the nearest other article |"),
        "|---|---:|---:|",
    ]
    for mode, (tp, n, fp, m) in evaluate(pairs, embedder, thresholds).items():
        lines.append(f"| {mode} | {tp}/{n} = {tp / n:.3f} | {fp}/{m} = {fp / m:.3f} |")
    if embedder is None:
        lines.append("(semantic mode skipped: the optional 'embed' extra is not installed)")
    return lines


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("-")]
    llmfake = Path(args[0]) if args else Path(__file__).resolve().parents[2] / "shared/data/llmfake"
    print("\n".join(table(llmfake, "--sweep" in sys.argv)))


if __name__ == "__main__":
    main()
