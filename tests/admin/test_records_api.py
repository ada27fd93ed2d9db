"""The client page's records in the REST API follow the client's visibility and the role matrix:
a Recruiter reads their team's locations and timeline, gets 404 for another client's, and may
not write; the timeline is read only for everyone."""

import pytest

from extensions import db
from models import ClientTeamMember, record_activity
from tests.conftest import api_for
from tests.factories import ClientFactory, LocationFactory, make_user


@pytest.fixture
def world(app):
    """A recruiter on the team of one client; another client they do not work on."""
    with app.app_context():
        recruiter, manager = make_user("Recruiter"), make_user("Account Manager")
        mine, theirs = ClientFactory(owner=manager), ClientFactory()
        db.session.add(ClientTeamMember(client=mine, user=recruiter, role="recruiter"))
        locations = {
            "mine": LocationFactory(client=mine).id,
            "theirs": LocationFactory(client=theirs).id,
        }
        db.session.flush()
        record_activity(db.session, "note", "Called the hiring manager", client_id=mine.id)
        record_activity(db.session, "note", "Secret pitch", client_id=theirs.id)
        db.session.commit()
        return {
            "recruiter": recruiter.username,
            "manager": manager.username,
            "mine": mine.id,
            "theirs": theirs.id,
            "locations": locations,
        }


def test_a_recruiter_reads_their_clients_locations_and_not_anothers(app, world):
    api = api_for(app, world["recruiter"])
    assert api("GET", f"/api/v1/location/{world['locations']['mine']}").status_code == 200
    assert api("GET", f"/api/v1/location/{world['locations']['theirs']}").status_code == 404
    listed = api("GET", "/api/v1/location/").get_json()
    assert [row["client"]["id"] for row in listed["result"]] == [world["mine"]]


def test_a_recruiter_may_not_write_a_location(app, world):
    api = api_for(app, world["recruiter"])
    new = {
        "client": world["mine"],
        "kind": "billing",
        "address_line1": "1 Main St",
        "city": "Leeds",
        "country": "GB",
    }
    assert api("POST", "/api/v1/location/", new).status_code in (401, 403)


def test_an_account_manager_adds_a_location_to_their_client_only(app, world):
    api = api_for(app, world["manager"])
    new = {"kind": "billing", "address_line1": "1 Main St", "city": "Leeds", "country": "gb"}
    created = api("POST", "/api/v1/location/", {**new, "client": world["mine"]})
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["result"]["country"] == "GB"
    refused = api("POST", "/api/v1/location/", {**new, "client": world["theirs"]})
    assert refused.status_code == 404 and "client" in refused.get_json()["message"]


def test_a_bad_location_is_a_422_naming_the_field(app, world):
    api = api_for(app, world["manager"])
    bad = {
        "client": world["mine"],
        "kind": "moon",
        "address_line1": "1 Main St",
        "city": "Leeds",
        "country": "GB",
    }
    response = api("POST", "/api/v1/location/", bad)
    assert response.status_code == 422 and "kind" in response.get_json()["message"]


def test_the_timeline_is_readable_per_client_and_never_writable(app, world):
    api = api_for(app, world["recruiter"])
    rows = api("GET", "/api/v1/activity/").get_json()["result"]
    assert {row["client"]["id"] for row in rows} == {world["mine"]}
    assert "Called the hiring manager" in [row["summary"] for row in rows]
    admin = api_for(app, _admin(app))
    assert admin("POST", "/api/v1/activity/", {"kind": "note", "summary": "x"}).status_code == 405
    pk = rows[0]["id"]
    assert admin("PUT", f"/api/v1/activity/{pk}", {"summary": "rewritten"}).status_code == 405
    assert admin("DELETE", f"/api/v1/activity/{pk}").status_code == 405


def _admin(app):
    with app.app_context():
        return make_user("Admin").username
