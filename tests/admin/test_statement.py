"""A client's account on the staff side: the Billing tab's open invoices, totals per currency,
credit and credit limit; the statement of account (opening balance, running balance, closing
balance) as a page and as CSV; and the payment history."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import pytest

from extensions import db
from models import Client
from tests.admin.test_invoices_admin import desk
from tests.factories import ClientFactory, issued_invoice, known_rates

TODAY = date.today()
YEAR = TODAY.year
LAST_YEAR = date(YEAR - 1, 3, 2)


@pytest.fixture
def account(app):
    """A PHP client with an invoice from last year (paid 10,000 today) and one of today, both
    of 22,400.00; and a EUR invoice of today."""
    with app.app_context():
        known_rates()
        client = ClientFactory(name="Acme Robotics")
        old = issued_invoice(client, on=LAST_YEAR)
        new = issued_invoice(client)
        euro = issued_invoice(client, currency="EUR", lines=[("Retainer stage 1", "5000")])
        old.register_payment(Decimal("10000"), "bank_transfer", TODAY, "BDO-1")
        db.session.commit()
        return {
            "client": client.id,
            "old": (old.id, old.number, old.due_date),
            "new": (new.id, new.number, new.due_date),
            "euro": euro.number,
        }


def test_the_billing_tab_shows_open_invoices_totals_and_overdue(app, account):
    http, _ = desk(app, "Finance", account["client"])
    tab = http.get(f"/clientview/show/{account['client']}").get_data(as_text=True)
    assert 'href="#Billing"' in tab
    # PHP: 12,400 left on last year's (overdue) + 22,400 on today's
    assert 'id="billing-total-PHP"><td>PHP</td><td class="text-right">34,800.00</td>' in tab
    assert '<td class="text-right">12,400.00</td></tr>' in tab  # of which overdue
    assert 'id="billing-total-EUR"><td>EUR</td><td class="text-right">5,600.00</td>' in tab
    old_id = account["old"][0]
    days = (TODAY - account["old"][2]).days
    assert f'id="billing-invoice-{old_id}"' in tab and f'<td class="text-right">{days}</td>' in tab
    # 34,800 × 0.0175 + 5,600 × 1.08 = 609 + 6,048 in USD
    assert 'id="billing-open-base">6,657.00<' in tab
    assert "none set" in tab and 'id="billing-over-limit"' not in tab


@pytest.mark.parametrize("limit, exceeded", [("6000", True), ("6657", False), ("10000", False)])
def test_the_credit_limit_is_flagged_when_open_invoices_exceed_it(app, account, limit, exceeded):
    with app.app_context():
        db.session.get(Client, account["client"]).credit_limit = Decimal(limit)
        db.session.commit()
    http, _ = desk(app, "Finance", account["client"])
    tab = http.get(f"/clientview/show/{account['client']}").get_data(as_text=True)
    assert ('id="billing-over-limit"' in tab) is exceeded


def test_the_statement_runs_from_the_opening_to_the_closing_balance(app, account):
    http, _ = desk(app, "Finance", account["client"])
    response = http.get(f"/paymentview/statement/{account['client']}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f"{YEAR}-01-01" in html  # this year to today, in the client's currency
    assert 'id="statement-opening"' in html and "22,400.00</td></tr>" in html
    assert account["new"][1] in html and "BDO-1" in html
    assert account["euro"] not in html  # another currency
    assert "<strong>34,800.00</strong>" in html


def test_the_statement_csv_has_every_row(app, account):
    http, _ = desk(app, "Finance", account["client"])
    query = f"start={YEAR}-01-01&end={TODAY.isoformat()}&currency=PHP"
    response = http.get(f"/paymentview/statement_csv/{account['client']}?{query}")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    old_number, new_number = account["old"][1], account["new"][1]
    assert rows == [
        ["date", "kind", "reference", "description", "debit", "credit", "balance"],
        [f"{YEAR}-01-01", "opening", "", "Opening balance", "", "", "22400.00"],
        [
            TODAY.isoformat(),
            "invoice",
            new_number,
            f"Invoice, due {account['new'][2]}",
            "22400.00",
            "",
            "44800.00",
        ],
        [
            TODAY.isoformat(),
            "payment",
            "BDO-1",
            f"Bank transfer on {old_number}",
            "",
            "10000.00",
            "34800.00",
        ],
        [TODAY.isoformat(), "closing", "", "Closing balance", "", "", "34800.00"],
    ]


@pytest.mark.parametrize(
    "query, message",
    [
        ("start=yesterday", "Start must be a date such as"),
        (f"start={YEAR}-12-31&end={YEAR}-01-01", "The statement&#39;s start must be on or before"),
    ],
)
def test_a_bad_period_is_named_and_nothing_is_computed(app, account, query, message):
    http, _ = desk(app, "Finance", account["client"])
    response = http.get(f"/paymentview/statement/{account['client']}?{query}")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in html and 'id="statement"' not in html
    assert http.get(f"/paymentview/statement_csv/{account['client']}?{query}").status_code == 422


def test_another_clients_statement_answers_404(app, account):
    with app.app_context():
        mine = ClientFactory().id
    http, _ = desk(app, "Account Manager", mine)
    assert http.get(f"/paymentview/statement/{account['client']}").status_code == 404
    assert http.get(f"/paymentview/statement_csv/{account['client']}").status_code == 404
    assert http.get(f"/paymentview/history/{account['client']}").status_code == 404


def test_the_payment_history_lists_the_clients_payments(app, account):
    http, _ = desk(app, "Account Manager", account["client"])
    html = http.get(f"/paymentview/history/{account['client']}").get_data(as_text=True)
    assert "BDO-1" in html and "10,000.00" in html and account["old"][1] in html


def test_the_billing_tab_costs_the_same_queries_for_3_and_13_invoices(app, account):
    """Ten more invoices, five paid in full (their payments listed, the invoices not open)."""
    from tests.admin.test_payments_admin import counted

    def more_invoices(count):
        with app.app_context():
            client = db.session.get(Client, account["client"])
            for n in range(count):
                amount = "22400" if n % 2 else "100"
                issued_invoice(client).register_payment(Decimal(amount), "cash")
            db.session.commit()

    http, _ = desk(app, "Finance", account["client"])
    path = f"/clientview/show/{account['client']}"
    http.get(path)  # warm up (permissions cached in the session)
    with counted(app) as small:
        assert http.get(path).status_code == 200
    more_invoices(10)
    with counted(app) as large:
        html = http.get(path).get_data(as_text=True)
    assert html.count('id="billing-invoice-') == 8
    assert len(small) == len(large)
