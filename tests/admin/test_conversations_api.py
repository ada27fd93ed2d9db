"""The conversation API: list with filters, read with messages, start, reply; JWT only, the
role matrix, 404 for clients the user may not see, 4xx JSON naming the field."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from extensions import db
from models import Client, ClientTeamMember, Conversation, ConversationMessage
from tests.conftest import api_for, login_staff
from tests.factories import (
    ClientContactFactory,
    ClientFactory,
    ContactFactory,
    JobOrderFactory,
    make_user,
)

STAFF = ["Admin", "Account Manager", "Recruiter", "Finance"]


@pytest.fixture
def books(app):
    """Bayanihan with its primary contact, a job order and a thread about it; another client."""
    with app.app_context():
        client = ClientFactory(name="Bayanihan Foods")
        maria = ClientContactFactory(
            client=client, role="primary", contact=ContactFactory(first_name="Maria")
        ).contact
        job = JobOrderFactory(client=client, title="Line cook")
        about_job = Conversation.action_start(
            client,
            "Line cook shortlist",
            "Three candidates?",
            contact=maria,
            context_type="job_order",
            context_id=job.id,
        )
        general = Conversation.action_start(
            client, "Holiday hours", "Closed on the 24th.", contact=maria
        )
        other = ClientFactory(name="Zenith Foods")
        zoe = ClientContactFactory(client=other, role="primary").contact
        theirs = Conversation.action_start(other, "Zenith secret", "Salary bands", contact=zoe)
        db.session.commit()
        return {
            "client": client.id,
            "contact": maria.id,
            "job": job.id,
            "about_job": about_job.id,
            "general": general.id,
            "other_client": other.id,
            "other_contact": zoe.id,
            "theirs": theirs.id,
        }


def user_on_team(app, role, client_id):
    with app.app_context():
        user = make_user(role)
        db.session.add(ClientTeamMember(client_id=client_id, user=user, role="recruiter"))
        db.session.commit()
        return user.username


@pytest.fixture
def api(app, books):
    return api_for(app, user_on_team(app, "Account Manager", books["client"]))


def test_the_list_filters_by_client_and_context(api, books):
    answer = api("GET", f"/api/v1/conversation/?client_id={books['client']}").get_json()
    assert answer["count"] == 2 and "messages" not in answer["result"][0]
    about_job = api(
        "GET", f"/api/v1/conversation/?context_type=job_order&context_id={books['job']}"
    ).get_json()
    assert about_job["ids"] == [books["about_job"]]
    assert about_job["result"][0]["contextLabel"].endswith("Line cook")


def test_a_bad_filter_is_a_400_naming_it(api):
    answer = api("GET", "/api/v1/conversation/?context_type=contract")
    assert answer.status_code == 400 and "context_type" in answer.get_json()["message"]


def test_the_list_leaves_out_clients_the_user_may_not_see(api, books):
    answer = api("GET", "/api/v1/conversation/").get_json()
    assert books["theirs"] not in answer["ids"] and "Zenith" not in str(answer)


def test_reading_a_thread_gives_its_messages(api, books):
    answer = api("GET", f"/api/v1/conversation/{books['general']}").get_json()["result"]
    assert answer["subject"] == "Holiday hours" and answer["staffUnread"] == 1
    (message,) = answer["messages"]
    assert message["side"] == "client" and message["body"] == "Closed on the 24th."
    assert message["authorContact"]["firstName"] == "Maria"


def test_another_clients_thread_is_a_404(api, books):
    assert api("GET", f"/api/v1/conversation/{books['theirs']}").status_code == 404
    reply = api("POST", f"/api/v1/conversation/{books['theirs']}/messages", json={"body": "Hi"})
    assert reply.status_code == 404


def test_starting_a_thread_posts_its_first_message_as_staff(app, api, books):
    answer = api(
        "POST",
        "/api/v1/conversation/",
        json={
            "clientId": books["client"],
            "contextType": "job_order",
            "contextId": books["job"],
            "subject": "Interview slots",
            "body": "Thursday?",
        },
    )
    assert answer.status_code == 201, answer.get_json()
    result = answer.get_json()["result"]
    assert result["clientUnread"] == 1 and result["contact"]["id"] == books["contact"]
    assert [m["side"] for m in result["messages"]] == ["staff"]
    assert answer.get_json()["notified"] == 1


def test_starting_a_thread_with_a_client_the_user_may_not_see_is_a_404(app, api, books):
    answer = api(
        "POST",
        "/api/v1/conversation/",
        json={"clientId": books["other_client"], "subject": "Hi", "body": "Hi"},
    )
    assert answer.status_code == 404
    with app.app_context():
        assert db.session.scalar(select(func.count(Conversation.id))) == 3


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"subject": "Hi", "body": "Hi"}, "clientId"),
        ({"clientId": 0, "subject": "Hi", "body": "Hi"}, "clientId"),
        ({"clientId": "{client}", "body": "Hi"}, "subject"),
        ({"clientId": "{client}", "subject": "Hi"}, "body"),
        ({"clientId": "{client}", "subject": "Hi", "body": "   "}, "body"),
        ({"clientId": "{client}", "subject": "x" * 201, "body": "Hi"}, "subject"),
        (
            {"clientId": "{client}", "subject": "Hi", "body": "Hi", "contextType": "contract"},
            "contextType",
        ),
        (
            {"clientId": "{client}", "subject": "Hi", "body": "Hi", "contextType": "invoice"},
            "contextId",
        ),
        (
            {"clientId": "{client}", "subject": "Hi", "body": "Hi", "contactId": "{other_contact}"},
            "contactId",
        ),
        ({"clientId": "{client}", "subject": "Hi", "body": "Hi", "contactId": 99999}, "contactId"),
    ],
)
def test_a_refused_start_is_a_422_naming_the_field(api, books, body, field):
    filled = {
        key: int(value.format(**books))
        if isinstance(value, str) and value.startswith("{")
        else value
        for key, value in body.items()
    }
    answer = api("POST", "/api/v1/conversation/", json=filled)
    assert answer.status_code == 422, answer.get_json()
    assert field in answer.get_json()["message"]


def test_a_job_order_of_another_client_is_refused_as_the_context(app, api, books):
    with app.app_context():
        theirs = JobOrderFactory(client=db.session.get(Client, books["other_client"])).id
    answer = api(
        "POST",
        "/api/v1/conversation/",
        json={
            "clientId": books["client"],
            "subject": "Hi",
            "body": "Hi",
            "contextType": "job_order",
            "contextId": theirs,
        },
    )
    assert answer.status_code == 422 and "contextId" in answer.get_json()["message"]


def test_a_reply_is_a_staff_message(app, api, books):
    answer = api(
        "POST", f"/api/v1/conversation/{books['general']}/messages", json={"body": "Noted."}
    )
    assert answer.status_code == 201, answer.get_json()
    assert answer.get_json()["result"]["side"] == "staff"
    with app.app_context():
        conversation = db.session.get(Conversation, books["general"])
        assert (conversation.staff_unread, conversation.client_unread) == (0, 1)


@pytest.mark.parametrize(("body", "status"), [({"body": ""}, 422), ({}, 422), ("text", 400)])
def test_a_refused_reply_names_the_field(api, books, body, status):
    answer = api("POST", f"/api/v1/conversation/{books['general']}/messages", json=body)
    assert answer.status_code == status
    if status == 422:
        assert "body" in answer.get_json()["message"]


@pytest.mark.parametrize("role", STAFF)
def test_every_staff_role_may_read_and_write(app, books, role):
    call = api_for(app, user_on_team(app, role, books["client"]))
    assert call("GET", f"/api/v1/conversation/{books['general']}").status_code == 200
    reply = call("POST", f"/api/v1/conversation/{books['general']}/messages", json={"body": role})
    assert reply.status_code == 201


def test_a_portal_user_cannot_use_the_api(app, books):
    with app.app_context():
        username = make_user("Client").username
    call = api_for(app, username)
    assert call("GET", "/api/v1/conversation/").status_code == 403
    assert (
        call(
            "POST", f"/api/v1/conversation/{books['general']}/messages", json={"body": "x"}
        ).status_code
        == 403
    )


def test_a_browser_session_does_not_open_the_api(app, books):
    browser = app.test_client()
    with app.app_context():
        username = make_user("Admin").username
    login_staff(browser, username)
    assert browser.get("/api/v1/conversation/").status_code == 401
    reply = browser.post(f"/api/v1/conversation/{books['general']}/messages", json={"body": "x"})
    assert reply.status_code == 401
    with app.app_context():
        assert db.session.scalar(select(func.count(ConversationMessage.id))) == 3


def test_the_openapi_spec_documents_the_reply(app, books):
    call = api_for(app, user_on_team(app, "Admin", books["client"]))
    paths = call("GET", "/api/v1/_openapi").get_json()["paths"]
    assert "/api/v1/conversation/{pk}/messages" in paths and "/api/v1/conversation/" in paths
