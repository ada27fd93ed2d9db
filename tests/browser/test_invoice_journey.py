"""Issue 6's staff journey in a real browser: from the client's Billing tab to a paid invoice.

Finance opens the client's Billing tab, starts a new invoice there, adds a placement fee line,
issues it (the number appears), types an unreadable amount (refused beside the field, the
typed value kept), then registers the whole balance: the invoice is paid, and the Billing tab
shows nothing owed.
"""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pytest
from playwright.sync_api import expect

from extensions import db
from models import Invoice
from models.access import ROLE_FINANCE
from tests.factories import ClientFactory, known_rates, make_user

from .conftest import chromium_page
from .test_hiring_journey import staff_login

pytestmark = pytest.mark.browser


@pytest.fixture
def people(app) -> SimpleNamespace:
    with app.app_context():
        known_rates()
        make_user(ROLE_FINANCE, username="fiona", first_name="Fiona", last_name="Cruz")
        client = ClientFactory(name="Bayanihan Foods Corporation", short_name="BAYANIHAN")
        values = SimpleNamespace(client=client.id)
        db.session.remove()
    return values


def test_finance_invoices_and_takes_payment_from_the_client_page(app, live_server, people):
    with chromium_page(live_server) as page:
        staff_login(page, "fiona")
        page.goto(f"/clientview/show/{people.client}")
        page.locator("a[href='#Billing']").click()
        expect(page.locator("#billing-open-invoices")).to_contain_text("No open invoices")
        page.locator("#billing-new-invoice").click()

        page.select_option("#business_unit", "Permanent")
        page.get_by_role("button", name="Save draft").click()
        expect(page.locator("#invoice-number")).to_contain_text("draft")

        page.select_option("#line-kind", "placement_fee")
        page.fill("#line-description", "Placement fee: Head of Cold Chain")
        page.fill("#line-unit_price", "100000")
        page.fill("#line-percent", "20")
        page.get_by_role("button", name="Add line").click()
        expect(page.locator("#invoice-lines")).to_contain_text("Head of Cold Chain")

        page.get_by_role("button", name="Issue invoice").click()
        expect(page.locator("#invoice-number")).to_have_text(f"INV-{date.today().year}-00001")
        expect(page.locator("#amount-balance")).to_have_text("PHP 22,400.00")

        page.fill("#payment-amount", "22,400.oo")
        page.get_by_role("button", name="Register payment").click()
        expect(page.locator("#payment .has-error")).to_contain_text("Amount must be a number")
        expect(page.locator("#payment-amount")).to_have_value("22,400.oo")

        page.fill("#payment-amount", "22400")
        page.fill("#payment-reference", "BPI-7781")
        page.get_by_role("button", name="Register payment").click()
        expect(page.locator("#invoice-status")).to_have_text("paid")
        expect(page.locator("#invoice-payments")).to_contain_text("BPI-7781")

        page.goto(f"/clientview/show/{people.client}")
        page.locator("a[href='#Billing']").click()
        expect(page.locator("#billing-open-invoices")).to_contain_text("No open invoices")

    with app.app_context():
        invoice = db.session.query(Invoice).one()
        assert (invoice.status, invoice.balance) == ("paid", 0)
