"""Quotes: numbered, versioned proposals to a client, with lines by service type and totals.

A quote is drafted, sent, viewed by the client in the portal, then accepted (typed full name,
time and IP kept) or declined (with a reason), or it expires after its valid-until date (a
daily job, ``expire_quotes``). Revising a sent quote creates the next version (a new row with
the same number, its lines copied); the earlier one is kept, unchanged and readable, as
``revised``. Only a draft's lines and terms change. Money is ``Decimal``; each amount is
rounded to the currency's minor unit (0 decimals for JPY, 3 for KWD).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

from babel.numbers import get_currency_precision
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
    inspect,
    select,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from .activity import record_activity
from .base import (
    ConstructorDefaults,
    DomainError,
    Model,
    TimestampMixin,
    UTCDateTime,
    finite,
    length_violations,
    utcnow,
)
from .clients import CURRENCIES, Client, _blank, _choice_sql, _session
from .privacy import PERSONAL_DATA, PersonalData, column_is
from .recruiting import MONEY_MAX, PAYMENT_TERMS, SERVICE_TYPES

if TYPE_CHECKING:
    from .contacts import Contact

QUOTE_STATUSES = ("draft", "sent", "viewed", "accepted", "declined", "expired", "revised")
# Statuses in which the client may still answer.
OPEN_STATUSES = ("sent", "viewed")
EDITABLE_FIELDS = (
    "currency",
    "discount_percent",
    "tax_rate",
    "payment_terms",
    "replacement_guarantee_days",
    "start_within_days",
    "valid_until",
    "terms",
    "title",
)
PERCENT = Decimal(100)


class QuoteError(DomainError):
    """A quote or quote line breaks a rule of this module."""


class QuoteStateError(QuoteError):
    """The quote's status does not allow this (sent twice, accepted once expired...)."""

    status_code = 409


def money(amount: Decimal, currency: str) -> Decimal:
    """``amount`` rounded half-up to the minor unit of ``currency``."""
    exponent = Decimal(1).scaleb(-get_currency_precision(currency or "USD"))
    return Decimal(amount).quantize(exponent, ROUND_HALF_UP)


class OnClientTimeline:
    """A client's record that writes its events on the client's timeline, as the activity kind
    ``timeline_kind`` with itself as the subject."""

    timeline_kind = "updated"

    def _log(self, by: User | None, summary: str) -> None:
        session = _session()
        if self.id is None:
            session.flush()
        record_activity(
            session,
            self.timeline_kind,
            summary,
            client_id=self.client_id,
            subject_type=self.__tablename__,
            subject_id=self.id,
            actor=by,
        )


class PricedLines:
    """Totals of a record with priced ``lines``, a ``currency``, ``discount_percent`` and
    ``tax_rate`` (quotes and contracts): each amount rounded to the currency's minor unit."""

    @property
    def subtotal(self) -> Decimal:
        return money(sum((line.amount for line in self.lines), Decimal(0)), self.currency)

    @property
    def discount(self) -> Decimal:
        return money(self.subtotal * (self.discount_percent or 0) / PERCENT, self.currency)

    @property
    def tax(self) -> Decimal:
        taxable = self.subtotal - self.discount
        return money(taxable * (self.tax_rate or 0) / PERCENT, self.currency)

    @property
    def total(self) -> Decimal:
        return self.subtotal - self.discount + self.tax


class Quote(OnClientTimeline, PricedLines, ConstructorDefaults, TimestampMixin, Model):
    __tablename__ = "quote"
    timeline_kind = "quote"
    __table_args__ = (
        UniqueConstraint("number", "version", name="uq_quote_number_version"),
        CheckConstraint(_choice_sql("status", QUOTE_STATUSES), name="ck_quote_status"),
    )

    # -- columns
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("client.id"), nullable=False, index=True)
    # Q-<year>-<nnnn>, the same for every version of the quote.
    number: Mapped[str] = mapped_column(String(20), nullable=False, index=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    previous_id: Mapped[int | None] = mapped_column(ForeignKey("quote.id"))
    title: Mapped[str] = mapped_column(String(191), nullable=False, active_history=True)
    status: Mapped[str] = mapped_column(String(10), nullable=False, default="draft", index=True)
    currency: Mapped[str] = mapped_column(
        String(3), nullable=False, default="USD", active_history=True
    )
    discount_percent: Mapped[Decimal] = mapped_column(
        Numeric(5, 2), nullable=False, default=Decimal("0"), active_history=True
    )
    tax_rate: Mapped[Decimal] = mapped_column(
        Numeric(5, 2), nullable=False, default=Decimal("0"), active_history=True
    )
    payment_terms: Mapped[str | None] = mapped_column(String(12), active_history=True)
    replacement_guarantee_days: Mapped[int | None] = mapped_column(Integer, active_history=True)
    start_within_days: Mapped[int | None] = mapped_column(Integer, active_history=True)
    valid_until: Mapped[date] = mapped_column(Date, nullable=False, active_history=True)
    terms: Mapped[str | None] = mapped_column(Text, active_history=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    viewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The acceptance record: who typed their name, when, from where.
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    accepted_name: Mapped[str | None] = mapped_column(String(191))
    accepted_ip: Mapped[str | None] = mapped_column(String(45))
    accepted_by_contact_id: Mapped[int | None] = mapped_column(ForeignKey("contact.id"))
    declined_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decline_reason: Mapped[str | None] = mapped_column(String(1000))

    # -- relationships
    client: Mapped[Client] = relationship(Client, lazy="joined")
    lines: Mapped[list[QuoteLine]] = relationship(
        back_populates="quote", cascade="all, delete-orphan", order_by="QuoteLine.position"
    )
    previous: Mapped[Quote | None] = relationship(remote_side=[id])
    created_by: Mapped[User | None] = relationship(User, foreign_keys=[created_by_id])
    accepted_by: Mapped[Contact | None] = relationship("Contact")

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    @validates("title", "terms")
    def _strip(self, key, value):
        return value.strip() if isinstance(value, str) else value

    # -- derived values
    @property
    def reference(self) -> str:
        return f"{self.number} v{self.version}" if self.number else "new quote"

    @property
    def is_expired(self) -> bool:
        """Past its valid-until date (whether or not the daily job has marked it yet)."""
        return self.status == "expired" or (
            self.status in OPEN_STATUSES and self.valid_until < date.today()
        )

    # -- rules
    def violations(self) -> list[QuoteError]:
        errors = []
        if self.client is None and self.client_id is None:
            errors.append(QuoteError("Choose the client this quote is for.", "client"))
        if _blank(self.title):
            errors.append(QuoteError("Title is required.", "title"))
        if self.currency not in CURRENCIES:
            errors.append(QuoteError("Currency must be an ISO 4217 code such as USD.", "currency"))
        for field in ("discount_percent", "tax_rate"):
            value = getattr(self, field)
            if not finite(value) or not 0 <= value <= 100:
                label = field.replace("_", " ").capitalize()
                errors.append(QuoteError(f"{label} must be between 0 and 100.", field))
        if self.payment_terms is not None and self.payment_terms not in PAYMENT_TERMS:
            errors.append(
                QuoteError(
                    f"Payment terms must be one of {', '.join(PAYMENT_TERMS)}.", "payment_terms"
                )
            )
        for field in ("replacement_guarantee_days", "start_within_days"):
            value = getattr(self, field)
            if value is not None and not 0 <= value <= 3650:
                label = field.replace("_", " ").capitalize()
                errors.append(QuoteError(f"{label} must be 0 to 3650.", field))
        if self.valid_until is None:
            errors.append(QuoteError("Valid until is required.", "valid_until"))
        errors += length_violations(self, QuoteError)
        if self.id is not None and self.status != "draft":
            state = inspect(self)
            for field in EDITABLE_FIELDS:
                history = state.attrs[field].history
                if history.deleted and history.deleted[0] != (
                    history.added[0] if history.added else None
                ):
                    errors.append(
                        QuoteError(
                            f"{self.reference} was sent: revise it to change "
                            f"{field.replace('_', ' ')} (the sent version stays as it is).",
                            field,
                        )
                    )
                    break
        return errors

    def validate(self) -> None:
        """:raise QuoteError: for the first rule this quote breaks."""
        errors = self.violations()
        if errors:
            raise errors[0]

    # -- actions
    @classmethod
    def action_create(cls, client: Client, by: User | None = None, **fields) -> Quote:
        """A new draft for ``client``, numbered Q-<year>-<nnnn> (the caller commits)."""
        quote = cls(client=client, client_id=client.id, created_by=by, **fields)
        quote.number = next_number()
        quote.version = 1
        quote.validate()
        _session().add(quote)
        return quote

    def add_line(
        self, service_type: str, description: str, quantity: Decimal, rate: Decimal
    ) -> QuoteLine:
        """:raise QuoteError: for a line that breaks a rule, or a quote that is not a draft."""
        if self.status != "draft":
            raise QuoteStateError(
                f"{self.reference} is {self.status}: revise it to change its lines.", "lines"
            )
        line = QuoteLine(
            service_type=service_type,
            description=(description or "").strip(),
            quantity=Decimal(quantity),
            rate=Decimal(rate),
            position=len(self.lines) + 1,
        )
        errors = line.violations()
        if errors:
            raise errors[0]
        self.lines.append(line)
        return line

    def remove_line(self, line: QuoteLine) -> None:
        """:raise QuoteStateError: unless a draft (a sent quote's lines change by revising)."""
        if self.status != "draft":
            raise QuoteStateError(
                f"{self.reference} is {self.status}: revise it to change its lines.", "lines"
            )
        self.lines.remove(line)
        for position, kept in enumerate(self.lines, start=1):
            kept.position = position

    def action_send(self, by: User | None = None) -> None:
        """:raise QuoteStateError: unless a draft with at least one line, valid in the future."""
        if self.status != "draft":
            raise QuoteStateError(
                f"{self.reference} is {self.status}; only a draft is sent.", "status"
            )
        if not self.lines:
            raise QuoteError("Add at least one line before sending the quote.", "lines")
        if self.valid_until < date.today():
            raise QuoteError(
                "Valid until is in the past: choose a later date to send it.", "valid_until"
            )
        self.status, self.sent_at = "sent", utcnow()
        self._log(by, f"Quote {self.reference} sent ({self.currency} {self.total:,})")

    def action_mark_viewed(self) -> None:
        """The client opened it (the first time counts; later opens change nothing)."""
        if self.status == "sent":
            self.status, self.viewed_at = "viewed", utcnow()
            self._log(None, f"Quote {self.reference} viewed by the client")

    def action_accept(self, name: str, ip: str | None, contact: Contact | None = None) -> None:
        """Accept with the typed full name; time and IP are kept as the acceptance record.

        :raise QuoteStateError: when the quote is expired, declined, accepted or not sent.
        :raise QuoteError: when the typed name is not a full name.
        """
        self._refuse_unless_open("accepted")
        typed = " ".join((name or "").split())
        if len(typed.split(" ")) < 2 or len(typed) > 191:
            raise QuoteError("Type your full name (first and last) to accept the quote.", "name")
        self.status, self.accepted_at = "accepted", utcnow()
        self.accepted_name, self.accepted_ip, self.accepted_by = typed, (ip or None), contact
        self._log(None, f"Quote {self.reference} accepted by {typed}")

    def action_decline(self, reason: str, contact: Contact | None = None) -> None:
        """:raise QuoteStateError: unless open; :raise QuoteError: without a reason."""
        self._refuse_unless_open("declined")
        if _blank(reason):
            raise QuoteError("Tell us why you decline the quote.", "reason")
        self.status, self.declined_at = "declined", utcnow()
        self.decline_reason = reason.strip()[:1000]
        self._log(None, f"Quote {self.reference} declined: {self.decline_reason}")

    def action_expire(self, today: date | None = None) -> bool:
        """Mark an open quote past its date as expired; True when it did."""
        if self.status in OPEN_STATUSES and self.valid_until < (today or date.today()):
            self.status = "expired"
            self._log(None, f"Quote {self.reference} expired (valid until {self.valid_until})")
            return True
        return False

    def action_revise(self, by: User | None = None) -> Quote:
        """The next version as a draft with the same lines and terms; this one is kept as
        ``revised``.  :raise QuoteStateError: for a draft (edit it) or an accepted quote."""
        if self.status in ("draft", "accepted", "revised"):
            raise QuoteStateError(
                f"{self.reference} is {self.status}; only a sent, viewed, declined or expired "
                "quote is revised.",
                "status",
            )
        copy = Quote(
            client=self.client,
            client_id=self.client_id,
            number=self.number,
            version=self.version + 1,
            previous=self,
            status="draft",
            created_by=by,
            **{field: getattr(self, field) for field in EDITABLE_FIELDS},
        )
        for line in self.lines:
            copy.lines.append(QuoteLine(**line.as_dict()))
        if copy.valid_until < date.today():
            copy.valid_until = date.today()
        self.status = "revised"
        _session().add(copy)
        self._log(by, f"Quote {self.number} revised: version {copy.version} drafted")
        return copy

    def _refuse_unless_open(self, wanted: str) -> None:
        if self.is_expired:
            raise QuoteStateError(
                f"{self.reference} expired on {self.valid_until:%d %b %Y}; it can no longer be "
                f"{wanted}. Ask your account manager for a new version.",
                "status",
            )
        if self.status not in OPEN_STATUSES:
            raise QuoteStateError(
                f"{self.reference} is {self.status}; it can no longer be {wanted}.", "status"
            )


class ServiceLine:
    """A priced line by service type (a quote's, a contract's): the subclass names its
    parent as ``parent`` and its domain error as ``error``."""

    error = DomainError

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    position: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    service_type: Mapped[str] = mapped_column(String(30), nullable=False)
    description: Mapped[str] = mapped_column(String(500), nullable=False)
    quantity: Mapped[Decimal] = mapped_column(Numeric(10, 2), nullable=False)
    rate: Mapped[Decimal] = mapped_column(Numeric(14, 2), nullable=False)

    @property
    def parent(self):
        raise NotImplementedError

    @property
    def amount(self) -> Decimal:
        currency = self.parent.currency if self.parent is not None else "USD"
        return money((self.quantity or 0) * (self.rate or 0), currency)

    def as_dict(self) -> dict:
        return {
            "position": self.position,
            "service_type": self.service_type,
            "description": self.description,
            "quantity": self.quantity,
            "rate": self.rate,
        }

    def violations(self) -> list[DomainError]:
        errors = []
        if self.service_type not in SERVICE_TYPES:
            errors.append(
                self.error(
                    f"Service type must be one of {', '.join(SERVICE_TYPES)}.", "service_type"
                )
            )
        if _blank(self.description):
            errors.append(self.error("Each line needs a description.", "description"))
        if not finite(self.quantity) or not 0 < self.quantity <= 10_000:
            errors.append(
                self.error("Quantity must be more than 0 and at most 10,000.", "quantity")
            )
        if not finite(self.rate) or not 0 <= self.rate <= MONEY_MAX:
            errors.append(self.error(f"Rate must be 0 to {MONEY_MAX:,}.", "rate"))
        return errors + length_violations(self, self.error)

    def validate(self) -> None:
        """:raise DomainError: (the subclass's ``error``) for the first rule this line breaks."""
        errors = self.violations()
        if errors:
            raise errors[0]


class QuoteLine(ServiceLine, Model):
    __tablename__ = "quote_line"
    __table_args__ = (
        CheckConstraint(_choice_sql("service_type", SERVICE_TYPES), name="ck_quote_line_service"),
    )
    error = QuoteError

    quote_id: Mapped[int] = mapped_column(
        ForeignKey("quote.id", ondelete="CASCADE"), nullable=False, index=True
    )

    quote: Mapped[Quote] = relationship(back_populates="lines")

    @property
    def parent(self) -> Quote | None:
        return self.quote


# ---------------------------------------------------------------- numbering and expiry


def next_number(today: date | None = None, model=None, letter: str = "Q") -> str:
    """The next <letter>-<year>-<nnnn> of ``model`` (quotes by default): the year's highest
    number plus one.

    Quotes and contracts are drafted by people one at a time, and a unique constraint refuses
    a collision; invoices, which must have no gaps under concurrency, get a locked sequence of
    their own.
    """
    column = (model or Quote).number
    year = (today or date.today()).year
    prefix = f"{letter}-{year}-"
    last = _session().scalar(select(func.max(column)).where(column.like(f"{prefix}%")))
    count = int(last.removeprefix(prefix)) if last else 0
    return f"{prefix}{count + 1:04d}"


def expire_quotes(today: date | None = None) -> int:
    """Mark every open quote past its valid-until date as expired; returns how many."""
    today = today or date.today()
    session = _session()
    due = session.scalars(
        select(Quote).where(Quote.status.in_(OPEN_STATUSES), Quote.valid_until < today)
    ).all()
    return sum(1 for quote in due if quote.action_expire(today))


# Who accepted a quote is in their data export; the typed name stays as the proof of the
# agreement (like a consent record), the IP address goes on erasure.
PERSONAL_DATA.append(
    PersonalData(
        "quote_acceptances",
        Quote,
        column_is("accepted_by_contact_id"),
        export=("number", "version", "accepted_at", "accepted_name", "accepted_ip"),
        erase={"accepted_ip": None},
    )
)
