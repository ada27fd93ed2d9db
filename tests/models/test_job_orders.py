"""Job orders: the status workflow, its guarded transitions, and the approval levels."""

from __future__ import annotations

from decimal import Decimal

import pytest

from extensions import db
from models import Activity, ClientTeamMember, JobOrderApprovalError, JobOrderError
from models.recruiting import STATUSES, TRANSITIONS, JobOrderTransitionError
from tests.factories import (
    ClientContactFactory,
    JobOrderFactory,
    add_candidate,
    make_user,
    open_job_order,
)

pytestmark = pytest.mark.usefixtures("ctx")

# Every (from, to) pair the workflow does not allow.
DISALLOWED = [
    (before, after)
    for before in STATUSES
    for after in STATUSES
    if after != before and after not in TRANSITIONS[before]
]


def _job_in(status: str):
    """A job order put in ``status`` directly (the path there is tested elsewhere)."""
    job = JobOrderFactory(status=status)
    return job


@pytest.mark.parametrize(("before", "after"), DISALLOWED, ids=lambda v: str(v))
def test_a_transition_the_workflow_does_not_allow_is_refused_naming_both_statuses(before, after):
    job = _job_in(before)
    with pytest.raises(JobOrderTransitionError) as refused:
        job.transition_to(after)
    message = refused.value.message
    assert f"is {before.replace('_', ' ')} cannot become {after.replace('_', ' ')}" in message
    db.session.rollback()
    assert db.session.get(type(job), job.id).status == before


@pytest.mark.parametrize(
    ("before", "after"), [(b, a) for b in STATUSES for a in TRANSITIONS[b]], ids=lambda v: str(v)
)
def test_every_allowed_transition_moves_and_is_kept_with_its_date(before, after):
    job = _job_in(before)
    job.transition_to(after, note="because")
    db.session.commit()
    change = job.status_changes[-1]
    assert (change.from_status, change.to_status, change.note) == (before, after, "because")
    assert change.at is not None and job.status == after


def test_the_message_lists_where_the_order_can_go_instead():
    job = _job_in("on_hold")
    with pytest.raises(JobOrderTransitionError, match=r"it can go to: open, filled, cancelled"):
        job.transition_to("closed")


def test_an_unknown_status_is_refused():
    with pytest.raises(JobOrderTransitionError, match="no job order status 'paused'"):
        _job_in("open").transition_to("paused")


def test_a_draft_missing_its_title_cannot_be_submitted():
    job = JobOrderFactory()
    job.title = " "
    with pytest.raises(JobOrderError) as refused:
        job.action_submit()
    assert refused.value.field == "title"


def test_approval_by_an_account_manager_assigns_the_recruiters_to_the_client_team():
    job = JobOrderFactory()
    job.action_submit()
    recruiter = make_user("Recruiter")
    assert job.action_approve(make_user("Account Manager"), recruiters=[recruiter]) is True
    db.session.commit()
    assert job.status == "approved" and job.recruiters == [recruiter]
    team = db.session.query(ClientTeamMember).filter_by(client_id=job.client_id).all()
    assert [(m.user_id, m.role) for m in team] == [(recruiter.id, "recruiter")]


def test_a_recruiter_cannot_approve():
    job = JobOrderFactory()
    job.action_submit()
    with pytest.raises(JobOrderApprovalError, match="needs an Account Manager"):
        job.action_approve(make_user("Recruiter"), recruiters=[make_user("Recruiter")])


def test_the_final_approval_needs_a_recruiter():
    job = JobOrderFactory()
    job.action_submit()
    with pytest.raises(JobOrderApprovalError) as refused:
        job.action_approve(make_user("Account Manager"))
    assert refused.value.field == "recruiters"


def test_a_draft_cannot_be_approved():
    job = JobOrderFactory()
    with pytest.raises(JobOrderTransitionError, match="is draft cannot become approved"):
        job.action_approve(make_user("Account Manager"), recruiters=[make_user("Recruiter")])


def test_above_the_fee_threshold_an_admin_approves_at_the_second_level(app):
    job = JobOrderFactory(fee=Decimal("75000.00"))  # the threshold is 50,000 by default
    job.action_submit()
    manager, admin = make_user("Account Manager"), make_user("Admin")
    assert job.approvals_needed == 2
    assert job.action_approve(manager) is False
    assert job.status == "submitted"
    with pytest.raises(JobOrderApprovalError, match="needs an Admin"):
        job.action_approve(make_user("Account Manager"), recruiters=[make_user("Recruiter")])
    assert job.action_approve(admin, recruiters=[make_user("Recruiter")]) is True
    assert [a.level for a in job.approvals] == [1, 2] and job.status == "approved"


def test_the_same_person_cannot_approve_at_both_levels():
    job = JobOrderFactory(fee=Decimal("75000.00"))
    job.action_submit()
    admin = make_user("Admin")
    job.action_approve(admin)
    with pytest.raises(JobOrderApprovalError, match="someone other than the first approver"):
        job.action_approve(admin, recruiters=[make_user("Recruiter")])


def test_a_percentage_fee_is_estimated_on_the_top_of_the_salary_range():
    job = JobOrderFactory(
        fee_type="percentage",
        fee=Decimal("25"),
        salary_min=Decimal("180000"),
        salary_max=Decimal("240000"),
    )
    assert job.estimated_fee == Decimal("60000.00")
    assert job.approvals_needed == 2


def test_the_threshold_comes_from_configuration(app):
    job = JobOrderFactory(fee=Decimal("75000.00"))
    app.config["JOB_ORDER_SECOND_APPROVAL_FEE"] = Decimal("100000")
    try:
        assert job.approvals_needed == 1
    finally:
        app.config["JOB_ORDER_SECOND_APPROVAL_FEE"] = Decimal("50000")


def test_rejecting_needs_a_reason_and_a_rejected_order_can_be_redrafted():
    job = JobOrderFactory()
    job.action_submit()
    manager = make_user("Account Manager")
    with pytest.raises(JobOrderError) as refused:
        job.action_reject(manager, " ")
    assert refused.value.field == "reason"
    job.action_reject(manager, "Budget not confirmed")
    job.action_redraft(manager)
    db.session.commit()
    assert job.status == "draft" and job.status_changes[-2].note == "Budget not confirmed"


def test_status_moves_land_on_the_client_timeline():
    job = open_job_order()
    summaries = [a.summary for a in db.session.query(Activity).filter_by(kind="job")]
    assert any("draft → submitted" in s for s in summaries)
    assert any("approved → open" in s for s in summaries)
    assert job.opened_at is not None and job.submitted_at is not None


def test_stakeholders_must_be_contacts_of_the_client():
    job = JobOrderFactory()
    mine = ClientContactFactory(client=job.client)
    other = ClientContactFactory()
    job.add_stakeholder(mine.contact, "hiring manager")
    with pytest.raises(JobOrderError, match="is not a contact of"):
        job.add_stakeholder(other.contact, "hiring manager")
    with pytest.raises(JobOrderError, match="Role must be one of"):
        job.add_stakeholder(mine.contact, "boss")


def test_a_contact_is_a_stakeholder_of_a_job_order_once():
    job = JobOrderFactory()
    mine = ClientContactFactory(client=job.client)
    job.add_stakeholder(mine.contact, "hiring manager")
    with pytest.raises(JobOrderError, match="is a stakeholder of this job order already"):
        job.add_stakeholder(mine.contact, "approver")
    assert [s.role for s in job.stakeholders] == ["hiring manager"]


@pytest.mark.parametrize(
    ("field", "value", "rule"),
    [
        ("urgency", "asap", "Urgency must be one of"),
        ("work_type", "office", "Work type must be one of"),
        ("fee_type", "bonus", "Fee type must be one of"),
        ("openings", 0, "Openings must be 1 to 1000"),
        ("salary_min", Decimal("-1"), "Salary min must be 0 to"),
        ("currency", "XXY", "ISO 4217"),
    ],
)
def test_field_rules_name_the_field(field, value, rule):
    job = JobOrderFactory()
    setattr(job, field, value)
    with pytest.raises(JobOrderError, match=rule) as refused:
        job.validate()
    assert refused.value.field == field
    db.session.rollback()


def test_a_percentage_over_100_is_refused():
    job = JobOrderFactory()
    job.fee_type, job.fee = "percentage", Decimal("120")
    with pytest.raises(JobOrderError, match="between 0 and 100"):
        job.validate()
    db.session.rollback()


def test_placing_the_last_opening_fills_the_order():
    from datetime import date

    job = open_job_order()
    application = add_candidate(job, "offer")
    placement = application.action_place(date(2027, 1, 4), Decimal("200000"))
    db.session.commit()
    assert job.status == "filled" and job.filled_at is not None
    assert placement.fee_due == Decimal("25000.00")
    assert placement.guarantee_until == date(2027, 7, 3)


def test_a_contact_is_a_stakeholder_of_an_order_once_and_can_be_taken_off():
    job = JobOrderFactory()
    link = ClientContactFactory(client=job.client)
    stakeholder = job.add_stakeholder(link.contact, "hiring manager")
    with pytest.raises(JobOrderError, match="is a stakeholder of this job order already"):
        job.add_stakeholder(link.contact, "interviewer")
    db.session.commit()
    job.remove_stakeholder(stakeholder)
    db.session.commit()
    assert job.stakeholders == []


def test_a_project_of_another_client_is_refused_before_the_client_id_is_set():
    from models import JobOrder
    from tests.factories import ClientFactory, ProjectFactory

    project = ProjectFactory()
    with db.session.no_autoflush:  # as the admin form checks it
        job = JobOrder(client=ClientFactory(), project=project, title="Chef")
        assert job.client_id is None
        errors = [e.message for e in job.violations()]
    assert "The project belongs to another client." in errors
    db.session.rollback()


def test_an_order_with_candidates_stays_with_its_client():
    job = open_job_order()
    add_candidate(job)
    job.client = ClientContactFactory().client
    with pytest.raises(JobOrderError, match="client cannot change") as refused:
        db.session.flush()
    assert refused.value.field == "client"
    db.session.rollback()


def test_commercial_terms_are_fixed_once_approval_has_begun():
    job = open_job_order()
    job.fee = Decimal("900000")
    with pytest.raises(JobOrderError, match="Fee cannot change once approval has begun"):
        db.session.flush()
    db.session.rollback()
    job = db.session.get(type(job), job.id)
    job.description = "Details may still change."
    db.session.commit()


def test_the_fee_can_be_set_while_the_order_awaits_its_first_approval():
    job = JobOrderFactory(fee=None)
    job.action_submit()
    db.session.commit()
    job.fee = Decimal("30000")
    db.session.commit()
    assert job.estimated_fee == Decimal("30000.00")


def test_resuming_from_hold_keeps_the_day_the_search_opened():
    job = open_job_order()
    opened = job.opened_at
    job.action_hold(reason="budget review")
    job.action_resume()
    db.session.commit()
    assert job.opened_at == opened


def test_only_recruiters_can_be_assigned():
    job = JobOrderFactory()
    job.action_submit()
    with pytest.raises(
        JobOrderApprovalError, match="only users with the Recruiter role"
    ) as refused:
        job.action_approve(make_user("Account Manager"), recruiters=[make_user("Finance")])
    assert refused.value.field == "recruiters"


def test_a_percentage_of_a_salary_not_given_needs_two_levels():
    job = JobOrderFactory(
        fee_type="percentage", fee=Decimal("25"), salary_min=None, salary_max=None
    )
    assert job.estimated_fee is None and job.approvals_needed == 2


@pytest.mark.parametrize(
    ("field", "value"),
    [("openings", 3_000_000_000), ("fee", Decimal("1e15")), ("department", "x" * 121)],
)
def test_values_past_what_the_database_holds_are_refused_naming_the_field(field, value):
    job = JobOrderFactory()
    setattr(job, field, value)
    with pytest.raises(JobOrderError) as refused:
        job.validate()
    assert refused.value.field == field
    db.session.rollback()


def test_recruiters_proposed_at_the_first_level_are_assigned_by_the_final_approval():
    job = JobOrderFactory(fee=Decimal("75000.00"))
    job.action_submit()
    recruiter = make_user("Recruiter")
    job.action_approve(make_user("Account Manager"), recruiters=[recruiter])
    assert db.session.query(ClientTeamMember).filter_by(client_id=job.client_id).count() == 0
    job.action_approve(make_user("Admin"))
    db.session.commit()
    assert job.status == "approved" and job.recruiters == [recruiter]
    assert db.session.query(ClientTeamMember).filter_by(client_id=job.client_id).count() == 1


@pytest.mark.parametrize(
    "fee_type, expected",
    [
        ("retained", "retained executive search"),
        ("percentage", "contingency recruitment"),
        ("fixed", "contingency recruitment"),
    ],
)
def test_a_job_order_without_a_service_type_is_sold_as_its_fee_type_suggests(fee_type, expected):
    job = JobOrderFactory(fee_type=fee_type, fee=Decimal("20"), service_type=None)
    db.session.flush()
    assert job.service_type == expected


def test_a_chosen_service_type_is_kept_and_an_unknown_one_is_refused_naming_the_field():
    job = JobOrderFactory(fee_type="fixed", service_type="contract staffing")
    db.session.flush()
    assert job.service_type == "contract staffing"
    job.service_type = "bartering"
    with pytest.raises(JobOrderError, match="Service type must be one of") as refused:
        job.validate()
    assert refused.value.field == "service_type"
