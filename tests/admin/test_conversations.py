"""Communication › Conversations in the admin: the list of visible threads, the thread page
(marks it read for staff), the reply form, starting a thread, and the role matrix."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from extensions import db
from models import Client, ClientTeamMember, Conversation, ConversationMessage, OutboxMessage
from tests.conftest import csrf_token, login_staff
from tests.factories import (
    ClientContactFactory,
    ClientFactory,
    ContactFactory,
    JobOrderFactory,
    make_user,
)

STAFF = ["Admin", "Account Manager", "Recruiter", "Finance"]


@pytest.fixture
def thread(app):
    """A client (Bayanihan), its primary contact Maria, a thread she started."""
    with app.app_context():
        client = ClientFactory(name="Bayanihan Foods")
        maria = ClientContactFactory(
            client=client,
            role="primary",
            contact=ContactFactory(first_name="Maria", email="maria@bayanihan.example"),
        ).contact
        conversation = Conversation.action_start(
            client, "Start dates", "Can the hires start on the 5th?", contact=maria
        )
        db.session.commit()
        return {"client": client.id, "conversation": conversation.id, "contact": maria.id}


def signed_in(app, role, client_id=None):
    """A browser signed in as a new ``role`` user, on the client's team when given."""
    browser = app.test_client()
    with app.app_context():
        user = make_user(role)
        if client_id is not None:
            db.session.add(ClientTeamMember(client_id=client_id, user=user, role="recruiter"))
            db.session.commit()
        username = user.username
    assert login_staff(browser, username).status_code == 302
    return browser


@pytest.mark.parametrize("role", STAFF)
def test_every_staff_role_reads_and_answers_threads_of_its_clients(app, thread, role):
    browser = signed_in(app, role, thread["client"])
    listing = browser.get("/conversationview/list/")
    assert listing.status_code == 200 and "Start dates" in listing.get_data(as_text=True)
    show = f"/conversationview/show/{thread['conversation']}"
    assert browser.get(show).status_code == 200
    token = csrf_token(browser, show)
    response = browser.post(
        f"/conversationview/reply/{thread['conversation']}",
        data={"body": f"Answer from {role}", "csrf_token": token},
    )
    assert response.status_code == 302
    with app.app_context():
        last = db.session.scalars(
            select(ConversationMessage).order_by(ConversationMessage.id.desc())
        ).first()
        assert (last.side, last.body) == ("staff", f"Answer from {role}")


def test_a_portal_user_reaches_no_conversation_page(app, thread):
    browser = signed_in(app, "Client")
    assert browser.get("/conversationview/list/").status_code == 403
    assert browser.get(f"/conversationview/show/{thread['conversation']}").status_code == 403


def test_a_recruiter_off_the_clients_team_sees_neither_the_thread_nor_its_page(app, thread):
    browser = signed_in(app, "Recruiter")  # on no team
    assert "Start dates" not in browser.get("/conversationview/list/").get_data(as_text=True)
    assert browser.get(f"/conversationview/show/{thread['conversation']}").status_code == 404
    token = csrf_token(browser, "/resetmypassword/form")
    reply = browser.post(
        f"/conversationview/reply/{thread['conversation']}",
        data={"body": "Sneaky", "csrf_token": token},
    )
    assert reply.status_code == 404


def test_the_thread_page_renders_the_messages_and_marks_them_read(app, thread):
    browser = signed_in(app, "Admin")
    page = browser.get(f"/conversationview/show/{thread['conversation']}").get_data(as_text=True)
    assert "Can the hires start on the 5th?" in page and 'id="reply"' in page
    with app.app_context():
        conversation = db.session.get(Conversation, thread["conversation"])
        assert conversation.staff_unread == 0 and conversation.staff_read_at is not None


def test_the_list_shows_the_unread_count(app, thread):
    browser = signed_in(app, "Admin")
    page = browser.get("/conversationview/list/").get_data(as_text=True)
    assert '<span class="badge" title="unread">1</span>' in page


def test_a_reply_emails_the_contact_and_counts_unread_for_the_client(app, thread):
    browser = signed_in(app, "Account Manager", thread["client"])
    show = f"/conversationview/show/{thread['conversation']}"
    token = csrf_token(browser, show)
    browser.post(
        f"/conversationview/reply/{thread['conversation']}",
        data={"body": "Yes, the 5th.", "csrf_token": token},
    )
    assert "1 person told by email" in browser.get(show).get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Conversation, thread["conversation"]).client_unread == 1
        (mail,) = db.session.scalars(select(OutboxMessage)).all()
        assert mail.to_email == "maria@bayanihan.example"


def test_an_empty_reply_is_refused_beside_the_field(app, thread):
    browser = signed_in(app, "Admin")
    show = f"/conversationview/show/{thread['conversation']}"
    token = csrf_token(browser, show)
    response = browser.post(
        f"/conversationview/reply/{thread['conversation']}",
        data={"body": "  ", "csrf_token": token},
    )
    assert response.status_code == 422
    assert 'data-field="body"' in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(ConversationMessage.id))) == 1


def test_a_reply_without_the_csrf_token_is_refused(app, thread):
    browser = signed_in(app, "Admin")
    response = browser.post(
        f"/conversationview/reply/{thread['conversation']}", data={"body": "No token"}
    )
    assert response.status_code in (302, 400)
    with app.app_context():
        assert db.session.scalar(select(func.count(ConversationMessage.id))) == 1


def test_staff_start_a_thread_about_a_job_order_of_the_client(app, thread):
    with app.app_context():
        job_id = JobOrderFactory(client=db.session.get(Client, thread["client"])).id
    browser = signed_in(app, "Account Manager", thread["client"])
    form = browser.get(f"/conversationview/start?client_id={thread['client']}")
    assert f'value="job_order:{job_id}"' in form.get_data(as_text=True)
    token = csrf_token(browser, f"/conversationview/start?client_id={thread['client']}")
    response = browser.post(
        "/conversationview/start",
        data={
            "client_id": thread["client"],
            "about": f"job_order:{job_id}",
            "contact_id": "",
            "subject": "Interview slots",
            "body": "Can you do Thursday?",
            "csrf_token": token,
        },
    )
    assert response.status_code == 302
    with app.app_context():
        started = db.session.scalar(
            select(Conversation).where(Conversation.subject == "Interview slots")
        )
        assert (started.context_type, started.context_id) == ("job_order", job_id)
        assert started.contact_id == thread["contact"]  # the primary contact by default
        assert started.client_unread == 1


def test_staff_cannot_start_a_thread_with_a_client_they_may_not_see(app, thread):
    browser = signed_in(app, "Recruiter")  # on no team
    page = browser.get(f"/conversationview/start?client_id={thread['client']}")
    assert "Bayanihan Foods" not in page.get_data(as_text=True)
    token = csrf_token(browser, "/resetmypassword/form")
    response = browser.post(
        "/conversationview/start",
        data={"client_id": thread["client"], "subject": "Hi", "body": "Hi", "csrf_token": token},
    )
    assert response.status_code == 422
    with app.app_context():
        assert db.session.scalar(select(func.count(Conversation.id))) == 1


def test_a_thread_about_another_clients_job_order_is_refused_naming_the_field(app, thread):
    with app.app_context():
        theirs = JobOrderFactory(client=ClientFactory()).id
    browser = signed_in(app, "Admin")
    token = csrf_token(browser, f"/conversationview/start?client_id={thread['client']}")
    response = browser.post(
        "/conversationview/start",
        data={
            "client_id": thread["client"],
            "about": f"job_order:{theirs}",
            "subject": "Wrong",
            "body": "Wrong",
            "csrf_token": token,
        },
    )
    assert response.status_code == 422
    assert 'data-field="about"' in response.get_data(as_text=True)


def test_the_client_page_has_a_conversations_tab_with_its_threads(app, thread):
    with app.app_context():
        other = ClientFactory(name="Zenith Foods")
        zoe = ClientContactFactory(client=other, role="primary").contact
        Conversation.action_start(other, "Zenith only", "Not for Bayanihan", contact=zoe)
        db.session.commit()
    browser = signed_in(app, "Admin")
    page = browser.get(f"/clientview/show/{thread['client']}").get_data(as_text=True)
    assert 'href="#ConversationView"' in page
    tab = page.split('id="ConversationView"', 1)[1]
    assert "Start dates" in tab and "Zenith only" not in tab


def test_the_list_offers_to_start_a_conversation(app, thread):
    browser = signed_in(app, "Finance")
    assert 'id="start-conversation"' in browser.get("/conversationview/list/").get_data(
        as_text=True
    )
