"""The bench's scorers, on hand-made cases with known answers."""

from __future__ import annotations

import sys

import pytest
from helpers import REPO

sys.path.insert(0, str(REPO / "bench"))
from metrics import bcubed, match_fillers, model_difference, normalize_filler, prf


def test_bcubed_perfect_and_all_in_one():
    gold = {"a": 1, "b": 1, "c": 2}
    assert bcubed({"a": "x", "b": "x", "c": "y"}, gold) == (1.0, 1.0, 1.0)
    p, r, _f = bcubed({"a": "x", "b": "x", "c": "x"}, gold)
    assert (round(p, 4), r) == (round((2 / 3 + 2 / 3 + 1 / 3) / 3, 4), 1.0)


def test_normalize_filler():
    assert normalize_filler('The "Santo Tomas" presidential farm.') == "santo tomas presidential farm"
    assert normalize_filler("an AK-47") == "ak 47"


def test_match_fillers_is_one_to_one():
    gold = [["guerrillas", "guerrilla column"], ["urng"]]
    assert match_fillers(["Guerrillas", "the guerrilla column", "URNG", "army"], gold) == 2
    assert prf(2, 4, 2) == (0.5, 1.0, pytest.approx(2 / 3))


def test_gva_incident_accuracy_maps_gold_to_the_majority_incident(tmp_path):
    import json

    import gva_incidents

    gva = tmp_path / "gva"
    gva.mkdir()
    (gva / "reports.jsonl").write_text("\n".join(json.dumps({"id": r, "incident_id": g}) for r, g in
                                                  [("r1", "g1"), ("r2", "g1"), ("r3", "g1"), ("r4", "g2"), ("r5", "g3"), ("r6", "g4")]) + "\n")
    (gva / "incidents.jsonl").write_text("\n".join(json.dumps(x) for x in [
        {"incident_id": "g1", "num_killed": 2, "num_injured": 0},
        {"incident_id": "g2", "num_killed": 0, "num_injured": 1},
        {"incident_id": "g3", "num_killed": 1, "num_injured": 0},
        {"incident_id": "g4", "num_killed": 1, "num_injured": 0},
    ]) + "\n")
    # the run's output holds r1-r5: r5 joined no incident (not an incident report); r6 was rejected
    (tmp_path / "reports.jsonl").write_text("\n".join(json.dumps({"id": f"r{k}"}) for k in range(1, 6)) + "\n")
    predicted = tmp_path / "incidents.jsonl"
    predicted.write_text("\n".join(json.dumps(x) for x in [
        {"id": "a", "reports": ["r1", "r2"], "facts": [{"slot": "killed", "value": 2}]},
        {"id": "b", "reports": ["r3", "r4"], "facts": [{"slot": "killed", "value": 5}, {"slot": "injured", "value": 1}]},
    ]) + "\n")
    # g1 -> a (2 of 3 reports): killed 2 right, injured missing = 0 right; g2 -> b: killed 5 wrong, injured 1 right;
    # g3: in no incident, so no facts: killed 0 wrong, injured 0 right; g4: no report in the output, not scored
    assert gva_incidents.evaluate(predicted, gva) == {"killed": (1, 3), "injured": (3, 3)}


def test_model_difference_names_the_largest_weight_change_and_the_threshold():
    shipped = b'{"bias": 0.5, "weights": [1.0, -2.0], "dense_weights": [0.25], "threshold": 0.4}'
    assert model_difference(shipped, shipped) == "identical"
    fresh = b'{"bias": 0.5, "weights": [1.0, -2.03], "dense_weights": [0.25], "threshold": 0.45}'
    assert model_difference(fresh, shipped) == (
        "not byte for byte: largest weight change 0.0300 (largest weight 2.00); threshold 0.45 against 0.4")
    assert model_difference(b'{"weights": [1.0]}', shipped).startswith("DIFFERENT: 1 weights against 4")
