"""The per-report steps' registry, the executors and the settings object."""

from __future__ import annotations

from dataclasses import replace

import pytest

from corroborate import steps
from corroborate.executors import LocalExecutor, make_executor
from corroborate.executors.pool import PoolExecutor
from corroborate.settings import Settings
from corroborate.sources.readers import RawDoc


def test_the_default_steps_are_registered_in_order():
    made = steps.make_steps()
    assert [s.name for s in made] == ["clean", "parse", "analyze", "assess", "features"]
    with pytest.raises(KeyError, match="no step named 'tokenize'"):
        steps.create("tokenize")


def test_steps_add_their_part_and_change_nothing_they_were_handed():
    raw = RawDoc(id="r1", origin="one.txt", text="Two people were killed in a shooting in Dayton on Monday, police said.")
    items = [steps.Item(raw)]
    cleaned = steps.create("clean")(items)
    parsed = steps.create("parse")(cleaned)
    analyzed = steps.create("analyze")(parsed)
    assessed = steps.create("assess")(analyzed)
    assert items[0].report is None and cleaned[0].doc is None  # each step returned new items
    assert parsed[0].report is cleaned[0].report  # parse adds the doc, not a new report
    assert cleaned[0].report.counts == [] and analyzed[0].report.signals is None
    assert [c.value for c in analyzed[0].report.counts if c.category == "killed"] == [2]
    assert assessed[0].report.signals is not None and assessed[0].report.counts == analyzed[0].report.counts


def test_a_step_registered_under_a_name_replaces_the_built_in_one():
    class Shout:
        name = "clean"

        def initialize(self) -> None:
            pass

        def __call__(self, items):
            from corroborate.steps.clean import to_report

            return steps.each(items, lambda item: replace(item, report=to_report(item.raw).model_copy(update={"title": "LOUD"})))

    from corroborate.steps.clean import Clean

    steps.register("clean")(Shout)
    try:
        out = steps.analyze_batch([RawDoc(id="r", origin="x", text="A man was shot in Toledo on Friday.")])
        assert '"title":"LOUD"' in out[0].line
    finally:
        steps.register("clean")(Clean)
    assert '"title":"LOUD"' not in steps.analyze_batch([RawDoc(id="r", origin="x", text="A man was shot in Toledo on Friday.")])[0].line


def test_executors_map_in_input_order():
    assert list(LocalExecutor().map(lambda b: [x * 2 for x in b], [[1, 2], [3]])) == [[2, 4], [6]]
    assert isinstance(make_executor("pool", 1), LocalExecutor)  # one worker runs here
    assert isinstance(make_executor("pool", 2), PoolExecutor)
    assert list(make_executor("pool", 2).map(sorted, [[3, 1], [2], [9, 8, 7]])) == [[1, 3], [2], [7, 8, 9]]
    with pytest.raises(ValueError, match="unknown executor 'slurm'"):
        make_executor("slurm", 2)


def test_settings_come_from_arguments_or_the_environment(monkeypatch):
    assert Settings().batch_size == 16 and Settings().executor == "pool"
    monkeypatch.setenv("CORROBORATE_BATCH_SIZE", "8")
    assert Settings().batch_size == 8
    assert Settings(batch_size=4).batch_size == 4  # arguments win
    with pytest.raises(ValueError):
        Settings(batch_size=0)
    with pytest.raises(ValueError):
        Settings(executor="slurm")
