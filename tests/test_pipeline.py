"""corroborate.pipeline: the one key the incidents stage rewrites in a report's JSON line."""

from __future__ import annotations

import json

import pytest

from corroborate.pipeline import _with_claims
from corroborate.records import Report, Signals


def _report(text: str, claims: int | None) -> Report:
    return Report(id="r1", origin="x.txt", text=text, title='"single_source_claims":null',
                  signals=Signals(attribution_rate=0.5, unnamed_source_rate=0.0, machine_generated=0.1,
                                  single_source_claims=claims))


@pytest.mark.parametrize("before, after", [(None, 3), (None, None), (2, 0), (7, None)])
def test_claims_are_set_exactly_as_the_model_writes_them(before, after):
    # the text and title hold the key's own characters: only the signals' key is rewritten
    text = 'He wrote "single_source_claims":null and {"single_source_claims":4} in a post.'
    line = _report(text, before).model_dump_json()
    patched = _with_claims(line, after)
    assert patched == _report(text, after).model_dump_json()
    assert json.loads(patched)["text"] == text
    assert json.loads(patched)["signals"]["single_source_claims"] == after


def test_a_line_in_another_form_goes_through_the_model():
    line = json.dumps(json.loads(_report("Two were hurt.", None).model_dump_json()), indent=1)  # not compact
    assert _with_claims(line, 5) == _report("Two were hurt.", 5).model_dump_json()


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
    from corroborate.ingest.readers import OUTPUT_MARKER
    from corroborate.pipeline import estimate_total

    (tmp_path / "in" / "out").mkdir(parents=True)
    (tmp_path / "in" / "a.txt").write_text("a")
    (tmp_path / "in" / "b.jsonl").write_text('{"id": "1"}\n{"id": "2"}\n')
    (tmp_path / "in" / ".hidden.txt").write_text("a")
    (tmp_path / "in" / "out" / "reports.jsonl").write_text('{"id": "1"}\n')  # an output folder: not read
    (tmp_path / "in" / "out" / OUTPUT_MARKER).write_text("{}")
    assert estimate_total([str(tmp_path / "in"), "https://example.org/news/1", "-"]) == 4
