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


def test_contacts_and_their_mail_follow_their_clients(app):
    """A contact of a client you do not see is a 404 (page and API) and their mail is hidden;
    a contact of no client yet is everyone's to find."""
    from models import OutboxMessage
    from tests.factories import ClientContactFactory, ContactFactory

    with app.app_context():
        manager = make_user("Account Manager")
        theirs = ClientContactFactory(contact__last_name="Hidalgo")
        mine = ClientContactFactory(client__owner=manager, contact__last_name="Mabini")
        loose = ContactFactory(last_name="Bonifacio")
        db.session.add_all(
            OutboxMessage(
                to_email=f"{link.contact.last_name.lower()}@example.test",
                subject=f"Hello {link.contact.last_name}",
                body_text="Hi",
                client_id=link.client_id,
                contact_id=link.contact_id,
            )
            for link in (theirs, mine)
        )
        db.session.commit()
        ids = {"theirs": theirs.contact_id, "mine": mine.contact_id, "loose": loose.id}
        username = manager.username
    browser = signed_in(app, username)
    listing = browser.get("/contactview/list/").get_data(as_text=True)
    assert "Mabini" in listing and "Bonifacio" in listing and "Hidalgo" not in listing
    assert browser.get(f"/contactview/show/{ids['theirs']}").status_code == 404
    headers = api_token(app, username)
    assert (
        app.test_client().get(f"/api/v1/contact/{ids['theirs']}", headers=headers).status_code
        == 404
    )
    outbox = browser.get("/outboxview/list/").get_data(as_text=True)
    assert "Hello Mabini" in outbox and "Hello Hidalgo" not in outbox


def test_the_apis_offer_only_your_clients_as_choices(app, recruiter_and_clients):
    """``/_info`` lists the values a related field may take: never another client's name."""
    with app.app_context():
        manager = make_user("Account Manager")
        ClientFactory(name="Owned Choice", owner=manager)
        username = manager.username
    headers = api_token(app, username)
    for url in ("/api/v1/location/_info", "/api/v1/meeting/_info", "/api/v1/client/_info"):
        info = app.test_client().get(url, headers=headers).get_data(as_text=True)
        assert "Foreign Client" not in info and "Teamed Client" not in info, url


def test_a_parent_you_do_not_see_is_refused_by_the_api(app, recruiter_and_clients):
    _, _, other = recruiter_and_clients
    with app.app_context():
        manager = make_user("Account Manager")
        client_id = ClientFactory(owner=manager).id
        username = manager.username
    response = app.test_client().put(
        f"/api/v1/client/{client_id}", headers=api_token(app, username), json={"parent": other}
    )
    assert response.status_code == 404 and "parent" in response.get_json()["message"]
