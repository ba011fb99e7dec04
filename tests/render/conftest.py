"""Fixtures of the render tests.

Exports:  the demo corpus run through the real pipeline (the session's
``demo_result``, run once), exported once per format, and hand-built hostile records.

Browser tests: the `browser` and `page` fixtures are in tests/conftest.py (shared with tests/serve): Debian's Chromium, headless, driven through Playwright for Python.

Never runs ``playwright install`` (it cannot download here): the browser is
``/usr/bin/chromium`` (``scripts/install-chromium.sh``; ``.ci/run`` installs it).
Without Chromium or Playwright the browser tests skip with a reason, except when
``CORROBORATE_REQUIRE_BROWSER=1`` (set by ``.ci/run``): then they fail, so CI
never passes by skipping them.
"""

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

# Records of contract 1.6, built by hand ------------------------------------------------------------

#: an outlet name and a report id that try to break out of the HTML (and of the SVG)
HOSTILE_OUTLET = "<script>window.pwned = 1</script>"
HOSTILE_ID = '"><img src=x onerror="window.pwned = 2">'


def _report(rid: str, source: str, text: str, derived=()):
    from corroborate.records import Report

    return Report(id=rid, source=source, text=text, origin=f"{rid}.txt", derived_from=list(derived))


def _provenance(report, piece: str, **extra):
    """A Provenance of ``piece`` in ``report.text`` (exact offsets)."""
    from corroborate.records import Provenance

    start = report.text.index(piece)
    return Provenance(text=piece, start=start, end=start + len(piece), report=report.id, **extra)


def _derivation(source: str, relation: str, share: float):
    from corroborate.records import Derivation

    return Derivation(report=source, relation=relation, share=share, probability=0.97, direction="published")


@pytest.fixture(scope="session")
def v16_result():
    """Two incidents of contract 1.6 records.

    ``copies``: one wire story (r1, Reuters) and two copies of it, one independent source; its killed toll
    an open bound (at least 12), its injured a range that r1 both supports and dissents from, a single
    value (arrested 7), and claims that carry their own quotation marks (and one that does not).
    ``hostile``: two independent sources from one outlet, the second report rewriting the first: a
    hostile outlet name and report id."""
    from corroborate.pipeline import Result
    from corroborate.records import Fact, Incident

    text = ("At least 12 people were killed and 12 injured in the blast, police said. Later, officials said 14 were injured. "
            "Seven people were arrested. “We will rebuild,” the mayor said. The governor said: “Help is on the way.” "
            "Schools stay closed.")
    r1 = _report("r1", "Reuters", text)
    r2 = _report("r2", "Daily Star", "Posted by the Daily Star. " + text, [_derivation("r1", "copy", 0.92)])
    r3 = _report("r3", "Valley News", text.replace("Schools stay closed.", ""), [_derivation("r1", "partial", 0.85)])
    killed = Fact(slot="killed", value=12, low=12, high=None, status="single_source", rule="highest supported figure",
                  support=[_provenance(r, "At least 12 people were killed", source_group=0, origin="police", weight=0.8) for r in (r1, r2, r3)],
                  independent_sources=1, origins=["police"], confidence=0.4, copies=["r2", "r3"])
    injured = Fact(slot="injured", value=14, low=12, high=14, status="discrepant", rule="range",
                   support=[_provenance(r1, "14 were injured")], dissent=[_provenance(r1, "12 injured")], independent_sources=1, confidence=0.35)
    arrested = Fact(slot="arrested", value=7, low=7, high=7, status="single_source", rule="only figure",
                    support=[_provenance(r1, "Seven people were arrested")], independent_sources=1)
    copies = Incident(id="inc-copies", reports=["r1", "r2", "r3"], title="Blast", date="2026-03-14", location="Eastgate",
                      facts=[killed, injured, arrested], source_groups=[["r1", "r2", "r3"]], outlets=3,
                      single_source_claims=[_provenance(r1, "“We will rebuild,” the mayor said."),
                                            _provenance(r1, "The governor said: “Help is on the way.”"),
                                            _provenance(r1, "Schools stay closed.")])

    story = "Two people were hurt when a car hit a bus shelter on Main Street on Tuesday evening, officials said."
    h1 = _report("h1", HOSTILE_OUTLET, story)
    h2 = _report(HOSTILE_ID, HOSTILE_OUTLET, "A car struck a bus shelter on Main Street; two were hurt.", [_derivation("h1", "rewrite", 0.4)])
    hurt = Fact(slot="injured", value=2, low=2, high=2, status="corroborated", rule="agreeing figures",
                support=[_provenance(h1, "Two people were hurt", source_group=0), _provenance(h2, "two were hurt", source_group=1)],
                independent_sources=2, confidence=0.9)
    hostile = Incident(id="inc-hostile", reports=["h1", HOSTILE_ID], title="Car hits shelter", date=None, location=None,
                       facts=[hurt], source_groups=[["h1"], [HOSTILE_ID]])
    return Result(reports=[r1, r2, r3, h1, h2], incidents=[copies, hostile])
