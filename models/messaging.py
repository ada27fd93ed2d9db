"""Outgoing mail and SMS: every message is stored first, then delivered by a job."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import DomainError, Model, UTCDateTime, utcnow

if TYPE_CHECKING:
    from .clients import Client
    from .contacts import Contact

OUTBOX_STATUSES = ("queued", "sent", "stored", "failed")
OUTBOX_CHANNELS = ("email", "sms")
SUBJECT_MAX = 300
SMS_MAX = 480  # three concatenated SMS segments


class MessageError(DomainError):
    """A message cannot be created or delivered as asked."""


class OutboxMessage(Model):
    """One email or SMS to one recipient.

    ``queued`` until a job delivers it: ``sent`` over SMTP (or handed to an SMS gateway), or
    ``stored`` when no mail server or SMS gateway is configured (the admin's Outbox shows it),
    ``failed`` with the reason otherwise. An SMS has ``to_phone`` and, as its subject, the
    start of its text (for lists).
    """

    __tablename__ = "outbox_message"
    __table_args__ = (
        CheckConstraint(
            "status IN ('queued', 'sent', 'stored', 'failed')", name="ck_outbox_message_status"
        ),
        CheckConstraint("channel IN ('email', 'sms')", name="ck_outbox_message_channel"),
        CheckConstraint(
            "(channel = 'email' AND to_email IS NOT NULL) "
            "OR (channel = 'sms' AND to_phone IS NOT NULL)",
            name="ck_outbox_message_recipient",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(40), nullable=False, default="general")
    channel: Mapped[str] = mapped_column(
        String(5), nullable=False, default="email", server_default="email"
    )
    to_email: Mapped[str | None] = mapped_column(String(254))
    to_phone: Mapped[str | None] = mapped_column(String(40))
    to_name: Mapped[str | None] = mapped_column(String(200))
    subject: Mapped[str] = mapped_column(String(SUBJECT_MAX), nullable=False)
    body_text: Mapped[str] = mapped_column(Text, nullable=False)
    body_html: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), nullable=False, default="queued", index=True)
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    # The SMS gateway's id for the message, when one took it.
    provider_ref: Mapped[str | None] = mapped_column(String(100))
    client_id: Mapped[int | None] = mapped_column(ForeignKey("client.id"), index=True)
    # A stored document sent with the email as an attachment (an invoice's PDF).
    attachment_id: Mapped[int | None] = mapped_column(ForeignKey("client_document.id"))
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contact.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    client: Mapped[Client | None] = relationship("Client")
    contact: Mapped[Contact | None] = relationship("Contact")

    def __str__(self) -> str:
        return f"{self.subject} → {self.recipient}"

    @property
    def recipient(self) -> str:
        return (self.to_phone if self.channel == "sms" else self.to_email) or ""

    @property
    def delivered(self) -> bool:
        return self.status in ("sent", "stored")

    def violations(self) -> list[MessageError]:
        errors = []
        channel = self.channel or "email"  # the column's default, before the insert
        if channel not in OUTBOX_CHANNELS:
            errors.append(
                MessageError(f"Channel must be one of {', '.join(OUTBOX_CHANNELS)}.", "channel")
            )
        if not (self.subject or "").strip():
            errors.append(MessageError("Subject is required.", "subject"))
        elif len(self.subject) > SUBJECT_MAX:
            errors.append(
                MessageError(f"Subject is at most {SUBJECT_MAX} characters long.", "subject")
            )
        if not (self.body_text or "").strip():
            errors.append(MessageError("The message text is required.", "body_text"))
        elif channel == "sms" and len(self.body_text) > SMS_MAX:
            errors.append(
                MessageError(
                    f"An SMS is at most {SMS_MAX} characters long "
                    f"(this one has {len(self.body_text)}).",
                    "body_text",
                )
            )
        return errors

    def validate(self) -> None:
        """:raise MessageError: for the first rule this message breaks."""
        errors = self.violations()
        if errors:
            raise errors[0]

    def action_mark_delivered(self, over_smtp: bool) -> None:
        self.status = "sent" if over_smtp else "stored"
        self.attempts += 1
        self.error = None
        self.delivered_at = utcnow()

    def action_mark_handed_over(self, provider_ref: str | None) -> None:
        """An SMS left us: ``sent`` with the gateway's id, or ``stored`` in the outbox (none)."""
        self.action_mark_delivered(over_smtp=provider_ref is not None)
        self.provider_ref = provider_ref

    def action_mark_failed(self, reason: str) -> None:
        self.status = "failed"
        self.attempts += 1
        self.error = reason[:2000]
