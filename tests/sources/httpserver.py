"""A real HTTP server on 127.0.0.1 for the web and feed tests (and bench/fetch.py).

Routes map a path to a sequence of :class:`Reply`: each request to the path takes the next
reply, and the last one repeats. Every request is logged with its time, so tests can check
retries and the rate limit.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Self


@dataclass
class Reply:
    status: int = 200
    body: bytes | str = b""
    content_type: str | None = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds before answering
    stream: int = 0  # send this many bytes (of "x") in 64 KiB chunks, without Content-Length
    drip: float = 0.0  # with stream: seconds between chunks


@dataclass
class Hit:
    path: str
    time: float  # time.monotonic() when the request arrived
    headers: dict[str, str]


class LocalServer:
    """``with LocalServer() as server: server.route("/a", Reply(...)); server.url("/a")``."""

    def __init__(self) -> None:
        self.routes: dict[str, list[Reply]] = {}
        self.hits: list[Hit] = []
        self._lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.0"

            def log_message(self, *args: object) -> None:  # quiet
                pass

            def do_GET(self) -> None:
                outer._serve(self)

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._httpd.handle_error = lambda request, address: None  # a client that hung up is not a test failure
        self.port = self._httpd.server_address[1]
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def url(self, path: str = "/") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def route(self, path: str, *replies: Reply) -> None:
        self.routes[path] = list(replies)

    def hits_of(self, path: str) -> list[Hit]:
        return [hit for hit in self.hits if hit.path == path]

    def _serve(self, handler: BaseHTTPRequestHandler) -> None:
        with self._lock:
            self.hits.append(Hit(handler.path, time.monotonic(), dict(handler.headers)))
            replies = self.routes.get(handler.path) or self.routes.get(handler.path.split("?", 1)[0])
            reply = (replies.pop(0) if len(replies) > 1 else replies[0]) if replies else Reply(404, b"not found", "text/plain")
        if reply.delay:
            time.sleep(reply.delay)
        body = reply.body.encode("utf-8") if isinstance(reply.body, str) else reply.body
        handler.send_response(reply.status)
        if reply.content_type:
            handler.send_header("Content-Type", reply.content_type)
        for key, value in reply.headers.items():
            handler.send_header(key, value)
        if not reply.stream:
            handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        try:
            if reply.stream:
                chunk = b"x" * 65536
                sent = 0
                while sent < reply.stream:
                    handler.wfile.write(chunk[: reply.stream - sent])
                    handler.wfile.flush()
                    sent += len(chunk)
                    if reply.drip:
                        time.sleep(reply.drip)
            else:
                handler.wfile.write(body)
        except OSError:
            pass  # the client stopped reading (a size limit, a timeout)
