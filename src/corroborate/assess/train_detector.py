"""Train the machine-written detector (``make train-detector``) and measure it.

    python -m corroborate.assess.train_detector [LLMFAKE_DIR] [--out PATH]

Data: the llmfake CSVs. Human-written texts are ``news_text`` (one per
dataset and ``news_id``: the same article recurs across files); machine-written
texts are ``synthetic_misinformation``, labelled by generation method from the
file name. A synthetic text that is a near copy of its source (word-shingle
Jaccard >= 0.8) is dropped: it is not evidence of machine style. Texts under 30
words are dropped.

Human news from the other dev sets (since the twelfth session): the reports of GVA, the
documents of ECB+ and the MUC-4 texts (train and dev files), each under its own held-out rule
(:mod:`corroborate.splits`: by incident, topic and document). Their training parts teach the
model what human news outside llmfake reads like (wire copy, local news, translated and
lowercased FBIS text), which llmfake's few sources do not show; their held-out parts measure the
false-alarm rate (``metrics.false_alarms``: the share scored 0.5 or more).

Split: by ``dataset:news_id`` (crc32 mod 5 == 0 is dev), so no human/synthetic
pair straddles train and dev; the prompt-only files (no news_id) split by row.

Model: logistic regression (scikit-learn, liblinear, balanced class weights,
``SEED``) over the features of :mod:`corroborate.assess.detector`, with the
vocabulary chosen on train (document frequency >= 5, then the ``VOCAB`` terms
with the highest chi-squared score), then Platt-calibrated on cross-validated
train scores with balanced weights (classes equal; within the human class llmfake's news half,
the other corpora's the other half: :func:`sample_weights`), then shifted down by
:func:`prior_offset`: the log-odds that bring the out-of-fold share of each other corpus's
training human news scored 0.5 or more to :data:`MAX_FALSE_ALARMS` (2%). So 0.5 is not even
odds: it is the point where false alarms on human news are rare, and a score reads as a
likelihood under a prior that machine text is the exception. The calibration is folded into the
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
from corroborate.splits import ecb_key, gva_key, held_out, muc4_key

SEED = 13
VOCAB = 6000
MIN_DF = 5
MIN_WORDS = 30
#: the share of human news (each corpus but llmfake's, training part, out of fold) that may score 0.5 or more
MAX_FALSE_ALARMS = 0.02
#: llmfake's datasets (a sample's ``dataset``); the human news of the other corpora is named by its corpus
LLMFAKE = ("coaid", "gossipcop", "politifact")
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


def human_news(shared: Path) -> list[dict]:
    """Human-written news from GVA, ECB+ and MUC-4: samples {text, label 0, group, family
    "human", dataset, dev}, ``dev`` by each corpus's held-out unit. A text seen twice in a corpus
    (the same page under two ids) is kept once."""
    samples, seen = [], set()

    def add(text: str, dataset: str, unit: str) -> None:
        if text and len(detector.words(text)) >= MIN_WORDS and (dataset, text) not in seen:
            seen.add((dataset, text))
            samples.append({"text": text, "label": 0, "group": f"{dataset}:{unit}", "family": "human", "dataset": dataset, "dev": held_out(unit)})

    for line in (shared / "gva" / "reports.jsonl").open(encoding="utf-8"):
        row = json.loads(line)
        add(row.get("text") or "", "gva", gva_key(row["incident_id"]))
    for line in (shared / "ecbplus" / "docs.jsonl").open(encoding="utf-8"):
        row = json.loads(line)
        add(row.get("text") or "", "ecbplus", ecb_key(row["topic"]))
    for name in ("train.jsonl", "dev.jsonl"):
        for line in (shared / "muc4" / name).open(encoding="utf-8"):
            row = json.loads(line)
            add(row.get("doctext") or "", "muc4", muc4_key(row["docid"]))
    return samples


def load(llmfake: Path, shared: Path | None = None) -> list[dict]:
    """Samples {text, label (1 = machine), group, family, dataset, dev}: llmfake's, and with
    ``shared`` (the ``data`` folder holding ``gva``, ``ecbplus`` and ``muc4``), :func:`human_news`."""
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
    return samples + (human_news(shared) if shared is not None else [])


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


def prior_offset(train: list[dict], log_odds, limit: float = MAX_FALSE_ALARMS) -> float:
    """The log-odds to take off every score so that, out of fold, at most ``limit`` of each
    corpus's training human news other than llmfake's scores 0.5 or more (0 when none needs it).
    The threshold is set on the training part only."""
    offset = 0.0
    for dataset in sorted({s["dataset"] for s in train if s["label"] == 0 and s["dataset"] not in LLMFAKE}):
        values = sorted((float(z) for s, z in zip(train, log_odds) if s["label"] == 0 and s["dataset"] == dataset), reverse=True)
        allowed = int(limit * len(values))  # this many may stay at 0.5 or more
        if allowed < len(values):
            offset = max(offset, values[allowed] + 1e-6)
    return offset


def sample_weights(train: list[dict]):
    """Each sample's weight (mean 1): the two classes weigh the same; within the human class,
    llmfake's own human news weighs half and the other corpora's news the other half, each corpus
    equally (their thousands of local, wire and FBIS reports must not teach the model that
    llmfake's topics are machine-written: the machine texts all share them)."""
    import numpy as np

    def stratum(s: dict) -> str:
        return "machine" if s["label"] == 1 else ("llmfake" if s["dataset"] in LLMFAKE else s["dataset"])

    strata = Counter(stratum(s) for s in train)
    others = [k for k in strata if k not in ("machine", "llmfake")]
    share = {"machine": 0.5, "llmfake": 0.25 if others else 0.5, **{k: 0.25 / len(others) for k in others}}
    return np.array([share[stratum(s)] / strata[stratum(s)] * len(train) for s in train])


def fit(train: list[dict], oof_out: list[float] | None = None) -> dict:
    """A calibrated model, as the dict written to ``detector.json``. With ``oof_out``, the
    calibrated out-of-fold log-odds of each training sample are appended to it (each from a model
    that did not see that sample's group: what the deep detector is stacked on)."""
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
    lr = LogisticRegression(C=4.0, solver="liblinear", random_state=SEED, max_iter=1000)
    weights = sample_weights(train)
    # Platt scaling on out-of-fold scores, classes weighted equally
    groups = [s["group"] for s in train]
    oof = cross_val_predict(lr, X, y, groups=groups, cv=GroupKFold(n_splits=5), method="decision_function",
                            params={"sample_weight": weights})
    platt = LogisticRegression(C=1e6, solver="lbfgs").fit(oof.reshape(-1, 1), y, sample_weight=weights)
    a, b = float(platt.coef_[0][0]), float(platt.intercept_[0])
    offset = prior_offset(train, a * oof + b)
    b -= offset
    if oof_out is not None:
        oof_out.extend(float(v) for v in a * oof + b)
    lr.fit(X, y, sample_weight=weights)
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
        "prior_offset": round(offset, 6),
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


def false_alarms(samples: list[dict], p: list[float]) -> dict:
    """Per human-news dataset: texts, and the share scored 0.5 or more."""
    out = {}
    for dataset in sorted({s["dataset"] for s in samples if s["label"] == 0}):
        mine = [q for s, q in zip(samples, p) if s["label"] == 0 and s["dataset"] == dataset]
        out[dataset] = {"texts": len(mine), "rate": round(float(sum(q >= 0.5 for q in mine)) / len(mine), 4)}
    return out


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    llmfake = Path(args[0]) if args else Path(__file__).resolve().parents[4] / "shared" / "data" / "llmfake"
    out = Path(sys.argv[sys.argv.index("--out") + 1]) if "--out" in sys.argv else Path(__file__).parent / "data" / "detector.json"
    if not llmfake.is_dir():
        sys.exit(f"train-detector needs the llmfake data: {llmfake} is not a directory")
    shared = llmfake.parent
    for name in ("gva/reports.jsonl", "ecbplus/docs.jsonl", "muc4/train.jsonl", "muc4/dev.jsonl"):
        if not (shared / name).is_file():
            sys.exit(f"train-detector needs the human news of {shared / name} (beside llmfake)")
    samples = load(llmfake, shared)
    featurize(samples)
    train = [s for s in samples if not s["dev"]]
    dev = [s for s in samples if s["dev"]]
    print(f"{len(samples)} texts ({sum(s['label'] for s in samples)} machine): train {len(train)}, dev {len(dev)}", flush=True)
    model = fit(train)
    p = predict(model, dev)
    in_llmfake = [s["dataset"] in LLMFAKE for s in dev]
    dev_l = [s for s, keep in zip(dev, in_llmfake) if keep]
    p_l = [q for q, keep in zip(p, in_llmfake) if keep]
    y = [s["label"] for s in dev_l]
    metrics: dict[str, Any] = {"dev_auroc": auroc(y, p_l), "dev_size": {"human": y.count(0), "machine": y.count(1)}, "per_method_dev_auroc": {}, "held_out_method_auroc": {}}
    humans = [(s, q) for s, q in zip(dev_l, p_l) if s["label"] == 0]
    for family in sorted({s["family"] for s in samples} - {"human"}):
        mine = [(s, q) for s, q in zip(dev_l, p_l) if s["family"] == family]
        metrics["per_method_dev_auroc"][family] = auroc([0] * len(humans) + [1] * len(mine), [q for _, q in humans] + [q for _, q in mine])
        held = fit([s for s in train if s["family"] != family])
        test = [s for s in dev_l if s["label"] == 0 or s["family"] == family]
        metrics["held_out_method_auroc"][family] = {
            "auroc": auroc([s["label"] for s in test], predict(held, test)),
            "dev_texts": len(test) - len(humans),
        }
        print(f"held out {family}: {metrics['held_out_method_auroc'][family]}", flush=True)
    metrics["calibration"] = calibration([s["label"] for s in dev], p)  # every held-out text: llmfake's and the human news
    metrics["calibration_llmfake"] = calibration(y, p_l)
    metrics["false_alarms"] = false_alarms(dev, p)
    machine = [q for q, label in zip(p_l, y) if label == 1]
    metrics["detection_rate_llmfake"] = round(sum(q >= 0.5 for q in machine) / len(machine), 4)  # machine texts scored 0.5 or more
    metrics["all_human_news_auroc"] = auroc([s["label"] for s in dev], p)
    model = {
        "_doc": "Machine-written detector for corroborate (see corroborate/assess/detector.py); trained by "
        "corroborate/assess/train_detector.py on ../shared/data/llmfake (ChatGPT-3.5 news vs human-written news) "
        "and the human news of the training parts of GVA, ECB+ and MUC-4.",
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
