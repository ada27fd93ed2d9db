"""Applications and evaluations in the REST API: candidates added to open job orders, moved
(409 with the model's message when the pipeline refuses), placed; evaluations recorded for a
client contact, revised, confirmed, and summed up per job order."""

from datetime import date, timedelta

import pytest

from extensions import db
from models import Application, Client, ClientTeamMember, JobOrder
from tests.conftest import api_for
from tests.factories import (
    CandidateFactory,
    ClientContactFactory,
    ClientFactory,
    JobOrderFactory,
    add_candidate,
    make_user,
    open_job_order,
)


@pytest.fixture
def world(app):
    """An open job order of an account manager's client, a hiring contact, a recruiter on the
    team; a candidate in the pool; another client's contact."""
    with app.app_context():
        manager, recruiter = make_user("Account Manager"), make_user("Recruiter")
        link = ClientContactFactory(client=ClientFactory(owner=manager))
        db.session.add(ClientTeamMember(client=link.client, user=recruiter, role="recruiter"))
        job = open_job_order(JobOrderFactory(client=link.client), recruiter=recruiter)
        candidate = CandidateFactory()
        stranger = ClientContactFactory()
        db.session.commit()
        return {
            "manager": manager.username,
            "recruiter": recruiter.username,
            "client": link.client_id,
            "contact": link.contact_id,
            "job": job.id,
            "candidate": candidate.id,
            "stranger": stranger.contact_id,
        }


def at_stage(app, world, stage):
    with app.app_context():
        return add_candidate(db.session.get(JobOrder, world["job"]), stage).id


# ---------------------------------------------------------------- applications


def test_a_known_candidate_is_added_to_an_open_job_order(app, world):
    api = api_for(app, world["recruiter"])
    body = {"jobOrderId": world["job"], "candidateId": world["candidate"], "source": "LinkedIn"}
    created = api("POST", "/api/v1/application/", body)
    assert created.status_code == 201, created.get_json()
    application = api("GET", f"/api/v1/application/{created.get_json()['id']}").get_json()
    assert application["result"]["stage"] == "sourced"
    assert application["result"]["candidate"]["id"] == world["candidate"]
    assert [m["to"] for m in application["result"]["stageHistory"]] == ["sourced"]


def test_a_new_candidate_is_created_with_their_application(app, world):
    body = {
        "jobOrderId": world["job"],
        "candidate": {"firstName": "Maya", "lastName": "Reyes", "email": "MAYA@people.test"},
        "stage": "screened",
        "pitch": "Scaled a team from 5 to 60.",
    }
    created = api_for(app, world["recruiter"])("POST", "/api/v1/application/", body)
    assert created.status_code == 201, created.get_json()
    result = created.get_json()["result"]
    assert result["candidate"]["email"] == "maya@people.test"
    assert result["stage"] == "screened" and result["pitch"] == "Scaled a team from 5 to 60."


@pytest.mark.parametrize(
    "body, field",
    [
        ({}, "candidateId"),
        ({"candidateId": 1, "candidate": {"firstName": "A", "lastName": "B"}}, "candidateId"),
        ({"candidateId": 999999}, "candidateId"),
        ({"candidate": {"firstName": "A", "lastName": "B", "email": "nope"}}, "candidate.email"),
        ({"candidate": {"firstName": "A"}}, "candidate.lastName"),
        ({"candidateId": 1, "stage": "placed"}, "stage"),
        ({"candidateId": "1"}, "candidateId"),
    ],
)
def test_a_bad_application_is_a_422_naming_the_field(app, world, body, field):
    response = api_for(app, world["recruiter"])(
        "POST", "/api/v1/application/", {"jobOrderId": world["job"], **body}
    )
    assert response.status_code == 422, response.get_json()
    assert field in response.get_json()["message"], response.get_json()


def test_a_candidate_joins_a_job_order_that_is_not_open_with_a_409(app, world):
    with app.app_context():
        draft = JobOrderFactory(client=db.session.get(Client, world["client"])).id
    response = api_for(app, world["recruiter"])(
        "POST", "/api/v1/application/", {"jobOrderId": draft, "candidateId": world["candidate"]}
    )
    assert response.status_code == 409
    assert "open job order only" in response.get_json()["message"]["jobOrderId"][0]


def test_moves_are_kept_with_their_dates(app, world):
    pk = at_stage(app, world, "sourced")
    api = api_for(app, world["recruiter"])
    for stage in ("screened", "submitted"):
        response = api("POST", f"/api/v1/application/{pk}/move", {"stage": stage})
        assert response.status_code == 200, response.get_json()
    result = response.get_json()["result"]
    assert [m["to"] for m in result["stageHistory"]] == ["sourced", "screened", "submitted"]
    assert result["presentedAt"] == result["stageHistory"][-1]["at"]


def test_a_move_the_pipeline_refuses_is_a_409_with_the_message(app, world):
    pk = at_stage(app, world, "offer")
    api = api_for(app, world["recruiter"])
    placed = api("POST", f"/api/v1/application/{pk}/move", {"stage": "placed"})
    assert placed.status_code == 409
    assert "from Offer to Placed needs the placement" in placed.get_json()["message"]["stage"][0]
    same = api("POST", f"/api/v1/application/{pk}/move", {"stage": "offer"})
    assert same.status_code == 409 and "at Offer already" in same.get_json()["message"]["stage"][0]


@pytest.mark.parametrize("body", [{}, {"stage": "hired"}, {"stage": 3}, {"stage": "offer", "x": 1}])
def test_a_bad_move_is_a_422(app, world, body):
    pk = at_stage(app, world, "screened")
    response = api_for(app, world["recruiter"])("POST", f"/api/v1/application/{pk}/move", body)
    assert response.status_code == 422, response.get_json()


def test_a_placement_records_salary_and_fee_and_fills_the_order(app, world):
    pk = at_stage(app, world, "offer")
    api = api_for(app, world["recruiter"])
    placed = api(
        "POST", f"/api/v1/application/{pk}/place", {"startDate": "2027-02-01", "salary": 180000}
    )
    assert placed.status_code == 200, placed.get_json()
    placement = placed.get_json()["result"]["placement"]
    assert placement["salary"] == "180000.00" and placement["feeDue"] == "25000.00"
    assert placement["guaranteeUntil"] == "2027-07-31"  # 180 days
    job = api_for(app, world["manager"])("GET", f"/api/v1/job-order/{world['job']}").get_json()
    assert job["result"]["status"] == "filled"
    moved = api("POST", f"/api/v1/application/{pk}/move", {"stage": "rejected"})
    assert moved.status_code == 409 and "is placed" in moved.get_json()["message"]["stage"][0]


@pytest.mark.parametrize(
    "body, field",
    [
        ({"salary": 1000}, "startDate"),
        ({"startDate": "2027-02-01"}, "salary"),
        ({"startDate": "2027-02-01", "salary": "12.345"}, "salary"),
        ({"startDate": "2027-02-01", "salary": 0}, "salary"),
        ({"startDate": "2027-02-01", "salary": 1000, "feeDue": -1}, "feeDue"),
        ({"startDate": "soon", "salary": 1000}, "startDate"),
    ],
)
def test_a_bad_placement_is_a_422_naming_the_field(app, world, body, field):
    pk = at_stage(app, world, "offer")
    response = api_for(app, world["recruiter"])("POST", f"/api/v1/application/{pk}/place", body)
    assert response.status_code == 422, response.get_json()
    assert field in response.get_json()["message"], response.get_json()


def test_the_pitch_is_edited_but_not_the_stage(app, world):
    pk = at_stage(app, world, "screened")
    api = api_for(app, world["recruiter"])
    edited = api("PUT", f"/api/v1/application/{pk}", {"pitch": "Strong on hiring."})
    assert edited.status_code == 200 and edited.get_json()["result"]["pitch"] == "Strong on hiring."
    assert api("PUT", f"/api/v1/application/{pk}", {"stage": "offer"}).status_code == 422


def test_the_application_list_filters_by_job_order_and_stage(app, world):
    at_stage(app, world, "sourced")
    submitted = at_stage(app, world, "submitted")
    with app.app_context():
        other = open_job_order(JobOrderFactory(client=db.session.get(Client, world["client"])))
        add_candidate(other, "submitted")
    api = api_for(app, world["recruiter"])
    assert api("GET", "/api/v1/application/").get_json()["count"] == 3
    assert api("GET", f"/api/v1/application/?job_order_id={world['job']}").get_json()["count"] == 2
    query = f"job_order_id={world['job']}&stage=submitted"
    assert api("GET", f"/api/v1/application/?{query}").get_json()["ids"] == [submitted]
    assert api("GET", "/api/v1/application/?stage=hired").status_code == 400


# ---------------------------------------------------------------- evaluations


def evaluate(api, world, application, **extra):
    body = {
        "applicationId": application,
        "contactId": world["contact"],
        "decision": "advance",
        "scores": {"Skills": 5, "Experience": 4},
        "comments": "Strong systems thinking.",
        **extra,
    }
    return api("POST", "/api/v1/evaluation/", body)


def test_staff_records_an_evaluation_for_a_client_contact_and_revises_it(app, world):
    application = at_stage(app, world, "submitted")
    api = api_for(app, world["recruiter"])
    created = evaluate(api, world, application)
    assert created.status_code == 201, created.get_json()
    result = created.get_json()["result"]
    assert result["average"] == "4.5" and result["contact"]["id"] == world["contact"]
    revised = evaluate(api, world, application, decision="hold", scores={"Skills": 3})
    assert revised.status_code == 200 and revised.get_json()["id"] == created.get_json()["id"]
    assert revised.get_json()["result"]["decision"] == "hold"


def test_the_evaluator_is_a_contact_of_the_applications_client(app, world):
    application = at_stage(app, world, "submitted")
    response = evaluate(
        api_for(app, world["recruiter"]), world, application, contactId=world["stranger"]
    )
    assert response.status_code == 422
    assert "is not a contact of" in response.get_json()["message"]["contactId"][0]


@pytest.mark.parametrize(
    "extra, field",
    [
        ({"decision": "maybe"}, "decision"),
        ({"scores": {"Skills": 6}}, "scores"),
        ({"scores": {"Skills": True}}, "scores"),
        ({"scores": {"Skills": "5"}}, "scores"),
        ({"scores": {"Charm": 5}}, "scores"),
        ({"scores": [5, 4]}, "scores"),
        ({"comments": "x" * 5001}, "comments"),
        ({"contactId": None}, "contactId"),
    ],
)
def test_a_bad_evaluation_is_a_422_naming_the_field(app, world, extra, field):
    application = at_stage(app, world, "submitted")
    response = evaluate(api_for(app, world["recruiter"]), world, application, **extra)
    assert response.status_code == 422, response.get_json()
    assert any(key.startswith(field) for key in response.get_json()["message"])


def test_a_candidate_not_presented_is_not_evaluated(app, world):
    application = at_stage(app, world, "screened")
    response = evaluate(api_for(app, world["recruiter"]), world, application)
    assert response.status_code == 422 and "applicationId" in response.get_json()["message"]


def test_confirming_an_advance_moves_the_candidate_once(app, world):
    application = at_stage(app, world, "submitted")
    api = api_for(app, world["recruiter"])
    pk = evaluate(api, world, application).get_json()["id"]
    confirmed = api("POST", f"/api/v1/evaluation/{pk}/confirm")
    assert confirmed.status_code == 200, confirmed.get_json()
    assert confirmed.get_json()["result"]["confirmedAt"] is not None
    with app.app_context():
        assert db.session.get(Application, application).stage == "client_interview"
    again = api("POST", f"/api/v1/evaluation/{pk}/confirm")
    assert again.status_code == 422 and "confirmed already" in str(again.get_json())


def test_the_evaluation_summary_gives_averages_and_who_decided(app, world):
    first, second = at_stage(app, world, "submitted"), at_stage(app, world, "submitted")
    at_stage(app, world, "screened")  # not presented: not in the summary
    with app.app_context():
        colleague = ClientContactFactory(client=db.session.get(Client, world["client"]))
        colleague_id, colleague_name = colleague.contact_id, colleague.contact.full_name
        db.session.commit()
    api = api_for(app, world["recruiter"])
    evaluate(api, world, first, scores={"Skills": 5, "Experience": 4})
    evaluate(api, world, first, contactId=colleague_id, decision="hold", scores={"Skills": 4})
    summary = api("GET", f"/api/v1/job-order/{world['job']}/evaluation-summary").get_json()
    rows = {row["applicationId"]: row for row in summary["result"]["candidates"]}
    assert set(rows) == {first, second}
    assert rows[first]["averages"] == {
        "Skills": "4.5",
        "Experience": "4.0",
        "Cultural fit": None,
        "Communication": None,
    }
    assert rows[first]["overall"] == "4.3"  # (5 + 4 + 4) / 3
    assert rows[first]["decisionCounts"] == {"advance": 1, "hold": 1, "reject": 0}
    decisions = {(d["by"]["name"], d["decision"], d["confirmed"]) for d in rows[first]["decisions"]}
    assert (colleague_name, "hold", False) in decisions
    assert rows[second]["overall"] is None and rows[second]["decisions"] == []


def test_the_evaluation_list_filters_by_job_order_and_application(app, world):
    first, second = at_stage(app, world, "submitted"), at_stage(app, world, "submitted")
    api = api_for(app, world["recruiter"])
    evaluate(api, world, first)
    evaluate(api, world, second, decision="reject")
    listed = api("GET", f"/api/v1/evaluation/?job_order_id={world['job']}").get_json()
    assert listed["count"] == 2
    one = api("GET", f"/api/v1/evaluation/?application_id={second}").get_json()
    assert [row["decision"] for row in one["result"]] == ["reject"]
    assert api("GET", "/api/v1/evaluation/?job_order_id=999999").get_json()["count"] == 0


def test_a_departure_within_the_guarantee_is_recorded_with_its_outcome(app, world):
    api = api_for(app, world["recruiter"])
    offered = at_stage(app, world, "offer")
    path = f"/api/v1/application/{offered}/departure"
    today = date.today()
    body = {"leftOn": str(today - timedelta(days=2)), "reason": "Moved abroad"}
    not_placed = api("POST", path, body)
    assert not_placed.status_code == 409 and "placement" in not_placed.get_json()["message"]
    start = str(today - timedelta(days=30))
    placed = api(
        "POST", f"/api/v1/application/{offered}/place", {"startDate": start, "salary": 1000}
    )
    assert placed.status_code == 200, placed.get_json()
    for bad, field in [
        ({"leftOn": str(today + timedelta(days=1)), "reason": "x"}, "leftOn"),
        ({"leftOn": str(today - timedelta(days=60)), "reason": "x"}, "leftOn"),
        ({"leftOn": str(today), "reason": " "}, "reason"),
        ({"reason": "x"}, "leftOn"),
    ]:
        refused = api("POST", path, bad)
        assert refused.status_code == 422 and field in refused.get_json()["message"], bad
    recorded = api("POST", path, body)
    assert recorded.status_code == 200, recorded.get_json()
    placement = recorded.get_json()["result"]["placement"]
    assert (placement["leftOn"], placement["exitReason"]) == (body["leftOn"], "Moved abroad")
    assert placement["guaranteeOutcome"] == "replacement_owed"  # the order's default remedy
    assert recorded.get_json()["creditNoteId"] is None
    again = api("POST", path, body)
    assert again.status_code == 422 and "already" in again.get_json()["message"]["leftOn"][0]
