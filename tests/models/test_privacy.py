"""Privacy: consent records, the export of a contact's data, and erasure on request."""

import json
from datetime import timedelta

import pytest
from flask_appbuilder import Model
from sqlalchemy import JSON, String, Text, cast, func, select

from extensions import db
from models import (
    PERSONAL_DATA,
    Activity,
    Client,
    ConsentError,
    ConsentRecord,
    Contact,
    ContactErasedError,
    InboundMail,
    OutboxMessage,
    PortalInvitation,
    PortalLogin,
    erase_contact,
    export_contact,
    grant_consent,
    has_marketing_consent,
    record_activity,
    utcnow,
    withdraw_consent,
)
from models.consent import current_consent
from models.privacy import NOT_PERSONAL
from tests.factories import ClientContactFactory, ContactFactory, make_portal_user, make_user

pytestmark = pytest.mark.usefixtures("ctx")

EMAIL = "zephyrine.quill@example.test"
OLD_EMAIL = "z.quill.old@example.test"
FIRST, LAST = "Zephyrine", "Quillfeather"
PHONE = "+63 917 555 0199"
IP = "203.0.113.77"
PERSONAL_VALUES = [EMAIL, OLD_EMAIL, FIRST, LAST, PHONE, IP, "Chief Talent Wrangler"]


def person_with_a_history():
    """A contact with mail, an invitation, a portal login, sign-ins, timeline rows and consent.

    Returns (contact id, client id); a bystander contact at the same client has mail too.
    """
    staff = make_user("Account Manager")
    link = ClientContactFactory(
        role="primary",
        contact__first_name=FIRST,
        contact__last_name=LAST,
        contact__email=EMAIL,
        contact__phone=PHONE,
        contact__title="Chief Talent Wrangler",
    )
    contact, client_id = link.contact, link.client_id
    user = make_portal_user(link)
    PortalInvitation.issue(link, staff)
    db.session.add_all(
        [
            OutboxMessage(
                to_email=EMAIL,
                to_name=f"{FIRST} {LAST}",
                subject=f"Welcome, {FIRST}",
                body_text=f"Dear {FIRST} {LAST}, call us back on {PHONE}.",
                body_html=f"<p>Dear {FIRST}</p>",
                status="stored",
                client_id=client_id,
                contact_id=contact.id,
            ),
            PortalLogin(username=EMAIL, user_id=user.id, succeeded=True, ip=IP, user_agent="UA"),
            PortalLogin(username=EMAIL.upper(), succeeded=False, reason="bad password", ip=IP),
        ]
    )
    record_activity(
        db.session,
        "updated",
        f"Contact {FIRST} {LAST} updated",
        client_id=client_id,
        subject=contact,
        changes={"email": [OLD_EMAIL, EMAIL], "title": [None, "Chief Talent Wrangler"]},
    )
    record_activity(
        db.session,
        "contact",
        f"{FIRST} {LAST} is now the primary contact",
        client_id=client_id,
        subject=link,
    )
    record_activity(db.session, "mail", f"Mail sent to {EMAIL}", client_id=client_id)
    grant_consent(contact, "web form", staff, note=f"Signed up as {EMAIL}")
    # A mail they sent to the service desk: kept as received mail, and raised as a ticket.
    InboundMail.action_receive(
        f"From: {FIRST} {LAST} <{EMAIL.upper()}>\r\nTo: support@agency.test\r\n"
        f"Subject: Call back {FIRST} {LAST}\r\nMessage-ID: <zq-1@example.test>\r\n\r\n"
        f"Please call {FIRST} on {PHONE}.\r\n".encode()
    )
    bystander = ClientContactFactory(client=link.client, contact__last_name="Bystander")
    db.session.add(
        OutboxMessage(
            to_email=bystander.contact.email,
            to_name=str(bystander.contact),
            subject="Hello",
            body_text=f"Hello {bystander.contact.first_name}",
            client_id=client_id,
            contact_id=bystander.contact_id,
        )
    )
    db.session.commit()
    return contact.id, client_id


def where_found(values: list[str]) -> list[str]:
    """Every table.column (text or JSON) of the database holding any of ``values``."""
    found = []
    for table in Model.metadata.sorted_tables:
        for column in table.columns:
            if not isinstance(column.type, String | Text | JSON):
                continue
            text = func.lower(cast(column, Text))
            for value in values:
                needle = value.lower()
                hits = db.session.scalar(
                    select(func.count())
                    .select_from(table)
                    .where(text.contains(needle, autoescape=True))
                )
                if hits:
                    found.append(f"{table.name}.{column.name} holds {value!r}")
    return found


# ---------------------------------------------------------------- consent


def test_the_latest_consent_record_is_the_answer():
    contact = ContactFactory()
    assert not has_marketing_consent(contact)  # never asked means no
    grant_consent(contact, "web form")
    db.session.commit()
    assert has_marketing_consent(contact)
    withdraw_consent(contact, "email", note="Replied STOP")
    db.session.commit()
    assert not has_marketing_consent(contact)


def test_an_older_answer_recorded_late_does_not_override_a_newer_one():
    contact = ContactFactory()
    withdraw_consent(contact, "phone")
    grant_consent(contact, "import", at=utcnow() - timedelta(days=30))
    db.session.commit()
    assert not has_marketing_consent(contact)
    assert current_consent(contact).source == "phone"


def test_consent_is_per_purpose():
    contact = ContactFactory()
    grant_consent(contact, "web form", purpose="newsletter")
    db.session.commit()
    assert not has_marketing_consent(contact)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"source": "carrier pigeon"}, "source"),
        ({"purpose": "telepathy"}, "purpose"),
        ({"at": utcnow() + timedelta(days=2)}, "at"),
    ],
)
def test_a_consent_record_names_the_broken_rule(changes, field):
    values = {"source": "web form", "at": None, **changes}
    with pytest.raises(ConsentError) as caught:
        grant_consent(ContactFactory(), values.pop("source"), **values)
    assert caught.value.field == field


def test_an_answer_goes_on_the_timeline_of_each_of_the_contacts_clients():
    link = ClientContactFactory()
    ClientContactFactory(contact=link.contact)
    withdraw_consent(link.contact, "email")
    db.session.commit()
    rows = db.session.scalars(select(Activity).where(Activity.kind == "consent")).all()
    assert sorted(row.client_id for row in rows) == sorted(
        link.client_id for link in link.contact.client_links
    )
    assert rows[0].summary == f"{link.contact}: consent to marketing email withdrawn (email)"


# ---------------------------------------------------------------- export


def test_the_export_holds_everything_about_the_person_and_no_password_hash():
    contact_id, client_id = person_with_a_history()
    contact = db.session.get(Contact, contact_id)
    data = export_contact(contact)
    assert data["contact"]["email"] == EMAIL and data["contact"]["phone"] == PHONE
    assert data["client_links"][0]["client_id"] == client_id
    assert data["client_links"][0]["role"] == "primary"
    assert data["portal_account"]["username"] == EMAIL
    assert "password" not in data["portal_account"]
    assert data["portal_invitations"][0]["email"] == EMAIL
    assert {row["ip"] for row in data["portal_sign_ins"]} == {IP}
    assert len(data["portal_sign_ins"]) == 2  # the failed attempt under their email too
    assert data["consent"][0]["granted"] is True and data["consent"][0]["source"] == "web form"
    assert [m["to_email"] for m in data["messages"]] == [EMAIL]  # not the bystander's mail
    assert [m["subject"] for m in data["inbound_mail"]] == [f"Call back {FIRST} {LAST}"]
    assert [t["subject"] for t in data["tickets"]] == [f"Call back {FIRST} {LAST}"]
    assert data["messages"][0]["body_text"].startswith(f"Dear {FIRST}")
    kinds = {row["kind"] for row in data["activity"]}
    assert {"updated", "contact", "mail", "consent"} <= kinds
    hash_ = contact.user.password
    assert hash_ and hash_ not in json.dumps(data)


# ---------------------------------------------------------------- erasure


def test_after_erasure_no_personal_value_is_anywhere_in_the_database():
    contact_id, client_id = person_with_a_history()
    assert where_found(PERSONAL_VALUES)  # the search does find them before
    erase_contact(db.session.get(Contact, contact_id), make_user("Admin"))
    db.session.commit()
    db.session.remove()

    assert where_found(PERSONAL_VALUES) == []
    assert db.session.scalar(select(InboundMail.raw)) == b""  # the message as received, gone
    # The client and everything that refers to the contact still load.
    client = db.session.get(Client, client_id)
    primary = [link for link in client.contact_links if link.role == "primary"]
    assert str(primary[0].contact) == f"Erased contact #{contact_id}"
    assert len(client.contact_links) == 2
    messages = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.contact_id == contact_id)
    ).all()
    assert [m.status for m in messages] == ["stored"]
    assert db.session.scalar(select(PortalInvitation)).link.client_id == client_id


def test_erasure_leaves_other_peoples_data_alone():
    contact_id, _ = person_with_a_history()
    erase_contact(db.session.get(Contact, contact_id))
    db.session.commit()
    bystander = db.session.scalar(select(Contact).where(Contact.last_name == "Bystander"))
    message = db.session.scalar(
        select(OutboxMessage).where(OutboxMessage.contact_id == bystander.id)
    )
    assert message.to_email == bystander.email
    assert message.body_text == f"Hello {bystander.first_name}"


def test_erasure_closes_the_portal_login_and_pending_invitations():
    contact_id, _ = person_with_a_history()
    contact = db.session.get(Contact, contact_id)
    erase_contact(contact)
    db.session.commit()
    assert contact.user.active is False and contact.user.password is None
    assert all(not link.portal_enabled for link in contact.client_links)
    invitation = db.session.scalar(select(PortalInvitation))
    assert invitation.state == "revoked"


def test_erasure_is_on_the_timeline_without_personal_data():
    contact_id, client_id = person_with_a_history()
    erase_contact(db.session.get(Contact, contact_id))
    db.session.commit()
    row = db.session.scalar(select(Activity).where(Activity.kind == "erased"))
    assert row.summary == f"Contact #{contact_id} erased on request"
    assert row.client_id == client_id and row.subject_id == contact_id


def test_an_erased_contact_gets_no_marketing_mail_and_cannot_consent_again():
    contact = ContactFactory()
    grant_consent(contact, "web form")
    erase_contact(contact)
    db.session.commit()
    assert not has_marketing_consent(contact)
    with pytest.raises(ConsentError, match="erased"):
        grant_consent(contact, "web form")


def test_erasing_twice_is_refused_with_a_clear_message():
    contact = ContactFactory()
    erase_contact(contact)
    db.session.commit()
    with pytest.raises(ContactErasedError, match="nothing left to erase") as caught:
        erase_contact(contact)
    assert caught.value.field == "erased_at"
    assert db.session.scalar(select(func.count()).where(Activity.kind == "erased")) == 1


def test_every_table_pointing_at_a_contact_is_declared_for_privacy():
    """A new table with a contact foreign key must say what export and erasure do with it."""
    declared = {entry.model.__table__.name for entry in PERSONAL_DATA} | NOT_PERSONAL
    pointing = {
        table.name
        for table in Model.metadata.sorted_tables
        for fk in table.foreign_keys
        if fk.column.table.name == "contact"
    }
    assert pointing - declared == set()


def test_consent_records_are_kept_as_proof_after_erasure():
    contact = ContactFactory()
    grant_consent(contact, "web form", note="Form #4411 by the person")
    withdraw_consent(contact, "email")
    erase_contact(contact)
    db.session.commit()
    records = db.session.scalars(select(ConsentRecord)).all()
    assert len(records) == 2 and all(record.note is None for record in records)
