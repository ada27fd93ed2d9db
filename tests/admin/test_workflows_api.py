"""Workflows in the REST API and the admin: create with steps, change, pause and resume, the
runs with their filters, every bad input a 4xx naming the field, another client's runs left
out, and the role matrix (an Account Manager writes; a Recruiter and Finance read)."""

from __future__ import annotations

import pytest

from extensions import db
from jobs.workflows import run_workflows
from models import Workflow, WorkflowRun, utcnow
from tests.conftest import api_for, login_staff
from tests.factories import (
    ClientContactFactory,
    ClientFactory,
    EmailTemplateFactory,
    make_user,
    make_workflow,
)

API = "/api/v1/workflow/"
RUNS = "/api/v1/workflow-run/"


@pytest.fixture
def desk(app):
    with app.app_context():
        manager = make_user("Account Manager")
        recruiter = make_user("Recruiter")
        finance = make_user("Finance")
        welcome = EmailTemplateFactory(key="welcome", name="Welcome")
        overdue = EmailTemplateFactory(
            key="overdue", name="Overdue", subject="Invoice {{ invoice.number }} is overdue"
        )
        return {
            "manager": manager.username,
            "recruiter": recruiter.username,
            "finance": finance.username,
            "welcome": welcome.id,
            "overdue": overdue.id,
        }


@pytest.fixture
def manager(app, desk):
    return api_for(app, desk["manager"])


def body(desk, **fields):
    return {
        "name": "Welcome sequence",
        "trigger": "client_onboarded",
        "steps": [
            {"templateId": desk["welcome"]},
            {"templateId": desk["welcome"], "delayDays": 3, "recipientRole": "all_contacts"},
        ],
        **fields,
    }


def test_a_workflow_is_created_paused_with_its_steps(manager, desk):
    response = manager("POST", API, body(desk))
    assert response.status_code == 201, response.get_json()
    result = response.get_json()["result"]
    assert result["state"] == "paused" and result["activeSince"] is None
    assert [(s["position"], s["templateKey"], s["delay"]) for s in result["steps"]] == [
        (1, "welcome", "at once"),
        (2, "welcome", "3 days after"),
    ]


def test_resume_then_pause_through_the_api(manager, desk, app):
    pk = manager("POST", API, body(desk)).get_json()["id"]
    resumed = manager("POST", f"{API}{pk}/resume")
    assert resumed.status_code == 200 and resumed.get_json()["result"]["state"] == "active"
    again = manager("POST", f"{API}{pk}/resume")
    assert again.status_code == 422 and "active already" in again.get_json()["message"]["state"][0]
    paused = manager("POST", f"{API}{pk}/pause").get_json()["result"]
    assert paused["state"] == "paused" and paused["pausedBy"]["id"] is not None


def test_put_changes_the_steps(manager, desk):
    pk = manager("POST", API, body(desk)).get_json()["id"]
    response = manager("PUT", f"{API}{pk}", {"steps": [{"templateId": desk["welcome"]}]})
    assert response.status_code == 200, response.get_json()
    assert len(response.get_json()["result"]["steps"]) == 1


@pytest.mark.parametrize(
    "change, field, words",
    [
        ({"trigger": "birthday"}, "trigger", "Must be one of"),
        ({"name": ""}, "name", "Name is required"),
        ({"triggerDays": 5}, "triggerDays", "takes no number of days"),
        ({"trigger": "low_engagement"}, "triggerDays", "is required"),
        ({"steps": [{"templateId": 999999}]}, "steps.0.templateId", "No template with id"),
        ({"steps": [{}]}, "steps.0.templateId", "Missing data"),
        ({"steps": [{"templateId": 1, "delayDays": "x"}]}, "steps.0.delayDays", "integer"),
    ],
)
def test_a_bad_body_is_a_422_naming_the_field(manager, desk, change, field, words):
    response = manager("POST", API, body(desk, **change))
    assert response.status_code == 422, response.get_json()
    message = response.get_json()["message"]
    assert field in message and words in str(message[field]), message


def test_a_negative_delay_is_refused_by_the_model(manager, desk):
    steps = [{"templateId": desk["welcome"], "delayHours": -1}]
    message = manager("POST", API, body(desk, steps=steps)).get_json()["message"]
    assert message == {"steps.0.delayHours": ["Step 1: the delay in hours cannot be negative."]}


def test_a_template_the_trigger_cannot_fill_is_refused(manager, desk):
    steps = [{"templateId": desk["overdue"]}]
    message = manager("POST", API, body(desk, steps=steps)).get_json()["message"]
    assert "does not provide" in message["steps.0.templateId"][0]
    ok = manager("POST", API, body(desk, trigger="invoice_overdue", steps=steps))
    assert ok.status_code == 201


def test_a_missing_workflow_is_a_404(manager):
    assert manager("GET", f"{API}999999").status_code == 404
    assert manager("POST", f"{API}999999/pause").status_code == 404


@pytest.mark.parametrize("role", ["recruiter", "finance"])
def test_recruiters_and_finance_read_but_do_not_write(app, desk, role):
    call = api_for(app, desk[role])
    assert call("GET", API).status_code == 200
    assert call("POST", API, body(desk)).status_code == 403
    with app.app_context():
        pk = make_workflow("client_onboarded").id
    assert call("POST", f"{API}{pk}/pause").status_code == 403
    assert call("GET", RUNS).status_code == 200


def test_the_api_takes_no_browser_session(app, desk):
    http = app.test_client()
    login_staff(http, desk["manager"])
    assert http.get(API).status_code == 401


def test_runs_are_listed_with_filters_and_only_for_visible_clients(app, desk):
    with app.app_context():
        mine = ClientFactory(owner=db.session.merge(_user(desk["manager"])))
        ClientContactFactory(client=mine, role="primary")
        hidden = ClientFactory()
        ClientContactFactory(client=hidden, role="primary", contact__opt_out_email=True)
        workflow = make_workflow("client_onboarded", active_since=utcnow().replace(year=2020))
        run_workflows()
        assert db.session.query(WorkflowRun).count() == 2
        ids = {"workflow": workflow.id, "mine": mine.id, "hidden": hidden.id}
    call = api_for(app, desk["manager"])
    listed = call("GET", RUNS).get_json()
    assert [r["clientId"] for r in listed["result"]] == [ids["mine"]]
    assert listed["result"][0]["outcome"] == "sent" and listed["result"][0]["messageIds"]
    assert call("GET", f"{RUNS}?outcome=skipped").get_json()["count"] == 0
    assert call("GET", f"{RUNS}?workflow_id={ids['workflow']}").get_json()["count"] == 1
    assert call("GET", f"{RUNS}?client_id={ids['hidden']}").get_json()["count"] == 0
    bad = call("GET", f"{RUNS}?outcome=maybe")
    assert bad.status_code == 400 and "outcome" in bad.get_json()["message"]
    admin = make_admin(app)
    assert api_for(app, admin)("GET", f"{RUNS}?outcome=skipped").get_json()["count"] == 1


def _user(username):
    from flask_appbuilder.security.sqla.models import User

    return db.session.query(User).filter_by(username=username).one()


def make_admin(app) -> str:
    with app.app_context():
        return make_user("Admin").username


# ---------------------------------------------------------------- the admin pages


def test_the_manager_makes_a_workflow_and_adds_a_step_in_the_admin(app, desk):
    http = app.test_client()
    login_staff(http, desk["manager"])
    page = http.get("/workflowview/add")
    assert page.status_code == 200 and "Client onboarded" in page.get_data(as_text=True)
    token = _csrf(page)
    done = http.post(
        "/workflowview/add",
        data={"name": "Hello", "trigger": "client_onboarded", "csrf_token": token},
    )
    assert done.status_code == 302
    with app.app_context():
        workflow = db.session.query(Workflow).one()
        assert workflow.active is False
        pk = workflow.id
    add = http.get(f"/workflowstepview/add?_flt_0_workflow={pk}")
    assert add.status_code == 200
    saved = http.post(
        f"/workflowstepview/add?_flt_0_workflow={pk}",
        data={
            "template": str(desk["welcome"]),
            "recipient_role": "primary",
            "delay_days": "2",
            "delay_hours": "0",
            "csrf_token": _csrf(add),
        },
    )
    assert saved.status_code == 302
    with app.app_context():
        [step] = db.session.get(Workflow, pk).steps
        assert (step.position, step.delay_days, step.template_id) == (1, 2, desk["welcome"])
    show = http.get(f"/workflowview/show/{pk}").get_data(as_text=True)
    assert "2 days after" in show and "Workflow runs" in show
    resumed = http.post(
        "/workflowview/action_post",
        data={"action": "resume", "rowid": str(pk), "csrf_token": _csrf(add)},
    )
    assert resumed.status_code == 302
    with app.app_context():
        assert db.session.get(Workflow, pk).active is True


def test_the_runs_list_shows_outcome_and_reason(app, desk):
    with app.app_context():
        client = ClientFactory(owner=db.session.merge(_user(desk["manager"])))
        ClientContactFactory(client=client, role="primary", contact__opt_out_email=True)
        make_workflow("client_onboarded", active_since=utcnow().replace(year=2020))
        run_workflows()
    http = app.test_client()
    login_staff(http, desk["manager"])
    page = http.get("/workflowrunview/list/").get_data(as_text=True)
    assert "skipped" in page and "opted out of email" in page


@pytest.mark.parametrize("role, status", [("recruiter", 200), ("finance", 200)])
def test_readers_see_the_pages_but_not_the_forms(app, desk, role, status):
    http = app.test_client()
    login_staff(http, desk[role])
    assert http.get("/workflowview/list/").status_code == status
    assert http.get("/workflowrunview/list/").status_code == status
    assert http.get("/workflowview/add").status_code == 403


def _csrf(page) -> str:
    import re

    text = page.get_data(as_text=True)
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', text) or re.search(
        r'id="csrf_token"[^>]*value="([^"]+)"', text
    )
    assert match, "no CSRF token"
    return match.group(1)


def test_the_endpoints_are_in_the_openapi_document(manager):
    spec = manager("GET", "/api/v1/_openapi").get_json()
    paths = spec["paths"]
    for path in ("/workflow/", "/workflow/{pk}", "/workflow/{pk}/pause", "/workflow/{pk}/resume"):
        assert f"/api/v1{path}" in paths, sorted(p for p in paths if "workflow" in p)
    assert "/api/v1/workflow-run/" in paths
