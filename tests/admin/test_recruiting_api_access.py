"""Who reaches the recruiting API: another client's job orders, projects, applications and
evaluations are a 404 on every endpoint for a recruiter off its team, and each role calls
exactly the endpoints the permission matrix gives it."""

from contextlib import contextmanager
from datetime import date

import pytest
from sqlalchemy import event

from extensions import db
from models import Application, ClientTeamMember, Evaluation
from tests.conftest import api_for
from tests.factories import (
    CandidateFactory,
    ClientContactFactory,
    ClientFactory,
    JobOrderFactory,
    MilestoneFactory,
    ProjectFactory,
    add_candidate,
    make_user,
    open_job_order,
)

ROLES = ["Admin", "Account Manager", "Recruiter", "Finance", "Client"]
READ = {"Admin", "Account Manager", "Recruiter", "Finance"}
WRITE = {"Admin", "Account Manager", "Recruiter"}
APPROVE = {"Admin", "Account Manager"}


def build_records(client, recruiter) -> dict:
    """One of everything the API reaches, for ``client`` (committed); ids by name."""
    link = ClientContactFactory(client=client)
    project = ProjectFactory(client=client, name=f"Project of {client.name}")
    milestone = MilestoneFactory(project=project)
    job = open_job_order(
        JobOrderFactory(
            client=client, project=project, title=f"Secret role at {client.name}", openings=2
        ),
        recruiter=recruiter,
    )
    submitted = JobOrderFactory(client=client)
    submitted.action_submit()
    to_reject = JobOrderFactory(client=client)
    to_reject.action_submit()
    db.session.commit()
    screened = add_candidate(job, "screened")
    offer = add_candidate(job, "offer")
    presented = add_candidate(job, "submitted")
    evaluation = Evaluation.action_submit(presented, link.contact, "advance", {"Skills": 4})
    db.session.commit()
    return {
        "client": client.id,
        "contact": link.contact_id,
        "project": project.id,
        "milestone": milestone.id,
        "job": job.id,
        "draft": JobOrderFactory(client=client).id,
        "submitted": submitted.id,
        "to_reject": to_reject.id,
        "screened": screened.id,
        "offer": offer.id,
        "presented": presented.id,
        "evaluation": evaluation.id,
        "candidate": CandidateFactory().id,
        "recruiter_id": recruiter.id,
    }


def job_order_body(r):
    return {"clientId": r["client"], "jobDetails": {"title": "Data Engineer"}}


# (method, path, body) for every endpoint on one client's records
def endpoints(r):
    return [
        ("GET", "/api/v1/job-order/{job}", None),
        ("PUT", "/api/v1/job-order/{job}", {"priorities": {"urgency": "low"}}),
        ("PATCH", "/api/v1/job-order/{job}/status", {"status": "on_hold"}),
        ("PATCH", "/api/v1/job-order/{submitted}/status", {"status": "rejected", "reason": "x"}),
        ("GET", "/api/v1/job-order/{job}/evaluation-summary", None),
        ("POST", "/api/v1/job-order/", job_order_body(r)),
        ("GET", "/api/v1/project/{project}", None),
        ("PUT", "/api/v1/project/{project}", {"name": "Renamed"}),
        ("GET", "/api/v1/project/{project}/progress", None),
        ("POST", "/api/v1/project/{project}/milestones", {"name": "Extra"}),
        ("POST", "/api/v1/project/{project}/milestones/{milestone}/complete", None),
        ("POST", "/api/v1/project/{project}/milestones/{milestone}/reopen", None),
        ("POST", "/api/v1/project/", {"clientId": r["client"], "name": "New project"}),
        ("GET", "/api/v1/application/{screened}", None),
        ("PUT", "/api/v1/application/{screened}", {"pitch": "Great"}),
        ("POST", "/api/v1/application/{screened}/move", {"stage": "submitted"}),
        ("POST", "/api/v1/application/{offer}/place", {"startDate": "2027-01-04", "salary": 1}),
        (
            "POST",
            "/api/v1/application/",
            {"jobOrderId": r["job"], "candidateId": r["candidate"]},
        ),
        ("GET", "/api/v1/evaluation/{evaluation}", None),
        ("POST", "/api/v1/evaluation/{evaluation}/confirm", None),
        (
            "POST",
            "/api/v1/evaluation/",
            {"applicationId": r["presented"], "contactId": r["contact"], "decision": "hold"},
        ),
    ]


@pytest.fixture
def other_client(app):
    """Client B's records; an account manager and a recruiter who work on client A only."""
    with app.app_context():
        manager, recruiter = make_user("Account Manager"), make_user("Recruiter")
        mine = ClientFactory(owner=manager, name="Alpha Works")
        db.session.add(ClientTeamMember(client=mine, user=recruiter, role="recruiter"))
        theirs = ClientFactory(name="Bravo Secret Holdings")
        records = build_records(theirs, make_user("Recruiter"))
        return {"manager": manager.username, "recruiter": recruiter.username, **records}


@pytest.mark.parametrize("who", ["manager", "recruiter"])
def test_every_endpoint_answers_404_for_another_clients_records(app, other_client, who):
    api = api_for(app, other_client[who])
    answers = {}
    for method, path, body in endpoints(other_client):
        response = api(method, path.format(**other_client), body)
        answers[(method, path)] = response.status_code
        assert "Bravo Secret" not in response.get_data(as_text=True), (method, path)
    assert {call: code for call, code in answers.items() if code != 404} == {}
    with app.app_context():
        assert db.session.get(Application, other_client["screened"]).stage == "screened"
        assert db.session.get(Evaluation, other_client["evaluation"]).confirmed_at is None


@pytest.mark.parametrize("resource", ["job-order", "project", "application", "evaluation"])
def test_lists_hold_nothing_of_another_client(app, other_client, resource):
    api = api_for(app, other_client["recruiter"])
    response = api("GET", f"/api/v1/{resource}/")
    assert response.status_code == 200 and response.get_json()["count"] == 0
    filtered = api("GET", f"/api/v1/{resource}/?client_id={other_client['client']}")
    assert filtered.get_json()["count"] == 0
    assert "Bravo Secret" not in response.get_data(as_text=True)


# ---------------------------------------------------------------- the role matrix

# (method, path, body or a function of the records, the roles that may make the call)
MATRIX = [
    ("GET", "/api/v1/job-order/", None, READ),
    ("GET", "/api/v1/job-order/{job}", None, READ),
    ("GET", "/api/v1/job-order/{job}/evaluation-summary", None, READ),
    ("POST", "/api/v1/job-order/", job_order_body, WRITE),
    ("PUT", "/api/v1/job-order/{job}", {"priorities": {"urgency": "low"}}, WRITE),
    ("PATCH", "/api/v1/job-order/{draft}/status", {"status": "submitted"}, WRITE),
    (
        "PATCH",
        "/api/v1/job-order/{submitted}/status",
        lambda r: {"status": "approved", "recruiterIds": [r["recruiter_id"]]},
        APPROVE,
    ),
    (
        "PATCH",
        "/api/v1/job-order/{to_reject}/status",
        {"status": "rejected", "reason": "Fee too low"},
        APPROVE,
    ),
    ("GET", "/api/v1/project/", None, READ),
    ("GET", "/api/v1/project/{project}", None, READ),
    ("GET", "/api/v1/project/{project}/progress", None, READ),
    ("POST", "/api/v1/project/", lambda r: {"clientId": r["client"], "name": "New"}, WRITE),
    ("PUT", "/api/v1/project/{project}", {"budget": "1000"}, WRITE),
    ("POST", "/api/v1/project/{project}/milestones", {"name": "Extra"}, WRITE),
    ("POST", "/api/v1/project/{project}/milestones/{milestone}/complete", None, WRITE),
    ("GET", "/api/v1/application/", None, READ),
    ("GET", "/api/v1/application/{screened}", None, READ),
    (
        "POST",
        "/api/v1/application/",
        lambda r: {"jobOrderId": r["job"], "candidateId": r["candidate"]},
        WRITE,
    ),
    ("PUT", "/api/v1/application/{screened}", {"pitch": "Great"}, WRITE),
    ("POST", "/api/v1/application/{screened}/move", {"stage": "submitted"}, WRITE),
    (
        "POST",
        "/api/v1/application/{offer}/place",
        {"startDate": date(2027, 1, 4).isoformat(), "salary": "150000"},
        WRITE,
    ),
    ("GET", "/api/v1/evaluation/", None, READ),
    ("GET", "/api/v1/evaluation/{evaluation}", None, READ),
    (
        "POST",
        "/api/v1/evaluation/",
        lambda r: {"applicationId": r["presented"], "contactId": r["contact"], "decision": "hold"},
        WRITE,
    ),
    ("POST", "/api/v1/evaluation/{evaluation}/confirm", None, WRITE),
]


@pytest.mark.parametrize("role", ROLES)
def test_each_role_calls_exactly_the_endpoints_of_the_matrix(app, role):
    with app.app_context():
        user = make_user(role)
        client = ClientFactory()
        if role != "Client":
            db.session.add(ClientTeamMember(client=client, user=user, role="recruiter"))
        records = build_records(client, make_user("Recruiter"))
        username = user.username
    api = api_for(app, username)
    wrong = {}
    for method, path, body, allowed in MATRIX:
        response = api(method, path.format(**records), body(records) if callable(body) else body)
        expected = "2xx" if role in allowed else 403
        got = "2xx" if response.status_code in (200, 201) else response.status_code
        if got != expected:
            wrong[(method, path)] = (response.status_code, response.get_json())
    assert wrong == {}


def test_the_openapi_spec_documents_the_recruiting_api(app):
    with app.app_context():
        username = make_user("Admin").username
    spec = api_for(app, username)("GET", "/api/v1/_openapi")
    assert spec.status_code == 200
    document = spec.get_json()
    for path in (
        "/job-order/",
        "/job-order/{pk}/status",
        "/job-order/{pk}/evaluation-summary",
        "/project/{pk}/progress",
        "/project/{pk}/milestones/{mid}/complete",
        "/application/{pk}/move",
        "/application/{pk}/place",
        "/evaluation/{pk}/confirm",
    ):
        assert f"/api/v1{path}" in document["paths"], path
    schemas = document["components"]["schemas"]
    shape = schemas["JobOrderApi.get"]["properties"]
    assert {"jobDetails", "commercialTerms", "priorities", "stakeholders"} <= set(shape)
    assert "status" in schemas["StatusChange"]["properties"]


# ---------------------------------------------------------------- list queries


@contextmanager
def counted_queries(app):
    """Count the SQL statements run inside the block."""
    statements = []

    def count(*args):
        statements.append(args[2])

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


@pytest.mark.parametrize("resource", ["job-order", "project", "application", "evaluation"])
def test_a_list_runs_as_many_queries_for_three_clients_as_for_one(app, resource):
    with app.app_context():
        username = make_user("Admin").username
        build_records(ClientFactory(), make_user("Recruiter"))
    api = api_for(app, username)
    api("GET", f"/api/v1/{resource}/")  # warm up (the user and their roles)
    with counted_queries(app) as small:
        assert api("GET", f"/api/v1/{resource}/").status_code == 200
    with app.app_context():
        for _ in range(2):
            build_records(ClientFactory(), make_user("Recruiter"))
    with counted_queries(app) as large:
        response = api("GET", f"/api/v1/{resource}/")
    assert response.get_json()["count"] > 1
    assert len(large) == len(small), large
