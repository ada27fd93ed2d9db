"""Offers seen from elsewhere: "Make offer" on the pipeline board's cards, the job order page's
Offers tab with its link to the filtered list, and the offers list's query count."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import event

from extensions import db
from models import JobOrder
from tests.conftest import login_staff
from tests.factories import add_candidate, draft_offer, make_user, open_job_order


@pytest.fixture
def board(app):
    """A recruiter signed in; their open job order with candidates at several stages, one of
    them with an open offer."""
    with app.app_context():
        recruiter = make_user("Recruiter")
        job = open_job_order(recruiter=recruiter, salary_max=Decimal("120000"))
        ids = {
            stage: add_candidate(job, stage).id
            for stage in ("screened", "submitted", "client_interview")
        }
        offer = draft_offer(job)
        ids.update(job=job.id, offered=offer.application_id, offer=offer.id, number=offer.number)
        ids["username"] = recruiter.username
    http = app.test_client()
    assert login_staff(http, ids["username"]).status_code == 302
    ids["http"] = http
    return ids


def _card(page: str, application_id: int) -> str:
    return page.split(f'id="card-{application_id}"')[1].split("</article>")[0]


def test_cards_from_submitted_on_offer_make_offer_and_an_offered_one_links_its_offer(app, board):
    page = board["http"].get(f"/pipeline/{board['job']}").get_data(as_text=True)
    for stage in ("submitted", "client_interview"):
        assert f"/offerview/add?application={board[stage]}" in _card(page, board[stage])
    assert "Make offer" not in _card(page, board["screened"])
    offered = _card(page, board["offered"])
    assert f'href="/offerview/show/{board["offer"]}"' in offered and board["number"] in offered
    assert "Make offer" not in offered


def signed_in(app, role: str):
    with app.app_context():
        username = make_user(role).username
    http = app.test_client()
    assert login_staff(http, username).status_code == 302
    return http


def test_finance_reads_the_board_without_make_offer(app, board):
    http = signed_in(app, "Finance")
    page = http.get(f"/pipeline/{board['job']}").get_data(as_text=True)
    assert 'id="column-submitted"' in page and "Make offer" not in page


def test_the_job_order_page_lists_its_offers_and_links_the_filtered_list(app, board):
    page = board["http"].get(f"/joborderview/show/{board['job']}").get_data(as_text=True)
    assert "Offers (1)" in page
    tab = page.split('id="job-offers"')[1].split("</table>")[0]
    assert board["number"] in tab and "USD 110,000.00" in tab
    assert f"/offerview/list/?_flt_0_job_order={board['job']}" in page
    listed = board["http"].get(f"/offerview/list/?_flt_0_job_order={board['job']}")
    assert board["number"] in listed.get_data(as_text=True)


def test_finance_sees_no_offers_tab(app, board):
    http = signed_in(app, "Finance")
    page = http.get(f"/joborderview/show/{board['job']}").get_data(as_text=True)
    assert 'id="job-offers"' not in page


def _list_queries(app, http, offers: int, job_id: int) -> int:
    with app.app_context():
        job = db.session.get(JobOrder, job_id)
        for _ in range(offers):
            draft_offer(job)
        engine = db.engine
    statements = []

    def count(*args):
        statements.append(args[2])

    event.listen(engine, "before_cursor_execute", count)
    try:
        response = http.get("/offerview/list/")
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert response.status_code == 200
    return len(statements)


def test_the_list_runs_as_many_queries_for_many_offers_as_for_one(app, board):
    http = signed_in(app, "Admin")
    few = _list_queries(app, http, 1, board["job"])
    many = _list_queries(app, http, 8, board["job"])
    assert many == few
