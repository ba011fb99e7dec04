"""JsonlSpill: records on disk with random access, read back exactly as written."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from corroborate.records import Report
from corroborate.spill import ById, JsonlSpill, record_ids


def _reports(texts):
    return [Report(id=f"r{i}", text=t, origin=f"in:{i}", source=("Outlet" if i % 2 else None)) for i, t in enumerate(texts)]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.text(min_size=0, max_size=200), min_size=1, max_size=12))
def test_records_read_back_equal_in_any_order(tmp_path_factory, texts):
    reports = _reports(texts)
    store = JsonlSpill(tmp_path_factory.mktemp("s") / "r.jsonl", Report, keep=lambda r: r.source)
    for report in reports:
        store.append(report)
    assert len(store) == len(reports)
    assert list(store) == reports  # sequential read
    for i in reversed(range(len(reports))):  # random access, across unicode and line breaks in texts
        assert store[i] == reports[i]
    assert store[1:4] == reports[1:4]
    assert store[-1] == reports[-1]
    assert store.ids == record_ids(reports) == [r.id for r in reports]
    assert store.extra == [r.source for r in reports]
    store.close()


def test_a_moved_store_still_reads_and_the_file_is_plain_jsonl(tmp_path):
    reports = _reports(["first\nline", "second – “quoted”", "third"])
    store = JsonlSpill(tmp_path / "work.tmp", Report)
    for report in reports:
        store.append(report)
    store.move(tmp_path / "reports.jsonl")
    assert not (tmp_path / "work.tmp").exists()
    assert store[2] == reports[2] and store[0] == reports[0]
    lines = (tmp_path / "reports.jsonl").read_text(encoding="utf-8").splitlines()
    assert [Report.model_validate_json(line) for line in lines] == reports
    by_id = ById(store)
    assert by_id["r1"] == reports[1] and "r9" not in by_id and by_id.get("r9") is None
    store.close()


def test_reading_while_writing_sees_every_appended_record(tmp_path):
    store = JsonlSpill(tmp_path / "r.jsonl", Report)
    for i, report in enumerate(_reports(["a", "b", "c"])):
        store.append(report)
        assert store[i].text == "abc"[i]
    store.close()


def test_a_write_that_fails_at_close_closes_the_file_and_says_so(tmp_path):
    # RLIMIT_FSIZE makes the last buffered write fail with EFBIG (Python ignores SIGXFSZ), as a full disk would
    import errno
    import resource

    import pytest

    store = JsonlSpill(tmp_path / "r.jsonl", Report)
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (4096, hard))
    try:
        for report in _reports(["x" * 1000] * 3):  # 3 KB or so: still in the write buffer
            store.append(report)
        for report in _reports(["y" * 2000]):
            store.append(report)
        with pytest.raises(OSError) as failed:
            store.close()
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
    assert failed.value.errno == errno.EFBIG
    assert store._writer is None and store._reader is None
    store.close()  # closed: nothing left to fail
