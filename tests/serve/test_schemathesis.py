"""schemathesis over the server's own OpenAPI document, against a real ``corroborate serve``:
every check (server errors, status codes and response schemas as documented, schema-valid
requests accepted and invalid ones rejected, Allow headers, stateful links), 0 failures."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from serving import Server

TOKEN = "schemathesis-token-0123456789"


def test_schemathesis_finds_no_failure(sqlite_filled, tmp_path):
    server = Server(sqlite_filled, env={"CORROBORATE_TOKEN": TOKEN, "CORROBORATE_WRITE_RATE": "100000/minute"})
    try:
        run = subprocess.run(
            [str(Path(sys.executable).parent / "schemathesis"), "run", f"{server.base}/openapi.json", "--checks", "all",
             "-H", f"Authorization: Bearer {TOKEN}", "--max-examples", "40", "--seed", "19", "--no-color"],
            capture_output=True, text=True, timeout=900, check=False, cwd=tmp_path)  # its cache folder goes there
    finally:
        log = server.stop()
    summary = run.stdout[-3000:]
    assert run.returncode == 0, summary + run.stderr[-2000:]
    assert "failure" not in summary.splitlines()[-1] and " passed" in summary, summary
    assert "Traceback" not in log, log[-3000:]
