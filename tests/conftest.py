"""Shared fixtures. Tests that need ../shared (seed reports, dev data) skip with a clear reason
when it is absent, as on a user's fresh clone; CI has it."""

from __future__ import annotations

import os

import pytest
from helpers import CROCUS, DEMO


@pytest.fixture(scope="session")
def nlp():
    from corroborate.analyze.nlp import load_nlp

    return load_nlp()


@pytest.fixture(scope="session")
def demo_result():
    import corroborate

    return corroborate.run([DEMO])


@pytest.fixture(scope="session")
def crocus_result():
    if not CROCUS.exists():
        pytest.skip("../shared (seed reports) is not present beside the repo")
    import corroborate

    return corroborate.run([CROCUS])


@pytest.fixture(scope="session")
def crocus_incident(crocus_result):
    """The two seed reports reconciled as the one incident they tell (the linker keeps them apart:
    a known failure, see tests/incidents/test_cluster.py), for the tests of reconciliation."""
    from corroborate.incidents.cluster import incident_id
    from corroborate.incidents.reconcile import reconcile

    return reconcile(crocus_result.reports, ident=incident_id(crocus_result.reports[0].id))


@pytest.fixture(scope="session")
def crocus_000(crocus_result):
    return next(r for r in crocus_result.reports if r.id.startswith("000_"))


@pytest.fixture(scope="session")
def crocus_004(crocus_result):
    return next(r for r in crocus_result.reports if r.id.startswith("004_"))


# The browser (Debian's chromium through Playwright), shared by tests/render and tests/serve: one
# sync Playwright per process (a second one inside the first's loop fails) ---------------------------
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
