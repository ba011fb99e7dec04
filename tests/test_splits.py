"""The held-out split: stable across runs and machines, about a fifth, by unit."""

from __future__ import annotations

import zlib

from corroborate import splits


def test_held_out_is_crc32_mod_5_of_the_key():
    # fixed values: the split must never move (a model trained on one split, scored on another, would leak)
    keys = ["95579", "96792", "1", "8", "politifact:politifact14984", "TST1-MUC3-0001", "DEV-MUC3-0001"]
    assert [splits.held_out(k) for k in keys] == [zlib.crc32(k.encode()) % 5 == 0 for k in keys]
    assert splits.held_out(95579) == splits.held_out("95579")


def test_about_a_fifth_is_held_out():
    share = sum(splits.held_out(str(i)) for i in range(10_000)) / 10_000
    assert 0.18 < share < 0.22


def test_keys_name_the_unit():
    assert splits.gva_key(95579) == "95579"
    assert splits.ecb_key(8) == "8"
    assert splits.llmfake_key("politifact", "politifact14984") == "politifact:politifact14984"
    assert splits.llmfake_key("politifact", None, "x.csv", 7) == "x.csv:7"  # prompt-only rows split by row
    assert splits.muc4_key("TST1-MUC3-0001") == "TST1-MUC3-0001"
