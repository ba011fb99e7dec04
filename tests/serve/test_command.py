"""``corroborate serve`` on the command line: a store, a token file or an address that cannot
work is one clear error (exit code 2), not a traceback."""

from __future__ import annotations

import socket
import subprocess
import sys


def serve(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "corroborate.cli", "serve", *args], capture_output=True, text=True,
                          timeout=120, check=False)


def test_errors_are_one_clear_line(sqlite_filled, tmp_path):
    missing = serve("--db", f"sqlite:///{tmp_path / 'no' / 'such.db'}", "--port", "1")
    assert missing.returncode == 2 and "does not exist" in missing.stderr and "Traceback" not in missing.stderr
    token = serve("--db", sqlite_filled, "--token-file", str(tmp_path / "absent"))
    assert token.returncode == 2 and "token file" in token.stderr and "cannot read it" in token.stderr
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        busy = serve("--db", sqlite_filled, "--port", str(port))
    assert busy.returncode == 2 and f"cannot listen on 127.0.0.1:{port}" in busy.stderr
    assert [line for line in busy.stderr.splitlines() if line.strip()] == [busy.stderr.strip().splitlines()[-1]]
