"""The incident-relevance classifier, measured on the held-out part of ../shared/data.

- scores every held-out text (:mod:`corroborate.splits`) with the shipped model
  (``corroborate/analyze/data/relevance.json``, through the run-time scorer, on the cleaned text
  and its spaCy parse as the pipeline has them, title included when the corpus has one) and prints precision, recall and F1 overall and per corpus, the
  false-incident rate on the llmfake human-written texts (per dataset too), and the threshold;
  held-out texts are all scored, page furniture and the llmfake texts that read as incident
  reports included: nothing held out is relabelled;
- retrains the model into a scratch file (same code and seed as ``make train-relevance``) and
  checks that it equals the shipped file byte for byte.

    python bench/relevance.py [SHARED]    (SHARED: ../shared or ../shared/data)
"""

from __future__ import annotations

import math
import subprocess
import sys
import tempfile
import time
from importlib import resources
from pathlib import Path

HERE = Path(__file__).resolve().parent
SHARED = HERE.parent.parent / "shared"


def _data_dir(shared: Path) -> Path:
    return shared / "data" if (shared / "data" / "gva").is_dir() else shared


def held_out_scores(data: Path, model=None) -> list[tuple[dict, float]]:
    """(sample, probability) for every held-out text: its cleaned text parsed as the pipeline
    parses it (in batches), then scored with the title."""
    from corroborate.analyze import relevance
    from corroborate.analyze.train_relevance import load, parses

    held = [s for s in load(data) if s["held"]]
    return [(s, relevance.assess(text, s["title"], doc=doc, model=model)[0])
            for s, (text, doc) in zip(held, parses(held))]


def _prf(pairs: list[tuple[int, int]]) -> tuple[float, float, float]:
    tp = sum(1 for y, p in pairs if y and p)
    fp = sum(1 for y, p in pairs if p and not y)
    fn = sum(1 for y, p in pairs if y and not p)
    precision = tp / (tp + fp) if tp + fp else float("nan")
    recall = tp / (tp + fn) if tp + fn else float("nan")
    f1 = 2 * precision * recall / (precision + recall) if tp else 0.0
    return precision, recall, f1


def _fmt(x: float) -> str:
    return "–" if math.isnan(x) else f"{x:.3f}"


def reproduces(data: Path) -> tuple[str, float]:
    """How retraining compares with the shipped file (:func:`metrics.model_difference`), and the
    training time (s)."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "relevance.json"
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "corroborate.analyze.train_relevance", str(data), "--out", str(out)],
                       check=True, capture_output=True)
        seconds = time.perf_counter() - started
        fresh = out.read_bytes()
    shipped = resources.files("corroborate.analyze").joinpath("data/relevance.json").read_bytes()
    from metrics import model_difference

    return model_difference(fresh, shipped), seconds


def table(scored: list[tuple[dict, float]], threshold: float) -> list[str]:
    rows = [("all", scored),
            ("all but MUC-4", [x for x in scored if x[0]["corpus"] != "muc4"])]
    for corpus in ("gva", "muc4", "ecbplus", "llmfake"):
        rows.append((corpus, [x for x in scored if x[0]["corpus"] == corpus]))
    out = ["| held-out part | texts | incidents | precision | recall | F1 | false-incident rate |",
           "|---|---:|---:|---:|---:|---:|---:|"]
    for name, part in rows:
        pairs = [(s["label"], int(p >= threshold)) for s, p in part]
        negatives = [p for y, p in pairs if not y]
        precision, recall, f1 = _prf(pairs)
        fir = sum(negatives) / len(negatives) if negatives else float("nan")
        if not any(y for y, _ in pairs):  # no incidents: only the false-incident rate means something
            precision = recall = f1 = float("nan")
        out.append(f"| {name} | {len(part)} | {sum(y for y, _ in pairs)} | {_fmt(precision)} | {_fmt(recall)} | "
                   f"{_fmt(f1)} | {_fmt(fir)} |")
    llm = [(s, p) for s, p in scored if s["corpus"] == "llmfake"]
    for dataset in sorted({s["group"].split(":")[0] for s, _ in llm}):
        mine = [(s["label"], p >= threshold) for s, p in llm if s["group"].startswith(dataset + ":")]
        calm = [called for y, called in mine if not y]
        out.append(f"| llmfake {dataset} (human-written) | {len(mine)} | {len(mine) - len(calm)} | | | | "
                   f"{_fmt(sum(calm) / len(calm))} |")
    return out


ADJUDICATED = HERE / "data" / "relevance_adjudicated.json"


def adjudicated(scored: list[tuple[dict, float]], threshold: float) -> list[str]:
    """The held-out figures with the labels of ``data/relevance_adjudicated.json`` where it has one:
    the texts on which the model of 2026-11-30 and the dev-set label disagreed, read blind (without
    label or score) against the issue's definition of an incident report. Only disagreements were
    read, so these figures lean in the model's favour; disagreements of a later model that nobody
    read keep their dev-set label, and are counted."""
    import hashlib
    import json

    labels = {(a["corpus"], a["group"], a["text_sha1"]): a for a in json.loads(ADJUDICATED.read_text())["labels"]}
    relabelled, unread, rows = 0, 0, []
    for s, p in scored:
        a = labels.get((s["corpus"], s["group"], hashlib.sha1(s["text"].encode()).hexdigest()[:16]))
        y = s["label"]
        if a is not None:
            relabelled += int(a["incident"]) != y
            y = int(a["incident"])
        elif (p >= threshold) != bool(y):
            unread += 1
        rows.append(({**s, "label": y}, p))
    head = (f"\nthe same, with the {len(labels)} held-out disagreements read blind (bench/data/relevance_adjudicated.json: "
            f"{relabelled} labels changed; {unread} disagreements of this model nobody read keep their dev-set label; "
            "only disagreements were read, so this leans in the model's favour):\n")
    return [head, *table(rows, threshold)]


def report(shared: Path = SHARED, retrain: bool = True) -> str:
    from corroborate.analyze import relevance
    from corroborate.analyze.train_relevance import is_page_furniture

    data = _data_dir(shared)
    model = relevance.load_model()
    started = time.perf_counter()
    scored = held_out_scores(data, model)
    per_text = (time.perf_counter() - started) / max(len(scored), 1)
    lines = table(scored, model.threshold)
    lines += adjudicated(scored, model.threshold)
    metrics = model.meta.get("metrics", {})
    lines.append(f"\nthreshold {model.threshold} (max out-of-fold F1 on the training part with at most "
                 f"1% llmfake false incidents); C {metrics.get('C')}; vocabulary {len(model.vocabulary)} terms; "
                 f"{per_text * 1000:.2f} ms a text (loading the data and the parse included)")
    lex = {k: list(v) for k, v in model.lexicons.items()}
    gva = [(s, p) for s, p in scored if s["corpus"] == "gva"]
    furniture = [p >= model.threshold for s, p in gva if is_page_furniture(s, lex)]
    article = [p >= model.threshold for s, p in gva if not is_page_furniture(s, lex)]
    lines.append(f"held-out GVA texts without a single harm word (page furniture the crawler kept; the title is scored "
                 f"too): {sum(furniture)}/{len(furniture)} called incidents; the other GVA texts: recall "
                 f"{sum(article) / max(len(article), 1):.3f} ({sum(article)}/{len(article)})")
    if not any(s["corpus"] == "ecbplus" and s["label"] for s, _ in scored):
        lines.append("the held-out ECB+ topics are all non-incident topics: ECB+ recall is only measured out of fold (below)")
    lines.append("\n| training part, out of fold (5 folds grouped by split unit) | texts | precision | recall | F1 | "
                 "llmfake false-incident rate |")
    lines.append("|---|---:|---:|---:|---:|---:|")
    for name, m in [("all", metrics.get("cv_at_threshold"))] + sorted(metrics.get("cv_per_corpus", {}).items()):
        if m:
            fir = m["llmfake_false_incident_rate"]
            prf = "| – | – | – |" if name == "llmfake" else f"| {m['precision']:.3f} | {m['recall']:.3f} | {m['f1']:.3f} |"
            lines.append(f"| {name} | {m['n']} {prf} {'' if fir is None else f'{fir:.3f}'} |")
    if retrain:
        same, seconds = reproduces(data)
        lines.append(f"retrained model against the shipped file: {same} (training {seconds:.0f} s)")
    return "\n".join(lines)


def main() -> None:
    shared = Path(sys.argv[1]) if len(sys.argv) > 1 else SHARED
    print(report(shared))


if __name__ == "__main__":
    main()
