"""The output contract: four files, valid against the JSON Schemas, exact provenance, escaped text."""

from __future__ import annotations

import json

import pytest
from helpers import DEMO
from jsonschema import Draft202012Validator

from corroborate import schema as contract
from corroborate.pipeline import Result
from corroborate.records import Report
from corroborate.render import OUTPUT_FILES, write_outputs


@pytest.fixture(scope="module")
def demo_out(demo_result, tmp_path_factory):
    out = tmp_path_factory.mktemp("demo-out")
    write_outputs(demo_result, out)
    return out


def read_jsonl(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_committed_schemas_match_the_models():
    for name in contract.SCHEMAS:
        committed = (contract.SCHEMA_DIR / f"{name}.schema.json").read_text(encoding="utf-8")
        assert committed == contract.render(name), f"run `make schema`: {name}.schema.json is stale"


def test_four_files_written(demo_out):
    """The five outputs, and the marker file naming the engine that made them (for a later --previous)."""
    from corroborate.corpus import engine, previous_engine
    from corroborate.sources.readers import OUTPUT_MARKER

    assert sorted(p.name for p in demo_out.iterdir()) == sorted([*OUTPUT_FILES, OUTPUT_MARKER])
    assert previous_engine(demo_out) == engine(False)


@pytest.mark.parametrize(("file", "name"), [("reports.jsonl", "report"), ("incidents.jsonl", "incident"), ("sources.jsonl", "source")])
def test_outputs_validate_against_schema(demo_out, file, name):
    validator = Draft202012Validator(contract.schema_for(name))
    records = read_jsonl(demo_out / file)
    assert records
    for record in records:
        errors = list(validator.iter_errors(record))
        assert not errors, errors[0].message


def test_schema_rejects_a_broken_record(demo_out):
    record = read_jsonl(demo_out / "reports.jsonl")[0]
    record["counts"] = [{"category": "eaten", "value": 1}]
    assert list(Draft202012Validator(contract.schema_for("report")).iter_errors(record))


def test_reports_keep_input_order(demo_out):
    ids = [r["id"] for r in read_jsonl(demo_out / "reports.jsonl")]
    assert ids == ["coastline-daily", "halvard-herald", "northwire-0315", "pulse-now-0314", "harbour-watch-0314", "millbrook-ferry-fire"]


def spans_of(report: dict):
    """Every item with start/end in a report record, by kind."""
    for kind in ("entities", "counts", "attributions"):
        for item in report[kind]:
            yield kind, item
    for event in report["events"]:
        for role in ("perpetrator_organizations", "perpetrator_individuals", "victims", "targets", "weapons", "locations"):
            for item in event[role]:
                yield role, item
    for item in (report["signals"] or {}).get("evidence", []):
        yield "evidence", item


def test_every_span_slices_its_report_text(demo_out):
    kinds = set()
    for report in read_jsonl(demo_out / "reports.jsonl"):
        for kind, item in spans_of(report):
            kinds.add(kind)
            assert report["text"][item["start"] : item["end"]] == item["text"], (report["id"], kind, item)
    assert kinds >= {"entities", "counts", "attributions", "perpetrator_organizations", "perpetrator_individuals", "weapons", "locations", "evidence"}


def test_every_fact_span_slices_its_report_text(demo_out):
    texts = {r["id"]: r["text"] for r in read_jsonl(demo_out / "reports.jsonl")}
    n = 0
    for incident in read_jsonl(demo_out / "incidents.jsonl"):
        for fact in incident["facts"]:
            for span in fact["support"] + fact["dissent"]:
                assert texts[span["report"]][span["start"] : span["end"]] == span["text"]
                n += 1
        for span in incident["single_source_claims"]:
            assert texts[span["report"]][span["start"] : span["end"]] == span["text"]
            n += 1
    assert n > 20


HOSTILE = (
    'Breaking <script>window.pwned = 1</script> news <img src=x onerror="window.pwned=2"> '
    '<a href="javascript:alert(1)">link</a> <!-- comment --> | pipes | and **stars**'
)


def test_article_text_is_escaped_in_html_and_markdown(tmp_path):
    report = Report(id="x<script>", title=HOSTILE, text=HOSTILE, origin="hostile.txt")
    write_outputs(Result(reports=[report]), tmp_path)
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "<script" not in html and "<img" not in html and "<!-- comment" not in html
    assert 'href="javascript:' not in html
    assert "&lt;script&gt;window.pwned = 1&lt;/script&gt;" in html
    md = (tmp_path / "report.md").read_text(encoding="utf-8")
    assert "<script" not in md


def test_markdown_overview_and_outlets_tables(demo_out, demo_result):
    md = (demo_out / "report.md").read_text(encoding="utf-8")
    market = next(i for i in demo_result.incidents if len(i.reports) == 5)
    rows = [line for line in md.splitlines() if line.startswith(f"| {market.title} |")]
    assert len(rows) == 1
    cells = [c.strip() for c in rows[0].strip("|").split("|")]
    assert cells[1:6] == ["2026-03-14", "Eastgate Market", "5", "21 (conflicting)", "57 (conflicting)"]
    outlets = md.split("## Outlets", 1)[1]
    assert "| PulseNow | 1 | 0.00 | 1.00 |" in outlets


def test_html_timeline_and_toll_chart(demo_out, demo_result):
    html = (demo_out / "report.html").read_text(encoding="utf-8")
    market = next(i for i in demo_result.incidents if len(i.reports) == 5)
    section = html.split(f'<section class="incident" id="{market.id}"', 1)[1].split("</section>", 1)[0]
    assert section.count("<tr><td>") == 5  # one timeline row per report
    svg = section.split('<svg class="chart" ', 1)[1].split("</svg>", 1)[0]  # the toll chart (the derivation graph is "chart graph")
    assert svg.count("<circle") == 4  # the four dated reports that state a death toll (coastline-daily is undated)
    assert "<script" not in svg


def test_a_streamed_run_writes_what_an_in_memory_run_writes_pages_included(demo_result, tmp_path, monkeypatch):
    """``corroborate run`` streams (records read back from disk as each page is written); the
    Python API holds lists. Same files, byte for byte, also for a paginated large run."""
    from corroborate.pipeline import stream
    from corroborate.render import html, write_documents
    from corroborate.spill import JsonlSpill

    monkeypatch.setattr(html, "LARGE_RUN", 3)
    monkeypatch.setattr(html, "PAGE_SIZE", 2)
    monkeypatch.setattr(html, "INCIDENTS_PER_PAGE", 1)
    streamed = stream([DEMO], tmp_path / "streamed")
    assert isinstance(streamed.reports, JsonlSpill) and isinstance(streamed.incidents, JsonlSpill)
    write_documents(streamed, tmp_path / "streamed")
    write_outputs(demo_result, tmp_path / "memory")
    files = sorted(str(p.relative_to(tmp_path / "memory")) for p in (tmp_path / "memory").rglob("*") if p.is_file())
    assert files == sorted(str(p.relative_to(tmp_path / "streamed")) for p in (tmp_path / "streamed").rglob("*") if p.is_file())
    assert "report-pages/reports-003.html" in files and len(files) == 5 + 5 + 1  # five outputs, five pages, the marker
    for name in files:
        if name != ".corroborate-output.json":  # the marker: the same engine, another time of writing
            assert (tmp_path / "streamed" / name).read_bytes() == (tmp_path / "memory" / name).read_bytes(), name
    from corroborate.corpus import previous_engine

    assert previous_engine(tmp_path / "streamed") == previous_engine(tmp_path / "memory") == streamed.engine


def test_demo_report_reads_open_bounds_and_has_a_legend(demo_out, demo_result):
    html = (demo_out / "report.html").read_text(encoding="utf-8")
    md = (demo_out / "report.md").read_text(encoding="utf-8")
    market = next(i for i in demo_result.incidents if len(i.reports) == 5)
    killed = html.split(f'<section class="incident" id="{market.id}"', 1)[1].split('<tr data-slot="killed"', 1)[1].split("</tr>", 1)[0]
    assert "<td>≥ 12</td>" in killed  # "at least 12": no upper bound
    assert "| killed | 21 | ≥ 12 | conflicting" in md
    assert "∞" not in html and "∞" not in md
    assert '<dl class="statuses"' in html and "- conflicting: independent sources give values that cannot all be true" in md
    assert '<p class="counts">5 reports, ' in html and "\n5 reports, " in md
