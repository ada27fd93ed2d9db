"""Issue 6's acceptance journey in a real browser: a finance contact pays part of an invoice.

The contact signs in to the portal, opens the invoice from the list, types a part of the
balance and pays by card. The card payment page is the local Stripe stub's: its "Pay now"
POSTs a correctly signed ``checkout.session.completed`` to the app's webhook (the app is served
by a real server) and sends the browser back to the portal, which shows the payment received
and the balance left.
"""

from __future__ import annotations

import re
from decimal import Decimal
from types import SimpleNamespace

import pytest
from playwright.sync_api import expect

from extensions import db
from models import Invoice
from tests.factories import (
    ClientContactFactory,
    ClientFactory,
    ContactFactory,
    issued_invoice,
    make_portal_user,
)
from tests.stripe_stub import serving

from .conftest import chromium_page
from .test_hiring_journey import portal_login

pytestmark = pytest.mark.browser


@pytest.fixture
def finance_contact(app) -> SimpleNamespace:
    """Bayanihan Foods' finance contact (billing area only) and its invoice of PHP 28,000."""
    with app.app_context():
        client = ClientFactory(name="Bayanihan Foods Corporation", short_name="BAYANIHAN")
        link = ClientContactFactory(
            client=client,
            contact=ContactFactory(
                first_name="Rosa", last_name="Lim", email="rosa.lim@bayanihanfoods.example"
            ),
            role="secondary",
        )
        make_portal_user(link, areas=("billing",))
        invoice = issued_invoice(client, lines=[("Placement fee: plant manager", "25000.00")])
        values = SimpleNamespace(
            username=link.contact.email, invoice_id=invoice.id, number=invoice.number
        )
        assert invoice.total == Decimal("28000.00")  # 12% VAT on a Local client
        db.session.remove()
    return values


@pytest.fixture
def stripe(app, live_server, monkeypatch):
    """The Stripe stub, delivering its webhooks to the served app, which sends browsers back
    to the served portal."""
    with serving(app, monkeypatch) as stub:
        stub.webhook_url = f"{live_server}/webhooks/stripe"
        monkeypatch.setitem(app.config, "PUBLIC_URL", live_server)
        yield stub


def test_a_finance_contact_pays_part_of_an_invoice_and_sees_the_balance_left(
    app, live_server, stripe, finance_contact
):
    with chromium_page(live_server) as page:
        portal_login(page, finance_contact.username)
        page.get_by_role("link", name="Invoices").first.click()
        expect(page.locator("#invoice-totals")).to_contain_text("PHP 28,000.00")
        page.get_by_role("link", name=finance_contact.number).click()
        expect(page).to_have_url(re.compile(rf"/portal/invoices/{finance_contact.invoice_id}$"))
        expect(page.locator("#invoice-balance")).to_have_text("PHP 28,000.00")

        # A too-large amount is refused beside the field, with the value kept.
        amount = page.get_by_label("Amount to pay")
        amount.fill("30000")
        page.get_by_role("button", name="Pay by card").click()
        expect(page.locator(".field__error")).to_contain_text("at most the open balance")
        expect(page.get_by_label("Amount to pay")).to_have_value("30000")

        # Part of it, through the provider's page.
        page.get_by_label("Amount to pay").fill("10000.50")
        page.get_by_role("button", name="Pay by card").click()
        expect(page).to_have_url(re.compile(rf"^{re.escape(stripe.base_url)}/pay/cs_test_"))
        expect(page.locator("h1")).to_have_text("Pay PHP 10,000.50")
        page.get_by_role("button", name="Pay now").click()

        # Back in the portal: received, and what is left.
        expect(page).to_have_url(re.compile(r"/portal/invoices/\d+/checkouts/\d+$"))
        status = page.locator("#checkout-status")
        expect(status).to_have_attribute("data-status", "completed")
        expect(status).to_contain_text("Payment received")
        expect(page.locator("#return-balance")).to_have_text("PHP 17,999.50")
        page.get_by_role("link", name="Back to the invoice").click()
        expect(page.locator("#invoice-balance")).to_have_text("PHP 17,999.50")
        expect(page.locator("#invoice-payments")).to_contain_text("Card (online)")
        expect(page.locator("#invoice-payments")).to_contain_text("PHP 10,000.50")

    assert [status for status, _body in stripe.deliveries] == [200]
    with app.app_context():
        invoice = db.session.get(Invoice, finance_contact.invoice_id)
        assert invoice.status == "partially_paid"
        assert (invoice.amount_paid, invoice.balance) == (Decimal("10000.50"), Decimal("17999.50"))
        [payment] = invoice.payments
        assert payment.method == "card" and payment.provider_payment_id.startswith("pi_")
        db.session.remove()
