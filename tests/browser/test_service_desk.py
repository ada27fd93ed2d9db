"""Issue 9's service desk journey in real browsers: an employer raises a request in the portal
(with a screenshot attached); the account manager, signed in to the admin in a second browser
context, answers it and resolves it; the employer's open request shows the answer without a
reload (the conversation polls), approves completion and rates the service.
"""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from extensions import db
from models import Ticket

from .conftest import bayanihan, portal_login, staff_login, two_browsers

pytestmark = pytest.mark.browser

SUBJECT = "Shift schedules missing from the candidate pack"
DETAIL = "The packs sent on Monday have no shift schedule page."
ANSWER = "The schedule page was left out of the template: we are adding it back today."
RESOLUTION = "Template fixed; Monday's packs were sent again with the schedule."
POLL_SECONDS = 2


@pytest.fixture
def people(app, monkeypatch) -> SimpleNamespace:
    """Bayanihan, owned by Paolo (an account manager); Maria, its hiring manager, in the portal."""
    monkeypatch.setitem(app.config, "CONVERSATION_POLL_SECONDS", POLL_SECONDS)
    with app.app_context():
        _manager, client, link = bayanihan()
        db.session.commit()
        values = SimpleNamespace(manager="paolo", employer=link.contact.email, client_id=client.id)
        db.session.remove()
    return values


def test_an_employer_raises_a_request_staff_answer_the_employer_approves_and_rates(
    app, live_server, people
):
    with two_browsers(live_server) as (employer, staff):
        # The employer raises a high-priority request from Support, with a screenshot.
        portal_login(employer, people.employer)
        employer.get_by_role("link", name=re.compile("^Support")).click()
        employer.get_by_role("link", name="Raise a request").click()
        employer.fill("#subject", SUBJECT)
        employer.select_option("#category", "candidates")
        employer.select_option("#priority", "high")
        employer.fill("#description", DETAIL)
        employer.set_input_files(
            "#file",
            {"name": "pack.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n%%EOF\n"},
        )
        employer.get_by_role("button", name="Send request").click()
        expect(employer.locator(".alert--success")).to_contain_text("was sent to the agency")
        expect(employer.locator("#ticket-status")).to_have_text("New")
        expect(employer.locator("#request-files")).to_contain_text("pack.pdf")
        expect(employer.locator("#ticket-facts")).to_contain_text("first answer within 24 hours")
        ticket_url = employer.url
        with app.app_context():
            ticket = db.session.scalar(select(Ticket).where(Ticket.subject == SUBJECT))
            reference = ticket.reference
            db.session.remove()

        # The account manager finds it in the service desk and answers.
        staff_login(staff, people.manager)
        staff.goto("/tickets/list/")
        staff.get_by_role("link", name=SUBJECT).click()
        expect(staff.locator("#ticket-reference")).to_have_text(reference)
        expect(staff.locator("#request-attachments")).to_contain_text("pack.pdf")
        staff.fill("#body", ANSWER)
        staff.get_by_role("button", name="Add comment").click()
        expect(staff.locator("#ticket-comments")).to_contain_text(ANSWER)

        # The employer's open page shows the answer without a reload (the conversation polls).
        employer.evaluate("window.__stillHere = true")
        answer = employer.locator("#ticket-comments .message--staff", has_text=ANSWER)
        expect(answer).to_be_visible(timeout=(POLL_SECONDS + 10) * 1000)
        expect(answer).to_contain_text("Paolo Mendoza")
        assert employer.evaluate("window.__stillHere") is True

        # The employer thanks them with htmx (the page does not navigate).
        employer.fill("#body", "Thank you, waiting for the new packs.")
        employer.get_by_role("button", name="Send reply").click()
        expect(employer.locator("#thread-notice")).to_have_text("Reply sent.")
        assert employer.evaluate("window.__stillHere") is True and employer.url == ticket_url

        # Staff resolve it; the employer is asked to approve completion.
        staff.fill("#resolution_note", RESOLUTION)
        staff.get_by_role("button", name="Resolve").click()
        expect(staff.locator("#resolution-note")).to_contain_text(RESOLUTION)

        employer.reload()
        expect(employer.locator("#ticket-status")).to_have_text("Resolved — awaiting approval")
        expect(employer.locator("#resolution")).to_contain_text(RESOLUTION)
        expect(employer.locator("#tickets-awaiting")).to_have_text("1")
        employer.get_by_role("button", name="Approve and close").click()
        expect(employer.locator("#ticket-status")).to_have_text("Closed")

        # ... then rates the service.
        employer.locator("#rate-form label.pip", has_text="5").click()
        employer.fill("#remark", "Fast and clear.")
        employer.get_by_role("button", name="Send rating").click()
        expect(employer.locator("#rated")).to_contain_text("5/5")
        expect(employer.locator("#rate-form")).to_have_count(0)

        # The admin shows the client's verdict on the ticket.
        staff.reload()
        expect(staff.locator("#ticket-rating")).to_contain_text("5/5: Fast and clear.")

    with app.app_context():
        ticket = db.session.scalar(select(Ticket).where(Ticket.subject == SUBJECT))
        assert (ticket.status, ticket.rating, ticket.channel) == ("closed", 5, "portal")
        assert ticket.first_response_at is not None and ticket.approved_at is not None
