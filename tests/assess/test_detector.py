"""The trained machine-written detector: the shipped model, its scores, and reproducible training."""

from __future__ import annotations

import importlib.util
import json
from importlib import resources

import pytest
from helpers import SHARED, needs_shared

from corroborate.assess import detector

WIRE = ("SPRINGFIELD, Ill. (AP) — Two men were shot early Sunday outside a bar on the city's east side, police said. "
        "Sgt. Dana Moore said officers found the men, ages 24 and 31, shortly after 2 a.m. One was in critical condition. "
        "No arrests had been made by Sunday afternoon. Anyone with information was asked to call 217-555-0100.")
GENERATED = ("In a developing story, a shocking shooting has sent shockwaves through the community. It is evident that "
             "this senseless act of violence has left residents grappling with fear and uncertainty. As the situation "
             "continues to unfold, the community stands in solidarity with the victims. The road ahead may be fraught "
             "with challenges, but the resolve of the residents remains unshaken in the face of adversity.")


def test_shipped_model_is_consistent():
    data = json.loads(resources.files("corroborate.assess").joinpath("data/detector.json").read_text())
    assert len(data["vocabulary"]) == len(data["weights"]) > 1000
    assert data["dense_names"] == list(detector.DENSE)
    assert len(data["dense_mean"]) == len(data["dense_scale"]) == len(data["dense_weights"]) == len(detector.DENSE)
    assert data["metrics"]["dev_auroc"] > 0.9


def test_scores_are_probabilities_that_separate_wire_copy_from_generated_prose():
    wire, generated = detector.score(WIRE), detector.score(GENERATED)
    assert 0.0 <= wire < 0.5 < generated <= 1.0
    assert detector.score("") == 0.5


def test_layout_does_not_change_the_score():
    # the training texts differ in layout by source, so the detector reads words and sentences only
    assert detector.score(WIRE) == pytest.approx(detector.score(WIRE.replace(". ", ".\n\n")), abs=1e-9)


@needs_shared
def test_dev_auroc_with_the_runtime_scorer_matches_training():
    from corroborate.assess import train_detector as train

    samples = [s for s in train.load(SHARED / "data" / "llmfake") if s["dev"]]
    scores = [(detector.score(s["text"]), s["label"]) for s in samples]
    human = [p for p, y in scores if y == 0]
    machine = [p for p, y in scores if y == 1]
    auroc = sum((m > h) + 0.5 * (m == h) for m in machine for h in human) / (len(machine) * len(human))
    assert auroc == pytest.approx(detector.load_model().meta["metrics"]["dev_auroc"], abs=0.002)


@needs_shared
@pytest.mark.skipif(importlib.util.find_spec("sklearn") is None, reason="training needs the 'train' extra (scikit-learn)")
def test_training_reproduces_the_shipped_model(tmp_path):
    import subprocess
    import sys

    out = tmp_path / "detector.json"
    subprocess.run([sys.executable, "-m", "corroborate.assess.train_detector", str(SHARED / "data" / "llmfake"),
                    "--out", str(out)], check=True, capture_output=True, timeout=900)
    shipped = json.loads(resources.files("corroborate.assess").joinpath("data/detector.json").read_text())
    fresh = json.loads(out.read_text(encoding="utf-8"))
    # the model itself retrains exactly; its summary metrics include the AUROC of models fit without one
    # generation method, whose weights are not shipped and can differ in the last rounded digit on
    # another CPU: those agree to 0.001
    assert {k: v for k, v in fresh.items() if k != "metrics"} == {k: v for k, v in shipped.items() if k != "metrics"}
    _assert_close(fresh["metrics"], shipped["metrics"])


def _assert_close(a, b, path="metrics") -> None:
    """The same JSON tree, numbers equal within 0.001."""
    assert type(a) is type(b) or {type(a), type(b)} <= {int, float}, path
    if isinstance(a, dict):
        assert a.keys() == b.keys(), path
        for key in a:
            _assert_close(a[key], b[key], f"{path}.{key}")
    elif isinstance(a, list):
        assert len(a) == len(b), path
        for k, (x, y) in enumerate(zip(a, b)):
            _assert_close(x, y, f"{path}[{k}]")
    elif isinstance(a, (int, float)):
        assert a == pytest.approx(b, abs=1e-3), path
    else:
        assert a == b, path
