"""The employer's messages: the list, a thread read and answered with htmx (or a plain POST),
a new thread about their own records, the area rule, CSRF and isolation.

Every conversation URL that takes an id is listed in ``CONVERSATION_ID_PATHS``, probed here
with another client's thread (and covered by the guard in ``test_isolation``).
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from extensions import db
from models import Client, ClientContact, Conversation, ConversationMessage, JobOrder, OutboxMessage
from tests.conftest import csrf_token
from tests.factories import JobOrderFactory, issued_invoice

from .conftest import htmx_post, make_member, sign_in

# (method, path with {placeholders}, form data): every portal conversation path with an id.
CONVERSATION_ID_PATHS = [
    ("GET", "/portal/messages/{conversation_id}", {}),
    ("GET", "/portal/messages/{conversation_id}/messages", {}),
    ("POST", "/portal/messages/{conversation_id}", {"body": "Sneaky reply"}),
]


def make_thread(company_id: int, subject="Start dates", body="When can they start?", **context):
    """A thread started by the company's account manager, addressed to its primary contact."""
    client = db.session.get(Client, company_id)
    conversation = Conversation.action_start(
        client, subject, body, user=client.engagement_manager, **context
    )
    db.session.commit()
    return SimpleNamespace(id=conversation.id, subject=subject, body=body)


@pytest.fixture
def thread(app, company):
    with app.app_context():
        return make_thread(company.id)


@pytest.fixture
def other_thread(app, other_company):
    with app.app_context():
        return make_thread(
            other_company.id, subject="Zenith payroll secrets", body="Zenith salary bands"
        )


def test_the_list_shows_the_clients_threads_with_their_unread_count(client, member, thread):
    sign_in(client, member.username)
    page = client.get("/portal/messages").get_data(as_text=True)
    assert thread.subject in page
    assert 'aria-label="1 unread"' in page
    assert 'id="unread-messages"' in page  # the nav's count


def test_any_portal_user_of_the_client_may_use_messages(app, client, company, thread):
    with app.app_context():
        nobody = make_member(company.id, areas=(), first_name="Noa", last_name="Areas")
    sign_in(client, nobody.username)
    assert client.get("/portal/messages").status_code == 200
    assert client.get(f"/portal/messages/{thread.id}").status_code == 200


def test_opening_a_thread_marks_it_read_for_the_client(app, client, member, thread):
    sign_in(client, member.username)
    page = client.get(f"/portal/messages/{thread.id}").get_data(as_text=True)
    assert thread.body in page
    with app.app_context():
        conversation = db.session.get(Conversation, thread.id)
        assert conversation.client_unread == 0 and conversation.client_read_at is not None
    assert 'id="unread-messages"' not in client.get("/portal/messages").get_data(as_text=True)


def test_an_htmx_post_answers_with_the_thread_block_alone(app, client, member, thread):
    sign_in(client, member.username)
    token = csrf_token(client, f"/portal/messages/{thread.id}")
    response = htmx_post(
        client, f"/portal/messages/{thread.id}", {"body": "The 12th works for us."}, token
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert body.lstrip().startswith("{#") is False and '<div id="thread"' in body
    assert "<html" not in body and "The 12th works for us." in body
    assert "Message sent." in body
    with app.app_context():
        message = db.session.scalars(
            select(ConversationMessage).order_by(ConversationMessage.id.desc())
        ).first()
        assert message.side == "client" and message.author_contact.email == member.email


def test_a_plain_post_without_htmx_comes_back_to_the_thread(client, member, thread):
    sign_in(client, member.username)
    token = csrf_token(client, f"/portal/messages/{thread.id}")
    response = client.post(
        f"/portal/messages/{thread.id}", data={"body": "Plain reply", "csrf_token": token}
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/portal/messages/{thread.id}#reply")
    assert "Plain reply" in client.get(f"/portal/messages/{thread.id}").get_data(as_text=True)


def test_an_empty_message_is_refused_beside_the_field(app, client, member, thread):
    sign_in(client, member.username)
    token = csrf_token(client, f"/portal/messages/{thread.id}")
    response = htmx_post(client, f"/portal/messages/{thread.id}", {"body": "   "}, token)
    assert response.status_code == 422
    assert 'id="body-error"' in response.get_data(as_text=True)
    assert "Message is required" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(ConversationMessage.id))) == 1


def test_a_post_without_the_csrf_token_fails(app, client, member, thread):
    sign_in(client, member.username)
    for response in (
        client.post(f"/portal/messages/{thread.id}", data={"body": "No token"}),
        htmx_post(client, f"/portal/messages/{thread.id}", {"body": "No token"}),
        client.post("/portal/messages/new", data={"subject": "S", "body": "No token"}),
    ):
        assert response.status_code == 400
    with app.app_context():
        assert db.session.scalar(select(func.count(ConversationMessage.id))) == 1


def test_the_poll_answers_the_message_list_block(client, member, thread):
    sign_in(client, member.username)
    response = client.get(f"/portal/messages/{thread.id}/messages", headers={"HX-Request": "true"})
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and 'id="thread-messages"' in body
    assert "<html" not in body and thread.body in body


def test_a_client_message_emails_the_account_manager(app, client, company, member, thread):
    sign_in(client, member.username)
    token = csrf_token(client, f"/portal/messages/{thread.id}")
    htmx_post(client, f"/portal/messages/{thread.id}", {"body": "Any news?"}, token)
    with app.app_context():
        (mail,) = db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.to_email == company.manager_email)
        ).all()
        assert mail.kind == "conversation_message" and "Any news?" in mail.body_text
        assert f"/conversationview/show/{thread.id}" in mail.body_text


# ---------------------------------------------------------------- areas


def test_a_thread_about_an_invoice_needs_the_billing_area(app, client, company, member):
    with app.app_context():
        invoice = issued_invoice(db.session.get(Client, company.id))
        about_invoice = make_thread(
            company.id, subject="Invoice question", context_type="invoice", context_id=invoice.id
        )
        finance = make_member(company.id, areas=("billing",), first_name="Fin", last_name="Ance")
    sign_in(client, member.username)  # hiring only
    assert "Invoice question" not in client.get("/portal/messages").get_data(as_text=True)
    assert client.get(f"/portal/messages/{about_invoice.id}").status_code == 404
    client.post("/portal/logout", data={"csrf_token": csrf_token(client, "/portal/")})
    sign_in(client, finance.username)
    assert "Invoice question" in client.get("/portal/messages").get_data(as_text=True)
    assert client.get(f"/portal/messages/{about_invoice.id}").status_code == 200


def test_a_thread_about_a_job_order_is_for_the_hiring_area(app, client, company, member):
    with app.app_context():
        job_id = JobOrderFactory(
            client=db.session.get(Client, company.id), title="Forklift lead"
        ).id
        about_job = make_thread(
            company.id,
            subject="About the forklift role",
            context_type="job_order",
            context_id=job_id,
        )
    sign_in(client, member.username)
    page = client.get(f"/portal/messages/{about_job.id}").get_data(as_text=True)
    assert "Forklift lead" in page and f'href="/portal/jobs/{job_id}"' in page


# ---------------------------------------------------------------- starting one


def test_a_contact_starts_a_thread_about_one_of_their_job_orders(app, client, company, member):
    with app.app_context():
        job = JobOrderFactory(client=db.session.get(Client, company.id), title="Night shift")
        job_id = job.id
    sign_in(client, member.username)
    form = client.get("/portal/messages/new").get_data(as_text=True)
    assert f'value="job_order:{job_id}"' in form
    assert "invoice:" not in form  # no billing area
    token = csrf_token(client, "/portal/messages/new")
    response = client.post(
        "/portal/messages/new",
        data={
            "about": f"job_order:{job_id}",
            "subject": "Night shift pay",
            "body": "What rate do candidates expect?",
            "csrf_token": token,
        },
    )
    assert response.status_code == 303
    with app.app_context():
        conversation = db.session.scalar(select(Conversation))
        assert (conversation.context_type, conversation.context_id) == ("job_order", job_id)
        assert conversation.started_by_contact.email == member.email
        assert conversation.staff_unread == 1


def test_a_new_thread_about_another_clients_record_is_refused(
    app, client, company, member, other_company
):
    with app.app_context():
        theirs = JobOrderFactory(client=db.session.get(Client, other_company.id), title="Secret")
        theirs_id = theirs.id
    sign_in(client, member.username)
    token = csrf_token(client, "/portal/messages/new")
    response = client.post(
        "/portal/messages/new",
        data={
            "about": f"job_order:{theirs_id}",
            "subject": "Peek",
            "body": "Let me in",
            "csrf_token": token,
        },
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 422 and 'id="about-error"' in body
    assert "Secret" not in body and other_company.name not in body
    with app.app_context():
        assert db.session.scalar(select(func.count(Conversation.id))) == 0


def test_a_new_thread_needs_a_subject(app, client, member):
    sign_in(client, member.username)
    token = csrf_token(client, "/portal/messages/new")
    response = client.post(
        "/portal/messages/new",
        data={"about": "client:", "subject": "", "body": "Hello", "csrf_token": token},
    )
    assert response.status_code == 422
    assert "Subject is required" in response.get_data(as_text=True)


# ---------------------------------------------------------------- isolation


@pytest.mark.parametrize(("method", "path", "data"), CONVERSATION_ID_PATHS)
def test_another_clients_thread_answers_404_and_shows_nothing_of_it(
    app, client, member, other_company, other_thread, method, path, data
):
    sign_in(client, member.username)
    token = csrf_token(client, "/portal/messages")
    url = path.format(conversation_id=other_thread.id)
    for response in (
        client.open(url, method=method, data={**data, "csrf_token": token}),
        client.open(
            url,
            method=method,
            data=data,
            headers={"HX-Request": "true", "X-CSRFToken": token},
        ),
    ):
        body = response.get_data(as_text=True)
        assert response.status_code == 404
        for secret in (
            other_thread.subject,
            other_thread.body,
            other_company.name,
            other_company.manager_name,
        ):
            assert secret not in body
    with app.app_context():
        conversation = db.session.get(Conversation, other_thread.id)
        assert len(conversation.messages) == 1 and conversation.client_unread == 1


def test_another_clients_threads_are_not_listed(client, member, thread, other_thread):
    sign_in(client, member.username)
    page = client.get("/portal/messages").get_data(as_text=True)
    assert thread.subject in page
    assert other_thread.subject not in page and other_thread.body not in page


def test_the_list_reads_the_contexts_in_a_fixed_number_of_queries(app, client, company, member):
    """The labels of the threads' job orders are loaded together, not one query per row."""
    from sqlalchemy import event

    def count_queries(n):
        with app.app_context():
            client_row = db.session.get(Client, company.id)
            for i in range(n):
                job = JobOrderFactory(client=client_row, title=f"Role {i}")
                make_thread(
                    company.id, subject=f"Thread {i}", context_type="job_order", context_id=job.id
                )
        statements = []

        def listen(conn, cursor, statement, *args):
            statements.append(statement)

        with app.app_context():
            engine = db.engine
        event.listen(engine, "before_cursor_execute", listen)
        try:
            assert client.get("/portal/messages").status_code == 200
        finally:
            event.remove(engine, "before_cursor_execute", listen)
        return len(statements)

    sign_in(client, member.username)
    few = count_queries(2)
    many = count_queries(8)
    assert few == many
    with app.app_context():
        assert db.session.scalar(select(func.count(JobOrder.id))) == 10
        assert db.session.scalar(select(func.count(ClientContact.id))) >= 2
