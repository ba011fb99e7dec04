"""Fixtures of the web tests: a real HTTP server on 127.0.0.1, and a fetcher with short limits."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from httpserver import LocalServer

from corroborate.sources.web import Fetcher, FetchLimits, Guard

#: short timeouts and backoff, no per-host interval: the tests' limits (the defaults are in web.py)
FAST = FetchLimits(connect_timeout=2.0, read_timeout=2.0, total_timeout=10.0, retries=2, backoff=0.05, host_interval=0.0)


@pytest.fixture
def server():
    with LocalServer() as srv:
        yield srv


@pytest.fixture
def fetcher():
    """A fetcher allowed to reach this machine's test server."""
    with Fetcher(FAST, guard=Guard(allow_private=True)) as f:
        yield f
