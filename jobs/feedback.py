"""Feedback reminders: a candidate presented ``FEEDBACK_REMINDER_DAYS`` ago and not reviewed
yet brings the job's hiring contacts a mail with one-click advance / hold / reject links.

Run daily (``flask clientdesk feedback-reminders``, see the README). Each application is
claimed by a conditional ``UPDATE ... WHERE review_reminded_at IS NULL`` in the same
transaction as its outbox rows, so a second run, or a second worker racing this one, sends
nothing twice.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from flask import current_app
from sqlalchemy import select, update

from extensions import db
from models import Application, ClientContact, Contact, OutboxMessage, record_activity, utcnow
from models.evaluations import AWAITING_STAGES, DECISIONS
from models.feedback import due_for_review_reminder, review_link_expiry, review_token

from .mail import compose, send_later

NO_RECIPIENT = "no hiring contact to remind"


@dataclass
class ReminderRun:
    """What a run did: the applications reminded, the mails queued and what was skipped."""

    reminded: list[int] = field(default_factory=list)
    messages: list[OutboxMessage] = field(default_factory=list)
    # (application id, contact or None, reason)
    skipped: list[tuple[int, Contact | None, str]] = field(default_factory=list)


def reminder_recipients(application: Application) -> list[Contact]:
    """The job order's hiring contacts who are still the client's contacts; when it has none,
    the client's contacts with the portal's hiring right."""
    linked = db.session.scalars(
        select(ClientContact)
        .where(ClientContact.client_id == application.client_id)
        .order_by(ClientContact.id)
    ).all()
    linked_ids = {link.contact_id for link in linked}
    hiring: list[Contact] = []
    for contact in application.job_order.hiring_contacts:
        if contact.id in linked_ids and contact not in hiring:
            hiring.append(contact)
    return hiring or [link.contact for link in linked if link.may("hiring")]


def send_review_reminders(now: datetime | None = None, days: int | None = None) -> ReminderRun:
    """Remind the hiring contacts of every application due a review reminder (safe to run
    twice: each application is reminded once)."""
    now = now or utcnow()
    run = ReminderRun()
    due = [application.id for application in due_for_review_reminder(now, days)]
    db.session.rollback()
    for application_id in due:
        if not _claim(application_id, now):
            db.session.rollback()  # another run got there first
            continue
        application = db.session.get(Application, application_id, populate_existing=True)
        messages = _queue_reminders(application, now, run)
        if not messages:
            # Nobody to tell: leave it unstamped so a hiring contact added later is reminded.
            db.session.rollback()
            run.skipped.append((application_id, None, NO_RECIPIENT))
            continue
        db.session.commit()
        run.reminded.append(application_id)
        run.messages.extend(messages)
        for message in messages:
            send_later(message)
    return run


def _claim(application_id: int, now: datetime) -> bool:
    """Stamp the application as reminded unless someone did already (row-locked on PostgreSQL
    until the commit: a racing worker waits, then finds the stamp and updates nothing)."""
    result = db.session.execute(
        update(Application)
        .where(
            Application.id == application_id,
            Application.review_reminded_at.is_(None),
            # Reviewed or moved on since it was found due: nothing to remind of.
            Application.first_review_at.is_(None),
            Application.stage.in_(AWAITING_STAGES),
        )
        .values(review_reminded_at=now)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def _queue_reminders(application: Application, now: datetime, run: ReminderRun) -> list:
    """One reminder per recipient who may be mailed (added to the session, not committed)."""
    public = current_app.config["PUBLIC_URL"]
    job, candidate = application.job_order, application.candidate
    messages = []
    for contact in reminder_recipients(application):
        reason = contact.refusal("email")
        if reason:
            run.skipped.append((application.id, contact, reason))
            continue
        links = {
            decision: f"{public}/portal/review/{review_token(application, contact, decision)}"
            for decision in DECISIONS
        }
        message = compose(
            "feedback_reminder",
            to_email=contact.email,
            to_name=str(contact),
            kind="feedback_reminder",
            contact=contact,
            client=application.client,
            application=application,
            candidate=candidate,
            job=job,
            days_waiting=(now - application.presented_at).days,
            links=links,
            evaluation_url=f"{public}/portal/jobs/{job.id}",
            expires_at=review_link_expiry(),
            client_id=application.client_id,
            contact_id=contact.id,
        )
        db.session.flush()  # the message's id for the timeline; frequency counts see it
        record_activity(
            db.session,
            "mail",
            f"Feedback reminder to {contact}: {message.subject}",
            client_id=application.client_id,
            subject=message,
        )
        messages.append(message)
    return messages
