"""report.html for a large run: size and load time in Chromium at 5,000 reports.

The GVA dev reports as analyzed by ``make bench`` are varied into 5,000
(``scale.synthetic``), grouped and reconciled, and written out. The page is
then opened in Debian's Chromium through Playwright (as the browser tests do)
and timed to the ``load`` event, best of three.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

from scale import synthetic

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


def measure(reports_path: Path, n: int = 5000) -> dict:
    from corroborate.incidents import build_incidents
    from corroborate.pipeline import Result
    from corroborate.records import Report
    from corroborate.render import write_outputs

    base = [Report.model_validate_json(line) for line in reports_path.open(encoding="utf-8")]
    reports = synthetic(base, n)
    result = Result(reports=reports)
    result.reports, result.incidents = build_incidents(reports)
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        write_outputs(result, tmp)
        write_seconds = time.perf_counter() - started
        html = Path(tmp) / "report.html"
        pages = sorted((Path(tmp) / "report-pages").glob("*.html"))
        row = {"reports": n, "incidents": len(result.incidents), "html_mb": html.stat().st_size / 1e6,
               "md_mb": (Path(tmp) / "report.md").stat().st_size / 1e6, "pages": len(pages),
               "largest_page_mb": max((p.stat().st_size for p in pages), default=0) / 1e6, "write_seconds": write_seconds, "load_seconds": None}
        if not os.access(CHROMIUM, os.X_OK):
            return row
        try:
            from playwright.sync_api import sync_playwright
        except ImportError:
            return row
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu",
                                         "--no-first-run", "--disable-background-networking"])
            for key, path in (("load_seconds", html), ("largest_page_load_seconds", max(pages, key=lambda p: p.stat().st_size) if pages else None)):
                if path is None:
                    continue
                times = []
                for _ in range(3):
                    page = browser.new_page()
                    started = time.perf_counter()
                    page.goto(path.as_uri(), wait_until="load", timeout=120_000)
                    times.append(time.perf_counter() - started)
                    page.close()
                row[key] = min(times)
            browser.close()
    return row


if __name__ == "__main__":
    print(measure(Path(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 5000))
