"""Feeds (RSS 0.9x/1.0/2.0, Atom) and sitemaps (``<urlset>``, ``<sitemapindex>``).

A feed gives one report per item; a sitemap gives the pages it lists, fetched. XML is hostile
input: feeds are parsed by feedparser (expat, external entities off; expat >= 2.4 stops entity
expansion attacks), sitemaps by lxml with entities left unresolved, no DTD and no network.

Ids (stable across runs, and the same whether a page comes from a feed, a sitemap or its URL):

- an item with a link, or a sitemap page: :func:`~corroborate.sources.web.url_id` of its URL
  (``www.example.com/news/story-1``);
- an item without a link: ``<feed id>/<guid>`` when it has a guid (``news/tag:example.com,2024:7``),
  else ``<feed id>/<n>``, its position in the feed (1 for the first item);
- an id given twice in one feed or sitemap gets ``~2``, ``~3``... (``www.example.com/a~2``).

The feed id is the file's id for a local ``.rss``/``.atom``/``.xml`` file, and the URL's id for a
fetched feed.
"""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import cast
from urllib.parse import urljoin

from corroborate.records import InputError
from corroborate.sources.readers import (
    MAX_TEXT_CHARS,
    BadInput,
    RawDoc,
    ReadOptions,
    domain_of,
    is_url,
    normalize_date,
)

#: A sitemap index is followed this many levels deep (an index listing indexes listing urlsets is 2).
MAX_SITEMAP_DEPTH = 3
#: At most this many page URLs are read from one sitemap (with its nested sitemaps).
MAX_SITEMAP_URLS = 10_000
#: At most this many sitemap files are fetched for one sitemap index.
MAX_SITEMAPS = 100
#: Decompressed size limit of a gzipped feed or sitemap.
MAX_XML_BYTES = 10 * 1024 * 1024

_FEED_ROOTS = {"rss", "feed", "rdf"}
_SITEMAP_ROOTS = {"urlset", "sitemapindex"}
_PROLOG = re.compile(
    rb"""\A(?:\s+|<\?.*?\?>|<!--.*?-->|<!DOCTYPE(?:[^\[>]|\[.*?\])*>)*<([A-Za-z_][\w.\-]*(?::[\w.\-]+)?)""",
    re.DOTALL,
)


def root_name(data: bytes) -> str | None:
    """The local name of the document's first element, lowercase (``rss``, ``feed``, ``rdf``,
    ``urlset``, ``sitemapindex``, ``html``), or None if it does not start like markup."""
    head = data[:8192]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            head = head.decode("utf-16", "ignore").encode("utf-8")
        except UnicodeError:
            return None
    head = head.removeprefix(b"\xef\xbb\xbf")
    match = _PROLOG.match(head)
    if not match:
        return None
    return match.group(1).decode("ascii", "replace").rsplit(":", 1)[-1].lower()


def _declares_entities(data: bytes) -> bool:
    """Whether the document's prolog declares entities: as defusedxml does, such XML is refused."""
    head = data[:65536]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        head = head.decode("utf-16", "ignore").encode("utf-8")
    match = _PROLOG.match(head.removeprefix(b"\xef\xbb\xbf"))
    prolog = head[: match.start(1)] if match else head
    return b"<!entity" in prolog.lower()


def read_xml(data: bytes, *, origin: str, doc_id: str, options: ReadOptions, fetcher=None,
             base_url: str | None = None) -> Iterator[RawDoc | InputError]:
    """The reports of a feed (one per item) or of a sitemap (each page it lists, fetched).

    ``origin`` names the input in errors; ``doc_id`` is the feed's id (see the module docstring for
    the ids of items); ``fetcher`` (a :class:`~corroborate.sources.web.Fetcher`, the run's shared one
    if None) fetches sitemap pages and, with ``options.fetch_links``, item pages; ``base_url``
    resolves relative links (default: ``origin`` if it is a URL)."""
    base_url = base_url or (origin if is_url(origin) else None)
    if data[:2] == b"\x1f\x8b":
        from corroborate.sources.web import gunzip

        try:
            data = gunzip(data, MAX_XML_BYTES)
        except BadInput as exc:
            yield InputError(input=origin, message=str(exc))
            return
    if not data.strip():
        yield InputError(input=origin, message="empty file")
        return
    if _declares_entities(data):
        yield InputError(input=origin, message="refused: the XML declares entities (<!ENTITY>), which feeds and "
                                               "sitemaps never need (a possible entity-expansion or XXE attack)")
        return
    root = root_name(data)
    if root in _SITEMAP_ROOTS:
        yield from _read_sitemap(data, origin=origin, options=options, fetcher=fetcher, base_url=base_url)
    else:
        yield from _read_feed(data, origin=origin, doc_id=doc_id, options=options, fetcher=fetcher,
                              base_url=base_url, root=root)


# ---------------------------------------------------------------------------------------- feeds


class _Ids:
    """Hands out ids, suffixing ``~2``, ``~3``... to one already given."""

    def __init__(self) -> None:
        self.seen: dict[str, int] = {}

    def take(self, wanted: str) -> str:
        wanted = "".join(ch for ch in wanted if unicodedata.category(ch) not in {"Cc", "Zl", "Zp"})  # ids are printable
        count = self.seen.get(wanted, 0) + 1
        self.seen[wanted] = count
        if count == 1:
            return wanted
        candidate = f"{wanted}~{count}"
        while candidate in self.seen:
            count += 1
            candidate = f"{wanted}~{count}"
        self.seen[candidate] = 1
        return candidate


def _item_id(entry, n: int, doc_id: str) -> str:
    from corroborate.sources.web import url_id

    link = (entry.get("link") or "").strip()
    if is_url(link):
        return url_id(link)
    guid = " ".join((entry.get("id") or "").split())
    if is_url(guid):
        return url_id(guid)
    return f"{doc_id}/{guid or n}"


def _read_feed(data: bytes, *, origin: str, doc_id: str, options: ReadOptions, fetcher, base_url: str | None,
               root: str | None) -> Iterator[RawDoc | InputError]:
    import feedparser

    headers = {"content-location": base_url} if base_url else {}
    # a file object, never a string: feedparser fetches a string that looks like a URL
    parsed = feedparser.parse(io.BytesIO(data), response_headers=headers, sanitize_html=True,
                              resolve_relative_uris=bool(base_url))
    entries = parsed.get("entries") or []
    if not entries:
        if parsed.get("bozo") and root in _FEED_ROOTS | {None}:
            reason = " ".join(str(parsed.get("bozo_exception") or "not well-formed").split())[:120]
            message = f"malformed feed XML ({reason})"
        elif parsed.get("version"):
            message = "the feed has no items"
        else:
            message = f"not a feed or a sitemap (the root element is <{root or '?'}>; expected RSS, Atom or a sitemap)"
        yield InputError(input=origin, message=message)
        return
    feed = parsed.get("feed") or {}
    feed_title = " ".join((feed.get("title") or "").split()) or None
    encoding = parsed.get("encoding") or None
    ids = _Ids()
    for n, entry in enumerate(entries, start=1):
        where = f"{origin} item {n}"
        link = (entry.get("link") or "").strip() or None
        if link and not is_url(link):
            link = urljoin(base_url, link) if base_url else None
        title = " ".join((entry.get("title") or "").split()) or None
        item = RawDoc(
            id=ids.take(_item_id(entry, n, doc_id)),
            origin=origin,
            text="",
            title=title,
            published=_entry_date(entry),
            url=link,
            source=feed_title or domain_of(link),
            byline=" ".join((entry.get("author") or "").split()) or None,
            encoding=encoding,
        )
        try:
            item.text = _entry_text(entry, options.max_text_chars)
        except BadInput as exc:
            yield InputError(input=where, message=str(exc))
            continue
        if options.fetch_links and link:
            yield _with_page(item, link, options, fetcher, where)
        elif not item.text.strip():
            named = f" ({title[:60]!r})" if title else ""
            yield InputError(input=where, message=f"the item{named} has no text (no content, description or summary)")
        else:
            yield item


def _with_page(item: RawDoc, link: str, options: ReadOptions, fetcher, where: str) -> RawDoc | InputError:
    """``--fetch-links``: the item's page, with the feed's title, date, author and source where the page lacks them."""
    from corroborate.sources.web import default_fetcher, read_page

    page = read_page(link, item.id, options, fetcher=fetcher or default_fetcher())
    if isinstance(page, InputError):
        if item.text.strip():
            item.warnings.append(f"--fetch-links: {link}: {page.message}; the feed's own text is used")
            return item
        return InputError(input=where, message=f"{link}: {page.message} (and the feed item has no text)")
    page.title = page.title or item.title
    page.published = page.published or item.published
    page.byline = page.byline or item.byline
    page.source = page.source or item.source
    return page


def _entry_text(entry, max_chars: int = MAX_TEXT_CHARS) -> str:
    """The item's full text: its content (``content:encoded``, Atom ``<content>``), else its summary
    (``<description>``, Atom ``<summary>``); HTML becomes text with one line per block."""
    candidates = [c for c in (entry.get("content") or []) if (c.get("value") or "").strip()]
    if not candidates and (entry.get("summary") or "").strip():
        candidates = [entry.get("summary_detail") or {"value": entry.get("summary"), "type": "text/html"}]
    if not candidates:
        return ""
    best = max(candidates, key=lambda c: len(c.get("value") or ""))
    value, kind = best.get("value") or "", (best.get("type") or "text/html").lower()
    text = html_fragment_text(value) if "html" in kind else "\n".join(
        line.strip() for line in value.strip().splitlines() if line.strip())
    if len(text) > max_chars:  # a blank text is the caller's error (it names the item)
        raise BadInput(f"text too long ({len(text):,} characters; the limit is {max_chars:,})")
    return text


def _entry_date(entry) -> str | None:
    """The item's publication date (else its update date), as ISO 8601."""
    for key in ("published", "updated", "created"):
        raw = entry.get(key)
        value = normalize_date(raw) if raw else None
        if value:
            return value
        parsed = entry.get(f"{key}_parsed")  # feedparser's reading of RFC 822 and other dates, in UTC
        if parsed:
            return datetime(*cast("tuple[int, int, int, int, int, int]", parsed[:6]), tzinfo=UTC).isoformat()
    return None


_BLOCKS = frozenset({
    "address", "article", "aside", "blockquote", "br", "dd", "div", "dl", "dt", "figcaption", "figure", "footer",
    "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main", "ol", "p", "pre", "section", "table", "td",
    "th", "tr", "ul",
})
_DROPPED = frozenset({"script", "style", "noscript", "iframe", "object", "embed", "template", "svg", "math",
                      "button", "select", "head", "title"})
_SPACES = re.compile(r"[ \t\r\f\v]+")


def html_fragment_text(html: str) -> str:
    """The text of an HTML fragment (a feed item's body): every word kept, one line per block
    element (paragraph, heading, list item, ``<br>``), runs of spaces collapsed."""
    import lxml.html
    from lxml import etree

    if "<" not in html:
        return _lines(html)
    try:
        # huge_tree: libxml2 otherwise drops whatever is nested deeper than 255 elements
        parser = lxml.html.HTMLParser(huge_tree=True, no_network=True, remove_comments=True)
        root = lxml.html.document_fromstring(f"<html><body><div>{html}</div></body></html>", parser=parser)
    except (etree.ParserError, ValueError):
        return ""
    body = root.find("body")
    out: list[str] = []
    skipping = 0
    for event, el in etree.iterwalk(body if body is not None else root, events=("start", "end")):
        tag = el.tag.lower() if isinstance(el.tag, str) else None
        if event == "start":
            if tag in _DROPPED:
                skipping += 1
            if skipping:
                continue
            if tag in _BLOCKS:
                out.append("\n")
            if tag is not None and el.text:
                out.append(el.text)
        else:
            if tag in _DROPPED:
                skipping -= 1
            if skipping:
                continue
            if tag in _BLOCKS:
                out.append("\n")
            if el.tail:
                out.append(el.tail)
    return _lines("".join(out))


def _lines(text: str) -> str:
    return "\n".join(line for line in (_SPACES.sub(" ", raw).strip() for raw in text.splitlines()) if line)


# ------------------------------------------------------------------------------------- sitemaps


def _parse_sitemap(data: bytes):
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
                             huge_tree=False, remove_comments=True, remove_pis=True)
    try:
        return etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise BadInput(f"malformed sitemap XML ({' '.join(str(exc).split())[:120]})") from None


def _local(tag) -> str:
    return tag.rsplit("}", 1)[-1].lower() if isinstance(tag, str) else ""


def _locs(root, parent: str, base_url: str | None) -> list[str]:
    out = []
    for el in root.iter():
        if _local(el.tag) == "loc" and _local(el.getparent().tag if el.getparent() is not None else None) == parent:
            loc = (el.text or "").strip()
            if loc:
                out.append(urljoin(base_url, loc) if base_url and not is_url(loc) else loc)
    return out


def _read_sitemap(data: bytes, *, origin: str, options: ReadOptions, fetcher, base_url: str | None
                  ) -> Iterator[RawDoc | InputError]:
    """Each page a sitemap lists (an index: each page its sitemaps list, recursively), fetched."""
    from corroborate.sources.web import (
        FetchError,
        default_fetcher,
        gunzip,
        read_page,
        url_id,
    )

    fetcher = fetcher or default_fetcher()
    pages: list[str] = []
    seen_pages: set[str] = set()
    seen_maps: set[str] = {base_url} if base_url else set()
    queue: list[tuple[str, bytes, str | None, int]] = [(origin, data, base_url, 1)]
    fetched = 0
    capped = False
    reported = 0
    while queue and not capped:
        where, body, base, depth = queue.pop(0)
        try:
            root = _parse_sitemap(body)
        except BadInput as exc:
            reported += 1
            yield InputError(input=where, message=str(exc))
            continue
        kind = _local(root.tag)
        if kind == "urlset":
            for loc in _locs(root, "url", base):
                if loc in seen_pages:
                    continue
                if len(pages) >= MAX_SITEMAP_URLS:
                    capped = True
                    reported += 1
                    yield InputError(input=origin, message=f"the sitemap lists more than {MAX_SITEMAP_URLS:,} URLs; "
                                                           f"only the first {MAX_SITEMAP_URLS:,} are read")
                    break
                seen_pages.add(loc)
                pages.append(loc)
        elif kind == "sitemapindex":
            for loc in _locs(root, "sitemap", base):
                if loc in seen_maps:
                    continue
                seen_maps.add(loc)
                if depth >= MAX_SITEMAP_DEPTH:
                    reported += 1
                    yield InputError(input=loc, message=f"sitemap index nested more than {MAX_SITEMAP_DEPTH} levels deep: not read")
                    continue
                if fetched >= MAX_SITEMAPS:
                    reported += 1
                    yield InputError(input=origin, message=f"the sitemap index lists more than {MAX_SITEMAPS} sitemaps; "
                                                           f"only the first {MAX_SITEMAPS} are read")
                    break
                fetched += 1
                try:
                    response = fetcher.fetch(loc)
                    nested = response.body
                    if nested[:2] == b"\x1f\x8b":
                        nested = gunzip(nested, fetcher.limits.max_bytes)
                except (FetchError, BadInput) as exc:
                    reported += 1
                    yield InputError(input=loc, message=str(exc))
                    continue
                if root_name(nested) not in _SITEMAP_ROOTS:
                    reported += 1
                    yield InputError(input=loc, message="not a sitemap (expected <urlset> or <sitemapindex>)")
                    continue
                queue.append((loc, nested, response.url, depth + 1))
        else:
            reported += 1
            yield InputError(input=where, message=f"not a sitemap (the root element is <{kind}>)")
    if not pages and not capped and not reported:
        yield InputError(input=origin, message="the sitemap lists no pages")
        return
    ids = _Ids()
    for loc in pages:
        if not is_url(loc):
            yield InputError(input=f"{origin}: {loc[:80]}", message="not an http(s) URL")
            continue
        yield read_page(loc, ids.take(url_id(loc)), options, fetcher=fetcher)
