"""``corroborate watch``: feeds served by a real HTTP server on 127.0.0.1, polled into a real store
(SQLite and PostgreSQL, the ``url`` fixture of conftest.py)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "sources"))
from httpserver import Hit, LocalServer, Reply

from corroborate.sources.web import ALLOW_PRIVATE_ENV, Fetcher, FetchLimits, Guard
from corroborate.stores import open_store
from corroborate.stores.watch import BACKOFF_BASE, cycle, parse_every

CLI = str(Path(sys.executable).with_name("corroborate"))
#: as tests/sources/conftest.py's fetcher (a guard allowing this machine's test server), without retries
FAST = FetchLimits(connect_timeout=2.0, read_timeout=2.0, total_timeout=10.0, retries=0, host_interval=0.0)

STORIES = [
    ("fire", "Warehouse fire in Riverside injures four",
     "Four firefighters were injured on Monday when a warehouse caught fire in Riverside, the fire department said."),
    ("flood", "Flash flood closes Route 9",
     "A flash flood closed Route 9 near Millbrook on Tuesday and two drivers were rescued from their cars, police said."),
    ("crash", "Bus crash on Elm Street kills one",
     "One person was killed and six were hurt when a city bus hit a truck on Elm Street on Wednesday, officials said."),
    ("storm", "Storm cuts power to 10,000 homes",
     "A storm cut power to about 10,000 homes in Oakdale on Thursday night, the utility said, and crews worked overnight."),
]


def rss(server: LocalServer, stories) -> str:
    items = "".join(
        f"<item><title>{title}</title><link>{server.url('/news/' + slug)}</link>"
        f"<pubDate>Mon, 06 May 2024 10:00:00 +0000</pubDate><description>{text}</description></item>"
        for slug, title, text in stories)
    return (f"<?xml version='1.0'?><rss version='2.0'><channel><title>Valley News</title>"
            f"<link>{server.url('/')}</link>{items}</channel></rss>")


class FeedServer(LocalServer):
    """LocalServer answering ``304 Not Modified`` to a request whose If-None-Match is the path's ETag."""

    def __init__(self) -> None:
        super().__init__()
        self.etags: dict[str, str] = {}

    def publish(self, path: str, body: str, etag: str) -> None:
        self.etags[path] = etag
        self.route(path, Reply(body=body, content_type="application/rss+xml", headers={"ETag": etag}))

    def _serve(self, handler: BaseHTTPRequestHandler) -> None:
        etag = self.etags.get(handler.path)
        if etag is not None and handler.headers.get("If-None-Match") == etag:
            with self._lock:
                self.hits.append(Hit(handler.path, time.monotonic(), dict(handler.headers)))
            handler.send_response(304)
            handler.send_header("ETag", etag)
            handler.end_headers()
            return
        super()._serve(handler)


@pytest.fixture
def server():
    with FeedServer() as srv:
        yield srv


@pytest.fixture
def fetcher():
    with Fetcher(FAST, guard=Guard(allow_private=True)) as f:
        yield f


def test_every_accepts_seconds_minutes_and_hours():
    assert [parse_every(s) for s in ("30s", "10m", "1h", "45")] == [30, 600, 3600, 45]
    for bad in ("", "10 minutes", "-1s", "0m", "1d"):
        with pytest.raises(ValueError):
            parse_every(bad)


def test_a_feed_is_stored_then_not_modified_then_only_its_new_item_is_added(url, server, fetcher):
    server.publish("/feed.xml", rss(server, STORIES[:3]), '"v1"')
    feed = server.url("/feed.xml")
    ids = [f"127.0.0.1:{server.port}/news/{slug}" for slug, _, _ in STORIES]
    with open_store(url) as store:
        first = cycle(store, [feed], fetcher=fetcher)
        assert (first.polled, first.not_modified, first.failed) == (1, 0, [])
        assert sorted(first.stored.added) == sorted(ids[:3]) and first.summary().endswith("3 added, 0 new versions, 0 unchanged")
        assert store.count_reports() == 3 and store.run(1).status == "done"
        state = store.watch_state(feed)
        assert (state.etag, state.failures, state.next_poll) == ('"v1"', 0, None) and state.last_polled is not None

        second = cycle(store, [feed], fetcher=fetcher)
        assert server.hits_of("/feed.xml")[-1].headers["If-None-Match"] == '"v1"'
        assert (second.polled, second.not_modified, second.stored) == (1, 1, None)
        assert second.summary() == "1 feeds polled, 1 not modified, 0 failed; 0 added, 0 new versions, 0 unchanged"
        assert store.count_reports() == 3 and store.run(2) is None  # nothing ran

        server.publish("/feed.xml", rss(server, STORIES), '"v2"')
        third = cycle(store, [feed], fetcher=fetcher)
        assert server.hits_of("/feed.xml")[-1].headers["If-None-Match"] == '"v1"'
        assert (third.stored.added, third.stored.versioned, sorted(third.stored.unchanged)) == ([ids[3]], [], sorted(ids[:3]))
        assert store.count_reports() == 4 and store.watch_state(feed).etag == '"v2"'
        assert all(store.versions(i) == [1] for i in ids)
        assert {r for i in store.incidents() for r in i.reports} == set(ids)


def test_a_failing_feed_is_one_line_backs_off_and_does_not_stop_the_other(url, server, fetcher):
    server.publish("/feed.xml", rss(server, STORIES[:2]), '"v1"')
    server.route("/broken.xml", Reply(500, "oops", "text/plain"))
    good, bad = server.url("/feed.xml"), server.url("/broken.xml")
    told = []
    with open_store(url) as store:
        done = cycle(store, [bad, good], fetcher=fetcher, on_failure=lambda u, m, s: told.append((u, m, s.failures)))
        assert told == [(bad, "HTTP 500", 1)] and done.failed == [(bad, "HTTP 500")]
        assert len(done.stored.added) == 2 and store.count_reports() == 2
        state = store.watch_state(bad)
        assert (state.failures, state.last_error, state.etag) == (1, "HTTP 500", None)
        assert state.next_poll - state.last_polled == timedelta(seconds=BACKOFF_BASE)

        waiting = cycle(store, [bad, good], fetcher=fetcher)  # the broken feed is not due yet
        assert (waiting.polled, waiting.waiting, waiting.not_modified, waiting.failed) == (1, 1, 1, [])
        assert len(server.hits_of("/broken.xml")) == 1

        later = cycle(store, [bad, good], fetcher=fetcher, now=state.next_poll + timedelta(seconds=1))
        assert later.failed == [(bad, "HTTP 500")] and len(server.hits_of("/broken.xml")) == 2
        again = store.watch_state(bad)
        assert again.failures == 2 and again.next_poll - again.last_polled == timedelta(seconds=2 * BACKOFF_BASE)

        server.route("/broken.xml", Reply(body=rss(server, STORIES[2:3]), content_type="application/rss+xml"))
        healed = cycle(store, [bad], fetcher=fetcher, now=again.next_poll + timedelta(seconds=1))
        assert healed.failed == [] and len(healed.stored.added) == 1
        assert store.watch_state(bad).failures == 0 and store.watch_state(bad).next_poll is None


def _env() -> dict[str, str]:
    return {**os.environ, ALLOW_PRIVATE_ENV: "1"}  # as tests/sources/test_web.py: this machine's test server


def test_watch_once_reports_a_refused_or_failed_feed_in_one_line(url, server):
    server.route("/broken.xml", Reply(503, "down", "text/plain"))
    proc = subprocess.run([CLI, "watch", server.url("/broken.xml"), "--db", url, "--once"], capture_output=True,
                          text=True, timeout=120, env=_env(), check=False)
    lines = proc.stderr.strip().splitlines()
    assert proc.returncode == 1, proc.stderr
    assert lines == [f"error: {server.url('/broken.xml')}: HTTP 503 (failed 1 time in a row; next poll in 30 s)",
                     "cycle 1: 1 feeds polled, 0 not modified, 1 failed; 0 added, 0 new versions, 0 unchanged"]
    refused = subprocess.run([CLI, "watch", server.url("/feed.xml"), "--db", url, "--once"], capture_output=True,
                             text=True, timeout=120, env={k: v for k, v in os.environ.items() if k != ALLOW_PRIVATE_ENV},
                             check=False)
    assert refused.returncode == 1 and "error: " in refused.stderr and "refused: 127.0.0.1 is a loopback address" in refused.stderr


def test_sigterm_stops_a_running_watch_cleanly(url, server):
    server.publish("/feed.xml", rss(server, STORIES[:3]), '"v1"')
    proc = subprocess.Popen([CLI, "watch", server.url("/feed.xml"), "--db", url, "--every", "1s"],
                            stderr=subprocess.PIPE, text=True, env=_env())
    seen: list[str] = []
    deadline = time.monotonic() + 90
    try:
        while time.monotonic() < deadline:
            line = proc.stderr.readline()
            if not line:
                break
            seen.append(line.rstrip("\n"))
            if line.startswith("cycle 2:"):
                break
        proc.send_signal(signal.SIGTERM)
        rest = proc.communicate(timeout=60)[1]
    finally:
        if proc.poll() is None:
            proc.kill()
    assert seen[:2] == ["cycle 1: 1 feeds polled, 0 not modified, 0 failed; 3 added, 0 new versions, 0 unchanged",
                        "cycle 2: 1 feeds polled, 1 not modified, 0 failed; 0 added, 0 new versions, 0 unchanged"], seen
    assert proc.returncode == 0, rest
    assert rest.startswith(("terminated after 2 cycles", "terminated after 3 cycles")), rest
    with open_store(url) as store:
        assert store.count_reports() == 3 and store.stale_runs() == [] and store.run(1).status == "done"
        assert store.watch_state(server.url("/feed.xml")).etag == '"v1"'


def test_watch_fetch_links_stores_the_items_pages(url, server):
    """``--fetch-links``: each item's page is fetched and read (trafilatura), not the feed's short text."""
    server.publish("/feed.xml", rss(server, STORIES[:2]), '"v1"')
    for slug, title, text in STORIES[:2]:
        page = (f"<html><head><title>{title}</title></head><body><article><h1>{title}</h1><p>{text}</p>"
                f"<p>The page has more than the feed: a second paragraph about the {slug}, with what witnesses said "
                f"and what officials plan to do next week.</p></article></body></html>")
        server.route(f"/news/{slug}", Reply(body=page, content_type="text/html"))
    proc = subprocess.run([CLI, "watch", server.url("/feed.xml"), "--db", url, "--once", "--fetch-links"],
                          capture_output=True, text=True, timeout=300, env=_env(), check=False)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.strip().splitlines()[-1] == ("cycle 1: 1 feeds polled, 0 not modified, 0 failed; 2 added, "
                                                     "0 new versions, 0 unchanged")
    assert [h.path for h in server.hits if h.path.startswith("/news/")] == ["/news/fire", "/news/flood"]
    with open_store(url) as store:
        texts = {r.id.rsplit("/", 1)[-1]: r.text for r in store.reports()}
    assert sorted(texts) == ["fire", "flood"]
    assert all("The page has more than the feed" in text for text in texts.values()), texts
