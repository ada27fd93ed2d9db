"""Portal test set-up: two companies, their people, and signing in as one of them.

Fixtures create their rows in their own app context and hand back plain values (ids, names),
so that a test reads like what a browser sees.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from extensions import db
from models import Client, ClientContact
from tests.conftest import PASSWORD, csrf_token
from tests.factories import (
    ClientContactFactory,
    ClientFactory,
    ContactFactory,
    IndustryFactory,
    make_portal_user,
    make_user,
)


def make_company(name: str, short_name: str, people: str) -> SimpleNamespace:
    """A client with an industry, a primary contact and an account manager (call in a context)."""
    manager = make_user(
        "Account Manager",
        username=f"am-{short_name.lower()}",
        first_name="Maria",
        last_name=f"{people}-Manager",
        email=f"maria.{short_name.lower()}@agency.test",
    )
    client = ClientFactory(
        name=name,
        short_name=short_name,
        status="active",
        location="Foreign",
        industry=IndustryFactory(name=f"{people} Industry"),
        engagement_manager=manager,
    )
    primary = ClientContactFactory(
        client=client,
        role="primary",
        contact=ContactFactory(
            first_name="Ana",
            last_name=f"{people}-Primary",
            title="Head of People",
            email=f"ana@{short_name.lower()}.example",
            phone="+63 2 8123 4567",
        ),
    )
    return SimpleNamespace(
        id=client.id,
        name=client.name,
        manager_name=f"Maria {people}-Manager",
        manager_email=manager.email,
        primary_link_id=primary.id,
        primary_name=primary.contact.full_name,
        primary_email=primary.contact.email,
    )


def make_link(company_id: int, **contact) -> ClientContact:
    """A secondary contact of the company, no portal access (call in a context)."""
    return ClientContactFactory(
        client=db.session.get(Client, company_id), contact=ContactFactory(**contact)
    )


def make_member(company_id: int, areas=("hiring",), first_name="Pat", last_name="Reyes"):
    """A contact of the company with a portal login and these areas (call in a context)."""
    link = make_link(company_id, first_name=first_name, last_name=last_name)
    user = make_portal_user(link, areas=areas)
    return SimpleNamespace(
        link_id=link.id,
        user_id=user.id,
        username=user.username,
        name=f"{first_name} {last_name}",
        email=link.contact.email,
    )


@pytest.fixture
def company(app):
    """Acme, the company whose portal the tests sign in to."""
    with app.app_context():
        return make_company("Acme Logistics Inc", "ACME", "Acme")


@pytest.fixture
def other_company(app):
    """Zenith, another client of the agency: nothing of it may show in Acme's portal."""
    with app.app_context():
        return make_company("Zenith Foods Corp", "ZEN", "Zenith")


@pytest.fixture
def member(app, company):
    """An Acme contact with portal access to the hiring area."""
    with app.app_context():
        return make_member(company.id, areas=("hiring",))


@pytest.fixture
def client_admin(app, company):
    """An Acme contact who manages Acme's portal team."""
    with app.app_context():
        return make_member(
            company.id, areas=("hiring", "client_admin"), first_name="Carla", last_name="Admin"
        )


def sign_in(client, username: str, password: str = PASSWORD, next: str | None = None):
    """Post the portal sign-in form the way a browser does."""
    token = csrf_token(client, "/portal/login")
    url = "/portal/login" + (f"?next={next}" if next else "")
    return client.post(url, data={"username": username, "password": password, "csrf_token": token})


def htmx_post(client, url: str, data=None, token: str | None = None):
    """An htmx POST: the HX-Request header and the CSRF token in X-CSRFToken, as base.html sends."""
    headers = {"HX-Request": "true"}
    if token:
        headers["X-CSRFToken"] = token
    return client.post(url, data=data or {}, headers=headers)


# The hiring pages' data (a search per company), shared by tests/portal/test_hiring*.py;
# the billing pages' (Acme's invoices, one of Zenith's), by tests/portal/test_billing*.py.
from .billing_setup import books, finance  # noqa: E402,F401
from .hiring_setup import other_search, search  # noqa: E402,F401
