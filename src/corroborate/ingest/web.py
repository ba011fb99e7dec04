"""Reports from the web: URLs, sitemaps and feed links, fetched with httpx behind an SSRF guard."""

from __future__ import annotations

from collections.abc import Iterator

from corroborate.ingest.readers import RawDoc, ReadOptions
from corroborate.records import InputError


def read_url(url: str, options: ReadOptions) -> Iterator[RawDoc | InputError]:
    """The report(s) at ``url``: a page, or each page a feed or sitemap there lists."""
    yield InputError(input=url, message="fetching URLs is not supported yet")
