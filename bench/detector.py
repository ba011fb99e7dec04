"""The machine-written detector and the reliability signals, measured.

- retrains the detector from ``../shared/data/llmfake`` into a scratch file
  (same code and seed as ``make train-detector``) and prints its dev AUROC,
  per-method and held-out-method AUROC, and calibration;
- checks that the retrained file equals the shipped one (reproducibility);
- scores human-written news that had no part in training (GVA, ECB+ reports as
  corroborate wrote them): the share the detector calls machine-written (>= 0.5)
  there is a false-positive rate;
- summarizes each signal over the GVA reports, to show none is constant;
- the deep detector (``--deep-detect``): its held-out figures from its model file (written by
  ``make train-detector-deep``, which measures them), and its cost per 1,000 words against the
  style model's, timed here on the GVA held-out reports (one process, one thread).
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
from importlib import resources
from pathlib import Path


def train_metrics(llmfake: Path) -> tuple[dict, str]:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "detector.json"
        subprocess.run([sys.executable, "-m", "corroborate.assess.train_detector", str(llmfake), "--out", str(out)],
                       check=True, capture_output=True)
        fresh = out.read_text(encoding="utf-8")
    shipped = resources.files("corroborate.assess").joinpath("data/detector.json").read_text()
    from metrics import model_difference

    return json.loads(fresh)["metrics"], model_difference(fresh.encode(), shipped.encode())


def false_positive_rate(reports_path: Path) -> tuple[int, int]:
    flagged = total = 0
    for line in reports_path.open(encoding="utf-8"):
        report = json.loads(line)
        if report["signals"] and len(report["text"].split()) >= 30:
            total += 1
            flagged += report["signals"]["machine_generated"] >= 0.5
    return flagged, total


def signal_summary(reports_path: Path) -> dict[str, tuple[float, float, float, float]]:
    values: dict[str, list[float]] = {}
    for line in reports_path.open(encoding="utf-8"):
        signals = json.loads(line)["signals"]
        for name, value in (signals or {}).items():
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                values.setdefault(name, []).append(float(value))
    return {k: (min(v), statistics.fmean(v), statistics.pstdev(v), max(v)) for k, v in values.items()}


def lines(llmfake: Path, gva_reports: Path, ecb_reports: Path) -> list[str]:
    metrics, same = train_metrics(llmfake)
    size = metrics["dev_size"]
    out = ["| machine-written detector (llmfake, split by news_id) | AUROC | texts |", "|---|---:|---:|",
           f"| dev split, all methods | {metrics['dev_auroc']:.3f} | {size['human']} human, {size['machine']} machine |"]
    for family, auc in metrics["per_method_dev_auroc"].items():
        out.append(f"| dev split, {family} only | {auc:.3f} | |")
    for family, res in metrics["held_out_method_auroc"].items():
        out.append(f"| held-out method: {family} (trained without it) | {res['auroc']:.3f} | {res['dev_texts']} machine |")
    cal = metrics["calibration"]
    out.append(f"\ncalibration on dev (classes weighted equally): Brier {cal['brier_balanced']:.3f}")
    out.append("| predicted | texts | mean predicted | share machine-written |")
    out.append("|---|---:|---:|---:|")
    for row in cal["reliability"]:
        out.append(f"| {row['bin']} | {row['n']} | {row['mean_predicted']:.3f} | {row['share_machine']:.3f} |")
    out.append(f"retrained model against the shipped file: {same}")
    out.append("\n| false alarms of the retrained style model (held-out human news) | texts | scored >= 0.5 |")
    out.append("|---|---:|---:|")
    for dataset, row in metrics.get("false_alarms", {}).items():
        out.append(f"| {dataset} | {row['texts']} | {row['rate']:.1%} |")
    for name, path in (("GVA", gva_reports), ("ECB+", ecb_reports)):
        flagged, total = false_positive_rate(path)
        out.append(f"human-written {name} reports (30+ words) scored >= 0.5: {flagged}/{total} = {flagged / max(total, 1):.3f}")
    out.append("\n| signal over GVA reports | min | mean | std | max |")
    out.append("|---|---:|---:|---:|---:|")
    for name, (lo, mean, std, hi) in signal_summary(gva_reports).items():
        out.append(f"| {name} | {lo:.3f} | {mean:.3f} | {std:.3f} | {hi:.3f} |")
    return out


def deep_lines(gva: Path, limit: int = 150) -> list[str]:
    """The deep detector's held-out figures (its model file) and its cost, timed here on the first
    ``limit`` reports of GVA's held-out part (``gva``: the raw ``reports.jsonl``)."""
    import time

    from corroborate.assess import detector, likelihood
    from corroborate.splits import held_out

    try:
        model = detector.load_deep()
        likelihood.load_model()
    except likelihood.DeepUnavailable as exc:
        return [f"deep detector: not measured ({exc})"]
    m = model["metrics"]
    out = ["| held-out (deep detector's model file) | style model | deep (style + language model) |", "|---|---:|---:|"]
    for key in ("auroc_all", "auroc_llmfake", *sorted(k for k in m["deep"] if k.startswith("auroc_llmfake_")),
                "auroc_base_model_vs_all_humans", "false_alarm_rate_all_human"):
        out.append(f"| {key} | {m['style'][key]:.3f} | {m['deep'][key]:.3f} |")
    for dataset in m["deep"]["false_alarms"]:
        out.append(f"| false alarms: {dataset} ({m['deep']['false_alarms'][dataset]['texts']} texts) | "
                   f"{m['style']['false_alarms'][dataset]['rate']:.1%} | {m['deep']['false_alarms'][dataset]['rate']:.1%} |")
    out.append(f"| Brier (classes weighted equally) | {m['style']['calibration']['brier_balanced']:.3f} | "
               f"{m['deep']['calibration']['brier_balanced']:.3f} |")
    out.append(f"seeds: {m['seeds']}")
    texts = []
    for line in gva.open(encoding="utf-8"):
        report = json.loads(line)
        if report.get("text") and held_out(str(report["incident_id"])):
            texts.append(report["text"])
        if len(texts) >= limit:
            break
    words = sum(len(t.split()) for t in texts)
    detector.score(texts[0])
    started = time.perf_counter()
    for text in texts:
        detector.score(text)
    style_s = time.perf_counter() - started
    started = time.perf_counter()
    for text in texts:
        detector.score_deep(text)
    deep_s = time.perf_counter() - started
    out.append(f"cost over {len(texts)} GVA reports ({words:,} words), one process: style model {1000 * style_s / words * 1000:.1f} ms "
               f"per 1,000 words; deep (style + language model on the first {likelihood.MAX_TOKENS} tokens) "
               f"{1000 * deep_s / words * 1000:.1f} ms per 1,000 words ({deep_s / len(texts):.3f} s per report)")
    return out
