"""Train the deep machine-written detector (``make train-detector-deep``) and measure it.

    python -m corroborate.assess.train_detector_deep SHARED_DATA CONTINUATIONS_JSONL [--out PATH] [--cache PATH] [--processes N]

The deep detector (``--deep-detect``) is one logistic model over the style model's log-odds
(:mod:`corroborate.assess.detector`) and the language model's measures
(:mod:`corroborate.assess.likelihood`: mean token log-likelihood, entropy, Fast-DetectGPT
curvature, log-rank), standardized with the training mean and scale, fitted with the classes
weighted equally and each source within its class equally (scikit-learn, lbfgs), then its
log-odds lowered, as the style model's are, so that out of fold at most 2% of each training
corpus's human news (GVA, ECB+, MUC-4) scores 0.5 or more.

Data, split by each corpus's held-out rule (:mod:`corroborate.splits`); the model is fitted on
the training parts only:
- llmfake: human news and its ChatGPT-3.5 versions (as :mod:`.train_detector` loads them);
- human news from GVA, ECB+ and MUC-4 (:func:`.train_detector.human_news`);
- base-model text, self-generated (:mod:`.continuations`: the first sentences of GVA and
  llmfake human articles continued by the same small model), held out with its article.

The style model's log-odds of a *training* text is its out-of-fold value (from a model that did
not see the text's group, :func:`.train_detector.fit`), so the stack learns how far to trust it on
unseen text; on held-out text it is the shipped model's. The language model reads a fixed sample of
each source (:data:`TRAIN_PER_SOURCE` training texts, up to :data:`HELD_OUT_DEFAULT` held-out
ones, 300 of ChatGPT's) and every base-model text; its measures are cached by the text's sha256
(``--cache``), so a rerun costs little.

Measured on the held-out parts and written into the model file's ``metrics``: AUROC per
llmfake method, on self-generated base-model text, and over all; Brier score and reliability
bins; the false-alarm rate (share scored 0.5 or more) on each human news set and on the seeds'
000; the same for the style model alone, on the same texts.
"""

from __future__ import annotations

import hashlib
import json
import sys
import zlib
from multiprocessing import Pool
from pathlib import Path
from typing import Any

from corroborate.assess import detector, likelihood
from corroborate.assess import train_detector as style

SEED = 29
#: training texts the language model reads per source and class (a fixed choice, by crc32 of the group)
TRAIN_PER_SOURCE = 150
#: held-out texts it reads per source and class, at most (the same choice; the base-model texts all)
HELD_OUT_PER_SOURCE = {"chatgpt": 300}
HELD_OUT_DEFAULT = 200
NAMES = ("style_log_odds", *likelihood.FEATURES)


def lm_features(texts: list[str], cache: Path, processes: int = 1) -> list[list[float] | None]:
    """The language model's measures of each text, from the cache or computed (and cached)."""
    known: dict[str, list[float] | None] = {}
    if cache.exists():
        for line in cache.open(encoding="utf-8"):
            try:
                row = json.loads(line)
            except ValueError:  # a line cut short when an earlier run was stopped
                continue
            known[row["sha256"]] = row["features"]
    keys = [hashlib.sha256(t.encode("utf-8")).hexdigest() for t in texts]
    todo = sorted({k: t for k, t in zip(keys, texts) if k not in known}.items())
    if todo:
        print(f"language model: {len(todo)} texts to read ({len(texts) - len(todo)} cached)", file=sys.stderr, flush=True)
        cache.parent.mkdir(parents=True, exist_ok=True)
        with cache.open("a", encoding="utf-8") as handle, Pool(processes) as pool:
            for done, ((key, _), found) in enumerate(zip(todo, pool.imap(likelihood.measure, [t for _, t in todo], chunksize=4)), 1):
                known[key] = found
                handle.write(json.dumps({"sha256": key, "features": found}) + "\n")
                if done % 100 == 0:
                    handle.flush()
                    print(f"  {done}/{len(todo)}", file=sys.stderr, flush=True)
    return [known[k] for k in keys]


def _source(s: dict) -> str:
    if s.get("family") == "base_model":
        return "base_model"
    return s["dataset"] if s["dataset"] not in style.LLMFAKE else ("llmfake_human" if s["label"] == 0 else "chatgpt")


def load_samples(shared: Path, continuations: Path) -> list[dict]:
    samples = style.load(shared / "llmfake", shared)
    for line in continuations.open(encoding="utf-8"):
        row = json.loads(line)
        samples.append({"text": row["text"], "label": 1, "group": f"{row['source']}:{row['key']}", "family": "base_model",
                        "dataset": f"continuation-{row['source']}", "dev": row["held_out"]})
    style.featurize(samples)
    return samples


def choose(samples: list[dict], per_source: dict[str, int], default: int) -> list[dict]:
    """The texts the language model reads (it costs about a second each): all base-model texts, and
    of every other source and class the first ``per_source`` (or ``default``) by crc32 of the
    group and text, a fixed choice spread over the groups."""
    by: dict[str, list[dict]] = {}
    for s in samples:
        by.setdefault(_source(s), []).append(s)
    chosen = []
    for source, items in sorted(by.items()):
        items.sort(key=lambda s: (zlib.crc32(f"deep:{s['group']}:{s['text'][:64]}".encode()), s["text"]))
        chosen += items if source == "base_model" else items[: per_source.get(source, default)]
    return chosen


def fit(X, y, sources: list[str], samples: list[dict] | None = None) -> dict:
    """The stacked model: each class weighted equally, and within a class each source equally. With
    ``samples`` (the rows' samples), its log-odds are then lowered as the style model's are
    (:func:`.train_detector.prior_offset`, from out-of-fold scores over 5 folds by group): at most
    2% of each training corpus's human news other than llmfake's at 0.5 or more."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GroupKFold

    if samples is not None:
        oof = np.zeros(len(samples))
        for fit_rows, test_rows in GroupKFold(n_splits=5).split(X, y, [s["group"] for s in samples]):
            part = fit(X[fit_rows], [y[i] for i in fit_rows], [sources[i] for i in fit_rows])
            oof[test_rows] = [detector.log_odds(q) for q in predict(part, X[test_rows])]
        model = fit(X, y, sources)
        model["prior_offset"] = round(style.prior_offset(samples, oof), 6)
        model["bias"] = round(model["bias"] - model["prior_offset"], 6)
        return model
    y = np.asarray(y)
    weights = np.zeros(len(y))
    for label in (0, 1):
        mine = sorted({s for s, t in zip(sources, y) if t == label})
        for source in mine:
            m = np.array([s == source and t == label for s, t in zip(sources, y)])
            weights[m] = 0.5 / len(mine) / m.sum()
    mean, scale = X.mean(axis=0), X.std(axis=0) + 1e-9
    lr = LogisticRegression(C=1.0, solver="lbfgs", random_state=SEED, max_iter=2000)
    lr.fit((X - mean) / scale, y, sample_weight=weights * len(y))
    return {"names": list(NAMES), "mean": [round(float(m), 6) for m in mean], "scale": [round(float(s), 6) for s in scale],
            "weights": [round(float(w), 6) for w in lr.coef_[0]], "bias": round(float(lr.intercept_[0]), 6)}


def predict(model: dict, X) -> list[float]:
    import numpy as np

    z = ((X - np.array(model["mean"])) / np.array(model["scale"])) @ np.array(model["weights"]) + model["bias"]
    return [float(v) for v in 1 / (1 + np.exp(-np.clip(z, -40, 40)))]


def main(argv: list[str] | None = None) -> None:
    import numpy as np

    args = list(sys.argv[1:] if argv is None else argv)
    options = {}
    for name in ("--out", "--cache", "--processes"):
        if name in args:
            k = args.index(name)
            options[name] = args[k + 1]
            del args[k : k + 2]
    shared, continuations = Path(args[0]), Path(args[1])
    out = Path(options.get("--out", Path(__file__).parent / "data" / "detector_deep.json"))
    cache = Path(options.get("--cache", "bench/out/deep/lm-features.jsonl"))
    processes = int(options.get("--processes", "1"))
    samples = load_samples(shared, continuations)
    train = [s for s in samples if not s["dev"]]
    dev = [s for s in samples if s["dev"]]
    # the style model's log-odds: out of fold on its own training texts, the shipped model's elsewhere
    base_train = [s for s in train if s["family"] != "base_model"]
    oof: list[float] = []
    refit = style.fit(base_train, oof)
    shipped = detector.load_model()
    if refit["weights"] != shipped.weights or refit["bias"] != shipped.bias:
        sys.exit("the shipped style model (data/detector.json) is not what train_detector gives: run make train-detector first")
    for s, z in zip(base_train, oof):
        s["z"] = z
    for s in samples:
        s.setdefault("z", detector.log_odds(detector.score(s["text"], shipped)))
    chosen = choose(train, {}, TRAIN_PER_SOURCE)
    dev = choose(dev, HELD_OUT_PER_SOURCE, HELD_OUT_DEFAULT)
    seeds: list[dict[str, Any]] = []
    for name, label in (("000_ead4086a80b785d6.txt", 0), ("004_2dcd09881312b001.txt", 1)):
        text = (shared.parent / "examples" / "crocus" / name).read_text(encoding="utf-8")
        seeds.append({"text": text, "label": label, "dataset": f"seed {name[:3]}", "family": "seed", "group": name,
                      "z": detector.log_odds(detector.score(text))})
    measured = lm_features([s["text"] for s in chosen + dev + seeds], cache, processes)
    for s, found in zip(chosen + dev + seeds, measured):
        s["lm"] = found
    usable = [s for s in chosen if s["lm"] is not None]
    X = np.array([[s["z"], *s["lm"]] for s in usable])
    model = fit(X, [s["label"] for s in usable], [_source(s) for s in usable], usable)
    scored = [s for s in dev if s["lm"] is not None]
    p_deep = predict(model, np.array([[s["z"], *s["lm"]] for s in scored]))
    p_style = [detector.sigmoid(s["z"]) for s in scored]
    y = [s["label"] for s in scored]
    metrics: dict[str, Any] = {"train_texts": {k: sum(_source(s) == k for s in usable) for k in sorted({_source(s) for s in usable})},
                               "held_out_texts": {k: sum(_source(s) == k for s in scored) for k in sorted({_source(s) for s in scored})},
                               "held_out_without_measure": len(dev) - len(scored)}
    for name, p in (("deep", p_deep), ("style", p_style)):
        m: dict[str, Any] = {"auroc_all": style.auroc(y, p)}
        llm_humans = [q for s, q in zip(scored, p) if _source(s) == "llmfake_human"]
        for family in sorted({s["family"] for s in scored if s["label"] == 1 and s["family"] != "base_model"}):
            mine = [q for s, q in zip(scored, p) if s["label"] == 1 and s["family"] == family]
            m[f"auroc_llmfake_{family}"] = style.auroc([0] * len(llm_humans) + [1] * len(mine), llm_humans + mine)
        chat = [q for s, q in zip(scored, p) if _source(s) == "chatgpt"]
        m["auroc_llmfake"] = style.auroc([0] * len(llm_humans) + [1] * len(chat), llm_humans + chat)
        humans = [q for s, q in zip(scored, p) if s["label"] == 0]
        base = [q for s, q in zip(scored, p) if s["family"] == "base_model"]
        m["auroc_base_model_vs_all_humans"] = style.auroc([0] * len(humans) + [1] * len(base), humans + base)
        m["false_alarms"] = style.false_alarms(scored, p)
        m["false_alarm_rate_all_human"] = round(sum(q >= 0.5 for q in humans) / len(humans), 4)
        m["detection_rate_chatgpt"] = round(sum(q >= 0.5 for q in chat) / len(chat), 4)  # machine texts scored 0.5 or more
        m["detection_rate_base_model"] = round(sum(q >= 0.5 for q in base) / len(base), 4)
        m["calibration"] = style.calibration(y, p)
        metrics[name] = m
    seed_x = np.array([[s["z"], *s["lm"]] for s in seeds])
    metrics["seeds"] = {s["dataset"]: {"style": round(detector.sigmoid(s["z"]), 4), "deep": round(q, 4)}
                        for s, q in zip(seeds, predict(model, seed_x))}
    doc = ("Deep machine-written detector for corroborate (corroborate/assess/train_detector_deep.py): a logistic model "
           "over the style model's log-odds and SmolLM2-135M's measures (corroborate/assess/likelihood.py).")
    from corroborate.learned import write_json_model

    written = write_json_model("corroborate.assess", "data/detector_deep.json",
                               {"_doc": doc, "_seed": SEED, "metrics": metrics, **model},
                               out if "--out" in options else None)
    print(json.dumps(metrics, indent=1))
    print(f"wrote {written}")


if __name__ == "__main__":
    main()
