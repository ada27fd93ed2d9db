"""The client page's Contacts and Mail tabs: assign, create in one step, delink, make primary,
mail and SMS to the selected contacts; contact preferences and relationships on the forms and
in the API."""

import re

import pytest
from sqlalchemy import func, select

from extensions import db
from models import (
    Activity,
    Client,
    ClientContact,
    ClientTeamMember,
    Contact,
    ContactRelationship,
    OutboxMessage,
)
from tests.conftest import api_for, csrf_token, login_staff
from tests.factories import ClientContactFactory, ClientFactory, ContactFactory, make_user


@pytest.fixture
def manager(app, client):
    """Signed in as an Account Manager; returns their user id."""
    with app.app_context():
        user = make_user("Account Manager")
        login_staff(client, user.username)
        return user.id


def owned_client(app, manager, **values) -> int:
    with app.app_context():
        return ClientFactory(owner_id=manager, **values).id


def token(client) -> str:
    return csrf_token(client, "/contactview/add")


def act(client, action, link_ids):
    return client.post(
        "/clientcontactview/action_post",
        data={"action": action, "rowid": link_ids, "csrf_token": token(client)},
    )


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_assigning_an_existing_contact_is_on_the_timeline(app, client, manager):
    client_id = owned_client(app, manager)
    with app.app_context():
        contact_id = ContactFactory(first_name="Ines").id
    response = client.post(
        "/clientcontactview/add",
        data={
            "client": client_id,
            "contact": contact_id,
            "role": "reference",
            "csrf_token": token(client),
        },
    )
    assert response.status_code == 302
    with app.app_context():
        assert count(ClientContact, ClientContact.client_id == client_id) == 1
        activity = db.session.scalar(select(Activity).where(Activity.kind == "contact"))
        assert activity.summary == "Ines Reyes assigned as reference contact"
        assert activity.client_id == client_id and activity.kind == "contact"


def test_the_contacts_tab_offers_a_new_contact_for_this_client(app, client, manager):
    client_id = owned_client(app, manager)
    page = client.get(f"/clientview/show/{client_id}").get_data(as_text=True)
    assert f"/clientcontactview/new/{client_id}" in page


def test_a_new_contact_is_created_and_assigned_in_one_step(app, client, manager):
    client_id = owned_client(app, manager)
    url = f"/clientcontactview/new/{client_id}"
    values = {"first_name": "Noor", "last_name": "Haddad", "email": "noor@example.test"}
    response = client.post(url, data={**values, "role": "primary", "csrf_token": token(client)})
    assert response.status_code == 302
    with app.app_context():
        contact = db.session.scalar(select(Contact))
        assert contact.email == "noor@example.test"
        [link] = contact.client_links
        assert link.client_id == client_id and link.is_primary
        assert db.session.scalar(select(Activity).where(Activity.kind == "contact")).summary == (
            "Noor Haddad assigned as primary contact"
        )


def test_a_bad_new_contact_re_renders_with_the_values_and_the_rule(app, client, manager):
    client_id = owned_client(app, manager)
    with app.app_context():
        ContactFactory(email="taken@example.test")
    response = client.post(
        f"/clientcontactview/new/{client_id}",
        data={
            "first_name": "Noor",
            "last_name": "",
            "email": "taken@example.test",
            "role": "secondary",
            "csrf_token": token(client),
        },
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Last name is required." in page
    assert "belongs to another contact" in page
    assert 'value="Noor"' in page
    with app.app_context():
        assert count(Contact) == 1 and count(ClientContact) == 0


def test_delink_removes_the_link_and_keeps_the_contact(app, client, manager):
    client_id = owned_client(app, manager)
    with app.app_context():
        link = ClientContactFactory(client=db.session.get(Client, client_id))
        link_id, contact_id = link.id, link.contact_id
    act(client, "delink", [link_id])
    with app.app_context():
        assert db.session.get(ClientContact, link_id) is None
        assert db.session.get(Contact, contact_id) is not None
        assert (
            "delinked"
            in db.session.scalar(select(Activity).where(Activity.kind == "contact")).summary
        )
    page = client.get(f"/clientview/show/{client_id}").get_data(as_text=True)
    assert "delinked from" in page


def test_make_primary_moves_the_primary_contact(app, client, manager):
    client_id = owned_client(app, manager)
    with app.app_context():
        a = ClientContactFactory(client=db.session.get(Client, client_id), role="primary")
        b = ClientContactFactory(client=db.session.get(Client, client_id))
        a_id, b_id = a.id, b.id
    act(client, "make_primary", [b_id])
    with app.app_context():
        assert db.session.get(ClientContact, a_id).role == "secondary"
        assert db.session.get(ClientContact, b_id).role == "primary"
        assert count(Activity, Activity.kind == "contact") == 2


def test_make_primary_wants_exactly_one_contact(app, client, manager):
    client_id = owned_client(app, manager)
    with app.app_context():
        ids = [ClientContactFactory(client=db.session.get(Client, client_id)).id for _ in range(2)]
    act(client, "make_primary", ids)
    page = client.get(f"/clientview/show/{client_id}").get_data(as_text=True)
    assert "Choose one contact to make the primary contact." in page
    with app.app_context():
        assert count(ClientContact, ClientContact.role == "primary") == 0


def selected_contacts(app, client_id):
    with app.app_context():
        return [
            ClientContactFactory(client=db.session.get(Client, client_id)).id,
            ClientContactFactory(client=db.session.get(Client, client_id)).id,
            ClientContactFactory(
                client=db.session.get(Client, client_id), contact__opt_out_email=True
            ).id,
        ]


def test_send_mail_to_the_selected_contacts_reports_the_skipped_one(app, client, manager):
    client_id = owned_client(app, manager)
    link_ids = selected_contacts(app, client_id)
    response = act(client, "send_mail", link_ids)
    compose = response.headers["Location"]
    assert "/clientcontactview/compose/email?" in compose
    page = client.get(compose).get_data(as_text=True)
    assert "Will be skipped: opted out of email" in page
    response = client.post(
        compose,
        data={
            "subject": "Shortlist",
            "body_text": "Three candidates.",
            "csrf_token": token(client),
        },
    )
    assert response.headers["Location"].endswith(f"/clientview/show/{client_id}")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "2 mail queued." in page
    assert re.search(r"Pat\d+ Reyes skipped: opted out of email\.", page)
    with app.app_context():
        assert count(OutboxMessage, OutboxMessage.client_id == client_id) == 2
        # Two mails and the skip, each on the timeline.
        assert count(Activity, Activity.kind == "mail") == 3
        assert count(Activity, Activity.summary.like("%not sent: opted out of email")) == 1
    mail_tab = client.get(f"/clientview/show/{client_id}").get_data(as_text=True)
    assert mail_tab.count("Shortlist") >= 2


def test_a_mail_without_a_subject_is_shown_on_the_form(app, client, manager):
    client_id = owned_client(app, manager)
    link_ids = selected_contacts(app, client_id)
    compose = act(client, "send_mail", link_ids).headers["Location"]
    response = client.post(
        compose, data={"subject": "", "body_text": "Kept text", "csrf_token": token(client)}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Subject is required." in page and "Kept text" in page
    with app.app_context():
        assert count(OutboxMessage) == 0


def test_send_sms_to_the_selected_contacts(app, client, manager):
    client_id = owned_client(app, manager)
    with app.app_context():
        ids = [
            ClientContactFactory(
                client=db.session.get(Client, client_id), contact__phone="+63 917 000 0001"
            ).id,
            ClientContactFactory(client=db.session.get(Client, client_id), contact__phone=None).id,
        ]
    compose = act(client, "send_sms", ids).headers["Location"]
    client.post(compose, data={"body_text": "See you at 3.", "csrf_token": token(client)})
    with app.app_context():
        [sms] = db.session.scalars(select(OutboxMessage)).all()
        assert (sms.channel, sms.to_phone, sms.status) == ("sms", "+63 917 000 0001", "stored")
    assert "skipped: has no phone number" in client.get("/").get_data(as_text=True)
    outbox = client.get("/outboxview/list/").get_data(as_text=True)
    assert "+63 917 000 0001" in outbox and "sms" in outbox


def test_the_mail_tab_shows_only_this_clients_messages_newest_first(app, client, manager):
    client_id = owned_client(app, manager)
    with app.app_context():
        other = ClientFactory(owner_id=manager)
        for subject, owner in (("Older note", client_id), ("Newer note", client_id)):
            db.session.add(
                OutboxMessage(
                    to_email="a@example.test", subject=subject, body_text="x", client_id=owner
                )
            )
            db.session.commit()
        db.session.add(
            OutboxMessage(
                to_email="b@example.test",
                subject="Other client's",
                body_text="x",
                client_id=other.id,
            )
        )
        db.session.commit()
    page = client.get(f"/clientview/show/{client_id}").get_data(as_text=True)
    assert page.index("Newer note") < page.index("Older note")
    assert "Other client's" not in page


def test_a_recruiter_on_the_team_may_read_but_not_send(app, client):
    """Recruiters read contacts; sending mail is a write on contacts."""
    with app.app_context():
        link = ClientContactFactory()
        recruiter = make_user("Recruiter")
        db.session.add(ClientTeamMember(client=link.client, user=recruiter, role="recruiter"))
        db.session.commit()
        db.session.add(
            OutboxMessage(
                to_email="x@example.test", subject="Seen", body_text="x", client_id=link.client_id
            )
        )
        db.session.commit()
        link_id, client_id, username = link.id, link.client_id, recruiter.username
    login_staff(client, username)
    assert "Seen" in client.get(f"/clientview/show/{client_id}").get_data(as_text=True)
    form_token = csrf_token(client, f"/clientview/show/{client_id}")
    compose = f"/clientcontactview/compose/email?link={link_id}"
    response = client.post(
        compose, data={"subject": "Hi", "body_text": "Hi", "csrf_token": form_token}
    )
    assert response.status_code == 403
    assert client.get(f"/clientcontactview/new/{client_id}").status_code in (302, 403)
    with app.app_context():
        assert count(OutboxMessage) == 1  # the one made above: nothing sent


def test_an_account_manager_cannot_mail_another_managers_contacts(app, client, manager):
    with app.app_context():
        link_id = ClientContactFactory().id  # a client they neither own nor are on the team of
    compose = f"/clientcontactview/compose/email?link={link_id}"
    response = client.post(
        compose, data={"subject": "Hi", "body_text": "Hi", "csrf_token": token(client)}
    )
    assert response.status_code == 302
    with app.app_context():
        assert count(OutboxMessage) == 0
    with app.app_context():
        client_id = db.session.get(ClientContact, link_id).client_id
    assert client.get(f"/clientcontactview/new/{client_id}").status_code == 404


def test_bad_preferences_on_the_contact_form_name_the_field(app, client, manager):
    response = client.post(
        "/contactview/add",
        data={
            "first_name": "Ana",
            "last_name": "Cruz",
            "frequency_limit": "0",
            "preferred_channel": "sms",
            "opt_out_sms": "y",
            "csrf_token": token(client),
        },
    )
    page = response.get_data(as_text=True)
    assert "Frequency limit is a whole number of messages per 7 days" in page
    assert "Preferred channel is sms, but the contact opted out of sms." in page
    with app.app_context():
        assert count(Contact) == 0


def test_a_relationship_to_oneself_is_refused_on_the_form(app, client, manager):
    with app.app_context():
        contact_id = ContactFactory().id
    response = client.post(
        "/contactrelationshipview/add",
        data={
            "from_contact": contact_id,
            "to_contact": contact_id,
            "kind": "colleague",
            "csrf_token": token(client),
        },
    )
    assert "cannot be related to themselves" in response.get_data(as_text=True)
    with app.app_context():
        assert count(ContactRelationship) == 0


def test_the_contact_page_lists_its_relationships(app, client, manager):
    with app.app_context():
        ana, ben = ContactFactory(first_name="Ana"), ContactFactory(first_name="Ben")
        db.session.add(ContactRelationship(from_contact=ana, to_contact=ben, kind="reports to"))
        db.session.commit()
        ana_id = ana.id
    page = client.get(f"/contactview/show/{ana_id}").get_data(as_text=True)
    assert "reports to" in page and "Ben Reyes" in page


@pytest.fixture
def api(app):
    with app.app_context():
        username = make_user("Account Manager").username
    return api_for(app, username)


def test_the_api_reads_and_writes_contact_preferences(api):
    created = api(
        "POST",
        "/api/v1/contact/",
        {"first_name": "Ana", "last_name": "Cruz", "engagement_level": "warm", "opt_out_sms": True},
    )
    assert created.status_code == 201
    shown = api("GET", f"/api/v1/contact/{created.get_json()['id']}").get_json()["result"]
    assert shown["engagement_level"] == "warm" and shown["opt_out_sms"] is True


@pytest.mark.parametrize(
    "values, field",
    [
        ({"engagement_level": "lukewarm"}, "engagement_level"),
        ({"frequency_limit": -1}, "frequency_limit"),
        ({"best_time": "midnight"}, "best_time"),
    ],
)
def test_a_bad_preference_in_the_api_is_a_422_naming_the_field(api, values, field):
    response = api("POST", "/api/v1/contact/", {"first_name": "A", "last_name": "B", **values})
    assert response.status_code == 422
    assert field in response.get_json()["message"]


def test_team_membership_is_enough_to_use_the_tab(app, client):
    """An Account Manager on the team (not the owner) may write to the client's contacts."""
    with app.app_context():
        user = make_user("Account Manager")
        link = ClientContactFactory()
        db.session.add(ClientTeamMember(client=link.client, user=user, role="account lead"))
        db.session.commit()
        username, link_id = user.username, link.id
    login_staff(client, username)
    compose = f"/clientcontactview/compose/email?link={link_id}"
    client.post(compose, data={"subject": "Hi", "body_text": "Hi", "csrf_token": token(client)})
    with app.app_context():
        assert count(OutboxMessage) == 1


def test_a_role_changed_on_the_edit_form_is_on_the_timeline(app, client, manager):
    client_id = owned_client(app, manager)
    with app.app_context():
        link = ClientContactFactory(client=db.session.get(Client, client_id))
        link_id, contact_id = link.id, link.contact_id
    response = client.post(
        f"/clientcontactview/edit/{link_id}",
        data={
            "client": client_id,
            "contact": contact_id,
            "role": "emergency",
            "can_billing": "y",
            "csrf_token": token(client),
        },
    )
    assert response.status_code == 302
    with app.app_context():
        saved = db.session.get(ClientContact, link_id)
        assert saved.role == "emergency" and saved.can_billing and not saved.can_hiring
        activity = db.session.scalar(select(Activity).where(Activity.kind == "contact"))
        assert activity.changes == {"role": ["secondary", "emergency"]}
        assert "changed from secondary to emergency contact" in activity.summary
