"""Shared set-up of the contract page tests: an account manager signed in on the team of one
client (with a contact to sign), and another client they may not see."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest

from extensions import db
from models import Client, Contract
from tests.admin.test_permissions import staff_on_team
from tests.conftest import csrf_token, login_staff
from tests.factories import ClientContactFactory, ClientFactory, ContactFactory, draft_contract

TODAY = date.today()
# Above the app's CONTRACT_APPROVAL_VALUE (50,000): two approvals before sending.
BIG = Decimal("80000")


@pytest.fixture(name="desk")
def desk_fixture(app):
    """An account manager on the team of Acme Robotics (whose contact is Ada Lovelace); signed
    in. ``other`` is a client outside their team."""
    with app.app_context():
        client = ClientFactory(name="Acme Robotics", currency="USD")
        other = ClientFactory(name="Hidden Corp")
        signer = ClientContactFactory(
            client=client, contact=ContactFactory(first_name="Ada", last_name="Lovelace")
        ).contact
        user = staff_on_team("Account Manager", client.id)
        ids = {
            "client": client.id,
            "other": other.id,
            "signer": signer.id,
            "user": user.username,
            "user_id": user.id,
        }
    ids["http"] = signed_in(app, ids["user"])
    ids["token"] = csrf_token(ids["http"], "/contractview/add")
    return ids


def signed_in(app, username: str):
    http = app.test_client()
    assert login_staff(http, username).status_code == 302
    return http


def post(desk, path, http=None, **data):
    return (http or desk["http"]).post(path, data={**data, "csrf_token": desk["token"]})


def follow(desk, path, http=None, **data) -> str:
    """POST, then the page it redirects to (with its flashed messages), as text."""
    http = http or desk["http"]
    response = http.post(
        path, data={**data, "csrf_token": csrf_token(http, "/resetmypassword/form")}
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return http.get(response.headers["Location"]).get_data(as_text=True)


def page(desk, path, http=None) -> str:
    response = (http or desk["http"]).get(path)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def pk_of(response) -> int:
    return int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])


def load(pk) -> Contract:
    db.session.remove()
    return db.session.get(Contract, pk)


def make_contract(app, desk, client="client", **fields) -> int:
    """A draft contract of the desk's client (or ``other``), committed; its id."""
    with app.app_context():
        contract = draft_contract(db.session.get(Client, desk[client]), **fields)
        return contract.id


def block(html: str, element_id: str) -> str:
    """The text of the element with ``element_id`` (to its closing tag of the same name)."""
    match = re.search(rf'<(\w+)[^>]*id="{element_id}"', html)
    assert match, f"no #{element_id}"
    tag = match.group(1)
    return html[match.start() : html.index(f"</{tag}>", match.end())]


NEXT_YEAR = TODAY + timedelta(days=364)
