"""Job orders in the portal: the request form sends a job order for approval; the list shows it."""

from decimal import Decimal

import pytest
from sqlalchemy import select

from extensions import db
from models import ClientContact, JobOrder
from tests.conftest import csrf_token

from .conftest import make_link, make_member, sign_in

REQUEST = {
    "title": "Head of Data",
    "department": "Analytics",
    "level": "director",
    "location": "Manila",
    "work_type": "remote",
    "openings": "2",
    "description": "Build the data team.",
    "requirements": "8+ years in data\nPeople leadership",
    "salary_min": "90000",
    "salary_max": "120000",
    "currency": "USD",
    "urgency": "critical",
    "timeline_days": "60",
    "success_criteria": "A data platform in six months.",
    "evaluation_criteria": "SQL\nLeadership",
}


def post_request(client, member, **changes):
    """Post the request form as ``member`` (signed in), with the first row naming them."""
    data = {**REQUEST, "csrf_token": csrf_token(client, "/portal/jobs/new"), **changes}
    data.setdefault("stakeholders-0-contact", str(member.contact_id))
    data.setdefault("stakeholders-0-role", "hiring manager")
    return client.post("/portal/jobs/new", data=data)


@pytest.fixture
def requester(app, company):
    """An Acme contact with the hiring area, and their contact id (for the people rows)."""
    with app.app_context():
        person = make_member(company.id, first_name="Hana", last_name="Requester")
        person.contact_id = db.session.get(ClientContact, person.link_id).contact_id
        return person


def the_job() -> JobOrder:
    return db.session.scalar(select(JobOrder).where(JobOrder.title == "Head of Data"))


def test_a_request_arrives_as_a_submitted_job_order_of_the_client(app, client, company, requester):
    sign_in(client, requester.username)
    response = post_request(client, requester)
    assert response.status_code == 303
    with app.app_context():
        job = the_job()
        assert response.headers["Location"].endswith(f"/portal/jobs/{job.id}")
        assert job.status == "submitted"
        assert job.submitted_at is not None
        assert job.client_id == company.id
        assert job.requested_by.full_name == requester.name
        assert job.created_by.username == requester.username
        assert [(c.from_status, c.to_status) for c in job.status_changes] == [
            ("draft", "submitted")
        ]


def test_a_request_keeps_every_field_the_employer_typed(app, client, requester):
    sign_in(client, requester.username)
    post_request(client, requester)
    with app.app_context():
        job = the_job()
        assert (job.department, job.level, job.location, job.work_type) == (
            "Analytics",
            "director",
            "Manila",
            "remote",
        )
        assert (job.openings, job.urgency, job.timeline_days, job.currency) == (
            2,
            "critical",
            60,
            "USD",
        )
        assert (job.salary_min, job.salary_max) == (Decimal("90000.00"), Decimal("120000.00"))
        assert job.requirement_list == ["8+ years in data", "People leadership"]
        assert job.criteria == ["SQL", "Leadership"]
        assert job.success_criteria == "A data platform in six months."


def test_the_client_never_sets_the_commercial_terms(app, client, requester):
    sign_in(client, requester.username)
    post_request(client, requester, fee="1", fee_type="fixed", payment_terms="immediate")
    with app.app_context():
        job = the_job()
        assert (job.fee, job.fee_type, job.payment_terms) == (None, "percentage", None)


def test_stakeholders_are_chosen_among_the_clients_contacts_with_their_role(
    app, client, company, requester
):
    with app.app_context():
        colleague = make_link(company.id, first_name="Dina", last_name="Decider")
        colleague_id = colleague.contact_id
    sign_in(client, requester.username)
    post_request(
        client,
        requester,
        **{"stakeholders-1-contact": str(colleague_id), "stakeholders-1-role": "decision maker"},
    )
    with app.app_context():
        roles = {(s.contact.full_name, s.role) for s in the_job().stakeholders}
        assert roles == {(requester.name, "hiring manager"), ("Dina Decider", "decision maker")}


def test_another_clients_contact_cannot_be_named_a_stakeholder(
    app, client, requester, other_company
):
    with app.app_context():
        outsider = make_link(other_company.id, first_name="Otto", last_name="Outsider")
        outsider_id = outsider.contact_id
    sign_in(client, requester.username)
    response = post_request(client, requester, **{"stakeholders-1-contact": str(outsider_id)})
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Not a valid choice" in body
    assert "Otto Outsider" not in body
    with app.app_context():
        assert the_job() is None


def test_the_same_person_twice_is_refused_on_the_people_rows(app, client, requester):
    sign_in(client, requester.username)
    response = post_request(
        client,
        requester,
        **{"stakeholders-1-contact": str(requester.contact_id), "stakeholders-1-role": "approver"},
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "People in the hiring decision: " in body
    assert "is a stakeholder of this job order already" in body
    with app.app_context():
        assert the_job() is None


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"title": "  "}, "Job title: Job title is required."),
        ({"salary_min": "200000"}, "Salary to: Salary max must be at least the salary min."),
        ({"openings": "0"}, "Openings: Openings must be 1 to 1000."),
        ({"openings": "two"}, "Openings: Not a valid integer value."),
        ({"level": "intern"}, "Level: Not a valid choice."),
    ],
)
def test_a_broken_rule_re_renders_the_form_with_the_values_and_names_the_field(
    app, client, requester, changes, message
):
    sign_in(client, requester.username)
    response = post_request(client, requester, **changes)
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in body
    assert 'value="Analytics"' in body
    assert "8+ years in data\nPeople leadership</textarea>" in body
    with app.app_context():
        assert db.session.scalar(select(JobOrder)) is None


def test_every_broken_rule_shows_at_once_even_beside_a_value_that_did_not_parse(
    app, client, requester
):
    sign_in(client, requester.username)
    response = post_request(client, requester, title="", level="intern", salary_min="999999")
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Job title: Job title is required." in body
    assert "Level: Not a valid choice." in body
    assert "Level must be one of" not in body
    assert "Salary to: Salary max must be at least the salary min." in body


def test_a_request_without_a_valid_csrf_token_sends_nothing(app, client, requester):
    sign_in(client, requester.username)
    data = {**REQUEST, "csrf_token": "stale", "stakeholders-0-contact": "None"}
    response = client.post("/portal/jobs/new", data=data)
    assert response.status_code == 400
    with app.app_context():
        assert the_job() is None


def test_the_form_starts_with_the_signed_in_contact_as_hiring_manager(client, requester):
    sign_in(client, requester.username)
    body = client.get("/portal/jobs/new").get_data(as_text=True)
    assert f'<option selected value="{requester.contact_id}">{requester.name}</option>' in body
    assert "Fee" not in body


def test_a_submitted_request_is_listed_as_awaiting_approval(app, client, requester):
    sign_in(client, requester.username)
    post_request(client, requester)
    body = client.get("/portal/jobs").get_data(as_text=True)
    with app.app_context():
        job = the_job()
        assert f'href="/portal/jobs/{job.id}">Head of Data</a>' in body
        assert job.reference in body
    assert "Awaiting approval" in body


def test_the_list_shows_presented_counts_and_days_against_the_timeline(
    client, member, search, other_search
):
    sign_in(client, member.username)
    body = client.get("/portal/jobs").get_data(as_text=True)
    row = body.split(f'id="job-{search.job_id}"')[1].split("</tr>")[0]
    assert search.job_title in row
    assert '<span class="count-pill count-pill--on">2</span>' in row
    assert "<strong>Day 0</strong> of 45" in row
    assert "High urgency" in row
    assert other_search.job_title not in body
