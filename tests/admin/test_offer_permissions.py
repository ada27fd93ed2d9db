"""The Offer resource, role by role: who opens the offer pages, who acts on an offer, who
approves one above the budget, and whose menu shows Offers."""

from __future__ import annotations

from decimal import Decimal

import pytest

from extensions import db
from models import Offer
from tests.admin.test_permissions import ROLES, signed_in
from tests.conftest import csrf_token
from tests.factories import draft_offer

READERS = {"Admin", "Account Manager", "Recruiter"}
PAGES = {
    "/offerview/list/": READERS,
    "/offerview/show/{offer}": READERS,
    "/offerview/add": READERS,
    "/offerview/add?application={application}": READERS,
}


@pytest.fixture
def offer(app):
    """A draft offer above its job order's budget (120,000)."""
    with app.app_context():
        found = draft_offer(base_salary=Decimal("125000"))
        return {"offer": found.id, "application": found.application_id, "client": found.client_id}


def _denied(client, response) -> bool:
    """FAB refuses a staff user without the permission (a redirect with "Access is Denied",
    or a 403); a portal user gets a 403."""
    if response.status_code == 403:
        return True
    follow = client.get(response.headers["Location"]) if response.status_code == 302 else None
    return follow is not None and "Access is Denied" in follow.get_data(as_text=True)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", PAGES)
def test_offer_pages_follow_the_matrix(app, offer, role, page):
    client, _ = signed_in(app, role, offer["client"])
    response = client.get(page.format(**offer))
    if role in PAGES[page]:
        assert response.status_code == 200, response.get_data(as_text=True)[:300]
    else:
        assert _denied(client, response)


# action -> (posted fields, the roles that may, what it leaves on the offer)
ACTIONS = {
    "approve": ({"approve-comment": "ok"}, {"Admin", "Account Manager"}),
    "withdraw": ({"withdraw-reason": "Role closed"}, READERS),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", ACTIONS)
def test_offer_actions_follow_the_matrix(app, offer, role, action):
    client, _ = signed_in(app, role, offer["client"])
    token = csrf_token(client, "/resetmypassword/form") if role != "Client" else ""
    data, allowed = ACTIONS[action]
    response = client.post(
        f"/offerview/{action}/{offer['offer']}", data={**data, "csrf_token": token}
    )
    with app.app_context():
        found = db.session.get(Offer, offer["offer"])
        done = found.approved_round == 1 if action == "approve" else found.status == "withdrawn"
    if role in allowed:
        assert response.status_code == 302 and done
    else:
        assert response.status_code in (302, 400, 403) and not done


@pytest.mark.parametrize("role", ["Admin", "Account Manager", "Recruiter", "Finance"])
def test_the_offers_menu_shows_to_the_roles_that_read_offers(app, offer, role):
    client, _ = signed_in(app, role, offer["client"])
    page = client.get("/joborderview/list/").get_data(as_text=True)
    assert ('href="/offerview/list/"' in page) == (role in READERS)
