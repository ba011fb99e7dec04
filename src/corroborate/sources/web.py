"""Reports from the web: URLs, sitemaps and feed links, fetched with httpx behind an SSRF guard.

One :class:`Fetcher` serves a whole run: it holds the HTTP connection pool, the per-host rate
limit and the robots.txt cache. :func:`read_url` uses a shared one (created on first use, closed at
exit) unless it is given its own.

What a fetch does, in order, for the URL and again for every redirect hop:

1. :meth:`Guard.check_url`: only ``http``/``https``, no credentials in the URL, no cloud metadata
   host name, and an IP literal must be a public address.
2. robots.txt of the URL's origin (fetched once, cached; unreachable or 4xx/5xx allows everything):
   a disallowed URL fails with "disallowed by robots.txt".
3. the per-host rate limit: requests to one host start at least ``host_interval`` seconds apart
   (longer if robots.txt asks for a ``Crawl-delay``, capped at ``MAX_CRAWL_DELAY``).
4. the request. The connection is opened by :class:`_GuardedBackend`: the host name is resolved
   once with :func:`socket.getaddrinfo`, *every* resolved address is checked (one forbidden address
   refuses the URL), and the socket connects to a checked address, never to the name again.
   So DNS rebinding (a name answering a public address to the check and a private one to the
   connection) cannot work: there is no second lookup. TLS still verifies the certificate against
   the host name. Proxies from the environment are not used (``trust_env=False``): a proxy would
   connect on our behalf to addresses the guard never saw.
5. 429 and 5xx answers, connection errors and timeouts are retried (``retries`` times, with
   exponential backoff from ``backoff`` seconds, or the server's ``Retry-After`` up to
   ``max_retry_after``); redirects are followed by hand, at most ``max_redirects``; the body is
   streamed and the fetch fails as soon as it passes ``max_bytes``; connect and read timeouts
   apply to each step, and ``total_timeout`` bounds the whole fetch (a server trickling bytes
   cannot hold it).

Every failure is one :class:`FetchError` with a short message, turned into one
:class:`~corroborate.records.InputError` naming the URL.
"""

from __future__ import annotations

import atexit
import email.utils
import ipaddress
import os
import socket
import threading
import time
import unicodedata
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Self, cast
from urllib.parse import urljoin, urlsplit

import httpcore
import httpx

from corroborate import __version__
from corroborate.records import InputError
from corroborate.sources.decode import decode_text
from corroborate.sources.readers import (
    BadInput,
    RawDoc,
    ReadOptions,
    checked_text,
    domain_of,
    html_to_doc,
    is_url,
)

if TYPE_CHECKING:
    from protego import Protego

#: Sent with every request: who we are and why.
USER_AGENT = f"corroborate/{__version__} (news report analysis tool; +https://pypi.org/project/corroborate/)"
#: The token matched against robots.txt ``User-agent`` lines.
ROBOTS_AGENT = "corroborate"
#: ``CORROBORATE_ALLOW_PRIVATE_URLS=1`` lets URLs reach loopback and private addresses (see :class:`Guard`).
ALLOW_PRIVATE_ENV = "CORROBORATE_ALLOW_PRIVATE_URLS"
#: A robots.txt ``Crawl-delay`` is honoured up to this many seconds.
MAX_CRAWL_DELAY = 10.0
#: robots.txt files larger than this are not read (everything is then allowed).
MAX_ROBOTS_BYTES = 512 * 1024

_REDIRECTS = {301, 302, 303, 307, 308}
_HTML_TYPES = {"text/html", "application/xhtml+xml"}
_XML_TYPES = {"application/rss+xml", "application/atom+xml", "application/rdf+xml", "application/xml", "text/xml",
              "application/x-rss+xml", "application/feed+xml"}
_GZIP_TYPES = {"application/gzip", "application/x-gzip"}
_GENERIC_TYPES = {"", "application/octet-stream", "binary/octet-stream", "application/unknown"}


@dataclass(frozen=True)
class FetchLimits:
    """Limits of one fetch. Times in seconds."""

    connect_timeout: float = 10.0
    read_timeout: float = 20.0  # longest wait for the next bytes from the server
    total_timeout: float = 60.0  # the whole fetch: robots.txt, redirects, retries and the body
    max_bytes: int = 10 * 1024 * 1024
    max_redirects: int = 5
    retries: int = 2  # after the first attempt
    backoff: float = 1.0  # first retry after this, then doubling
    max_retry_after: float = 30.0  # a longer Retry-After is not waited for: the fetch fails
    host_interval: float = 1.0  # requests to one host start at least this far apart


class FetchError(Exception):
    """A fetch failed; ``str(exc)`` is the short message reported for the URL."""


class Refused(FetchError):
    """The guard refused a URL or an address."""


def _size(n: int) -> str:
    return f"{n / 1024 / 1024:g} MiB" if n >= 1024 * 1024 else f"{n / 1024:g} KiB"


def _secs(t: float) -> str:
    return f"{t:g} s"


# --------------------------------------------------------------------------------------- guard

#: Always refused, even with CORROBORATE_ALLOW_PRIVATE_URLS: cloud metadata services.
METADATA_HOSTS = frozenset({
    "metadata.google.internal", "metadata.goog", "metadata", "instance-data", "instance-data.ec2.internal",
    "metadata.azure.internal",
})
METADATA_ADDRESSES = frozenset(ipaddress.ip_address(a) for a in (
    "169.254.169.254", "169.254.170.2", "fd00:ec2::254", "100.100.100.200",
))
_CGNAT = ipaddress.ip_network("100.64.0.0/10")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


class Guard:
    """Which URLs and addresses may be fetched (the SSRF guard).

    Always refused: schemes other than http/https, credentials in the URL, cloud metadata hosts
    and addresses (``169.254.169.254``, ``metadata.google.internal``, ...), link-local
    (``169.254.0.0/16``, ``fe80::/10``), unspecified (``0.0.0.0``, ``::``), multicast, reserved
    and broadcast addresses.

    Refused unless private addresses are allowed: loopback (``127.0.0.0/8``, ``::1``), private
    (RFC 1918, ``fc00::/7``), shared CGNAT (``100.64.0.0/10``) and every other address that is
    not globally routable (documentation, benchmarking ranges). ``allow_private=None`` (the
    default) reads ``CORROBORATE_ALLOW_PRIVATE_URLS`` at each check; ``1``, ``true`` or ``yes``
    allow. An IPv6 address embedding an IPv4 one (IPv4-mapped ``::ffff:a.b.c.d``, 6to4, NAT64
    ``64:ff9b::/96``) is judged by the IPv4 address.

    ``allow`` lists networks (``"127.0.0.1/32"``) allowed even when private addresses are not:
    it lifts the second group only, never the first.
    """

    def __init__(self, allow_private: bool | None = None, allow: Iterable[str] = ()):
        self._allow_private = allow_private
        self._allow = tuple(ipaddress.ip_network(net) for net in allow)

    @property
    def allow_private(self) -> bool:
        if self._allow_private is not None:
            return self._allow_private
        return os.environ.get(ALLOW_PRIVATE_ENV, "").strip().lower() in {"1", "true", "yes"}

    def why_refused(self, ip: Address) -> str | None:
        """Why ``ip`` may not be connected to (``"a private address"``), or None if it may."""
        if isinstance(ip, ipaddress.IPv6Address):
            embedded = ip.ipv4_mapped or ip.sixtofour or (
                ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF) if ip in _NAT64 else None)
            if embedded is not None:
                return self.why_refused(embedded)
        if ip in METADATA_ADDRESSES:
            return "a cloud metadata address"
        if ip.is_link_local:
            return "a link-local address"
        if ip.is_unspecified:
            return "an unspecified address"
        if ip.is_multicast:
            return "a multicast address"
        if (ip.is_reserved and not ip.is_loopback) or ip == ipaddress.IPv4Address("255.255.255.255"):
            return "a reserved address"
        if self.allow_private or any(ip in net for net in self._allow):
            return None
        if ip.is_loopback:
            return "a loopback address"
        if ip in _CGNAT:
            return "a shared (CGNAT) address"
        if ip.is_private:
            return "a private address"
        if not ip.is_global:
            return "not a public address"
        return None

    def check_url(self, url: str) -> None:
        """Refuse a URL before any connection: by scheme, credentials, host name or IP literal."""
        try:
            parts = urlsplit(url)
            parts.port  # noqa: B018 -- raises ValueError on a bad port
        except ValueError as exc:
            raise Refused(f"not a valid URL ({exc})") from None
        scheme = parts.scheme.lower()
        if scheme not in {"http", "https"}:
            raise Refused(f"refused: only http and https URLs are fetched, not {scheme or 'a relative URL'}")
        host = (parts.hostname or "").rstrip(".")
        if not host:
            raise Refused("not a valid URL (no host)")
        if parts.username is not None or parts.password is not None:
            raise Refused("refused: URLs with credentials (user:password@) are not fetched")
        if host in METADATA_HOSTS:
            raise Refused(f"refused: {host} is a cloud metadata host")
        try:
            ip = ipaddress.ip_address(host)
        except ValueError:
            return  # a name: checked after resolution, when connecting
        reason = self.why_refused(ip)
        if reason:
            raise Refused(f"refused: {host} is {reason}{_lift_hint(reason)}")

    def resolve(self, host: str, port: int) -> list[Address]:
        """The addresses of ``host``, all of them checked; refused if any one is forbidden."""
        host = host.strip("[]").rstrip(".")
        if host.lower() in METADATA_HOSTS:
            raise Refused(f"refused: {host} is a cloud metadata host")
        try:
            ips = [ipaddress.ip_address(host)]
            literal = True
        except ValueError:
            literal = False
            try:
                infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
            except socket.gaierror as exc:
                raise FetchError(f"cannot resolve host {host} ({exc.strerror or exc})") from None
            except UnicodeError:
                raise FetchError(f"not a valid host name: {host[:80]}") from None
            ips = []
            for info in infos:
                ip = ipaddress.ip_address(cast(str, info[4][0]).split("%", 1)[0])  # an IPv4 or IPv6 address (SOCK_STREAM)
                if ip not in ips:
                    ips.append(ip)
        for ip in ips:
            reason = self.why_refused(ip)
            if reason:
                raise Refused((f"refused: {host} is {reason}" if literal else f"refused: {host} resolves to {ip}, {reason}")
                              + _lift_hint(reason))
        if not ips:
            raise FetchError(f"cannot resolve host {host} (no address)")
        return ips


#: the refusals that ``CORROBORATE_ALLOW_PRIVATE_URLS=1`` lifts (:meth:`Guard.why_refused`)
_LIFTABLE = frozenset({"a loopback address", "a private address", "a shared (CGNAT) address", "not a public address"})


def _lift_hint(reason: str) -> str:
    """What a refusal that the environment variable lifts adds to its message."""
    return f" (set {ALLOW_PRIVATE_ENV}=1 to allow it)" if reason in _LIFTABLE else ""


class _GuardedBackend(httpcore.SyncBackend):
    """Opens every TCP connection through the guard: resolve once, check all, connect to a checked address."""

    def __init__(self, guard: Guard):
        self.guard = guard

    def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        last: Exception | None = None
        for ip in self.guard.resolve(host, port):
            try:
                return super().connect_tcp(str(ip), port, timeout=timeout, local_address=local_address,
                                           socket_options=socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last = exc
        assert last is not None
        raise last


class _GuardedTransport(httpx.HTTPTransport):
    def __init__(self, guard: Guard):
        super().__init__(trust_env=False)
        # httpx has no public hook for the network backend; httpcore's pool has one.
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(trust_env=False),
            max_connections=20, max_keepalive_connections=10, keepalive_expiry=5.0,
            network_backend=_GuardedBackend(guard),
        )


# ------------------------------------------------------------------------------------- fetcher


@dataclass
class Response:
    """A fetched page."""

    url: str  # after redirects
    status: int
    content_type: str  # media type, lowercase, without parameters ("" if none)
    charset: str | None
    body: bytes
    redirects: list[str] = field(default_factory=list)  # the URLs redirected from, in order
    headers: dict[str, str] = field(default_factory=dict)  # the final response's, names lowercase


@dataclass
class _Answer:
    status: int
    headers: httpx.Headers
    body: bytes


class Fetcher:
    """Fetches URLs politely and safely (see the module docstring). Thread-safe; close it when done."""

    def __init__(self, limits: FetchLimits | None = None, *, guard: Guard | None = None,
                 user_agent: str = USER_AGENT, robots: bool = True):
        self.limits = limits or FetchLimits()
        self.guard = guard or Guard()
        self.user_agent = user_agent
        self.robots = robots
        self._client = httpx.Client(
            transport=_GuardedTransport(self.guard),
            headers={"User-Agent": user_agent, "Accept": "text/html,application/xhtml+xml,application/rss+xml,"
                     "application/atom+xml,application/xml;q=0.9,text/plain;q=0.8,*/*;q=0.5"},
            follow_redirects=False,
            trust_env=False,
        )
        self._lock = threading.Lock()
        self._next_slot: dict[str, float] = {}  # host -> earliest start of its next request
        self._robots: dict[str, Protego | None] = {}  # origin -> Protego, or None (everything allowed)
        self._closed = False

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            self._client.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- public

    def fetch(self, url: str, *, max_bytes: int | None = None, headers: dict[str, str] | None = None) -> Response:
        """GET ``url``: the final 2xx response, or :class:`FetchError`. ``headers`` are sent with
        the request (and its redirects), e.g. ``If-None-Match``; a ``304 Not Modified`` answer
        to such a conditional request is returned as a response with status 304 and no body."""
        deadline = time.monotonic() + self.limits.total_timeout
        return self._follow(url, deadline, max_bytes or self.limits.max_bytes, robots=self.robots,
                            retries=self.limits.retries, headers=headers)

    # -- internals

    def _follow(self, url: str, deadline: float, max_bytes: int, *, robots: bool, retries: int,
                headers: dict[str, str] | None = None) -> Response:
        current, hops = url, []
        try:
            for _ in range(self.limits.max_redirects + 1):
                self.guard.check_url(current)
                if robots and not self._robots_allow(current, deadline):
                    raise FetchError("disallowed by robots.txt")
                answer = self._get(current, deadline, max_bytes, retries, headers)
                if answer.status in _REDIRECTS:
                    location = answer.headers.get("location")
                    if not location:
                        raise FetchError(f"HTTP {answer.status} redirect without a Location")
                    hops.append(current)
                    current = urljoin(current, location.strip())
                    continue
                if answer.status >= 400 or answer.status < 200:
                    raise FetchError(f"HTTP {answer.status}")
                media, _, params = answer.headers.get("content-type", "").partition(";")
                charset = None
                for param in params.split(";"):
                    key, _, value = param.partition("=")
                    if key.strip().lower() == "charset":
                        charset = value.strip().strip("\"'") or None
                return Response(url=current, status=answer.status, content_type=media.strip().lower(),
                                charset=charset, body=answer.body, redirects=hops,
                                headers={k.lower(): v for k, v in answer.headers.items()})
            raise FetchError(f"too many redirects (more than {self.limits.max_redirects})")
        except FetchError as exc:
            if hops and "redirect" not in str(exc):
                raise type(exc)(f"{exc} (redirected to {current})") from None
            raise

    def _get(self, url: str, deadline: float, max_bytes: int, retries: int,
             headers: dict[str, str] | None = None) -> _Answer:
        limits = self.limits
        attempt = 0
        while True:
            self._wait_turn(url, deadline)
            remaining = deadline - time.monotonic()
            timeout = httpx.Timeout(connect=min(limits.connect_timeout, remaining),
                                    read=min(limits.read_timeout, remaining),
                                    write=min(limits.read_timeout, remaining), pool=min(limits.connect_timeout, remaining))
            delay: float | None = None
            try:
                with self._client.stream("GET", url, timeout=timeout, headers=headers) as response:
                    status = response.status_code
                    if (status == 429 or status >= 500) and attempt < retries:
                        delay = self._retry_delay(response, attempt)
                    elif status in _REDIRECTS or status >= 400:
                        return _Answer(status, response.headers, b"")
                    else:
                        return _Answer(status, response.headers, self._read_body(response, deadline, max_bytes))
            except httpx.TimeoutException as exc:
                if attempt >= retries or time.monotonic() >= deadline:
                    raise FetchError(self._timeout_message(exc, deadline)) from None
            except httpx.TransportError as exc:
                if attempt >= retries:
                    raise FetchError(_transport_message(exc)) from None
            except httpx.InvalidURL as exc:
                raise FetchError(f"not a valid URL ({exc})") from None
            except httpx.HTTPError as exc:  # a body that does not decode (bad gzip), ...
                raise FetchError(f"bad response ({type(exc).__name__}: {exc})") from None
            if delay is None:
                delay = limits.backoff * 2 ** attempt
            if time.monotonic() + delay >= deadline:
                raise FetchError(f"timed out after {_secs(limits.total_timeout)} (total time limit, while retrying)")
            time.sleep(delay)
            attempt += 1

    def _retry_delay(self, response: httpx.Response, attempt: int) -> float:
        backoff = self.limits.backoff * 2 ** attempt
        value = response.headers.get("retry-after")
        if not value:
            return backoff
        value = value.strip()
        if value.isdigit():
            wait = float(value)
        else:
            try:
                when = email.utils.parsedate_to_datetime(value)
                wait = when.timestamp() - time.time()
            except (TypeError, ValueError):
                return backoff
        if wait > self.limits.max_retry_after:
            raise FetchError(f"HTTP {response.status_code} (the server asks to retry after {wait:.0f} s)")
        return max(wait, 0.0)

    def _read_body(self, response: httpx.Response, deadline: float, max_bytes: int) -> bytes:
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > max_bytes and not response.headers.get("content-encoding"):
            raise FetchError(f"response larger than {_size(max_bytes)}")
        chunks, size = [], 0
        for chunk in response.iter_bytes():  # decoded (gzip, deflate): the limit is on what we keep
            size += len(chunk)
            if size > max_bytes:
                raise FetchError(f"response larger than {_size(max_bytes)}")
            if time.monotonic() > deadline:
                raise FetchError(f"timed out after {_secs(self.limits.total_timeout)} (total time limit)")
            chunks.append(chunk)
        return b"".join(chunks)

    def _timeout_message(self, exc: httpx.TimeoutException, deadline: float) -> str:
        if time.monotonic() >= deadline - 0.05:
            return f"timed out after {_secs(self.limits.total_timeout)} (total time limit)"
        if isinstance(exc, (httpx.ConnectTimeout, httpx.PoolTimeout)):
            return f"timed out connecting after {_secs(self.limits.connect_timeout)}"
        return f"timed out after {_secs(self.limits.read_timeout)}"

    def _wait_turn(self, url: str, deadline: float) -> None:
        """Block until this host may be sent its next request (the per-host rate limit)."""
        host = (urlsplit(url).hostname or "").lower()
        interval = max(self.limits.host_interval, self._crawl_delay(url))
        with self._lock:
            now = time.monotonic()
            start = max(now, self._next_slot.get(host, now))
            if start >= deadline:
                raise FetchError(f"timed out after {_secs(self.limits.total_timeout)} (total time limit, "
                                 f"waiting for the rate limit of {host})")
            self._next_slot[host] = start + interval
        if start > now:
            time.sleep(start - now)

    # -- robots.txt

    @staticmethod
    def _origin(url: str) -> str:
        parts = urlsplit(url)
        return f"{parts.scheme.lower()}://{parts.netloc.lower()}"

    def _crawl_delay(self, url: str) -> float:
        parser = self._robots.get(self._origin(url))
        if parser is None:
            return 0.0
        delay = parser.crawl_delay(ROBOTS_AGENT)
        return min(float(delay), MAX_CRAWL_DELAY) if delay else 0.0

    def _robots_allow(self, url: str, deadline: float) -> bool:
        from protego import Protego

        origin = self._origin(url)
        if origin not in self._robots:
            parser = None
            try:
                answer = self._follow(origin + "/robots.txt", deadline, MAX_ROBOTS_BYTES, robots=False, retries=0)
                parser = Protego.parse(answer.body.decode("utf-8", "replace"))
            except Refused:
                raise
            except FetchError:
                parser = None  # missing, 4xx, 5xx or unreachable: everything is allowed
            except Exception:  # noqa: BLE001 -- a robots.txt protego cannot parse allows everything
                parser = None
            with self._lock:
                self._robots.setdefault(origin, parser)
        parser = self._robots[origin]
        return parser is None or parser.can_fetch(url, ROBOTS_AGENT)


def _transport_message(exc: httpx.TransportError) -> str:
    cause = exc.__cause__ or exc.__context__
    text = str(exc) or type(exc).__name__
    if isinstance(exc, httpx.ConnectError):
        reason = text
        inner = cause
        while inner is not None and not isinstance(inner, OSError):
            inner = inner.__cause__ or inner.__context__
        if isinstance(inner, OSError) and inner.strerror:
            reason = inner.strerror
        if "refused" in reason.lower():
            reason = "connection refused"
        return f"cannot connect: {reason}"
    if isinstance(exc, httpx.RemoteProtocolError):
        return f"the server broke the connection ({text})"
    return f"network error: {text}"


_default: Fetcher | None = None
_default_lock = threading.Lock()


def default_fetcher() -> Fetcher:
    """The fetcher shared by a run (created on first use, closed at exit)."""
    global _default
    with _default_lock:
        if _default is None or _default._closed:
            _default = Fetcher()
            atexit.register(_default.close)
        return _default


# ------------------------------------------------------------------------------------- reading


def url_id(url: str) -> str:
    """The id of the report at ``url``: host (lowercase, with a non-default port) and path, without
    the scheme and a trailing slash, with the query if any: ``https://www.example.com/news/story-1/``
    is ``www.example.com/news/story-1``; a fragment is dropped."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower()
    if ":" in host:
        host = f"[{host}]"
    try:
        port = parts.port
    except ValueError:
        port = None
    if port and port != {"http": 80, "https": 443}.get(parts.scheme.lower()):
        host = f"{host}:{port}"
    out = host + parts.path.rstrip("/")
    if parts.query:
        out += "?" + parts.query
    return "".join(ch for ch in out if unicodedata.category(ch) not in {"Cc", "Zl", "Zp"})  # ids are printable


def read_url(url: str, options: ReadOptions, *, fetcher: Fetcher | None = None) -> Iterator[RawDoc | InputError]:
    """The report(s) at ``url``: a page (HTML or plain text), or each page a feed or sitemap there lists.

    The report of a page has the id :func:`url_id` (``www.example.com/news/story-1``); a feed's items
    and a sitemap's pages are named as :func:`corroborate.sources.feeds.read_xml` says."""
    fetcher = fetcher or default_fetcher()
    try:
        response = fetcher.fetch(url)
    except FetchError as exc:
        yield InputError(input=url, message=str(exc))
        return
    yield from read_response(response, url, url_id(url), options, fetcher=fetcher)


def read_response(response: Response, origin: str, doc_id: str, options: ReadOptions, *,
                  fetcher: Fetcher, pages_only: bool = False) -> Iterator[RawDoc | InputError]:
    """The report(s) in a fetched response, by its content type and its first bytes."""
    try:
        body = gunzip(response.body, fetcher.limits.max_bytes) if response.body[:2] == b"\x1f\x8b" else response.body
        kind = sniff(body, response.content_type)
        if kind == "xml":
            if pages_only:
                raise BadInput("a feed or sitemap, not a page")
            from corroborate.sources.feeds import read_xml

            yield from read_xml(body, origin=origin, doc_id=doc_id, options=options, fetcher=fetcher,
                                base_url=response.url)
            return
        if kind == "html":
            yield html_to_doc(body, doc_id=doc_id, origin=origin, url=response.url, charset=response.charset,
                              max_chars=options.max_text_chars)
        elif kind == "text":
            text, encoding = decode_text(body, declared=response.charset)
            yield RawDoc(id=doc_id, origin=origin, text=checked_text(text, options.max_text_chars), url=response.url,
                         source=domain_of(response.url),
                         encoding=encoding)
        else:
            raise BadInput(f"not a page corroborate reads (content type {response.content_type or 'unknown'})")
    except BadInput as exc:
        yield InputError(input=origin, message=str(exc))


def read_page(url: str, doc_id: str, options: ReadOptions, *, fetcher: Fetcher) -> RawDoc | InputError:
    """One page (HTML or plain text) at ``url``, as the report ``doc_id``: for feed links and sitemaps."""
    try:
        response = fetcher.fetch(url)
    except FetchError as exc:
        return InputError(input=url, message=str(exc))
    results = list(read_response(response, url, doc_id, options, fetcher=fetcher, pages_only=True))
    return results[0]


def sniff(body: bytes, content_type: str) -> str | None:
    """``"html"``, ``"xml"`` (a feed or sitemap), ``"text"`` or None, by content type and first bytes."""
    head = body[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    root = _root_name(body)
    if root in {"rss", "feed", "rdf", "urlset", "sitemapindex"}:
        return "xml"  # a feed, whatever the server calls it (feeds are often served as text/html or text/plain)
    if content_type in _HTML_TYPES:
        return "html"
    if content_type in _XML_TYPES or content_type.endswith("+xml"):
        return "html" if root == "html" else "xml"
    if content_type == "text/plain":
        return "text"
    if content_type in _GENERIC_TYPES | _GZIP_TYPES:
        if root == "html" or head.startswith((b"<!doctype html", b"<html")):
            return "html"
        if head.startswith(b"<?xml"):
            return "xml"
    return None


def _root_name(body: bytes) -> str | None:
    """The local name of the first element (``rss``, ``feed``, ``urlset``, ``html``), lowercase."""
    from corroborate.sources.feeds import root_name

    return root_name(body)


def gunzip(data: bytes, limit: int) -> bytes:
    """Decompress gzip ``data``, refusing more than ``limit`` bytes of output (a gzip bomb)."""
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        out = inflater.decompress(data, limit + 1)
    except zlib.error as exc:
        raise BadInput(f"corrupt gzip data ({exc})") from None
    if len(out) > limit or inflater.unconsumed_tail:
        raise BadInput(f"larger than {_size(limit)} when decompressed")
    return out


class UrlListError(ValueError):
    """A ``--urls FILE`` line that is not an http(s) URL (the message names ``file:line``)."""


def read_url_list(path: str | os.PathLike) -> list[str]:
    """The URLs of a ``--urls FILE``: one per line; blank lines and lines starting with ``#`` are
    ignored, and a URL listed again is read once. A file that cannot be read raises :class:`OSError`;
    a line that is not an http(s) URL raises :class:`UrlListError` (a ``ValueError``) naming
    ``file:line``."""
    try:
        lines = Path(path).read_text(encoding="utf-8-sig").splitlines()
    except UnicodeDecodeError:
        raise UrlListError(f"{path}: not valid UTF-8") from None
    urls: list[str] = []
    seen: set[str] = set()
    for lineno, line in enumerate(lines, start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        try:
            host = urlsplit(line).hostname
        except ValueError:
            host = None
        if not is_url(line) or not host or any(c.isspace() for c in line):
            raise UrlListError(f"{path}:{lineno}: not an http(s) URL: {line[:80]!r}")
        if line not in seen:
            seen.add(line)
            urls.append(line)
    return urls
