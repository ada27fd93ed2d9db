"""Online payment: a checkout started in the portal, and the provider's verified events.

``start_checkout`` checks the amount a contact wants to pay (more than 0, at most the balance,
the currency's decimals) and opens a ``PaymentCheckout``; ``attach_checkout`` keeps the
provider's session. ``apply_provider_payment`` records a verified "paid" event: the
``ProviderEvent`` and the card payment (``Invoice.register_payment``) in the caller's one
transaction, under the unique keys ``uq_provider_event`` and ``uq_payment_provider_id``, so a
replayed or duplicated event applies once. ``expire_checkout`` closes one left unpaid. The
provider's HTTP side is ``jobs/payment_providers.py``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import select

from .base import finite, utcnow
from .billing import BillingError, BillingStateError, Invoice
from .clients import _session
from .commercial import money
from .payments import Payment, PaymentCheckout, ProviderEvent

if TYPE_CHECKING:
    from .contacts import Contact


def start_checkout(
    invoice: Invoice, amount, provider: str, contact: Contact | None = None
) -> PaymentCheckout:
    """A new open checkout of ``amount`` (text as typed, or a Decimal) of ``invoice``'s balance;
    the caller asks the provider for its page, then calls ``attach_checkout``. Nothing is paid yet.

    :raise BillingStateError: when the invoice is not open (paid, void, a credit note).
    :raise BillingError: (field ``amount``) for an amount that is not a number, is 0 or less,
        has more decimals than the currency, or is more than the balance.
    """
    if not invoice.is_open:
        raise BillingStateError(f"{invoice} has nothing left to pay.", "status")
    try:
        value = Decimal(str(amount).strip().replace(",", ""))
    except ArithmeticError:
        value = None
    currency = invoice.currency
    if not finite(value):
        raise BillingError("Amount must be a number, such as 1500.00.", "amount")
    if value <= 0:
        raise BillingError("Amount must be more than 0.", "amount")
    if value > invoice.balance:
        raise BillingError(
            f"Amount may be at most the open balance, {currency} {invoice.balance:,}.", "amount"
        )
    if value != money(value, currency):
        places = max(-money(Decimal(1), currency).as_tuple().exponent, 0)
        raise BillingError(f"Amount may have at most {places} decimals in {currency}.", "amount")
    checkout = PaymentCheckout(
        invoice=invoice,
        contact=contact,
        amount=money(value, currency),
        currency=currency,
        provider=provider,
        status="open",
    )
    _session().add(checkout)
    _session().flush()
    return checkout


def attach_checkout(checkout: PaymentCheckout, session_id: str, url: str) -> None:
    """Keep the provider's session id (the webhook finds the checkout by it) and page URL."""
    checkout.session_id = session_id[:200]
    checkout.url = url[:1000]


def apply_provider_payment(
    *,
    provider: str,
    event_id: str,
    event_type: str,
    session_id: str | None,
    payment_id: str | None,
    amount: Decimal,
    currency: str,
    invoice_id: str | int | None = None,
) -> Payment | None:
    """Apply a verified "paid" event of ``provider``: record the event and, the first time its
    payment is seen, the card payment on the checkout's invoice (beyond the balance: client
    credit), all in the caller's transaction. Returns None when the event, or another event for
    the same payment, was applied before: nothing more is recorded.

    :raise BillingError: when no checkout has ``session_id``, it is for another invoice than
        ``invoice_id``, or the currency differs from the invoice's.
    :raise ConcurrentChangeError: (when flushed) a simultaneous delivery of the same event or
        payment won the unique key; it is applied already.
    """
    session = _session()
    seen = select(ProviderEvent.id).where(
        ProviderEvent.provider == provider, ProviderEvent.event_id == event_id
    )
    if session.scalar(seen) is not None:
        return None
    checkout = session.scalar(
        select(PaymentCheckout)
        .where(PaymentCheckout.provider == provider, PaymentCheckout.session_id == session_id)
        .with_for_update()
    )
    if checkout is None:
        raise BillingError(f"No checkout has the session {session_id!r}.", "session_id")
    if invoice_id is not None and str(invoice_id) != str(checkout.invoice_id):
        raise BillingError("The event's invoice is not its checkout's.", "invoice_id")
    if not payment_id:
        raise BillingError("The event names no payment.", "payment_id")
    event = ProviderEvent(provider=provider, event_id=event_id[:120], type=event_type[:80])
    session.add(event)
    earlier = session.scalar(
        select(Payment).where(
            Payment.provider == provider, Payment.provider_payment_id == payment_id
        )
    )
    if earlier is not None:
        event.payment_id = earlier.id
        session.flush()
        return None
    # The invoice's balance is read and written here: a simultaneous manual payment waits.
    invoice = session.scalar(
        select(Invoice)
        .where(Invoice.id == checkout.invoice_id)
        .with_for_update(of=Invoice)
        .execution_options(populate_existing=True)
    )
    card = {
        "method": "card",
        "reference": f"Online card payment {payment_id}"[:100],
        "provider": provider,
        "provider_payment_id": payment_id[:120],
        "currency": currency,
    }
    if invoice.status == "void":
        # Voided while the client was on the provider's page: the money was taken all the
        # same, so it is recorded, and kept whole as the client's credit.
        payment = Payment.receive(invoice, amount=amount, **card)
    else:
        payment = invoice.register_payment(amount, **card)
    event.payment_id = payment.id
    checkout.status = "completed"
    checkout.completed_at = utcnow()
    checkout.payment = payment
    session.flush()
    return payment


def expire_checkout(provider: str, session_id: str | None) -> bool:
    """The provider's page for an open checkout expired unpaid: the checkout is closed (its
    return page says so). False when there is no such open checkout; the caller commits."""
    checkout = _session().scalar(
        select(PaymentCheckout).where(
            PaymentCheckout.provider == provider,
            PaymentCheckout.session_id == session_id,
            PaymentCheckout.status == "open",
        )
    )
    if checkout is None:
        return False
    checkout.status = "expired"
    return True
