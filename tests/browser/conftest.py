"""Browser test set-up: the suite's app served on a loopback port, and Debian's chromium.

The server runs the session ``app`` in a thread (werkzeug, threaded) so Playwright can reach it;
data is created through the factories in an app context, like every other test.
Chromium is Debian's (/usr/bin/chromium, installed by ``make test`` when root); Playwright never
downloads a browser. Without it a browser test is skipped, except under CI=true, where it fails.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from tests.conftest import IN_CI, PASSWORD

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
def _chromium():
    """Headless Debian chromium, closed on the way out."""
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def _new_context(browser, base_url: str):
    context = browser.new_context(base_url=base_url)
    context.set_default_timeout(TIMEOUT_MS)
    return context


@contextmanager
def chromium_page(base_url: str):
    """A fresh Playwright page in headless Debian chromium, with ``base_url`` for relative gotos."""
    with _chromium() as browser:
        context = _new_context(browser, base_url)
        yield context.new_page()
        context.close()


@contextmanager
def two_browsers(base_url: str):
    """Two pages in two separate browser contexts (cookies apart) of one headless chromium."""
    with _chromium() as browser:
        contexts = [_new_context(browser, base_url) for _ in range(2)]
        yield contexts[0].new_page(), contexts[1].new_page()
        for context in contexts:
            context.close()


def bayanihan(areas=("hiring",)):
    """Bayanihan Foods, owned by Paolo (an account manager, username ``paolo``); Maria Santos,
    its primary contact, with a portal login to ``areas`` (call in an app context).

    :return: the manager, the client and Maria's link to it.
    """
    from models.access import ROLE_ACCOUNT_MANAGER
    from tests.factories import (
        ClientContactFactory,
        ClientFactory,
        ContactFactory,
        make_portal_user,
        make_user,
    )

    manager = make_user(
        ROLE_ACCOUNT_MANAGER, username="paolo", first_name="Paolo", last_name="Mendoza"
    )
    client = ClientFactory(
        name="Bayanihan Foods Corporation", short_name="BAYANIHAN", owner=manager
    )
    link = ClientContactFactory(
        client=client,
        contact=ContactFactory(
            first_name="Maria", last_name="Santos", email="maria.santos@bayanihanfoods.example"
        ),
        role="primary",
    )
    make_portal_user(link, areas=areas)
    return manager, client, link


def portal_login(page, username: str) -> None:
    """Sign in to the portal as ``username`` and land on the dashboard."""
    from playwright.sync_api import expect

    page.goto("/portal/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/portal/?$"))


def staff_login(page, username: str) -> None:
    """Sign in to the staff admin as ``username``."""
    from playwright.sync_api import expect

    page.goto("/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("input[type=submit], button[type=submit]").first.click()
    expect(page).not_to_have_url(re.compile(r"/login/?$"))
