"""Accepting a portal invitation: set a password once, then straight into the portal."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from extensions import db
from jobs.portal import invite_contact
from models import OutboxMessage, PortalInvitation, PortalLogin, utcnow
from tests.conftest import csrf_token
from tests.factories import make_user

from .conftest import make_link, sign_in

NEW_PASSWORD = "Brand-New-Pass42!"


@pytest.fixture
def invited(app, company):
    """Dana of Acme, invited by her account manager; returns the token from the email."""
    with app.app_context():
        link = make_link(company.id, first_name="Dana", last_name="Invitee")
        invite_contact(link, make_user("Account Manager"))
        message = db.session.scalar(select(OutboxMessage))
        match = re.search(r"http://portal\.test/portal/invitation/(\S+)", message.body_text)
        assert match, message.body_text
        return match.group(1)


def accept(client, token, password=NEW_PASSWORD, confirm=None):
    url = f"/portal/invitation/{token}"
    data = {"password": password, "confirm": password if confirm is None else confirm}
    return client.post(url, data={**data, "csrf_token": csrf_token(client, url)})


def test_invitation_link_shows_a_set_password_form(client, invited):
    page = client.get(f"/portal/invitation/{invited}").get_data(as_text=True)
    assert "Welcome, Dana" in page
    assert 'name="password"' in page and 'name="confirm"' in page


def test_accepting_an_invitation_signs_the_contact_in(app, client, company, invited):
    response = accept(client, invited)
    assert response.status_code == 302
    assert response.headers["Location"] == "/portal/"
    page = client.get("/portal/").get_data(as_text=True)
    assert company.name in page
    assert "Dana Invitee" in page
    with app.app_context():
        login = db.session.scalar(select(PortalLogin))
        assert (login.succeeded, login.reason, login.client_id) == (
            True,
            "invitation accepted",
            company.id,
        )


def test_accepted_invitation_password_works_at_the_sign_in_form(app, client, invited):
    accept(client, invited)
    client.post("/portal/logout", data={"csrf_token": csrf_token(client, "/portal/")})
    with app.app_context():
        username = db.session.scalar(select(PortalInvitation)).email
    assert sign_in(client, username, NEW_PASSWORD).headers["Location"] == "/portal/"


def test_weak_password_is_refused_naming_the_field(client, invited):
    response = accept(client, invited, password="weakpass")
    assert response.status_code == 422
    assert "New password: Must have at least two capital letters" in response.get_data(as_text=True)


def test_confirmation_must_match_naming_the_field(client, invited):
    response = accept(client, invited, confirm="Other-Pass42!x")
    assert response.status_code == 422
    assert "Confirm password: The two passwords do not match." in response.get_data(as_text=True)


def test_unknown_invitation_link_answers_404(client):
    response = client.get("/portal/invitation/not-a-real-token")
    assert response.status_code == 404
    assert "This invitation link is not valid." in response.get_data(as_text=True)


def test_expired_invitation_link_answers_410(app, client, invited):
    with app.app_context():
        db.session.scalar(select(PortalInvitation)).expires_at = utcnow() - timedelta(minutes=1)
        db.session.commit()
    response = client.get(f"/portal/invitation/{invited}")
    assert response.status_code == 410
    assert "has expired" in response.get_data(as_text=True)


def test_used_invitation_link_cannot_be_used_again(client, invited):
    token = csrf_token(client, f"/portal/invitation/{invited}")
    accept(client, invited)
    client.post("/portal/logout", data={"csrf_token": token})
    again = client.post(
        f"/portal/invitation/{invited}",
        data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD, "csrf_token": token},
    )
    assert again.status_code == 410
    assert "has accepted" in again.get_data(as_text=True)
    assert client.get(f"/portal/invitation/{invited}").status_code == 410


def test_set_password_without_csrf_token_fails(client, invited):
    response = client.post(
        f"/portal/invitation/{invited}", data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    )
    assert response.status_code == 400
