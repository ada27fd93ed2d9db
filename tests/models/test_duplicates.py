"""Possible duplicates: clients by normalised name, email and web domain; contacts by email and
by name with phone."""

import pytest

from extensions import db
from models import Client
from models.duplicates import (
    client_duplicates,
    contact_duplicates,
    normalise_name,
    web_domain,
)
from tests.factories import ClientFactory, ContactFactory


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("ACME, Inc.", "acme"),
        ("Acme Ltd", "acme"),
        ("The Acme Co.", "acme"),
        ("Acme GmbH & Co", "acme gmbh and"),
        ("Müller Logistik GmbH", "muller logistik"),
        ("Co", "co"),
    ],
)
def test_names_are_normalised_without_case_punctuation_and_legal_suffixes(name, key):
    assert normalise_name(name) == key


@pytest.mark.parametrize(
    ("website", "email", "domain"),
    [
        ("https://www.Acme.com/about", None, "acme.com"),
        ("acme.com", "x@other.com", "acme.com"),
        (None, "sales@acme.com", "acme.com"),
        (None, "someone@gmail.com", ""),
        ("localhost", None, ""),
    ],
)
def test_the_web_domain_comes_from_the_website_else_the_email_never_free_mail(
    website, email, domain
):
    assert web_domain(website, email) == domain


def groups_of(reason):
    return [
        sorted(name for _, name in group.members)
        for group in client_duplicates(db.session)
        if group.reason == reason
    ]


def test_clients_with_the_same_normalised_name_are_grouped(ctx):
    ClientFactory(name="ACME, Inc.")
    ClientFactory(name="Acme Ltd")
    ClientFactory(name="Acme Holdings")
    assert groups_of("name") == [["ACME, Inc.", "Acme Ltd"]]


def test_clients_with_the_same_email_are_grouped(ctx):
    ClientFactory(name="North", email="Hello@North.test")
    ClientFactory(name="Northern", email="hello@north.test")
    assert groups_of("email") == [["North", "Northern"]]


def test_clients_with_the_same_domain_are_grouped_but_not_on_free_mail(ctx):
    ClientFactory(name="Blue Ocean", website="https://blueocean.example")
    ClientFactory(name="BO Trading", email="ops@blueocean.example")
    ClientFactory(name="Solo One", email="one@gmail.com")
    ClientFactory(name="Solo Two", email="two@gmail.com")
    assert groups_of("domain") == [["BO Trading", "Blue Ocean"]]


def test_archived_and_invisible_clients_are_left_out(ctx):
    ClientFactory(name="Acme Inc")
    archived = ClientFactory(name="Acme Ltd")
    archived.action_archive()
    db.session.commit()
    assert groups_of("name") == []
    other = ClientFactory(name="ACME")
    from sqlalchemy import select

    visible = select(Client.id).where(Client.id != other.id)
    assert client_duplicates(db.session, visible) == []


def test_contacts_with_the_same_mailbox_or_name_and_phone_are_grouped(ctx):
    ContactFactory(first_name="Ana", last_name="Cruz", email="ana@x.test", phone="+63 2 555 0101")
    ContactFactory(first_name="Ana", last_name="Cruz", email="ana+work@x.test", phone=None)
    ContactFactory(first_name="ANA", last_name="cruz", email=None, phone="(632) 555-0101")
    ContactFactory(first_name="Ana", last_name="Cruz", email=None, phone="632 5550101")
    groups = {g.reason: len(g.members) for g in contact_duplicates(db.session)}
    assert groups == {"email": 2, "name_phone": 3}
