"""report.html in a real browser: Debian's Chromium, headless, through Playwright."""

from __future__ import annotations

import json

import pytest
from helpers import REPO

import corroborate
from corroborate.render import write_outputs

ARTIFACTS = REPO / "test-artifacts"  # screenshots, kept out of git


@pytest.fixture(scope="module")
def demo_html(demo_result, tmp_path_factory):
    out = tmp_path_factory.mktemp("demo-html")
    write_outputs(demo_result, out)
    return out / "report.html"


def test_demo_report_shows_incidents_and_the_conflicting_toll(page, demo_html, demo_result):
    page.goto(demo_html.as_uri())
    assert page.locator("table.incidents tbody tr").count() == len(demo_result.incidents) == 2
    assert "6 reports · 2 incidents · 5 outlets" in page.locator("header").inner_text()
    market = next(i for i in demo_result.incidents if len(i.reports) == 5)
    killed = page.locator(f"section#{market.id} tr[data-slot=killed]")
    badge = killed.locator(".badge")
    assert badge.inner_text() == "conflicting"
    assert "conflicting" in badge.get_attribute("class")
    assert killed.locator("td").first.inner_text() == "21"
    assert page.page_errors == []
    assert page.console_messages == []


def test_clicking_a_supporting_quote_lands_on_the_same_span_in_the_report(page, demo_html, demo_result):
    page.goto(demo_html.as_uri())
    market = next(i for i in demo_result.incidents if len(i.reports) == 5)
    link = page.locator(f"section#{market.id} tr[data-slot=killed] .support a").first
    rid, start, end = link.get_attribute("data-report"), int(link.get_attribute("data-start")), int(link.get_attribute("data-end"))
    target_id = link.get_attribute("href").removeprefix("#")
    link.click()
    assert page.url.endswith("#" + target_id)
    target = page.locator(f"[id='{target_id}']")
    report = next(r for r in demo_result.reports if r.id == rid)
    assert target.inner_text() == report.text[start:end]
    assert target.evaluate("el => el.matches(':target')")
    assert target.is_visible()  # the collapsed report text opened for the fragment
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "report-demo.png"
    page.screenshot(path=str(shot), full_page=False)
    assert shot.stat().st_size > 10_000


def test_every_fact_link_points_at_a_span_holding_its_text(page, demo_html, demo_result):
    page.goto(demo_html.as_uri())
    texts = {r.id: r.text for r in demo_result.reports}
    links = page.locator(".facts a[data-start]")
    assert links.count() > 20
    for k in range(links.count()):
        link = links.nth(k)
        rid, start, end = link.get_attribute("data-report"), int(link.get_attribute("data-start")), int(link.get_attribute("data-end"))
        target = link.get_attribute("href")[1:]
        marked = page.locator(f"[id='{target}']").text_content()
        s, e = map(int, target.split("-")[-2:])
        # the marked span is exactly report.text[s:e], and it is the fact's span or overlaps it (two facts sharing text)
        assert marked == texts[rid][s:e]
        assert s < end and start < e


HOSTILE_TEXT = (
    'Police said <script>window.pwned = 1</script> three people were hurt on Main Street. '
    '<img src=x onerror="window.pwned = 2"> A witness posted <a href="javascript:window.pwned=3">this link</a>. '
    '<!-- a comment that must stay visible --> Officials said two people were killed in the attack on Main Street.'
)


def test_hostile_markup_is_shown_literally_and_never_runs(page, tmp_path):
    source = tmp_path / "hostile.jsonl"
    rows = [
        {"id": "hostile", "title": "<script>window.pwned = 4</script>Attack <b>news</b>", "url": "javascript:window.pwned=5",
         "source": "<img src=x onerror=\"window.pwned = 6\">", "published": "2026-03-14", "text": HOSTILE_TEXT},
        {"id": "calm", "title": "Two killed on Main Street", "published": "2026-03-14",
         "text": "Officials said two people were killed in the attack on Main Street. Three people were hurt."},
    ]
    source.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    out = tmp_path / "out"
    write_outputs(corroborate.run([source]), out)
    page.goto((out / "report.html").as_uri())
    page.locator("details").evaluate_all("els => els.forEach(d => d.open = true)")
    page.wait_for_timeout(300)  # an onerror would fire asynchronously
    assert page.evaluate("typeof window.pwned") == "undefined"
    assert page.locator("body script").count() == 0 and page.locator("body img").count() == 0
    assert page.locator("a[href^='javascript']").count() == 0
    body = page.locator("main").inner_text()
    assert '<script>window.pwned = 1</script>' in body
    assert '<img src=x onerror="window.pwned = 2">' in body
    assert '<!-- a comment that must stay visible -->' in body
    assert "<script>window.pwned = 4</script>Attack <b>news</b>" in body
    assert page.page_errors == [] and page.console_messages == []


def test_a_large_run_is_paginated_and_links_still_land_on_the_span(page, demo_result, tmp_path, monkeypatch):
    from corroborate.render import html

    # the demo as if it were a large run: 2 reports per page, 1 incident per page
    monkeypatch.setattr(html, "LARGE_RUN", 3)
    monkeypatch.setattr(html, "PAGE_SIZE", 2)
    monkeypatch.setattr(html, "INCIDENTS_PER_PAGE", 1)
    write_outputs(demo_result, tmp_path)
    pages = sorted(p.name for p in (tmp_path / "report-pages").iterdir())
    assert pages == ["incidents-001.html", "incidents-002.html", "reports-001.html", "reports-002.html", "reports-003.html"]
    page.goto((tmp_path / "report.html").as_uri())
    assert page.locator("article.report").count() == 0  # the texts are on their pages
    market = next(i for i in demo_result.incidents if len(i.reports) == 5)
    page.locator(f"table.incidents a[href$='#{market.id}']").click()
    assert page.url.endswith(f"report-pages/incidents-001.html#{market.id}")
    link = page.locator(f"section#{market.id} tr[data-slot=killed] .dissent a").first
    rid, start, end = link.get_attribute("data-report"), int(link.get_attribute("data-start")), int(link.get_attribute("data-end"))
    link.click()
    assert "report-pages/reports-00" in page.url
    target = page.locator(":target")
    report = next(r for r in demo_result.reports if r.id == rid)
    assert target.inner_text() == report.text[start:end]
    assert target.is_visible()
    assert page.page_errors == [] and page.console_messages == []


def test_printing_opens_the_collapsed_texts(page, demo_html):
    page.goto(demo_html.as_uri())
    text = page.locator("article.report .text").first
    assert not text.is_visible()
    page.emulate_media(media="print")
    assert text.is_visible()


def test_phone_width_has_no_page_wide_horizontal_scroll(page, demo_html):
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto(demo_html.as_uri())
    # wide tables scroll inside their own box; the page itself fits the screen
    assert page.evaluate("document.documentElement.scrollWidth") <= 375


def test_derivation_graph_is_drawn_and_hostile_names_in_it_stay_text(page, v16_result, tmp_path):
    write_outputs(v16_result, tmp_path)
    page.goto((tmp_path / "report.html").as_uri())
    graph = page.locator("section#inc-copies svg.graph")
    assert graph.is_visible() and graph.locator("text.copies").text_content() == "+2 copies"
    title = page.locator("section#inc-hostile svg.graph g.node title").first.text_content()
    assert title == "h1 (<script>window.pwned = 1</script>)"
    assert page.evaluate("typeof window.pwned") == "undefined"
    assert page.page_errors == [] and page.console_messages == []
