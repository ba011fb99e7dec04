"""What report.html and report.md show of contract 1.6 (source groups, derivations, independent
sources, confidence), on records built by hand (``v16_result`` in conftest.py), and how they read."""

from __future__ import annotations

import pytest

from corroborate.pipeline import Result
from corroborate.render import write_outputs


@pytest.fixture(scope="module")
def outputs(v16_result, tmp_path_factory):
    out = tmp_path_factory.mktemp("v16-out")
    write_outputs(v16_result, out)
    return (out / "report.html").read_text(encoding="utf-8"), (out / "report.md").read_text(encoding="utf-8")


def section(html: str, ident: str) -> str:
    return html.split(f'<section class="incident" id="{ident}"', 1)[1].split("</section>", 1)[0]


def md_section(md: str, title: str) -> str:
    return md.split(f"## {title}\n", 1)[1].split("\n## ", 1)[0]


def row(html_section: str, slot: str) -> str:
    return html_section.split(f'<tr data-slot="{slot}"', 1)[1].split("</tr>", 1)[0]


def test_each_incident_says_how_many_reports_outlets_and_independent_sources(outputs):
    html, md = outputs
    assert '<p class="counts">3 reports, 3 outlets, 1 independent source</p>' in section(html, "inc-copies")
    assert "\n3 reports, 3 outlets, 1 independent source.\n" in md_section(md, "Blast")
    # outlets not given: counted from the reports (both from one outlet)
    assert '<p class="counts">2 reports, 1 outlet, 2 independent sources</p>' in section(html, "inc-hostile")
    assert "\n2 reports, 1 outlet, 2 independent sources.\n" in md_section(md, "Car hits shelter")


def test_ranges_read_as_bounds_not_infinity(outputs):
    html, md = outputs
    copies = section(html, "inc-copies")
    assert "<td>≥ 12</td>" in row(copies, "killed")
    assert "<td>12–14</td>" in row(copies, "injured")
    assert "<td>7</td>\n        <td>7</td>" in row(copies, "arrested")  # value, then the range of one value
    assert "∞" not in html and "∞" not in md
    assert "| killed | 12 | ≥ 12 |" in md and "| injured | 14 | 12–14 |" in md and "| arrested | 7 | 7 |" in md


def test_a_legend_says_what_each_status_means(outputs):
    html, md = outputs
    legend = html.split('<dl class="statuses"', 1)[1].split("</dl>", 1)[0]
    for status, words in [("corroborated", "two or more independent sources"), ("discrepant", "can all be true"),
                          ("conflicting", "cannot all be true"), ("single source", "copies of one story count once")]:
        assert f"{status}</span></dt><dd>" in legend and words in legend
        assert f"- {status}: " in md and words in md


def test_the_derivation_graph_collapses_copies_into_one_node(outputs):
    html, md = outputs
    copies = section(html, "inc-copies")
    svg = copies.split("<svg", 1)[1].split("</svg>", 1)[0]
    assert 'class="chart graph"' in svg and svg.count("<rect") == 1 and "<line" not in svg
    assert '<text x="100.0" y="57.0" class="copies">+2 copies</text>' in svg
    assert ">Reuters</text>" in svg and ">r1</text>" in svg
    groups = copies.split('<ul class="groups">', 1)[1].split("</ul>\n", 1)[0]
    assert "<li>Reuters · r1 +2 copies<ul>" in groups
    assert "<li>r2 (Daily Star): copy of r1 (92%)</li>" in groups and "<li>r3 (Valley News): partial of r1 (85%)</li>" in groups
    assert "<li>r1 (Reuters): source</li>" in groups
    blast = md_section(md, "Blast")
    assert "- Reuters · r1 +2 copies\n  - r1 (Reuters): source\n  - r2 (Daily Star): copy of r1 (92%)\n  - r3 (Valley News): partial of r1 (85%)\n" in blast


def test_the_derivation_graph_draws_derivations_between_sources(outputs):
    html, md = outputs
    svg = section(html, "inc-hostile").split("<svg", 1)[1].split("</svg>", 1)[0]
    assert svg.count("<rect") == 2 and svg.count("<line") == 1 and "<polygon" in svg
    assert ">rewrite 40%</text>" in svg and "copies" not in svg
    assert "rewrite of h1 (40%)" in md_section(md, "Car hits shelter")


def test_hostile_outlet_and_id_are_escaped_in_the_svg(outputs):
    html, md = outputs
    svg = section(html, "inc-hostile").split("<svg", 1)[1].split("</svg>", 1)[0]
    assert "<script" not in svg and "<img" not in svg and 'onerror="' not in svg
    assert "&lt;script&gt;window.pwned = 1&lt;/script&gt;" in svg  # in full in the <title>
    assert "&#34;&gt;&lt;img src=x onerror=&#34;window.pwned = 2&#34;&gt;" in svg
    assert "<script" not in html and "<img" not in html
    assert "<script" not in md and "<img" not in md
    assert "<script>window.pwned" not in html and 'onerror="window.pwned' not in html


def test_fact_rows_show_independent_sources_confidence_origin_and_weight(outputs):
    html, md = outputs
    killed = row(section(html, "inc-copies"), "killed")
    assert '<div class="sources">1 independent source, confidence 0.40</div>' in killed
    assert '>r1</a> <span class="muted">(police, weight 0.80)</span>' in killed
    assert '>r2</a> <span class="muted">(police, weight 0.80, a copy: not counted again)</span>' in killed
    assert '<div class="sources">1 independent source</div>' in row(section(html, "inc-copies"), "arrested")  # no confidence
    assert "2 independent sources, confidence 0.90" in row(section(html, "inc-hostile"), "injured")
    line = next(x for x in md.splitlines() if x.startswith("| killed | 12 |"))
    assert "| single_source, 1 independent source, confidence 0.40 |" in line
    assert "r1 (police, weight 0.80): “At least 12 people were killed”" in line


def test_a_report_in_support_and_dissent_is_explained(outputs):
    html, md = outputs
    note = "report r1 both supports and dissents: it gives several figures"
    assert f'<div class="note both">{note}</div>' in row(section(html, "inc-copies"), "injured")
    line = next(x for x in md.splitlines() if x.startswith("| injured | 14 |"))
    assert note in line
    assert "both supports" not in row(section(html, "inc-copies"), "killed")


def test_quotes_are_not_doubled(outputs):
    html, md = outputs
    claims = section(html, "inc-copies").split('<details class="claims">', 1)[1].split("</details>", 1)[0]
    assert '<span class="quoted">“We will rebuild,” the mayor said.</span>' in claims  # begins with a quotation mark
    assert '<span class="quoted">The governor said: “Help is on the way.”</span>' in claims  # ends with one
    assert "<q>Schools stay closed.</q>" in claims  # <q> adds the marks
    assert "<q>“" not in html and "”</q>" not in html
    assert "- r1: “We will rebuild,” the mayor said." in md
    assert "- r1: The governor said: “Help is on the way.”" in md
    assert "- r1: “Schools stay closed.”" in md
    assert "““" not in md and "””" not in md


def test_records_before_1_6_render_without_the_new_parts(v16_result, tmp_path):
    """A 1.5 record: no source groups, outlets, independent sources or confidence."""
    old = [i.model_copy(update={"source_groups": [], "outlets": None,
                                "facts": [f.model_copy(update={"independent_sources": None, "confidence": None, "copies": []})
                                          for f in i.facts]})
           for i in v16_result.incidents]
    write_outputs(Result(reports=v16_result.reports, incidents=old), tmp_path)
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    md = (tmp_path / "report.md").read_text(encoding="utf-8")
    assert '<p class="counts">3 reports, 3 outlets</p>' in html and "\n3 reports, 3 outlets.\n" in md
    assert "independent source" not in section(html, "inc-copies") and "confidence" not in html
    assert "<svg" not in html and '<ul class="groups">' not in html and "Sources, one item" not in md
    assert "<td>≥ 12</td>" in html


def test_an_incident_of_one_report_has_no_graph(v16_result, tmp_path):
    one = v16_result.incidents[0].model_copy(update={"reports": ["r1"], "source_groups": [["r1"]], "outlets": 1, "facts": []})
    write_outputs(Result(reports=v16_result.reports[:1], incidents=[one]), tmp_path)
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert '<p class="counts">1 report, 1 outlet, 1 independent source</p>' in html
    assert "<svg" not in html
