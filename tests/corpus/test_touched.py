"""Only the incidents a run touches are reconciled again (``Settings.reconcile == "touched"``).

An earlier run's incident that no new report joins, and that loses none of its reports, is kept
as it was, when the same engine made it (:mod:`corroborate.corpus.previous`). Kept or reconciled
again, the outputs must be the same, byte for byte: each test runs both ways and compares.
"""

from __future__ import annotations

import json

import pytest
from helpers import DEMO

from corroborate.corpus import engine, previous_engine
from corroborate.pipeline import stream
from corroborate.records import Report
from corroborate.settings import Settings
from corroborate.sources.readers import OUTPUT_MARKER

OUTPUTS = ("reports.jsonl", "incidents.jsonl")


def _wire(tmp_path, ids: set[str], name: str):
    """The demo's wire.jsonl lines whose id is in ``ids``, as a file of their own."""
    lines = [line for line in (DEMO / "wire.jsonl").read_text(encoding="utf-8").splitlines()
             if json.loads(line)["id"] in ids]
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def earlier(tmp_path_factory):
    """An earlier run of two incidents: the market attack (two reports) and the ferry fire, whose
    report a second outlet copies word for word (a derivation within the ferry incident: with
    the same text, the detector takes the first report for the copy)."""
    tmp = tmp_path_factory.mktemp("earlier")
    ferry = json.loads(_wire(tmp, {"millbrook-ferry-fire"}, "ferry.jsonl").read_text(encoding="utf-8"))
    copy = dict(ferry, id="ferry-copy", source="Valley Courier", url="https://valleycourier.example/ferry-fire")
    inputs = tmp / "first.jsonl"
    inputs.write_text("\n".join(json.dumps(r) for r in (ferry, copy)) + "\n", encoding="utf-8")
    out = tmp / "out"
    result = stream([DEMO / "halvard-herald.html", DEMO / "coastline-daily.txt", inputs], out)
    for spill in (result.reports, result.incidents):
        spill.close()
    return out


def _derivations(out) -> set[tuple[str, str, str]]:
    """(derived report, its source, relation) of every derivation in ``out/reports.jsonl``."""
    reports = [Report.model_validate_json(line) for line in (out / "reports.jsonl").read_text().splitlines()]
    return {(r.id, d.report, d.relation) for r in reports for d in r.derived_from}


def _second(earlier, tmp_path, reconcile: str, name: str):
    new = tmp_path / "new.jsonl"
    if not new.exists():
        _wire(tmp_path, {"northwire-0315", "pulse-now-0314", "harbour-watch-0314"}, new.name)
    out = tmp_path / name
    result = stream([new], out, previous=earlier, settings=Settings(executor="local", reconcile=reconcile))
    for spill in (result.reports, result.incidents):
        spill.close()
    return result, out


def test_the_earlier_run_names_its_engine_and_has_a_derivation(earlier):
    assert previous_engine(earlier) == engine(False) != engine(True)
    assert _derivations(earlier) == {("millbrook-ferry-fire", "ferry-copy", "copy")}
    assert len((earlier / "incidents.jsonl").read_text().splitlines()) == 2


def test_an_untouched_incident_is_kept_and_the_outputs_are_those_of_reconciling_all(earlier, tmp_path):
    touched, out = _second(earlier, tmp_path, "touched", "touched")
    every, out_all = _second(earlier, tmp_path, "all", "all")
    assert (touched.reconciled, touched.kept) == (1, 1)  # the market attack again; the ferry fire kept
    assert (every.reconciled, every.kept) == (2, 0)
    for name in OUTPUTS:
        assert (out / name).read_bytes() == (out_all / name).read_bytes(), name
    before = {json.loads(line)["id"]: line for line in (earlier / "incidents.jsonl").read_text().splitlines()}
    after = {json.loads(line)["id"]: line for line in (out / "incidents.jsonl").read_text().splitlines()}
    ferry = next(i for i, line in after.items() if "millbrook-ferry-fire" in json.loads(line)["reports"])
    assert after[ferry] == before[ferry]  # kept as it was
    market = next(i for i, line in after.items() if "northwire-0315" in json.loads(line)["reports"])
    assert market in before and after[market] != before[market]  # joined by three reports: reconciled again
    assert ("millbrook-ferry-fire", "ferry-copy", "copy") in _derivations(out)  # its derivation kept with it


def test_incidents_made_by_another_engine_are_all_reconciled_again(earlier, tmp_path):
    other = tmp_path / "other-engine"
    other.mkdir()
    for name in OUTPUTS:
        (other / name).write_bytes((earlier / name).read_bytes())
    (other / OUTPUT_MARKER).write_text(json.dumps({"engine": "0123456789abcdef"}), encoding="utf-8")
    result, _ = _second(other, tmp_path, "touched", "after-other")
    assert (result.reconciled, result.kept) == (2, 0)
    (other / OUTPUT_MARKER).unlink()  # an output folder that names no engine (from before 2.0, or hand-made)
    result, _ = _second(other, tmp_path, "touched", "after-none")
    assert (result.reconciled, result.kept) == (2, 0)
