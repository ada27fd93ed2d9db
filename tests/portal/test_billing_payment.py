"""Paying an invoice online: the amount form, the checkout at the (stubbed) provider, the
signed webhook that records the payment once, and the return page.

Stripe's HTTP side is a local server (tests/stripe_stub.py); the webhook signatures are
computed for real with the webhook secret the app is configured with.
"""

from __future__ import annotations

import threading
import time
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from extensions import db
from models import Invoice
from models.payments import ClientCredit, Payment, PaymentCheckout, ProviderEvent
from tests.conftest import csrf_token
from tests.stripe_stub import completed_event, serving, signed

from .conftest import sign_in

WEBHOOK = "/webhooks/stripe"


@pytest.fixture
def stripe(app, monkeypatch):
    with serving(app, monkeypatch) as stub:
        yield stub


@pytest.fixture
def signed_in(client, finance, books):
    sign_in(client, finance.username)
    return client


def pay(client, invoice_id: int, amount: str):
    token = csrf_token(client, f"/portal/invoices/{invoice_id}")
    return client.post(
        f"/portal/invoices/{invoice_id}/pay", data={"amount": amount, "csrf_token": token}
    )


def checkout(client, stripe, invoice_id: int, amount: str) -> dict:
    """Start a checkout in the portal; the session the stub created for it."""
    response = pay(client, invoice_id, amount)
    assert response.status_code == 303, response.get_data(as_text=True)[:400]
    session_id = response.headers["Location"].rsplit("/", 1)[1]
    return stripe.sessions[session_id]


def deliver(app, event: dict | bytes, header: str | None = "sign"):
    """POST the event to the webhook as Stripe does (signed, unless ``header`` says otherwise)."""
    if header == "sign":
        body, header = signed(event)
    else:
        body = event
    headers = {"Content-Type": "application/json"}
    if header:
        headers["Stripe-Signature"] = header
    return app.test_client().post(WEBHOOK, data=body, headers=headers)


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def invoice_state(app, invoice_id: int) -> tuple[str, Decimal, Decimal]:
    with app.app_context():
        invoice = db.session.get(Invoice, invoice_id)
        return invoice.status, invoice.amount_paid, invoice.balance


# ---------------------------------------------------------------- the pay form and checkout


def test_a_partial_amount_starts_a_checkout_at_the_provider(app, signed_in, books, stripe):
    invoice_id, number = books.open
    session = checkout(signed_in, stripe, invoice_id, "10000.50")
    [sent] = stripe.checkout_requests()
    form = sent["form"]
    assert sent["headers"]["Authorization"] == "Bearer sk_test_stub_0123456789"
    assert form["mode"] == "payment"
    price = form["line_items"]["0"]["price_data"]
    assert price["currency"] == "php" and price["unit_amount"] == "1000050"
    assert price["product_data"]["name"] == f"Invoice {number}"
    with app.app_context():
        row = db.session.scalar(select(PaymentCheckout))
        assert (row.amount, row.currency, row.status) == (Decimal("10000.50"), "PHP", "open")
        assert row.session_id == session["id"] and row.url == session["url"]
        assert form["metadata"] == {"invoice_id": str(invoice_id), "checkout_id": str(row.id)}
        back = f"/portal/invoices/{invoice_id}/checkouts/{row.id}"
    assert form["success_url"] == f"http://portal.test{back}"
    assert form["cancel_url"] == f"http://portal.test{back}?cancelled=1"
    assert invoice_state(app, invoice_id) == ("issued", Decimal("0.00"), Decimal("25000.00"))


@pytest.mark.parametrize(
    "amount, message",
    [
        ("25000.01", "Amount may be at most the open balance, PHP 25,000.00."),
        ("0", "Amount must be more than 0."),
        ("-5", "Amount must be more than 0."),
        ("12.345", "Amount may have at most 2 decimals in PHP."),
        ("lots", "Amount must be a number"),
        ("", "Amount must be a number"),
    ],
)
def test_a_bad_amount_re_renders_the_form_with_the_value_and_the_rule(
    app, signed_in, books, stripe, amount, message
):
    response = pay(signed_in, books.open[0], amount)
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f"Amount to pay: {message}" in body
    assert f'value="{amount}"' in body
    assert stripe.checkout_requests() == [] and count(app, PaymentCheckout) == 0


def test_the_pay_form_offers_the_open_balance(signed_in, books, stripe):
    body = signed_in.get(f"/portal/invoices/{books.open[0]}").get_data(as_text=True)
    assert 'name="amount"' in body and 'value="25000.00"' in body


def test_a_paid_invoice_cannot_be_checked_out(app, signed_in, books, stripe):
    response = pay(signed_in, books.paid[0], "10")
    assert response.status_code == 409
    assert "has nothing left to pay" in response.get_data(as_text=True)
    assert stripe.checkout_requests() == []


def test_a_provider_refusal_is_shown_and_nothing_is_kept(app, signed_in, books, stripe):
    stripe.fail_next = (400, {"error": {"type": "invalid_request_error", "message": "Nope"}})
    response = pay(signed_in, books.open[0], "100")
    assert response.status_code == 502
    assert "card payment service refused" in response.get_data(as_text=True)
    assert count(app, PaymentCheckout) == 0


def test_without_stripe_configured_the_portal_says_pay_by_transfer(signed_in, books):
    body = signed_in.get(f"/portal/invoices/{books.open[0]}").get_data(as_text=True)
    assert "Online payment is not available" in body and "Pay by card" not in body
    response = pay(signed_in, books.open[0], "100")
    assert response.status_code == 503


# ---------------------------------------------------------------- the webhook


def test_the_same_signed_event_delivered_five_times_records_one_payment(
    app, signed_in, books, stripe
):
    session = checkout(signed_in, stripe, books.open[0], "10000.00")
    event = completed_event(session, event_id="evt_once", payment_intent="pi_once")
    answers = [deliver(app, event) for _ in range(5)]
    assert [a.status_code for a in answers] == [200] * 5
    assert answers[0].get_json()["status"] == "applied"
    assert {a.get_json()["status"] for a in answers[1:]} == {"already applied"}
    assert count(app, ProviderEvent) == 1
    assert invoice_state(app, books.open[0]) == (
        "partially_paid",
        Decimal("10000.00"),
        Decimal("15000.00"),
    )
    with app.app_context():
        [payment] = db.session.scalars(select(Payment).where(Payment.method == "card")).all()
        assert (payment.method, payment.provider_payment_id) == ("card", "pi_once")
        row = db.session.scalar(select(PaymentCheckout))
        assert row.status == "completed" and row.payment_id == payment.id


def test_two_events_for_the_same_payment_intent_apply_once(app, signed_in, books, stripe):
    session = checkout(signed_in, stripe, books.open[0], "2000.00")
    first = deliver(app, completed_event(session, event_id="evt_a", payment_intent="pi_same"))
    second = deliver(app, completed_event(session, event_id="evt_b", payment_intent="pi_same"))
    assert first.get_json()["status"] == "applied"
    assert (second.status_code, second.get_json()["status"]) == (200, "already applied")
    assert invoice_state(app, books.open[0])[2] == Decimal("23000.00")
    with app.app_context():
        events = db.session.scalars(select(ProviderEvent).order_by(ProviderEvent.id)).all()
        assert [e.event_id for e in events] == ["evt_a", "evt_b"]
        assert events[0].payment_id == events[1].payment_id is not None


def test_simultaneous_deliveries_of_one_event_record_one_payment(app, signed_in, books, stripe):
    session = checkout(signed_in, stripe, books.open[0], "3000.00")
    body, header = signed(completed_event(session, event_id="evt_race", payment_intent="pi_r"))
    start = threading.Barrier(4)
    statuses = []

    def post():
        http = app.test_client()
        start.wait()
        statuses.append(
            http.post(WEBHOOK, data=body, headers={"Stripe-Signature": header}).status_code
        )

    threads = [threading.Thread(target=post) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert statuses == [200] * 4
    assert count(app, ProviderEvent) == 1
    assert invoice_state(app, books.open[0])[2] == Decimal("22000.00")


def test_a_tampered_body_records_nothing_and_answers_400(app, signed_in, books, stripe):
    session = checkout(signed_in, stripe, books.open[0], "100.00")
    body, header = signed(completed_event(session, payment_intent="pi_t"))
    tampered = body.replace(b'"amount_total": 10000', b'"amount_total": 2500000')
    assert tampered != body
    response = deliver(app, tampered, header)
    assert response.status_code == 400
    assert "signature" in response.get_json()["error"].lower()
    assert count(app, ProviderEvent) == 0
    assert invoice_state(app, books.open[0])[2] == Decimal("25000.00")


@pytest.mark.parametrize(
    "header",
    [None, "", "t=123", "garbage", "t={now},v1=" + "0" * 64],
    ids=["missing", "empty", "no-v1", "garbage", "wrong-mac"],
)
def test_an_unsigned_or_wrongly_signed_event_answers_400(app, signed_in, books, stripe, header):
    session = checkout(signed_in, stripe, books.open[0], "100.00")
    body, _ = signed(completed_event(session))
    if header:
        header = header.format(now=int(time.time()))
    response = deliver(app, body, header)
    assert response.status_code == 400 and "error" in response.get_json()
    assert count(app, ProviderEvent) == 0


def test_an_event_signed_with_another_secret_or_too_long_ago_answers_400(
    app, signed_in, books, stripe
):
    session = checkout(signed_in, stripe, books.open[0], "100.00")
    event = completed_event(session)
    for body, header in (
        signed(event, secret="whsec_someone_else"),
        signed(event, timestamp=time.time() - 301),
    ):
        assert deliver(app, body, header).status_code == 400
    assert count(app, ProviderEvent) == 0


def test_a_signed_body_that_is_not_json_answers_400(app, stripe):
    body, header = signed(b"{not json")
    response = deliver(app, body, header)
    assert response.status_code == 400
    assert response.get_json() == {"error": "The body is not JSON."}


def test_an_unknown_event_type_is_acknowledged_and_ignored(app, stripe):
    event = {"id": "evt_other", "object": "event", "type": "customer.created", "data": {}}
    response = deliver(app, event)
    assert response.status_code == 200
    assert response.get_json() == {"status": "ignored", "type": "customer.created"}
    assert count(app, ProviderEvent) == 0


def test_an_expired_session_closes_its_checkout_and_the_return_page_says_so(
    app, signed_in, books, stripe
):
    session = checkout(signed_in, stripe, books.open[0], "100.00")
    event = {
        "id": "evt_expired",
        "type": "checkout.session.expired",
        "data": {"object": {"id": session["id"], "status": "expired"}},
    }
    assert deliver(app, event).get_json() == {"status": "expired"}
    assert deliver(app, event).get_json() == {"status": "ignored"}  # closed already
    body = signed_in.get(session["success_url"].removeprefix("http://portal.test"))
    assert 'data-status="expired"' in body.get_data(as_text=True)
    assert count(app, ProviderEvent) == 0
    assert invoice_state(app, books.open[0])[2] == Decimal("25000.00")


def test_an_unpaid_completed_session_applies_nothing(app, signed_in, books, stripe):
    session = checkout(signed_in, stripe, books.open[0], "100.00")
    response = deliver(app, completed_event(session, payment_status="unpaid"))
    assert response.status_code == 200 and response.get_json()["status"] == "ignored"
    assert count(app, ProviderEvent) == 0


def test_an_event_for_an_unknown_session_is_refused_with_json(app, stripe):
    session = {"id": "cs_unknown", "amount_total": 100, "currency": "php", "metadata": {}}
    response = deliver(app, completed_event(session))
    assert response.status_code == 422
    assert response.get_json()["field"] == "session_id"


def test_without_stripe_configured_the_webhook_answers_503(app, signed_in, books):
    body, header = signed({"id": "evt_x", "type": "checkout.session.completed"})
    response = deliver(app, body, header)
    assert response.status_code == 503
    assert "not configured" in response.get_json()["error"]


def test_a_payment_beyond_the_balance_becomes_client_credit(app, signed_in, books, stripe):
    session = checkout(signed_in, stripe, books.open[0], "25000.00")
    with app.app_context():  # a bank transfer arrives while the card payment is under way
        db.session.get(Invoice, books.open[0]).register_payment(Decimal("5000"), "bank_transfer")
        db.session.commit()
    assert deliver(app, completed_event(session)).get_json()["status"] == "applied"
    assert invoice_state(app, books.open[0])[:2] == ("paid", Decimal("25000.00"))
    with app.app_context():
        invoice = db.session.get(Invoice, books.open[0])
        assert ClientCredit.balance(invoice.client, "PHP") == Decimal("5000.00")


def test_a_payment_on_an_invoice_voided_meanwhile_is_kept_as_client_credit(
    app, signed_in, books, stripe
):
    """The money was taken by the provider: it is recorded and kept whole as credit, never
    refused (a refusal would leave it in no book at all)."""
    session = checkout(signed_in, stripe, books.open[0], "10000.00")
    with app.app_context():  # Finance voids the invoice while the client is paying
        db.session.get(Invoice, books.open[0]).void("Raised against the wrong entity")
        db.session.commit()
    assert deliver(app, completed_event(session)).get_json()["status"] == "applied"
    with app.app_context():
        invoice = db.session.get(Invoice, books.open[0])
        assert (invoice.status, invoice.balance, invoice.amount_paid) == ("void", 0, 0)
        assert ClientCredit.balance(invoice.client, "PHP") == Decimal("10000.00")
        [payment] = db.session.scalars(select(Payment).where(Payment.method == "card")).all()
        assert (payment.amount, payment.applied_amount) == (Decimal("10000.00"), 0)


# ---------------------------------------------------------------- the return page


def test_the_return_page_says_processing_until_the_webhook_then_received(
    app, signed_in, books, stripe
):
    session = checkout(signed_in, stripe, books.open[0], "4000.00")
    back = session["success_url"].removeprefix("http://portal.test")
    before = signed_in.get(back).get_data(as_text=True)
    assert 'data-status="processing"' in before and "hx-trigger" in before
    deliver(app, completed_event(session))
    after = signed_in.get(back, headers={"HX-Request": "true"}).get_data(as_text=True)
    assert 'data-status="completed"' in after and "Payment received" in after
    assert "PHP 21,000.00" in after


def test_a_cancelled_checkout_goes_back_to_the_invoice(app, signed_in, books, stripe):
    session = checkout(signed_in, stripe, books.open[0], "4000.00")
    response = signed_in.get(session["cancel_url"].removeprefix("http://portal.test"))
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/portal/invoices/{books.open[0]}")


def test_another_invoices_checkout_is_not_found(app, signed_in, books, stripe):
    session = checkout(signed_in, stripe, books.open[0], "4000.00")
    checkout_id = session["metadata"]["checkout_id"]
    for invoice_id in (books.usd[0], books.theirs[0]):
        url = f"/portal/invoices/{invoice_id}/checkouts/{checkout_id}"
        body = signed_in.get(url)
        assert body.status_code == 404
        assert "4,000.00" not in body.get_data(as_text=True)
