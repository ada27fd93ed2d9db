"""Survey invitations: each recipient of a sent survey gets one mail with their own link.

``send_survey(survey_id)`` mails every recipient not mailed yet. Each recipient is claimed by a
conditional ``UPDATE ... WHERE sent_at IS NULL AND skipped_reason IS NULL`` that also stores
the hash of their new token, in the same transaction as their outbox row: a second run, or a
second worker racing this one, mails nobody twice. A contact who may not be mailed
(``contact.refusal("email")``: opted out, no address, frequency limit) is skipped, the reason
kept on the recipient, on the client's timeline and in the result.

``send_due_surveys()`` releases the scheduled surveys whose send date came and sends them
(``flask clientdesk send-surveys``; run it every few minutes, or from the rq cron schedule).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from flask import current_app
from sqlalchemy import select, update

from extensions import db
from models import OutboxMessage, Survey, SurveyRecipient, record_activity, utcnow
from models.surveys import hash_token, new_token

from . import enqueue, job
from .mail import compose, send_later

log = logging.getLogger(__name__)


@dataclass
class SurveyRun:
    """What a run did: the mails queued and who was skipped, with the reason."""

    surveys: list[int] = field(default_factory=list)
    messages: list[OutboxMessage] = field(default_factory=list)
    # (recipient id, contact, reason)
    skipped: list[tuple[int, object, str]] = field(default_factory=list)

    def merge(self, other: SurveyRun) -> None:
        self.surveys.extend(other.surveys)
        self.messages.extend(other.messages)
        self.skipped.extend(other.skipped)


def survey_link(token: str) -> str:
    return f"{current_app.config['PUBLIC_URL']}/portal/survey/{token}"


def send_survey_later(survey_id: int):
    """Queue ``send_survey`` (inline without Redis); call it after the commit that sent it."""
    return enqueue(send_survey, survey_id)


def create_and_send(
    client,
    kind: str,
    contacts: list,
    project=None,
    by=None,
    expires_in_days: int = 14,
    send_at: datetime | None = None,
) -> Survey:
    """Create a survey of ``kind`` for ``client``'s ``contacts`` and send it (the entry point
    of an automated step, e.g. a workflow's completion survey): committed, the invitations
    queued after the commit (or the survey scheduled for ``send_at``).

    :raise SurveyError: naming the field for a rule it breaks (nothing is committed then).
    """
    survey = Survey.create_for(
        client,
        kind,
        contacts,
        project=project,
        by=by,
        expires_in_days=expires_in_days,
        send_at=send_at,
    )
    now = survey.action_send(by)
    db.session.commit()
    if now:
        send_survey_later(survey.id)
    return survey


@job
def send_survey(survey_id: int, now: datetime | None = None) -> SurveyRun:
    """Mail each recipient of a sent, open survey who was not mailed (nor skipped) yet."""
    now = now or utcnow()
    run = SurveyRun()
    survey = db.session.get(Survey, survey_id)
    if survey is None or not survey.is_open(now):
        db.session.rollback()
        return run
    pending = [
        recipient.id
        for recipient in survey.recipients
        if recipient.sent_at is None and recipient.skipped_reason is None
    ]
    db.session.rollback()
    for recipient_id in pending:
        recipient = db.session.get(SurveyRecipient, recipient_id, populate_existing=True)
        contact = recipient.contact
        reason = contact.refusal("email")
        if reason:
            if _claim(recipient_id, skipped_reason=reason):
                record_activity(
                    db.session,
                    "survey",
                    f"Survey invitation to {contact} skipped: {reason} ({survey.title})",
                    client_id=survey.client_id,
                    subject=recipient.survey,
                )
                db.session.commit()
                run.skipped.append((recipient_id, contact, reason))
            else:
                db.session.rollback()
            continue
        token = new_token()
        if not _claim(recipient_id, sent_at=now, token_hash=hash_token(token)):
            db.session.rollback()  # another run got there first
            continue
        survey = recipient.survey
        message = compose(
            "survey_invitation",
            to_email=contact.email,
            to_name=str(contact),
            kind="survey",
            contact=contact,
            client=survey.client,
            survey=survey,
            link=survey_link(token),
            client_id=survey.client_id,
            contact_id=contact.id,
        )
        db.session.flush()
        record_activity(
            db.session,
            "survey",
            f"Survey invitation to {contact}: {message.subject}",
            client_id=survey.client_id,
            subject=message,
        )
        db.session.commit()
        run.messages.append(message)
        send_later(message)
    run.surveys.append(survey_id)
    return run


def _claim(recipient_id: int, **values) -> bool:
    """Stamp the recipient as mailed (or skipped) unless someone did already (row-locked on
    PostgreSQL until the commit: a racing worker waits, then updates nothing)."""
    result = db.session.execute(
        update(SurveyRecipient)
        .where(
            SurveyRecipient.id == recipient_id,
            SurveyRecipient.sent_at.is_(None),
            SurveyRecipient.skipped_reason.is_(None),
        )
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


@job
def send_due_surveys(now: datetime | None = None) -> SurveyRun:
    """Release every scheduled survey whose send date came and mail it; mail the recipients
    a sent survey still owes (a run cut short). Safe to run twice."""
    now = now or utcnow()
    run = SurveyRun()
    due = db.session.scalars(
        select(Survey.id).where(Survey.status == "scheduled", Survey.send_at <= now)
    ).all()
    for survey_id in due:
        released = db.session.execute(
            update(Survey)
            .where(Survey.id == survey_id, Survey.status == "scheduled")
            .values(status="sent", sent_at=now)
            .execution_options(synchronize_session=False)
        )
        if released.rowcount != 1:
            db.session.rollback()
            continue
        survey = db.session.get(Survey, survey_id, populate_existing=True)
        record_activity(
            db.session,
            "survey",
            f"Survey sent: {survey.title} ({len(survey.recipients)} recipients)",
            client_id=survey.client_id,
            subject=survey,
        )
        db.session.commit()
    owing = db.session.scalars(
        select(Survey.id)
        .where(
            Survey.status == "sent",
            Survey.expires_at > now,
            Survey.id.in_(
                select(SurveyRecipient.survey_id).where(
                    SurveyRecipient.sent_at.is_(None), SurveyRecipient.skipped_reason.is_(None)
                )
            ),
        )
        .order_by(Survey.id)
    ).all()
    db.session.rollback()
    for survey_id in owing:
        run.merge(send_survey(survey_id, now))
    return run
