"""Onboarding in the REST API: onboard a client (201, then 409), the plans of visible clients
only, step verbs moving the progress, the service reviews and the feedback survey after a held
quarterly review; every bad input a 4xx naming its field, never a 500; the role matrix."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from extensions import db
from models import (
    Client,
    ClientTeamMember,
    Meeting,
    OnboardingPlan,
    ServiceReview,
    Survey,
)
from tests.conftest import api_for
from tests.factories import ClientContactFactory, ClientFactory, make_user


@pytest.fixture
def world(app):
    """An account manager's client with a primary contact, a recruiter on its team, a finance
    user, and another manager's client."""
    with app.app_context():
        manager, recruiter = make_user("Account Manager"), make_user("Recruiter")
        client = ClientFactory(owner=manager, name="Bayside Foods")
        ClientContactFactory(client=client, role="primary")
        db.session.add(ClientTeamMember(client=client, user=recruiter, role="recruiter"))
        other = ClientFactory(owner=make_user("Account Manager"), name="Elsewhere Corp")
        db.session.commit()
        return {
            "manager": manager.username,
            "recruiter": recruiter.username,
            "finance": make_user("Finance").username,
            "client": client.id,
            "other": other.id,
        }


def onboard(api, client_id, body=None):
    return api("POST", f"/api/v1/clients/{client_id}/onboard", body)


def test_onboarding_a_client_answers_its_plan(app, world):
    api = api_for(app, world["manager"])
    answer = onboard(api, world["client"], {"startDate": "2026-01-05"})
    assert answer.status_code == 201, answer.get_json()
    plan = answer.get_json()["result"]
    assert (plan["clientId"], plan["status"], plan["progress"]) == (world["client"], "active", 0)
    assert plan["startDate"] == "2026-01-05" and len(plan["steps"]) == 10
    first = plan["steps"][0]
    assert (first["name"], first["ownerRole"], first["dueDate"]) == (
        "Lead capture and qualification",
        "Sales Representative",
        "2026-01-07",
    )
    assert first["checklist"][2] == {"item": "Budget range", "done": False}
    assert plan["steps"][1]["dueDate"] == "2026-01-08"  # chained: + 1 day


def test_onboarding_with_no_body_uses_the_default_template_and_today(app, world):
    answer = onboard(api_for(app, world["manager"]), world["client"])
    assert answer.status_code == 201
    assert answer.get_json()["result"]["startDate"] == datetime.now(UTC).date().isoformat()


def test_onboarding_twice_is_a_409(app, world):
    api = api_for(app, world["manager"])
    onboard(api, world["client"])
    answer = onboard(api, world["client"])
    assert answer.status_code == 409
    assert "under way already" in answer.get_json()["message"]["clientId"][0]


@pytest.mark.parametrize(
    "body, field",
    [
        ({"templateId": 999999}, "templateId"),
        ({"templateId": "x"}, "templateId"),
        ({"templateId": 0}, "templateId"),
        ({"startDate": "not a date"}, "startDate"),
        ({"startDate": "0001-01-01"}, "startDate"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_onboard_input_is_a_422_naming_the_field(app, world, body, field):
    answer = onboard(api_for(app, world["manager"]), world["client"], body)
    assert answer.status_code == 422, answer.get_json()
    assert field in answer.get_json()["message"]


def test_a_body_that_is_not_an_object_is_a_400(app, world):
    answer = onboard(api_for(app, world["manager"]), world["client"], ["x"])
    assert answer.status_code == 400


def test_another_managers_client_is_a_404(app, world):
    api = api_for(app, world["manager"])
    assert onboard(api, world["other"]).status_code == 404
    assert onboard(api, 2**40).status_code == 404


def test_the_list_holds_the_plans_of_visible_clients_only(app, world):
    onboard(api_for(app, world["manager"]), world["client"])
    with app.app_context():
        OnboardingPlan.start(db.session.get(Client, world["other"]))
        db.session.commit()
        other_plan = OnboardingPlan.active_for(db.session, world["other"]).id
    for user in ("manager", "recruiter"):
        api = api_for(app, world[user])
        listing = api("GET", "/api/v1/onboarding-plans/").get_json()
        assert [p["clientId"] for p in listing["result"]] == [world["client"]], user
        assert api("GET", f"/api/v1/onboarding-plans/{other_plan}").status_code == 404
    assert api("GET", "/api/v1/onboarding-plans/?status=paused").status_code == 400


def test_step_verbs_move_the_progress(app, world):
    api = api_for(app, world["manager"])
    plan = onboard(api, world["client"]).get_json()["result"]
    base = f"/api/v1/onboarding-plans/{plan['id']}/steps"
    steps = [s["id"] for s in plan["steps"]]
    assert (
        api("POST", f"{base}/{steps[0]}/start").get_json()["result"]["steps"][0]["status"]
        == "in_progress"
    )
    assert api("POST", f"{base}/{steps[0]}/complete").get_json()["result"]["progress"] == 10
    assert api("POST", f"{base}/{steps[1]}/skip").get_json()["result"]["progress"] == 20
    answer = api("POST", f"{base}/{steps[1]}/reopen")
    assert answer.get_json()["result"]["progress"] == 10
    conflict = api("POST", f"{base}/{steps[0]}/complete")
    assert conflict.status_code == 409 and "status" in conflict.get_json()["message"]
    assert api("POST", f"{base}/{steps[0]}/explode").status_code == 404
    assert api("POST", f"{base}/999999/complete").status_code == 404


def test_a_recruiter_reads_but_may_not_act(app, world):
    plan = onboard(api_for(app, world["manager"]), world["client"]).get_json()["result"]
    api = api_for(app, world["recruiter"])
    assert api("GET", f"/api/v1/onboarding-plans/{plan['id']}").status_code == 200
    step = plan["steps"][0]["id"]
    assert (
        api("POST", f"/api/v1/onboarding-plans/{plan['id']}/steps/{step}/complete").status_code
        == 403
    )
    assert onboard(api, world["client"]).status_code == 403


def test_finance_has_no_onboarding(app, world):
    api = api_for(app, world["finance"])
    assert api("GET", "/api/v1/onboarding-plans/").status_code == 403


def starts_in(days: int) -> str:
    return (datetime.now(UTC) + timedelta(days=days)).isoformat()


def test_a_review_is_scheduled_with_its_agenda(app, world):
    api = api_for(app, world["manager"])
    answer = api(
        "POST",
        f"/api/v1/clients/{world['client']}/service-reviews",
        {"kind": "weekly", "startsAt": starts_in(2)},
    )
    assert answer.status_code == 201, answer.get_json()
    review = answer.get_json()["result"]
    assert review["kind"] == "weekly" and "- Open job orders: 0" in review["agenda"]
    with app.app_context():
        meeting = db.session.get(Meeting, review["meetingId"])
        assert meeting.title == "Weekly status report: Bayside Foods"


@pytest.mark.parametrize(
    "body, field",
    [
        ({"kind": "yearly", "startsAt": "2027-01-01T09:00:00Z"}, "kind"),
        ({"startsAt": "2027-01-01T09:00:00Z"}, "kind"),
        ({"kind": "monthly"}, "startsAt"),
        ({"kind": "monthly", "startsAt": "soon"}, "startsAt"),
        ({"kind": "monthly", "startsAt": "0001-01-01T00:00:00Z"}, "startsAt"),
    ],
)
def test_bad_review_input_is_a_422_naming_the_field(app, world, body, field):
    api = api_for(app, world["manager"])
    answer = api("POST", f"/api/v1/clients/{world['client']}/service-reviews", body)
    assert answer.status_code == 422, answer.get_json()
    assert field in answer.get_json()["message"]


def held_quarterly_review(app, world) -> int:
    api = api_for(app, world["manager"])
    answer = api(
        "POST",
        f"/api/v1/clients/{world['client']}/service-reviews",
        {"kind": "quarterly", "startsAt": starts_in(-1)},
    )
    return answer.get_json()["result"]["id"]


def test_after_a_held_quarterly_review_the_primary_contact_gets_one_survey(app, world):
    review_id = held_quarterly_review(app, world)
    api = api_for(app, world["manager"])
    url = f"/api/v1/clients/{world['client']}/service-reviews/{review_id}/feedback"
    first = api("POST", url)
    assert first.status_code == 200, first.get_json()
    again = api("POST", url)
    assert again.get_json()["result"]["surveyId"] == first.get_json()["result"]["surveyId"]
    with app.app_context():
        [survey] = db.session.scalars(select(Survey)).all()
        assert survey.status == "sent" and survey.kind == "csat"
        [recipient] = survey.recipients
        assert recipient.sent_at is not None  # mailed inline (no Redis in the suite)


def test_feedback_needs_a_held_quarterly_review(app, world):
    api = api_for(app, world["manager"])
    answer = api(
        "POST",
        f"/api/v1/clients/{world['client']}/service-reviews",
        {"kind": "quarterly", "startsAt": starts_in(5)},
    )
    review_id = answer.get_json()["result"]["id"]
    url = f"/api/v1/clients/{world['client']}/service-reviews/{review_id}/feedback"
    assert api("POST", url).status_code == 409
    other = f"/api/v1/clients/{world['other']}/service-reviews/{review_id}/feedback"
    assert api("POST", other).status_code == 404
    with app.app_context():
        assert db.session.scalar(select(ServiceReview.survey_id)) is None


def test_a_step_is_assigned_to_a_staff_user_and_back(app, world):
    api = api_for(app, world["manager"])
    plan = onboard(api, world["client"]).get_json()["result"]
    with app.app_context():
        staff_id = make_user("Recruiter", first_name="Iris").id
        portal_id = make_user("Client").id
    url = f"/api/v1/onboarding-plans/{plan['id']}/steps/{plan['steps'][0]['id']}/assign"
    answer = api("POST", url, {"assigneeId": staff_id})
    assert answer.status_code == 200, answer.get_json()
    step = answer.get_json()["result"]["steps"][0]
    assert step["assignee"]["id"] == staff_id and step["owner"]["firstName"] == "Iris"
    refused = api("POST", url, {"assigneeId": portal_id})
    assert refused.status_code == 422 and "assigneeId" in refused.get_json()["message"]
    assert api("POST", url, {}).status_code == 422
    back = api("POST", url, {"assigneeId": None}).get_json()["result"]["steps"][0]
    assert back["assignee"] is None and back["owner"]["id"] != staff_id


def test_the_list_issues_the_same_queries_with_more_plans(app, world):
    """Three more onboarded clients, each step assigned: not one query more."""
    from sqlalchemy import event

    api = api_for(app, world["manager"])
    plan = onboard(api, world["client"]).get_json()["result"]
    with app.app_context():  # an assignee to load already (none: no query for them at all)
        first = db.session.get(OnboardingPlan, plan["id"]).steps[0]
        first.action_assign(make_user("Recruiter"))
        db.session.commit()

    def queries() -> tuple[int, int]:
        seen = []
        with app.app_context():
            engine = db.engine
        listener = lambda *args: seen.append(args[2])  # noqa: E731
        event.listen(engine, "before_cursor_execute", listener)
        try:
            answer = api("GET", "/api/v1/onboarding-plans/")
            assert answer.status_code == 200
        finally:
            event.remove(engine, "before_cursor_execute", listener)
        return len(seen), answer.get_json()["count"]

    once, count = queries()
    assert count == 1
    with app.app_context():
        manager = db.session.get(Client, world["client"]).owner
        for _ in range(3):
            plan = OnboardingPlan.start(ClientFactory(owner=manager))
            for step in plan.steps:
                step.action_assign(make_user("Recruiter"))
        db.session.commit()
    assert queries() == (once, 4)


def test_the_endpoints_are_in_the_openapi_document(app, world):
    spec = api_for(app, world["manager"])("GET", "/api/v1/_openapi")
    assert spec.status_code == 200
    paths = spec.get_json()["paths"]
    assert "/api/v1/clients/{pk}/onboard" in paths
    assert "/api/v1/clients/{pk}/service-reviews" in paths
    assert "/api/v1/onboarding-plans/{pk}/steps/{step_id}/{verb}" in paths
    assert "/api/v1/onboarding-plans/{pk}/steps/{step_id}/assign" in paths
    assert "/api/v1/onboarding-plans/" in paths
