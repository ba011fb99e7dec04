"""Helpers for the server's tests (tests/serve, bench/serve.py): the app in a TestClient, a real
``corroborate serve`` process, and waiting for a job."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time

import httpx

from corroborate.settings import Settings


def make_client(db: str, *, host: str = "127.0.0.1", client: str = "127.0.0.1", **settings):
    """A TestClient over the app on ``db``, as a client at address ``client``."""
    from fastapi.testclient import TestClient

    from corroborate.serve.app import create_app

    app = create_app(db, Settings(**settings), host=host, warm=False)
    return TestClient(app, client=(client, 50000), base_url="http://127.0.0.1:8000")


def wait_job(client, href: str, timeout: float = 180.0, headers: dict | None = None) -> dict:
    """Poll a job until it is done or failed."""
    deadline = time.monotonic() + timeout
    while True:
        job = client.get(href, headers=headers or {}).json()
        if job["status"] in ("done", "failed") or time.monotonic() > deadline:
            return job
        time.sleep(0.2)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """``corroborate serve`` in a process of its own, on 127.0.0.1."""

    def __init__(self, db: str, env: dict[str, str] | None = None) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        environment = {k: v for k, v in os.environ.items() if not k.startswith("CORROBORATE_")}
        environment.update(env or {})
        self.log = tempfile.TemporaryFile(mode="w+", encoding="utf-8")  # noqa: SIM115 (closed by stop); a pipe nobody reads would block the server
        self.process = subprocess.Popen(
            [sys.executable, "-m", "corroborate.cli", "serve", "--db", db, "--port", str(self.port)],
            stdout=self.log, stderr=subprocess.STDOUT, text=True, env=environment)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"corroborate serve exited: {self.stop()}")
            try:
                if httpx.get(self.base + "/api/incidents?limit=1", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("corroborate serve did not answer within 60 s")

    def stop(self) -> str:
        """Stop the server; what it printed."""
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.seek(0)
        out = self.log.read()
        self.log.close()
        return out


