"""The machine-written detector and the reliability signals, measured.

- retrains the detector from ``../shared/data/llmfake`` into a scratch file
  (same code and seed as ``make train-detector``) and prints its dev AUROC,
  per-method and held-out-method AUROC, and calibration;
- checks that the retrained file equals the shipped one (reproducibility);
- scores human-written news that had no part in training (GVA, ECB+ reports as
  corroborate wrote them): the share the detector calls machine-written (>= 0.5)
  there is a false-positive rate;
- summarizes each signal over the GVA reports, to show none is constant.
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
    for name, path in (("GVA", gva_reports), ("ECB+", ecb_reports)):
        flagged, total = false_positive_rate(path)
        out.append(f"human-written {name} reports (30+ words) scored >= 0.5: {flagged}/{total} = {flagged / max(total, 1):.3f}")
    out.append("\n| signal over GVA reports | min | mean | std | max |")
    out.append("|---|---:|---:|---:|---:|")
    for name, (lo, mean, std, hi) in signal_summary(gva_reports).items():
        out.append(f"| {name} | {lo:.3f} | {mean:.3f} | {std:.3f} | {hi:.3f} |")
    return out
