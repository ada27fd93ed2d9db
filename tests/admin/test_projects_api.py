"""Projects in the REST API: created with their milestones, job orders and recruiters; a
milestone completed or reopened through its verb moves the progress; the progress answer
counts the candidates per stage of the project's job orders."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from extensions import db
from models import Client, ClientTeamMember, JobOrder, Project
from tests.conftest import api_for
from tests.factories import (
    ClientFactory,
    JobOrderFactory,
    MilestoneFactory,
    ProjectFactory,
    add_candidate,
    make_user,
    open_job_order,
)


@pytest.fixture
def world(app):
    """An account manager's client with two job orders; a recruiter on its team."""
    with app.app_context():
        manager, recruiter = make_user("Account Manager"), make_user("Recruiter")
        client = ClientFactory(owner=manager)
        db.session.add(ClientTeamMember(client=client, user=recruiter, role="recruiter"))
        jobs = [JobOrderFactory(client=client), JobOrderFactory(client=client)]
        other_job = JobOrderFactory()
        db.session.commit()
        return {
            "manager": manager.username,
            "recruiter": recruiter.username,
            "recruiter_id": recruiter.id,
            "client": client.id,
            "jobs": [job.id for job in jobs],
            "other_job": other_job.id,
        }


def new_project(world, **extra):
    return {
        "clientId": world["client"],
        "name": "Engineering build-out",
        "budget": "120000.50",
        "startDate": "2026-01-05",
        "targetEndDate": "2026-06-30",
        "recruiterIds": [world["recruiter_id"]],
        "jobOrderIds": world["jobs"],
        "milestones": [
            {"name": "Shortlist", "dueDate": "2026-02-01"},
            {"name": "Offers out", "dueDate": "2026-04-01"},
        ],
        **extra,
    }


def create(app, world):
    response = api_for(app, world["manager"])("POST", "/api/v1/project/", new_project(world))
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"], response.get_json()["result"]


def test_a_project_is_created_with_milestones_job_orders_and_recruiters(app, world):
    pk, project = create(app, world)
    assert project["budget"] == "120000.50" and project["progress"] == 0
    assert [m["name"] for m in project["milestones"]] == ["Shortlist", "Offers out"]
    assert sorted(job["id"] for job in project["jobOrders"]) == sorted(world["jobs"])
    assert [r["id"] for r in project["recruiters"]] == [world["recruiter_id"]]
    read = api_for(app, world["recruiter"])("GET", f"/api/v1/project/{pk}").get_json()
    assert read["result"]["milestones"][0]["dueDate"] == "2026-02-01"


def test_another_clients_job_order_is_not_added_to_a_project(app, world):
    body = new_project(world, jobOrderIds=[world["other_job"]])
    response = api_for(app, world["manager"])("POST", "/api/v1/project/", body)
    assert response.status_code == 422
    assert str(world["other_job"]) in response.get_json()["message"]["jobOrderIds"][0]


@pytest.mark.parametrize(
    "change, field",
    [
        ({"budget": "-5"}, "budget"),
        ({"budget": "12.345"}, "budget"),
        ({"status": "dreaming"}, "status"),
        ({"name": ""}, "name"),
        ({"targetEndDate": "2025-01-01"}, "targetEndDate"),
        ({"startDate": "next week"}, "startDate"),
        ({"currency": "XYZ"}, "currency"),
        ({"recruiterIds": [424242]}, "recruiterIds"),
        ({"milestones": [{"dueDate": "2026-01-01"}]}, "milestones.0.name"),
    ],
)
def test_a_bad_project_is_a_422_naming_the_field(app, world, change, field):
    body = new_project(world, **change)
    response = api_for(app, world["manager"])("POST", "/api/v1/project/", body)
    assert response.status_code == 422, response.get_json()
    assert field in response.get_json()["message"], response.get_json()


def test_put_changes_the_project_but_not_its_client(app, world):
    pk, _ = create(app, world)
    api = api_for(app, world["manager"])
    changed = api("PUT", f"/api/v1/project/{pk}", {"status": "on_hold", "budget": 90000})
    assert changed.status_code == 200, changed.get_json()
    assert changed.get_json()["result"]["budget"] == "90000.00"
    with app.app_context():
        assert db.session.get(Project, pk).budget == Decimal("90000.00")
    moved = api("PUT", f"/api/v1/project/{pk}", {"clientId": world["client"]})
    assert moved.status_code == 422 and "clientId" in moved.get_json()["message"]


def test_completing_and_reopening_a_milestone_moves_the_progress(app, world):
    pk, project = create(app, world)
    api = api_for(app, world["recruiter"])
    first = project["milestones"][0]["id"]
    done = api("POST", f"/api/v1/project/{pk}/milestones/{first}/complete")
    assert done.status_code == 200, done.get_json()
    assert done.get_json()["result"]["progress"] == 50
    assert done.get_json()["result"]["milestones"][0]["completedOn"] == date.today().isoformat()
    twice = api("POST", f"/api/v1/project/{pk}/milestones/{first}/complete")
    assert twice.status_code == 422
    assert "was completed on" in twice.get_json()["message"]["completedOn"][0]
    reopened = api("POST", f"/api/v1/project/{pk}/milestones/{first}/reopen")
    assert reopened.get_json()["result"]["progress"] == 0


def test_a_milestone_is_completed_on_a_past_date_but_not_in_the_future(app, world):
    pk, project = create(app, world)
    api = api_for(app, world["manager"])
    first = project["milestones"][0]["id"]
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    future = api("POST", f"/api/v1/project/{pk}/milestones/{first}/complete", {"on": tomorrow})
    assert future.status_code == 422
    past = api("POST", f"/api/v1/project/{pk}/milestones/{first}/complete", {"on": "2026-01-20"})
    assert past.get_json()["result"]["milestones"][0]["completedOn"] == "2026-01-20"


def test_a_milestone_of_another_project_is_a_404(app, world):
    pk, _ = create(app, world)
    with app.app_context():
        stranger = ProjectFactory(client=db.session.get(Client, world["client"]))
        milestone = MilestoneFactory(project=stranger).id
        db.session.commit()
    response = api_for(app, world["manager"])(
        "POST", f"/api/v1/project/{pk}/milestones/{milestone}/complete"
    )
    assert response.status_code == 404


def test_a_milestone_is_added_to_a_project(app, world):
    pk, _ = create(app, world)
    response = api_for(app, world["manager"])(
        "POST", f"/api/v1/project/{pk}/milestones", {"name": "Start dates", "dueDate": "2026-05-01"}
    )
    assert response.status_code == 200, response.get_json()
    assert [m["name"] for m in response.get_json()["result"]["milestones"]] == [
        "Shortlist",
        "Offers out",
        "Start dates",
    ]


def test_progress_counts_milestones_and_candidates_per_stage(app, world):
    pk, project = create(app, world)
    with app.app_context():
        job = open_job_order(db.session.get(JobOrder, world["jobs"][0]))
        add_candidate(job, "sourced")
        add_candidate(job, "submitted")
        add_candidate(job, "submitted")
    api = api_for(app, world["manager"])
    api("POST", f"/api/v1/project/{pk}/milestones/{project['milestones'][0]['id']}/complete")
    progress = api("GET", f"/api/v1/project/{pk}/progress").get_json()["result"]
    assert progress["progress"] == 50
    milestones = progress["milestones"]
    assert (milestones["done"], milestones["total"]) == (1, 2)
    assert milestones["next"]["name"] == "Offers out"
    assert progress["candidatesPerStage"]["submitted"] == 2
    assert progress["candidatesPerStage"]["sourced"] == 1
    by_job = {j["id"]: j for j in progress["jobOrders"]}
    assert by_job[world["jobs"][0]]["status"] == "open"
    assert by_job[world["jobs"][1]]["candidatesPerStage"]["submitted"] == 0


def test_the_project_list_filters_by_client_and_status(app, world):
    create(app, world)
    with app.app_context():
        ProjectFactory(status="completed")
        db.session.commit()
    api = api_for(app, make_admin(app))
    assert api("GET", "/api/v1/project/").get_json()["count"] == 2
    mine = api("GET", f"/api/v1/project/?client_id={world['client']}").get_json()
    assert mine["count"] == 1 and mine["result"][0]["name"] == "Engineering build-out"
    assert api("GET", "/api/v1/project/?status=completed").get_json()["count"] == 1
    assert api("GET", "/api/v1/project/?client_id=abc").status_code == 400


def make_admin(app):
    with app.app_context():
        return make_user("Admin").username


def test_a_billable_milestone_is_added_with_its_amount(app, world):
    pk, _ = create(app, world)
    call = api_for(app, world["manager"])
    bad = call("POST", f"/api/v1/project/{pk}/milestones", {"name": "Fee", "billingAmount": "-1"})
    assert bad.status_code == 422, bad.get_json()
    response = call(
        "POST", f"/api/v1/project/{pk}/milestones", {"name": "Fee", "billingAmount": "5000.00"}
    )
    assert response.status_code == 200, response.get_json()
    added = response.get_json()["result"]["milestones"][-1]
    assert (added["name"], added["billingAmount"]) == ("Fee", "5000.00")
