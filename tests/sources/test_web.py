"""URL fetching against a real HTTP server on 127.0.0.1: limits, retries, robots.txt, the SSRF guard."""

from __future__ import annotations

import gzip
import ipaddress
import itertools
import sys
import time
from pathlib import Path

import pytest

from corroborate.records import InputError
from corroborate.sources.readers import RawDoc, ReadOptions
from corroborate.sources.web import (
    ALLOW_PRIVATE_ENV,
    USER_AGENT,
    Fetcher,
    FetchLimits,
    Guard,
    UrlListError,
    read_url,
    read_url_list,
    url_id,
)

sys.path.insert(0, str(Path(__file__).resolve().parent))
from httpserver import LocalServer, Reply

#: as the ``fetcher`` fixture's (tests/sources/conftest.py)
FAST = FetchLimits(connect_timeout=2.0, read_timeout=2.0, total_timeout=10.0, retries=2, backoff=0.05, host_interval=0.0)

ARTICLE = """<!DOCTYPE html><html><head><title>Two killed in Main Street shooting</title>
<meta property="article:published_time" content="2024-05-02T14:30:00+00:00"></head>
<body><nav><a href="/">Home</a></nav><article><h1>Two killed in Main Street shooting</h1>
<p>Two people were killed and three injured in a shooting on Main Street on Tuesday night, police said.</p>
<p>Officers arrived within minutes and found the victims near the corner of Main Street and Fifth Avenue.</p>
<p>A suspect was arrested at the scene, according to a police spokesperson who spoke to reporters.</p>
</article></body></html>"""



def read(url: str, fetcher: Fetcher, **options) -> list[RawDoc | InputError]:
    return list(read_url(url, ReadOptions(**options), fetcher=fetcher))


def only_error(results) -> str:
    assert len(results) == 1 and isinstance(results[0], InputError), results
    return results[0].message


# ------------------------------------------------------------------------------------ pages


def test_an_html_page_is_one_report_named_by_its_url(server, fetcher):
    server.route("/news/story-1/", Reply(body=ARTICLE))
    [doc] = read(server.url("/news/story-1/"), fetcher)
    assert isinstance(doc, RawDoc)
    assert doc.id == f"127.0.0.1:{server.port}/news/story-1"
    assert doc.origin == server.url("/news/story-1/")
    assert doc.url == server.url("/news/story-1/")
    assert doc.title == "Two killed in Main Street shooting"
    assert "Two people were killed and three injured" in doc.text
    assert "A suspect was arrested at the scene" in doc.text
    assert doc.published == "2024-05-02T14:30:00+00:00"
    # an honest user agent on every request, robots.txt included
    assert [hit.path for hit in server.hits] == ["/robots.txt", "/news/story-1/"]
    assert all(hit.headers["User-Agent"] == USER_AGENT for hit in server.hits)
    assert USER_AGENT.startswith("corroborate/") and "news" in USER_AGENT


def test_plain_text_is_a_report_and_other_content_types_are_one_error(server, fetcher):
    server.route("/note.txt", Reply(body="Police said two people died.\nThe road is closed.", content_type="text/plain"))
    server.route("/logo.png", Reply(body=b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, content_type="image/png"))
    [doc] = read(server.url("/note.txt"), fetcher)
    assert doc.text == "Police said two people died.\nThe road is closed."
    assert doc.id == f"127.0.0.1:{server.port}/note.txt" and doc.source == "127.0.0.1"
    assert only_error(read(server.url("/logo.png"), fetcher)) == "not a page corroborate reads (content type image/png)"


def test_pages_in_other_encodings_are_decoded_by_their_http_charset_or_their_bytes(server, fetcher):
    text = "Caf\u00e9 owner said two people were hurt \u2014 \u201cit was chaos\u201d."
    server.route("/cp1252.txt", Reply(body=text.encode("cp1252"), content_type="text/plain; charset=windows-1252"))
    server.route("/utf16.txt", Reply(body=text.encode("utf-16"), content_type="text/plain"))  # BOM, no charset
    page = f"<html><head><title>Market news</title></head><body><article><p>{text}</p><p>{text}</p></article></body></html>"
    server.route("/latin.html", Reply(body=page.encode("cp1252"), content_type="text/html; charset=windows-1252"))
    [plain] = read(server.url("/cp1252.txt"), fetcher)
    [wide] = read(server.url("/utf16.txt"), fetcher)
    [html] = read(server.url("/latin.html"), fetcher)
    assert (plain.text, plain.encoding) == (text, "cp1252")
    assert wide.text == text and wide.encoding.startswith("utf-16")
    assert text in html.text and html.encoding == "cp1252"


def test_a_page_with_no_article_text_is_one_error(server, fetcher):
    server.route("/empty", Reply(body="<html><body><nav></nav></body></html>"))
    [error] = read(server.url("/empty"), fetcher)
    assert error.input == server.url("/empty") and "no article text" in error.message


def test_http_errors_name_the_url_and_404_is_not_retried(server, fetcher):
    url = server.url("/missing")
    [error] = read(url, fetcher)
    assert (error.input, error.message) == (url, "HTTP 404")
    assert len(server.hits_of("/missing")) == 1


def test_connection_refused_is_one_error_after_retries(fetcher):
    with LocalServer() as closed:
        url = closed.url("/x")
    [error] = read(url, fetcher)
    assert error.input == url
    assert error.message == "cannot connect: connection refused"


# -------------------------------------------------------------------------------- redirects


def test_a_redirect_chain_is_followed_and_the_final_url_kept(server, fetcher):
    server.route("/r1", Reply(302, headers={"Location": "/r2"}))
    server.route("/r2", Reply(301, headers={"Location": server.url("/final/story")}))
    server.route("/final/story", Reply(body=ARTICLE))
    [doc] = read(server.url("/r1"), fetcher)
    assert isinstance(doc, RawDoc)
    assert doc.id == f"127.0.0.1:{server.port}/r1"  # named by the URL given
    assert doc.url == server.url("/final/story")


def test_too_many_redirects(server, fetcher):
    for n in range(10):
        server.route(f"/hop{n}", Reply(302, headers={"Location": f"/hop{n + 1}"}))
    assert only_error(read(server.url("/hop0"), fetcher)) == "too many redirects (more than 5)"
    assert len(server.hits_of("/hop6")) == 0  # five redirects followed: /hop0 .. /hop5 asked, no more


# ------------------------------------------------------------------------ timeouts and size


def test_a_slow_server_times_out(server):
    server.route("/slow", Reply(body=ARTICLE, delay=3.0))
    limits = FetchLimits(connect_timeout=1.0, read_timeout=0.5, total_timeout=10.0, retries=0, host_interval=0.0)
    with Fetcher(limits, guard=Guard(allow_private=True)) as fetcher:
        started = time.monotonic()
        message = only_error(read(server.url("/slow"), fetcher))
        elapsed = time.monotonic() - started
    assert message == "timed out after 0.5 s"
    assert elapsed < 2.0


def test_a_server_trickling_bytes_hits_the_total_deadline(server):
    # each chunk comes well within the read timeout, but the whole body never would in time
    server.route("/drip", Reply(stream=64 * 1024 * 20, drip=0.2, content_type="text/plain"))
    limits = FetchLimits(read_timeout=5.0, total_timeout=1.0, retries=0, host_interval=0.0)
    with Fetcher(limits, guard=Guard(allow_private=True)) as fetcher:
        started = time.monotonic()
        message = only_error(read(server.url("/drip"), fetcher))
        elapsed = time.monotonic() - started
    assert message == "timed out after 1 s (total time limit)"
    assert elapsed < 2.5


def test_a_huge_response_stops_at_the_size_limit(server):
    server.route("/huge", Reply(stream=11 * 1024 * 1024, content_type="text/plain"))  # no Content-Length
    server.route("/declared", Reply(body=b"x" * (2 * 1024 * 1024), content_type="text/plain"))
    with Fetcher(FetchLimits(host_interval=0.0), guard=Guard(allow_private=True)) as fetcher:
        assert only_error(read(server.url("/huge"), fetcher)) == "response larger than 10 MiB"
    with Fetcher(FetchLimits(max_bytes=1024 * 1024, host_interval=0.0), guard=Guard(allow_private=True)) as fetcher:
        assert only_error(read(server.url("/declared"), fetcher)) == "response larger than 1 MiB"


# --------------------------------------------------------------------------------- retries


def test_a_500_then_200_is_retried(server, fetcher):
    server.route("/flaky", Reply(500, b"oops", "text/plain"), Reply(body=ARTICLE))
    [doc] = read(server.url("/flaky"), fetcher)
    assert isinstance(doc, RawDoc) and "Two people were killed" in doc.text
    assert len(server.hits_of("/flaky")) == 2


def test_persistent_5xx_gives_up_after_the_retries(server, fetcher):
    server.route("/down", Reply(503, b"down", "text/plain"))
    assert only_error(read(server.url("/down"), fetcher)) == "HTTP 503"
    assert len(server.hits_of("/down")) == 3  # the first attempt and two retries


def test_retry_after_is_honoured_up_to_a_cap(server, fetcher):
    server.route("/busy", Reply(429, b"", "text/plain", headers={"Retry-After": "1"}), Reply(body=ARTICLE))
    started = time.monotonic()
    [doc] = read(server.url("/busy"), fetcher)
    hits = server.hits_of("/busy")
    assert isinstance(doc, RawDoc) and len(hits) == 2
    assert hits[1].time - hits[0].time >= 0.9
    assert time.monotonic() - started < 3
    server.route("/later", Reply(503, b"", "text/plain", headers={"Retry-After": "3600"}))
    assert only_error(read(server.url("/later"), fetcher)) == "HTTP 503 (the server asks to retry after 3600 s)"
    assert len(server.hits_of("/later")) == 1


# ---------------------------------------------------------------------- robots and rate limit


def test_robots_txt_is_respected_and_fetched_once_per_host(server, fetcher):
    server.route("/robots.txt", Reply(body="User-agent: *\nDisallow: /private/\n", content_type="text/plain"))
    server.route("/private/story", Reply(body=ARTICLE))
    server.route("/public/story", Reply(body=ARTICLE))
    assert only_error(read(server.url("/private/story"), fetcher)) == "disallowed by robots.txt"
    [doc] = read(server.url("/public/story"), fetcher)
    assert isinstance(doc, RawDoc)
    assert server.hits_of("/private/story") == []
    assert len(server.hits_of("/robots.txt")) == 1


def test_robots_txt_naming_corroborate_applies(server, fetcher):
    server.route("/robots.txt", Reply(body="User-agent: corroborate\nDisallow: /\n\nUser-agent: *\nAllow: /\n",
                                      content_type="text/plain"))
    server.route("/story", Reply(body=ARTICLE))
    assert only_error(read(server.url("/story"), fetcher)) == "disallowed by robots.txt"


def test_requests_to_one_host_are_spaced_by_the_rate_limit(server):
    for path in ("/a", "/b", "/c"):
        server.route(path, Reply(body=ARTICLE))
    interval = 0.4
    with Fetcher(FetchLimits(host_interval=interval), guard=Guard(allow_private=True)) as fetcher:
        for path in ("/a", "/b", "/c"):
            [doc] = read(server.url(path), fetcher)
            assert isinstance(doc, RawDoc)
    times = [hit.time for hit in server.hits]
    assert [hit.path for hit in server.hits] == ["/robots.txt", "/a", "/b", "/c"]
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert min(gaps) >= interval - 0.05, gaps


def test_robots_crawl_delay_slows_requests_down(server):
    server.route("/robots.txt", Reply(body="User-agent: *\nCrawl-delay: 0.5\n", content_type="text/plain"))
    server.route("/a", Reply(body=ARTICLE))
    server.route("/b", Reply(body=ARTICLE))
    with Fetcher(FAST, guard=Guard(allow_private=True)) as fetcher:  # host_interval 0
        read(server.url("/a"), fetcher)
        read(server.url("/b"), fetcher)
    a, b = server.hits_of("/a")[0].time, server.hits_of("/b")[0].time
    assert b - a >= 0.45


# ------------------------------------------------------------------------------- the guard


def test_the_guard_refuses_loopback_without_the_environment_variable(server, monkeypatch):
    monkeypatch.delenv(ALLOW_PRIVATE_ENV, raising=False)
    server.route("/story", Reply(body=ARTICLE))
    with Fetcher(FAST) as fetcher:
        assert only_error(read(server.url("/story"), fetcher)) == "refused: 127.0.0.1 is a loopback address (set CORROBORATE_ALLOW_PRIVATE_URLS=1 to allow it)"
        message = only_error(read(f"http://localhost:{server.port}/story", fetcher))
    # a name is checked after DNS resolution, so "localhost" is refused too
    assert message.startswith("refused: localhost resolves to ") and message.endswith("a loopback address (set CORROBORATE_ALLOW_PRIVATE_URLS=1 to allow it)")
    assert server.hits == []  # nothing reached the server


def test_the_environment_variable_allows_loopback(server, monkeypatch):
    monkeypatch.setenv(ALLOW_PRIVATE_ENV, "1")
    server.route("/story", Reply(body=ARTICLE))
    with Fetcher(FAST) as fetcher:
        [doc] = read(f"http://localhost:{server.port}/story", fetcher)
    assert isinstance(doc, RawDoc) and doc.id == f"localhost:{server.port}/story"


def test_a_redirect_to_cloud_metadata_is_refused_even_with_private_urls_allowed(server, monkeypatch):
    monkeypatch.setenv(ALLOW_PRIVATE_ENV, "1")
    server.route("/go", Reply(302, headers={"Location": "http://169.254.169.254/latest/meta-data/"}))
    server.route("/go6", Reply(302, headers={"Location": "http://[::ffff:169.254.169.254]/"}))
    server.route("/goname", Reply(302, headers={"Location": "http://metadata.google.internal/computeMetadata/v1/"}))
    with Fetcher(FetchLimits(connect_timeout=5.0, retries=0, host_interval=0.0)) as fetcher:
        started = time.monotonic()
        assert only_error(read(server.url("/go"), fetcher)) == (
            "refused: 169.254.169.254 is a cloud metadata address (redirected to http://169.254.169.254/latest/meta-data/)")
        assert only_error(read(server.url("/go6"), fetcher)).startswith("refused: ::ffff:169.254.169.254 is a cloud metadata")
        assert only_error(read(server.url("/goname"), fetcher)).startswith(
            "refused: metadata.google.internal is a cloud metadata host")
        # refused before any connection: no connect attempt (which would wait for the 5 s connect timeout)
        assert time.monotonic() - started < 2.0


def test_a_redirect_to_a_private_address_is_refused(server, monkeypatch):
    monkeypatch.delenv(ALLOW_PRIVATE_ENV, raising=False)
    guard = Guard(allow=["127.0.0.1/32"])  # this test's server only; other private addresses stay refused
    server.route("/to-private", Reply(302, headers={"Location": "http://10.0.0.5/admin"}))
    server.route("/to-loopback", Reply(302, headers={"Location": f"http://127.0.0.2:{server.port}/story"}))
    with Fetcher(FAST, guard=guard) as fetcher:
        assert only_error(read(server.url("/to-private"), fetcher)) == (
            "refused: 10.0.0.5 is a private address (set CORROBORATE_ALLOW_PRIVATE_URLS=1 to allow it) (redirected to http://10.0.0.5/admin)")
        assert only_error(read(server.url("/to-loopback"), fetcher)).startswith("refused: 127.0.0.2 is a loopback address")
    assert server.hits_of("/story") == []


@pytest.mark.parametrize(("address", "reason", "reason_when_private_allowed"), [
    ("10.0.0.5", "a private address", None),
    ("172.16.3.4", "a private address", None),
    ("192.168.1.1", "a private address", None),
    ("127.0.0.1", "a loopback address", None),
    ("::1", "a loopback address", None),
    ("fc00::1", "a private address", None),
    ("100.64.1.1", "a shared (CGNAT) address", None),
    ("::ffff:10.0.0.1", "a private address", None),
    ("2002:0a00:0001::1", "a private address", None),  # 6to4 of 10.0.0.1
    ("192.0.2.10", "a private address", None),  # documentation range
    ("169.254.169.254", "a cloud metadata address", "a cloud metadata address"),
    ("fd00:ec2::254", "a cloud metadata address", "a cloud metadata address"),
    ("169.254.1.1", "a link-local address", "a link-local address"),
    ("fe80::1", "a link-local address", "a link-local address"),
    ("0.0.0.0", "an unspecified address", "an unspecified address"),
    ("::", "an unspecified address", "an unspecified address"),
    ("224.0.0.1", "a multicast address", "a multicast address"),
    ("240.0.0.1", "a reserved address", "a reserved address"),
    ("255.255.255.255", "a reserved address", "a reserved address"),
    ("93.184.215.14", None, None),
    ("2606:4700:4700::1111", None, None),
])
def test_guard_addresses(address, reason, reason_when_private_allowed):
    ip = ipaddress.ip_address(address)
    assert Guard(allow_private=False).why_refused(ip) == reason
    assert Guard(allow_private=True).why_refused(ip) == reason_when_private_allowed


@pytest.mark.parametrize(("url", "message"), [
    ("ftp://example.com/file", "refused: only http and https URLs are fetched, not ftp"),
    ("file:///etc/passwd", "refused: only http and https URLs are fetched, not file"),
    ("http://user:secret@example.com/", "refused: URLs with credentials (user:password@) are not fetched"),
    ("http://metadata.google.internal/", "refused: metadata.google.internal is a cloud metadata host"),
    ("http://169.254.169.254/latest/", "refused: 169.254.169.254 is a cloud metadata address"),
    ("http://[::1]:8080/", "refused: ::1 is a loopback address (set CORROBORATE_ALLOW_PRIVATE_URLS=1 to allow it)"),
])
def test_guard_urls(url, message, fetcher):
    with Fetcher(FAST, guard=Guard(allow_private=False)) as strict:
        assert only_error(read(url, strict)) == message


# --------------------------------------------------------------------- feeds and sitemaps by URL


RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel><title>Local News</title><link>{base}/</link><description>News</description>
<item><title>Fire downtown</title><link>{base}/news/fire</link><pubDate>Tue, 07 May 2024 09:15:00 GMT</pubDate>
<description>Short summary.</description>
<content:encoded><![CDATA[<p>A fire destroyed a warehouse downtown on Tuesday.</p><p>No one was hurt.</p>]]></content:encoded></item>
</channel></rss>"""


def test_a_feed_url_gives_one_report_per_item(server, fetcher):
    server.route("/feed", Reply(body=RSS.format(base=server.url("")), content_type="application/rss+xml"))
    [doc] = read(server.url("/feed"), fetcher)
    assert doc.id == f"127.0.0.1:{server.port}/news/fire"
    assert doc.text == "A fire destroyed a warehouse downtown on Tuesday.\nNo one was hurt."
    assert doc.source == "Local News" and doc.origin == server.url("/feed")


def test_a_feed_served_as_text_html_is_still_read_as_a_feed(server, fetcher):
    server.route("/feed", Reply(body=RSS.format(base=server.url("")), content_type="text/html"))
    [doc] = read(server.url("/feed"), fetcher)
    assert doc.title == "Fire downtown"


def test_a_sitemap_index_leads_to_urlsets_and_their_pages(server, fetcher):
    index = f"""<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <sitemap><loc>{server.url("/sitemap-news.xml")}</loc></sitemap>
  <sitemap><loc>{server.url("/sitemap-old.xml.gz")}</loc></sitemap>
</sitemapindex>"""
    news = f"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <url><loc>{server.url("/news/one")}</loc><lastmod>2024-05-01</lastmod></url>
  <url><loc>{server.url("/news/two/")}</loc></url>
</urlset>"""
    old = f"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>{server.url("/news/gone")}</loc></url></urlset>"""
    server.route("/sitemap.xml", Reply(body=index, content_type="application/xml"))
    server.route("/sitemap-news.xml", Reply(body=news, content_type="application/xml"))
    server.route("/sitemap-old.xml.gz", Reply(body=gzip.compress(old.encode()), content_type="application/x-gzip"))
    server.route("/news/one", Reply(body=ARTICLE))
    server.route("/news/two/", Reply(body=ARTICLE.replace("Two killed", "Three hurt")))
    results = read(server.url("/sitemap.xml"), fetcher)
    docs = [r for r in results if isinstance(r, RawDoc)]
    errors = [r for r in results if isinstance(r, InputError)]
    assert [d.id for d in docs] == [f"127.0.0.1:{server.port}/news/one", f"127.0.0.1:{server.port}/news/two"]
    assert docs[1].title == "Three hurt in Main Street shooting"
    assert [(e.input, e.message) for e in errors] == [(server.url("/news/gone"), "HTTP 404")]


# ------------------------------------------------------------------------------- ids and lists


@pytest.mark.parametrize(("url", "expected"), [
    ("https://www.example.com/news/story-1/", "www.example.com/news/story-1"),
    ("http://www.example.com/news/story-1", "www.example.com/news/story-1"),
    ("https://WWW.Example.com", "www.example.com"),
    ("https://example.com:8443/a?id=5#comments", "example.com:8443/a?id=5"),
    ("http://example.com:80/a", "example.com/a"),
    ("http://[2001:db8::1]:8080/x", "[2001:db8::1]:8080/x"),
])
def test_url_ids(url, expected):
    assert url_id(url) == expected


def test_read_url_list(tmp_path):
    listing = tmp_path / "urls.txt"
    listing.write_text("# morning crawl\n\nhttps://a.example/one\n  https://b.example/two  \n"
                       "https://a.example/one\n# done\n", encoding="utf-8")
    assert read_url_list(listing) == ["https://a.example/one", "https://b.example/two"]
    listing.write_text("https://a.example/one\nwww.example.com/no-scheme\n", encoding="utf-8")
    with pytest.raises(UrlListError, match=r"urls\.txt:2: not an http\(s\) URL: 'www\.example\.com/no-scheme'"):
        read_url_list(listing)
    listing.write_text("https://a.example/one\nhttp://[::1/broken\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"urls\.txt:2: not an http\(s\) URL"):
        read_url_list(listing)
    with pytest.raises(OSError):
        read_url_list(tmp_path / "missing.txt")
