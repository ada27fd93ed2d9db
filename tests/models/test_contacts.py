"""Contacts, their links to clients (one primary at most) and locations."""

import pytest
from sqlalchemy.exc import IntegrityError

from extensions import db
from models import ClientContact, ClientValidationError, Contact, Location
from tests.factories import ClientContactFactory, ClientFactory, ContactFactory
from tests.models.rules import refused

pytestmark = pytest.mark.usefixtures("ctx")


@pytest.mark.parametrize("field", ["first_name", "last_name"])
def test_contact_names_are_required(field):
    values = {"first_name": "Ana", "last_name": "Cruz", field: " "}
    assert "required" in refused(Contact(**values), field)


def test_contact_email_must_be_valid():
    refused(Contact(first_name="Ana", last_name="Cruz", email="ana@"), "email")


def test_contact_email_belongs_to_one_contact():
    ContactFactory(email="ana@example.test")
    refused(Contact(first_name="Ana", last_name="Two", email="ANA@example.test"), "email")


def test_contact_phone_holds_phone_characters_only():
    refused(Contact(first_name="Ana", last_name="Cruz", phone="call me maybe"), "phone")


def test_a_client_may_have_one_primary_contact():
    client = ClientFactory()
    ClientContactFactory(client=client, role="primary")
    second = ClientContact(client=client, contact=ContactFactory(), role="primary")
    assert "already has a primary contact" in refused(second, "role")


def test_link_contact_refuses_a_second_primary_before_saving():
    client = ClientFactory()
    client.action_link_contact(ContactFactory(), role="primary")
    db.session.commit()
    with pytest.raises(ClientValidationError):
        client.action_link_contact(ContactFactory(), role="primary")


def test_another_client_may_have_its_own_primary_contact():
    ClientContactFactory(role="primary")
    ClientContactFactory(role="primary")
    assert db.session.query(ClientContact).filter_by(role="primary").count() == 2


def test_the_database_allows_one_primary_contact_per_client():
    """The partial unique index holds even when the model's check is bypassed."""
    link = ClientContactFactory(role="primary")
    other = ContactFactory()
    with pytest.raises(IntegrityError):
        with db.engine.begin() as connection:
            connection.execute(
                ClientContact.__table__.insert().values(
                    client_id=link.client_id,
                    contact_id=other.id,
                    role="primary",
                    can_hiring=False,
                    can_billing=False,
                    can_sign=False,
                    is_client_admin=False,
                    portal_enabled=False,
                )
            )


def test_contact_role_is_primary_secondary_emergency_or_reference():
    link = ClientContact(client=ClientFactory(), contact=ContactFactory(), role="boss")
    refused(link, "role")


def test_a_contact_is_linked_to_a_client_once():
    link = ClientContactFactory()
    with pytest.raises(ClientValidationError):
        link.client.action_link_contact(link.contact)


def test_portal_areas_are_set_per_contact():
    link = ClientContactFactory()
    link.action_set_areas(["billing", "signatory"])
    assert link.areas == ["billing", "signatory"]
    with pytest.raises(ClientValidationError):
        link.action_set_areas(["everything"])


@pytest.mark.parametrize(
    "field, values",
    [
        ("kind", {"kind": "headquarters"}),
        ("address_line1", {"address_line1": ""}),
        ("city", {"city": " "}),
        ("country", {"country": "Philippines"}),
    ],
)
def test_location_rules(field, values):
    base = dict(kind="billing", address_line1="1 Main St", city="Cebu", country="PH")
    refused(Location(client=ClientFactory(), **{**base, **values}), field)
