"""Collection notices: the steps taken to collect an overdue invoice.

Levels (seed 001): 1 first notice, 2 second notice, 3 final notice, 4 legal escalation; the
days overdue at which each is due are configured (``COLLECTION_LEVEL_DAYS``). One notice per
invoice and level (a unique key), so the daily job can run twice. A notice records when it was
sent and answered, notes, uploaded documents (client documents whose ``source`` is
``collection_notice:<id>``), and the late charge it added under the client's policy. Notices
close at once when the invoice is paid, and pause while the client disputes the invoice.
"""

from __future__ import annotations

from dataclasses import dataclass, field
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
    func,
    select,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import ConcurrentChangeError, Model, TimestampMixin, UTCDateTime, utcnow
from .billing import ZERO, BillingError, BillingStateError, Invoice, setting
from .clients import Client, _choice_sql, _session

LEVELS = {1: "First notice", 2: "Second notice", 3: "Final notice", 4: "Legal escalation"}
NOTICE_STATUSES = ("open", "sent", "responded", "paused", "closed")
DEFAULT_LEVEL_DAYS = (1, 15, 30, 60)
NOTE_MAX = 2000


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
    client: Mapped[Client] = relationship(Client, lazy="joined")  # every list row shows it
    created_by: Mapped[User | None] = relationship(User)

    def __str__(self) -> str:
        return f"{self.level_label} on {self.invoice.number}"

    @property
    def level_label(self) -> str:
        return LEVELS.get(self.level, str(self.level))

    @property
    def is_closed(self) -> bool:
        return self.status == "closed"

    @property
    def is_paused(self) -> bool:
        return self.status == "paused"

    @property
    def documents_source(self) -> str:
        return f"collection_notice:{self.id}"

    def days_overdue_on(self, today: date | None = None) -> int:
        """Days overdue now (the invoice's), or as recorded once the notice is closed."""
        return self.days_overdue if self.is_closed else self.invoice.days_overdue(today)

    # ------------------------------------------------------------ queries

    @classmethod
    def for_invoice(cls, invoice: Invoice, *statuses: str) -> list[CollectionNotice]:
        query = select(cls).where(cls.invoice_id == invoice.id).order_by(cls.level)
        if statuses:
            query = query.where(cls.status.in_(statuses))
        return list(_session().scalars(query))

    # ------------------------------------------------------------ actions

    def _require_open(self, doing: str) -> None:
        if self.is_closed:
            raise BillingStateError(f"{self} is closed: it cannot be {doing}.", "status")

    def escalate(self, by: User | None = None, today: date | None = None) -> CollectionNotice:
        """Send the next level now, before its threshold; this notice closes as superseded.

        :raise BillingStateError: when the notice is closed or paused (disputed invoice), is the
        last level, or the next level exists already.
        """
        self._require_open("escalated")
        if self.is_paused or self.invoice.is_disputed:
            raise BillingStateError(
                f"{self.invoice} is disputed: nothing escalates until the dispute is resolved.",
                "status",
            )
        if self.level >= max(LEVELS):
            raise BillingStateError(f"{self} is the last level: there is none above.", "level")
        if not self.invoice.is_open:
            raise BillingStateError(f"{self.invoice} is not open: nothing to collect.", "status")
        today = today or date.today()
        notice = open_notice(self.invoice, self.level + 1, today, by)
        _log(self.invoice, by, f"{notice} opened by hand")
        return notice

    def record_sent(self, at: datetime | None = None) -> None:
        """The notice went out (by the mail job, or by hand for a letter)."""
        self._require_open("sent")
        self.sent_at = at or utcnow()
        if self.status == "open":
            self.status = "sent"

    def record_response(self, note: str, at: datetime | None = None, by: User | None = None):
        """What the client answered (a promise to pay, a dispute, a call)."""
        self._require_open("answered")
        note = (note or "").strip()
        if not note:
            raise BillingError("Write what the client answered.", "response_note")
        if at is not None and at > utcnow():
            raise BillingError("The response cannot be dated in the future.", "response_at")
        self.response_note = note
        self.response_at = at or utcnow()
        if self.status in ("open", "sent"):
            self.status = "responded"
        _log(self.invoice, by, f"Response to {self}: {note[:150]}")

    def add_note(self, text: str, by: User | None = None) -> None:
        """Add a dated, signed line to the notice's notes."""
        self._require_open("noted")
        text = (text or "").strip()
        if not text:
            raise BillingError("Write the note.", "note")
        if len(text) > NOTE_MAX:
            raise BillingError(f"A note may hold at most {NOTE_MAX} characters.", "note")
        who = (by.username if by is not None else None) or "system"
        line = f"{utcnow():%Y-%m-%d %H:%M} {who}: {text}"
        self.notes = f"{self.notes}\n{line}" if self.notes else line

    def pause(self, reason: str, by: User | None = None) -> None:
        """The client disputes the invoice: it is marked disputed and all its notices pause."""
        self._require_open("paused")
        self.invoice.dispute(reason, by)  # pauses every open notice (pause_notices)

    def resume(self, by: User | None = None) -> None:
        """The dispute is resolved: the invoice's notices go on."""
        self._require_open("resumed")
        if not self.invoice.is_disputed:
            raise BillingStateError(f"{self} is not paused.", "status")
        self.invoice.resolve_dispute(by)  # resumes them (resume_notices)

    def close(self, reason: str, by: User | None = None) -> None:
        """Stop collecting with this notice (paid, written off, settled…)."""
        self._require_open("closed")
        reason = (reason or "").strip()
        if not reason:
            raise BillingError("Give the reason for closing the notice.", "reason")
        self._close(reason[:200])
        _log(self.invoice, by, f"{self} closed: {reason[:150]}")

    def _close(self, reason: str) -> None:
        self.status = "closed"
        self.closed_at = utcnow()
        self.closed_reason = reason

    def _status_before_pause(self) -> str:
        if self.response_at is not None:
            return "responded"
        return "sent" if self.sent_at is not None else "open"


# ---------------------------------------------------------------- levels and the daily run


def level_days() -> tuple[int, ...]:
    """Days overdue at which levels 1–4 are due (``COLLECTION_LEVEL_DAYS``)."""
    return tuple(setting("COLLECTION_LEVEL_DAYS", DEFAULT_LEVEL_DAYS))


def level_due(days_overdue: int) -> int | None:
    """The highest level whose threshold ``days_overdue`` has reached, or None."""
    reached = [level for level, days in enumerate(level_days(), start=1) if days_overdue >= days]
    return max(reached) if reached else None


def open_notice(
    invoice: Invoice, level: int, today: date, by: User | None = None
) -> CollectionNotice:
    """Add the notice of ``level`` for ``invoice`` with its late charge; earlier open notices
    close as superseded. A second notice of the same level breaks the unique key
    (``ConcurrentChangeError`` at the flush)."""
    from .late_charges import charge_for

    earlier = CollectionNotice.for_invoice(invoice)
    if any(n.level >= level for n in earlier):
        raise BillingStateError(
            f"{invoice} has a {LEVELS[level].lower()} or a later one already.", "level"
        )
    notice = CollectionNotice(
        invoice=invoice,
        client_id=invoice.client_id,
        level=level,
        status="open",
        created_on=today,
        days_overdue=invoice.days_overdue(today),
        late_charge=charge_for(invoice, earlier, today),
        created_by=by,
    )
    for old in earlier:
        if not old.is_closed:
            old._close(f"escalated to {notice.level_label.lower()}")
    _session().add(notice)
    _session().flush()
    return notice


@dataclass
class CollectionRun:
    """What a run did (plain values: an RQ job's result is pickled)."""

    created: list[int] = field(default_factory=list)  # notice ids
    superseded: list[int] = field(default_factory=list)  # notice ids closed by a later level
    skipped: list[tuple[int, str]] = field(default_factory=list)  # (invoice id, reason)


def overdue_invoices(today: date):
    """Open invoices past their due date, oldest due first."""
    return select(Invoice).where(Invoice.overdue_clause(today))


def run_collections(today: date | None = None, by: User | None = None) -> CollectionRun:
    """Open the notice due for each overdue invoice (the caller commits).

    For each open invoice past its due date and not disputed, the notice of the highest level
    whose threshold is reached is opened unless it (or a later one) exists. Each invoice is
    handled in a savepoint: one that breaks a rule, or that a simultaneous run got to first
    (the unique key), is rolled back and named in ``skipped``; the others go on.
    """
    today = today or date.today()
    run = CollectionRun()
    session = _session()
    overdue = overdue_invoices(today)
    invoices = session.scalars(overdue.order_by(Invoice.due_date, Invoice.id)).unique().all()
    # The highest level each invoice has, in one query rather than one per invoice.
    highest = dict(
        session.execute(
            select(CollectionNotice.invoice_id, func.max(CollectionNotice.level))
            .where(CollectionNotice.invoice_id.in_(overdue.with_only_columns(Invoice.id)))
            .group_by(CollectionNotice.invoice_id)
        ).all()
    )
    for invoice in invoices:
        if invoice.is_disputed:
            run.skipped.append((invoice.id, "disputed: notices are paused"))
            continue
        level = level_due(invoice.days_overdue(today))
        if level is None or highest.get(invoice.id, 0) >= level:
            continue
        existing = CollectionNotice.for_invoice(invoice)
        invoice_id, before = invoice.id, [n.id for n in existing if not n.is_closed]
        savepoint = session.begin_nested()
        try:
            notice = open_notice(invoice, level, today, by)
        except (BillingError, ConcurrentChangeError) as error:
            savepoint.rollback()
            run.skipped.append((invoice_id, error.message))
            continue
        savepoint.commit()
        run.created.append(notice.id)
        run.superseded += before
    return run


# ---------------------------------------------------------------- hooks from Invoice


def close_notices(invoice: Invoice, reason: str) -> None:
    """The invoice is paid or void: its notices still open (or paused) close at once."""
    for notice in CollectionNotice.for_invoice(invoice):
        if not notice.is_closed:
            notice._close(reason)


def close_paid_notices(invoice: Invoice) -> None:
    close_notices(invoice, "invoice paid")


def pause_notices(invoice: Invoice) -> None:
    """The invoice is disputed: its open notices pause."""
    for notice in CollectionNotice.for_invoice(invoice):
        if not notice.is_closed:
            notice.status = "paused"


def resume_notices(invoice: Invoice) -> None:
    """The dispute is resolved: paused notices go back to where they were."""
    for notice in CollectionNotice.for_invoice(invoice):
        if notice.is_paused:
            notice.status = notice._status_before_pause()


def _log(invoice: Invoice, by: User | None, summary: str) -> None:
    invoice._log(by, summary)
