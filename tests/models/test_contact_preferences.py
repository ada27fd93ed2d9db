"""Contacts' communication preferences, relationships between contacts, the primary contact
verb and delinking."""

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from extensions import db
from models import (
    Activity,
    ClientContact,
    ClientValidationError,
    Contact,
    ContactRelationship,
    OutboxMessage,
)
from tests.factories import ClientContactFactory, ClientFactory, ContactFactory
from tests.models.rules import refused

pytestmark = pytest.mark.usefixtures("ctx")


def contact(**values):
    return Contact(first_name="Ana", last_name="Cruz", **values)


# -- preferences


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("preferred_channel", "pigeon", "Preferred channel must be one of email, phone, sms"),
        ("best_time", "midnight", "Best time to contact must be one of morning"),
        ("engagement_level", "lukewarm", "Engagement level must be one of hot, warm"),
        ("frequency_limit", 0, "Frequency limit is a whole number of messages per 7 days"),
        ("frequency_limit", -3, "Frequency limit is a whole number"),
        ("frequency_limit", 101, "1 to 100"),
    ],
)
def test_bad_preference_values_are_refused_naming_the_field(field, value, message):
    assert message in refused(contact(**{field: value}), field)


def test_a_preferred_channel_the_contact_opted_out_of_is_refused():
    message = refused(contact(preferred_channel="email", opt_out_email=True), "preferred_channel")
    assert "opted out of email" in message


def test_good_preferences_are_saved():
    saved = ContactFactory(
        preferred_channel="sms",
        best_time="morning",
        frequency_limit=3,
        opt_out_email=True,
        engagement_level="hot",
    )
    db.session.expire_all()
    again = db.session.get(Contact, saved.id)
    assert (again.preferred_channel, again.best_time, again.frequency_limit) == (
        "sms",
        "morning",
        3,
    )
    assert again.opt_out_email and not again.opt_out_sms and again.engagement_level == "hot"


def test_the_database_refuses_an_unknown_engagement_level():
    saved = ContactFactory()
    with pytest.raises(IntegrityError):
        with db.engine.begin() as connection:
            connection.execute(
                Contact.__table__.update()
                .where(Contact.id == saved.id)
                .values(engagement_level="lukewarm")
            )


def test_refusal_names_the_opt_out_the_missing_address_and_the_frequency_limit():
    assert ContactFactory(opt_out_email=True).refusal("email") == "opted out of email"
    assert ContactFactory(email=None).refusal("email") == "has no email address"
    assert ContactFactory(phone=None).refusal("sms") == "has no phone number"
    limited = ContactFactory(frequency_limit=1)
    assert limited.refusal("email") is None
    db.session.add(
        OutboxMessage(
            to_email=limited.email, subject="Hello", body_text="Hi", contact_id=limited.id
        )
    )
    db.session.commit()
    assert limited.refusal("email") == "reached their limit of 1 messages per 7 days"


# -- relationships


def test_a_contact_cannot_be_related_to_themselves():
    ana = ContactFactory()
    link = ContactRelationship(from_contact=ana, to_contact=ana, kind="colleague")
    assert "cannot be related to themselves" in refused(link, "to_contact")


def test_the_database_refuses_a_relationship_to_oneself():
    ana = ContactFactory()
    with pytest.raises(IntegrityError):
        with db.engine.begin() as connection:
            connection.execute(
                ContactRelationship.__table__.insert().values(
                    from_contact_id=ana.id, to_contact_id=ana.id, kind="other", created_at=None
                )
            )


def test_the_same_relationship_is_recorded_once():
    ana, ben = ContactFactory(), ContactFactory()
    db.session.add(ContactRelationship(from_contact=ana, to_contact=ben, kind="reports to"))
    db.session.commit()
    again = ContactRelationship(from_contact=ana, to_contact=ben, kind="reports to")
    assert "recorded already" in refused(again, "to_contact")
    db.session.add(ContactRelationship(from_contact=ana, to_contact=ben, kind="colleague"))
    db.session.commit()  # another kind between the same two is fine
    assert sorted(str(r) for r in db.session.get(Contact, ana.id).relationships) == [
        f"{ana} colleague {ben}",
        f"{ana} reports to {ben}",
    ]


def test_relationship_kind_is_from_the_list():
    link = ContactRelationship(
        from_contact=ContactFactory(), to_contact=ContactFactory(), kind="frenemy"
    )
    assert "Kind must be one of" in refused(link, "kind")


# -- the primary contact and delinking


def test_making_b_primary_clears_a_in_the_same_transaction():
    a = ClientContactFactory(role="primary")
    b = ClientContactFactory(client=a.client)
    b.action_make_primary()
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(ClientContact, a.id).role == "secondary"
    assert db.session.get(ClientContact, b.id).is_primary
    assert db.session.get(ClientContact, b.id).client.primary_contact.id == b.contact_id


def test_making_the_primary_primary_again_is_refused():
    a = ClientContactFactory(role="primary")
    with pytest.raises(ClientValidationError, match="primary contact of .* already"):
        a.action_make_primary()


def test_a_primary_change_is_on_the_timeline():
    a = ClientContactFactory(role="primary")
    b = ClientContactFactory(client=a.client)
    b.action_make_primary()
    db.session.commit()
    rows = db.session.scalars(
        select(Activity).where(Activity.kind == "contact").order_by(Activity.id)
    ).all()
    assert [(row.kind, row.client_id) for row in rows] == [("contact", a.client_id)] * 2
    assert "no longer the primary" in rows[0].summary and str(a.contact) in rows[0].summary
    assert "made the primary contact" in rows[1].summary and rows[1].subject_id == b.contact_id
    assert rows[1].changes == {"role": ["secondary", "primary"]}


def test_the_database_refuses_a_second_primary_contact():
    """``uq_client_primary_contact``: a partial unique index, whatever the model checks."""
    a = ClientContactFactory(role="primary")
    b = ClientContactFactory(client=a.client)
    with pytest.raises(IntegrityError):
        with db.engine.begin() as connection:
            connection.execute(
                ClientContact.__table__.update()
                .where(ClientContact.id == b.id)
                .values(role="primary")
            )


def test_delink_removes_the_link_and_keeps_the_contact():
    link = ClientContactFactory()
    other = ClientContactFactory(contact=link.contact)  # the same person at another client
    link_id, contact_id, client_id = link.id, link.contact_id, link.client_id
    link.action_delink()
    db.session.commit()
    assert db.session.get(ClientContact, link_id) is None
    assert db.session.get(Contact, contact_id) is not None
    assert db.session.get(ClientContact, other.id) is not None
    activity = db.session.scalar(select(Activity).where(Activity.kind == "contact"))
    assert activity.kind == "contact" and activity.client_id == client_id
    assert "delinked" in activity.summary


def test_linking_a_contact_is_on_the_timeline():
    client = ClientFactory()
    client.action_link_contact(ContactFactory(first_name="Lia"), role="emergency")
    db.session.commit()
    activity = db.session.scalar(select(Activity).where(Activity.kind == "contact"))
    assert activity.summary == "Lia Reyes assigned as emergency contact"
    assert activity.client_id == client.id
