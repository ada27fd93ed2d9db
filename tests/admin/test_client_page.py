"""The client page: its header (status, tags, ownership) posts to the model's verbs, the
Summary tab shows the organisation structure, addresses and emails (Jobs: test_job_orders)."""

import pytest
from sqlalchemy import select

from extensions import db
from models import Activity, Client, ClientTeamMember
from tests.conftest import csrf_token, login_staff
from tests.factories import (
    ClientContactFactory,
    ClientFactory,
    ContactFactory,
    LocationFactory,
    TagFactory,
    make_user,
)


@pytest.fixture
def admin(app, client):
    with app.app_context():
        user = make_user("Admin", first_name="Ada", last_name="Lim")
        login_staff(client, user.username)
        return user.id


def show(client, pk) -> str:
    response = client.get(f"/clientview/show/{pk}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_the_page_has_a_header_a_summary_and_a_jobs_tab(app, client, admin):
    with app.app_context():
        group = ClientFactory(name="Acme Group")
        acme = ClientFactory(name="Acme Manila", parent=group, email="hello@acme.example")
        ClientFactory(name="Acme Cebu", parent=acme)
        ClientContactFactory(client=acme, contact=ContactFactory(email="ana@acme.example"))
        LocationFactory(client=acme, city="Makati", address_line1="12 Ayala Avenue")
        vip = TagFactory(name="vip")
        acme.tags.append(vip)
        db.session.commit()
        pk = acme.id
    page = show(client, pk)
    assert 'id="client-header"' in page and "Change status" in page
    assert 'aria-pressed="true"' in page and ">vip</button>" in page
    assert "Acme Group" in page and "Acme Cebu" in page  # parent and child
    assert "12 Ayala Avenue" in page and "Makati" in page
    assert "hello@acme.example" in page and "ana@acme.example" in page
    assert 'href="#Jobs"' in page and "No job orders for this client yet." in page
    assert 'href="#NoteView"' in page and 'href="#ActivityView"' in page


def test_a_recruiter_sees_only_the_related_clients_they_work_on(app, client):
    with app.app_context():
        recruiter = make_user("Recruiter")
        group = ClientFactory(name="Acme Group")
        acme = ClientFactory(name="Acme Manila", parent=group)
        cebu = ClientFactory(name="Acme Cebu", parent=acme)
        ClientFactory(name="Acme Davao", parent=acme)
        for teamed in (acme, cebu):
            db.session.add(ClientTeamMember(client=teamed, user=recruiter, role="recruiter"))
        db.session.commit()
        pk = acme.id
        login_staff(client, recruiter.username)
    page = show(client, pk)
    assert "Acme Cebu" in page
    assert "Acme Group" not in page and "Acme Davao" not in page
    assert "a client you do not work on" in page and "1 more you do not work on" in page


def test_the_status_is_changed_from_the_page_and_logged_with_who(app, client, admin):
    with app.app_context():
        pk = ClientFactory(status="lead").id
    token = csrf_token(client, f"/clientview/show/{pk}")
    response = client.post(
        f"/clientview/status/{pk}", data={"status": "prospect", "csrf_token": token}
    )
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Client, pk).status == "prospect"
        row = db.session.scalar(select(Activity).where(Activity.kind == "status"))
        assert row.summary == "Status changed from lead to prospect"
        assert row.actor_id == admin and row.client_id == pk


def test_a_status_change_needs_the_csrf_token(app, client, admin):
    with app.app_context():
        pk = ClientFactory(status="lead").id
    response = client.post(f"/clientview/status/{pk}", data={"status": "prospect"})
    assert response.status_code == 400
    with app.app_context():
        assert db.session.get(Client, pk).status == "lead"


def test_an_unknown_status_is_refused_with_a_message(app, client, admin):
    with app.app_context():
        pk = ClientFactory(status="lead").id
    token = csrf_token(client, f"/clientview/show/{pk}")
    response = client.post(
        f"/clientview/status/{pk}",
        data={"status": "asleep", "csrf_token": token},
        follow_redirects=True,
    )
    assert "Status must be one of lead, prospect, active, inactive, churned" in response.get_data(
        as_text=True
    )
    with app.app_context():
        assert db.session.get(Client, pk).status == "lead"


def test_a_tag_is_switched_on_and_off_from_the_page(app, client, admin):
    with app.app_context():
        pk, tag = ClientFactory().id, TagFactory(name="vip").id
    for expected in (["vip"], []):
        token = csrf_token(client, f"/clientview/show/{pk}")
        client.post(f"/clientview/tag/{pk}/{tag}", data={"csrf_token": token})
        with app.app_context():
            assert [t.name for t in db.session.get(Client, pk).tags] == expected


def test_edit_ownership_changes_the_owner_and_engagement_manager_only(app, client, admin):
    with app.app_context():
        olga = make_user("Account Manager", first_name="Olga").id
        nina = make_user("Account Manager", first_name="Nina").id
        pk = ClientFactory(name="Acme", owner_id=olga).id
    page = client.get(f"/clientview/ownership/{pk}").get_data(as_text=True)
    assert "Edit ownership: Acme" in page and 'name="name"' not in page
    token = csrf_token(client, f"/clientview/ownership/{pk}")
    response = client.post(
        f"/clientview/ownership/{pk}",
        data={"owner": nina, "engagement_manager": olga, "csrf_token": token},
    )
    assert response.status_code == 302
    with app.app_context():
        saved = db.session.get(Client, pk)
        assert (saved.owner_id, saved.engagement_manager_id, saved.name) == (nina, olga, "Acme")
        row = db.session.scalar(select(Activity).where(Activity.kind == "updated"))
        assert row.changes["owner"] == ["Olga User", "Nina User"] and row.actor_id == admin


def test_edit_ownership_refuses_a_client_login_and_keeps_the_choice(app, client, admin):
    with app.app_context():
        portal = make_user("Client").id
        pk = ClientFactory().id
    token = csrf_token(client, f"/clientview/ownership/{pk}")
    response = client.post(
        f"/clientview/ownership/{pk}",
        data={"owner": portal, "engagement_manager": 0, "csrf_token": token},
    )
    assert response.status_code == 200
    assert "Not a valid choice" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Client, pk).owner_id is None


def test_the_parent_is_chosen_in_the_form_and_a_cycle_is_refused_on_its_field(app, client, admin):
    with app.app_context():
        group = ClientFactory(name="Acme Group", short_name="AG")
        ClientFactory(name="Acme Manila", parent=group)
        branch = db.session.scalar(select(Client).where(Client.name == "Acme Manila"))
        group_id, branch_id = group.id, branch.id
    url = f"/clientview/edit/{group_id}"
    values = {
        "name": "Acme Group",
        "short_name": "AG",
        "status": "active",
        "location": "Local",
        "currency": "PHP",
        "payment_term_label": "Net",
        "payment_term_days": "30",
        "parent": str(branch_id),
        "csrf_token": csrf_token(client, url),
    }
    response = client.post(url, data=values)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "cannot be its own ancestor" in page
    with app.app_context():
        assert db.session.get(Client, group_id).parent_id is None


@pytest.fixture
def stranger_client(app):
    """A client, an Account Manager and a Recruiter who are on other teams only."""
    with app.app_context():
        recruiter, manager = make_user("Recruiter"), make_user("Account Manager")
        theirs = ClientFactory(name="Their Client")
        db.session.add_all(
            [
                ClientTeamMember(client=theirs, user=recruiter, role="recruiter"),
                ClientTeamMember(client=theirs, user=manager, role="account lead"),
            ]
        )
        db.session.commit()
        return ClientFactory(name="Hidden Client").id, recruiter.username, manager.username


def test_a_manager_off_the_team_gets_404_on_the_header_routes(app, stranger_client):
    pk, _, manager = stranger_client
    with app.app_context():
        tag = TagFactory().id
    browser = app.test_client()
    login_staff(browser, manager)
    token = csrf_token(browser, "/clientview/add")
    assert browser.get(f"/clientview/ownership/{pk}").status_code == 404
    for url in (f"/clientview/status/{pk}", f"/clientview/tag/{pk}/{tag}"):
        response = browser.post(url, data={"status": "churned", "csrf_token": token})
        assert response.status_code == 404, url
    with app.app_context():
        assert db.session.get(Client, pk).status == "active"


def test_a_recruiter_on_the_team_sees_the_header_without_its_forms(app, stranger_client):
    _, recruiter, _ = stranger_client
    with app.app_context():
        pk = db.session.scalar(select(Client.id).where(Client.name == "Their Client"))
    browser = app.test_client()
    login_staff(browser, recruiter)
    page = show(browser, pk)
    assert 'id="client-header"' in page and "Their Client" in page
    assert "Change status" not in page and "Edit ownership" not in page


def test_a_merge_event_shows_its_figures_on_its_page(app, client, admin):
    """Not every event has a before and after: a merge keeps what moved."""
    from models import record_activity

    with app.app_context():
        pk = ClientFactory().id
        event = record_activity(
            db.session,
            "merged",
            "Merged ACME Ltd into this client",
            client_id=pk,
            changes={"moved": {"location": 2}, "kept_id": pk},
        )
        db.session.commit()
        event_id = event.id
    response = client.get(f"/activityview/show/{event_id}")
    assert response.status_code == 200
    assert "Moved" in response.get_data(as_text=True)
