"""Meeting jobs: the invitation email, one message per attendee."""

from __future__ import annotations

from extensions import db
from models import Meeting, OutboxMessage, record_activity

from .mail import compose, send_later


def send_invitations(meeting: Meeting, by) -> tuple[list[OutboxMessage], list[str]]:
    """Queue one invitation per attendee with an email address: one commit, then delivery jobs.

    Each message is on the client's Mail tab (outbox) and its timeline. Returns the messages
    and the names of attendees skipped for having no email address.
    """
    organiser = meeting.organiser
    organiser_name = f"{organiser.first_name} {organiser.last_name}".strip() if organiser else ""
    messages, skipped = [], []
    for name, email, contact in meeting.attendees():
        if not email:
            skipped.append(name)
            continue
        message = compose(
            "meeting_invitation",
            to_email=email,
            to_name=name,
            kind="meeting_invitation",
            name=name,
            meeting=meeting,
            span=meeting.span,
            organiser=organiser_name,
            client_id=meeting.client_id,
            contact_id=contact.id if contact is not None else None,
        )
        messages.append(message)
        record_activity(
            db.session,
            "mail",
            f"Meeting invitation sent to {name} <{email}>: {meeting.title}, {meeting.span}",
            client_id=meeting.client_id,
            subject=meeting,
            actor=by,
        )
    db.session.commit()
    for message in messages:
        send_later(message)
    return messages, skipped
