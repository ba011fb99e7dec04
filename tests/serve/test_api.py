"""The REST API on the demo store, on SQLite and on PostgreSQL: filters, records, spans, adding a
report (analyzed in the background, joined to its incident), annotations and their export."""

from __future__ import annotations

import json
import time

import pytest
from helpers import DEMO  # noqa: F401
from serving import wait_job

from corroborate.stores import open_store

EASTGATE, CALDERA = "inc-2ada39a6589a", "inc-2696c109e3a3"


def ids(response) -> list[str]:
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


def test_incidents_filter_sort_and_page(client):
    everything = client.get("/api/incidents").json()
    assert everything["total"] == 2 and everything["next"] is None
    assert [i["id"] for i in everything["items"]] == [EASTGATE, CALDERA]  # newest first
    eastgate = everything["items"][0]
    assert (eastgate["killed"], eastgate["injured"], eastgate["reports"], eastgate["type"]) == (21, 57, 5, "armed_assault")
    assert eastgate["status"] == "conflicting" and "corroborated" in eastgate["statuses"]
    assert ids(client.get("/api/incidents", params={"q": "Caldera"})) == [CALDERA]
    assert ids(client.get("/api/incidents", params={"q": "van bomb"})) == [EASTGATE]  # words of a report's text
    assert ids(client.get("/api/incidents", params={"q": "zzyzx"})) == []
    assert ids(client.get("/api/incidents", params={"place": "alabama"})) == [CALDERA]
    assert ids(client.get("/api/incidents", params={"type": "fire"})) == [CALDERA]
    assert ids(client.get("/api/incidents", params={"status": "conflicting"})) == [EASTGATE]
    assert ids(client.get("/api/incidents", params={"outlet": "The Halvard Herald"})) == [EASTGATE]
    assert ids(client.get("/api/incidents", params={"since": "2026-03-01"})) == [EASTGATE]
    assert ids(client.get("/api/incidents", params={"until": "2026-02-01"})) == [CALDERA]  # the whole day
    assert ids(client.get("/api/incidents", params={"sort": "killed"})) == [CALDERA, EASTGATE]
    assert ids(client.get("/api/incidents", params={"sort": "-reports"})) == [EASTGATE, CALDERA]
    first = client.get("/api/incidents", params={"limit": 1}).json()
    assert [i["id"] for i in first["items"]] == [EASTGATE] and first["total"] == 2
    assert ids(client.get(first["next"])) == [CALDERA]
    for bad in ({"sort": "nonsense"}, {"since": "yesterday"}, {"limit": 0}, {"status": "true"}):
        response = client.get("/api/incidents", params=bad)
        assert response.status_code == 422 and response.json()["detail"], bad


def test_incident_record_and_its_spans(client, filled):
    body = client.get(f"/api/incidents/{EASTGATE}").json()
    with open_store(filled) as store:
        stored = store.incident(EASTGATE)
    assert body.pop("annotations") == []
    assert body == json.loads(stored.model_dump_json())
    checked = 0
    for fact in body["facts"]:
        for side in ("support", "dissent"):
            for p in fact[side]:
                text = client.get(f"/api/reports/{p['report']}").json()["text"]
                assert text[p["start"]:p["end"]] == p["text"]
                checked += 1
    assert checked >= 20
    missing = client.get("/api/incidents/inc-nope")
    assert missing.status_code == 404 and missing.json() == {"detail": "no incident 'inc-nope'"}
    assert client.get("/api/reports/nope").status_code == 404
    for path in ("/api/incidents/a%00b", "/api/reports/a%00b", "/incidents/a%00b", "/reports/a%00b"):
        assert client.get(path).status_code == 404, path  # a NUL is no id (PostgreSQL refuses it in a query)
    assert client.get("/api/annotations", params={"incident": "a\x00b"}).json() == []
    assert client.get("/api/reports", params={"q": "\x00", "outlet": "a\x00"}).json()["total"] == 0


def test_reports_and_outlets(client):
    listed = client.get("/api/reports").json()
    assert listed["total"] == 6
    herald = next(r for r in listed["items"] if r["id"] == "halvard-herald")
    assert herald["source"] == "The Halvard Herald" and herald["incident"] == EASTGATE
    assert ids(client.get("/api/reports", params={"q": "Caldera"})) == ["millbrook-ferry-fire"]
    assert set(ids(client.get("/api/reports", params={"incident": EASTGATE}))) == {
        r["id"] for r in listed["items"] if r["incident"] == EASTGATE}
    report = client.get("/api/reports/halvard-herald").json()
    assert report["schema_version"] == "2.1" and report["counts"]
    outlets = {o["name"]: o for o in client.get("/api/outlets").json()}
    assert sum(o["reports"] for o in outlets.values()) == 6
    assert outlets["The Halvard Herald"]["incidents"] == 1
    assert ids(client.get(outlets["The Halvard Herald"]["href"])) == [EASTGATE]


UPDATE = ("PORT HALVARD - The death toll from Saturday's attack on the Eastgate Market in Port Halvard rose to 21 "
          "on Monday, police said. Six suspects remain in custody, officials said.")


def test_add_a_report_joins_its_incident(client, filled):
    before = client.get(f"/api/incidents/{EASTGATE}").json()["reports"]
    started = time.monotonic()
    response = client.post("/api/reports", json={"text": UPDATE, "title": "Eastgate toll at 21", "source": "Test Wire",
                                                  "published": "2026-03-16"})
    assert response.status_code == 202, response.text
    job = response.json()
    assert response.headers["location"] == job["href"] and job["status"] in ("queued", "running")
    done = wait_job(client, job["href"])
    served = time.monotonic() - started
    assert done["status"] == "done", done
    [added] = done["reports"]
    assert added["incident"] == EASTGATE and done["added"] == 1
    assert client.get(added["href"]).json()["text"] == UPDATE
    after = client.get(f"/api/incidents/{EASTGATE}").json()
    assert after["reports"] == [*before, added["id"]] or set(after["reports"]) == {*before, added["id"]}
    assert served < 120
    again = wait_job(client, client.post("/api/reports", json={"text": UPDATE, "title": "Eastgate toll at 21",
                                                                "source": "Test Wire", "published": "2026-03-16"}).json()["href"])
    assert (again["status"], again["added"], again["unchanged"]) == ("done", 0, 1)  # the same text: the same report


def test_add_files_and_bad_bodies(client):
    files = [("file", ("caldera-followup.txt", (b"Crew treated after fire on MV Caldera\n\nThree crew members of the "
                       b"MV Caldera were treated for smoke inhalation after a fire broke out at Millbrook pier."), "text/plain")),
             ("file", ("empty.txt", b"", "text/plain"))]
    response = client.post("/api/reports", files=files)
    assert response.status_code == 202, response.text
    done = wait_job(client, response.json()["href"])
    assert done["status"] == "done" and [r["id"] for r in done["reports"]] == ["caldera-followup"]
    for body, code in (({"text": "a", "html": "<p>b</p>"}, 422), ({"url": "file:///etc/passwd"}, 422),
                       ({"text": "x", "extra": 1}, 422), ({}, 422)):
        assert client.post("/api/reports", json=body).status_code == code, body
    assert client.post("/api/reports", content=b"{not json", headers={"content-type": "application/json"}).status_code == 422
    assert client.post("/api/reports", content=b"text", headers={"content-type": "text/plain"}).status_code == 415


def test_url_to_a_private_address_is_refused_by_the_job(client, monkeypatch):
    monkeypatch.delenv("CORROBORATE_ALLOW_PRIVATE_URLS", raising=False)
    response = client.post("/api/reports", json={"url": "http://127.0.0.1:9/secret"})
    assert response.status_code == 202
    done = wait_job(client, response.json()["href"])
    assert done["status"] == "failed" and done["reports"] == []
    assert any("http://127.0.0.1:9/secret" in e and "loopback" in e for e in done["errors"]), done["errors"]


def test_annotations_sit_beside_the_record_and_are_exported(client, filled, tmp_path):
    with open_store(filled) as store:
        line_before = next(line for line in store.incident_lines() if EASTGATE in line)
    merge = client.post("/api/annotations", json={"kind": "merge", "incident": EASTGATE, "other_incident": CALDERA,
                                                  "note": "same pier?", "author": "R. Analyst"})
    assert merge.status_code == 201, merge.text
    assert merge.json()["author"] == "R. Analyst (127.0.0.1)"
    wrong = client.post("/api/annotations", json={"kind": "set", "incident": EASTGATE, "fact": 0, "value": 20})
    assert wrong.status_code == 201 and wrong.json()["slot"] == "killed" and wrong.json()["value"] == 20
    split = client.post("/api/annotations", json={"kind": "split", "incident": EASTGATE, "report": "pulse-now-0314"})
    assert split.status_code == 201
    for bad in ({"kind": "merge", "incident": EASTGATE, "other_incident": EASTGATE},
                {"kind": "split", "incident": EASTGATE, "report": "millbrook-ferry-fire"},
                {"kind": "wrong", "incident": EASTGATE, "fact": 999},
                {"kind": "set", "incident": EASTGATE, "fact": 0}):
        assert client.post("/api/annotations", json=bad).status_code == 409, bad
    assert client.post("/api/annotations", json={"kind": "wrong", "incident": "inc-nope", "fact": 0}).status_code == 404
    on_eastgate = client.get(f"/api/incidents/{EASTGATE}").json()["annotations"]
    assert [a["kind"] for a in on_eastgate] == ["merge", "set", "split"]
    assert [a["kind"] for a in client.get(f"/api/incidents/{CALDERA}").json()["annotations"]] == ["merge"]
    with open_store(filled) as store:
        assert next(line for line in store.incident_lines() if EASTGATE in line) == line_before  # never overwritten
    from typer.testing import CliRunner

    from corroborate.cli import app

    runner = CliRunner()
    result = runner.invoke(app, ["export", "--db", filled, "--out", str(tmp_path / "j"), "--format", "jsonl"])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in (tmp_path / "j" / "annotations.jsonl").read_text("utf-8").splitlines()]
    assert [(a["kind"], a["incident"]) for a in lines] == [("merge", EASTGATE), ("set", EASTGATE), ("split", EASTGATE)]
    assert "3 annotations" in result.output
    result = runner.invoke(app, ["export", "--db", filled, "--out", str(tmp_path / "c"), "--format", "csv"])
    assert result.exit_code == 0, result.output
    rows = (tmp_path / "c" / "annotations.csv").read_text("utf-8").splitlines()
    assert rows[0].startswith("annotation_id,kind,incident_id") and len(rows) == 4
    assert f",{EASTGATE}#0,killed,20," in rows[2]


@pytest.mark.parametrize("path", ["/openapi.json", "/api/incidents", "/", "/docs", f"/incidents/{EASTGATE}"])
def test_security_headers(client, path):
    response = client.get(path)
    assert response.status_code == 200
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp and response.headers["x-content-type-options"] == "nosniff"


def test_openapi_document(client):
    spec = client.get("/openapi.json").json()
    assert spec["openapi"].startswith("3.1")
    assert {"/api/incidents", "/api/incidents/{incident_id}", "/api/reports", "/api/reports/{report_id}",
            "/api/outlets", "/api/annotations", "/api/jobs/{job_id}"} <= set(spec["paths"])
    body = spec["paths"]["/api/reports"]["post"]["requestBody"]["content"]
    assert {"application/json", "multipart/form-data"} <= set(body)


def test_an_upload_form_has_only_files(client):
    response = client.post("/api/reports", files=[("file", ("a.txt", b"Two people were hurt in a fire.", "text/plain"))],
                           data={"id": "mine"})
    assert response.status_code == 422 and "unknown form fields: 'id'" in response.json()["detail"]
