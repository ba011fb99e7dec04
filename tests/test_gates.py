"""The two gates of the analyze stage, through a whole run: a report that is not about an
incident, or not in English, is kept whole, listed on its own, and joins no incident."""

from __future__ import annotations

import json

import pytest

import corroborate
from corroborate.render import write_outputs

SHOOTING = (
    "Two men shot dead outside Elm Street bar\n\n"
    "Two men were shot and killed outside a bar on Elm Street in Dunmore early Saturday, police said. "
    "A third man was wounded and taken to Mercy Hospital in stable condition. Officers found the victims "
    "shortly after 1 a.m. after neighbours reported gunfire. No arrests have been made, and police asked "
    "anyone with information to call the department.\n"
)
CALM = (
    "Senator takes a veiled shot at rival over budget\n\n"
    "In a speech on Tuesday the senator took a veiled shot at her rival, saying the budget plan would "
    "hit families hardest. She also urged residents to get a booster shot before winter. Economists said "
    "the plan could cost 2 billion dollars over ten years. The state held two special elections last year, "
    "and the senator is held in high esteem by farmers, a poll found.\n"
)
GERMAN = (
    "Stadtrat beschließt neuen Radweg\n\n"
    "Der Stadtrat hat am Dienstag den Bau eines neuen Radwegs entlang des Flusses beschlossen. Die Kosten "
    "liegen bei rund zwei Millionen Euro. Die Bürgerinnen und Bürger hatten sich seit Jahren für die "
    "Verbindung zwischen der Altstadt und dem Bahnhof eingesetzt, sagte die Bürgermeisterin.\n"
)


@pytest.fixture(scope="module")
def gated(tmp_path_factory):
    folder = tmp_path_factory.mktemp("gates")
    (folder / "shooting.txt").write_text(SHOOTING, encoding="utf-8")
    (folder / "calm.txt").write_text(CALM, encoding="utf-8")
    (folder / "radweg.txt").write_text(GERMAN, encoding="utf-8")
    result = corroborate.run([folder])
    out = folder / "out"
    write_outputs(result, out)
    return result, out


def _report(result, rid):
    return next(r for r in result.reports if r.id == rid)


def test_an_incident_report_is_assessed_and_joins_an_incident(gated):
    result, _ = gated
    report = _report(result, "shooting")
    assert report.language == "en"
    assert report.incident.relevant and report.incident.probability >= 0.5
    assert report.incident.type == "shooting"
    assert report.events and report.events[0].type == "shooting"
    for cue in report.incident.evidence:
        assert report.text[cue.start : cue.end] == cue.text
    (incident,) = result.incidents
    assert incident.reports == ["shooting"]
    killed = next(f for f in incident.facts if f.slot == "killed")
    assert killed.value == 2


def test_a_calm_article_is_kept_but_is_no_incident(gated):
    result, _ = gated
    report = _report(result, "calm")
    assert report.text.startswith("In a speech on Tuesday")  # kept whole
    assert report.incident is not None and not report.incident.relevant
    assert report.incident.type is None
    assert report.events == []
    assert not any(c.category in {"killed", "arrested"} for c in report.counts)  # "held" is no arrest here
    assert all("calm" not in incident.reports for incident in result.incidents)


def test_a_german_article_gets_its_language_a_warning_and_no_analysis(gated):
    result, _ = gated
    report = _report(result, "radweg")
    assert report.language == "de"
    assert report.counts == [] and report.events == [] and report.entities == []
    assert report.incident is None
    assert all("radweg" not in incident.reports for incident in result.incidents)
    (warning,) = [w for w in result.warnings if w.input.endswith("radweg.txt")]
    assert "language 'de'" in warning.message and "not analyzed" in warning.message


def test_reports_outside_incidents_are_listed_in_their_own_section(gated):
    _, out = gated
    md = (out / "report.md").read_text(encoding="utf-8")
    section = md.split("## Not incident reports", 1)[1].split("\n## ", 1)[0]
    assert "| calm |" in section and "below the threshold" in section
    assert "| radweg |" in section and "language 'de'" in section
    assert "| shooting |" not in section
    html = (out / "report.html").read_text(encoding="utf-8")
    assert 'id="outside-h">Not incident reports' in html
    assert 'data-report="calm"' in html and 'data-report="radweg"' in html
    lines = [json.loads(line) for line in (out / "reports.jsonl").open(encoding="utf-8")]
    assert [r["id"] for r in lines] == ["calm", "radweg", "shooting"]  # nothing lost


def test_reports_of_earlier_contracts_join_incidents_as_before():
    from corroborate.analyze import takes_part
    from corroborate.records import IncidentAssessment, Report

    old = Report.model_validate_json(json.dumps({"schema_version": "1.1", "id": "a", "text": "x", "origin": "a.txt"}))
    assert old.incident is None and old.language is None and takes_part(old)
    assert not takes_part(Report(id="b", text="", origin="b.txt"))  # 1.2, not assessed (no text, not English)
    yes = IncidentAssessment(probability=0.9, relevant=True, type="fire")
    assert takes_part(Report(id="c", text="x", origin="c.txt", incident=yes))
    no = IncidentAssessment(probability=0.1, relevant=False)
    assert not takes_part(Report(id="d", text="x", origin="d.txt", incident=no))
