"""Invoices and credit notes: lines by kind, tax, currency, numbering without gaps, due dates.

An invoice is drafted (by hand, or proposed from a placement, a retainer stage, a milestone or
logged hours), then issued: it gets the next number of its year (``INV-2026-00001``; credit
notes ``CN-2026-00001``) from a counter row locked in the issuing transaction, so concurrent
issuing never repeats or skips a number; its exchange rate to the agency's base currency is
captured; its due date is the issue date plus the client's payment term, moved to the next
business day over weekends and holidays. An issued invoice never changes: a correction is a
credit note, itself issued and numbered, which lowers the invoice's balance (any excess becomes
client credit). Status: draft → issued → partially_paid → paid, or void. Overdue is derived
from the due date. ``balance`` is kept on the row so the aging report is one SQL query.

Payments, client credit and online checkouts are in ``payments.py``.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from flask_appbuilder.security.sqla.models import User
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    and_,
    select,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import (
    ConstructorDefaults,
    Model,
    TimestampMixin,
    UTCDateTime,
    finite,
    length_violations,
    utcnow,
)

# Re-exported: billing's one import point for its errors, calendar, rates and numbers.
from .billing_terms import (  # noqa: F401
    BillingError,
    BillingStateError,
    ExchangeRate,
    Holiday,
    InvoiceSequence,
    base_currency,
    due_date_for,
    next_business_day,
    setting,
    take_number,
)
from .clients import CURRENCIES, Client, _choice_sql, _session
from .commercial import PERCENT, OnClientTimeline, money
from .recruiting import MONEY_MAX

if TYPE_CHECKING:
    from .contacts import Contact
    from .payments import Payment
    from .projects import Project

INVOICE_KINDS = ("invoice", "credit_note")
INVOICE_STATUSES = ("draft", "issued", "partially_paid", "paid", "void")
OPEN_STATUSES = ("issued", "partially_paid")  # money still owed (or an unapplied credit note)
LINE_KINDS = ("placement_fee", "retainer_stage", "hourly", "expense", "late_fee", "other")
LINE_KIND_LABELS = {
    "placement_fee": "Placement fee",
    "retainer_stage": "Retainer stage",
    "hourly": "Hourly",
    "expense": "Expense",
    "late_fee": "Late payment charge",
    "other": "Other",
}
SERIES = {"invoice": "INV", "credit_note": "CN"}
# What ``update_draft`` may change: the header (lines have their own verbs).
HEADER_FIELDS = (
    "contact",
    "project",
    "business_unit",
    "currency",
    "tax_rate",
    "tax_note",
    "exchange_rate",
    "notes",
)
RATE_MAX = Decimal("100")
EXCHANGE_RATE_MAX = Decimal("9999999999")  # the column is NUMERIC(18, 8)
ZERO = Decimal(0)


# ---------------------------------------------------------------- invoices


class Invoice(OnClientTimeline, ConstructorDefaults, TimestampMixin, Model):
    __tablename__ = "invoice"
    timeline_kind = "invoice"
    __table_args__ = (
        CheckConstraint(_choice_sql("kind", INVOICE_KINDS), name="ck_invoice_kind"),
        CheckConstraint(_choice_sql("status", INVOICE_STATUSES), name="ck_invoice_status"),
        CheckConstraint(
            "kind = 'invoice' OR credited_invoice_id IS NOT NULL", name="ck_invoice_credit_note"
        ),
        UniqueConstraint("source", "kind", name="uq_invoice_source"),
        # The aging report and the collections job read open invoices by due date.
        Index("ix_invoice_open_due", "status", "due_date"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str | None] = mapped_column(String(20), unique=True)
    kind: Mapped[str] = mapped_column(String(12), nullable=False, default="invoice")
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="draft")
    client_id: Mapped[int] = mapped_column(ForeignKey("client.id"), nullable=False, index=True)
    # Whom the invoice is addressed to; empty: the client's billing contacts.
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contact.id"))
    project_id: Mapped[int | None] = mapped_column(ForeignKey("recruitment_project.id"), index=True)
    business_unit: Mapped[str | None] = mapped_column(String(60))
    credited_invoice_id: Mapped[int | None] = mapped_column(ForeignKey("invoice.id"), index=True)
    # What proposed the draft ("placement:12", "guarantee:12", "milestone:4"…): one per kind.
    source: Mapped[str | None] = mapped_column(String(60))
    currency: Mapped[str] = mapped_column(String(3), nullable=False, default="USD")
    # Units of the base currency per unit of ``currency``, captured at issue.
    exchange_rate: Mapped[Decimal | None] = mapped_column(Numeric(18, 8))
    tax_rate: Mapped[Decimal] = mapped_column(Numeric(5, 2), nullable=False, default=ZERO)
    tax_note: Mapped[str | None] = mapped_column(String(200))
    issue_date: Mapped[date | None] = mapped_column(Date)
    due_date: Mapped[date | None] = mapped_column(Date)
    subtotal: Mapped[Decimal] = mapped_column(Numeric(14, 2), nullable=False, default=ZERO)
    tax_amount: Mapped[Decimal] = mapped_column(Numeric(14, 2), nullable=False, default=ZERO)
    total: Mapped[Decimal] = mapped_column(Numeric(14, 2), nullable=False, default=ZERO)
    amount_paid: Mapped[Decimal] = mapped_column(Numeric(14, 2), nullable=False, default=ZERO)
    amount_credited: Mapped[Decimal] = mapped_column(Numeric(14, 2), nullable=False, default=ZERO)
    # Still owed: total − paid − credited (an issued credit note: what is left to apply).
    balance: Mapped[Decimal] = mapped_column(Numeric(14, 2), nullable=False, default=ZERO)
    notes: Mapped[str | None] = mapped_column(Text)
    reason: Mapped[str | None] = mapped_column(String(500))  # a credit note's or a void's
    disputed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    dispute_reason: Mapped[str | None] = mapped_column(String(500))
    issued_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    voided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))

    client: Mapped[Client] = relationship(Client, lazy="joined")
    contact: Mapped[Contact | None] = relationship("Contact")
    project: Mapped[Project | None] = relationship("Project")
    credited_invoice: Mapped[Invoice | None] = relationship(
        "Invoice", remote_side=[id], back_populates="credit_notes"
    )
    credit_notes: Mapped[list[Invoice]] = relationship(
        "Invoice", back_populates="credited_invoice", order_by="Invoice.id"
    )
    lines: Mapped[list[InvoiceLine]] = relationship(
        back_populates="invoice", cascade="all, delete-orphan", order_by="InvoiceLine.position"
    )
    payments: Mapped[list[Payment]] = relationship(
        "Payment", back_populates="invoice", order_by="Payment.id"
    )
    issued_by: Mapped[User | None] = relationship(User, foreign_keys=[issued_by_id])
    created_by: Mapped[User | None] = relationship(User, foreign_keys=[created_by_id])

    def __str__(self) -> str:
        label = "Credit note" if self.kind == "credit_note" else "Invoice"
        return f"{label} {self.number or f'draft #{self.id}'}"

    @property
    def reference(self) -> str:
        return self.number or f"draft #{self.id}"

    # ------------------------------------------------------------ derived

    @property
    def is_draft(self) -> bool:
        return self.status == "draft"

    @property
    def is_open(self) -> bool:
        return self.kind == "invoice" and self.status in OPEN_STATUSES and self.balance > 0

    @property
    def is_disputed(self) -> bool:
        return self.disputed_at is not None

    @classmethod
    def open_clause(cls):
        """SQL: an invoice with money still owed (what ``is_open`` says of one)."""
        return and_(cls.kind == "invoice", cls.status.in_(OPEN_STATUSES), cls.balance > 0)

    @classmethod
    def overdue_clause(cls, today: date | None = None):
        """SQL: an open invoice past its due date (what ``is_overdue`` says of one)."""
        return and_(cls.open_clause(), cls.due_date < (today or date.today()))

    def is_overdue(self, today: date | None = None) -> bool:
        today = today or date.today()
        return self.is_open and self.due_date is not None and self.due_date < today

    def days_overdue(self, today: date | None = None) -> int:
        today = today or date.today()
        if not self.is_open or self.due_date is None:
            return 0
        return max((today - self.due_date).days, 0)

    def display_status(self, today: date | None = None) -> str:
        return "overdue" if self.is_overdue(today) else self.status

    @property
    def in_base_currency(self) -> Decimal | None:
        """The total in the base currency at the rate captured at issue (None for a draft)."""
        if self.exchange_rate is None:
            return None
        return money(self.total * self.exchange_rate, base_currency())

    def compute_totals(self) -> None:
        """Subtotal, tax and total from the lines (drafts only; an issued invoice keeps its)."""
        subtotal = money(sum((line.amount for line in self.lines), ZERO), self.currency)
        taxable = sum((line.amount for line in self.lines if line.taxable), ZERO)
        self.subtotal = subtotal
        self.tax_amount = money(taxable * (self.tax_rate or 0) / PERCENT, self.currency)
        self.total = self.subtotal + self.tax_amount
        self.balance = self.total - (self.amount_paid or 0) - (self.amount_credited or 0)

    # ------------------------------------------------------------ rules

    def violations(self) -> list[BillingError]:
        errors = []
        if self.kind not in INVOICE_KINDS:
            errors.append(BillingError("Kind must be invoice or credit_note.", "kind"))
        if self.currency not in CURRENCIES:
            errors.append(
                BillingError("Currency must be an ISO 4217 code such as USD.", "currency")
            )
        if not finite(self.tax_rate) or not ZERO <= self.tax_rate <= RATE_MAX:
            errors.append(BillingError("Tax rate must be a percentage from 0 to 100.", "tax_rate"))
        if self.exchange_rate is not None and (
            not finite(self.exchange_rate) or self.exchange_rate <= 0
        ):
            errors.append(BillingError("Exchange rate must be more than 0.", "exchange_rate"))
        elif self.exchange_rate is not None and self.exchange_rate > EXCHANGE_RATE_MAX:
            errors.append(
                BillingError(
                    f"Exchange rate must be at most {EXCHANGE_RATE_MAX:,}.", "exchange_rate"
                )
            )
        if (
            self.client is not None
            and self.contact is not None
            and all(link.client_id != self.client.id for link in self.contact.client_links)
        ):
            errors.append(
                BillingError("The contact must be one of this client's contacts.", "contact")
            )
        units = setting("BUSINESS_UNITS")
        if self.business_unit and units is not None and self.business_unit not in units:
            errors.append(
                BillingError(f"Business unit must be one of: {', '.join(units)}.", "business_unit")
            )
        if (
            self.client is not None
            and self.project is not None
            and self.project.client_id != self.client.id
        ):
            errors.append(BillingError("The project must be one of this client's.", "project"))
        errors += length_violations(self, BillingError)
        return errors

    def validate(self) -> None:
        """:raise BillingError: for the first rule this invoice breaks."""
        errors = self.violations()
        if errors:
            raise errors[0]

    def _require(self, *statuses: str, doing: str) -> None:
        if self.status not in statuses:
            raise BillingStateError(
                f"{self} is {self.status.replace('_', ' ')}: only a "
                f"{' or '.join(s.replace('_', ' ') for s in statuses)} one can be {doing}.",
                "status",
            )

    # ------------------------------------------------------------ verbs

    @classmethod
    def draft_for(cls, client: Client, by: User | None = None, **fields) -> Invoice:
        """A new draft for ``client`` in its currency, with the tax its location calls for:
        ``VAT_RATE`` for a Local client, zero-rated with the reason printed for a Foreign one."""
        fields.setdefault("currency", client.currency or base_currency())
        if "tax_rate" not in fields:
            if client.location == "Foreign":
                fields["tax_rate"] = ZERO
                fields.setdefault("tax_note", setting("ZERO_RATED_REASON", ZERO_RATED_REASON))
            else:
                fields["tax_rate"] = Decimal(str(setting("VAT_RATE", "12.00")))
        invoice = cls(client=client, created_by=by, **fields)
        invoice.validate()
        _session().add(invoice)
        return invoice

    def update_draft(self, by: User | None = None, **fields) -> None:
        """Change a draft's header (``HEADER_FIELDS``); totals follow the tax rate.

        :raise BillingStateError: when it is no longer a draft.
        :raise BillingError: for a field that is not the header's, or a value a rule refuses.
        """
        self._require("draft", doing="changed (issue a credit note instead)")
        unknown = [name for name in fields if name not in HEADER_FIELDS]
        if unknown:
            raise BillingError(
                f"{unknown[0]} is not a field of an invoice's header: change only "
                f"{', '.join(HEADER_FIELDS)}.",
                unknown[0],
            )
        for name, value in fields.items():
            setattr(self, name, value)
        self.compute_totals()
        self.validate()

    def add_line(
        self,
        description: str,
        unit_price,
        quantity=1,
        kind: str = "other",
        percent=None,
        taxable: bool = True,
    ) -> InvoiceLine:
        """Add a line to a draft; totals follow. :raise BillingError: for a bad value."""
        self._require("draft", doing="changed (issue a credit note instead)")
        line = InvoiceLine(
            kind=kind,
            description=(description or "").strip(),
            quantity=Decimal(str(quantity)) if quantity is not None else None,
            unit_price=Decimal(str(unit_price)) if unit_price is not None else None,
            percent=Decimal(str(percent)) if percent not in (None, "") else None,
            taxable=taxable,
            position=len(self.lines) + 1,
        )
        line.validate()
        self.lines.append(line)
        self.compute_totals()
        return line

    def remove_line(self, line: InvoiceLine) -> None:
        self._require("draft", doing="changed (issue a credit note instead)")
        self.lines.remove(line)
        for position, kept in enumerate(self.lines, start=1):
            kept.position = position
        self.compute_totals()

    def issue(self, by: User | None = None, today: date | None = None) -> None:
        """Number it, capture the exchange rate and the due date, and lock it against change.

        An issued credit note is applied at once to its invoice (any excess is client credit).
        :raise BillingError: when it has no lines, a total of 0 or less, or no exchange rate.
        """
        self._require("draft", doing="issued")
        today = today or date.today()
        self.validate()
        if not self.lines:
            raise BillingError(f"{self} has no lines: add at least one before issuing.", "lines")
        self.compute_totals()
        if self.total <= 0:
            raise BillingError("The total must be more than 0 to issue.", "lines")
        if self.kind == "credit_note":
            self.credited_invoice._check_credit(self.total)
        if self.exchange_rate is None:
            self.exchange_rate = ExchangeRate.on(self.currency, today)
        self.issue_date = today
        if self.kind == "credit_note":
            self.due_date = today
        else:
            self.due_date = due_date_for(self.client, today)
        self.number = take_number(SERIES[self.kind], today.year)
        self.status = "issued"
        self.issued_at = utcnow()
        self.issued_by = by
        self._log(by, f"{self} issued ({self.currency} {self.total:,}, due {self.due_date})")
        if self.kind == "credit_note":
            self.credited_invoice.apply_credit_note(self, by)

    def void(self, reason: str, by: User | None = None) -> None:
        """Void a draft, or an issued invoice nothing was paid or credited on; its number stays
        used (shown as void), so the series has no gap."""
        if (self.amount_paid or 0) > 0 or (self.amount_credited or 0) > 0:
            raise BillingStateError(
                f"{self} has payments or credit notes: issue a credit note instead.", "status"
            )
        self._require("draft", "issued", doing="voided")
        if any(note.status == "draft" for note in self.credit_notes):
            raise BillingStateError(
                f"{self} has a draft credit note: void that first, then this invoice.", "status"
            )
        if not (reason or "").strip():
            raise BillingError("Give the reason for voiding.", "reason")
        self.status = "void"
        self.reason = reason.strip()[:500]
        self.balance = ZERO
        self.voided_at = utcnow()
        self._log(by, f"{self} voided: {self.reason}")
        if self.kind == "invoice" and self.id is not None:
            from .collections import close_notices  # collections imports this module

            close_notices(self, "invoice voided")

    def draft_credit_note(
        self, reason: str, by: User | None = None, amount=None, description: str | None = None
    ) -> Invoice:
        """A draft credit note against this issued invoice: for ``amount`` (before tax), or
        the whole invoice's lines when no amount is given."""
        if self.kind != "invoice" or self.status not in ("issued", "partially_paid", "paid"):
            raise BillingStateError(
                f"{self} is {self.status}: only an issued invoice can be credited.", "status"
            )
        if not (reason or "").strip():
            raise BillingError("Give the reason for the credit note.", "reason")
        if amount is not None and (not finite(Decimal(str(amount))) or Decimal(str(amount)) <= 0):
            raise BillingError("The amount of a credit note must be more than 0.", "amount")
        note = Invoice(
            kind="credit_note",
            client=self.client,
            contact=self.contact,
            project=self.project,
            business_unit=self.business_unit,
            credited_invoice=self,
            currency=self.currency,
            tax_rate=self.tax_rate,
            tax_note=self.tax_note,
            exchange_rate=self.exchange_rate,
            reason=reason.strip()[:500],
            created_by=by,
        )
        _session().add(note)
        if amount is None:
            for line in self.lines:
                note.add_line(
                    line.description,
                    line.unit_price,
                    line.quantity,
                    line.kind,
                    line.percent,
                    line.taxable,
                )
        else:
            note.add_line(description or f"Credit against {self.number}: {reason}", amount)
        self._check_credit(note.total)
        return note

    def _check_credit(self, amount: Decimal) -> None:
        """A credit of ``amount`` fits: this invoice is issued (not void) and not credited
        beyond its total. Checked when a credit note is drafted and again, under the row lock,
        when it is issued (two drafts must not credit the invoice twice)."""
        self._lock_balance()
        if self.status not in ("issued", "partially_paid", "paid"):
            raise BillingStateError(
                f"{self} is {self.status}: only an issued invoice can be credited.", "status"
            )
        left = self.total - (self.amount_credited or 0)
        if amount > left:
            raise BillingError(
                f"A credit note may not exceed what is left of {self.number} to credit "
                f"({self.currency} {left:,}).",
                "amount",
            )

    def apply_credit_note(self, note: Invoice, by: User | None = None) -> None:
        """Lower this invoice's balance by an issued credit note; what is beyond the balance
        (the invoice was already paid) becomes client credit."""
        from .payments import ClientCredit

        self._lock_balance()
        applied = min(note.total, max(self.balance, ZERO))
        self.amount_credited = (self.amount_credited or 0) + note.total
        self.balance = self.balance - applied
        excess = note.total - applied
        if excess > 0:
            ClientCredit.add(
                self.client,
                self.currency,
                excess,
                f"{note.number} beyond the balance of {self.number}",
                invoice=note,
            )
        note.balance = ZERO
        note.status = "paid"
        note.paid_at = utcnow()
        self._settle()
        self._log(by, f"{note} applied to {self}: {self.currency} {note.total:,}")

    def register_payment(
        self,
        amount,
        method: str,
        received_on: date | None = None,
        reference: str | None = None,
        by: User | None = None,
        provider: str | None = None,
        provider_payment_id: str | None = None,
        currency: str | None = None,
    ) -> Payment:
        """Record money received against this invoice; an overpayment is kept as client credit.

        :raise BillingError: for an amount of 0 or less, another currency, or an invoice that is
        not open.
        """
        from .payments import Payment

        self._lock_balance()
        self._require("issued", "partially_paid", "paid", doing="paid")
        if self.kind != "invoice":
            raise BillingStateError("A credit note is not paid.", "kind")
        payment = Payment.receive(
            self,
            amount=amount,
            method=method,
            received_on=received_on,
            reference=reference,
            by=by,
            provider=provider,
            provider_payment_id=provider_payment_id,
            currency=currency or self.currency,
        )
        self._settle()
        return payment

    def _lock_balance(self) -> None:
        """Lock this invoice's row and re-read it (PostgreSQL), so that two payments or a
        payment and a credit note at the same moment never both start from the same balance;
        the second waits for the first's commit. Skipped when it has unsaved changes (they
        are this transaction's own) or on SQLite, which lets one writer in at a time."""
        session = _session()
        if (
            self.id is None
            or session.get_bind().dialect.name != "postgresql"
            or session.is_modified(self)
        ):
            return
        session.scalar(
            select(Invoice)
            .where(Invoice.id == self.id)
            .with_for_update(of=Invoice)
            .execution_options(populate_existing=True)
        )

    def _settle(self) -> None:
        """Status from the balance: paid at 0, partially paid when something came in."""
        if self.kind != "invoice" or self.status in ("draft", "void"):
            return
        if self.balance <= 0:
            from .collections import close_paid_notices  # collections imports this module

            self.status = "paid"
            self.paid_at = self.paid_at or utcnow()
            close_paid_notices(self)
        elif (self.amount_paid or 0) > 0 or (self.amount_credited or 0) > 0:
            self.status = "partially_paid"
        else:
            self.status = "issued"

    def dispute(self, reason: str, by=None) -> None:
        """The client disputes the invoice: collection notices and late charges pause."""
        if not self.is_open:
            raise BillingStateError(f"{self} is not open: there is nothing to dispute.", "status")
        if not (reason or "").strip():
            raise BillingError("Give the reason for the dispute.", "dispute_reason")
        self.disputed_at = utcnow()
        self.dispute_reason = reason.strip()[:500]
        self._log(by, f"{self} disputed: {self.dispute_reason}")
        from .collections import pause_notices

        pause_notices(self)

    def resolve_dispute(self, by=None) -> None:
        if not self.is_disputed:
            raise BillingStateError(f"{self} is not disputed.", "status")
        self.disputed_at = None
        self._log(by, f"Dispute of {self} resolved")
        from .collections import resume_notices

        resume_notices(self)


ZERO_RATED_REASON = (
    "Zero-rated: services supplied to a client established outside the agency's country "
    "(export of services)."
)


class InvoiceLine(ConstructorDefaults, Model):
    """One line: ``quantity × unit_price``, or for a percentage fee ``percent`` % of
    ``unit_price`` (a placement fee of 20 % of a salary of 100,000 is 20,000)."""

    __tablename__ = "invoice_line"
    __table_args__ = (
        CheckConstraint(_choice_sql("kind", LINE_KINDS), name="ck_invoice_line_kind"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    invoice_id: Mapped[int] = mapped_column(
        ForeignKey("invoice.id", ondelete="CASCADE"), nullable=False, index=True
    )
    position: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    kind: Mapped[str] = mapped_column(String(16), nullable=False, default="other")
    description: Mapped[str] = mapped_column(String(500), nullable=False)
    quantity: Mapped[Decimal] = mapped_column(Numeric(12, 2), nullable=False, default=Decimal(1))
    unit_price: Mapped[Decimal] = mapped_column(Numeric(14, 2), nullable=False)
    percent: Mapped[Decimal | None] = mapped_column(Numeric(6, 3))
    taxable: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)

    invoice: Mapped[Invoice] = relationship(back_populates="lines")

    @property
    def amount(self) -> Decimal:
        currency = self.invoice.currency if self.invoice is not None else "USD"
        value = (self.quantity or 0) * (self.unit_price or 0)
        if self.percent is not None:
            value = value * self.percent / PERCENT
        return money(value, currency)

    @property
    def kind_label(self) -> str:
        return LINE_KIND_LABELS.get(self.kind, self.kind)

    def violations(self) -> list[BillingError]:
        errors = []
        if self.kind not in LINE_KINDS:
            errors.append(
                BillingError(f"Line kind must be one of {', '.join(LINE_KINDS)}.", "kind")
            )
        if not (self.description or "").strip():
            errors.append(BillingError("Description is required.", "description"))
        if not finite(self.quantity) or not 0 < self.quantity <= Decimal("9999999999"):
            errors.append(BillingError("Quantity must be more than 0.", "quantity"))
        if not finite(self.unit_price) or not 0 <= self.unit_price <= MONEY_MAX:
            errors.append(BillingError(f"Unit price must be 0 to {MONEY_MAX:,}.", "unit_price"))
        if self.percent is not None and (
            not finite(self.percent) or not 0 < self.percent <= RATE_MAX
        ):
            errors.append(BillingError("Percent must be more than 0 and at most 100.", "percent"))
        errors += length_violations(self, BillingError)
        return errors

    def validate(self) -> None:
        errors = self.violations()
        if errors:
            raise errors[0]
