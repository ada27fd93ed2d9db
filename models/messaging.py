"""Outgoing mail: every message is stored first, then delivered by a job."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import DomainError, Model, UTCDateTime, utcnow

OUTBOX_STATUSES = ("queued", "sent", "stored", "failed")


class MessageError(DomainError):
    """A message cannot be created or delivered as asked."""


class OutboxMessage(Model):
    """One email to one recipient.

    ``queued`` until a job delivers it: ``sent`` over SMTP, or ``stored`` when no mail server
    is configured (the admin's Outbox shows it), ``failed`` with the reason otherwise.
    """

    __tablename__ = "outbox_message"
    __table_args__ = (
        CheckConstraint(
            "status IN ('queued', 'sent', 'stored', 'failed')", name="ck_outbox_message_status"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(40), nullable=False, default="general")
    to_email: Mapped[str] = mapped_column(String(254), nullable=False)
    to_name: Mapped[str | None] = mapped_column(String(200))
    subject: Mapped[str] = mapped_column(String(300), nullable=False)
    body_text: Mapped[str] = mapped_column(Text, nullable=False)
    body_html: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), nullable=False, default="queued", index=True)
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    client_id: Mapped[int | None] = mapped_column(ForeignKey("client.id"), index=True)
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contact.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    def __str__(self) -> str:
        return f"{self.subject} → {self.to_email}"

    @property
    def delivered(self) -> bool:
        return self.status in ("sent", "stored")

    def action_mark_delivered(self, over_smtp: bool) -> None:
        self.status = "sent" if over_smtp else "stored"
        self.attempts += 1
        self.error = None
        self.delivered_at = utcnow()

    def action_mark_failed(self, reason: str) -> None:
        self.status = "failed"
        self.attempts += 1
        self.error = reason[:2000]
