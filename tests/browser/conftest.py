"""Browser test set-up: the suite's app served on a loopback port, and Debian's chromium.

The server runs the session ``app`` in a thread (werkzeug, threaded) so Playwright can reach it;
data is created through the factories in an app context, like every other test.
Chromium is Debian's (/usr/bin/chromium, installed by ``make test`` when root); Playwright never
downloads a browser. Without it a browser test is skipped, except under CI=true, where it fails.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from tests.conftest import IN_CI

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
TIMEOUT_MS = 15_000


@pytest.fixture(scope="session")
def live_server(app) -> Iterator[str]:
    """The app at http://127.0.0.1:<free port>, served from a thread for the whole session."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


def require_chromium() -> None:
    """Skip without Debian's chromium; under CI=true its absence fails the test instead."""
    if CHROMIUM.exists():
        return
    reason = f"{CHROMIUM} is missing: apt-get install chromium (make test does it as root)"
    if IN_CI:
        pytest.fail(f"CI runs the browser tests: {reason}", pytrace=False)
    pytest.skip(reason)


@contextmanager
def chromium_page(base_url: str):
    """A fresh Playwright page in headless Debian chromium, with ``base_url`` for relative gotos."""
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(base_url=base_url)
            context.set_default_timeout(TIMEOUT_MS)
            yield context.new_page()
            context.close()
        finally:
            browser.close()
