"""Service desk tickets: the task requests of seed 003, from raising to the client's approval.

A ticket belongs to one client. A client contact raises it in the portal or by email; staff log
it for a phone call or a WhatsApp message. Its priority sets its deadlines (``models/sla.py``):
the first response and the resolution are due by ``response_due_at`` and
``resolution_due_at``. The first staff answer the client can see (a public comment, the
acknowledgement or the resolution) is the first response.

    new → acknowledged → in progress ⇄ waiting on client → resolved → closed
                                                              ↑ reject ┘ (back to in progress)

Resolving asks the client to approve completion; approval closes the ticket and invites a rating
(CSAT, 1–5); a rejection reopens it with the client's comment. Every step is a ``TicketEvent``
and the main ones go on the client's timeline (kind ``ticket``). Comments are
``ticket_comments.py``'s, escalation ``ticket_escalation.py``'s.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from flask_appbuilder.security.sqla.models import User
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, object_session, relationship

from .activity import record_activity
from .base import DomainError, Model, UTCDateTime, length_violations, utcnow
from .clients import Client, _blank, _choice_sql, _session
from .contacts import Contact
from .sla import PRIORITIES, add_hours, hours_between, targets_for

STATUSES = ("new", "acknowledged", "in_progress", "waiting_on_client", "resolved", "closed")
STATUS_LABELS = {
    "new": "New",
    "acknowledged": "Acknowledged",
    "in_progress": "In progress",
    "waiting_on_client": "Waiting on client",
    "resolved": "Resolved — awaiting approval",
    "closed": "Closed",
}
OPEN_STATUSES = ("new", "acknowledged", "in_progress", "waiting_on_client")
# Where the request came from (seed 003's task request process).
CHANNELS = ("portal", "email", "phone", "whatsapp", "staff")
CATEGORIES = (
    "recruitment",
    "candidates",
    "billing",
    "contract",
    "portal access",
    "technical",
    "general",
)
# The statuses staff may set by hand; the others have their own verbs.
WORKING_STATUSES = ("acknowledged", "in_progress", "waiting_on_client")
SUBJECT_MAX = 200
DESCRIPTION_MAX = 10000
REFERENCE_RE = re.compile(r"\[?\bT-(\d{1,9})\b\]?", re.IGNORECASE)


class TicketError(DomainError):
    """A ticket breaks a rule or cannot take this step."""


class TicketStateError(TicketError):
    status_code = 409


def reference_for(ticket_id: int) -> str:
    return f"T-{ticket_id:05d}"


def parse_reference(text: str | None) -> int | None:
    """The ticket id a subject line refers to ("Re: [T-00012] Portal down" → 12)."""
    match = REFERENCE_RE.search(text or "")
    return int(match.group(1)) if match else None


class Ticket(Model):
    __tablename__ = "ticket"
    __table_args__ = (
        CheckConstraint(_choice_sql("status", STATUSES), name="ck_ticket_status"),
        CheckConstraint(_choice_sql("priority", PRIORITIES), name="ck_ticket_priority"),
        CheckConstraint(_choice_sql("channel", CHANNELS), name="ck_ticket_channel"),
        CheckConstraint(_choice_sql("category", CATEGORIES), name="ck_ticket_category"),
        CheckConstraint("rating IS NULL OR rating BETWEEN 1 AND 5", name="ck_ticket_rating"),
        CheckConstraint("escalation_level BETWEEN 0 AND 3", name="ck_ticket_escalation_level"),
        Index("ix_ticket_client_status", "client_id", "status"),
        Index("ix_ticket_status_due", "status", "response_due_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("client.id"), nullable=False)
    # Who asked: the client's contact (portal, email, or named by staff for a call).
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contact.id"), index=True)
    # The staff user who logged it (a phone call, a WhatsApp message), if staff did.
    logged_by_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"), index=True)
    channel: Mapped[str] = mapped_column(String(10), nullable=False, default="portal")
    category: Mapped[str] = mapped_column(String(20), nullable=False, default="general")
    priority: Mapped[str] = mapped_column(String(10), nullable=False, default="medium")
    subject: Mapped[str] = mapped_column(String(SUBJECT_MAX), nullable=False)
    description: Mapped[str] = mapped_column(Text, nullable=False, default="")
    status: Mapped[str] = mapped_column(String(20), nullable=False, default="new")
    crisis: Mapped[bool] = mapped_column(
        Boolean, nullable=False, default=False, server_default=false()
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    # The targets, fixed when raised (and when the priority changes) from the SLA policy.
    business_hours: Mapped[bool] = mapped_column(
        Boolean, nullable=False, default=False, server_default=false()
    )
    response_due_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    resolution_due_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    first_response_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The latest staff answer the client can see (an escalation level's response).
    last_staff_response_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    resolution_note: Mapped[str | None] = mapped_column(Text)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reopened_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    rating: Mapped[int | None] = mapped_column(Integer)
    rating_comment: Mapped[str | None] = mapped_column(Text)
    rated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    escalation_level: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The clock stops while the ticket waits on the client: since when, and how long it has
    # stood in all (in the ticket's kind of hours); the resolution deadline moves out by as much.
    paused_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    paused_seconds: Mapped[int] = mapped_column(
        Integer, nullable=False, default=0, server_default="0"
    )

    client: Mapped[Client] = relationship(Client, lazy="joined")
    contact: Mapped[Contact | None] = relationship(Contact, lazy="joined")
    logged_by: Mapped[User | None] = relationship(User, foreign_keys=[logged_by_id])
    assignee: Mapped[User | None] = relationship(User, foreign_keys=[assignee_id], lazy="joined")
    comments = relationship(
        "TicketComment", back_populates="ticket", order_by="TicketComment.id", cascade="all"
    )
    events = relationship(
        "TicketEvent", back_populates="ticket", order_by="TicketEvent.id", cascade="all"
    )

    def __str__(self) -> str:
        return f"{self.reference} {self.subject}" if self.id else (self.subject or "New ticket")

    # ------------------------------------------------------------ derived values

    @property
    def reference(self) -> str:
        return reference_for(self.id) if self.id else "T-new"

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status, self.status)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def response_breached(self, now: datetime | None = None) -> bool:
        """The first response came after its deadline, or has not come and the deadline passed."""
        answered = self.first_response_at or (now or utcnow())
        return answered > self.response_due_at

    def resolution_breached(self, now: datetime | None = None) -> bool:
        """Resolved after its deadline, or not yet and the deadline passed (while the ticket
        waits on the client, as of when the wait began: its clock stands)."""
        done = self.resolved_at or self.paused_at or (now or utcnow())
        return done > self.resolution_due_at

    @property
    def response_time(self) -> timedelta | None:
        return self.first_response_at - self.created_at if self.first_response_at else None

    @property
    def resolution_time(self) -> timedelta | None:
        return self.resolved_at - self.created_at if self.resolved_at else None

    # ------------------------------------------------------------ rules

    def violations(self) -> list[TicketError]:
        errors: list[TicketError] = []
        if self.client is None and self.client_id is None:
            errors.append(TicketError("Choose the client this ticket is for.", "client"))
        if _blank(self.subject):
            errors.append(TicketError("Subject is required.", "subject"))
        if self.priority not in PRIORITIES:
            errors.append(
                TicketError(f"Priority must be one of {', '.join(PRIORITIES)}.", "priority")
            )
        if self.category not in CATEGORIES:
            errors.append(
                TicketError(f"Category must be one of {', '.join(CATEGORIES)}.", "category")
            )
        if self.channel not in CHANNELS:
            errors.append(TicketError(f"Channel must be one of {', '.join(CHANNELS)}.", "channel"))
        if self.description and len(self.description) > DESCRIPTION_MAX:
            errors.append(
                TicketError(
                    f"Description may hold at most {DESCRIPTION_MAX} characters.", "description"
                )
            )
        errors += length_violations(self, TicketError)
        if self.contact is not None and not self._is_clients(self.contact):
            errors.append(
                TicketError(f"{self.contact} is not a contact of {self.client}.", "contact")
            )
        return errors

    def _is_clients(self, contact: Contact) -> bool:
        client_id = self.client.id if self.client is not None else self.client_id
        return any(link.client_id == client_id for link in contact.client_links)

    def validate(self) -> None:
        """:raise TicketError: for the first rule this ticket breaks."""
        errors = self.violations()
        if errors:
            raise errors[0]

    def _require(self, *statuses: str, doing: str) -> None:
        if self.status not in statuses:
            raise TicketStateError(
                f"{self.reference} is {self.status_label.lower()}: it cannot be {doing}.",
                "status",
            )

    # ------------------------------------------------------------ actions

    @classmethod
    def action_raise(
        cls,
        client: Client,
        subject: str,
        description: str = "",
        *,
        priority: str = "medium",
        category: str = "general",
        channel: str = "portal",
        contact: Contact | None = None,
        by: User | None = None,
        crisis: bool = False,
        at: datetime | None = None,
    ) -> Ticket:
        """Open a ticket for ``client``, raised by its ``contact`` or logged by staff ``by``.

        :raise TicketError: for a missing subject, an unknown priority, category or channel, a
            contact of another client, an archived client.
        """
        if client is not None and client.archived:
            raise TicketError(f"{client.name} is archived: restore it first.", "client")
        if contact is None and by is None:
            raise TicketError("Name the contact who asked, or log it as staff.", "contact")
        at = at or utcnow()
        ticket = cls(
            client=client,
            subject=" ".join((subject or "").split()),
            description=(description or "").strip(),
            priority=priority,
            category=category or "general",
            channel=channel,
            contact=contact,
            logged_by=by,
            crisis=bool(crisis),
            status="new",
            created_at=at,
            reopened_count=0,
            escalation_level=0,
        )
        ticket.validate()
        ticket._set_targets()
        session = _session()
        session.add(ticket)
        session.flush()
        who = str(contact) if contact is not None else _name(by)
        ticket._event(
            "raised", f"Raised by {who} ({channel}, {priority})", user=by, contact=contact
        )
        ticket._timeline(f"Ticket {ticket.reference} raised: {ticket.subject} ({priority})", by)
        return ticket

    def _set_targets(self) -> None:
        targets = targets_for(self.priority)
        self.business_hours = targets.business_hours
        self.response_due_at = targets.response_due(self.created_at)
        self.resolution_due_at = targets.resolution_due(self.created_at)
        if self.paused_seconds:
            self.resolution_due_at = add_hours(
                self.resolution_due_at, self.paused_seconds / 3600, self.business_hours
            )

    def action_change_priority(self, priority: str, by: User | None = None) -> None:
        """Set a new priority; the deadlines are recounted from when the ticket was raised."""
        self._require(*OPEN_STATUSES, doing="re-prioritised")
        if priority not in PRIORITIES:
            raise TicketError(f"Priority must be one of {', '.join(PRIORITIES)}.", "priority")
        if priority == self.priority:
            return
        before, self.priority = self.priority, priority
        self._set_targets()
        self._event("priority", f"Priority {before} → {priority}", user=by)

    def action_assign(self, user: User | None, by: User | None = None) -> None:
        if self.status == "closed":
            raise TicketStateError(f"{self.reference} is closed.", "status")
        if user is self.assignee:
            return
        self.assignee = user
        self._event("assigned", f"Assigned to {_name(user)}" if user else "Unassigned", user=by)

    def action_acknowledge(self, by: User | None, at: datetime | None = None) -> None:
        """Staff have seen it: the first response, when none came before."""
        self._require("new", doing="acknowledged")
        self.status = "acknowledged"
        self._responded(at or utcnow())
        self._event("acknowledged", f"Acknowledged by {_name(by)}", user=by)

    def action_set_status(self, status: str, by: User | None = None) -> None:
        """Move an open ticket to acknowledged, in progress or waiting on the client."""
        if status not in WORKING_STATUSES:
            raise TicketError(
                f"Status must be one of {', '.join(WORKING_STATUSES)}; resolve or close "
                "it with its own action.",
                "status",
            )
        self._require(*OPEN_STATUSES, doing=f"set {STATUS_LABELS[status].lower()}")
        if status == self.status:
            return
        before, self.status, now = self.status, status, utcnow()
        if before == "new":
            self._responded(now)
        if status == "waiting_on_client":
            self._pause(now)
        elif before == "waiting_on_client":
            self._resume(now)
        self._event("status", f"{STATUS_LABELS[before]} → {STATUS_LABELS[status]}", user=by)

    def action_flag_crisis(self, by: User | None = None) -> None:
        """A system-wide failure, a data breach: escalation goes straight to level 3."""
        self._require(*OPEN_STATUSES, doing="flagged as a crisis")
        if not self.crisis:
            self.crisis = True
            self._event("crisis", "Flagged as a crisis", user=by)
            self._timeline(f"Ticket {self.reference} flagged as a crisis", by)

    def action_resolve(self, note: str, by: User | None, at: datetime | None = None) -> None:
        """Done on the agency's side: the client is asked to approve completion."""
        self._require(*OPEN_STATUSES, doing="resolved")
        if _blank(note):
            raise TicketError("Say what was done (the resolution note).", "resolution_note")
        at = at or utcnow()
        self._resume(at)
        self.status, self.resolved_at, self.resolution_note = "resolved", at, note.strip()
        self._responded(at)
        self._event("resolved", f"Resolved by {_name(by)}: {note.strip()[:200]}", user=by)
        self._timeline(f"Ticket {self.reference} resolved, awaiting the client's approval", by)

    def action_approve(self, contact: Contact, at: datetime | None = None) -> None:
        """The client approves completion: the ticket closes and a rating is asked for."""
        self._require("resolved", doing="approved")
        self._check_client_person(contact)
        at = at or utcnow()
        self.status, self.approved_at, self.closed_at = "closed", at, at
        self._event("approved", f"Completion approved by {contact}", contact=contact)
        self._timeline(f"Ticket {self.reference} approved and closed by {contact}", None)

    def action_reject(self, contact: Contact, comment: str) -> None:
        """The client does not accept the resolution: back in progress, with their reason."""
        self._require("resolved", doing="rejected")
        self._check_client_person(contact)
        if _blank(comment):
            raise TicketError("Say what is still wrong.", "comment")
        from .ticket_comments import TicketComment

        TicketComment.action_add(self, comment, contact=contact, channel="portal")
        self.status, self.resolved_at = "in_progress", None
        self.reopened_count = (self.reopened_count or 0) + 1
        self._event(
            "rejected",
            f"Resolution rejected by {contact}: {comment.strip()[:200]}",
            contact=contact,
        )
        self._timeline(f"Ticket {self.reference} reopened by {contact}", None)

    def action_rate(self, contact: Contact, rating, comment: str | None = None) -> None:
        """The client's satisfaction with the closed ticket (CSAT), 1 to 5, once."""
        self._require("closed", doing="rated")
        self._check_client_person(contact)
        if self.rating is not None:
            raise TicketStateError(f"{self.reference} has been rated already.", "rating")
        try:
            value = int(rating)
        except (TypeError, ValueError):
            value = None
        if value is None or not 1 <= value <= 5 or str(rating).strip() != str(value):
            raise TicketError("Rating must be a whole number from 1 to 5.", "rating")
        self.rating, self.rating_comment, self.rated_at = value, (comment or "").strip(), utcnow()
        self._event("rated", f"Rated {value}/5 by {contact}", contact=contact)

    def action_close(self, by: User | None) -> None:
        """Staff close a resolved ticket the client did not answer."""
        self._require("resolved", doing="closed")
        self.status, self.closed_at = "closed", utcnow()
        self._event("closed", f"Closed by {_name(by)} without the client's approval", user=by)
        self._timeline(f"Ticket {self.reference} closed", by)

    def action_escalate(self, now: datetime | None = None):
        """One escalation step if the ticket is past its targets (``ticket_escalation``)."""
        from .ticket_escalation import escalate

        return escalate(self, now or utcnow())

    # ------------------------------------------------------------ helpers

    def _pause(self, at: datetime) -> None:
        """Waiting on the client: the clock stops."""
        if self.paused_at is None:
            self.paused_at = at

    def _resume(self, at: datetime) -> None:
        """The wait is over: the resolution deadline moves out by the pause (a deadline already
        missed when the wait began stays missed)."""
        if self.paused_at is None:
            return
        hours = hours_between(self.paused_at, at, self.business_hours)
        if hours > 0 and self.paused_at < self.resolution_due_at:
            self.paused_seconds = (self.paused_seconds or 0) + round(hours * 3600)
            self.resolution_due_at = add_hours(self.resolution_due_at, hours, self.business_hours)
        self.paused_at = None

    def _responded(self, at: datetime) -> None:
        if self.first_response_at is None:
            self.first_response_at = at
        self.last_staff_response_at = at

    def _check_client_person(self, contact: Contact | None) -> None:
        if contact is None or not self._is_clients(contact):
            raise TicketError(f"Only {self.client}'s contacts may do this.", "contact")

    def _event(self, kind: str, detail: str, *, user=None, contact=None, **extra):
        from .ticket_events import TicketEvent

        event = TicketEvent(
            ticket=self, kind=kind, detail=detail[:500], user=user, contact=contact, **extra
        )
        (object_session(self) or _session()).add(event)
        return event

    def _timeline(self, summary: str, by: User | None) -> None:
        session = object_session(self) or _session()
        session.flush()
        record_activity(
            session, "ticket", summary, client_id=self.client_id, subject=self, actor=by
        )


def _name(user: User | None) -> str:
    if user is None:
        return "the system"
    return f"{user.first_name} {user.last_name}".strip() or user.username
