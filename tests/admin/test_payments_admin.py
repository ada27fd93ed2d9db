"""The payments list, exchange rates and holidays under Finance, and the billing fields of the
client form: what they show, who reaches them, and that the lists cost the same number of
queries whatever the number of rows."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import event

from extensions import db
from models import Client, ExchangeRate, Holiday
from tests.admin.test_invoices_admin import desk
from tests.factories import ClientFactory, issued_invoice, known_rates


@pytest.fixture
def client_id(app):
    with app.app_context():
        known_rates()
        return ClientFactory(name="Acme Robotics").id


def _paid_invoices(app, client_id, count: int, amount="23000"):
    with app.app_context():
        client = db.session.get(Client, client_id)
        for n in range(count):
            invoice = issued_invoice(client)
            invoice.register_payment(Decimal(amount), "cheque", reference=f"CHQ-{n}")
        db.session.commit()


@contextmanager
def counted(app):
    seen = []

    def count(*_args):
        seen.append(1)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)


def test_the_payments_list_shows_applied_and_credit(app, client_id):
    _paid_invoices(app, client_id, 1)
    http, _ = desk(app, "Finance", client_id)
    html = http.get("/paymentview/list/").get_data(as_text=True)
    for text in ("Acme Robotics", "Cheque", "23,000.00", "22,400.00", "600.00", "CHQ-0"):
        assert text in html
    assert "Finance User" in html or "system" in html or "—" in html


def test_the_payments_list_filters_by_method(app, client_id):
    _paid_invoices(app, client_id, 1)
    http, _ = desk(app, "Finance", client_id)
    assert "CHQ-0" in http.get("/paymentview/list/?_flt_0_method=cheque").get_data(as_text=True)
    assert "CHQ-0" not in http.get("/paymentview/list/?_flt_0_method=cash").get_data(as_text=True)


@pytest.mark.parametrize("path", ["/paymentview/list/", "/invoiceview/list/"])
def test_a_list_costs_the_same_queries_for_2_and_12_rows(app, client_id, path):
    http, _ = desk(app, "Finance", client_id)
    http.get(path)  # warm up (permissions cached in the session)
    _paid_invoices(app, client_id, 2)
    with counted(app) as small:
        assert http.get(path).status_code == 200
    _paid_invoices(app, client_id, 10)
    with counted(app) as large:
        assert http.get(path).status_code == 200
    assert len(small) == len(large)


def test_an_account_manager_reads_payments_but_cannot_add_a_rate(app, client_id):
    http, post = desk(app, "Account Manager", client_id)
    assert http.get("/paymentview/list/").status_code == 200
    assert http.get("/exchangerateview/list/").status_code == 200
    response = post("/exchangerateview/add", currency="EUR", day="2026-01-02", rate="1.1")
    assert response.status_code in (302, 403)
    with app.app_context():
        assert db.session.query(ExchangeRate).filter_by(day=date(2026, 1, 2)).count() == 0


def test_finance_adds_an_exchange_rate_and_a_holiday(app, client_id):
    _, post = desk(app, "Finance", client_id)
    assert (
        post("/exchangerateview/add", currency="EUR", day="2026-01-02", rate="1.1").status_code
        == 302
    )
    assert post("/holidayview/add", day="2026-12-25", name="Christmas Day").status_code == 302
    with app.app_context():
        rate = db.session.query(ExchangeRate).filter_by(day=date(2026, 1, 2)).one()
        assert (rate.currency, rate.rate) == ("EUR", Decimal("1.1"))
        assert db.session.query(Holiday).one().name == "Christmas Day"


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"currency": "EURO", "rate": "1.1"}, "Currency must be an ISO 4217 code"),
        ({"currency": "EUR", "rate": "0"}, "Rate must be more than 0."),
    ],
)
def test_a_bad_exchange_rate_is_refused(app, client_id, fields, message):
    _, post = desk(app, "Finance", client_id)
    response = post("/exchangerateview/add", day="2026-01-02", **fields)
    assert message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.query(ExchangeRate).filter_by(day=date(2026, 1, 2)).count() == 0


def test_the_client_form_edits_the_credit_limit_and_late_fee(app, client_id):
    http, post = desk(app, "Finance", client_id)
    form = http.get(f"/clientview/edit/{client_id}").get_data(as_text=True)
    assert 'name="credit_limit"' in form and 'name="late_fee_policy"' in form
    base = {
        "name": "Acme Robotics",
        "short_name": "ACME",
        "status": "active",
        "location": "Local",
        "currency": "PHP",
        "payment_term_label": "Net",
        "payment_term_days": "30",
        "credit_limit": "50000",
    }
    refused = post(f"/clientview/edit/{client_id}", **base, late_fee_policy="flat")
    assert "A flat late fee policy needs the fee amount" in refused.get_data(as_text=True)
    saved = post(
        f"/clientview/edit/{client_id}", **base, late_fee_policy="flat", late_fee_amount="500"
    )
    assert saved.status_code == 302
    with app.app_context():
        client = db.session.get(Client, client_id)
        assert (client.credit_limit, client.late_fee_policy, client.late_fee_amount) == (
            Decimal("50000.00"),
            "flat",
            Decimal("500.00"),
        )
