"""The client's timeline: one row per thing that happened to a client or its people.

Everything a user of the client page should see in the Activity tab lands here through
``record_activity``: field changes and status changes (the audit trail, with before and after),
notes, mails, SMS, meetings, documents, team and contact changes, imports and merges. Rows are
written once and never edited from the admin; only a privacy erasure rewrites them (it blanks
the personal values an erased contact left in ``changes`` and ``summary``).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from flask_appbuilder.security.sqla.models import User
from sqlalchemy import JSON, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Model, UTCDateTime, utcnow

if TYPE_CHECKING:
    from .clients import Client

# What happened (the timeline's filter and icon).
ACTIVITY_KINDS = (
    "created",
    "updated",
    "status",
    "archived",
    "restored",
    "merged",
    "imported",
    "erased",
    "consent",
    "note",
    "mail",
    "sms",
    "meeting",
    "document",
    "contact",
    "team",
    "job",
    "project",
    "candidate",
    "evaluation",
    "quote",
    "contract",
    "offer",
    "invoice",
    "payment",
    "collection",
    "message",
    "workflow",
    "survey",
    "ticket",
    "onboarding",
)


class Activity(Model):
    """One event on a client's timeline (``client_id`` may be empty for a contact-only event)."""

    __tablename__ = "activity"
    __table_args__ = (
        Index("ix_activity_client_at", "client_id", "at"),
        Index("ix_activity_subject", "subject_type", "subject_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    client_id: Mapped[int | None] = mapped_column(ForeignKey("client.id"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))
    kind: Mapped[str] = mapped_column(String(20), nullable=False)
    # The record the event is about: ("client", 7), ("contact", 12), ("note", 3)...
    subject_type: Mapped[str] = mapped_column(String(30), nullable=False)
    subject_id: Mapped[int | None] = mapped_column(Integer)
    summary: Mapped[str] = mapped_column(String(500), nullable=False)
    # The audit trail's before and after: {"field": [before, after]} (JSON-safe values).
    changes: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    actor: Mapped[User | None] = relationship(User, lazy="joined")
    # For the client page's Activity tab (a related view needs the relation).
    client: Mapped[Client | None] = relationship("Client", viewonly=True)

    def __str__(self) -> str:
        return self.summary

    @property
    def actor_name(self) -> str:
        if self.actor is None:
            return "system"
        return f"{self.actor.first_name} {self.actor.last_name}".strip() or self.actor.username


def record_activity(
    session,
    kind: str,
    summary: str,
    *,
    client_id: int | None = None,
    subject: Any = None,
    subject_type: str | None = None,
    subject_id: int | None = None,
    actor: User | None = None,
    changes: dict[str, Any] | None = None,
) -> Activity:
    """Add one event to the timeline in ``session`` (the caller commits).

    ``subject`` is the record the event is about; its table name and id are kept (give
    ``subject_type``/``subject_id`` instead when the record is not at hand). ``actor``
    defaults to the signed-in user, if any. Flush a new subject first so that it has an id.
    """
    if kind not in ACTIVITY_KINDS:
        raise ValueError(f"unknown activity kind {kind!r}")
    if subject is not None:
        subject_type = subject_type or subject.__tablename__
        subject_id = subject_id if subject_id is not None else subject.id
    activity = Activity(
        kind=kind,
        summary=summary[:500],
        client_id=client_id,
        subject_type=subject_type or "client",
        subject_id=subject_id if subject_id is not None else client_id,
        actor=actor if actor is not None else current_actor(),
        changes=changes,
    )
    session.add(activity)
    return activity


def current_actor() -> User | None:
    """The signed-in user of this request, staff or portal (``None`` in jobs and commands)."""
    from flask import has_request_context

    if not has_request_context():
        return None
    from flask import current_app

    user = current_app.appbuilder.sm.current_user
    return user if getattr(user, "is_authenticated", False) else None
