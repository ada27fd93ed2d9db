"""The emails of the service desk: which step tells whom.

Each function queues ``OutboxMessage`` rows for one step of a ticket in the current session
and returns them; ``jobs/tickets.py`` commits and hands them to the delivery job. Subjects carry
the ticket's reference ("[T-00012]") so replies can be matched by the mail intake. A contact who
refuses email is skipped, with a timeline entry saying so (as conversations do).
"""

from __future__ import annotations

from flask import current_app

from extensions import db
from models.tickets import reference_for

from .mail import compose


def _portal_link(ticket) -> str:
    return f"{current_app.config['PUBLIC_URL'].rstrip('/')}/portal/support/{ticket.id}"


def _staff_link(ticket) -> str:
    return f"{current_app.config['PUBLIC_URL'].rstrip('/')}/tickets/show/{ticket.id}"


def _queue(ticket, to_email, to_name, kind, headline, body, link, contact_id=None):
    return compose(
        "ticket_notice",
        to_email=to_email,
        to_name=to_name,
        kind=kind,
        ticket=ticket,
        reference=reference_for(ticket.id),
        headline=headline,
        body=body,
        link=link,
        recipient_name=to_name,
        client_id=ticket.client_id,
        contact_id=contact_id,
    )


def _to_contact(ticket, kind, headline, body) -> list:
    contact = ticket.contact
    if contact is None or not contact.email:
        return []
    reason = contact.refusal("email")
    if reason:
        from models.activity import record_activity

        record_activity(
            db.session,
            "ticket",
            f"Not emailed to {contact} ({reason}): {headline} [{reference_for(ticket.id)}]",
            client_id=ticket.client_id,
            subject=ticket,
        )
        return []
    return [
        _queue(ticket, contact.email, str(contact), kind, headline, body,
               _portal_link(ticket), contact.id)
    ]


def _staff_for(ticket):
    client = ticket.client
    user = ticket.assignee or client.owner or client.engagement_manager
    return user if user is not None and user.active and user.email else None


def _to_staff(ticket, kind, headline, body, user=None) -> list:
    user = user or _staff_for(ticket)
    if user is None or not user.email:
        return []
    name = f"{user.first_name} {user.last_name}".strip() or user.username
    return [_queue(ticket, user.email, name, kind, headline, body, _staff_link(ticket))]


def raised(ticket) -> list:
    due = f"{ticket.response_due_at:%Y-%m-%d %H:%M} UTC"
    return _to_contact(
        ticket, "ticket_raised", f"We received your request: {ticket.subject}",
        f"We will respond by {due}.",
    ) + _to_staff(
        ticket, "ticket_raised", f"{ticket.client.name}: new ticket: {ticket.subject}",
        f"First response due by {due}.",
    )


def commented(comment) -> list:
    ticket = comment.ticket
    if comment.internal:
        return []
    if comment.author_contact_id is not None:
        headline = f"{ticket.client.name} commented: {ticket.subject}"
        return _to_staff(ticket, "ticket_comment", headline, comment.body)
    return _to_contact(ticket, "ticket_comment", f"New answer on: {ticket.subject}", comment.body)


def status_changed(ticket) -> list:
    return []


def assigned(ticket) -> list:
    return _to_staff(ticket, "ticket_assigned", f"Assigned to you: {ticket.subject}",
                     f"{ticket.client.name} ticket.", user=ticket.assignee)


def resolved(ticket) -> list:
    return _to_contact(ticket, "ticket_resolved", f"Resolved: {ticket.subject}",
                       "Please approve completion (or tell us what is missing) in your portal.")


def approved(ticket) -> list:
    return _to_contact(ticket, "ticket_approved", f"Thank you: {ticket.subject}",
                       "How did we do? Please rate our work in your portal.")


def rejected(ticket) -> list:
    return _to_staff(ticket, "ticket_rejected", f"{ticket.client.name} rejected: {ticket.subject}",
                     "The client did not approve completion; the ticket is open again.")


def escalated(event) -> list:
    if event.notified_at is not None or event.recipient is None:
        return []
    from models import utcnow
    from models.ticket_escalation import level_settings

    ticket = event.ticket
    level = level_settings(event.level)
    late = utcnow() - ticket.response_due_at
    hours = max(int(late.total_seconds() // 3600), 0)
    event.notified_at = utcnow()
    return _to_staff(
        ticket, "ticket_escalated",
        f"Escalation level {level.level} ({level.title}): {ticket.subject}",
        f"The first response is {hours} h late. Please answer within {level.response_hours} h.",
        user=event.recipient,
    )
