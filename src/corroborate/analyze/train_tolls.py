"""Train the toll classifier (``make train-tolls``): is a count an asserted toll of this incident?

    python -m corroborate.analyze.train_tolls GVA_DIR [--out PATH]

``GVA_DIR`` is ``../shared/data/gva``. Without ``--out`` the model goes to the package's
``data/tolls.json`` and its sha256 into ``corroborate/data/models.sha256.json``; with ``--out``
it is written there only (a reproducibility check).

Data: the GVA reports of the training part only (incidents with
``corroborate.splits.held_out(gva_key(incident_id))`` False), read, cleaned and parsed as
``corroborate run`` does (:func:`corroborate.steps.clean.to_report`, the sha256-checked spaCy
model), then :func:`corroborate.analyze.counts.candidates`. Distant labels: a killed (injured)
count whose value equals its incident's gold ``num_killed`` (``num_injured``) is a positive,
every other killed or injured count a negative. The labels are noisy: an early report's lower
toll is a true toll but a negative, and a figure of another incident that happens to equal the
gold one is a positive.

Model: logistic regression (scikit-learn, liblinear, L2, ``SEED``) over the binary features of
:func:`corroborate.analyze.tolls.features` seen in at least :data:`MIN_DF` training mentions.
``C`` is chosen from :data:`C_GRID` by 5-fold cross-validation grouped by incident (log-loss of
the out-of-fold scores); Platt scaling fitted on those out-of-fold scores is folded into the
weights, so ``toll`` is a calibrated probability.

Threshold (``scope == this_incident`` at or above it): with the out-of-fold probabilities, each
training report's claims are taken as reconciliation takes them
(:func:`corroborate.incidents.reconcile.best_claim`) and reconciled per gold incident; the
threshold kept is the one (of 0.02, 0.04, ... 0.98) with the largest share of killed and
injured facts that are right (the value equals gold; no fact counts as 0) and not called
``conflicting`` (all of an incident's reports are of one incident, so a conflict there is a
false flag); ties go to the higher threshold. ``metrics.cv_threshold_table`` keeps every
threshold's per-report and incident accuracy and its share of incidents of two or more reports
whose killed or injured fact is ``conflicting``, so another trade-off can be read off it.
"""

from __future__ import annotations

import json
import math
import sys
import time
import zlib
from collections import defaultdict
from pathlib import Path

from corroborate.learned import out_option
from corroborate.splits import gva_key, held_out

SEED = 29
MIN_DF = 3
C_GRID = (0.03, 0.1, 0.3, 1.0, 3.0)
FOLDS = 5
THRESHOLDS = [round(0.02 * i, 2) for i in range(1, 50)]
CATEGORIES = ("killed", "injured")


def fold_of(incident: str) -> int:
    return zlib.crc32(f"tolls-fold:{incident}".encode()) % FOLDS


def load(gva: Path, part: str = "train") -> tuple[list, dict]:
    """(raw documents of the part, gold {incident_id: {killed, injured}}); ``part``: train or held_out."""
    from corroborate.sources.readers import RawDoc, iter_inputs

    incident_of: dict[str, str | int]
    incident_of, gold = {}, {}
    for line in (gva / "reports.jsonl").open(encoding="utf-8"):
        obj = json.loads(line)
        incident_of.setdefault(obj["id"], obj["incident_id"])
    for line in (gva / "incidents.jsonl").open(encoding="utf-8"):
        obj = json.loads(line)
        gold[obj["incident_id"]] = {"killed": obj["num_killed"], "injured": obj["num_injured"]}
    raws, seen = [], set()
    for item in iter_inputs([gva / "reports.jsonl"]):
        if not isinstance(item, RawDoc) or item.id in seen:
            continue
        seen.add(item.id)
        incident = incident_of.get(item.id)
        if incident is None or incident not in gold:
            continue
        if held_out(gva_key(incident)) != (part == "held_out"):
            continue
        raws.append((item, incident))
    return raws, gold


def parse(raws: list, log=print) -> list[dict]:
    """Each report of ``raws`` with its counts and their features, as the pipeline finds them."""
    from corroborate.analyze.nlp import load_nlp
    from corroborate.steps.clean import to_report

    nlp = load_nlp()
    reports = [(to_report(raw), incident) for raw, incident in raws]
    reports = [(r, i) for r, i in reports if r.text]
    out = []
    for n, ((report, incident), doc) in enumerate(zip(reports, nlp.pipe((r.text for r, _ in reports), batch_size=16))):
        out.append(mentions_of(doc, {"id": report.id, "incident": incident, "published": report.published, "text": report.text}))
        if log and (n + 1) % 500 == 0:
            log(f"  parsed {n + 1}/{len(reports)}")
    return out


def mentions_of(doc, report: dict) -> dict:
    """``report`` with ``mentions``: each count of the parsed ``doc`` with its features and modality."""
    from corroborate.analyze import counts as counts_mod
    from corroborate.analyze import tolls

    found, anchors = counts_mod.candidates(doc)
    mentions = []
    for count, (f, mod, _cues, k, aggregate, _cued) in zip(found, tolls.features(doc, found, anchors)):
        mentions.append({"count": count, "features": f, "modality": mod, "sentence": k, "aggregate": aggregate})
    return {**report, "mentions": mentions}


def labelled(reports: list[dict], gold: dict) -> list[tuple[dict, dict, int]]:
    """(report, mention, label) for every killed or injured mention."""
    out = []
    for report in reports:
        truth = gold[report["incident"]]
        for m in report["mentions"]:
            c = m["count"]
            if c.category in CATEGORIES:
                out.append((report, m, int(c.value == truth[c.category])))
    return out


def _sigmoid(z: float) -> float:
    return 1 / (1 + math.exp(-z)) if z >= 0 else math.exp(z) / (1 + math.exp(z))


def _claims(reports: list[dict], probs: dict[int, float], threshold: float, modality: bool = True):
    """Per report and category, the claim reconciliation takes at ``threshold`` (``modality``
    False: every count read as asserted, as before the modality rules)."""
    from corroborate.incidents.reconcile import best_claim
    from corroborate.records import Report

    out = []
    for report in reports:
        counts = []
        for m in report["mentions"]:
            c = m["count"]
            p = probs.get(id(m), 1.0)
            t = threshold.get(c.category, threshold["default"]) if isinstance(threshold, dict) else threshold
            counts.append(c.model_copy(update={"modality": m["modality"] if modality else "asserted", "toll": p,
                                               "scope": "this_incident" if p >= t else "other_incident"}))
        r = Report(id=report["id"], text="", origin=report["id"], published=report["published"], counts=counts)
        out.append((report, r, {cat: best_claim(r, cat) for cat in CATEGORIES}))
    return out


def evaluate_threshold(reports: list[dict], gold: dict, probs: dict[int, float], threshold: float, modality: bool = True) -> dict:
    """Per-report accuracy of the claim (unstated: 0), and the share of incidents of 2+ reports
    whose reconciled killed or injured fact is conflicting."""
    from corroborate.incidents.reconcile import _count_fact

    claims = _claims(reports, probs, threshold, modality)
    right = {cat: 0 for cat in CATEGORIES}
    groups = defaultdict(list)
    for report, r, best in claims:
        truth = gold[report["incident"]]
        for cat in CATEGORIES:
            value = best[cat].value if best[cat] is not None else 0
            right[cat] += value == truth[cat]
        groups[report["incident"]].append((r, best))
    multi = conflicting = 0
    incident_right = {cat: 0 for cat in CATEGORIES}
    good = 0  # facts right and not called conflicting (the reports are all of one incident)
    for incident, members in groups.items():
        for cat in CATEGORIES:
            stated = [(r, b[cat]) for r, b in members if b[cat] is not None]
            fact = _count_fact(cat, stated) if stated else None
            ok = (fact.value if fact else 0) == gold[incident][cat]
            incident_right[cat] += ok
            good += ok and (fact is None or fact.status != "conflicting")
        if len(members) < 2 or not any(b[cat] for _, b in members for cat in CATEGORIES):
            continue
        multi += 1
        flagged = False
        for cat in CATEGORIES:
            stated = [(r, b[cat]) for r, b in members if b[cat] is not None]
            if stated and _count_fact(cat, stated).status == "conflicting":
                flagged = True
        conflicting += flagged
    n = max(len(claims), 1)
    acc = {cat: right[cat] / n for cat in CATEGORIES}
    inc = {cat: incident_right[cat] / max(len(groups), 1) for cat in CATEGORIES}
    return {"threshold": threshold, "killed": round(acc["killed"], 4), "injured": round(acc["injured"], 4),
            "mean": round(sum(acc.values()) / len(acc), 4),
            "incident_killed": round(inc["killed"], 4), "incident_injured": round(inc["injured"], 4),
            "incident_mean": round(sum(inc.values()) / len(inc), 4),
            "right_not_conflicting": round(good / max(len(groups) * len(CATEGORIES), 1), 6),
            "conflicting_share": round(conflicting / max(multi, 1), 4), "incidents_2plus": multi}


def train_model(reports: list[dict], gold: dict, log=print) -> dict:
    model, probs, extra = fit(reports, gold, log)
    table = [evaluate_threshold(reports, gold, probs, t) for t in THRESHOLDS]
    chosen = max(table, key=lambda row: (row["right_not_conflicting"], row["threshold"]))
    rules_only = evaluate_threshold(reports, gold, {}, 0.0)  # every asserted count taken: the modality rules alone
    no_filter = evaluate_threshold(reports, gold, {}, 0.0, modality=False)  # every count, as before
    log(f"threshold {chosen['threshold']}: {chosen}")
    model["threshold"] = chosen["threshold"]
    model["categories"] = list(CATEGORIES)
    model["metrics"] = {
        **extra,
        "cv_threshold_table": table,
        "cv_at_threshold": chosen,
        "rules_only": rules_only,
        "no_filter": no_filter,
    }
    return model


def fit(reports: list[dict], gold: dict, log=print) -> tuple[dict, dict[int, float], dict]:
    """(model without threshold, out-of-fold probability of each mention by ``id``, metrics)."""
    import numpy as np
    from scipy.sparse import csr_matrix
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score

    from corroborate.analyze import tolls

    rows = labelled(reports, gold)
    df: dict[str, int] = defaultdict(int)
    for _, m, _ in rows:
        for f in set(m["features"]):
            df[f] += 1
    vocab = sorted(f for f, n in df.items() if n >= MIN_DF)
    index = {f: i for i, f in enumerate(vocab)}
    scale = np.array([tolls.RULE_SCALE if f in tolls.RULE_FEATURES else 1.0 for f in vocab])

    def matrix(items):
        data, cols, ptr = [], [], [0]
        for _, m, _ in items:
            js = sorted({index[f] for f in m["features"] if f in index})
            cols += js
            data += [float(scale[j]) for j in js]
            ptr.append(len(cols))
        return csr_matrix((np.array(data), np.array(cols, dtype=np.int64), np.array(ptr, dtype=np.int64)), shape=(len(items), len(vocab)))

    X = matrix(rows)
    y = np.array([label for _, _, label in rows])
    folds = np.array([fold_of(r["incident"]) for r, _, _ in rows])
    log(f"{len(rows)} labelled mentions ({int(y.sum())} positive) in {len(reports)} reports; {len(vocab)} features")

    def fit(Xtr, ytr, c):
        return LogisticRegression(C=c, solver="liblinear", random_state=SEED, max_iter=1000).fit(Xtr, ytr)

    def oof(c):
        scores = np.zeros(len(y))
        for k in range(FOLDS):
            tr, te = folds != k, folds == k
            scores[te] = fit(X[tr], y[tr], c).decision_function(X[te])
        return scores

    def log_loss(scores):
        p = np.clip(1 / (1 + np.exp(-scores)), 1e-9, 1 - 1e-9)
        return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))

    cv = {c: oof(c) for c in C_GRID}
    losses = {c: log_loss(s) for c, s in cv.items()}
    best_c = min(C_GRID, key=lambda c: (round(losses[c], 6), c))
    scores = cv[best_c]
    log(f"C {best_c} (out-of-fold log-loss {', '.join(f'{c}: {v:.4f}' for c, v in losses.items())})")
    platt = LogisticRegression(C=1e6, solver="lbfgs", max_iter=1000).fit(scores.reshape(-1, 1), y)
    a, b = float(platt.coef_[0][0]), float(platt.intercept_[0])
    calibrated = 1 / (1 + np.exp(-(a * scores + b)))
    # out-of-fold probability of every mention, killed/injured or not (the others: the final model's)
    final = fit(X, y, best_c)
    weights = {f: round(a * float(w) * float(k), 5) for f, w, k in zip(vocab, final.coef_[0], scale) if abs(a * float(w) * float(k)) >= 1e-5}
    bias = round(a * float(final.intercept_[0]) + b, 5)
    model = {"weights": weights, "bias": bias}
    probs: dict[int, float] = {}
    for report in reports:
        for m in report["mentions"]:
            probs[id(m)] = _sigmoid(bias + sum(weights.get(f, 0.0) for f in set(m["features"])))
    for (_, m, _), p in zip(rows, calibrated):
        probs[id(m)] = float(p)
    auc = float(roc_auc_score(y, calibrated))
    bins = []
    for lo in [i / 10 for i in range(10)]:
        sel = (calibrated >= lo) & (calibrated < lo + 0.1 + (1e-9 if lo >= 0.9 else 0))
        if sel.any():
            bins.append({"bin": f"{lo:.1f}-{lo + 0.1:.1f}", "n": int(sel.sum()), "mean_predicted": round(float(calibrated[sel].mean()), 3),
                         "share_positive": round(float(y[sel].mean()), 3)})
    metrics = {
        "train_reports": len(reports),
        "train_mentions": len(rows),
        "train_positive": int(y.sum()),
        "features": len(weights),
        "C": best_c,
        "cv_log_loss": {str(c): round(v, 4) for c, v in losses.items()},
        "cv_auroc": round(auc, 4),
        "cv_brier": round(float(np.mean((calibrated - y) ** 2)), 4),
        "cv_reliability": bins,
        "platt": [round(a, 5), round(b, 5)],
    }
    return model, probs, metrics


def main(argv: list[str] | None = None) -> None:
    argv, out = out_option(sys.argv[1:] if argv is None else argv)
    gva = Path(argv[0]) if argv else Path(__file__).resolve().parents[4] / "shared" / "data" / "gva"
    if not (gva / "reports.jsonl").is_file():
        sys.exit(f"train-tolls needs the GVA dev data: {gva} has no reports.jsonl (give ../shared/data/gva)")
    started = time.perf_counter()
    raws, gold = load(gva)
    print(f"{len(raws)} GVA reports in the training part; parsing", flush=True)
    reports = parse(raws, log=lambda m: print(m, flush=True))
    model = train_model(reports, gold, log=lambda m: print(m, flush=True))
    data = {
        "_doc": "Toll classifier for corroborate (see corroborate/analyze/tolls.py): the calibrated probability that a "
        "count is an asserted toll of its report's own incident. Trained by corroborate/analyze/train_tolls.py on the "
        "training part of ../shared/data/gva (distant labels: the value equals the gold num_killed / num_injured).",
        "_seed": SEED,
        **model,
    }
    from corroborate.learned import write_json_model

    path = write_json_model("corroborate.analyze", "data/tolls.json", data, out)
    metrics = {k: v for k, v in model["metrics"].items() if k != "cv_threshold_table"}
    print(json.dumps(metrics, indent=1))
    print(f"wrote {path} ({path.stat().st_size / 1024:.0f} KB) in {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
