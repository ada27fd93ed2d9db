"""The permission matrix, role by role: what each staff role reaches in the admin and the API,
and that a Client-role (portal) user reaches none of it."""

import pytest

from extensions import db
from models import ClientTeamMember, Contact
from tests.conftest import PASSWORD, csrf_token, login_staff
from tests.factories import ClientFactory, ContactFactory, make_user

ROLES = ["Admin", "Account Manager", "Recruiter", "Finance", "Client"]

# page -> the roles that may open it (everyone else: denied)
PAGES = {
    "/clientview/list/": {"Admin", "Account Manager", "Recruiter", "Finance"},
    "/clientview/show/{client}": {"Admin", "Account Manager", "Recruiter", "Finance"},
    "/clientview/add": {"Admin", "Account Manager", "Finance"},
    "/clientview/edit/{client}": {"Admin", "Account Manager", "Finance"},
    "/archivedclientview/list/": {"Admin", "Account Manager", "Recruiter", "Finance"},
    "/contactview/list/": {"Admin", "Account Manager", "Recruiter", "Finance"},
    "/contactview/add": {"Admin", "Account Manager"},
    "/contactview/edit/{contact}": {"Admin", "Account Manager"},
    "/consentrecordview/list/": {"Admin", "Account Manager", "Recruiter", "Finance"},
    "/consentrecordview/add": {"Admin", "Account Manager"},
    "/tagview/list/": {"Admin", "Account Manager", "Recruiter", "Finance"},
    "/tagview/add": {"Admin", "Account Manager"},
    "/industryview/list/": {"Admin", "Account Manager", "Recruiter", "Finance"},
    "/industryview/add": {"Admin", "Account Manager"},
    "/outboxview/list/": {"Admin", "Account Manager", "Finance"},
    "/portalinvitationview/list/": {"Admin", "Account Manager"},
    "/portalloginview/list/": {"Admin", "Account Manager"},
    "/import/": {"Admin", "Account Manager", "Finance"},
    "/duplicates/": {"Admin", "Account Manager", "Recruiter", "Finance"},
    "/savedfilterview/list/": {"Admin", "Account Manager", "Recruiter", "Finance"},
    "/conversationview/list/": {"Admin", "Account Manager", "Recruiter", "Finance"},
    "/conversationview/start": {"Admin", "Account Manager", "Recruiter", "Finance"},
    "/users/list/": {"Admin"},
    "/roles/list/": {"Admin"},
}

# API call -> the roles that may make it
API_CALLS = {
    ("GET", "/api/v1/client/"): {"Admin", "Account Manager", "Recruiter", "Finance"},
    ("GET", "/api/v1/client/{client}"): {"Admin", "Account Manager", "Recruiter", "Finance"},
    ("POST", "/api/v1/client/"): {"Admin", "Account Manager", "Finance"},
    ("PUT", "/api/v1/client/{client}"): {"Admin", "Account Manager", "Finance"},
    ("POST", "/api/v1/client/{client}/archive"): {"Admin", "Account Manager"},
    ("GET", "/api/v1/contact/"): {"Admin", "Account Manager", "Recruiter", "Finance"},
    ("POST", "/api/v1/contact/"): {"Admin", "Account Manager"},
    ("GET", "/api/v1/conversation/"): {"Admin", "Account Manager", "Recruiter", "Finance"},
}


@pytest.fixture
def records(app):
    with app.app_context():
        return {"client": ClientFactory().id, "contact": ContactFactory().id}


def staff_on_team(role, client_id):
    """A user holding ``role``, on the team of client ``client_id`` when they are staff."""
    user = make_user(role)
    if role != "Client":
        db.session.add(ClientTeamMember(client_id=client_id, user=user, role="recruiter"))
        db.session.commit()
    return user


def signed_in(app, role, client_id=None):
    client = app.test_client()
    with app.app_context():
        user = staff_on_team(role, client_id) if client_id else make_user(role)
        username = user.username
    response = login_staff(client, username)
    assert response.status_code == 302
    return client, username


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", PAGES)
def test_admin_pages_follow_the_matrix(app, records, role, page):
    client, _ = signed_in(app, role, records["client"])
    response = client.get(page.format(**records))
    if role in PAGES[page]:
        assert response.status_code == 200, response.get_data(as_text=True)[:300]
    elif role == "Client":
        assert response.status_code == 403
    else:  # FAB sends a staff user without the permission back with "Access is Denied"
        assert response.status_code in (302, 403)
        follow = client.get(response.headers["Location"]) if response.status_code == 302 else None
        assert follow is None or "Access is Denied" in follow.get_data(as_text=True)


# Contact actions that reach everything held about a person: the "privacy" permission.
PRIVACY_ACTIONS = ["export_data", "erase_data"]
PRIVACY_ROLES = {"Admin", "Account Manager"}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", PRIVACY_ACTIONS)
def test_privacy_actions_follow_the_matrix(app, records, role, name):
    client, _ = signed_in(app, role, records["client"])
    token = csrf_token(client, "/resetmypassword/form") if role != "Client" else ""
    response = client.post(
        f"/contactview/action/{name}/{records['contact']}", data={"csrf_token": token}
    )
    with app.app_context():
        erased = db.session.get(Contact, records["contact"]).erased_at is not None
    if role in PRIVACY_ROLES:
        assert response.status_code in (200, 302)
        assert erased == (name == "erase_data")
    elif role == "Client":  # no admin page gives them a CSRF token: 400, else 403
        assert response.status_code in (400, 403) and not erased
    else:
        assert response.status_code == 302 and not erased
        assert "Access is Denied" in client.get("/contactview/list/").get_data(as_text=True)


def api_token(app, username):
    response = app.test_client().post(
        "/api/v1/security/login",
        json={"username": username, "password": PASSWORD, "provider": "db"},
    )
    assert response.status_code == 200, response.get_json()
    return response.get_json()["access_token"]


def api_body(path):
    if path.startswith("/api/v1/contact"):
        return {"first_name": "Api", "last_name": "Person", "email": "api.person@example.test"}
    if path.endswith("/archive"):
        return None
    return {"name": "Api Client Ltd", "short_name": "APICL", "location": "Foreign"}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("call", API_CALLS)
def test_the_api_follows_the_matrix(app, records, role, call):
    method, path = call
    with app.app_context():
        username = staff_on_team(role, records["client"]).username
    token = api_token(app, username)
    response = app.test_client().open(
        path.format(**records),
        method=method,
        json=api_body(path),
        headers={"Authorization": f"Bearer {token}"},
    )
    if role in API_CALLS[call]:
        assert response.status_code in (200, 201), response.get_json()
    else:
        assert response.status_code == 403, response.get_json()


def test_no_role_can_delete_a_client_through_the_api(app, records):
    with app.app_context():
        username = make_user("Admin").username
    token = api_token(app, username)
    response = app.test_client().delete(
        f"/api/v1/client/{records['client']}", headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code in (404, 405)


def test_the_admin_has_no_delete_for_clients(app, records):
    client, _ = signed_in(app, "Admin")
    assert client.get(f"/clientview/delete/{records['client']}").status_code in (302, 403, 404)
    listing = client.get("/clientview/list/").get_data(as_text=True)
    assert "/clientview/delete/" not in listing


def test_a_portal_user_is_sent_to_the_portal_from_the_admin_home(app):
    client, _ = signed_in(app, "Client")
    response = client.get("/")
    assert response.status_code == 302 and "/portal/" in response.headers["Location"]


def test_a_portal_user_cookie_does_not_open_the_staff_api(app, records):
    client, _ = signed_in(app, "Client")
    assert client.get("/api/v1/client/").status_code == 403


def test_init_roles_is_idempotent(app):
    from admin.roles import sync_roles

    with app.app_context():
        first = sync_roles(app.appbuilder)
        second = sync_roles(app.appbuilder)
    assert first == second
    assert first["Client"] == 0 and first["Admin"] > first["Account Manager"]
