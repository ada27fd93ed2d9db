"""Satisfaction surveys in the REST API: created in the specification's shape, sent, read
with their counts and scores, the results with their trend; errors naming the field; the role
matrix; another client's survey or client is a 404; a browser session opens nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from extensions import db
from models import Client, OutboxMessage, Survey, record_response, utcnow
from tests.conftest import api_for, login_staff
from tests.factories import ClientFactory, ProjectFactory, make_user
from tests.survey_factories import contacts_of, sent_survey

API = "/api/v1/satisfaction-survey/"


@pytest.fixture
def world(app):
    with app.app_context():
        manager = make_user("Account Manager")
        acme = ClientFactory(owner=manager, name="Acme Robotics")
        project = ProjectFactory(client=acme, name="Warehouse leads")
        people = contacts_of(acme, 2)
        hidden = ClientFactory(name="Hidden Corp")
        theirs = sent_survey("nps", client=hidden, count=1)
        db.session.commit()
        return {
            "manager": manager.username,
            "client": acme.id,
            "project": project.id,
            "contact": people[0].id,
            "email": people[1].email,
            "hidden": hidden.id,
            "hidden_survey": theirs.id,
        }


@pytest.fixture
def api(app, world):
    return api_for(app, world["manager"])


def seed_body(world, **extra) -> dict:
    """The seed's "Creating Satisfaction Survey" example, with this world's ids."""
    send = utcnow() + timedelta(minutes=-1)
    return {
        "clientId": world["client"],
        "projectId": world["project"],
        "type": "project_completion",
        "recipients": [
            {"email": world["email"], "role": "hiring_manager"},
            {"contactId": world["contact"], "role": "decision_maker"},
        ],
        "sendDate": send.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "expirationDate": (send + timedelta(days=14)).strftime("%Y-%m-%dT23:59:59Z"),
        **extra,
    }


def test_a_survey_is_created_in_the_seeds_shape(api, world):
    response = api("POST", API, seed_body(world))
    assert response.status_code == 201, response.get_json()
    result = response.get_json()["result"]
    assert result["type"] == "project_completion" and result["status"] == "draft"
    assert result["projectId"] == world["project"] and len(result["questions"]) == 6
    assert sorted(r["role"] for r in result["recipients"]) == ["decision_maker", "hiring_manager"]
    assert result["responsesCount"] == 0 and result["scores"]["nps"] is None


def test_sending_mails_the_recipients(app, api, world):
    survey_id = api("POST", API, seed_body(world)).get_json()["id"]
    response = api("POST", f"{API}{survey_id}/send")
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["result"]["status"] == "sent" and body["invitations"] == 2
    with app.app_context():
        assert len(db.session.scalars(select(OutboxMessage)).all()) == 2
    again = api("POST", f"{API}{survey_id}/send")
    assert again.status_code == 409 and "status" in again.get_json()["message"]


def test_a_future_send_date_schedules_it(api, world):
    later = utcnow() + timedelta(days=3)
    body = seed_body(
        world,
        sendDate=later.strftime("%Y-%m-%dT09:00:00Z"),
        expirationDate=(later + timedelta(days=14)).strftime("%Y-%m-%dT09:00:00Z"),
    )
    survey_id = api("POST", API, body).get_json()["id"]
    response = api("POST", f"{API}{survey_id}/send").get_json()
    assert response["result"]["status"] == "scheduled" and response["invitations"] == 0


@pytest.mark.parametrize(
    "change, field",
    [
        ({"type": "vibes"}, "type"),
        ({"expirationDate": "2020-01-01T00:00:00Z"}, "expirationDate"),
        ({"recipients": [{"email": "nobody@nowhere.test"}]}, "recipients.0.email"),
        ({"recipients": [{"role": "x"}]}, "recipients.0.contactId"),
        ({"recipients": []}, "recipients"),
        ({"sendDate": "next tuesday"}, "sendDate"),
    ],
)
def test_a_bad_field_is_a_422_naming_it(api, world, change, field):
    response = api("POST", API, seed_body(world, **change))
    assert response.status_code == 422, response.get_json()
    assert field in response.get_json()["message"]


def test_another_clients_project_is_refused(app, api, world):
    with app.app_context():
        elsewhere = ProjectFactory(client=db.session.get(Client, world["hidden"])).id
    response = api("POST", API, seed_body(world, projectId=elsewhere))
    assert response.status_code == 422 and "projectId" in response.get_json()["message"]


def test_a_client_the_user_may_not_see_is_a_404(api, world):
    assert api("POST", API, seed_body(world, clientId=world["hidden"])).status_code == 404
    assert api("GET", f"{API}{world['hidden_survey']}").status_code == 404
    assert api("POST", f"{API}{world['hidden_survey']}/send").status_code == 404
    assert api("GET", f"{API}results?client_id={world['hidden']}").status_code == 404
    listed = api("GET", API).get_json()
    assert world["hidden_survey"] not in listed["ids"]


def test_read_gives_the_responses_count_and_scores(app, api, world):
    with app.app_context():
        acme = db.session.get(Client, world["client"])
        survey = sent_survey("nps", client=acme, count=2)
        record_response(survey.recipients[0], {"recommend": 10})
        record_response(survey.recipients[1], {"recommend": 5})
        db.session.commit()
        survey_id = survey.id
    result = api("GET", f"{API}{survey_id}").get_json()["result"]
    # one promoter and one detractor of two: NPS (1 − 1)/2·100 = 0
    assert result["responsesCount"] == 2 and result["scores"]["nps"] == 0.0
    listed = api("GET", f"{API}?client_id={world['client']}&type=nps").get_json()
    assert listed["ids"] == [survey_id] and listed["result"][0]["responsesCount"] == 2


def test_results_give_nps_csat_and_the_trend(app, api, world):
    with app.app_context():
        acme = db.session.get(Client, world["client"])
        survey = sent_survey("csat", client=acme, count=2)
        record_response(survey.recipients[0], {"satisfaction": 5})
        record_response(survey.recipients[1], {"satisfaction": 3})
        db.session.commit()
    body = api("GET", f"{API}results?client_id={world['client']}").get_json()["result"]
    # CSAT: one satisfied (5) of two answers = 50.0
    assert body["overall"]["csat"] == 50.0 and body["overall"]["responses"] == 2
    assert body["clients"][0]["clientName"] == "Acme Robotics"
    assert body["trend"][0]["month"] == utcnow().strftime("%Y-%m")
    everything = api("GET", f"{API}results").get_json()["result"]
    assert everything["overall"]["responses"] == 2  # Hidden Corp's are not counted


def test_a_bad_results_argument_is_a_400_naming_it(api, world):
    response = api("GET", f"{API}results?since=last-year")
    assert response.status_code == 400 and "since" in response.get_json()["message"]


@pytest.mark.parametrize(
    "role, may_read, may_write, may_send",
    [
        ("Account Manager", True, True, True),
        ("Recruiter", True, False, False),
        ("Finance", True, False, False),
    ],
)
def test_the_api_follows_the_matrix(app, world, role, may_read, may_write, may_send):
    with app.app_context():
        user = make_user(role)
        acme = db.session.get(Client, world["client"])
        acme.owner = user if role == "Account Manager" else acme.owner
        from models import ClientTeamMember

        db.session.add(ClientTeamMember(client_id=acme.id, user=user, role="recruiter"))
        draft = Survey.create_for(acme, "nps", contacts_of(acme, 1))
        db.session.commit()
        username, draft_id = user.username, draft.id
    call = api_for(app, username)
    assert (call("GET", API).status_code == 200) == may_read
    assert (call("GET", f"{API}results").status_code == 200) == may_read
    assert (call("POST", API, seed_body(world)).status_code == 201) == may_write
    assert (call("POST", f"{API}{draft_id}/send").status_code == 200) == may_send


def test_a_browser_session_does_not_open_the_api(app, world):
    http = app.test_client()
    assert login_staff(http, world["manager"]).status_code == 302
    assert http.get(API).status_code == 401
