"""The ticket page's steps, each a POST form with its CSRF token: acknowledge, status, assign,
priority, crisis, comment (public or internal, with a file), resolve and close. A refusal comes
back on the page with the message beside its field and what the user typed."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from sqlalchemy import select

from extensions import db
from jobs.tickets import raise_ticket
from models import Ticket, TicketComment, TicketEvent
from models.ticket_comments import public_comments
from tests.conftest import csrf_token, login_staff
from tests.factories import ClientContactFactory, ClientFactory, ContactFactory, make_user
from tests.models.test_documents import pdf_bytes, uploads  # noqa: F401 (a fixture)


@pytest.fixture
def ticket(app):
    """A new medium ticket raised by Maria of Bayanihan; an account manager owning the client."""
    with app.app_context():
        manager = make_user("Account Manager", first_name="Ana", last_name="Reyes")
        client = ClientFactory(name="Bayanihan Foods", owner=manager)
        maria = ClientContactFactory(
            client=client, contact=ContactFactory(first_name="Maria")
        ).contact
        raised = raise_ticket(client, "Interview invites bounce", contact=maria)
        return {"id": raised.id, "manager": manager.username, "manager_id": manager.id}


@pytest.fixture
def browser(app, ticket):
    http = app.test_client()
    assert login_staff(http, ticket["manager"]).status_code == 302
    return http


def page_of(ticket) -> str:
    return f"/tickets/show/{ticket['id']}"


def post(browser, ticket, step, token_from=None, **data):
    token = csrf_token(browser, token_from or page_of(ticket))
    path = f"/tickets/{ticket['id']}/{step}"
    files = {name: value for name, value in data.items() if isinstance(value, tuple)}
    return browser.post(
        path,
        data={"csrf_token": token, **data},
        content_type="multipart/form-data" if files else None,
    )


def load(app, ticket) -> Ticket:
    with app.app_context():
        found = db.session.get(Ticket, ticket["id"])
        db.session.expunge(found)
        return found


def kinds(app, ticket) -> list[str]:
    with app.app_context():
        return list(
            db.session.scalars(
                select(TicketEvent.kind)
                .where(TicketEvent.ticket_id == ticket["id"])
                .order_by(TicketEvent.id)
            )
        )


def test_the_page_shows_the_reference_status_priority_and_deadlines(app, ticket, browser):
    page = browser.get(page_of(ticket)).get_data(as_text=True)
    assert "T-00001" in page and "Interview invites bounce" in page
    assert 'data-status="new"' in page and "medium" in page
    assert "Response due" in page and "Resolution due" in page and "calendar hours" in page
    assert 'data-level="0"' in page and 'data-kind="raised"' in page


def test_a_post_without_its_csrf_token_changes_nothing(app, ticket, browser):
    response = browser.post(f"/tickets/{ticket['id']}/acknowledge", data={})
    assert response.status_code == 400
    assert load(app, ticket).status == "new"


def test_acknowledge_then_status_then_assign_then_priority(app, ticket, browser):
    assert post(browser, ticket, "acknowledge").status_code == 302
    done = load(app, ticket)
    assert done.status == "acknowledged" and done.first_response_at is not None
    assert post(browser, ticket, "status", status="in_progress").status_code == 302
    assert load(app, ticket).status == "in_progress"
    assert post(browser, ticket, "status", status="waiting_on_client").status_code == 302
    assert load(app, ticket).status == "waiting_on_client"
    assert post(browser, ticket, "assign", assignee=str(ticket["manager_id"])).status_code == 302
    assert load(app, ticket).assignee_id == ticket["manager_id"]
    before = load(app, ticket)
    assert post(browser, ticket, "priority", priority="critical").status_code == 302
    after = load(app, ticket)
    assert after.priority == "critical"
    assert after.response_due_at == before.created_at + timedelta(hours=4)
    assert kinds(app, ticket) == [
        "raised",
        "acknowledged",
        "status",
        "status",
        "assigned",
        "priority",
    ]
    page = browser.get(page_of(ticket)).get_data(as_text=True)
    assert "Ana Reyes" in page and "Priority medium → critical" in page


def test_flagging_a_crisis_on_a_breached_ticket_escalates_it_to_level_3(app, ticket, browser):
    with app.app_context():
        late = db.session.get(Ticket, ticket["id"])
        late.response_due_at = late.created_at - timedelta(minutes=1)
        db.session.commit()
    response = post(browser, ticket, "crisis")
    assert response.status_code == 302
    flagged = load(app, ticket)
    assert flagged.crisis and flagged.escalation_level == 3
    page = browser.get(page_of(ticket)).get_data(as_text=True)
    assert 'data-level="3"' in page and "Escalated to level 3" in page
    assert 'data-mark="overdue"' in page and "ticket-crisis" in page


def test_a_refused_step_comes_back_beside_its_field_with_the_typed_value(app, ticket, browser):
    wrong = post(browser, ticket, "status", status="closed")
    assert wrong.status_code == 422
    assert 'data-form="status" data-field="status">Status must be one of' in wrong.get_data(
        as_text=True
    )
    nobody = post(browser, ticket, "assign", assignee="424242")
    assert nobody.status_code == 422
    assert "Choose a staff user from the list." in nobody.get_data(as_text=True)
    early = post(browser, ticket, "close")
    assert early.status_code == 422
    assert "it cannot be closed" in early.get_data(as_text=True)
    assert load(app, ticket).status == "new"


def test_resolve_needs_a_note_and_keeps_the_typed_comment_on_refusal(app, ticket, browser):
    blank = post(browser, ticket, "resolve", resolution_note="   ")
    page = blank.get_data(as_text=True)
    assert blank.status_code == 422
    assert 'data-form="resolve" data-field="resolution_note">Say what was done' in page
    assert load(app, ticket).status == "new"
    assert (
        post(browser, ticket, "resolve", resolution_note="Reset the mail relay.").status_code == 302
    )
    resolved = load(app, ticket)
    assert resolved.status == "resolved" and resolved.resolution_note == "Reset the mail relay."
    # closing is offered only now, and works
    assert 'id="close-form"' in browser.get(page_of(ticket)).get_data(as_text=True)
    assert post(browser, ticket, "close").status_code == 302
    assert load(app, ticket).status == "closed"
    closed_page = browser.get(page_of(ticket)).get_data(as_text=True)
    assert 'id="comment-form"' not in closed_page and 'id="resolve-form"' not in closed_page


def test_a_refused_comment_keeps_the_text_and_the_internal_tick(app, ticket, browser):
    too_long = "x" * 10001
    response = post(browser, ticket, "comment", body=too_long, internal="1")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'data-form="comment" data-field="body">A comment may hold at most' in page
    assert too_long in page and 'name="internal" id="internal" value="1" checked' in page


@pytest.mark.usefixtures("uploads")
def test_an_internal_note_is_marked_and_kept_from_the_client(app, ticket, browser):
    assert (
        post(
            browser, ticket, "comment", body="Client is on the old relay", internal="1"
        ).status_code
        == 302
    )
    assert (
        post(
            browser,
            ticket,
            "comment",
            body="We are on it.",
            file=(io.BytesIO(pdf_bytes()), "steps.pdf"),
        ).status_code
        == 302
    )
    with app.app_context():
        found = db.session.get(Ticket, ticket["id"])
        assert [c.body for c in public_comments(found)] == ["We are on it."]
        note = db.session.scalars(select(TicketComment).where(TicketComment.internal)).one()
        assert note.body == "Client is on the old relay"
        assert found.status == "acknowledged"  # the public answer is the first response
        public = db.session.scalars(select(TicketComment).where(~TicketComment.internal)).one()
        assert [a.document.original_filename for a in public.attachments] == ["steps.pdf"]
        assert public.attachments[0].document.visible_to_client
        attachment_id = public.attachments[0].id
    page = browser.get(page_of(ticket)).get_data(as_text=True)
    note_html = page[
        page.index("Client is on the old relay") - 900 : page.index("Client is on the old relay")
    ]
    assert 'data-internal="yes"' in note_html
    assert "internal — not visible to the client" in note_html
    public_html = page[page.index("We are on it.") - 900 : page.index("We are on it.")]
    assert 'data-internal="no"' in public_html and "public" in public_html
    download = browser.get(f"/tickets/{ticket['id']}/attachment/{attachment_id}")
    assert download.status_code == 200 and download.data == pdf_bytes()


@pytest.mark.usefixtures("uploads")
def test_a_refused_file_on_a_comment_is_named_and_nothing_is_saved(app, ticket, browser):
    response = post(
        browser,
        ticket,
        "comment",
        body="See the program",
        file=(io.BytesIO(b"MZ\x90\x00program"), "tool.exe"),
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'data-form="comment" data-field="file"' in page and "See the program" in page
    with app.app_context():
        assert db.session.scalars(select(TicketComment)).all() == []


@pytest.mark.parametrize(
    ("role", "comment", "write"),
    [("Recruiter", 302, 403), ("Finance", 403, 403)],
)
def test_recruiters_comment_and_finance_only_reads(app, ticket, role, comment, write):
    with app.app_context():
        from models import ClientTeamMember

        user = make_user(role)
        db.session.add(
            ClientTeamMember(client_id=load(app, ticket).client_id, user=user, role="recruiter")
        )
        db.session.commit()
        username = user.username
    http = app.test_client()
    login_staff(http, username)
    page = http.get(page_of(ticket)).get_data(as_text=True)
    assert "Interview invites bounce" in page and 'id="acknowledge-form"' not in page
    client_page = f"/clientview/show/{load(app, ticket).client_id}"  # a form of theirs
    answer = post(http, ticket, "comment", token_from=client_page, body=f"From {role}")
    assert answer.status_code == comment
    assert post(http, ticket, "acknowledge", token_from=client_page).status_code == write
    assert http.get(f"/tickets/log?client_id={load(app, ticket).client_id}").status_code == write


def test_waiting_on_the_client_shows_the_clock_paused_then_how_far_it_moved(app, ticket, browser):
    post(browser, ticket, "status", status="waiting_on_client")
    page = browser.get(page_of(ticket)).get_data(as_text=True)
    assert 'id="sla-paused"' in page and "paused</span> since" in page
    with app.app_context():
        found = db.session.get(Ticket, ticket["id"])
        found.paused_at -= timedelta(hours=3)  # the wait began three hours ago
        db.session.commit()
    post(browser, ticket, "status", status="in_progress")
    page = browser.get(page_of(ticket)).get_data(as_text=True)
    assert "Waits on the client moved it out by 3.0 h." in page
