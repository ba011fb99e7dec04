"""The UI's pages as HTML (no browser): the title never contradicts the reconciled toll, bounds
read "no upper bound", every quote links to its report at a span that slices exactly, and the
report page marks that span."""

from __future__ import annotations

import html
import re
from urllib.parse import parse_qs, unquote, urlsplit

from corroborate.records import Fact, Incident, Provenance
from corroborate.serve.ui import display_title, honest_title, sentence

EASTGATE = "inc-2ada39a6589a"


def _fact(slot, value, low=None, high=None):
    return Fact(slot=slot, value=value, low=low, high=high, status="single_source", rule="test")


def test_a_title_that_contradicts_the_toll_is_not_shown():
    facts = [_fact("killed", 4, 4, 4), _fact("type", "armed_assault")]
    agrees = Incident(id="i", reports=["a"], title="4 killed in Elm Street shooting", date=None, location="Elm Street",
                      facts=facts)
    contradicts = agrees.model_copy(update={"title": "3 killed in Elm Street shooting"})
    assert display_title(agrees) == "4 killed in Elm Street shooting"
    assert display_title(contradicts) == "Armed assault in Elm Street"
    assert display_title(contradicts.model_copy(update={"location": None})) == "Armed assault"
    assert honest_title("3 killed in Elm Street shooting", {"killed": 4, "injured": None}, None, None) == "Incident"
    assert honest_title("Two hurt", {"killed": None, "injured": None}, "fire", "Pier 4") == "Two hurt"


def test_sentence_context():
    from corroborate.records import Report

    text = "First sentence here. The toll rose to 21 on Monday, police said. Another one follows."
    report = Report(id="r", text=text, origin="r.txt")
    start = text.index("21")
    shown = sentence(report, start, start + 2)
    assert str(shown) == 'The toll rose to <mark class="quote">21</mark> on Monday, police said.'
    assert "not stored" in str(sentence(Report(id="x", text="", origin="x"), 3, 5))


def test_incident_page_quotes_link_to_exact_spans(client):
    page = client.get(f"/incidents/{EASTGATE}").text
    record = client.get(f"/api/incidents/{EASTGATE}").json()
    title = re.search(r'<h1 id="title">(.*?)</h1>', page).group(1)
    assert html.unescape(title) == record["title"]
    assert "no upper bound" in page and "∞" not in page
    links = re.findall(r'<a class="quote-link" href="([^"]+)" data-report="([^"]+)" data-start="(\d+)" data-end="(\d+)"', page)
    spans = {(p["report"], p["start"], p["end"]) for f in record["facts"] for p in f["support"] + f["dissent"]}
    assert {(html.unescape(r), int(s), int(e)) for _, r, s, e in links} == spans
    href, _, start, end = links[0]
    href = html.unescape(href)
    parts = urlsplit(href)
    assert parse_qs(parts.query)["span"] == [f"{start}-{end}"]
    report_page = client.get(parts.path + "?" + parts.query).text
    marked = re.search(rf'<mark class="fact" id="{re.escape(parts.fragment)}">(.*?)</mark></mark>|<mark class="fact" id="{re.escape(parts.fragment)}">(.*?)</mark>',
                       report_page, re.DOTALL)
    assert marked, "the span the link opens is marked"
    text = client.get(f"/api/reports/{unquote(parts.path.split('/reports/', 1)[1])}").json()["text"]
    shown = html.unescape(re.sub(r"<[^>]+>", "", marked.group(1) or marked.group(2)))
    assert text[int(start):int(end)].startswith(shown) or shown == text[int(start):int(end)]


def test_pages_and_errors(client):
    for path in ("/", "/?status=&q=&sort=-killed", "/outlets", "/add", "/login", "/docs", f"/incidents/{EASTGATE}",
                 "/reports/halvard-herald", "/static/htmx.min.js", "/static/style.css"):
        assert client.get(path).status_code == 200, path
    missing = client.get("/incidents/nope")
    assert missing.status_code == 404 and "no incident &#39;nope&#39;" in missing.text and "<h1>Error 404</h1>" in missing.text
    assert client.get("/?sort=nonsense").status_code == 422
    wrong = client.put("/api/reports")
    assert wrong.status_code == 405 and wrong.headers["allow"] == "GET, POST"


def test_provenance_in_html_is_escaped():
    p = Provenance(report='<img src=x onerror=alert(1)>', text="x", start=0, end=1)
    from corroborate.serve.ui import quote_link

    link = quote_link(p.report, p.start, p.end)
    assert "<" not in link and ">" not in link and " " not in link


def test_a_copy_shows_in_the_derivation_graph(client):
    from serving import wait_job

    herald = client.get("/api/reports/halvard-herald").json()
    job = wait_job(client, client.post("/api/reports", json={
        "id": "copycat", "text": herald["text"], "title": herald["title"], "source": "Copycat Daily",
        "published": "2026-03-15T09:00:00+00:00"}).json()["href"])
    assert job["status"] == "done" and job["reports"][0]["incident"] == EASTGATE
    record = client.get(f"/api/incidents/{EASTGATE}").json()
    assert ["halvard-herald", "copycat"] in record["source_groups"]
    page = client.get(f"/incidents/{EASTGATE}").text
    assert '<svg class="chart graph"' in page and "+1 copy" in page
    assert "6 reports, 6 outlets, 5 independent sources" in page  # a copy is not a second witness
