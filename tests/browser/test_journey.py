"""A person's journey through ClientDesk in a real browser (Debian's chromium via Playwright).

An account manager adds a client, trips over the short-name rule, fixes it and finds the client
in the list; then one of a client's people signs in to the portal and lands on their company.
"""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest
from playwright.sync_api import Page, expect

from extensions import db
from models.access import ROLE_ACCOUNT_MANAGER
from tests.conftest import PASSWORD
from tests.factories import (
    ClientContactFactory,
    ClientFactory,
    ContactFactory,
    make_portal_user,
    make_user,
)

from .conftest import chromium_page

pytestmark = pytest.mark.browser

NEW_CLIENT = "Tamaraw Outsourcing Inc."
SHORT_NAME_RULE = "Short name must be 2 to 191 characters long"


@pytest.fixture
def people(app) -> SimpleNamespace:
    """An account manager, and a portal user at another client (hiring area only)."""
    with app.app_context():
        make_user(ROLE_ACCOUNT_MANAGER, username="paolo", first_name="Paolo", last_name="Mendoza")
        link = ClientContactFactory(
            client=ClientFactory(name="Bayanihan Foods Corporation", short_name="BAYANIHAN"),
            contact=ContactFactory(
                first_name="Maria", last_name="Santos", email="maria.santos@bayanihanfoods.example"
            ),
            role="primary",
        )
        make_portal_user(link, areas=("hiring",))
        values = SimpleNamespace(
            manager="paolo", portal_user=link.contact.email, company=link.client.name
        )
        db.session.remove()
    return values


def choose(page: Page, select_id: str, option: str) -> None:
    """Pick an option of a select2 widget as a person does: open it, click the option."""
    page.locator(f"#{select_id} + .select2-container .select2-selection").click()
    page.locator(".select2-results__option", has_text=re.compile(rf"^{option}$")).click()


def cell_of(page: Page, field_id: str):
    """The form cell holding a field, where FAB shows the field's errors."""
    return page.locator(f"#{field_id}").locator("xpath=ancestor::td[1]")


def test_staff_add_a_client_past_a_rule_then_a_client_signs_in_to_the_portal(live_server, people):
    with chromium_page(live_server) as page:
        page.goto("/login/")
        page.fill("input[name=username]", people.manager)
        page.fill("input[name=password]", PASSWORD)
        page.locator("input[type=submit], button[type=submit]").first.click()
        expect(page).not_to_have_url(re.compile(r"/login/"))

        page.goto("/clientview/add")
        page.fill("#name", NEW_CLIENT)
        page.fill("#short_name", "X")
        choose(page, "location", "Local")
        choose(page, "status", "prospect")
        page.fill("#currency", "PHP")
        page.get_by_role("button", name="Save").click()

        expect(cell_of(page, "short_name")).to_contain_text(SHORT_NAME_RULE)
        expect(page.locator("#name")).to_have_value(NEW_CLIENT)
        expect(page.locator("#short_name")).to_have_value("X")
        expect(page.locator("#location")).to_have_value("Local")
        expect(page.locator("#status")).to_have_value("prospect")
        expect(page.locator("#currency")).to_have_value("PHP")

        page.fill("#short_name", "TAMARAW")
        page.get_by_role("button", name="Save").click()
        expect(page.get_by_text(SHORT_NAME_RULE)).to_have_count(0)

        page.goto("/clientview/list/")
        row = page.locator("tr", has_text=NEW_CLIENT)
        expect(row).to_have_count(1)
        expect(row).to_contain_text("TAMARAW")

        page.goto("/logout/")
        page.goto("/portal/login")
        page.fill("input[name=username]", people.portal_user)
        page.fill("input[name=password]", PASSWORD)
        page.get_by_role("button", name="Sign in").click()

        expect(page).to_have_url(re.compile(r"/portal/?$"))
        expect(page.locator("h1")).to_have_text(people.company)
