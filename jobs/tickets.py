"""Tickets' one commit point: every screen (admin, portal, API, mail intake) changes a ticket
through these functions, which call the model's verb, queue the emails the step calls for
(``jobs/ticket_mail.py``), commit, and hand the emails to the delivery job.

On a ``DomainError`` nothing is committed: the caller rolls back and shows the message.
``escalate_tickets`` is the scheduled job (rq cron, ``flask clientdesk escalate-tickets``).
"""

from __future__ import annotations

from datetime import datetime

from flask_appbuilder.security.sqla.models import User

from extensions import db
from models import Contact, Ticket, TicketComment
from models.base import utcnow
from models.ticket_comments import TicketAttachment
from models.ticket_escalation import escalate_all

from . import job, ticket_mail
from .mail import send_later


def _commit(queued) -> None:
    db.session.commit()
    for outbox in queued or ():
        send_later(outbox)


def raise_ticket(client, subject: str, description: str = "", *, files=(), **fields) -> Ticket:
    """Open a ticket (``Ticket.action_raise``'s fields), attach ``files``, tell both sides.

    :raise TicketError: for a rule the ticket breaks; ``DocumentRefusedError`` for a file.
    """
    ticket = Ticket.action_raise(client, subject, description, **fields)
    by = fields.get("by") or (fields.get("contact").user if fields.get("contact") else None)
    for upload in files or ():
        if upload is not None and getattr(upload, "filename", None):
            TicketAttachment.action_attach(None, upload, by=by, ticket=ticket)
    return commit_raised(ticket)


def commit_raised(ticket: Ticket) -> Ticket:
    """Commit a ticket just raised (here, or by a model verb such as the mail intake's) and
    tell both sides."""
    queued = ticket_mail.raised(ticket)
    if ticket.crisis:  # a crisis goes straight to level 3
        event = ticket.action_escalate(utcnow())
        queued += ticket_mail.escalated(event) if event is not None else []
    _commit(queued)
    return ticket


def comment(
    ticket: Ticket,
    body: str,
    *,
    user: User | None = None,
    contact: Contact | None = None,
    internal: bool = False,
    channel: str = "admin",
    files=(),
    message_id: str | None = None,
) -> TicketComment:
    """Add a comment and tell the other side (never of an internal note)."""
    added = TicketComment.action_add(
        ticket,
        body,
        user=user,
        contact=contact,
        internal=internal,
        channel=channel,
        files=files,
        message_id=message_id,
    )
    return commit_comment(added)


def commit_comment(added: TicketComment) -> TicketComment:
    """Commit a comment just added (here, or by a model verb such as the mail intake's) and
    tell the other side (never of an internal note)."""
    _commit([] if added.internal else ticket_mail.commented(added))
    return added


def acknowledge(ticket: Ticket, by: User) -> Ticket:
    ticket.action_acknowledge(by)
    _commit(ticket_mail.status_changed(ticket))
    return ticket


def set_status(ticket: Ticket, status: str, by: User) -> Ticket:
    ticket.action_set_status(status, by)
    _commit(ticket_mail.status_changed(ticket))
    return ticket


def assign(ticket: Ticket, user: User | None, by: User) -> Ticket:
    ticket.action_assign(user, by)
    _commit(ticket_mail.assigned(ticket) if user is not None and user is not by else [])
    return ticket


def change_priority(ticket: Ticket, priority: str, by: User) -> Ticket:
    ticket.action_change_priority(priority, by)
    _commit([])
    return ticket


def flag_crisis(ticket: Ticket, by: User) -> Ticket:
    """Flag a crisis and escalate at once to level 3."""
    ticket.action_flag_crisis(by)
    db.session.flush()
    event = ticket.action_escalate(utcnow())
    _commit(ticket_mail.escalated(event) if event is not None else [])
    return ticket


def resolve(ticket: Ticket, note: str, by: User) -> Ticket:
    """Resolve and ask the client to approve completion."""
    ticket.action_resolve(note, by)
    _commit(ticket_mail.resolved(ticket))
    return ticket


def approve(ticket: Ticket, contact: Contact) -> Ticket:
    """The client approves: closed, and the rating is asked for."""
    ticket.action_approve(contact)
    _commit(ticket_mail.approved(ticket))
    return ticket


def reject(ticket: Ticket, contact: Contact, reason: str) -> Ticket:
    """The client rejects the resolution: reopened with their comment."""
    ticket.action_reject(contact, reason)
    _commit(ticket_mail.rejected(ticket))
    return ticket


def rate(ticket: Ticket, contact: Contact, rating, remark: str | None = None) -> Ticket:
    ticket.action_rate(contact, rating, remark)
    _commit([])
    return ticket


def close(ticket: Ticket, by: User) -> Ticket:
    ticket.action_close(by)
    _commit([])
    return ticket


@job
def escalate_tickets(now: datetime | None = None) -> int:
    """Escalate every ticket due a step, mail each level's person; returns how many steps."""
    events = escalate_all(now or utcnow())
    queued = [outbox for event in events for outbox in ticket_mail.escalated(event)]
    _commit(queued)
    return len(events)
