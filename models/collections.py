"""Collection notices: the steps taken to collect an overdue invoice.

Levels (seed 001): 1 first notice, 2 second notice, 3 final notice, 4 legal escalation; the
days overdue at which each is due are configured (``COLLECTION_LEVEL_DAYS``). One notice per
invoice and level (a unique key), so the daily job can run twice. A notice records when it was
sent and answered, notes, uploaded documents (client documents whose ``source`` is
``collection_notice:<id>``), and the late charge it added under the client's policy. Notices
close at once when the invoice is paid, and pause while the client disputes the invoice.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from flask_appbuilder.security.sqla.models import User
from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Model, TimestampMixin, UTCDateTime
from .billing import ZERO, Invoice
from .clients import Client, _choice_sql

LEVELS = {1: "First notice", 2: "Second notice", 3: "Final notice", 4: "Legal escalation"}
NOTICE_STATUSES = ("open", "sent", "responded", "paused", "closed")


class CollectionNotice(TimestampMixin, Model):
    __tablename__ = "collection_notice"
    __table_args__ = (
        UniqueConstraint("invoice_id", "level", name="uq_collection_notice_level"),
        CheckConstraint("level BETWEEN 1 AND 4", name="ck_collection_notice_level"),
        CheckConstraint(_choice_sql("status", NOTICE_STATUSES), name="ck_collection_notice_status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoice.id"), nullable=False, index=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("client.id"), nullable=False, index=True)
    level: Mapped[int] = mapped_column(Integer, nullable=False)
    status: Mapped[str] = mapped_column(String(10), nullable=False, default="open", index=True)
    created_on: Mapped[date] = mapped_column(Date, nullable=False)
    days_overdue: Mapped[int] = mapped_column(Integer, nullable=False)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    response_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    response_note: Mapped[str | None] = mapped_column(Text)
    notes: Mapped[str | None] = mapped_column(Text)
    late_charge: Mapped[Decimal] = mapped_column(Numeric(14, 2), nullable=False, default=ZERO)
    late_charge_invoice_id: Mapped[int | None] = mapped_column(ForeignKey("invoice.id"))
    message_id: Mapped[int | None] = mapped_column(ForeignKey("outbox_message.id"))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_reason: Mapped[str | None] = mapped_column(String(200))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))

    invoice: Mapped[Invoice] = relationship(Invoice, foreign_keys=[invoice_id], lazy="joined")
    late_charge_invoice: Mapped[Invoice | None] = relationship(
        Invoice, foreign_keys=[late_charge_invoice_id]
    )
    client: Mapped[Client] = relationship(Client)
    created_by: Mapped[User | None] = relationship(User)

    def __str__(self) -> str:
        return f"{self.level_label} on {self.invoice.number}"

    @property
    def level_label(self) -> str:
        return LEVELS.get(self.level, str(self.level))
