"""Polling feeds into a store: ``corroborate watch FEED... --db URL --every 10m``.

One :func:`cycle` polls every feed or sitemap URL that is due:

1. The feed is fetched with the validators of its last 200 answer (``If-None-Match`` from its
   ``ETag``, ``If-Modified-Since`` from its ``Last-Modified``), kept per feed in the store's
   ``watch_state`` table (:meth:`~corroborate.stores.sql.SqlStore.watch_state`). A ``304 Not
   Modified`` is "nothing new": the feed is not read and nothing runs.
2. A changed feed is read once (its items, or a sitemap's pages) and compared with the store by
   id and content hash (:func:`corroborate.stores.run.classify`). When every item is stored
   already, nothing runs; otherwise the changed feeds go into one run into the store
   (:func:`~corroborate.stores.run.run_into_store`), which analyzes only the new reports and new
   versions and stores everything in one transaction.
3. Only once that run is stored are the feeds' new validators saved: a cycle interrupted before
   leaves the store as it was, and the next poll fetches the same items again.

A feed that fails (a network error, an HTTP error, a refusal by the address guard or
robots.txt, a feed with no readable item) counts one failure more and is not polled again before
``BACKOFF_BASE * 2 ** (failures - 1)`` seconds (at most ``MAX_BACKOFF``); the other feeds go on.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

from corroborate.records import InputError
from corroborate.sources.readers import Prefetched, RawDoc, ReadOptions
from corroborate.sources.web import (
    Fetcher,
    FetchError,
    FetchLimits,
    read_response,
    url_id,
)
from corroborate.stores.run import StoreRun, classify, run_into_store
from corroborate.stores.sql import SqlStore, WatchState

#: the delay before a failed feed is polled again, doubling with each failure in a row ...
BACKOFF_BASE = 30.0
#: ... up to this (seconds)
MAX_BACKOFF = 3600.0
#: the default ``--every``
DEFAULT_EVERY = "10m"
#: a watch's own fetches are not retried at once: a failed feed waits for its backoff instead
WATCH_LIMITS = FetchLimits(retries=0)

_EVERY = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smh]?)\s*$", re.IGNORECASE)
_UNITS = {"": 1, "s": 1, "m": 60, "h": 3600}


def parse_every(text: str) -> float:
    """``30s``, ``10m``, ``1h`` (or a bare number of seconds) as seconds; ValueError otherwise."""
    match = _EVERY.match(text or "")
    if not match or float(match.group(1)) <= 0:
        raise ValueError(f"not a period: {text!r} (say 30s, 10m or 1h)")
    return float(match.group(1)) * _UNITS[match.group(2).lower()]


def backoff(failures: int) -> float:
    """Seconds before a feed that failed ``failures`` times in a row is polled again."""
    return min(BACKOFF_BASE * 2 ** max(failures - 1, 0), MAX_BACKOFF)


@dataclass
class Cycle:
    """What one cycle did: feeds polled, answered 304, failed (URL and message), waiting for their
    backoff, and what was stored (None when nothing ran)."""

    polled: int = 0
    not_modified: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)
    waiting: int = 0
    stored: StoreRun | None = None
    unchanged: int = 0  # items of changed feeds already stored (when nothing ran)

    @property
    def added(self) -> int:
        return len(self.stored.added) if self.stored else 0

    @property
    def versioned(self) -> int:
        return len(self.stored.versioned) if self.stored else 0

    @property
    def kept(self) -> int:
        return len(self.stored.unchanged) if self.stored else self.unchanged

    def summary(self) -> str:
        waiting = f", {self.waiting} waiting (backoff)" if self.waiting else ""
        return (f"{self.polled} feeds polled, {self.not_modified} not modified, {len(self.failed)} failed{waiting}; "
                f"{self.added} added, {self.versioned} new versions, {self.kept} unchanged")


def _now() -> datetime:
    return datetime.now(UTC)


def _fail(store: SqlStore, state: WatchState, message: str, now: datetime) -> WatchState:
    failures = state.failures + 1
    failed = replace(state, last_polled=now, failures=failures, last_error=message,
                     next_poll=now + timedelta(seconds=backoff(failures)))
    store.save_watch_state(failed)
    return failed


@dataclass
class Polled:
    """A feed that changed: its documents (read once), and the validators of its answer."""

    feed: Prefetched
    etag: str | None
    last_modified: str | None


def poll(url: str, state: WatchState, fetcher: Fetcher, options: ReadOptions) -> Polled | None:
    """Fetch the feed ``url`` conditionally: None when it is not modified (304), else its
    documents, read once, and its new validators. Raises :class:`FetchError` when it fails or has no readable item."""
    headers = {}
    if state.etag:
        headers["If-None-Match"] = state.etag
    if state.last_modified:
        headers["If-Modified-Since"] = state.last_modified
    response = fetcher.fetch(url, headers=headers or None)
    if response.status == 304:
        return None
    docs = list(read_response(response, url, url_id(url), options, fetcher=fetcher))
    if docs and not any(isinstance(doc, RawDoc) for doc in docs):
        first = docs[0]
        raise FetchError(first.message if isinstance(first, InputError) else "nothing readable")
    return Polled(Prefetched(url, docs), response.headers.get("etag"), response.headers.get("last-modified"))


def cycle(store: SqlStore, feeds: list[str], *, fetcher: Fetcher, options: ReadOptions | None = None,
          on_failure: Callable[[str, str, WatchState], None] | None = None, now: datetime | None = None,
          **run_options) -> Cycle:
    """Poll every feed that is due, and run what changed into ``store`` (see the module's
    description). ``on_failure(url, message, state)`` is told of each failed feed as it fails;
    ``run_options`` go to :func:`~corroborate.stores.run.run_into_store` (``on_report``, ``on_error``, ...)."""
    options = options or ReadOptions()
    now = now or _now()
    done = Cycle()
    changed: list[tuple[Prefetched, WatchState]] = []
    for url in feeds:
        state = store.watch_state(url) or WatchState(url=url)
        if state.next_poll is not None and state.next_poll > now:
            done.waiting += 1
            continue
        done.polled += 1
        try:
            polled = poll(url, state, fetcher, options)
        except FetchError as exc:
            failed = _fail(store, state, str(exc), _now())
            done.failed.append((url, str(exc)))
            if on_failure:
                on_failure(url, str(exc), failed)
            continue
        if polled is None:
            done.not_modified += 1
            store.save_watch_state(replace(state, last_polled=_now(), failures=0, last_error=None, next_poll=None))
            continue
        changed.append((polled.feed, replace(state, etag=polled.etag, last_modified=polled.last_modified,
                                             last_polled=_now(), failures=0, last_error=None, next_poll=None)))
    if changed:
        inputs = [feed for feed, _ in changed]
        added, versioned, unchanged = classify(inputs, store, options)
        if added or versioned:
            with tempfile.TemporaryDirectory(prefix="corroborate-watch-") as tmp:
                done.stored = run_into_store(inputs, store, tmp, options=options, **run_options)
                for kept in (done.stored.result.reports, done.stored.result.incidents):
                    getattr(kept, "close", lambda: None)()
        else:
            done.unchanged = len(unchanged)
        for _, state in changed:  # only now: a run interrupted before leaves the old validators
            store.save_watch_state(state)
    return done


def watch_fetcher() -> Fetcher:
    """The fetcher of a watch: the run's limits, without immediate retries."""
    return Fetcher(WATCH_LIMITS)
