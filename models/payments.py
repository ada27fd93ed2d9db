"""Money received: payments against invoices, client credit, online checkouts, statements.

A payment is recorded against one invoice (``Invoice.register_payment``): by Finance for a bank
transfer or a cheque, or by the payment provider's webhook for a card. What is beyond the
invoice's balance is kept as client credit (a ledger per client and currency), which Finance
can apply to another invoice later. A webhook's event id and a provider's payment id are unique
keys, so a replayed or duplicated event records nothing more. The statement of account lists,
for a period and a currency, the opening balance, invoices, credit notes, voids and payments,
and the closing balance (positive: the client owes; negative: the client is in credit).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from flask_appbuilder.security.sqla.models import User
from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    Numeric,
    String,
    UniqueConstraint,
    func,
    select,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship, selectinload

from .activity import record_activity
from .base import Model, UTCDateTime, finite, utcnow
from .billing import ZERO, BillingError, Invoice
from .clients import Client, _choice_sql, _session
from .commercial import money
from .privacy import PERSONAL_DATA, PersonalData, column_is
from .recruiting import MONEY_MAX

if TYPE_CHECKING:
    from .contacts import Contact

PAYMENT_METHODS = ("bank_transfer", "cheque", "card", "cash", "client_credit")
METHOD_LABELS = {
    "bank_transfer": "Bank transfer",
    "cheque": "Cheque",
    "card": "Card (online)",
    "cash": "Cash",
    "client_credit": "Client credit applied",
}
CHECKOUT_STATUSES = ("open", "completed", "expired", "failed")


class Payment(Model):
    """Money received from a client, applied to one invoice (``applied_amount``); the rest of
    ``amount`` went to client credit."""

    __tablename__ = "payment"
    __table_args__ = (
        CheckConstraint(_choice_sql("method", PAYMENT_METHODS), name="ck_payment_method"),
        CheckConstraint("amount > 0", name="ck_payment_amount_positive"),
        UniqueConstraint("provider", "provider_payment_id", name="uq_payment_provider_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("client.id"), nullable=False, index=True)
    invoice_id: Mapped[int | None] = mapped_column(ForeignKey("invoice.id"), index=True)
    amount: Mapped[Decimal] = mapped_column(Numeric(14, 2), nullable=False)
    applied_amount: Mapped[Decimal] = mapped_column(Numeric(14, 2), nullable=False)
    currency: Mapped[str] = mapped_column(String(3), nullable=False)
    method: Mapped[str] = mapped_column(String(16), nullable=False)
    reference: Mapped[str | None] = mapped_column(String(100))
    received_on: Mapped[date] = mapped_column(Date, nullable=False, index=True)
    provider: Mapped[str | None] = mapped_column(String(20))
    provider_payment_id: Mapped[str | None] = mapped_column(String(120))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))

    client: Mapped[Client] = relationship(Client)
    invoice: Mapped[Invoice | None] = relationship(Invoice, back_populates="payments")
    recorded_by: Mapped[User | None] = relationship(User)

    def __str__(self) -> str:
        return f"{self.method_label} {self.currency} {self.amount:,} on {self.received_on}"

    @property
    def method_label(self) -> str:
        return METHOD_LABELS.get(self.method, self.method)

    @property
    def to_credit(self) -> Decimal:
        return self.amount - self.applied_amount

    @classmethod
    def receive(
        cls,
        invoice: Invoice,
        amount,
        method: str,
        currency: str,
        received_on: date | None = None,
        reference: str | None = None,
        by: User | None = None,
        provider: str | None = None,
        provider_payment_id: str | None = None,
    ) -> Payment:
        """Apply ``amount`` to ``invoice`` (call ``Invoice.register_payment``, which settles
        the invoice's status after)."""
        try:
            amount = Decimal(str(amount))
        except ArithmeticError:
            amount = None
        if not finite(amount) or not 0 < amount <= MONEY_MAX:
            raise BillingError(f"Amount must be more than 0 and at most {MONEY_MAX:,}.", "amount")
        if amount != money(amount, currency):
            places = max(-money(Decimal(1), currency).as_tuple().exponent, 0)
            raise BillingError(
                f"Amount may have at most {places} decimals in {currency}.", "amount"
            )
        if method not in PAYMENT_METHODS:
            raise BillingError(f"Method must be one of {', '.join(PAYMENT_METHODS)}.", "method")
        if currency != invoice.currency:
            raise BillingError(
                f"The payment is in {currency} but {invoice} is in {invoice.currency}.",
                "currency",
            )
        received_on = received_on or date.today()
        if received_on > date.today():
            raise BillingError("The date received cannot be in the future.", "received_on")
        applied = min(amount, max(invoice.balance, ZERO))
        if method == "client_credit":
            _lock_client(invoice.client)  # two applications of one credit: the second waits
            available = ClientCredit.balance(invoice.client, currency)
            if amount > available:
                raise BillingError(
                    f"{invoice.client} has {currency} {available:,} of credit: less than "
                    f"{currency} {amount:,}.",
                    "amount",
                )
            if amount > applied:
                raise BillingError(
                    f"Apply at most the balance of {invoice} ({currency} {applied:,}).", "amount"
                )
        payment = cls(
            client=invoice.client,
            invoice=invoice,
            amount=amount,
            applied_amount=applied,
            currency=currency,
            method=method,
            reference=(reference or "").strip()[:100] or None,
            received_on=received_on,
            provider=provider,
            provider_payment_id=provider_payment_id,
            recorded_by=by,
        )
        _session().add(payment)
        invoice.amount_paid = (invoice.amount_paid or 0) + applied
        invoice.balance = invoice.balance - applied
        if method == "client_credit":
            ClientCredit.add(invoice.client, currency, -amount, f"Applied to {invoice}", payment)
        elif amount > applied:
            ClientCredit.add(
                invoice.client, currency, amount - applied, f"Overpayment of {invoice}", payment
            )
        _session().flush()
        summary = f"Payment of {currency} {amount:,} ({payment.method_label}) on {invoice}"
        if amount > applied and method != "client_credit":
            summary += f"; {currency} {amount - applied:,} kept as client credit"
        record_activity(
            _session(),
            "payment",
            summary,
            client_id=invoice.client_id,
            subject_type="invoice",
            subject_id=invoice.id,
            actor=by,
        )
        return payment


def _lock_client(client: Client) -> None:
    """Hold the client's row until the transaction ends (PostgreSQL; SQLite has one writer)."""
    session = _session()
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(Client.id).where(Client.id == client.id).with_for_update())


class ClientCredit(Model):
    """One movement of a client's credit in a currency: + an overpayment or a credit note
    beyond the balance, − credit applied to an invoice."""

    __tablename__ = "client_credit"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("client.id"), nullable=False, index=True)
    currency: Mapped[str] = mapped_column(String(3), nullable=False)
    amount: Mapped[Decimal] = mapped_column(Numeric(14, 2), nullable=False)
    note: Mapped[str] = mapped_column(String(200), nullable=False)
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("payment.id"))
    invoice_id: Mapped[int | None] = mapped_column(ForeignKey("invoice.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)

    client: Mapped[Client] = relationship(Client)

    @classmethod
    def add(cls, client, currency, amount, note, payment=None, invoice=None) -> ClientCredit:
        entry = cls(
            client=client,
            currency=currency,
            amount=amount,
            note=note[:200],
            payment_id=payment.id if payment is not None and payment.id else None,
            invoice_id=invoice.id if invoice is not None else None,
        )
        if payment is not None and payment.id is None:
            _session().flush()
            entry.payment_id = payment.id
        _session().add(entry)
        return entry

    @classmethod
    def balance(cls, client: Client, currency: str) -> Decimal:
        _session().flush()
        total = _session().scalar(
            select(func.coalesce(func.sum(cls.amount), 0)).where(
                cls.client_id == client.id, cls.currency == currency
            )
        )
        return Decimal(total)

    @classmethod
    def balances(cls, client: Client) -> dict[str, Decimal]:
        """Credit per currency, only where there is some."""
        rows = _session().execute(
            select(cls.currency, func.sum(cls.amount))
            .where(cls.client_id == client.id)
            .group_by(cls.currency)
        )
        return {currency: Decimal(total) for currency, total in rows if total}


class PaymentCheckout(Model):
    """An online payment started in the portal: the provider's session and its outcome."""

    __tablename__ = "payment_checkout"
    __table_args__ = (
        CheckConstraint(_choice_sql("status", CHECKOUT_STATUSES), name="ck_checkout_status"),
        UniqueConstraint("provider", "session_id", name="uq_checkout_session"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoice.id"), nullable=False, index=True)
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contact.id"))
    amount: Mapped[Decimal] = mapped_column(Numeric(14, 2), nullable=False)
    currency: Mapped[str] = mapped_column(String(3), nullable=False)
    provider: Mapped[str] = mapped_column(String(20), nullable=False)
    session_id: Mapped[str | None] = mapped_column(String(200))
    url: Mapped[str | None] = mapped_column(String(1000))
    status: Mapped[str] = mapped_column(String(10), nullable=False, default="open")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("payment.id"))

    invoice: Mapped[Invoice] = relationship(Invoice)
    contact: Mapped[Contact | None] = relationship("Contact")
    payment: Mapped[Payment | None] = relationship(Payment)


class ProviderEvent(Model):
    """A webhook event taken from a payment provider: recorded in the same transaction as its
    payment, under a unique key, so a replay or a concurrent duplicate applies once."""

    __tablename__ = "provider_event"
    __table_args__ = (UniqueConstraint("provider", "event_id", name="uq_provider_event"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    provider: Mapped[str] = mapped_column(String(20), nullable=False)
    event_id: Mapped[str] = mapped_column(String(120), nullable=False)
    type: Mapped[str] = mapped_column(String(80), nullable=False)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("payment.id"))


# ---------------------------------------------------------------- statement of account


@dataclass
class StatementLine:
    on: date
    kind: str  # invoice, credit note, void, payment
    reference: str
    description: str
    debit: Decimal = ZERO
    credit: Decimal = ZERO
    balance: Decimal = ZERO


@dataclass
class Statement:
    client: Client
    currency: str
    start: date
    end: date
    opening: Decimal = ZERO
    lines: list[StatementLine] = field(default_factory=list)

    @property
    def closing(self) -> Decimal:
        return self.lines[-1].balance if self.lines else self.opening

    @property
    def invoiced(self) -> Decimal:
        return sum((line.debit for line in self.lines), ZERO)

    @property
    def received(self) -> Decimal:
        return sum((line.credit for line in self.lines), ZERO)


def _movements(client: Client, currency: str) -> list[StatementLine]:
    """Every movement of the client's account in ``currency``, oldest first."""
    session = _session()
    moves = []
    issued = session.scalars(
        select(Invoice).where(
            Invoice.client_id == client.id,
            Invoice.currency == currency,
            Invoice.number.is_not(None),
        )
    )
    for invoice in issued:
        if invoice.kind == "invoice":
            moves.append(
                StatementLine(
                    invoice.issue_date,
                    "invoice",
                    invoice.number,
                    f"Invoice, due {invoice.due_date}",
                    debit=invoice.total,
                )
            )
            if invoice.status == "void":
                moves.append(
                    StatementLine(
                        invoice.voided_at.date(),
                        "void",
                        invoice.number,
                        f"Voided: {invoice.reason}",
                        credit=invoice.total,
                    )
                )
        else:
            moves.append(
                StatementLine(
                    invoice.issue_date,
                    "credit note",
                    invoice.number,
                    f"Credit note on {invoice.credited_invoice.number}",
                    credit=invoice.total,
                )
            )
    payments = session.scalars(
        select(Payment).where(
            Payment.client_id == client.id,
            Payment.currency == currency,
            Payment.method != "client_credit",  # moves credit the statement already counts
        )
    )
    for payment in payments:
        reference = payment.reference or (payment.invoice.number if payment.invoice else "")
        moves.append(
            StatementLine(
                payment.received_on,
                "payment",
                reference,
                f"{payment.method_label} on {payment.invoice.number}",
                credit=payment.amount,
            )
        )
    order = {"invoice": 0, "credit note": 1, "payment": 2, "void": 3}
    return sorted(moves, key=lambda line: (line.on, order[line.kind]))


def statement_of_account(client: Client, start: date, end: date, currency: str | None = None):
    """The client's statement in ``currency`` (its own by default) from ``start`` to ``end``."""
    if start > end:
        raise BillingError("The statement's start must be on or before its end.", "start")
    currency = currency or client.currency or "USD"
    statement = Statement(client, currency, start, end)
    balance = ZERO
    for move in _movements(client, currency):
        if move.on > end:
            break
        balance += move.debit - move.credit
        if move.on < start:
            statement.opening = balance
            continue
        move.balance = balance
        statement.lines.append(move)
    return statement


def payment_history(client: Client, limit: int | None = None) -> list[Payment]:
    """The client's payments, newest first, their invoices loaded with them (one query more,
    not one per payment)."""
    query = (
        select(Payment)
        .where(Payment.client_id == client.id)
        .options(selectinload(Payment.invoice))
        .order_by(Payment.received_on.desc(), Payment.id.desc())
    )
    if limit:
        query = query.limit(limit)
    return list(_session().scalars(query))


# The invoices addressed to a contact and the online payments they started are in their data
# export; erasure leaves them (the books must keep who was invoiced and who paid), as it
# leaves a quote's typed acceptance.
PERSONAL_DATA.append(
    PersonalData(
        "invoices_addressed",
        Invoice,
        column_is("contact_id"),
        export=("number", "issue_date", "currency", "total", "status", "client.name"),
    )
)
PERSONAL_DATA.append(
    PersonalData(
        "online_payments",
        PaymentCheckout,
        column_is("contact_id"),
        export=("invoice.number", "amount", "currency", "status", "created_at"),
    )
)
