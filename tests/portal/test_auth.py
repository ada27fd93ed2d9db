"""Portal sign-in and sign-out: who gets in, what is recorded, where they land."""

import pytest
from sqlalchemy import select

from extensions import db
from models import ClientContact, PortalLogin
from tests.conftest import PASSWORD, csrf_token, login_staff
from tests.factories import make_user

from .conftest import sign_in


def logins(app) -> list[PortalLogin]:
    with app.app_context():
        rows = db.session.scalars(select(PortalLogin).order_by(PortalLogin.id)).all()
        db.session.expunge_all()
        return rows


def test_login_form_has_username_password_and_sign_in_button(client):
    page = client.get("/portal/login").get_data(as_text=True)
    assert 'name="username"' in page
    assert 'name="password"' in page
    assert "Sign in</button>" in page


def test_contact_with_portal_access_signs_in_and_lands_on_the_dashboard(client, company, member):
    response = sign_in(client, member.username)
    assert response.status_code == 302
    assert response.headers["Location"] == "/portal/"
    assert company.name in client.get("/portal/").get_data(as_text=True)


def test_successful_sign_in_is_recorded_with_user_client_ip_and_agent(app, client, company, member):
    sign_in(client, member.username)
    [row] = logins(app)
    assert row.succeeded is True
    assert (row.username, row.user_id, row.client_id) == (
        member.username,
        member.user_id,
        company.id,
    )
    assert row.ip == "127.0.0.1"
    assert row.user_agent


def test_wrong_password_re_renders_the_form_with_the_username_kept(client, member):
    response = sign_in(client, member.username, password="Not-The-Passw0rd!")
    page = response.get_data(as_text=True)
    assert response.status_code == 401
    assert "The email or password is not correct." in page
    assert f'value="{member.username}"' in page
    assert client.get("/portal/").status_code == 302  # not signed in


def test_wrong_password_is_recorded_as_failed_with_the_reason(app, client, company, member):
    sign_in(client, member.username, password="Not-The-Passw0rd!")
    [row] = logins(app)
    assert (row.succeeded, row.reason) == (False, "wrong password")
    assert (row.user_id, row.client_id) == (member.user_id, company.id)


def test_unknown_username_gets_the_same_answer_and_is_recorded(app, client):
    response = sign_in(client, "nobody@example.test")
    assert response.status_code == 401
    assert "The email or password is not correct." in response.get_data(as_text=True)
    [row] = logins(app)
    assert (row.succeeded, row.reason, row.user_id) == (False, "unknown user", None)


def test_staff_account_is_refused_with_a_pointer_to_the_staff_login(app, client):
    with app.app_context():
        staff = make_user("Account Manager").username
    response = sign_in(client, staff)
    assert response.status_code == 403
    assert "This is a staff account: sign in at /login/ instead." in response.get_data(as_text=True)
    assert client.get("/portal/").status_code == 302
    [row] = logins(app)
    assert (row.succeeded, row.reason) == (False, "staff account")


def test_contact_whose_portal_access_was_withdrawn_cannot_sign_in(app, client, member):
    with app.app_context():
        db.session.get(ClientContact, member.link_id).portal_enabled = False
        db.session.commit()
    response = sign_in(client, member.username)
    assert response.status_code == 403
    assert "not active" in response.get_data(as_text=True)
    assert logins(app)[0].reason == "no portal access"


def test_sign_in_follows_a_next_path_inside_the_portal(client, client_admin):
    response = sign_in(client, client_admin.username, next="/portal/team")
    assert response.headers["Location"] == "/portal/team"


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.test/portal/",
        "//evil.test/portal/",
        "/login/",
        "/portal/../users/list/",
        "/\\evil.test/portal/",
    ],
)
def test_sign_in_ignores_a_next_that_leaves_the_portal(client, member, target):
    response = sign_in(client, member.username, next=target)
    assert response.headers["Location"] == "/portal/"


def test_anonymous_visitor_is_sent_to_the_portal_login(client):
    response = client.get("/portal/team")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/portal/login?next=/portal/team")


def test_signed_in_staff_user_is_sent_to_the_portal_login_with_a_message(app, client):
    with app.app_context():
        staff = make_user("Account Manager").username
    login_staff(client, staff)
    response = client.get("/portal/", follow_redirects=True)
    assert response.request.path == "/portal/login"
    assert "This is a staff account: sign in at /login/ instead." in response.get_data(as_text=True)


def test_sign_out_by_post_ends_the_session(client, member):
    sign_in(client, member.username)
    token = csrf_token(client, "/portal/")
    response = client.post("/portal/logout", data={"csrf_token": token})
    assert response.headers["Location"] == "/portal/login"
    assert client.get("/portal/").status_code == 302


def test_sign_out_by_get_asks_for_a_click_and_keeps_the_session(client, member):
    sign_in(client, member.username)
    page = client.get("/portal/logout").get_data(as_text=True)
    assert 'action="/portal/logout"' in page
    assert client.get("/portal/").status_code == 200


def test_sign_in_without_csrf_token_fails(client, member):
    response = client.post(
        "/portal/login", data={"username": member.username, "password": PASSWORD}
    )
    assert response.status_code == 400
