"""What billing stands on: its error types, settings, the calendar of business days and
holidays (due dates), exchange rates to the base currency, and invoice numbering without gaps.

Re-exported by ``billing.py``, where the invoices are.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from flask import current_app, has_app_context
from sqlalchemy import CheckConstraint, Date, Integer, Numeric, String, UniqueConstraint, select
from sqlalchemy.orm import Mapped, mapped_column

from .base import DomainError, Model
from .clients import Client, _session


class BillingError(DomainError):
    """An invoice, credit note, payment or notice breaks a rule of billing."""


class BillingStateError(BillingError):
    """The invoice is not in a status that allows this."""

    status_code = 409


def setting(name: str, default=None):
    """A configuration value, or ``default`` outside an app."""
    if has_app_context():
        return current_app.config.get(name, default)
    return default


def base_currency() -> str:
    return setting("BASE_CURRENCY", "USD")


# ---------------------------------------------------------------- calendar


class Holiday(Model):
    """A day no payment falls due on (a bank holiday): due dates move past it."""

    __tablename__ = "holiday"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    day: Mapped[date] = mapped_column(Date, nullable=False, unique=True)
    name: Mapped[str] = mapped_column(String(100), nullable=False)

    def __str__(self) -> str:
        return f"{self.day:%Y-%m-%d} {self.name}"


def next_business_day(day: date, holidays: set[date] | None = None) -> date:
    """``day`` itself when it is a weekday and no holiday, else the next day that is."""
    if holidays is None:
        holidays = set(
            _session().scalars(
                select(Holiday.day).where(Holiday.day >= day, Holiday.day <= day + timedelta(60))
            )
        )
    while day.weekday() >= 5 or day in holidays:
        day += timedelta(days=1)
    return day


def due_date_for(client: Client, issued_on: date) -> date:
    """The due date of an invoice issued on ``issued_on`` under ``client``'s payment term.

    Net N: N days after issue. MFI (monthly first invoice): N days (0 when unset) after the
    first day of the month following the issue. Immediate: the issue date. Custom or unset:
    ``DEFAULT_PAYMENT_TERM_DAYS`` (30). Then moved to the next business day.
    """
    label, days = client.payment_term_label, client.payment_term_days
    if label == "Immediate":
        due = issued_on
    elif label == "MFI":
        first_of_next = (issued_on.replace(day=1) + timedelta(days=32)).replace(day=1)
        due = first_of_next + timedelta(days=days or 0)
    elif label == "Net" and days:
        due = issued_on + timedelta(days=days)
    else:
        due = issued_on + timedelta(days=int(setting("DEFAULT_PAYMENT_TERM_DAYS", 30)))
    return next_business_day(due)


# ---------------------------------------------------------------- exchange rates and numbers


class ExchangeRate(Model):
    """How many units of the base currency one unit of ``currency`` was worth on ``day``."""

    __tablename__ = "exchange_rate"
    __table_args__ = (
        UniqueConstraint("currency", "day", name="uq_exchange_rate_day"),
        CheckConstraint("rate > 0", name="ck_exchange_rate_positive"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    currency: Mapped[str] = mapped_column(String(3), nullable=False)
    day: Mapped[date] = mapped_column(Date, nullable=False)
    rate: Mapped[Decimal] = mapped_column(Numeric(18, 8), nullable=False)

    def __str__(self) -> str:
        return f"1 {self.currency} = {self.rate} {base_currency()} on {self.day:%Y-%m-%d}"

    @classmethod
    def on(cls, currency: str, day: date) -> Decimal:
        """The rate of ``currency`` on ``day`` (the latest known on or before it).

        :raise BillingError: when no rate is known.
        """
        if currency == base_currency():
            return Decimal(1)
        rate = _session().scalar(
            select(cls.rate)
            .where(cls.currency == currency, cls.day <= day)
            .order_by(cls.day.desc())
            .limit(1)
        )
        if rate is None:
            raise BillingError(
                f"No exchange rate from {currency} to {base_currency()} on or before "
                f"{day:%Y-%m-%d}: add one under Finance › Exchange rates, or type the rate on "
                "the invoice.",
                "exchange_rate",
            )
        return rate


class InvoiceSequence(Model):
    """The last number used by a series (INV, CN) in a year; locked while an invoice is issued."""

    __tablename__ = "invoice_sequence"

    series: Mapped[str] = mapped_column(String(4), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_number: Mapped[int] = mapped_column(Integer, nullable=False, default=0)


def take_number(series: str, year: int) -> str:
    """The next number of ``series`` in ``year``, taken in the caller's transaction.

    The counter row is locked (``SELECT … FOR UPDATE`` on PostgreSQL; SQLite serialises
    writers) until the transaction ends: a concurrent issue waits, and a rolled-back issue gives
    its number back, so numbers have no gaps and no repeats.
    """
    session = _session()
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    session.execute(
        insert(InvoiceSequence)
        .values(series=series, year=year, last_number=0)
        .on_conflict_do_nothing(index_elements=["series", "year"])
    )
    query = select(InvoiceSequence).where(
        InvoiceSequence.series == series, InvoiceSequence.year == year
    )
    counter = session.scalar(query.with_for_update().execution_options(populate_existing=True))
    counter.last_number += 1
    session.flush()
    return f"{series}-{year}-{counter.last_number:05d}"
