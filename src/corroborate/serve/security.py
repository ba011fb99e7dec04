"""Who may write, and the headers every response carries.

- **Writes** (adding reports, annotations) need the admin token when the server has one
  (``CORROBORATE_TOKEN`` or ``CORROBORATE_TOKEN_FILE``): ``Authorization: Bearer TOKEN`` from a
  program, or the UI's sign-in, which keeps a cookie derived from the token (HttpOnly,
  SameSite=Strict). Without a token the server is read-only, except when it listens on a
  loopback address only: then a client on this machine may write.
- **CSRF:** a browser request from another site is refused (its ``Origin`` or ``Sec-Fetch-Site``
  says so), and every form carries a token that must match the one in the visitor's cookie
  (double submit).
- **Rate limits** on writes, per client address (``write_rate``, moving window).
- **Headers:** a Content-Security-Policy that allows no inline script and no request to any
  other origin, no framing, no sniffing, no referrer to other sites.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import secrets
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from fastapi import HTTPException, Request
from limits import parse as parse_rate
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

from corroborate.settings import Settings

#: The cookie that carries the signed-in session (a value derived from the token, not the token).
SESSION_COOKIE = "corroborate_session"
#: The cookie and the form field of the CSRF double submit.
CSRF_COOKIE, CSRF_FIELD, CSRF_HEADER = "corroborate_csrf", "csrf", "X-CSRF-Token"

CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
       "font-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",  # no referrer to other sites (no-referrer would make forms' Origin "null")
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}


class ConfigError(ValueError):
    """A server setting that cannot work (an unreadable token file, an empty token, a bad rate)."""


def is_loopback(host: str | None) -> bool:
    """True for 127.0.0.0/8, ::1 and ``localhost``."""
    if not host:
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def read_token(settings: Settings) -> str | None:
    """The admin token from ``settings.token`` or the first line of ``settings.token_file``."""
    if settings.token is not None:
        token = settings.token.get_secret_value().strip()
        if not token:
            raise ConfigError("CORROBORATE_TOKEN is empty")
        return token
    if settings.token_file:
        path = Path(settings.token_file)
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"token file {path}: cannot read it ({exc.__class__.__name__}: {exc})") from exc
        token = lines[0].strip() if lines else ""
        if len(token) < 16:
            raise ConfigError(f"token file {path}: its first line must be a token of at least 16 characters")
        return token
    return None


@dataclass
class Guard:
    """The server's write policy (see the module's description)."""

    token: str | None
    listens_on_loopback: bool
    rate: str = "30/minute"
    _limiter: MovingWindowRateLimiter = field(init=False)
    _secret: bytes = field(init=False)

    def __post_init__(self) -> None:
        try:
            self._rate = parse_rate(self.rate)
        except ValueError as exc:
            raise ConfigError(f"write_rate {self.rate!r}: {exc}") from exc
        self._limiter = MovingWindowRateLimiter(MemoryStorage())
        self._secret = secrets.token_bytes(32)

    @property
    def writable(self) -> str:
        """How writes are allowed: ``"token"``, ``"local"`` (loopback clients) or ``"none"``."""
        if self.token:
            return "token"
        return "local" if self.listens_on_loopback else "none"

    def session_value(self) -> str:
        """The session cookie's value for a signed-in browser (an HMAC of the token)."""
        assert self.token is not None
        return hmac.new(self.token.encode("utf-8"), b"corroborate session", hashlib.sha256).hexdigest()

    def signed_in(self, request: Request) -> bool:
        """True when ``request`` may write (token, session cookie, or loopback without a token)."""
        if self.token is None:
            return self.listens_on_loopback and is_loopback(request.client.host if request.client else None)
        header = request.headers.get("authorization", "")
        scheme, _, given = header.partition(" ")
        if scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), self.token.encode()):
            return True
        cookie = request.cookies.get(SESSION_COOKIE, "")
        return bool(cookie) and hmac.compare_digest(cookie.encode(), self.session_value().encode())

    def check_token(self, given: str) -> bool:
        return self.token is not None and hmac.compare_digest(given.strip().encode(), self.token.encode())

    def same_site(self, request: Request) -> bool:
        """False when a browser says the request comes from another site: by ``Sec-Fetch-Site``
        where it sends one, else by ``Origin`` (``null``, or another host); a request with
        neither (a program) passes, and the token or the CSRF check decides."""
        fetch_site = request.headers.get("sec-fetch-site")
        if fetch_site:
            return fetch_site in ("same-origin", "none")
        origin = request.headers.get("origin")
        if origin is None:
            return True
        return origin != "null" and urlsplit(origin).netloc == request.headers.get("host", "")

    def check_form(self, request: Request, form_token: str | None) -> None:
        """A form's request: from this site, with the CSRF token of the visitor's cookie (double
        submit). Raises :class:`HTTPException` (403)."""
        if not self.same_site(request):
            raise HTTPException(403, "refused: the request comes from another site")
        given, cookie = form_token or "", request.cookies.get(CSRF_COOKIE, "")
        if not (given and cookie and hmac.compare_digest(given.encode(), cookie.encode())):
            raise HTTPException(403, "refused: the form's CSRF token is missing or stale (reload the page)")

    def require_write(self, request: Request, *, form_token: str | None = None, form: bool = False) -> str:
        """Check a write: who may write, where it comes from, the CSRF token of a form, and the
        rate. Raises :class:`HTTPException` (401, 403, 429); returns who writes, for annotations: "admin" (the
        token) or the client's address."""
        if not self.same_site(request):
            raise HTTPException(403, "refused: the request comes from another site")
        if not self.signed_in(request):
            if self.writable == "none":
                raise HTTPException(403, "this server is read-only: start it with CORROBORATE_TOKEN (or a token "
                                         "file) to allow writes, or on 127.0.0.1")
            if self.writable == "local":
                raise HTTPException(403, "without a token, only clients on this machine may write")
            raise HTTPException(401, "writes need the admin token (Authorization: Bearer TOKEN, or sign in)",
                                headers={"WWW-Authenticate": "Bearer"})
        bearer = request.headers.get("authorization", "").lower().startswith("bearer ")
        if (form or request.cookies.get(SESSION_COOKIE)) and not bearer:  # a browser: the double submit
            self.check_form(request, form_token or request.headers.get(CSRF_HEADER, ""))
        client = request.client.host if request.client else "unknown"
        if not self._limiter.hit(self._rate, "write", client):
            stats = self._limiter.get_window_stats(self._rate, "write", client)
            wait = max(1, int(stats.reset_time - time.time()) + 1)
            raise HTTPException(429, f"too many writes from {client}: at most {self.rate}",
                                headers={"Retry-After": str(wait)})
        return "admin" if self.token else client


def new_csrf() -> str:
    return secrets.token_urlsafe(24)
