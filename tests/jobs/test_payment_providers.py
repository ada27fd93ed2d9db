"""The Stripe provider at its HTTP boundary: what it sends to the (stubbed) API base, and how
it reads and verifies webhook bodies signed for real."""

from __future__ import annotations

import time
from decimal import Decimal
from types import SimpleNamespace

import pytest

from jobs.payment_providers import (
    PaymentProviderError,
    StripeProvider,
    WebhookError,
    configured_provider,
    from_minor_units,
    to_minor_units,
)
from tests.stripe_stub import SECRET_KEY, WEBHOOK_SECRET, completed_event, serving, signed


@pytest.fixture
def stub(app, monkeypatch):
    with serving(app, monkeypatch) as running:
        yield running


@pytest.fixture
def provider(stub) -> StripeProvider:
    return StripeProvider(SECRET_KEY, WEBHOOK_SECRET, stub.base_url)


INVOICE = SimpleNamespace(id=41, number="INV-2026-00041", currency="EUR")


def create(provider, invoice=INVOICE, amount=Decimal("1234.56")):
    return provider.create_checkout(
        invoice=invoice,
        amount=amount,
        checkout_id=7,
        success_url="https://portal.example/ok",
        cancel_url="https://portal.example/cancel",
        email="fiona@acme.example",
    )


@pytest.mark.parametrize(
    "amount, currency, minor",
    [
        (Decimal("1234.56"), "EUR", 123456),
        (Decimal("0.01"), "USD", 1),
        (Decimal("15000"), "JPY", 15000),
        (Decimal("99999999.99"), "PHP", 9999999999),
    ],
)
def test_amounts_go_to_stripe_in_minor_units_and_back(amount, currency, minor):
    assert to_minor_units(amount, currency) == minor
    assert from_minor_units(minor, currency) == amount.quantize(Decimal("0.01"))


def test_a_checkout_is_a_session_at_the_configured_api_base(provider, stub):
    page = create(provider)
    [request] = stub.checkout_requests()
    assert request["headers"]["Authorization"] == f"Bearer {SECRET_KEY}"
    assert request["headers"]["Idempotency-Key"] == "checkout-7"
    form = request["form"]
    assert form["metadata"] == {"invoice_id": "41", "checkout_id": "7"}
    assert form["payment_intent_data"]["metadata"] == form["metadata"]
    assert form["line_items"]["0"]["price_data"]["unit_amount"] == "123456"
    assert form["line_items"]["0"]["price_data"]["currency"] == "eur"
    assert form["customer_email"] == "fiona@acme.example"
    assert (form["success_url"], form["cancel_url"]) == (
        "https://portal.example/ok",
        "https://portal.example/cancel",
    )
    session = stub.sessions[page.session_id]
    assert page.url == session["url"] and session["amount_total"] == 123456


def test_a_refusal_by_stripe_is_a_provider_error(provider, stub):
    stub.fail_next = (402, {"error": {"type": "card_error", "message": "Declined"}})
    with pytest.raises(PaymentProviderError, match="refused the checkout"):
        create(provider)


def test_an_unreachable_stripe_is_a_provider_error():
    provider = StripeProvider(SECRET_KEY, WEBHOOK_SECRET, "http://127.0.0.1:9")
    with pytest.raises(PaymentProviderError):
        create(provider)


def test_a_verified_completed_session_is_read_with_its_payment(provider, stub):
    create(provider)
    [session] = stub.sessions.values()
    body, header = signed(completed_event(session, event_id="evt_1", payment_intent="pi_9"))
    event = provider.parse_webhook(body, header)
    assert (event.event_id, event.type, event.session_id) == (
        "evt_1",
        "checkout.session.completed",
        session["id"],
    )
    assert (event.payment_id, event.amount, event.currency) == ("pi_9", Decimal("1234.56"), "EUR")
    assert event.paid and event.metadata == {"invoice_id": "41", "checkout_id": "7"}


@pytest.mark.parametrize(
    "make",
    [
        lambda body: (body, None),
        lambda body: (body, signed(body, secret="whsec_other")[1]),
        lambda body: (body + b" ", signed(body)[1]),
        lambda body: signed(body, timestamp=time.time() - 400),
    ],
    ids=["unsigned", "other-secret", "tampered", "stale"],
)
def test_a_body_that_fails_verification_is_refused(provider, make):
    body = signed(completed_event({"id": "cs_1", "amount_total": 100, "currency": "usd"}))[0]
    payload, header = make(body)
    with pytest.raises(WebhookError):
        provider.parse_webhook(payload, header)


def test_configured_provider_needs_both_keys(app, monkeypatch):
    with app.app_context():
        monkeypatch.setitem(app.config, "STRIPE_SECRET_KEY", None)
        monkeypatch.setitem(app.config, "STRIPE_WEBHOOK_SECRET", WEBHOOK_SECRET)
        assert configured_provider() is None
        monkeypatch.setitem(app.config, "STRIPE_SECRET_KEY", SECRET_KEY)
        assert configured_provider().name == "stripe"
