"""Factories for the domain's records (factory_boy), committed through the app's session."""

from __future__ import annotations

import factory
from flask import current_app

from extensions import db
from models import Client, ClientContact, Contact, Industry, Location, Tag

PASSWORD = "Test-Passw0rd-2026!"


class _Base(factory.alchemy.SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session_factory = lambda: db.session  # noqa: E731
        sqlalchemy_session_persistence = "commit"


class IndustryFactory(_Base):
    class Meta:
        model = Industry

    name = factory.Sequence(lambda n: f"Industry {n}")


class TagFactory(_Base):
    class Meta:
        model = Tag

    name = factory.Sequence(lambda n: f"tag-{n}")


class ClientFactory(_Base):
    class Meta:
        model = Client

    name = factory.Sequence(lambda n: f"Client Company {n}")
    short_name = factory.Sequence(lambda n: f"CC{n}")
    status = "active"
    location = "Local"
    currency = "PHP"
    payment_term_label = "Net"
    payment_term_days = 30


class ContactFactory(_Base):
    class Meta:
        model = Contact

    first_name = factory.Sequence(lambda n: f"Pat{n}")
    last_name = "Reyes"
    email = factory.Sequence(lambda n: f"contact{n}@example.test")


class ClientContactFactory(_Base):
    class Meta:
        model = ClientContact

    client = factory.SubFactory(ClientFactory)
    contact = factory.SubFactory(ContactFactory)
    role = "secondary"


class LocationFactory(_Base):
    class Meta:
        model = Location

    client = factory.SubFactory(ClientFactory)
    kind = "billing"
    address_line1 = "12 Ayala Avenue"
    city = "Makati"
    country = "PH"


def make_user(role: str, username: str | None = None, password: str = PASSWORD, **names):
    """A FAB user holding ``role`` (one of the roles in admin/roles.py)."""
    sm = current_app.appbuilder.sm
    username = username or f"{role.lower().replace(' ', '-')}-{_counter()}"
    user = sm.add_user(
        username=username,
        first_name=names.get("first_name", role.split()[0]),
        last_name=names.get("last_name", "User"),
        email=names.get("email", f"{username}@agency.test"),
        role=sm.find_role(role),
        password=password,
    )
    assert user, f"could not create user {username}"
    return user


def make_portal_user(link: ClientContact, password: str = PASSWORD, areas=("hiring",)):
    """A Client-role login for the contact of ``link``, with portal access to its client."""
    user = make_user(
        "Client",
        username=link.contact.email,
        password=password,
        first_name=link.contact.first_name,
        last_name=link.contact.last_name,
        email=link.contact.email,
    )
    link.contact.user = user
    link.portal_enabled = True
    link.action_set_areas(list(areas))
    db.session.commit()
    return user


_count = [0]


def _counter() -> int:
    _count[0] += 1
    return _count[0]
