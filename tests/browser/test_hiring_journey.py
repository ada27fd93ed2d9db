"""Issue 4's journey in a real browser: a job order from the employer's request to their
evaluation of a presented candidate.

The employer requests a hire in the portal and sees it waiting for approval; the account
manager approves it (assigning a recruiter) and opens it; the employer's dashboard shows it
open; the recruiter presents two candidates on the pipeline board (htmx, no reload); the
employer evaluates one with "advance" and the summary shows the averages.
"""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest
from playwright.sync_api import Page, expect

from extensions import db
from models.access import ROLE_RECRUITER
from tests.factories import make_user

from .conftest import bayanihan, chromium_page, portal_login, staff_login

pytestmark = pytest.mark.browser

JOB_TITLE = "Head of Cold Chain Logistics"
SCORES = {"Skills": 4, "Experience": 5, "Cultural fit": 3, "Communication": 4}  # average 4.0


@pytest.fixture
def people(app) -> SimpleNamespace:
    """An account manager owning the client, a recruiter, and the client's hiring manager."""
    with app.app_context():
        _manager, _client, link = bayanihan()
        recruiter = make_user(ROLE_RECRUITER, username="bea", first_name="Bea", last_name="Cruz")
        values = SimpleNamespace(
            manager="paolo", recruiter="bea", recruiter_id=recruiter.id, employer=link.contact.email
        )
        db.session.remove()
    return values


def portal_logout(page: Page) -> None:
    page.goto("/portal/logout")
    page.locator("form button[type=submit]").first.click()
    expect(page).to_have_url(re.compile(r"/portal/login"))


def present(page: Page, first: str, last: str) -> None:
    """Add a new candidate on the board, then move them to 'Submitted to client' with htmx."""
    page.locator("#add-candidate summary").click()
    page.fill("#new-first_name", first)
    page.fill("#new-last_name", last)
    page.fill("#new-email", f"{first.lower()}.{last.lower()}@people.example")
    page.fill("#new-current_title", "Supply Chain Director")
    page.get_by_role("button", name="Add to pipeline").click()
    card = page.locator("#column-sourced .pipeline-card", has_text=f"{first} {last}")
    expect(card).to_be_visible()
    card.locator("select[name=stage]").select_option("submitted")
    card.get_by_role("button", name="Move").click()
    expect(
        page.locator("#column-submitted .pipeline-card", has_text=f"{first} {last}")
    ).to_be_visible()


def test_a_job_order_from_request_to_evaluation(live_server, people):
    with chromium_page(live_server) as page:
        # The employer requests a hire; it is listed as waiting for approval.
        portal_login(page, people.employer)
        page.goto("/portal/jobs/new")
        page.fill("#title", JOB_TITLE)
        page.fill("#location", "Cabuyao, Laguna")
        page.fill("#description", "Run the cold chain for three plants.")
        page.fill("#requirements", "10+ years in cold chain\nTeam leadership")
        page.select_option("#urgency", "high")
        page.fill("#timeline_days", "45")
        page.get_by_role("button", name="Send for approval").click()
        page.goto("/portal/jobs")
        row = page.locator("tr, li, article", has_text=JOB_TITLE).first
        expect(row).to_contain_text(re.compile("submitted|awaiting approval", re.I))
        portal_logout(page)

        # The account manager approves it, assigning the recruiter, and opens it.
        staff_login(page, people.manager)
        page.goto("/joborderview/list/")
        listed = page.locator("tr", has_text=JOB_TITLE)
        expect(listed).to_contain_text(re.compile("submitted", re.I))
        listed.locator("a[href*='/joborderview/show/']").first.click()
        page.locator("#approve-form select[name=recruiters]").select_option(
            str(people.recruiter_id)
        )
        page.locator("#approve-form button[data-verb=approve]").click()
        expect(page.locator("body")).to_contain_text(re.compile("approved", re.I))
        page.locator("button[data-verb=open]").click()
        expect(page.locator("button[data-verb=hold]")).to_be_visible()
        job_url = page.url
        job_id = re.search(r"/show/(\d+)", job_url).group(1)
        page.goto("/logout/")

        # The employer's dashboard shows it open.
        portal_login(page, people.employer)
        targets = page.locator("[aria-labelledby=targets-title]")
        expect(targets).to_contain_text(JOB_TITLE)
        page.goto("/portal/jobs")
        expect(page.locator("tr, li, article", has_text=JOB_TITLE).first).to_contain_text(
            re.compile("open", re.I)
        )
        portal_logout(page)

        # The recruiter presents two candidates on the board, without a page reload.
        staff_login(page, people.recruiter)
        page.goto(f"/pipeline/{job_id}")
        page.evaluate("window.__no_reload = true")
        present(page, "Ana", "Villar")
        present(page, "Rodel", "Pascual")
        assert page.evaluate("window.__no_reload") is True, "the board reloaded the page"
        page.goto("/logout/")

        # The employer evaluates one with "advance"; the summary shows the averages.
        portal_login(page, people.employer)
        page.goto(f"/portal/jobs/{job_id}")
        card = page.locator("article.candidate", has_text="Ana Villar")
        expect(page.locator("article.candidate", has_text="Rodel Pascual")).to_be_visible()
        for index, score in enumerate(SCORES.values()):
            card.locator(f"input[name=score-{index}][value='{score}']").check(force=True)
        card.locator("input[name=decision][value=advance]").check(force=True)
        card.locator("textarea[name=comments]").fill("Strong operator; meet her this week.")
        page.evaluate("window.__no_reload = true")
        card.get_by_role("button", name="Save evaluation").click()
        expect(page.locator("article.candidate", has_text="Ana Villar")).to_contain_text(
            "Update evaluation"
        )
        assert page.evaluate("window.__no_reload") is True, "the evaluation reloaded the page"
        summary = page.locator("#evaluation-summary")
        row = summary.locator("tr", has_text="Ana Villar")
        expect(row).to_contain_text("4.0")
        expect(row).to_contain_text(re.compile("advance", re.I))
        expect(row).to_contain_text("Maria Santos")
