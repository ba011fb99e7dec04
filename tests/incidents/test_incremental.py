"""Incremental runs (``--previous``): existing incidents keep their ids; new reports join or start incidents."""

from __future__ import annotations

import json

import pytest
from helpers import DEMO, incident_of

import corroborate
from corroborate.incidents import build_incidents
from corroborate.incidents.cluster import incident_id
from corroborate.pipeline import PreviousRunError
from corroborate.render import write_outputs


@pytest.fixture(scope="module")
def first_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("first")
    result = corroborate.run([DEMO / "halvard-herald.html", DEMO / "coastline-daily.txt"])
    write_outputs(result, out)
    return out, result


def test_new_reports_join_existing_incident_and_ids_stay(first_run):
    out, first = first_run
    [market] = first.incidents
    second = corroborate.run([DEMO / "wire.jsonl"], previous=out)
    assert second.previous == 2
    assert [r.id for r in second.reports][:2] == ["halvard-herald", "coastline-daily"]  # previous reports first, in their order
    grown = incident_of(second, "northwire-0315")
    assert grown.id == market.id
    assert set(grown.reports) == {"halvard-herald", "coastline-daily", "northwire-0315", "pulse-now-0314", "harbour-watch-0314"}
    assert incident_of(second, "millbrook-ferry-fire").id == incident_id("millbrook-ferry-fire")


def test_a_repeated_id_from_the_previous_run_is_an_error(first_run, tmp_path):
    out, _ = first_run
    dup = tmp_path / "halvard-herald.txt"
    dup.write_text("Another story with an id that the previous run already holds.", encoding="utf-8")
    result = corroborate.run([dup], previous=out)
    [error] = result.errors
    assert error.message == f"duplicate id 'halvard-herald': already read from the previous run ({out / 'reports.jsonl'})"


def test_previous_incidents_are_never_merged(demo_result):
    reports = list(demo_result.reports)
    before = [r.model_dump_json() for r in reports]
    market = incident_of(demo_result, "halvard-herald")
    # pretend an earlier run kept the herald and the coastline report apart
    split = [
        market.model_copy(update={"id": "inc-a", "reports": ["halvard-herald"]}),
        market.model_copy(update={"id": "inc-b", "reports": ["coastline-daily"]}),
    ]
    with_derivations, incidents = build_incidents(reports, split)
    assert [r.model_dump_json() for r in reports] == before  # the reports it was handed are left as they were
    assert [r.id for r in with_derivations] == [r.id for r in reports]
    owners = {r: i.id for i in incidents for r in i.reports}
    assert owners["halvard-herald"] == "inc-a" and owners["coastline-daily"] == "inc-b"


def test_not_an_output_directory(tmp_path):
    with pytest.raises(PreviousRunError, match="reports.jsonl is missing"):
        corroborate.run([DEMO / "wire.jsonl"], previous=tmp_path)
    (tmp_path / "reports.jsonl").write_text(json.dumps({"id": "x"}) + "\n", encoding="utf-8")
    (tmp_path / "incidents.jsonl").write_text("", encoding="utf-8")
    with pytest.raises(PreviousRunError, match="reports.jsonl:1: not a valid record"):
        corroborate.run([DEMO / "wire.jsonl"], previous=tmp_path)


def test_a_contract_1_0_output_is_accepted_as_previous(first_run, tmp_path):
    out, first = first_run
    old = tmp_path / "old"
    old.mkdir()
    for name in ("reports.jsonl", "incidents.jsonl"):  # as 1.0 wrote them: no sources.jsonl, fewer signals
        lines = []
        for line in (out / name).read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            record["schema_version"] = "1.0"
            record.pop("alignment", None)
            for key in ("vagueness", "specificity", "emotive", "single_source_claims", "factual_sentences"):
                (record.get("signals") or {}).pop(key, None)
            lines.append(json.dumps(record))
        (old / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
    second = corroborate.run([DEMO / "wire.jsonl"], previous=old)
    herald = next(r for r in second.reports if r.id == "halvard-herald")
    assert herald.schema_version == "1.0"
    assert herald.signals.vagueness is None and herald.signals.emotive is None  # not measured in 1.0, not invented
    assert "single_source_claims" not in herald.signals.model_dump()  # 2.0: the incident holds the claims
    assert any(p.report == "halvard-herald" for p in incident_of(second, "halvard-herald").single_source_claims)  # reconciled again
    assert incident_of(second, "northwire-0315").id == first.incidents[0].id


def test_a_contract_1_6_output_with_per_report_claims_is_accepted_as_previous(first_run, tmp_path):
    """2.0 dropped ``signals.single_source_claims``; an output of 1.6 that holds it is still read."""
    out, first = first_run
    old = tmp_path / "old"
    old.mkdir()
    for name in ("reports.jsonl", "incidents.jsonl"):
        lines = []
        for line in (out / name).read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            record["schema_version"] = "1.6"
            if record.get("signals"):
                record["signals"]["single_source_claims"] = 2
            lines.append(json.dumps(record))
        (old / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
    second = corroborate.run([DEMO / "wire.jsonl"], previous=old)
    assert not second.errors
    carried = [r for r in second.reports if r.schema_version == "1.6"]
    assert carried and all("single_source_claims" not in r.signals.model_dump() for r in carried if r.signals)
    assert incident_of(second, "northwire-0315").id == first.incidents[0].id
