"""The payment provider's webhook: ``POST /webhooks/stripe``, public and CSRF-exempt.

The signature is checked over the raw body before anything is read (400 otherwise). A
completed, paid Checkout Session records its payment with ``apply_provider_payment``: the
event id and the payment id are unique keys recorded in the same transaction as the payment,
so a replay, a duplicate or two simultaneous deliveries apply once and are answered 200
"already applied". An expired session closes its checkout; other event types are answered 200
"ignored". Without Stripe configured
the endpoint answers 503. The work is a few rows: it answers within the request.
"""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from extensions import csrf, db
from jobs.payment_providers import WebhookError, configured_provider
from models.base import ConcurrentChangeError
from models.billing import BillingError
from models.checkouts import apply_provider_payment, expire_checkout

bp = Blueprint("webhooks", __name__, url_prefix="/webhooks")

PAID_EVENTS = ("checkout.session.completed", "checkout.session.async_payment_succeeded")


@bp.route("/stripe", methods=["POST"])
@csrf.exempt
def stripe_webhook():
    """Apply a signed Stripe event: a paid checkout records its payment, once."""
    provider = configured_provider()
    if provider is None or provider.name != "stripe":
        return jsonify(error="Online payment (Stripe) is not configured here."), 503
    try:
        event = provider.parse_webhook(
            request.get_data(cache=False), request.headers.get("Stripe-Signature")
        )
    except WebhookError as error:
        return jsonify(error=error.message), 400
    if event.type == "checkout.session.expired":
        expired = expire_checkout(provider.name, event.session_id)
        db.session.commit()
        return jsonify(status="expired" if expired else "ignored"), 200
    if event.type not in PAID_EVENTS:
        return jsonify(status="ignored", type=event.type), 200
    if not event.paid:
        return jsonify(status="ignored", reason="not paid yet"), 200
    try:
        payment = apply_provider_payment(
            provider=provider.name,
            event_id=event.event_id,
            event_type=event.type,
            session_id=event.session_id,
            payment_id=event.payment_id,
            amount=event.amount,
            currency=event.currency,
            invoice_id=event.metadata.get("invoice_id"),
        )
        db.session.commit()
    except ConcurrentChangeError:
        db.session.rollback()
        return jsonify(status="already applied"), 200
    except BillingError as error:
        # A verified event the books cannot take (unknown session, another currency, a void
        # invoice): 422 keeps it failing in the provider's dashboard for staff to look at.
        db.session.rollback()
        return jsonify(error=error.message, field=error.field), 422
    if payment is None:
        return jsonify(status="already applied"), 200
    return jsonify(status="applied", payment_id=payment.id), 200
