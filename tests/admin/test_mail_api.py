"""The email-template and message APIs: rules as 422 naming the field, previews, sending to
contacts of one client with the skips named, and the role matrix."""

import pytest
from sqlalchemy import func, select

from extensions import db
from models import EmailTemplate, OutboxMessage
from tests.conftest import api_for
from tests.factories import ClientContactFactory, ClientFactory, make_user

TEMPLATE = {
    "key": "welcome",
    "name": "Welcome",
    "category": "onboarding",
    "subject": "Welcome, {{ contact.first_name }}",
    "body": "Dear {{ contact.first_name }},\n\nWelcome to {{ agency.name }}.",
}


@pytest.fixture
def manager(app):
    with app.app_context():
        user = make_user("Account Manager")
        return user.id, api_for(app, user.username)


def test_a_template_with_an_unknown_variable_is_a_422_naming_the_body(app, manager):
    _, api = manager
    response = api("POST", "/api/v1/email-template/", {**TEMPLATE, "body": "{{ who.cares }}"})
    assert response.status_code == 422
    assert "{{ who }}" in response.get_json()["message"]["body"][0]


def test_a_template_is_created_read_and_previewed(app, manager):
    manager_id, api = manager
    created = api("POST", "/api/v1/email-template/", TEMPLATE)
    assert created.status_code == 201, created.get_json()
    template_id = created.get_json()["id"]
    assert api("GET", f"/api/v1/email-template/{template_id}").get_json()["result"]["needs"] == []
    with app.app_context():
        link = ClientContactFactory(
            client=ClientFactory(owner_id=manager_id), contact__first_name="Maria"
        )
        client_id, contact_id = link.client_id, link.contact_id
    preview = api(
        "POST",
        f"/api/v1/email-template/{template_id}/preview",
        {"clientId": client_id, "contactId": contact_id},
    )
    assert preview.status_code == 200
    assert preview.get_json()["subject"] == "Welcome, Maria"
    assert preview.get_json()["body"].startswith("Dear Maria,")


def test_preview_for_a_client_the_user_may_not_see_is_a_404(app, manager):
    _, api = manager
    with app.app_context():
        template = EmailTemplate(**TEMPLATE)
        db.session.add(template)
        db.session.commit()
        template_id, hidden = template.id, ClientFactory().id
    response = api("POST", f"/api/v1/email-template/{template_id}/preview", {"clientId": hidden})
    assert response.status_code == 404


def test_send_queues_one_message_per_contact_and_names_the_skipped(app, manager):
    manager_id, api = manager
    with app.app_context():
        owned = ClientFactory(owner_id=manager_id)
        ok = ClientContactFactory(client=owned, contact__first_name="Maria")
        out = ClientContactFactory(client=owned, contact__opt_out_email=True)
        client_id, ids = owned.id, [ok.contact_id, out.contact_id]
    response = api(
        "POST",
        "/api/v1/message/send",
        {
            "clientId": client_id,
            "contactIds": ids,
            "subject": "Hi {{ contact.first_name }}",
            "body": "Your shortlist is ready.",
        },
    )
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert [m["subject"] for m in body["queued"]] == ["Hi Maria"]
    assert body["skipped"] == [{"contactId": ids[1], "reason": "opted out of email"}]
    listed = api("GET", f"/api/v1/message/?client_id={client_id}").get_json()
    assert listed["count"] == 1 and listed["result"][0]["status"] == "stored"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"subject": "Hi", "body": ""}, "body"),
        ({"subject": "", "body": "Hello"}, "subject"),
        ({"subject": "Hi", "body": "{{ nobody }}"}, "body"),
        ({"templateId": 999999}, "templateId"),
        ({"subject": "Hi", "body": "x", "about": "invoice:999"}, "about"),
    ],
)
def test_a_bad_send_is_a_422_naming_the_field_and_queues_nothing(app, manager, body, field):
    manager_id, api = manager
    with app.app_context():
        link = ClientContactFactory(client=ClientFactory(owner_id=manager_id))
        target = {"clientId": link.client_id, "contactIds": [link.contact_id]}
    response = api("POST", "/api/v1/message/send", {**target, **body})
    assert response.status_code == 422, response.get_json()
    assert field in response.get_json()["message"]
    with app.app_context():
        assert db.session.scalar(select(func.count(OutboxMessage.id))) == 0


def test_send_to_a_contact_of_another_client_is_refused(app, manager):
    manager_id, api = manager
    with app.app_context():
        owned = ClientFactory(owner_id=manager_id)
        stranger = ClientContactFactory().contact_id
        ClientContactFactory(client=owned)
        client_id = owned.id
    response = api(
        "POST",
        "/api/v1/message/send",
        {"clientId": client_id, "contactIds": [stranger], "subject": "Hi", "body": "x"},
    )
    assert response.status_code == 422 and "contactIds" in response.get_json()["message"]


def test_send_to_a_client_the_user_may_not_see_is_a_404(app, manager):
    _, api = manager
    with app.app_context():
        link = ClientContactFactory()
        target = {"clientId": link.client_id, "contactIds": [link.contact_id]}
    response = api("POST", "/api/v1/message/send", {**target, "subject": "Hi", "body": "x"})
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("role", "reads_templates", "writes_templates", "sends"),
    [
        ("Account Manager", 200, 422, 422),
        ("Finance", 200, 403, 422),
        ("Recruiter", 200, 403, 403),
    ],
)
def test_the_role_matrix(app, role, reads_templates, writes_templates, sends):
    with app.app_context():
        api = api_for(app, make_user(role).username)
    assert api("GET", "/api/v1/email-template/").status_code == reads_templates
    assert api("POST", "/api/v1/email-template/", {}).status_code == writes_templates
    assert api("POST", "/api/v1/message/send", {}).status_code == sends


def test_a_browser_session_alone_cannot_use_the_api(app, client):
    from tests.conftest import login_staff

    with app.app_context():
        login_staff(client, make_user("Account Manager").username)
    assert client.get("/api/v1/email-template/").status_code == 401
