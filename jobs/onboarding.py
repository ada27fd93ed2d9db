"""Overdue onboarding steps, run daily (jobs/schedule.py; ``flask clientdesk
onboarding-reminders``): the owner of each open step past its due date hears of it by mail,
once.

The owner is the step's assignee, else the client's owner, else its engagement manager. Each
step is claimed by a conditional ``UPDATE ... SET notified_at = now WHERE notified_at IS NULL``
in the same transaction as its outbox row and timeline event, so a second run, or a second
worker racing this one, sends nothing twice. A step whose owner has no email is left unclaimed
(an owner set later is told). Reopening or reassigning a step clears ``notified_at``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from flask import current_app
from sqlalchemy import update

from extensions import db
from models import OnboardingStep, record_activity, utcnow
from models.onboarding import overdue_step_ids

from . import job
from .mail import compose, send_later

NO_RECIPIENT = "no assignee, owner or engagement manager with an email"


@dataclass
class ReminderRun:
    """What a run did (plain values: an RQ job's result is pickled)."""

    notified: list[int] = field(default_factory=list)  # step ids
    messages: list[int] = field(default_factory=list)  # outbox message ids
    skipped: list[tuple[int, str]] = field(default_factory=list)  # (step id, reason)


@job
def send_step_reminders(today: date | str | None = None) -> ReminderRun:
    """Mail the owner of each overdue onboarding step not told yet (safe to run twice)."""
    if isinstance(today, str):
        today = date.fromisoformat(today)
    today = today or date.today()
    run = ReminderRun()
    due = overdue_step_ids(db.session, today)
    db.session.rollback()
    for step_id in due:
        if not _claim(step_id):
            db.session.rollback()  # another run got there first
            continue
        step = db.session.get(OnboardingStep, step_id, populate_existing=True)
        recipient = step.owner
        if recipient is None or not recipient.email:
            db.session.rollback()
            run.skipped.append((step_id, NO_RECIPIENT))
            continue
        message = _queue_reminder(step, recipient, today)
        db.session.commit()
        run.notified.append(step_id)
        run.messages.append(message.id)
        send_later(message)
    return run


def _claim(step_id: int) -> bool:
    result = db.session.execute(
        update(OnboardingStep)
        .where(OnboardingStep.id == step_id, OnboardingStep.notified_at.is_(None))
        .values(notified_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def _queue_reminder(step: OnboardingStep, recipient, today: date):
    plan = step.plan
    client = plan.client
    name = f"{recipient.first_name} {recipient.last_name}".strip() or recipient.username
    message = compose(
        "onboarding_step_overdue",
        to_email=recipient.email,
        to_name=name,
        kind=f"onboarding-overdue:{step.id}",
        recipient=recipient,
        step=step,
        plan=plan,
        client=client,
        days_late=(today - step.due_date).days,
        client_url=f"{current_app.config['PUBLIC_URL']}/clientview/show/{client.id}",
        client_id=client.id,
    )
    db.session.flush()
    record_activity(
        db.session,
        "onboarding",
        f"Overdue onboarding step '{step.name}' (due {step.due_date:%d %b %Y}) notified to {name}",
        client_id=client.id,
        subject_type="onboarding_plan",
        subject_id=plan.id,
    )
    return message
