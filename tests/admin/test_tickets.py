"""Service desk › Tickets in the admin: the list (only the tickets of clients one may see, with
its filters and overdue marks), "Log a ticket" for a phone call, and the client page's tab."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from sqlalchemy import event, select

from admin.ticket_forms import read_filters
from extensions import db
from jobs.tickets import assign, comment, raise_ticket
from models import Client, ClientTeamMember, Ticket, TicketAttachment
from models.base import utcnow
from tests.conftest import csrf_token, login_staff
from tests.factories import ClientContactFactory, ClientFactory, ContactFactory, make_user
from tests.models.test_documents import pdf_bytes, uploads  # noqa: F401 (a fixture)


@pytest.fixture
def desk(app):
    """Two clients, each with a contact and an open ticket; a recruiter on Bayanihan's team."""
    with app.app_context():
        recruiter = make_user("Recruiter")
        ours = ClientFactory(name="Bayanihan Foods")
        theirs = ClientFactory(name="Mabuhay Logistics")
        maria = ClientContactFactory(
            client=ours, contact=ContactFactory(first_name="Maria", last_name="Santos")
        ).contact
        jose = ClientContactFactory(
            client=theirs, contact=ContactFactory(first_name="Jose")
        ).contact
        db.session.add(ClientTeamMember(client=ours, user=recruiter, role="recruiter"))
        db.session.commit()
        mine = raise_ticket(
            ours, "Payroll export fails", "Since Monday", contact=maria, priority="high"
        )
        other = raise_ticket(theirs, "Secret Mabuhay matter", contact=jose, priority="low")
        return {
            "recruiter": recruiter.username,
            "client": ours.id,
            "other_client": theirs.id,
            "contact": maria.id,
            "other_contact": jose.id,
            "ticket": mine.id,
            "other_ticket": other.id,
        }


def signed_in(app, role=None, username=None):
    browser = app.test_client()
    if username is None:
        with app.app_context():
            username = make_user(role).username
    assert login_staff(browser, username).status_code == 302
    return browser


def owner_of(app, client_id: int) -> str:
    """The username of a new Account Manager who owns client ``client_id`` (and no other)."""
    with app.app_context():
        manager = make_user("Account Manager")
        db.session.get(Client, client_id).owner = manager
        db.session.commit()
        return manager.username


def test_a_recruiter_lists_only_the_tickets_of_the_clients_on_their_team(app, desk):
    browser = signed_in(app, username=desk["recruiter"])
    page = browser.get("/tickets/list/").get_data(as_text=True)
    assert "Payroll export fails" in page and "T-00001" in page
    assert "Secret Mabuhay" not in page and "Mabuhay Logistics" not in page
    assert browser.get(f"/tickets/show/{desk['ticket']}").status_code == 200
    assert browser.get(f"/tickets/show/{desk['other_ticket']}").status_code == 404
    assert browser.get("/tickets/show/99999999999").status_code == 404
    assert browser.get(f"/tickets/{desk['other_ticket']}/attachment/1").status_code == 404


def test_a_portal_user_reaches_no_ticket_page(app, desk):
    browser = signed_in(app, "Client")
    assert browser.get("/tickets/list/").status_code == 403
    assert browser.get(f"/tickets/show/{desk['ticket']}").status_code == 403


def test_the_list_filters_by_priority_client_and_breach_and_marks_overdue(app, desk):
    with app.app_context():
        late = db.session.get(Ticket, desk["other_ticket"])
        late.response_due_at = utcnow() - timedelta(hours=2)
        db.session.commit()
    browser = signed_in(app, "Admin")
    everything = browser.get("/tickets/list/").get_data(as_text=True)
    assert "Payroll export fails" in everything and "Secret Mabuhay matter" in everything
    assert 'data-mark="overdue"' in everything
    high = browser.get("/tickets/list/?priority=high").get_data(as_text=True)
    assert "Payroll export fails" in high and "Secret Mabuhay" not in high
    breached = browser.get("/tickets/list/?breached=1").get_data(as_text=True)
    assert "Secret Mabuhay matter" in breached and "Payroll export fails" not in breached
    by_client = browser.get(f"/tickets/list/?client={desk['client']}").get_data(as_text=True)
    assert "Payroll export fails" in by_client and "Secret Mabuhay" not in by_client
    unassigned = browser.get("/tickets/list/?assignee=none&sort=-created").get_data(as_text=True)
    assert unassigned.index("Secret Mabuhay") < unassigned.index("Payroll export fails")


@pytest.mark.usefixtures("uploads")
def test_staff_log_a_phone_call_as_a_ticket_with_an_attachment(app, desk):
    outsider = signed_in(app, "Account Manager")  # owns no client
    admin = signed_in(app, "Admin")
    url = f"/tickets/log?client_id={desk['client']}"
    form = admin.get(url).get_data(as_text=True)
    assert "Maria Santos" in form and "WhatsApp message" in form
    response = admin.post(
        "/tickets/log",
        data={
            "csrf_token": csrf_token(admin, url),
            "client_id": desk["client"],
            "contact_id": desk["contact"],
            "channel": "phone",
            "category": "technical",
            "priority": "critical",
            "subject": "Portal down for the whole team",
            "description": "Maria called at 9:05.",
            "crisis": "1",
            "file": (io.BytesIO(pdf_bytes()), "screenshot.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    with app.app_context():
        ticket = db.session.scalars(select(Ticket).order_by(Ticket.id.desc())).first()
        assert (ticket.channel, ticket.priority, ticket.category) == (
            "phone",
            "critical",
            "technical",
        )
        assert ticket.crisis and ticket.contact_id == desk["contact"]
        assert ticket.logged_by.username.startswith("admin")
        assert ticket.response_due_at == ticket.created_at + timedelta(hours=4)
        attachment = db.session.scalars(select(TicketAttachment)).one()
        assert attachment.ticket_id == ticket.id and attachment.comment_id is None
        ticket_id, attachment_id = ticket.id, attachment.id
    assert response.headers["Location"].endswith(f"/tickets/show/{ticket_id}")
    page = admin.get(f"/tickets/show/{ticket_id}").get_data(as_text=True)
    assert "screenshot.pdf" in page and "Phone call" in page
    download = admin.get(f"/tickets/{ticket_id}/attachment/{attachment_id}")
    assert download.status_code == 200 and download.data == pdf_bytes()
    assert "attachment" in download.headers["Content-Disposition"]
    assert outsider.get(f"/tickets/{ticket_id}/attachment/{attachment_id}").status_code == 404


def test_a_refused_log_comes_back_with_the_typed_values_and_the_message_by_the_field(app, desk):
    admin = signed_in(app, "Admin")
    url = f"/tickets/log?client_id={desk['client']}"
    token = csrf_token(admin, url)
    base = {
        "csrf_token": token,
        "client_id": desk["client"],
        "channel": "whatsapp",
        "category": "billing",
        "priority": "high",
    }
    blank = admin.post(
        "/tickets/log", data={**base, "subject": " ", "description": "Typed by the caller"}
    )
    page = blank.get_data(as_text=True)
    assert blank.status_code == 422
    assert 'data-field="subject">Subject is required.' in page
    assert "Typed by the caller" in page and 'value="whatsapp" selected' in page
    stranger = admin.post(
        "/tickets/log", data={**base, "subject": "Hello", "contact_id": desk["other_contact"]}
    )
    assert stranger.status_code == 422
    assert 'data-field="contact_id">Choose one of Bayanihan Foods' in stranger.get_data(
        as_text=True
    )
    portal = admin.post("/tickets/log", data={**base, "subject": "Hello", "channel": "portal"})
    assert 'data-field="channel">Channel must be phone' in portal.get_data(as_text=True)
    with app.app_context():
        db.session.get(Client, desk["client"]).archived = True
        db.session.commit()
    archived = admin.post("/tickets/log", data={**base, "subject": "Hello"})
    assert archived.status_code == 422
    assert "Bayanihan Foods is archived: restore it first." in archived.get_data(as_text=True)
    hidden = signed_in(app, username=desk["recruiter"])
    assert hidden.get(f"/tickets/log?client_id={desk['other_client']}").status_code == 403
    with app.app_context():
        assert db.session.scalar(select(db.func.count(Ticket.id))) == 2


def test_the_log_form_offers_only_visible_clients_and_refuses_a_hidden_one(app, desk):
    browser = signed_in(app, username=owner_of(app, desk["client"]))
    choose = browser.get("/tickets/log").get_data(as_text=True)
    assert "Bayanihan Foods" in choose and "Mabuhay" not in choose
    response = browser.post(
        "/tickets/log",
        data={
            "csrf_token": csrf_token(browser, f"/tickets/log?client_id={desk['client']}"),
            "client_id": desk["other_client"],
            "subject": "Sneaky",
            "channel": "phone",
        },
    )
    assert response.status_code == 422
    assert "Choose the client this ticket is for." in response.get_data(as_text=True)


def test_the_client_page_lists_its_tickets_open_first_with_a_prefilled_log_link(app, desk):
    with app.app_context():
        from jobs.tickets import resolve

        admin = make_user("Admin")
        done = raise_ticket(db.session.get(Client, desk["client"]), "Old question", by=admin)
        resolve(done, "Answered", admin)
        username = admin.username
    browser = signed_in(app, username=username)
    page = browser.get(f"/clientview/show/{desk['client']}").get_data(as_text=True)
    assert 'href="#Tickets"' in page and 'id="client-tickets"' in page
    tab = page[page.index('id="client-tickets"') :]
    assert tab.index("Payroll export fails") < tab.index("Old question")
    assert "Secret Mabuhay" not in tab
    assert f"/tickets/log?client_id={desk['client']}" in tab


def _queries(app, browser, url: str) -> int:
    browser.get(url)  # warm up: templates, permission caches
    with app.app_context():
        engine = db.engine
    statements = []

    def count(*_args):
        statements.append(1)

    event.listen(engine, "before_cursor_execute", count)
    try:
        assert browser.get(url).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return len(statements)


def _more_tickets(app, client_id: int, n: int) -> None:
    with app.app_context():
        admin = make_user("Admin")
        client = db.session.get(Client, client_id)
        for i in range(n):
            ticket = raise_ticket(client, f"Question {i}", by=admin)
            assign(ticket, admin, admin)
            comment(ticket, f"Answer {i}", user=admin)
            comment(ticket, f"Note {i}", user=admin, internal=True)


def test_the_list_and_the_ticket_page_cost_the_same_queries_with_more_rows(app, desk):
    admin = signed_in(app, "Admin")
    page = f"/tickets/show/{desk['ticket']}"
    with app.app_context():
        admin_user = make_user("Admin")
        ticket = db.session.get(Ticket, desk["ticket"])
        comment(ticket, "First answer", user=admin_user)
    _more_tickets(app, desk["client"], 2)
    few = (_queries(app, admin, "/tickets/list/"), _queries(app, admin, page))
    _more_tickets(app, desk["client"], 10)
    with app.app_context():
        admin_user = db.session.merge(admin_user)
        ticket = db.session.get(Ticket, desk["ticket"])
        for i in range(6):
            comment(ticket, f"More {i}", user=admin_user, internal=bool(i % 2))
    assert (_queries(app, admin, "/tickets/list/"), _queries(app, admin, page)) == few


def test_the_next_page_keeps_the_filters_even_any_status():
    filters = read_filters({"status": "", "priority": "high", "breached": "1", "page": "x"})
    assert filters.page == 1 and filters.status == "" and filters.breached
    assert filters.as_args(page=2) == {
        "status": "",
        "priority": "high",
        "breached": "1",
        "sort": "due",
        "page": 2,
    }
    assert read_filters({}).status == "open"
    assert read_filters({"status": "bogus", "sort": "drop table"}).as_args()["sort"] == "due"


@pytest.mark.parametrize(
    "step",
    ["acknowledge", "status", "assign", "priority", "crisis", "resolve", "close", "comment"],
)
def test_every_step_on_a_ticket_of_a_client_one_may_not_see_answers_404(app, desk, step):
    browser = signed_in(app, username=owner_of(app, desk["client"]))
    token = csrf_token(browser, f"/tickets/show/{desk['ticket']}")
    response = browser.post(
        f"/tickets/{desk['other_ticket']}/{step}",
        data={
            "csrf_token": token,
            "status": "in_progress",
            "priority": "high",
            "resolution_note": "x",
            "body": "x",
        },
    )
    assert response.status_code == 404
    with app.app_context():
        other = db.session.get(Ticket, desk["other_ticket"])
        assert (other.status, other.priority, other.comments) == ("new", "low", [])
