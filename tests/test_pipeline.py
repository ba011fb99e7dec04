"""corroborate.pipeline: reading older outputs, and a stream that stops."""

from __future__ import annotations

import json

import pytest

from corroborate.records import Report, Signals


def test_a_1x_report_with_single_source_claims_in_its_signals_is_read_without_them():
    """Contract 2.0 moved the per-report count of claims no other report makes out of the report
    (it is the incident's ``single_source_claims``); a 1.x line that holds it is still read."""
    old = {"schema_version": "1.6", "id": "r1", "origin": "x.txt", "text": "Two were hurt.",
           "signals": {"attribution_rate": 0.5, "unnamed_source_rate": 0.0, "machine_generated": 0.1,
                       "single_source_claims": 3, "evidence": []}}
    report = Report.model_validate_json(json.dumps(old))
    assert report.schema_version == "1.6" and report.signals.attribution_rate == 0.5
    assert "single_source_claims" not in json.loads(report.model_dump_json())["signals"]
    with pytest.raises(ValueError, match="nope"):  # other unknown keys are still refused
        Signals.model_validate({"attribution_rate": 0.5, "unnamed_source_rate": 0.0, "machine_generated": 0.1, "nope": 1})


@pytest.mark.parametrize("moment", ["a report", "grouping into incidents", "writing reports.jsonl"])
def test_a_stream_that_stops_leaves_no_temporary_file(tmp_path, moment):
    from helpers import DEMO

    from corroborate.pipeline import stream

    def stop(what):
        if what == moment or (moment == "a report" and what == "northwire-0315"):
            assert any(p.name.endswith(".tmp") for p in tmp_path.iterdir())  # there is something to remove
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        stream([DEMO / "wire.jsonl"], tmp_path, on_report=stop, on_stage=stop)
    assert list(tmp_path.iterdir()) == []


def test_estimate_total_counts_what_a_run_reads(tmp_path):
    from corroborate.sources import estimate_total
    from corroborate.sources.readers import OUTPUT_MARKER

    (tmp_path / "in" / "out").mkdir(parents=True)
    (tmp_path / "in" / "a.txt").write_text("a")
    (tmp_path / "in" / "b.jsonl").write_text('{"id": "1"}\n{"id": "2"}\n')
    (tmp_path / "in" / ".hidden.txt").write_text("a")
    (tmp_path / "in" / "out" / "reports.jsonl").write_text('{"id": "1"}\n')  # an output folder: not read
    (tmp_path / "in" / "out" / OUTPUT_MARKER).write_text("{}")
    assert estimate_total([str(tmp_path / "in"), "https://example.org/news/1", "-"]) == 4
