"""Train the reuse detector (:mod:`corroborate.incidents.derive`) on the training part of dev.

    python -m corroborate.incidents.train_derive DATA_DIR [--out PATH]   (make train-derive)
    python -m corroborate.incidents.train_derive DATA_DIR --embeddings [--out PATH]   (make train-derive-embed)

With ``--embeddings``, every text's sentences are embedded (all-MiniLM-L6-v2, the ``embed`` extra)
and the rows hold :data:`corroborate.incidents.derive.EMBED_FEATURES` too: the variant that
``--embeddings`` runs use (``data/derive-embed.json``; about ten minutes on 2 cores).

Pairs (:func:`pair_sets`, the same for ``make bench`` on the held-out part, see
:mod:`corroborate.splits`):

- derived:
  - ``llmfake paraphrase`` / ``llmfake rewrite``: a human article against ChatGPT's paraphrase or
    rewrite of it (the versions identical to the article are left out here, and counted apart as
    ``llmfake identical``);
  - ``pickup``: an edited pickup built from a GVA report: a fifth to two fifths of its sentences
    dropped, two neighbours swapped, a new lead (the first sentence of a report of another
    incident) and another incident's paragraph appended;
  - ``gva shared``: two outlets' reports of one GVA incident of which one repeats at least half of
    the other word for word (a wire story and its pickup);
- independent:
  - ``gva independent``: two outlets' reports of one GVA incident of which neither repeats more than
    a tenth of the other word for word (they tell the same facts in their own words: the hard case);
  - ``llmfake other``: a human article against the most similar other article of its dataset
    (unless it repeats half of it word for word: the data sets hold a few articles twice).

Gradient-boosted trees (scikit-learn's ``HistGradientBoostingClassifier``, class-balanced, the
probability only rising with each overlap) are fitted on the training part and Platt-scaled on
out-of-fold margins (five folds by article and by incident); the threshold is the lowest
out-of-fold probability at which at most ``MAX_FALSE`` of the training part's independent pairs
are called derived. Trees are fitted on one thread, so that the file is the same on every run.
"""

from __future__ import annotations

import csv
import json
import random
import re
import sys
import zlib
from collections import defaultdict
from pathlib import Path

import numpy as np

from corroborate.incidents.derive import EMBED_FEATURES, FEATURES, features, prepare
from corroborate.learned import out_option, write_json_model
from corroborate.splits import gva_key, held_out, llmfake_key

MAX_FALSE = 0.005
SEED = 17
FOLDS = 5
PARAMS = {"learning_rate": 0.05, "max_iter": 200, "max_leaf_nodes": 15, "min_samples_leaf": 20, "class_weight": "balanced"}
#: +1: the probability may only rise with the feature; 0: free
MONOTONE = {f: (0 if f == "length_ratio" else 1) for f in FEATURES}
LLMFAKE = ("coaid", "gossipcop", "politifact")
DERIVED = ("llmfake paraphrase", "llmfake rewrite", "pickup", "gva shared")
INDEPENDENT = ("gva independent", "llmfake other")


def _outlet(url: str | None) -> str:
    from corroborate.assess.sources import domain_of

    return domain_of(url) or ""


def _sentences(text: str) -> list[str]:
    return [m.group().strip() for m in re.finditer(r"[^.!?\n]+(?:[.!?]+[\"'”’)]*|(?=\n)|$)", text) if m.group().strip()]


def pickup(text: str, lead: str, extra: str, seed: str) -> str:
    """An edited pickup of ``text``: sentences dropped and two swapped, ``lead`` before and
    ``extra`` after (deterministic for a ``seed``)."""
    rng = random.Random(zlib.crc32(seed.encode("utf-8")))
    sentences = _sentences(text)
    keep = [s for s in sentences if rng.random() >= rng.uniform(0.2, 0.4)] or sentences[:1]
    if len(keep) >= 3:
        k = rng.randrange(len(keep) - 1)
        keep[k], keep[k + 1] = keep[k + 1], keep[k]
    return "\n\n".join([lead, *keep, extra])


def _preparer(embedder=None):
    """:func:`prepare` with ``embedder``, remembering each text's result (the pair sets prepare
    one text many times, and embedding is slow)."""
    from functools import lru_cache

    @lru_cache(maxsize=4096)
    def prep(text: str):
        return prepare(text, embedder)

    return prep


def _gva(data: Path, want: bool, embedder=None) -> dict[str, list]:
    prep = _preparer(embedder)
    pairs: dict[str, list] = defaultdict(list)
    rows = [json.loads(line) for line in (data / "gva" / "reports.jsonl").open(encoding="utf-8") if line.strip()]
    rows = [r for r in rows if r.get("text") and held_out(gva_key(r["incident_id"])) == want]
    by_incident: dict[str, list] = defaultdict(list)
    for row in rows:
        by_incident[str(row["incident_id"])].append(row)
    for members in by_incident.values():
        for i, a in enumerate(members):
            for b in members[i + 1 :]:
                if _outlet(a["url"]) == _outlet(b["url"]):
                    continue
                ta, tb = prep(a["text"]), prep(b["text"])
                if not ta.sentences or not tb.sentences:
                    continue
                row, _, _ = features(ta, tb)
                group = f"gva:{a['incident_id']}"
                if row[0] >= 0.5:
                    pairs["gva shared"].append((a["id"], b["id"], row, group))
                elif row[0] <= 0.1:
                    pairs["gva independent"].append((a["id"], b["id"], row, group))
    ordered = sorted(rows, key=lambda r: r["id"])
    for k, row in enumerate(ordered):  # a pickup of each report, with a lead and a paragraph of other incidents
        others = [o for o in (ordered[(k + 7) % len(ordered)], ordered[(k + 13) % len(ordered)])]
        lead = (_sentences(others[0]["text"]) or [""])[0]
        extra = " ".join(_sentences(others[1]["text"])[:3])
        text = pickup(row["text"], lead, extra, row["id"])
        if not prep(row["text"]).sentences:
            continue
        pairs["pickup"].append((row["id"] + "~pickup", row["id"], features(prep(text), prep(row["text"]))[0],
                                f"gva:{row['incident_id']}"))
    return pairs


def _llmfake(data: Path, want: bool, embedder=None) -> dict[str, list]:
    prep = _preparer(embedder)
    csv.field_size_limit(10**9)
    pairs: dict[str, list] = defaultdict(list)
    for name in LLMFAKE:
        originals: dict[str, str] = {}
        for kind in ("paraphrase", "rewrite"):
            path = data / "llmfake" / f"{name}__synthetic-gpt-3.5-turbo_{name}_{kind}_generation_processed.csv"
            for row in csv.DictReader(path.open(encoding="utf-8")):
                human, machine = row["news_text"], row["synthetic_misinformation"]
                if not human or not machine or held_out(llmfake_key(name, row["news_id"])) != want:
                    continue
                if not prep(human).sentences or not prep(machine).sentences:
                    continue  # nothing to compare ("", "403 Forbidden"): no derivation is ever looked for
                originals[row["news_id"]] = human
                label = "llmfake identical" if human.strip() == machine.strip() else f"llmfake {kind}"
                pairs[label].append((f"{name}:{row['news_id']}~{kind}", f"{name}:{row['news_id']}",
                                     features(prep(machine), prep(human))[0], f"{name}:{row['news_id']}"))
        texts = {k: prep(v) for k, v in sorted(originals.items())}
        for nid, text in texts.items():  # the most similar other article (by content words)
            other = max((k for k in texts if k != nid),
                        key=lambda k: (len(text.content & texts[k].content) / (len(text.content | texts[k].content) or 1), k),
                        default=None)
            if other is not None and features(text, texts[other])[0][0] < 0.5:  # not a duplicate article of the data set
                pairs["llmfake other"].append((f"{name}:{nid}", f"{name}:{other}", features(text, texts[other])[0], f"{name}:{nid}"))
    return pairs


def pair_sets(data: Path, part: str, embedder=None) -> dict[str, list]:
    """name -> [(id, id, feature row, fold key)] for ``part`` ("train" or "held_out"); the fold key
    (a GVA incident, an llmfake article) keeps a unit's pairs in one cross-validation fold. With
    ``embedder``, the rows hold :data:`EMBED_FEATURES` too."""
    want = part == "held_out"
    return {**_gva(data, want, embedder), **_llmfake(data, want, embedder)}


def train(data: Path, log=print, embedder=None) -> dict:
    """Gradient-boosted trees (monotone in every overlap), Platt-scaled on out-of-fold margins
    (folds by article and incident); the threshold from the out-of-fold probabilities. With
    ``embedder``, the embedding variant (:data:`EMBED_FEATURES` too)."""
    from corroborate.incidents.train_linker import export, one_thread, platt

    names_of_features = [*FEATURES, *EMBED_FEATURES] if embedder is not None else list(FEATURES)
    sets = pair_sets(data, "train", embedder)
    names = (*DERIVED, *INDEPENDENT)
    for name in names:
        log(f"{name}: {len(sets.get(name, []))} training pairs")
    x = np.array([p[2] for name in names for p in sets[name]])
    y = np.array([name in DERIVED for name in names for _ in sets[name]], dtype=int)
    folds = np.array([zlib.crc32(p[3].encode("utf-8")) % FOLDS for name in names for p in sets[name]])
    kind = np.array([name for name in names for _ in sets[name]])
    margins = np.zeros(len(y))
    with one_thread():
        for k in range(FOLDS):
            test = folds == k
            margins[test] = _classifier(names_of_features).fit(x[~test], y[~test]).decision_function(x[test])
        model = _classifier(names_of_features).fit(x, y)
    a, b = platt(margins, y)
    probability = 1 / (1 + np.exp(-(a * margins + b)))
    negatives = np.sort(probability[y == 0])[::-1]
    allowed = int(MAX_FALSE * len(negatives))  # this many independent pairs may score at or above the threshold
    threshold = round(float(negatives[allowed]) + 1e-4, 4)
    recall = {name: round(float(np.mean(probability[kind == name] >= threshold)), 4) for name in names}
    log(f"threshold {threshold}; training part, out of fold, share called derived: "
        + ", ".join(f"{k} {v:.3f}" for k, v in recall.items()))
    out = export(model, names_of_features, (a, b), (threshold, threshold))
    variant = " (embedding variant, --embeddings)" if embedder is not None else ""
    out.update({"_doc": f"reuse detector{variant}: corroborate.incidents.derive; trained by corroborate.incidents.train_derive",
                "threshold": threshold,
                "training": {"pairs": {k: len(v) for k, v in sorted(sets.items())}, "derived_share_oof": recall}})
    return out


def _classifier(names=FEATURES):
    from sklearn.ensemble import HistGradientBoostingClassifier

    return HistGradientBoostingClassifier(random_state=SEED, monotonic_cst=[MONOTONE.get(f, 1) for f in names], **PARAMS)


def main(argv: list[str]) -> None:
    argv, out = out_option(argv)
    semantic = "--embeddings" in argv
    argv = [a for a in argv if a != "--embeddings"]
    if len(argv) != 1:
        sys.exit("usage: python -m corroborate.incidents.train_derive DATA_DIR [--embeddings] [--out PATH]")
    embedder = None
    if semantic:
        from corroborate.analyze.embed import Embedder

        embedder = Embedder()
    name = "data/derive-embed.json" if semantic else "data/derive.json"
    print(f"wrote {write_json_model('corroborate.incidents', name, train(Path(argv[0]), embedder=embedder), out)}")


if __name__ == "__main__":
    main(sys.argv[1:])
