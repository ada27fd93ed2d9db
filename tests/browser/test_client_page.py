"""An account manager's day on one client page, in a real browser (Debian's chromium).

They make a contact the primary one, add a note and pin it, upload a PDF and schedule a
meeting; the Activity tab then tells the story, newest first, in the order it happened.
"""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest
from playwright.sync_api import Page, expect

from extensions import db
from models.access import ROLE_ACCOUNT_MANAGER
from tests.conftest import PASSWORD
from tests.factories import ClientContactFactory, ClientFactory, ContactFactory, make_user

from .conftest import chromium_page
from .test_hiring_journey import staff_login
from .test_journey import choose

pytestmark = pytest.mark.browser

MINIMAL_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


@pytest.fixture
def desk(app) -> SimpleNamespace:
    """An account manager who owns a client with one (secondary) contact."""
    with app.app_context():
        manager = make_user(
            ROLE_ACCOUNT_MANAGER, username="liza", first_name="Liza", last_name="Soberano"
        )
        link = ClientContactFactory(
            client=ClientFactory(name="Malaya Shipping Corp.", short_name="MALAYA", owner=manager),
            contact=ContactFactory(first_name="Jose", last_name="Rizal"),
            role="secondary",
        )
        values = SimpleNamespace(manager="liza", client_id=link.client_id)
        db.session.remove()
    return values


def open_tab(page: Page, client_id: int, tab: str) -> None:
    page.goto(f"/clientview/show/{client_id}")
    page.locator(".nav-tabs a", has_text=re.compile(rf"^{tab}$")).click()


def test_an_account_manager_works_a_client_from_its_page(live_server, desk, tmp_path):
    pdf = tmp_path / "master-agreement.pdf"
    pdf.write_bytes(MINIMAL_PDF)
    with chromium_page(live_server) as page:
        page.goto("/login/")
        page.fill("input[name=username]", desk.manager)
        page.fill("input[name=password]", PASSWORD)
        page.locator("input[type=submit], button[type=submit]").first.click()
        expect(page).not_to_have_url(re.compile(r"/login/"))

        # Contacts: Jose Rizal becomes the primary contact.
        open_tab(page, desk.client_id, "Contacts")
        contacts = page.locator("#ClientContactView")
        contacts.locator("input.action_check").first.check()
        contacts.get_by_role("button", name="Actions").click()
        contacts.locator(".make_primary_menu_item").click()
        page.locator("#modal-confirm-ok").first.click()
        expect(page.locator(".alert-success")).to_contain_text("primary")

        # Notes: a note from the call.
        open_tab(page, desk.client_id, "Notes")
        page.locator("#NoteView a[href*='/noteview/add']").first.click()
        page.fill("#body", "Called Jose: two more engineers wanted in Q1.")
        page.get_by_role("button", name="Save").click()
        # ... and pinned: an action on a later tab, while the Contacts tab has rows too.
        open_tab(page, desk.client_id, "Notes")
        notes = page.locator("#NoteView")
        notes.locator("input.action_check").first.check()
        notes.get_by_role("button", name="Actions").click()
        notes.locator(".pin_menu_item").click()
        page.locator("#modal-confirm-ok").first.click()
        expect(page.locator(".alert-success")).to_contain_text("pinned")

        # Documents: the signed agreement, as a PDF.
        open_tab(page, desk.client_id, "Documents")
        page.locator("#ClientDocumentView a[href*='/clientdocumentview/add']").first.click()
        page.fill("#title", "Master agreement")
        choose(page, "type", "agreement")
        page.set_input_files("#file", str(pdf))
        page.get_by_role("button", name="Save").click()
        expect(page.get_by_text("is a Linux program")).to_have_count(0)

        # Meetings: a kick-off with Jose.
        open_tab(page, desk.client_id, "Meetings")
        page.locator("#MeetingView a[href*='/meetingview/add']").first.click()
        page.fill("#title", "Q1 hiring kick-off")
        page.fill("#starts_at", "2026-12-01T09:00")
        page.fill("#ends_at", "2026-12-01T10:00")
        choose(page, "contacts", "Jose Rizal")
        page.get_by_role("button", name="Save").click()

        # Activity: all four, newest first.
        open_tab(page, desk.client_id, "Activity")
        rows = page.locator("#ActivityView table tbody tr")
        expect(rows.first).to_be_visible()
        texts = [text.lower() for text in rows.all_inner_texts()]

    def position(word: str) -> int:
        found = [i for i, text in enumerate(texts) if word in text]
        assert found, f"no {word!r} on the Activity tab: {texts}"
        return found[0]

    meeting = position("q1 hiring kick-off")
    document = position("master agreement")
    note = position("two more engineers")
    primary = position("primary")
    assert meeting < document < note < primary, texts


def test_the_performance_tab_loads_its_kpis_when_opened(live_server, desk):
    with chromium_page(live_server) as page:
        staff_login(page, desk.manager)
        open_tab(page, desk.client_id, "Performance")
        performance = page.locator("#client-performance")
        expect(performance).to_be_visible()
        # the KPIs with their formulas, fetched from /kpis/client/<id> when the tab opened
        expect(performance.locator('tr[data-kpi="placements"]')).to_contain_text(
            "Placements whose start date falls in the period"
        )
