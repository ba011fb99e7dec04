"""Fixtures of the export tests: the demo corpus run through the real pipeline (the session's
``demo_result``, run once), exported once per format, and hand-built hostile records."""

from __future__ import annotations

import pytest

from corroborate.records import Count, Derivation, Fact, Incident, Provenance, Report

#: a title a spreadsheet would run as a formula
HOSTILE_TITLE = '=HYPERLINK("http://evil")'
HOSTILE_TEXT = 'He said: "3 people, we think, were killed."\nThen, on a new line:\r\n-2 degrees, @night.'


@pytest.fixture(scope="session")
def demo(demo_result):
    """The demo corpus (examples/demo) through the real pipeline: 6 reports, 2 incidents."""
    return demo_result


@pytest.fixture(scope="session")
def expected_rows(demo) -> dict[str, int]:
    """Each table's row count, from the records themselves."""
    return {
        "reports": len(demo.reports),
        "incidents": len(demo.incidents),
        "facts": sum(len(i.facts) for i in demo.incidents),
        "support": sum(len(f.support) + len(f.dissent) for i in demo.incidents for f in i.facts),
        "counts": sum(len(r.counts) for r in demo.reports),
        "derivations": 0,
    }


@pytest.fixture(scope="session")
def csv_dir(demo, tmp_path_factory):
    from corroborate.render import export

    out = tmp_path_factory.mktemp("csv")
    export("csv", out, demo.reports, demo.incidents)
    return out


@pytest.fixture(scope="session")
def parquet_dir(demo, tmp_path_factory):
    from corroborate.render import export

    out = tmp_path_factory.mktemp("parquet")
    export("parquet", out, demo.reports, demo.incidents)
    return out


@pytest.fixture(scope="session")
def datasette_dir(demo, tmp_path_factory):
    from corroborate.render import export

    out = tmp_path_factory.mktemp("datasette")
    export("datasette", out, demo.reports, demo.incidents)
    return out


def _span(report: Report, piece: str, **extra) -> dict:
    start = report.text.index(piece)
    return {"text": piece, "start": start, "end": start + len(piece), **extra}


@pytest.fixture(scope="session")
def hostile():
    """Two reports and one incident built by hand. ``hostile-1`` has a formula for a title, an
    outlet that starts with ``+``, and a text with quotes, commas, newlines (LF and CRLF) and a
    line that starts with ``-``; ``hostile-2`` copies it (a derivation). The incident's
    perpetrator fact is named ``-Gang``, supported by both reports (the copy not counted again)."""
    first = Report(id="hostile-1", title=HOSTILE_TITLE, source="+Evil Outlet", text=HOSTILE_TEXT, origin="hostile.txt")
    count = Count(category="killed", value=3, low=3, high=3, hedge="exact", **_span(first, "3 people, we think, were killed"))
    first = first.model_copy(update={"counts": [count]})
    copy = Report(id="hostile-2", title="Copied", source="Copier", text="Reposted. " + HOSTILE_TEXT, origin="copy.txt",
                  derived_from=[Derivation(report=first.id, relation="copy", share=0.95, probability=0.99, direction="published")])
    gang = Fact(slot="perpetrator", value="-Gang", status="single_source", rule="named as perpetrator",
                support=[Provenance(report=r.id, source_group=0, weight=0.5, **_span(r, "-2 degrees")) for r in (first, copy)],
                independent_sources=1, independent_origins=1, confidence=0.5, copies=[copy.id])
    killed = Fact(slot="killed", value=3, low=3, high=3, status="discrepant", rule="the only report's figure",
                  support=[Provenance(report=first.id, source_group=0, **_span(first, "3 people, we think, were killed"))],
                  dissent=[Provenance(report=copy.id, source_group=0, **_span(copy, "Reposted"))])
    incident = Incident(id="inc-hostile", reports=[first.id, copy.id], title=HOSTILE_TITLE, date=None, location="@night",
                        facts=[gang, killed], source_groups=[[first.id, copy.id]], outlets=2)
    return [first, copy], [incident]
