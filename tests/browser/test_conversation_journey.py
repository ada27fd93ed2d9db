"""Issue 7's conversation journey in real browsers: the employer writes in a conversation in
the portal (htmx, the page does not navigate), an account manager signed in to the admin in a
second browser context sees it and replies, and the employer's open thread shows the reply
(the message list polls), then again after a reload.
"""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest
from playwright.sync_api import expect

from extensions import db
from models import Conversation

from .conftest import bayanihan, portal_login, staff_login, two_browsers

pytestmark = pytest.mark.browser

SUBJECT = "Start dates for the Cabuyao plant"
QUESTION = "Can the two line supervisors start on the 5th of January?"
ANSWER = "Yes: both confirmed the 5th. Contracts follow tomorrow."
POLL_SECONDS = 2


@pytest.fixture
def people(app, monkeypatch) -> SimpleNamespace:
    """Bayanihan, owned by Paolo (an account manager); Maria, its hiring manager, with a
    thread Paolo opened with her."""
    monkeypatch.setitem(app.config, "CONVERSATION_POLL_SECONDS", POLL_SECONDS)
    with app.app_context():
        manager, client, link = bayanihan()
        conversation = Conversation.action_start(
            client, SUBJECT, "Welcome aboard: tell us about start dates here.", user=manager
        )
        db.session.commit()
        values = SimpleNamespace(
            manager="paolo", employer=link.contact.email, conversation_id=conversation.id
        )
        db.session.remove()
    return values


def test_an_employer_writes_staff_reply_and_the_employer_sees_the_reply(live_server, people):
    with two_browsers(live_server) as (employer, staff):
        # The employer opens the thread from Messages (the nav shows one unread).
        portal_login(employer, people.employer)
        expect(employer.locator("#unread-messages")).to_have_text("1")
        employer.get_by_role("link", name=re.compile("^Messages")).click()
        employer.get_by_role("link", name=SUBJECT).click()
        thread_url = employer.url
        assert thread_url.endswith(f"/portal/messages/{people.conversation_id}")

        # ... and writes in it with htmx: the message appears, the page did not navigate.
        employer.evaluate("window.__stillHere = true")
        employer.fill("#body", QUESTION)
        employer.get_by_role("button", name="Send").click()
        expect(employer.locator("#thread-notice")).to_have_text("Message sent.")
        expect(employer.locator("#thread-messages .message--client")).to_contain_text(QUESTION)
        expect(employer.locator("#body")).to_have_value("")
        assert employer.evaluate("window.__stillHere") is True
        assert employer.url == thread_url

        # The account manager, in another browser context, sees it unread and replies.
        staff_login(staff, people.manager)
        staff.goto("/conversationview/list/")
        row = staff.locator("tr", has_text=SUBJECT)
        expect(row).to_contain_text("1")
        row.locator("a[href*='/conversationview/show/']").first.click()
        expect(staff.locator("#conversation-messages")).to_contain_text(QUESTION)
        expect(staff.locator("#conversation-messages")).to_contain_text("Maria Santos")
        staff.fill("#body", ANSWER)
        staff.get_by_role("button", name="Send reply").click()
        expect(staff.locator("body")).to_contain_text("1 person told by email")
        expect(staff.locator("#conversation-messages")).to_contain_text(ANSWER)

        # The employer's open thread shows the reply without a reload (the list polls) ...
        reply = employer.locator("#thread-messages .message--staff", has_text=ANSWER)
        expect(reply).to_be_visible(timeout=(POLL_SECONDS + 10) * 1000)
        expect(reply).to_contain_text("Paolo Mendoza")
        assert employer.evaluate("window.__stillHere") is True

        # ... and after a reload, with nothing left unread.
        employer.reload()
        expect(employer.locator("#thread-messages")).to_contain_text(ANSWER)
        expect(employer.locator("#unread-messages")).to_have_count(0)
