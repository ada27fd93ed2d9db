"""The demo's service desk: five tickets of Bayanihan Foods at each point of their life — a
critical one nobody answered (escalated to level 1), one in progress with a public answer and
an internal note, one resolved and awaiting the client's approval, one closed and rated, and a
phone call logged by staff; and a mail from a sender the desk does not know, waiting in Mail
triage. Idempotent: a ticket already there (same client, same subject), or a mail already
received (same Message-ID), is left alone. The verbs write the events and timeline rows; no
email is queued."""

from __future__ import annotations

from datetime import timedelta
from email.utils import format_datetime

from sqlalchemy import select

from extensions import db
from models import Client, Contact, InboundMail, Ticket, TicketComment
from models.access import ROLE_ACCOUNT_MANAGER, ROLE_RECRUITER
from models.base import utcnow

CLIENT = "BAYANIHAN"
CONTACT_EMAIL = "maria.santos@bayanihanfoods.example"

# A prospect's question to the support mailbox: an unknown sender, so it waits in triage.
TRIAGE_MAIL = (
    "From: Lea Villanueva <lea.villanueva@pacificharvest.example>\r\n"
    "To: support@northstar-talent.example\r\n"
    "Subject: Seasonal packers for our Davao warehouse\r\n"
    "Message-ID: <demo-triage-1@pacificharvest.example>\r\n"
    "Date: {date}\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n\r\n"
    "Hello, we need about 40 seasonal packers from March. Can you help, and at what rate?\r\n"
    "Lea Villanueva, Pacific Harvest\r\n"
)

# (subject, priority, category, channel, hours ago, what happened)
TICKETS = (
    (
        "Portal shows no candidates since this morning",
        "critical",
        "portal access",
        "portal",
        6,
        "escalated",
    ),
    (
        "Add a second interviewer to the shortlist reviews",
        "medium",
        "candidates",
        "portal",
        30,
        "in_progress",
    ),
    (
        "Invoice INV address should read our Laguna plant",
        "high",
        "billing",
        "email",
        50,
        "resolved",
    ),
    ("Question about the replacement guarantee", "low", "contract", "portal", 200, "closed"),
    ("Urgent: shift supervisor start date moved", "high", "recruitment", "phone", 3, "new"),
)


def load_tickets(staff: dict, count) -> None:
    client = db.session.scalar(select(Client).where(Client.short_name == CLIENT))
    contact = db.session.scalar(select(Contact).where(Contact.email == CONTACT_EMAIL))
    if client is None or contact is None:
        return
    manager, recruiter = staff.get(ROLE_ACCOUNT_MANAGER), staff.get(ROLE_RECRUITER)
    now = utcnow()
    for subject, priority, category, channel, hours, state in TICKETS:
        if db.session.scalar(
            select(Ticket.id).where(Ticket.client_id == client.id, Ticket.subject == subject)
        ):
            continue
        at = now - timedelta(hours=hours)
        staff_logged = channel == "phone"
        ticket = Ticket.action_raise(
            client,
            subject,
            f"{subject}. Raised by {contact.first_name} ({channel}).",
            priority=priority,
            category=category,
            channel=channel,
            contact=contact,
            by=manager if staff_logged else None,
            at=at,
        )
        ticket.action_assign(recruiter if category == "candidates" else manager, manager)
        if state == "escalated":
            ticket.action_escalate(now)
        if state in ("in_progress", "resolved", "closed"):
            TicketComment.action_add(
                ticket,
                "Thank you, we are on it and will update you here.",
                user=manager,
                at=at + timedelta(hours=2),
            )
            TicketComment.action_add(
                ticket,
                "Checked with finance / the team; waiting for their answer.",
                user=manager,
                internal=True,
                at=at + timedelta(hours=3),
            )
            ticket.action_set_status("in_progress", manager)
        if state in ("resolved", "closed"):
            ticket.action_resolve(
                "Done: the change is in place.", manager, at=at + timedelta(hours=20)
            )
        if state == "closed":
            ticket.action_approve(contact, at=at + timedelta(hours=30))
            ticket.action_rate(contact, 5, "Quick and clear, thank you.")
        count("tickets")
    if InboundMail.action_receive(
        TRIAGE_MAIL.format(date=format_datetime(now - timedelta(hours=2))).encode()
    ):
        count("received mails")
