"""The timeline and notes in the REST API: activities read-only, notes with the same rules and
visibility as the admin."""

import pytest

from extensions import db
from models import Activity, ClientTeamMember, Note
from tests.conftest import api_for
from tests.factories import ClientFactory, make_user


@pytest.fixture
def api(app):
    with app.app_context():
        username = make_user("Admin").username
    return api_for(app, username)


def test_activities_are_listed_with_before_and_after(app, api):
    with app.app_context():
        acme = ClientFactory(status="lead")
        acme.action_change_status("active")
        db.session.commit()
        pk = acme.id
    listed = api("GET", "/api/v1/activity/").get_json()["result"]
    assert [row["kind"] for row in listed] == ["status", "created"]
    assert listed[0]["changes"] == {"status": ["lead", "active"]}
    assert listed[0]["client"]["id"] == pk


@pytest.mark.parametrize(
    "method, path",
    [
        ("POST", "/api/v1/activity/"),
        ("PUT", "/api/v1/activity/{id}"),
        ("DELETE", "/api/v1/activity/{id}"),
    ],
)
def test_no_api_route_writes_the_trail(app, api, method, path):
    with app.app_context():
        ClientFactory()
        row_id = db.session.query(Activity.id).scalar()
    response = api(method, path.format(id=row_id), {"summary": "rewritten"})
    assert response.status_code in (404, 405)
    with app.app_context():
        assert db.session.get(Activity, row_id).summary.startswith("Client created")


def test_a_note_is_added_pinned_and_a_broken_one_is_a_422(app, api):
    with app.app_context():
        pk = ClientFactory().id
    created = api("POST", "/api/v1/note/", {"client": pk, "body": "Call back Monday."})
    assert created.status_code == 201
    note_id = created.get_json()["id"]
    assert api("POST", f"/api/v1/note/{note_id}/pin").get_json()["result"]["pinned"] is True
    again = api("POST", f"/api/v1/note/{note_id}/pin")
    assert again.status_code == 422 and "pinned" in again.get_json()["message"]
    empty = api("POST", "/api/v1/note/", {"client": pk, "body": " "})
    assert empty.status_code == 422 and "body" in empty.get_json()["message"]


def test_a_recruiter_off_the_team_gets_404_for_notes_and_activities(app):
    with app.app_context():
        recruiter = make_user("Recruiter")
        mine, hidden = ClientFactory(name="Mine Co"), ClientFactory(name="Hidden Co")
        db.session.add(ClientTeamMember(client=mine, user=recruiter, role="recruiter"))
        note = Note(client=hidden, body="Confidential.")
        db.session.add(note)
        db.session.commit()
        note_id, username = note.id, recruiter.username
        activity_id = (
            db.session.query(Activity.id).filter(Activity.client_id == hidden.id).first()[0]
        )
    api = api_for(app, username)
    assert api("GET", f"/api/v1/note/{note_id}").status_code == 404
    assert api("GET", f"/api/v1/activity/{activity_id}").status_code == 404
    summaries = [row["summary"] for row in api("GET", "/api/v1/activity/").get_json()["result"]]
    assert summaries == ["Client created: Mine Co"]
