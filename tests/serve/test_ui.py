"""The web UI in Debian's Chromium (Playwright), against a real ``corroborate serve`` process:
filter and search, follow a quote to its span, merge two incidents, add a report and see it
joined, and an adversarial report under which no script runs and no request leaves the machine."""

from __future__ import annotations

import re

import httpx
import pytest
from playwright.sync_api import expect
from serving import wait_job

EASTGATE, CALDERA = "inc-2ada39a6589a", "inc-2696c109e3a3"


def goto(page, url: str) -> None:
    """Open ``url``; fail with the page's text when it is not a 200."""
    response = page.goto(url)
    assert response is not None and response.status == 200, (url, response and response.status, page.content()[:3000])


def rows(page) -> list[str]:
    return page.locator("table.incidents tbody tr").evaluate_all("rows => rows.map(r => r.dataset.incident)")


def test_filter_and_search(server, page):
    goto(page, server.base + "/")
    assert rows(page) == [EASTGATE, CALDERA]
    page.fill("input[name=q]", "Caldera")
    page.press("input[name=q]", "Enter")
    expect(page.locator("table.incidents tbody tr")).to_have_count(1)  # (wait_for_function would need eval: the CSP forbids it)
    assert rows(page) == [CALDERA] and "q=Caldera" in page.url  # htmx swapped the table and pushed the URL
    page.goto(server.base + "/")
    page.select_option("select[name=status]", "conflicting")  # a change filters at once
    expect(page.locator("table.incidents tbody tr")).to_have_count(1)  # (wait_for_function would need eval: the CSP forbids it)
    assert rows(page) == [EASTGATE] and "status=conflicting" in page.url
    page.goto(server.base + "/?sort=killed")
    assert rows(page) == [CALDERA, EASTGATE]
    page.click("th a.sort:text('killed')")  # sorted ascending: a click sorts descending
    page.wait_for_url(re.compile(r"sort=-killed"))
    assert rows(page) == [EASTGATE, CALDERA]
    assert page.locator("dl.statuses dt").count() == 4  # the legend of the four statuses
    assert not page.page_errors


def test_open_an_incident_and_follow_a_quote_to_its_span(server, page):
    goto(page, server.base + "/")
    expect(page.locator("table.incidents tbody tr")).to_have_count(2)
    page.click(f"tr[data-incident='{EASTGATE}'] a")
    page.wait_for_url(f"**/incidents/{EASTGATE}")
    record = httpx.get(f"{server.base}/api/incidents/{EASTGATE}").json()
    killed = next(f for f in record["facts"] if f["slot"] == "killed")
    assert page.locator("tr[data-slot=killed] td.value").inner_text().startswith(str(killed["value"]))
    assert "∞" not in page.locator("table.facts").inner_text()
    title = page.locator("h1#title").inner_text()  # it states a toll: the reconciled one
    assert title == "Eastgate Market attack death toll rises to 21, six suspects arrested"
    assert re.findall(r"\d+", title) == [str(killed["value"])]
    dissent = killed["dissent"][0]
    link = page.locator(f"tr[data-slot=killed] .dissent a.quote-link[data-report='{dissent['report']}']").first
    assert dissent["text"] in link.locator("xpath=..").inner_text()  # the quote, in its sentence
    link.click()
    page.wait_for_url(re.compile(r"/reports/"))
    target = page.locator("mark.fact:target")
    assert target.count() == 1 and target.inner_text() == dissent["text"]
    assert page.evaluate("document.querySelector('mark.fact:target').getBoundingClientRect().top") < 800  # in view
    assert not page.page_errors


def test_merge_two_incidents(server, page):
    page.goto(f"{server.base}/incidents/{EASTGATE}")
    before = httpx.get(f"{server.base}/api/incidents/{EASTGATE}").json()
    page.fill("#merge-form input[name=other_incident]", CALDERA)
    page.fill("#merge-form input[name=note]", "one event, two reports")
    page.fill("#merge-form input[name=author]", "Test Analyst")
    page.click("#merge-form button[type=submit]")
    page.wait_for_url(re.compile(r"#corrections$"))
    note = page.locator("p.annotation.merged")
    assert "the same incident as" in note.inner_text() and CALDERA in note.inner_text() and "Test Analyst" in note.inner_text()
    page.goto(f"{server.base}/incidents/{CALDERA}")
    assert EASTGATE in page.locator("p.annotation.merged").inner_text()
    after = httpx.get(f"{server.base}/api/incidents/{EASTGATE}").json()
    assert [a["kind"] for a in after.pop("annotations")] == ["merge"]
    before.pop("annotations")
    assert after == before  # the machine's record is untouched


def test_add_a_report_and_see_it_joined(server, page):
    page.goto(server.base + "/add")
    page.fill("#add-text input[name=title]", "Eastgate toll at 21")
    page.fill("#add-text input[name=source]", "Browser Wire")
    page.fill("#add-text input[name=published]", "2026-03-16")
    page.fill("#add-text textarea[name=text]", "PORT HALVARD - The death toll from Saturday's attack on the Eastgate "
              "Market in Port Halvard rose to 21 on Monday, police said. Six suspects remain in custody, officials said.")
    page.click("#add-text button[type=submit]")
    page.wait_for_url(re.compile(r"/jobs/"))
    page.wait_for_selector("#job[data-status=done]", timeout=120_000)  # htmx polls the job page
    link = page.locator("a.incident-link")
    assert link.inner_text() == EASTGATE
    link.click()
    page.wait_for_url(f"**/incidents/{EASTGATE}")
    assert page.locator("table.timeline").inner_text().count("Browser Wire") == 1


ATTACK = """<script>window.__pwned = 1</script><img src="http://198.51.100.7/beacon.png" onerror="window.__pwned = 2">
<link rel="stylesheet" href="http://198.51.100.7/x.css"><iframe src="http://198.51.100.7/"></iframe>
<a href="javascript:window.__pwned=3">click</a> <svg onload="window.__pwned=4"></svg> {{ 7*7 }}
Two people were killed in a shooting at the Eastgate Market in Port Halvard on Saturday, police said."""


def test_an_adversarial_report_runs_no_script_and_sends_no_request(server, page):
    job = wait_job(httpx, f"{server.base}" + httpx.post(f"{server.base}/api/reports", json={
        "text": ATTACK, "title": '<script>window.__pwned=5</script><img src=x onerror="window.__pwned=6">',
        "source": '"><script>window.__pwned=7</script>', "id": "attack\"><img src=x onerror=alert(1)>"}).json()["href"])
    assert job["status"] == "done", job
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    [report] = job["reports"]
    visited = [f"/reports/{httpx.URL(report['href']).raw_path.decode().split('/api/reports/', 1)[1]}", "/outlets", "/",
               f"/jobs/{job['id']}"]
    if report["incident"]:
        visited.append(f"/incidents/{report['incident']}")
    for path in visited:
        page.goto(server.base + path)
        page.wait_for_load_state("networkidle")
        for link in page.locator("a[href^='javascript:']").all():
            pytest.fail(f"a javascript: link on {path}: {link.get_attribute('href')}")
        assert page.evaluate("window.__pwned === undefined"), path
    assert "<script>window.__pwned = 1</script>" in page.locator("body").inner_text() or report["incident"] is None
    assert requests and all(url.startswith((server.base, "data:")) for url in requests), \
        [u for u in requests if not u.startswith(server.base)]
    assert not page.page_errors
