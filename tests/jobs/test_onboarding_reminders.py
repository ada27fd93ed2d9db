"""Overdue onboarding steps: the owner (assignee, else the client's owner, else its engagement
manager) hears of each step past its due date by mail, once, even when the job runs twice;
over real SMTP (aiosmtpd on loopback) and from the CLI."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from extensions import db
from jobs.onboarding import NO_RECIPIENT, send_step_reminders
from models import Activity, OnboardingPlan, OnboardingStep, OutboxMessage
from models.onboarding_templates import seed_default_template
from tests.factories import ClientFactory, make_user
from tests.jobs.test_mail import mail_to, smtp  # noqa: F401  (fixtures: a real SMTP server)

pytestmark = pytest.mark.usefixtures("ctx")

TODAY = date.today()


def late_plan(days_ago: int = 3, **client_fields) -> OnboardingPlan:
    """A default plan started ``days_ago`` days ago: its first step (2 days) is overdue, the
    second (1 day more) due today."""
    client_fields.setdefault("owner", make_user("Account Manager", first_name="Paolo"))
    plan = OnboardingPlan.start(
        ClientFactory(**client_fields),
        seed_default_template(db.session),
        None,
        TODAY - timedelta(days=days_ago),
    )
    db.session.commit()
    return plan


def outbox() -> list[OutboxMessage]:
    return db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()


def test_the_owner_of_an_overdue_step_is_mailed_once_over_smtp(mail_to):  # noqa: F811
    plan = late_plan()
    first = plan.steps[0]
    run = send_step_reminders()
    again = send_step_reminders()
    [message] = outbox()
    assert run.notified == [first.id] and run.messages == [message.id]
    assert again.notified == [] and again.messages == []
    assert (message.to_email, message.status) == (plan.client.owner.email, "sent")
    [received] = mail_to.messages
    assert " ".join(received["Subject"].split()) == (  # a long subject is folded
        f"Onboarding step overdue: Lead capture and qualification ({plan.client.name})"
    )
    body = received.get_body(("plain",)).get_content()
    assert "Hello Paolo" in body and "1 day ago" in body and "Sales Representative" in body
    assert f"http://portal.test/clientview/show/{plan.client_id}" in body
    assert db.session.get(OnboardingStep, first.id).notified_at is not None


def test_the_assignee_is_told_before_the_clients_owner():
    plan = late_plan()
    assignee = make_user("Recruiter", first_name="Iris")
    plan.steps[0].action_assign(assignee)
    db.session.commit()
    send_step_reminders()
    assert [m.to_email for m in outbox()] == [assignee.email]


def test_without_owner_the_engagement_manager_is_told():
    manager = make_user("Account Manager", first_name="Gina")
    late_plan(owner=None, engagement_manager=manager)
    send_step_reminders()
    assert [m.to_email for m in outbox()] == [manager.email]


def test_a_step_nobody_can_be_told_of_stays_unclaimed():
    plan = late_plan(owner=None)
    run = send_step_reminders()
    assert run.skipped == [(plan.steps[0].id, NO_RECIPIENT)] and outbox() == []
    assert db.session.get(OnboardingStep, plan.steps[0].id).notified_at is None


def test_done_steps_and_steps_not_yet_due_are_not_reminded():
    plan = late_plan(days_ago=1)  # first step due tomorrow
    assert send_step_reminders().notified == []
    late = late_plan()
    late.steps[0].action_complete()
    db.session.commit()
    assert send_step_reminders().notified == [] and outbox() == []
    assert plan.status == "active"


def test_the_reminder_is_on_the_clients_timeline():
    plan = late_plan()
    send_step_reminders()
    [event] = db.session.scalars(
        select(Activity).where(Activity.summary.startswith("Overdue onboarding step"))
    ).all()
    assert (event.kind, event.client_id, event.subject_id) == (
        "onboarding",
        plan.client_id,
        plan.id,
    )


def test_the_cli_sends_the_reminders(app):
    late_plan()
    result = app.test_cli_runner().invoke(args=["clientdesk", "onboarding-reminders"])
    assert result.exit_code == 0, result.output
    assert "1 overdue onboarding step(s) notified." in result.output
    again = app.test_cli_runner().invoke(args=["clientdesk", "onboarding-reminders"])
    assert "0 overdue onboarding step(s) notified." in again.output
    assert len(outbox()) == 1
