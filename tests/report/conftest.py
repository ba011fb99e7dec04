"""Playwright fixtures: Debian's Chromium, headless, driven through Playwright for Python.

Never runs ``playwright install`` (it cannot download here): the browser is
``/usr/bin/chromium`` (``scripts/install-chromium.sh``; ``.ci/run`` installs it).
Without Chromium or Playwright the browser tests skip with a reason, except when
``CORROBORATE_REQUIRE_BROWSER=1`` (set by ``.ci/run``): then they fail, so CI
never passes by skipping them.
"""

from __future__ import annotations

import os

import pytest

CHROMIUM_PATH = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                 "--disable-dev-shm-usage"]


def _missing(reason: str):
    if os.environ.get("CORROBORATE_REQUIRE_BROWSER") == "1":
        pytest.fail(reason + " (CORROBORATE_REQUIRE_BROWSER=1)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser():
    if not (os.path.isfile(CHROMIUM_PATH) and os.access(CHROMIUM_PATH, os.X_OK)):
        _missing(f"browser tests need Debian's chromium at {CHROMIUM_PATH} (scripts/install-chromium.sh)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("browser tests need the 'playwright' package (the test extra)")
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM_PATH, headless=True, args=CHROMIUM_ARGS, timeout=60_000)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    """A fresh page; ``page.console_messages`` and ``page.page_errors`` collect what the page logs."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    context.set_default_timeout(30_000)
    pg = context.new_page()
    pg.console_messages = []
    pg.page_errors = []
    pg.on("console", lambda msg: pg.console_messages.append((msg.type, msg.text)))
    pg.on("pageerror", lambda err: pg.page_errors.append(str(err)))
    yield pg
    context.close()
