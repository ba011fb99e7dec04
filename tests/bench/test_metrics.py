"""The bench's scorers, on hand-made cases with known answers."""

from __future__ import annotations

import sys

import pytest

from helpers import REPO

sys.path.insert(0, str(REPO / "bench"))
from metrics import bcubed, match_fillers, normalize_filler, prf  # noqa: E402


def test_bcubed_perfect_and_all_in_one():
    gold = {"a": 1, "b": 1, "c": 2}
    assert bcubed({"a": "x", "b": "x", "c": "y"}, gold) == (1.0, 1.0, 1.0)
    p, r, f = bcubed({"a": "x", "b": "x", "c": "x"}, gold)
    assert (round(p, 4), r) == (round((2 / 3 + 2 / 3 + 1 / 3) / 3, 4), 1.0)


def test_normalize_filler():
    assert normalize_filler('The "Santo Tomas" presidential farm.') == "santo tomas presidential farm"
    assert normalize_filler("an AK-47") == "ak 47"


def test_match_fillers_is_one_to_one():
    gold = [["guerrillas", "guerrilla column"], ["urng"]]
    assert match_fillers(["Guerrillas", "the guerrilla column", "URNG", "army"], gold) == 2
    assert prf(2, 4, 2) == (0.5, 1.0, pytest.approx(2 / 3))
