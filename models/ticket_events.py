"""What happened to a ticket, step by step: raised, acknowledged, assigned, escalated, resolved…

Rows are written by the ticket's verbs and never edited. An escalation row names the level and
the person notified; ``notified_at`` is set once its email is queued, so a retried job does not
mail twice.
"""

from __future__ import annotations

from datetime import datetime

from flask_appbuilder.security.sqla.models import User
from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Model, UTCDateTime, utcnow
from .contacts import Contact

EVENT_KINDS = (
    "raised",
    "acknowledged",
    "assigned",
    "status",
    "priority",
    "crisis",
    "escalated",
    "resolved",
    "approved",
    "rejected",
    "rated",
    "closed",
)


class TicketEvent(Model):
    __tablename__ = "ticket_event"
    __table_args__ = (Index("ix_ticket_event_ticket_kind", "ticket_id", "kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(
        ForeignKey("ticket.id", ondelete="CASCADE"), nullable=False
    )
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    kind: Mapped[str] = mapped_column(String(20), nullable=False)
    detail: Mapped[str] = mapped_column(String(500), nullable=False, default="")
    user_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contact.id"))
    # For escalations: the level reached and who was told.
    level: Mapped[int | None] = mapped_column(Integer)
    recipient_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))
    notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    ticket = relationship("Ticket", back_populates="events")
    user: Mapped[User | None] = relationship(User, foreign_keys=[user_id], lazy="joined")
    contact: Mapped[Contact | None] = relationship(Contact, lazy="joined")
    recipient: Mapped[User | None] = relationship(User, foreign_keys=[recipient_id], lazy="joined")

    def __str__(self) -> str:
        return self.detail

    @property
    def actor_name(self) -> str:
        if self.contact is not None:
            return str(self.contact)
        if self.user is not None:
            return f"{self.user.first_name} {self.user.last_name}".strip() or self.user.username
        return "system"
