"""Online payment providers: start a hosted checkout for an invoice, and read their webhooks.

A provider does two things, both at its HTTP boundary and nothing else (the models decide what
a payment does): ``create_checkout`` asks the provider for a hosted payment page for an amount
of an invoice, and ``parse_webhook`` verifies a webhook's signature over the raw body and reads
the event into a ``WebhookEvent``. ``StripeProvider`` does it with the official ``stripe``
package (Checkout Sessions, ``Webhook.construct_event`` with its 300 s tolerance), against
``STRIPE_API_BASE`` so that tests (and a Stripe mock) can stand in for api.stripe.com.
``configured_provider()`` is the provider of this deployment, or None when none is configured.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal

import stripe
from flask import current_app

# Currencies without a minor unit at Stripe: amounts are sent in whole units.
# https://docs.stripe.com/currencies#zero-decimal
ZERO_DECIMAL = frozenset("BIF CLP DJF GNF JPY KMF KRW MGA PYG RWF UGX VND VUV XAF XOF XPF".split())
WEBHOOK_TOLERANCE_SECONDS = 300


class PaymentProviderError(Exception):
    """The provider refused the request or could not be reached; ``message`` says which."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class WebhookError(PaymentProviderError):
    """A webhook that is unsigned, wrongly signed, too old, or not JSON: nothing is applied."""


@dataclass(frozen=True)
class Checkout:
    """The provider's hosted payment page for one checkout."""

    session_id: str
    url: str


@dataclass(frozen=True)
class WebhookEvent:
    """A verified provider event, with what a payment needs when it is one."""

    event_id: str
    type: str
    session_id: str | None = None
    payment_id: str | None = None  # the provider's payment (Stripe: the PaymentIntent)
    amount: Decimal | None = None  # in major units, e.g. Decimal("1500.00")
    currency: str | None = None  # upper-case ISO code
    paid: bool = False
    metadata: dict = field(default_factory=dict)


def to_minor_units(amount: Decimal, currency: str) -> int:
    """Decimal("1500.25") USD -> 150025; Decimal("1500") JPY -> 1500."""
    if currency.upper() in ZERO_DECIMAL:
        return int(amount)
    return int((amount * 100).to_integral_value())


def from_minor_units(value: int, currency: str) -> Decimal:
    """150025 USD -> Decimal("1500.25"); 1500 JPY -> Decimal("1500.00")."""
    if currency.upper() in ZERO_DECIMAL:
        return Decimal(value).quantize(Decimal("0.01"))
    return (Decimal(value) / 100).quantize(Decimal("0.01"))


class PaymentProvider:
    """What the portal and the webhook need of a payment provider."""

    name: str = ""

    def create_checkout(
        self,
        *,
        invoice,
        amount: Decimal,
        checkout_id: int,
        success_url: str,
        cancel_url: str,
        email: str | None = None,
    ) -> Checkout:
        """A hosted payment page for ``amount`` of ``invoice`` (in its currency).

        :raise PaymentProviderError: when the provider refuses or cannot be reached.
        """
        raise NotImplementedError

    def parse_webhook(self, payload: bytes, signature: str | None) -> WebhookEvent:
        """The event in ``payload``, once its signature is verified.

        :raise WebhookError: for an unsigned, tampered or stale body, or one that is not JSON.
        """
        raise NotImplementedError


class StripeProvider(PaymentProvider):
    """Stripe Checkout through the official package, at ``api_base`` (tests: a local stub)."""

    name = "stripe"

    def __init__(self, secret_key: str, webhook_secret: str, api_base: str):
        self.webhook_secret = webhook_secret
        self.client = stripe.StripeClient(
            secret_key, base_addresses={"api": api_base}, max_network_retries=1
        )

    def create_checkout(
        self, *, invoice, amount, checkout_id, success_url, cancel_url, email=None
    ) -> Checkout:
        metadata = {"invoice_id": str(invoice.id), "checkout_id": str(checkout_id)}
        params = {
            "mode": "payment",
            "client_reference_id": str(checkout_id),
            "success_url": success_url,
            "cancel_url": cancel_url,
            "metadata": metadata,
            "payment_intent_data": {"metadata": metadata},
            "line_items": [
                {
                    "quantity": 1,
                    "price_data": {
                        "currency": invoice.currency.lower(),
                        "unit_amount": to_minor_units(amount, invoice.currency),
                        "product_data": {"name": f"Invoice {invoice.number}"},
                    },
                }
            ],
        }
        if email:
            params["customer_email"] = email
        try:
            session = self.client.v1.checkout.sessions.create(
                params=params, options={"idempotency_key": f"checkout-{checkout_id}"}
            )
        except stripe.StripeError as error:
            raise PaymentProviderError(
                f"The card payment service refused the checkout: "
                f"{error.user_message or type(error).__name__}."
            ) from error
        if not session.get("id") or not session.get("url"):
            raise PaymentProviderError("The card payment service answered without a page.")
        return Checkout(session_id=session["id"], url=session["url"])

    def parse_webhook(self, payload: bytes, signature: str | None) -> WebhookEvent:
        if not signature:
            raise WebhookError("Missing Stripe-Signature header.")
        try:
            stripe.Webhook.construct_event(
                payload, signature, self.webhook_secret, tolerance=WEBHOOK_TOLERANCE_SECONDS
            )
            # The verified body as plain dicts (the package's objects are for its own API).
            event = json.loads(payload)
        except stripe.SignatureVerificationError as error:
            raise WebhookError(f"Bad signature: {error.user_message or error}") from error
        except (ValueError, UnicodeDecodeError) as error:  # json.JSONDecodeError is one
            raise WebhookError("The body is not JSON.") from error
        if not isinstance(event, dict):
            raise WebhookError("The body is not a JSON object.")
        return _read_event(event)


def _read_event(event: dict) -> WebhookEvent:
    """A Stripe event as a ``WebhookEvent``: a Checkout Session's id, and its payment details
    when it completed."""
    if not isinstance(event.get("id"), str) or not isinstance(event.get("type"), str):
        raise WebhookError("The event has no id or type.")
    if not event["type"].startswith("checkout.session."):
        return WebhookEvent(event_id=event["id"], type=event["type"])
    session = (event.get("data") or {}).get("object") or {}
    if not isinstance(session, dict):
        raise WebhookError("The event's data.object is not a checkout session.")
    if event["type"] == "checkout.session.expired":
        return WebhookEvent(event_id=event["id"], type=event["type"], session_id=session.get("id"))
    try:
        currency = str(session["currency"]).upper()
        amount = from_minor_units(int(session["amount_total"]), currency)
    except (KeyError, TypeError, ValueError) as error:
        raise WebhookError("The checkout session has no amount_total or currency.") from error
    intent = session.get("payment_intent")
    if isinstance(intent, dict):
        intent = intent.get("id")
    return WebhookEvent(
        event_id=event["id"],
        type=event["type"],
        session_id=session.get("id"),
        payment_id=intent,
        amount=amount,
        currency=currency,
        paid=session.get("payment_status") == "paid",
        metadata=dict(session.get("metadata") or {}),
    )


def configured_provider() -> PaymentProvider | None:
    """Stripe when ``STRIPE_SECRET_KEY`` and ``STRIPE_WEBHOOK_SECRET`` are set, else None."""
    config = current_app.config
    if not config.get("STRIPE_SECRET_KEY") or not config.get("STRIPE_WEBHOOK_SECRET"):
        return None
    return StripeProvider(
        config["STRIPE_SECRET_KEY"],
        config["STRIPE_WEBHOOK_SECRET"],
        config.get("STRIPE_API_BASE") or stripe.DEFAULT_API_BASE,
    )


__all__ = [
    "Checkout",
    "PaymentProvider",
    "PaymentProviderError",
    "StripeProvider",
    "WebhookError",
    "WebhookEvent",
    "configured_provider",
]
