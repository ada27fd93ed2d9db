"""Issue 5's acceptance journey in a real browser: from a quote to a contract.

The account manager opens a draft quote with lines in the admin, adds one more, and sends it;
the employer opens it in the portal and accepts it with their full name; the account manager
converts it to a contract from the quote's page; the contract's page shows version 1, and
version 1 (on the page and in the database) holds the quote's lines.
"""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest
from playwright.sync_api import Page, expect

from extensions import db
from models import Contract, Quote
from tests.factories import quote_with_lines

from .conftest import bayanihan, chromium_page, portal_login, staff_login
from .test_hiring_journey import portal_logout

pytestmark = pytest.mark.browser

QUOTE_LINES = ["VP of Engineering search", "Senior engineers", "Data platform lead"]


@pytest.fixture
def people(app) -> SimpleNamespace:
    """An account manager owning the client, its draft quote with two lines, and the client's
    signatory with a portal login."""
    with app.app_context():
        manager, client, link = bayanihan(("hiring", "signatory"))
        quote = quote_with_lines(client, by=manager, title="Cold chain leadership hiring")
        values = SimpleNamespace(
            manager="paolo", employer=link.contact.email, quote_id=quote.id, number=quote.number
        )
        db.session.remove()
    return values


def send_quote(page: Page, quote_id: int) -> None:
    """Open the draft in the admin, add a third line, and send it."""
    page.goto(f"/quoteview/show/{quote_id}")
    form = page.locator("#add-line")
    form.locator("select[name=service_type]").select_option("contingency recruitment", force=True)
    form.locator("input[name=description]").fill(QUOTE_LINES[2])
    form.locator("input[name=quantity]").fill("1")
    form.locator("input[name=rate]").fill("18000")
    form.get_by_role("button", name="Add line").click()
    expect(page.locator("#quote-lines")).to_contain_text(QUOTE_LINES[2])
    page.locator("#send-quote button").click()
    expect(page.locator("#quote-status")).to_have_text("sent")


def test_a_sent_quote_accepted_in_the_portal_becomes_a_contract_holding_its_lines(
    app, live_server, people
):
    with chromium_page(live_server) as page:
        # The account manager sends the draft quote from the admin.
        staff_login(page, people.manager)
        send_quote(page, people.quote_id)
        page.goto("/logout/")

        # The employer opens it in the portal and accepts it with their full name.
        portal_login(page, people.employer)
        page.goto("/portal/quotes")
        page.get_by_role("link", name="Cold chain leadership hiring").first.click()
        expect(page).to_have_url(re.compile(rf"/portal/quotes/{people.quote_id}$"))
        for description in QUOTE_LINES:
            expect(page.locator("table")).to_contain_text(description)
        page.get_by_label("Your full name").fill("Maria Santos")
        page.get_by_role("button", name=re.compile("Accept quote")).click()
        acceptance = page.locator("#acceptance")
        expect(acceptance).to_contain_text("Maria Santos")
        portal_logout(page)

        # The account manager converts it to a contract from the quote's page.
        staff_login(page, people.manager)
        page.goto(f"/quoteview/show/{people.quote_id}")
        expect(page.locator("#quote-status")).to_have_text("accepted")
        page.locator("#convert-quote button").click()
        expect(page).to_have_url(re.compile(r"/contractview/show/\d+$"))
        contract_id = int(page.url.rsplit("/", 1)[1])

        # The contract's page: version 1, converted from the quote, holding its lines.
        expect(page.locator("#contract-version")).to_have_text("1")
        expect(page.locator("#contract-status")).to_have_text("Draft")
        expect(page.locator("#contract-quote")).to_contain_text(people.number)
        lines = page.locator("#contract-lines tbody tr")
        expect(lines).to_have_count(len(QUOTE_LINES))
        for row, description in zip(lines.all(), QUOTE_LINES, strict=True):
            expect(row).to_contain_text(description)
        first = page.locator("#version-1")
        expect(first).to_contain_text("Converted from quote")
        for description in QUOTE_LINES:
            expect(first).to_contain_text(description)
        # The quote's page now links to it.
        page.goto(f"/quoteview/show/{people.quote_id}")
        expect(page.locator("#quote-contract")).to_have_attribute(
            "href", f"/contractview/show/{contract_id}"
        )

    with app.app_context():
        quote = db.session.get(Quote, people.quote_id)
        contract = db.session.get(Contract, contract_id)
        assert contract.quote_id == quote.id and quote.contract is contract
        [version] = contract.versions
        assert version.number == 1 == contract.version
        assert [
            (line["service_type"], line["description"], line["quantity"], line["rate"])
            for line in version.lines
        ] == [
            (line.service_type, line.description, f"{line.quantity:.2f}", f"{line.rate:.2f}")
            for line in quote.lines
        ]
        assert [line["description"] for line in version.lines] == QUOTE_LINES
        db.session.remove()
