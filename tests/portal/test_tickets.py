"""The employer's support requests: raising one (with files), the ticket page with the public
conversation only, replying with htmx or a plain POST, approving, reopening and rating, CSRF and
isolation.

Every ticket URL that takes an id is listed in ``TICKET_ID_PATHS``, probed here with another
client's ticket (and covered by the guard in ``test_isolation``).
"""

from __future__ import annotations

import io
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from extensions import db
from jobs import tickets as desk
from models import Client, OutboxMessage, Ticket, TicketComment
from models.ticket_comments import TicketAttachment
from tests.conftest import csrf_token

from .conftest import htmx_post, make_member, sign_in

# (method, path with {placeholders}, form data): every portal ticket path with an id.
TICKET_ID_PATHS = [
    ("GET", "/portal/support/{ticket_id}", {}),
    ("GET", "/portal/support/{ticket_id}/comments", {}),
    ("POST", "/portal/support/{ticket_id}", {"body": "Sneaky reply"}),
    ("POST", "/portal/support/{ticket_id}/approve", {}),
    ("POST", "/portal/support/{ticket_id}/reject", {"comment": "Sneaky"}),
    ("POST", "/portal/support/{ticket_id}/rate", {"rating": "1"}),
    ("GET", "/portal/support/{ticket_id}/files/{attachment_id}", {}),
]

PDF = b"%PDF-1.4\n%%EOF\n"


def make_ticket(company_id: int, subject="Payroll export fails", status="new", files=()):
    """A ticket raised by the company's primary contact, taken to ``status`` by its manager."""
    client = db.session.get(Client, company_id)
    contact = next(link.contact for link in client.contact_links if link.role == "primary")
    ticket = desk.raise_ticket(
        client, subject, "The export stops at 80 %.", contact=contact, files=files
    )
    manager = client.engagement_manager
    if status in ("resolved", "closed"):
        desk.comment(ticket, "We are on it.", user=manager)
        desk.resolve(ticket, "Fixed the export template.", manager)
    if status == "closed":
        desk.approve(ticket, contact)
    attachment = db.session.scalar(
        select(TicketAttachment.id).where(TicketAttachment.ticket_id == ticket.id)
    )
    return SimpleNamespace(
        id=ticket.id, reference=ticket.reference, subject=subject, attachment_id=attachment
    )


def raise_request(client, **fields):
    """Post the Raise a request form as a browser does (multipart when a file comes along)."""
    token = csrf_token(client, "/portal/support/new")
    files = any(isinstance(value, tuple) for value in fields.values())
    return client.post(
        "/portal/support/new",
        data={"csrf_token": token, **fields},
        content_type="multipart/form-data" if files else None,
    )


def upload(data=PDF, name="screen.pdf"):
    return (io.BytesIO(data), name)


@pytest.fixture
def ticket(app, company):
    with app.app_context():
        return make_ticket(company.id)


@pytest.fixture
def other_ticket(app, other_company):
    with app.app_context():
        from werkzeug.datastructures import FileStorage

        pdf = FileStorage(io.BytesIO(PDF), filename="zenith-secret.pdf")
        return make_ticket(other_company.id, subject="Zenith payroll secrets", files=[pdf])


def _ticket(app, ticket_id: int) -> Ticket:
    return db.session.get(Ticket, ticket_id)


# ---------------------------------------------------------------- raising


def test_any_portal_user_raises_a_request_with_a_file(app, client, company):
    with app.app_context():
        nobody = make_member(company.id, areas=(), first_name="Noa", last_name="Areas")
    sign_in(client, nobody.username)
    answer = raise_request(
        client,
        subject="Add a cost centre to invoices",
        category="billing",
        priority="high",
        description="Finance needs cost centre 4410 on every invoice.",
        file=upload(),
    )
    assert answer.status_code == 303
    with app.app_context():
        raised = db.session.scalar(select(Ticket).where(Ticket.client_id == company.id))
        assert (raised.channel, raised.priority, raised.category) == ("portal", "high", "billing")
        assert raised.contact.email == nobody.email
        attached = db.session.scalars(
            select(TicketAttachment).where(TicketAttachment.ticket_id == raised.id)
        ).all()
        assert [str(a) for a in attached] == ["screen.pdf"]
        told = db.session.scalars(
            select(OutboxMessage.subject).where(OutboxMessage.to_email == company.manager_email)
        ).all()
        assert any(raised.reference in subject for subject in told)
    page = client.get(answer.headers["Location"]).get_data(as_text=True)
    assert "Add a cost centre to invoices" in page and "screen.pdf" in page
    assert "first answer within 24 hours" in page


def test_a_refused_request_keeps_what_was_typed_and_names_the_field(app, client, company, member):
    sign_in(client, member.username)
    answer = raise_request(
        client,
        subject="  ",
        category="technical",
        priority="critical",
        description="Candidates cannot upload CVs.",
    )
    page = answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert 'id="subject-error"' in page and "Subject:" in page
    assert "Candidates cannot upload CVs." in page
    assert '<option selected value="critical">' in page or 'value="critical" selected' in page
    with app.app_context():
        assert db.session.scalar(select(func.count(Ticket.id))) == 0


def test_a_refused_file_is_named_and_nothing_is_saved(app, client, company, member):
    sign_in(client, member.username)
    answer = raise_request(
        client,
        subject="Fix",
        category="general",
        priority="low",
        description="See the program",
        file=upload(b"MZ\x90\x00 program", "fix.pdf"),
    )
    page = answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert 'id="file-error"' in page and "Choose the files again" in page
    assert "See the program" in page
    with app.app_context():
        assert db.session.scalar(select(func.count(Ticket.id))) == 0


# ---------------------------------------------------------------- the list and the page


def test_the_list_shows_open_requests_and_counts_those_awaiting_approval(
    app, client, company, member
):
    with app.app_context():
        open_one = make_ticket(company.id, subject="New starter accounts")
        resolved = make_ticket(company.id, subject="Wrong VAT number", status="resolved")
    sign_in(client, member.username)
    page = client.get("/portal/support").get_data(as_text=True)
    assert open_one.subject in page and resolved.subject not in page
    assert 'id="awaiting-approval"' in page
    assert 'id="tickets-awaiting"' in page  # the nav's count
    waiting = client.get("/portal/support?status=resolved").get_data(as_text=True)
    assert resolved.subject in waiting and open_one.subject not in waiting
    assert 'id="support-card"' in client.get("/portal/").get_data(as_text=True)


def test_the_page_shows_public_comments_never_internal_notes(app, client, company, member, ticket):
    with app.app_context():
        found = _ticket(app, ticket.id)
        manager = found.client.engagement_manager
        desk.comment(found, "Please send us the export log.", user=manager)
        desk.comment(
            found, "Client is on the old template, blame them.", user=manager, internal=True
        )
    sign_in(client, member.username)
    page = client.get(f"/portal/support/{ticket.id}").get_data(as_text=True)
    assert "Please send us the export log." in page
    assert "blame them" not in page
    assert ticket.reference in page


def test_a_file_of_an_internal_note_cannot_be_downloaded(app, client, company, member, ticket):
    from werkzeug.datastructures import FileStorage

    with app.app_context():
        found = _ticket(app, ticket.id)
        pdf = FileStorage(io.BytesIO(PDF), filename="internal.pdf")
        desk.comment(
            found, "Our notes", user=found.client.engagement_manager, internal=True, files=[pdf]
        )
        hidden = db.session.scalar(
            select(TicketAttachment.id).where(TicketAttachment.ticket_id == ticket.id)
        )
    sign_in(client, member.username)
    assert client.get(f"/portal/support/{ticket.id}/files/{hidden}").status_code == 404


# ---------------------------------------------------------------- replying


def test_an_htmx_reply_answers_with_the_conversation_block(app, client, company, member, ticket):
    sign_in(client, member.username)
    token = csrf_token(client, f"/portal/support/{ticket.id}")
    answer = htmx_post(
        client,
        f"/portal/support/{ticket.id}",
        {"body": "Log attached.", "file": upload(name="log.pdf")},
        token,
    )
    block = answer.get_data(as_text=True)
    assert answer.status_code == 200
    assert block.lstrip().startswith('<div id="thread"')
    assert "Log attached." in block and "log.pdf" in block and "Reply sent." in block
    with app.app_context():
        written = db.session.scalar(
            select(TicketComment).where(TicketComment.ticket_id == ticket.id)
        )
        assert (written.channel, written.author_contact.email) == ("portal", member.email)


def test_an_empty_reply_is_refused_beside_the_field(app, client, member, ticket):
    sign_in(client, member.username)
    token = csrf_token(client, f"/portal/support/{ticket.id}")
    answer = htmx_post(client, f"/portal/support/{ticket.id}", {"body": "   "}, token)
    assert answer.status_code == 422
    assert 'id="body-error"' in answer.get_data(as_text=True)
    plain = client.post(f"/portal/support/{ticket.id}", data={"body": "", "csrf_token": token})
    assert plain.status_code == 422 and 'id="body-error"' in plain.get_data(as_text=True)


def test_a_plain_post_reply_comes_back_to_the_page(client, member, ticket):
    sign_in(client, member.username)
    token = csrf_token(client, f"/portal/support/{ticket.id}")
    answer = client.post(
        f"/portal/support/{ticket.id}", data={"body": "Any news?", "csrf_token": token}
    )
    assert answer.status_code == 303
    assert "Any news?" in client.get(answer.headers["Location"]).get_data(as_text=True)


def test_posting_without_the_csrf_token_is_refused(app, client, member, ticket):
    sign_in(client, member.username)
    assert client.post(f"/portal/support/{ticket.id}", data={"body": "x"}).status_code == 400
    with app.app_context():
        assert db.session.scalar(select(func.count(TicketComment.id))) == 0


# ---------------------------------------------------------------- closing the loop


def test_approving_closes_and_asks_for_a_rating_once(app, client, company, member):
    with app.app_context():
        resolved = make_ticket(company.id, status="resolved")
    sign_in(client, member.username)
    page = client.get(f"/portal/support/{resolved.id}").get_data(as_text=True)
    assert "Fixed the export template." in page and 'id="approve-form"' in page
    token = csrf_token(client, f"/portal/support/{resolved.id}")
    client.post(f"/portal/support/{resolved.id}/approve", data={"csrf_token": token})
    page = client.get(f"/portal/support/{resolved.id}").get_data(as_text=True)
    assert 'id="rate-form"' in page and 'id="reply"' not in page
    bad = client.post(
        f"/portal/support/{resolved.id}/rate",
        data={"csrf_token": token, "rating": "7", "remark": "Quick work"},
    )
    assert bad.status_code == 422
    assert "Rating must be a whole number from 1 to 5." in bad.get_data(as_text=True)
    assert "Quick work" in bad.get_data(as_text=True)
    client.post(
        f"/portal/support/{resolved.id}/rate",
        data={"csrf_token": token, "rating": "5", "remark": "Quick work"},
    )
    with app.app_context():
        found = _ticket(app, resolved.id)
        assert (found.status, found.rating, found.rating_comment) == ("closed", 5, "Quick work")
    page = client.get(f"/portal/support/{resolved.id}").get_data(as_text=True)
    assert 'id="rated"' in page and 'id="rate-form"' not in page


def test_rejecting_needs_a_reason_and_reopens_with_it(app, client, company, member):
    with app.app_context():
        resolved = make_ticket(company.id, status="resolved")
    sign_in(client, member.username)
    token = csrf_token(client, f"/portal/support/{resolved.id}")
    empty = client.post(
        f"/portal/support/{resolved.id}/reject", data={"csrf_token": token, "comment": " "}
    )
    assert empty.status_code == 422 and 'id="comment-error"' in empty.get_data(as_text=True)
    client.post(
        f"/portal/support/{resolved.id}/reject",
        data={"csrf_token": token, "comment": "Still stops at 80 % for March."},
    )
    with app.app_context():
        found = _ticket(app, resolved.id)
        assert (found.status, found.reopened_count) == ("in_progress", 1)
    page = client.get(f"/portal/support/{resolved.id}").get_data(as_text=True)
    assert "Still stops at 80 % for March." in page and 'id="approve-form"' not in page


def test_approving_an_open_ticket_is_refused_with_the_reason(app, client, member, ticket):
    sign_in(client, member.username)
    token = csrf_token(client, f"/portal/support/{ticket.id}")
    answer = client.post(
        f"/portal/support/{ticket.id}/approve", data={"csrf_token": token}, follow_redirects=True
    )
    assert "cannot be approved" in answer.get_data(as_text=True)
    with app.app_context():
        assert _ticket(app, ticket.id).status == "new"


# ---------------------------------------------------------------- isolation


def test_another_clients_ticket_is_never_listed(client, member, ticket, other_ticket):
    sign_in(client, member.username)
    for status in ("open", "all"):
        page = client.get(f"/portal/support?status={status}").get_data(as_text=True)
        assert ticket.subject in page and other_ticket.subject not in page


@pytest.mark.parametrize(("method", "path", "data"), TICKET_ID_PATHS)
def test_another_clients_ticket_answers_404(
    app, client, member, ticket, other_ticket, method, path, data
):
    sign_in(client, member.username)
    token = csrf_token(client, "/portal/support")
    url = path.format(ticket_id=other_ticket.id, attachment_id=other_ticket.attachment_id)
    if method == "GET":
        answer = client.get(url, headers={"HX-Request": "true"})
    else:
        answer = htmx_post(client, url, data, token)
    assert answer.status_code == 404
    assert "Zenith" not in answer.get_data(as_text=True)
    with app.app_context():
        found = _ticket(app, other_ticket.id)
        assert found.status == "new" and found.comments == []


def test_a_request_waiting_on_the_client_says_so_and_its_clock_is_on_hold(
    app, client, member, ticket
):
    with app.app_context():
        found = _ticket(app, ticket.id)
        desk.set_status(found, "waiting_on_client", found.client.engagement_manager)
    sign_in(client, member.username)
    page = client.get(f"/portal/support/{ticket.id}").get_data(as_text=True)
    assert 'id="waiting-on-you"' in page and "on hold while we wait for your answer" in page
    token = csrf_token(client, f"/portal/support/{ticket.id}")
    client.post(f"/portal/support/{ticket.id}", data={"body": "Attached.", "csrf_token": token})
    page = client.get(f"/portal/support/{ticket.id}").get_data(as_text=True)
    assert 'id="waiting-on-you"' not in page and "due by" in page


def test_the_conversation_costs_the_same_queries_however_long_it_is(app, client, member, ticket):
    from werkzeug.datastructures import FileStorage

    from tests.test_dashboard_queries import queries

    def add_comments(n):
        with app.app_context():
            found = _ticket(app, ticket.id)
            for i in range(n):
                pdf = FileStorage(io.BytesIO(PDF), filename=f"page-{i}.pdf")
                desk.comment(
                    found, f"Answer {i}", user=found.client.engagement_manager, files=[pdf]
                )

    sign_in(client, member.username)
    add_comments(2)
    few = queries(app, client, f"/portal/support/{ticket.id}")
    add_comments(10)
    many = queries(app, client, f"/portal/support/{ticket.id}")
    assert many == few
