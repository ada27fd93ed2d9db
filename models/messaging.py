"""Outgoing mail and SMS: every message is stored first, then delivered by a job."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, Text, select, update
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import DomainError, Model, UTCDateTime, utcnow

if TYPE_CHECKING:
    from .clients import Client
    from .contacts import Contact
    from .mail_templates import EmailTemplate

OUTBOX_STATUSES = ("queued", "sent", "stored", "failed")
OUTBOX_CHANNELS = ("email", "sms")
SUBJECT_MAX = 300
SMS_MAX = 480  # three concatenated SMS segments
# A mail the server refused for now (4xx, connection lost) is tried again after these waits;
# after the last attempt, or at once for a permanent refusal (5xx), it stays failed.
RETRY_AFTER = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30))
MAX_ATTEMPTS = len(RETRY_AFTER) + 1
# A contact's message in a conversation (or a survey answer) this soon after a mail to them
# counts as their response to it.
RESPONSE_WINDOW = timedelta(days=14)


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
    # When a failed delivery is tried again (None: delivered, or no more attempts).
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    # -- the template it came from, and what its recipient did with it
    template_id: Mapped[int | None] = mapped_column(ForeignKey("email_template.id"), index=True)
    tracking_token: Mapped[str | None] = mapped_column(String(32), unique=True)
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    open_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0, server_default="0")
    clicked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    click_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0, server_default="0")
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    client: Mapped[Client | None] = relationship("Client")
    contact: Mapped[Contact | None] = relationship("Contact")
    template: Mapped[EmailTemplate | None] = relationship("EmailTemplate")

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
        self.next_attempt_at = None
        self.delivered_at = utcnow()

    def action_mark_handed_over(self, provider_ref: str | None) -> None:
        """An SMS left us: ``sent`` with the gateway's id, or ``stored`` in the outbox (none)."""
        self.action_mark_delivered(over_smtp=provider_ref is not None)
        self.provider_ref = provider_ref

    def action_mark_failed(self, reason: str, permanent: bool = False, now=None) -> None:
        """A delivery attempt failed: kept ``failed`` with the reason and, unless the refusal
        was permanent or this was the last attempt, the time of the next one."""
        now = now or utcnow()
        self.status = "failed"
        self.attempts += 1
        last = permanent or self.attempts >= MAX_ATTEMPTS
        self.next_attempt_at = None if last else now + RETRY_AFTER[self.attempts - 1]
        if last and not permanent:
            reason = f"{reason} (gave up after {self.attempts} attempts)"
        self.error = reason[:2000]

    @property
    def will_retry(self) -> bool:
        return self.status == "failed" and self.next_attempt_at is not None

    # -- tracking: the pixel, the link redirect, and the contact's response
    def start_tracking(self) -> str:
        """Give this message its tracking token (once) and return it."""
        if not self.tracking_token:
            self.tracking_token = secrets.token_urlsafe(18)[:24]
        return self.tracking_token

    def action_record_open(self, now=None) -> None:
        self.open_count = (self.open_count or 0) + 1
        self.opened_at = self.opened_at or now or utcnow()

    def action_record_click(self, now=None) -> None:
        """A click on a tracked link (which also shows the mail was opened)."""
        now = now or utcnow()
        self.click_count = (self.click_count or 0) + 1
        self.clicked_at = self.clicked_at or now
        if self.opened_at is None:  # images blocked: the click is the first sign of an open
            self.action_record_open(now)

    @classmethod
    def by_tracking_token(cls, session, token: str) -> OutboxMessage | None:
        if not token or len(token) > 32:
            return None
        return session.scalar(select(cls).where(cls.tracking_token == token))


def mark_mails_answered(session, contact_id: int | None, at: datetime | None = None) -> int:
    """Count what ``contact_id`` just wrote as their response to the mails we sent them in the
    last ``RESPONSE_WINDOW`` and that nothing answered yet; returns how many (caller commits)."""
    if contact_id is None:
        return 0
    at = at or utcnow()
    result = session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.contact_id == contact_id,
            OutboxMessage.channel == "email",
            OutboxMessage.status.in_(("sent", "stored")),
            OutboxMessage.responded_at.is_(None),
            OutboxMessage.created_at >= at - RESPONSE_WINDOW,
            OutboxMessage.created_at <= at,
        )
        .values(responded_at=at)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0
