"""Escalation (seed 003): who hears about a ticket that is past its targets, and when.

A ticket is *breached* when its first response has not come by ``response_due_at`` or it is
not resolved by ``resolution_due_at``. A breached open ticket (not waiting on the client)
climbs the levels:

- level 1, the account manager (the client's owner): reached as soon as it is breached;
- level 2, the operations manager: when level 1 has not answered within its response time;
- level 3, the managing director: when level 2 has not answered within its own.

Each level has its response time (24 h, 12 h, 4 h by default), counted like the ticket's own
targets (business hours when its policy counts them). A level *answers* by a public
staff response after the escalation (a comment the client sees, a status change, the
resolution); then the ticket stays where it is. A ticket flagged as a crisis goes straight to
level 3. Each step is a ``TicketEvent`` (kind ``escalated``, with its level and recipient) and
a timeline entry; ``jobs/tickets.py`` mails the recipients. Running the sweep again at the same
moment changes nothing: every step needs its level's time to have passed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_appbuilder.security.sqla.models import Role, User
from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, or_, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .access import ROLE_ACCOUNT_MANAGER, ROLE_ADMIN
from .base import DomainError, Model
from .clients import _session
from .sla import add_hours
from .tickets import Ticket

TOP_LEVEL = 3
# level: (title, response hours) — seed 003's escalation procedures.
DEFAULT_LEVELS = {
    1: ("Account Manager", 24),
    2: ("Operations Manager", 12),
    3: ("Managing Director", 4),
}
ESCALATING_STATUSES = ("new", "acknowledged", "in_progress")


class EscalationError(DomainError):
    """An escalation level breaks a rule."""


class EscalationLevel(Model):
    """Who answers at one level and how long they have (no user: level 1 is the client's
    account manager, levels 2 and 3 the admins)."""

    __tablename__ = "escalation_level"
    __table_args__ = (
        CheckConstraint("level BETWEEN 1 AND 3", name="ck_escalation_level_level"),
        CheckConstraint("response_hours > 0", name="ck_escalation_level_hours"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    level: Mapped[int] = mapped_column(Integer, nullable=False, unique=True)
    title: Mapped[str] = mapped_column(String(60), nullable=False)
    response_hours: Mapped[int] = mapped_column(Integer, nullable=False)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))

    user: Mapped[User | None] = relationship(User, lazy="joined")

    def __str__(self) -> str:
        return f"Level {self.level}: {self.title} ({self.response_hours} h)"

    def violations(self) -> list[EscalationError]:
        errors = []
        if self.level not in DEFAULT_LEVELS:
            errors.append(EscalationError("Level must be 1, 2 or 3.", "level"))
        if not (self.title or "").strip():
            errors.append(EscalationError("Title is required.", "title"))
        if not isinstance(self.response_hours, int) or self.response_hours <= 0:
            errors.append(
                EscalationError("Response hours must be a whole number above 0.", "response_hours")
            )
        return errors

    def validate(self) -> None:
        errors = self.violations()
        if errors:
            raise errors[0]


@dataclass(frozen=True)
class Level:
    level: int
    title: str
    response_hours: int
    user: User | None


def level_settings(level: int) -> Level:
    row = _session().scalar(select(EscalationLevel).where(EscalationLevel.level == level))
    if row is not None:
        return Level(level, row.title, row.response_hours, row.user)
    title, hours = DEFAULT_LEVELS[level]
    return Level(level, title, hours, None)


def recipient_for(ticket: Ticket, level: Level) -> User | None:
    """Who is told at ``level``: the level's user, else the client's account manager (level 1)
    or the first active admin (levels 2 and 3)."""
    if level.user is not None:
        return level.user
    if level.level == 1:
        client = ticket.client
        found = client.owner or client.engagement_manager or _first_with_role(ROLE_ACCOUNT_MANAGER)
        if found is not None:
            return found
    return _first_with_role(ROLE_ADMIN)


def _first_with_role(role_name: str) -> User | None:
    return _session().scalar(
        select(User)
        .join(User.roles)
        .where(Role.name == role_name, User.active.is_(True))
        .order_by(User.id)
        .limit(1)
    )


def is_breached(ticket: Ticket, now: datetime) -> bool:
    return (ticket.first_response_at is None and now > ticket.response_due_at) or (
        ticket.resolved_at is None and now > ticket.resolution_due_at
    )


def escalate(ticket: Ticket, now: datetime):
    """Take ``ticket`` one level up if it is due; returns the escalation event or ``None``."""
    if ticket.status not in ESCALATING_STATUSES or ticket.escalation_level >= TOP_LEVEL:
        return None
    current = ticket.escalation_level or 0
    if ticket.crisis:  # no waiting for a target to pass
        target = TOP_LEVEL
    elif not is_breached(ticket, now):
        return None
    elif current == 0:
        target = 1
    else:
        answered = (
            ticket.last_staff_response_at and ticket.last_staff_response_at > ticket.escalated_at
        )
        hours = level_settings(current).response_hours
        waited = now >= add_hours(ticket.escalated_at, hours, ticket.business_hours)
        if answered or not waited:
            return None
        target = current + 1
    level = level_settings(target)
    recipient = recipient_for(ticket, level)
    ticket.escalation_level, ticket.escalated_at = target, now
    why = "not answered in time" if ticket.first_response_at is None else "not resolved in time"
    if ticket.crisis:
        why = "a crisis"
    event = ticket._event(
        "escalated",
        f"Escalated to level {target} ({level.title}"
        f"{', ' + _display(recipient) if recipient else ''}): {why}",
        level=target,
        recipient=recipient,
    )
    event.at = now
    ticket._timeline(f"Ticket {ticket.reference} escalated to level {target}: {level.title}", None)
    return event


def escalate_all(now: datetime) -> list:
    """One step for every ticket due one; returns the new escalation events (caller commits)."""
    candidates = _session().scalars(
        select(Ticket)
        .where(
            Ticket.status.in_(ESCALATING_STATUSES),
            Ticket.escalation_level < TOP_LEVEL,
            or_(
                Ticket.crisis.is_(True),
                (Ticket.first_response_at.is_(None)) & (Ticket.response_due_at < now),
                (Ticket.resolved_at.is_(None)) & (Ticket.resolution_due_at < now),
            ),
        )
        .order_by(Ticket.id)
    )
    return [event for event in (escalate(ticket, now) for ticket in candidates) if event]


def _display(user: User) -> str:
    return f"{user.first_name} {user.last_name}".strip() or user.username
