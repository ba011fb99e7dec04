"""Feeds and URL fetching: feed items read per second, pages fetched per second from a local
server (rate limit off), and whether the fetch limits hold (timeout, size limit, retry, rate limit).

Everything runs against a real HTTP server on 127.0.0.1 (the tests' ``tests/sources/httpserver.py``);
nothing leaves the machine. Run alone: ``.venv/bin/python bench/fetch.py``.
"""

from __future__ import annotations

import itertools
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "sources"))
from httpserver import LocalServer, Reply

PARAGRAPHS = [
    "Two people were killed and three injured in a shooting on Main Street on Tuesday night, police said.",
    "Officers arrived within minutes and found the victims near the corner of Main Street and Fifth Avenue.",
    "A suspect was arrested at the scene, according to a police spokesperson who spoke to reporters.",
    "The road was closed for several hours while investigators collected evidence, the spokesperson added.",
]


def rss(n_items: int = 100) -> bytes:
    items = []
    for i in range(n_items):
        body = "".join(f"<p>{p} (item {i})</p>" for p in PARAGRAPHS)
        items.append(
            f"<item><title>Story {i}</title><link>https://news.example/story/{i}</link>"
            f"<guid>https://news.example/story/{i}</guid><pubDate>Tue, 07 May 2024 21:{i % 60:02d}:00 GMT</pubDate>"
            f"<dc:creator>Reporter {i % 7}</dc:creator><description>Summary {i}.</description>"
            f"<content:encoded><![CDATA[{body}]]></content:encoded></item>")
    return ('<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" '
            'xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/">'
            f'<channel><title>Bench News</title><link>https://news.example/</link><description>x</description>'
            f'{"".join(items)}</channel></rss>').encode()


def page(i: int) -> str:
    body = "".join(f"<p>{p} (page {i})</p>" for p in PARAGRAPHS)
    return (f"<!DOCTYPE html><html><head><title>Story {i}</title></head><body><nav><a href='/'>Home</a></nav>"
            f"<article><h1>Story {i}</h1>{body}</article></body></html>")


def feeds_rate(seconds: float = 2.0) -> tuple[int, float]:
    """Items read per second from a 100-item RSS feed (content:encoded), best over ``seconds``."""
    from corroborate.sources.feeds import read_xml
    from corroborate.sources.readers import RawDoc, ReadOptions

    data = rss(100)
    best = float("inf")
    started = time.perf_counter()
    items = 0
    while time.perf_counter() - started < seconds:
        t0 = time.perf_counter()
        items = sum(isinstance(d, RawDoc) for d in read_xml(data, origin="bench.rss", doc_id="bench", options=ReadOptions()))
        best = min(best, time.perf_counter() - t0)
    return items, best


def pages_rate(server: LocalServer, n: int = 200) -> tuple[float, float, int]:
    """Seconds to fetch ``n`` pages (bytes only), seconds to fetch and extract them, and errors."""
    from corroborate.sources.readers import RawDoc, ReadOptions
    from corroborate.sources.web import Fetcher, FetchLimits, Guard, read_url

    for i in range(n):
        server.route(f"/story/{i}", Reply(body=page(i)))
    limits = FetchLimits(host_interval=0.0)
    with Fetcher(limits, guard=Guard(allow_private=True)) as fetcher:
        fetcher.fetch(server.url("/story/0"))  # robots.txt fetched and cached, connection warm
        t0 = time.perf_counter()
        for i in range(n):
            fetcher.fetch(server.url(f"/story/{i}"))
        raw = time.perf_counter() - t0
        t0 = time.perf_counter()
        results = [r for i in range(n) for r in read_url(server.url(f"/story/{i}"), ReadOptions(), fetcher=fetcher)]
        full = time.perf_counter() - t0
    return raw, full, sum(not isinstance(r, RawDoc) for r in results)


def behaviour(server: LocalServer) -> list[tuple[str, str, float]]:
    """(check, outcome, seconds) for a slow server, a huge body, a 500 then 200, and the rate limit."""
    from corroborate.sources.web import Fetcher, FetchError, FetchLimits, Guard

    server.route("/slow", Reply(body=page(0), delay=3.0))
    server.route("/huge", Reply(stream=50 * 1024 * 1024, content_type="text/plain"))
    server.route("/flaky", Reply(500, b"oops", "text/plain"), Reply(body=page(1)))
    for path in ("/r1", "/r2", "/r3"):
        server.route(path, Reply(body=page(2)))
    rows = []

    def attempt(label: str, limits: FetchLimits, path: str, expect: str) -> None:
        with Fetcher(limits, guard=Guard(allow_private=True)) as fetcher:
            t0 = time.perf_counter()
            try:
                fetcher.fetch(server.url(path))
                outcome = "fetched"
            except FetchError as exc:
                outcome = str(exc)
            rows.append((label, f"{outcome} ({'ok' if outcome == expect else 'UNEXPECTED'})", time.perf_counter() - t0))

    attempt("server silent for 3 s, read timeout 0.5 s", FetchLimits(read_timeout=0.5, retries=0, host_interval=0.0),
            "/slow", "timed out after 0.5 s")
    attempt("50 MiB body, limit 10 MiB", FetchLimits(host_interval=0.0), "/huge", "response larger than 10 MiB")
    attempt("HTTP 500 then 200, 2 retries", FetchLimits(backoff=0.1, host_interval=0.0), "/flaky", "fetched")
    with Fetcher(FetchLimits(host_interval=0.25), guard=Guard(allow_private=True)) as fetcher:
        t0 = time.perf_counter()
        for path in ("/r1", "/r2", "/r3"):
            fetcher.fetch(server.url(path))
        elapsed = time.perf_counter() - t0
    times = [hit.time for hit in server.hits if hit.path in {"/r1", "/r2", "/r3"}]
    gap = min(b - a for a, b in itertools.pairwise(times))
    rows.append(("3 pages of one host, interval 0.25 s", f"smallest gap {gap:.3f} s ({'ok' if gap >= 0.245 else 'UNEXPECTED'})",
                 elapsed))
    return rows


def table() -> list[str]:
    items, best = feeds_rate()
    lines = ["| feeds and fetching | n | seconds | per second |", "|---|---:|---:|---:|",
             f"| RSS feed, 100 items with content:encoded (read_xml) | {items} items | {best:.3f} | {items / best:,.0f} items |"]
    with LocalServer() as server:
        n = 200
        raw, full, errors = pages_rate(server, n)
        lines.append(f"| pages fetched from 127.0.0.1, rate limit off (bytes only) | {n} | {raw:.2f} | {n / raw:,.0f} |")
        lines.append(f"| pages fetched and extracted (read_url: fetch + trafilatura) | {n} | {full:.2f} | {n / full:,.0f} |"
                     + (f" ({errors} errors)" if errors else ""))
        checks = behaviour(server)
    lines += ["", "| fetch limit | outcome | seconds |", "|---|---|---:|"]
    lines += [f"| {label} | {outcome} | {seconds:.2f} |" for label, outcome, seconds in checks]
    return lines


if __name__ == "__main__":
    print("\n".join(table()))
