"""Train the machine-written detector (``make train-detector``) and measure it.

    python -m corroborate.assess.train_detector [LLMFAKE_DIR] [--out PATH]

Data: the llmfake CSVs. Human-written texts are ``news_text`` (one per
dataset and ``news_id``: the same article recurs across files); machine-written
texts are ``synthetic_misinformation``, labelled by generation method from the
file name. A synthetic text that is a near copy of its source (word-shingle
Jaccard >= 0.8) is dropped: it is not evidence of machine style. Texts under 30
words are dropped.

Split: by ``dataset:news_id`` (crc32 mod 5 == 0 is dev), so no human/synthetic
pair straddles train and dev; the prompt-only files (no news_id) split by row.

Model: logistic regression (scikit-learn, liblinear, balanced class weights,
``SEED``) over the features of :mod:`corroborate.assess.detector`, with the
vocabulary chosen on train (document frequency >= 5, then the ``VOCAB`` terms
with the highest chi-squared score), then Platt-calibrated on cross-validated
train scores with balanced weights, so that 0.5 means even odds when human
and machine texts are equally likely. The calibration is folded into the
weights, so the shipped file stays one linear model.

Measured and written into the model file's ``metrics``:
- AUROC on the dev split, overall and per generation method;
- AUROC on each held-out method family: retrained without that family's
  texts, scored on dev humans against that family's dev texts;
- Brier score and reliability bins on dev, classes weighted equally.
"""

from __future__ import annotations

import csv
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any, cast

from corroborate.assess import detector
from corroborate.lang import en
from corroborate.splits import held_out

SEED = 13
VOCAB = 6000
MIN_DF = 5
MIN_WORDS = 30
FAMILIES = {
    "paraphrase_generation": "paraphrase",
    "rewrite_generation": "rewrite",
    "open_ended_generation": "open_ended",
    "information_manipulation": "manipulation",
    "arbitrary_generation": "arbitrary",
    "hallucination": "arbitrary",
}


def _family(filename: str) -> str:
    for key, family in FAMILIES.items():
        if key in filename:
            return family
    raise ValueError(f"unknown generation method in {filename}")


def _shingles(tokens: list[str]) -> set[str]:
    return {" ".join(tokens[i : i + 3]) for i in range(max(len(tokens) - 2, 1))}


def load(llmfake: Path) -> list[dict]:
    """Samples {text, label (1 = machine), group, family, dataset}."""
    csv.field_size_limit(10**9)
    samples, humans = [], {}
    for path in sorted(llmfake.glob("*.csv")):
        dataset = path.name.split("__")[0]
        family = _family(path.name)
        for row_no, row in enumerate(csv.DictReader(path.open(encoding="utf-8"))):
            synthetic = row.get("synthetic_misinformation") or row.get("synthetic misinformation") or ""
            news_id = row.get("news_id")
            group = f"{dataset}:{news_id}" if news_id else f"{path.name}:{row_no}"
            human = row.get("news_text") or ""
            if news_id and group not in humans and len(detector.words(human)) >= MIN_WORDS:
                humans[group] = human
            tokens = detector.words(synthetic)
            if len(tokens) < MIN_WORDS:
                continue
            if human:
                a, b = _shingles(tokens), _shingles(detector.words(human))
                if len(a & b) / max(len(a | b), 1) >= 0.8:
                    continue  # a near copy of the source
            samples.append({"text": synthetic, "label": 1, "group": group, "family": family, "dataset": dataset})
    for group, text in humans.items():
        samples.append({"text": text, "label": 0, "group": group, "family": "human", "dataset": group.split(":")[0]})
    for s in samples:
        s["dev"] = held_out(s["group"])  # the fixed held-out part (corroborate.splits)
    return samples


def featurize(samples: list[dict]) -> None:
    stock = detector._stock_re(detector.stock_phrases())
    for s in samples:  # every sample has 30 words or more (see load), so features() is never None
        s["terms"], s["dense"] = cast("tuple[dict[str, float], list[float]]", detector.features(s["text"], stock))


def _function_words() -> frozenset[str]:
    """spaCy's English stop words: the style of a text, not its topic."""
    return frozenset(w.lower().replace("’", "'") for w in en.stop_words())


def _matrix(samples, vocabulary, mean, scale):
    import numpy as np
    from scipy.sparse import csr_matrix, hstack

    rows, cols, vals = [], [], []
    for r, s in enumerate(samples):
        for t, v in s["terms"].items():
            if t in vocabulary:
                rows.append(r)
                cols.append(vocabulary[t])
                vals.append(v)
    sparse = csr_matrix((vals, (rows, cols)), shape=(len(samples), len(vocabulary)))
    dense = (np.array([s["dense"] for s in samples]) - mean) / scale
    return hstack([sparse, csr_matrix(dense)]).tocsr()


def fit(train: list[dict]) -> dict:
    """A calibrated model, as the dict written to ``detector.json``."""
    import numpy as np
    from sklearn.feature_selection import chi2
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GroupKFold, cross_val_predict

    df = Counter(t for s in train for t in s["terms"])
    function = _function_words()
    candidates = sorted(t for t, n in df.items() if n >= MIN_DF and all(w in function for w in t.split()))
    index = {t: i for i, t in enumerate(candidates)}
    y = np.array([s["label"] for s in train])
    dense = np.array([s["dense"] for s in train])
    mean, scale = dense.mean(axis=0), dense.std(axis=0) + 1e-9
    full = _matrix(train, index, mean, scale)[:, : len(candidates)]
    scores, _ = chi2((full > 0).astype(float), y)
    keep = sorted(np.argsort(-np.nan_to_num(scores))[:VOCAB])
    vocabulary = {candidates[i]: k for k, i in enumerate(keep)}
    X = _matrix(train, vocabulary, mean, scale)
    lr = LogisticRegression(C=4.0, solver="liblinear", class_weight="balanced", random_state=SEED, max_iter=1000)
    # Platt scaling on out-of-fold scores, classes weighted equally
    groups = [s["group"] for s in train]
    oof = cross_val_predict(lr, X, y, groups=groups, cv=GroupKFold(n_splits=5), method="decision_function")
    weights = np.where(y == 1, 0.5 / y.mean(), 0.5 / (1 - y.mean()))
    platt = LogisticRegression(C=1e6, solver="lbfgs").fit(oof.reshape(-1, 1), y, sample_weight=weights)
    a, b = float(platt.coef_[0][0]), float(platt.intercept_[0])
    lr.fit(X, y)
    coef = lr.coef_[0] * a
    n_vocab = len(vocabulary)
    return {
        "bias": round(float(lr.intercept_[0]) * a + b, 6),
        "vocabulary": list(vocabulary),
        "weights": [round(float(w), 5) for w in coef[:n_vocab]],
        "dense_names": list(detector.DENSE),
        "dense_mean": [round(float(m), 6) for m in mean],
        "dense_scale": [round(float(s), 6) for s in scale],
        "dense_weights": [round(float(w), 5) for w in coef[n_vocab:]],
    }


def predict(model: dict, samples: list[dict]) -> list[float]:
    import numpy as np

    vocabulary = {t: i for i, t in enumerate(model["vocabulary"])}
    X = _matrix(samples, vocabulary, np.array(model["dense_mean"]), np.array(model["dense_scale"]))
    z = X @ np.array(model["weights"] + model["dense_weights"]) + model["bias"]
    return list(1 / (1 + np.exp(-np.clip(z, -40, 40))))


def calibration(y: list[int], p: list[float], bins: int = 10) -> dict:
    """Brier score and reliability bins with the two classes weighted equally."""
    import numpy as np

    ya, pa = np.array(y), np.array(p)
    w = np.where(ya == 1, 0.5 / ya.mean(), 0.5 / (1 - ya.mean()))
    brier = float(np.sum(w * (pa - ya) ** 2) / w.sum())
    table = []
    for k in range(bins):
        lo, hi = k / bins, (k + 1) / bins
        m = (pa >= lo) & ((pa < hi) if k < bins - 1 else (pa <= hi))
        if m.any():
            table.append({"bin": f"{lo:.1f}-{hi:.1f}", "n": int(m.sum()), "mean_predicted": round(float(np.average(pa[m], weights=w[m])), 3),
                          "share_machine": round(float(np.average(ya[m], weights=w[m])), 3)})
    return {"brier_balanced": round(brier, 4), "reliability": table}


def auroc(y: list[int], p: list[float]) -> float:
    from sklearn.metrics import roc_auc_score

    return round(float(roc_auc_score(y, p)), 4)


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    llmfake = Path(args[0]) if args else Path(__file__).resolve().parents[4] / "shared" / "data" / "llmfake"
    out = Path(sys.argv[sys.argv.index("--out") + 1]) if "--out" in sys.argv else Path(__file__).parent / "data" / "detector.json"
    if not llmfake.is_dir():
        sys.exit(f"train-detector needs the llmfake data: {llmfake} is not a directory")
    samples = load(llmfake)
    featurize(samples)
    train = [s for s in samples if not s["dev"]]
    dev = [s for s in samples if s["dev"]]
    print(f"{len(samples)} texts ({sum(s['label'] for s in samples)} machine): train {len(train)}, dev {len(dev)}", flush=True)
    model = fit(train)
    p = predict(model, dev)
    y = [s["label"] for s in dev]
    metrics: dict[str, Any] = {"dev_auroc": auroc(y, p), "dev_size": {"human": y.count(0), "machine": y.count(1)}, "per_method_dev_auroc": {}, "held_out_method_auroc": {}}
    humans = [(s, q) for s, q in zip(dev, p) if s["label"] == 0]
    for family in sorted({s["family"] for s in samples} - {"human"}):
        mine = [(s, q) for s, q in zip(dev, p) if s["family"] == family]
        metrics["per_method_dev_auroc"][family] = auroc([0] * len(humans) + [1] * len(mine), [q for _, q in humans] + [q for _, q in mine])
        held = fit([s for s in train if s["family"] != family])
        test = [s for s in dev if s["label"] == 0 or s["family"] == family]
        metrics["held_out_method_auroc"][family] = {
            "auroc": auroc([s["label"] for s in test], predict(held, test)),
            "dev_texts": len(test) - len(humans),
        }
        print(f"held out {family}: {metrics['held_out_method_auroc'][family]}", flush=True)
    metrics["calibration"] = calibration(y, p)
    model = {
        "_doc": "Machine-written detector for corroborate (see corroborate/assess/detector.py); trained by "
        "corroborate/assess/train_detector.py on ../shared/data/llmfake (ChatGPT-3.5 news vs human-written news).",
        "_seed": SEED,
        "metrics": metrics,
        **model,
    }
    text = json.dumps(model, ensure_ascii=False, separators=(",", ":")) + "\n"
    out.write_text(text, encoding="utf-8")
    if "--out" not in sys.argv:  # the shipped file: record its sum, checked at load
        import hashlib

        from corroborate.learned import record_sha256

        record_sha256("corroborate.assess", "data/detector.json", hashlib.sha256(text.encode("utf-8")).hexdigest())
    print(json.dumps(metrics, indent=1))
    print(f"wrote {out} ({out.stat().st_size / 1024:.0f} KB)")


if __name__ == "__main__":
    main()
