"""Late payment charges on overdue invoices, under the client's policy (seed 001).

``none``: no charge. ``flat``: each collection notice adds the client's ``late_fee_amount``.
``interest``: statutory interest counted by day from the due date on the balance still open,
at ``LATE_INTEREST_REFERENCE_RATE`` + ``LATE_INTEREST_MARGIN`` % a year (actual/365); the
balance history is rebuilt from the invoice's payments and credit notes, so a partial payment
lowers the interest from the day it was received. Each notice records the interest accrued
since the previous one, so the notices add up to the interest to date. While the invoice is
disputed nothing accrues. ``bill_late_charges`` puts the charges not billed yet on a draft
invoice of ``late_fee`` lines, once.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from flask_appbuilder.security.sqla.models import User
from sqlalchemy import select

from .billing import ZERO, BillingError, Invoice, setting
from .clients import _session
from .commercial import PERCENT, money

if TYPE_CHECKING:
    from .collections import CollectionNotice

DAYS_IN_YEAR = Decimal(365)


def interest_rate() -> Decimal:
    """The yearly rate in %: the reference rate plus the margin."""
    reference = Decimal(str(setting("LATE_INTEREST_REFERENCE_RATE", "4.00")))
    return reference + Decimal(str(setting("LATE_INTEREST_MARGIN", "8.00")))


def balance_changes(invoice: Invoice) -> list[tuple[date, Decimal]]:
    """What lowered the balance and when: payments applied and credit notes issued."""
    changes = [(p.received_on, p.applied_amount) for p in invoice.payments if p.applied_amount]
    changes += [
        (note.issue_date, note.total)
        for note in invoice.credit_notes
        if note.issue_date is not None and note.status not in ("draft", "void")
    ]
    return sorted(changes, key=lambda change: change[0])


def late_interest(invoice: Invoice, as_of: date) -> Decimal:
    """Interest on ``invoice``'s open balance from its due date to ``as_of`` (a Decimal in the
    currency's minor unit): Σ balance × rate/100 × days/365 over the periods between balance
    changes. A change on day N lowers the balance from day N on. Stops at a dispute."""
    if invoice.due_date is None or invoice.kind != "invoice":
        return ZERO
    if invoice.disputed_at is not None:
        as_of = min(as_of, invoice.disputed_at.date())
    if as_of <= invoice.due_date:
        return ZERO
    rate = interest_rate() / PERCENT
    balance, start, interest = invoice.total, invoice.due_date, ZERO
    for day, amount in balance_changes(invoice):
        if day > start:
            end = min(day, as_of)
            interest += max(balance, ZERO) * rate * (end - start).days / DAYS_IN_YEAR
            start = end
        if day >= as_of:
            break
        balance -= amount
    if as_of > start:
        interest += max(balance, ZERO) * rate * (as_of - start).days / DAYS_IN_YEAR
    return money(interest, invoice.currency)


def charge_for(invoice: Invoice, earlier: list[CollectionNotice], today: date) -> Decimal:
    """The late charge a new notice on ``invoice`` records under the client's policy."""
    client = invoice.client
    policy = client.late_fee_policy or "none"
    if policy == "flat":
        return money(client.late_fee_amount or ZERO, invoice.currency)
    if policy == "interest":
        charged = sum((n.late_charge or ZERO for n in earlier), ZERO)
        return max(late_interest(invoice, today) - charged, ZERO)
    return ZERO


def unbilled_charges(invoice: Invoice, lock: bool = False) -> list[CollectionNotice]:
    """The notices of ``invoice`` whose late charge is not on an invoice yet."""
    from .collections import CollectionNotice

    query = (
        select(CollectionNotice)
        .where(
            CollectionNotice.invoice_id == invoice.id,
            CollectionNotice.late_charge > 0,
            CollectionNotice.late_charge_invoice_id.is_(None),
        )
        .order_by(CollectionNotice.level)
    )
    if lock and _session().get_bind().dialect.name == "postgresql":
        query = query.with_for_update(of=CollectionNotice).execution_options(populate_existing=True)
    return list(_session().scalars(query).unique())


def bill_late_charges(invoice: Invoice, by: User | None = None) -> Invoice:
    """A draft invoice to the same client with one ``late_fee`` line per charge not billed yet;
    the notices point at it, so a charge is billed once (the caller commits).

    :raise BillingError: when there is nothing left to bill.
    """
    notices = unbilled_charges(invoice, lock=True)
    if not notices:
        raise BillingError(
            f"{invoice} has no late charges left to bill (none recorded, or billed already).",
            "late_charge",
        )
    policy = invoice.client.late_fee_policy
    draft = Invoice.draft_for(
        invoice.client,
        by,
        currency=invoice.currency,
        contact=invoice.contact,
        project=invoice.project,
        business_unit=invoice.business_unit,
        notes=f"Late payment charges on {invoice.number}.",
    )
    for notice in notices:
        basis = (
            f"interest at {interest_rate()}% a year" if policy == "interest" else "late payment fee"
        )
        draft.add_line(
            f"{notice.level_label} on {invoice.number}, {notice.days_overdue} days overdue: "
            f"{basis}",
            notice.late_charge,
            kind="late_fee",
            taxable=False,  # a charge for late payment is not a supply of services
        )
        notice.late_charge_invoice = draft
    _session().flush()
    invoice._log(by, f"Late charges on {invoice} billed on {draft} ({draft.total:,})")
    return draft
