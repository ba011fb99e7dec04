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
