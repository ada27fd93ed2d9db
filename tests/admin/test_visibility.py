"""Who sees which client on the staff side: Admin and Finance all; an Account Manager the
clients they own or manage and those whose team they are on; a Recruiter only their teams'.
A client outside the rule answers 404, on its page and on its API record, like no client."""

import pytest
from sqlalchemy import select

from extensions import db
from models import ClientTeamMember
from tests.conftest import api_token, csrf_token, login_staff
from tests.factories import ClientFactory, make_user


def signed_in(app, username):
    browser = app.test_client()
    login_staff(browser, username)
    return browser


@pytest.fixture
def recruiter_and_clients(app):
    with app.app_context():
        recruiter = make_user("Recruiter")
        mine, other = ClientFactory(name="Teamed Client"), ClientFactory(name="Foreign Client")
        db.session.add(ClientTeamMember(client=mine, user=recruiter, role="recruiter"))
        db.session.commit()
        return recruiter.username, mine.id, other.id


def test_a_recruiter_off_the_team_gets_404_for_the_page_and_the_api_record(
    app, recruiter_and_clients
):
    recruiter, mine, other = recruiter_and_clients
    browser = signed_in(app, recruiter)
    assert browser.get(f"/clientview/show/{other}").status_code == 404
    assert browser.get(f"/clientview/show/{mine}").status_code == 200
    headers = api_token(app, recruiter)
    api = app.test_client()
    assert api.get(f"/api/v1/client/{other}", headers=headers).status_code == 404
    assert api.get(f"/api/v1/client/{mine}", headers=headers).status_code == 200


def test_the_client_list_and_the_api_list_hold_only_the_recruiters_clients(
    app, recruiter_and_clients
):
    recruiter, _, _ = recruiter_and_clients
    page = signed_in(app, recruiter).get("/clientview/list/").get_data(as_text=True)
    assert "Teamed Client" in page and "Foreign Client" not in page
    listing = app.test_client().get("/api/v1/client/", headers=api_token(app, recruiter))
    assert [row["name"] for row in listing.get_json()["result"]] == ["Teamed Client"]


def test_owning_a_client_is_not_enough_for_a_recruiter(app):
    with app.app_context():
        recruiter = make_user("Recruiter")
        client_id, recruiter = ClientFactory(owner=recruiter).id, recruiter.username
    assert signed_in(app, recruiter).get(f"/clientview/show/{client_id}").status_code == 404


@pytest.mark.parametrize("relation", ["owner", "engagement_manager", "team"])
def test_an_account_manager_sees_their_own_managed_and_team_clients(app, relation):
    with app.app_context():
        manager = make_user("Account Manager")
        client = ClientFactory() if relation == "team" else ClientFactory(**{relation: manager})
        if relation == "team":
            db.session.add(ClientTeamMember(client=client, user=manager, role="account lead"))
            db.session.commit()
        client_id, stranger_id = client.id, ClientFactory().id
        manager = manager.username
    browser = signed_in(app, manager)
    assert browser.get(f"/clientview/show/{client_id}").status_code == 200
    assert browser.get(f"/clientview/show/{stranger_id}").status_code == 404


@pytest.mark.parametrize("role", ["Admin", "Finance"])
def test_admin_and_finance_see_every_client(app, role):
    with app.app_context():
        user, client_id = make_user(role).username, ClientFactory().id
    assert signed_in(app, user).get(f"/clientview/show/{client_id}").status_code == 200


def test_a_client_recorded_by_an_account_manager_is_theirs(app):
    with app.app_context():
        manager = make_user("Account Manager").username
    headers = api_token(app, manager)
    response = app.test_client().post(
        "/api/v1/client/",
        headers=headers,
        json={"name": "Fresh Lead Ltd", "short_name": "FRESH", "location": "Local"},
    )
    assert response.status_code == 201, response.get_json()
    record = app.test_client().get(f"/api/v1/client/{response.get_json()['id']}", headers=headers)
    assert record.status_code == 200


def test_the_team_tab_adds_and_removes_a_recruiter_and_access_follows(app):
    with app.app_context():
        manager, recruiter = make_user("Account Manager"), make_user("Recruiter")
        client_id, recruiter_id = ClientFactory(owner=manager).id, recruiter.id
        manager, recruiter = manager.username, recruiter.username
    manager_browser, recruiter_browser = signed_in(app, manager), signed_in(app, recruiter)
    assert recruiter_browser.get(f"/clientview/show/{client_id}").status_code == 404

    token = csrf_token(manager_browser, "/clientteamview/add")
    added = manager_browser.post(
        "/clientteamview/add",
        data={"client": client_id, "user": recruiter_id, "role": "researcher", "csrf_token": token},
    )
    assert added.status_code == 302
    assert recruiter_browser.get(f"/clientview/show/{client_id}").status_code == 200
    team_tab = manager_browser.get(f"/clientview/show/{client_id}").get_data(as_text=True)
    assert "researcher" in team_tab

    with app.app_context():
        member_id = db.session.scalar(select(ClientTeamMember.id))
    removed = manager_browser.post(
        "/clientteamview/action_post",
        data={"action": "remove", "rowid": [member_id], "csrf_token": token},
        follow_redirects=True,
    )
    assert "removed from the team" in removed.get_data(as_text=True)
    assert recruiter_browser.get(f"/clientview/show/{client_id}").status_code == 404
