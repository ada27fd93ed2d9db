"""The aging report: open balances by days overdue (current, 1–30, 31–60, 61–90, over 90) as
of a date, per client and currency and in total, and in the base currency (USD) at each
invoice's captured rate; partial payments and credit notes lower what is aged; paid, void and
draft invoices and credit notes never appear; one SQL query whatever the number of invoices.

Ages are set precisely by writing ``due_date`` after issuing: issuing computes the due date
from the client's payment term and moves it past weekends and holidays, so "exactly 31 days
overdue on AS_OF" is simplest to state as ``due_date = AS_OF - 31 days``. The rates are the
factories' ``known_rates``: 1 PHP = 0.0175 USD, 1 EUR = 1.08 USD. The clients are Foreign, so
zero-rated: an invoice's total is its one line's price.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from extensions import db
from models import Client
from models.aging import BUCKET_KEYS, aging_report
from tests.admin.test_recruiting_api_access import counted_queries
from tests.factories import ClientFactory, draft_invoice, issued_invoice

pytestmark = pytest.mark.usefixtures("ctx")

AS_OF = date(2026, 6, 30)
ISSUED_ON = date(2026, 1, 5)
D = Decimal


def aged(client, amount: str, days_overdue: int, currency: str | None = None):
    """An invoice of ``amount`` issued on ISSUED_ON and ``days_overdue`` days overdue on
    AS_OF (negative: not yet due)."""
    fields = {"currency": currency} if currency else {}
    invoice = issued_invoice(client, on=ISSUED_ON, lines=[("Placement fee", amount)], **fields)
    invoice.due_date = AS_OF - timedelta(days=days_overdue)
    db.session.commit()
    return invoice


def buckets(*amounts) -> dict[str, Decimal]:
    return {key: D(amount) for key, amount in zip(BUCKET_KEYS, amounts, strict=True)}


@pytest.mark.parametrize(
    "days_overdue, bucket",
    [
        (-1, "current"),  # not yet due
        (0, "current"),  # due today
        (1, "d1_30"),
        (30, "d1_30"),
        (31, "d31_60"),
        (60, "d31_60"),
        (61, "d61_90"),
        (90, "d61_90"),
        (91, "over_90"),
    ],
)
def test_an_invoice_falls_in_the_bucket_of_its_days_overdue(days_overdue, bucket):
    client = ClientFactory(location="Foreign", currency="PHP")
    aged(client, "1000.00", days_overdue)
    (row,) = aging_report(AS_OF).rows
    assert row.buckets == {key: D("1000.00") if key == bucket else D("0.00") for key in BUCKET_KEYS}


@pytest.fixture
def ledger():
    """Two clients, two currencies, every boundary, a partial payment, a credit note, and
    invoices that must not count."""
    acme = ClientFactory(name="Acme", location="Foreign", currency="PHP")
    bolt = ClientFactory(name="Bolt", location="Foreign", currency="EUR")
    aged(acme, "40.00", -5)  # current; 40 × 0.0175 = 0.70
    aged(acme, "100.00", 0)  # current; 1.75
    aged(acme, "100.30", 1)  # 1–30; 1.75525 → 1.76
    aged(acme, "200.30", 30)  # 1–30; 3.50525 → 3.51 (rounded each: 5.27, not 5.26 on the sum)
    partly_paid = aged(acme, "400.00", 31)
    partly_paid.register_payment(D("160.00"), "bank_transfer")  # 240 left; 4.20
    aged(acme, "500.00", 60)  # 31–60; 8.75
    credited = aged(acme, "600.00", 61)
    note = credited.draft_credit_note("Fee reduced after negotiation", amount=D("100.00"))
    note.issue(today=ISSUED_ON)  # 500 left; 8.75
    aged(acme, "700.00", 90)  # 61–90; 12.25
    aged(acme, "800.00", 91)  # over 90; 14.00
    # Not receivables: paid in full, void, a draft.
    paid = aged(acme, "999.00", 45)
    paid.register_payment(D("999.00"), "bank_transfer")
    aged(acme, "888.00", 45).void("Issued to the wrong client")
    draft_invoice(acme, lines=[("Not issued", "777.00")])
    aged(bolt, "1000.00", 0)  # current; 1,080.00
    aged(bolt, "250.55", 45)  # 31–60; 270.594 → 270.59
    aged(bolt, "99.99", 120)  # over 90; 107.9892 → 107.99
    aged(bolt, "1000.00", 10, currency="PHP")  # 1–30 in PHP; 17.50
    db.session.commit()
    return {"acme": acme.id, "bolt": bolt.id}


def test_each_client_and_currency_is_aged_net_of_payments_and_credit_notes(ledger):
    report = aging_report(AS_OF)
    rows = {(row.client_name, row.currency): row for row in report.rows}
    assert list(rows) == [("Acme", "PHP"), ("Bolt", "EUR"), ("Bolt", "PHP")]
    # Acme, PHP: current 40 + 100; 1–30 100.30 + 200.30; 31–60 (400 − 160) + 500;
    # 61–90 (600 − 100) + 700; over 90 800.
    assert rows["Acme", "PHP"].buckets == buckets("140.00", "300.60", "740.00", "1200.00", "800")
    assert rows["Acme", "PHP"].invoices == 9
    assert rows["Acme", "PHP"].total == D("3180.60")
    assert rows["Bolt", "EUR"].buckets == buckets("1000.00", "0", "250.55", "0", "99.99")
    assert rows["Bolt", "PHP"].buckets == buckets("0", "1000.00", "0", "0", "0")


def test_the_base_currency_view_converts_each_invoice_at_its_captured_rate(ledger):
    report = aging_report(AS_OF)
    rows = {(row.client_name, row.currency): row for row in report.rows}
    assert report.base_currency == "USD"
    # Acme: 0.70 + 1.75; 1.76 + 3.51; 4.20 + 8.75; 8.75 + 12.25; 14.00 (total 55.67).
    assert rows["Acme", "PHP"].base == buckets("2.45", "5.27", "12.95", "21.00", "14.00")
    assert rows["Acme", "PHP"].base_total == D("55.67")
    # Bolt: 1,080.00; 270.59; 107.99 in EUR, and 17.50 from its PHP invoice.
    assert rows["Bolt", "EUR"].base == buckets("1080.00", "0", "270.59", "0", "107.99")
    assert report.base_by_client()[ledger["bolt"]] == buckets(
        "1080.00", "17.50", "270.59", "0", "107.99"
    )


def test_the_totals_add_up_per_currency_and_in_the_base_currency(ledger):
    report = aging_report(AS_OF)
    assert report.by_currency() == {
        "EUR": buckets("1000.00", "0", "250.55", "0", "99.99"),
        # Acme's 1–30 (300.60) and Bolt's PHP invoice (1,000.00).
        "PHP": buckets("140.00", "1300.60", "740.00", "1200.00", "800.00"),
    }
    # 2.45 + 1,080.00; 5.27 + 17.50; 12.95 + 270.59; 21.00; 14.00 + 107.99.
    assert report.base_totals() == buckets("1082.45", "22.77", "283.54", "21.00", "121.99")
    assert report.base_total == D("1531.75")  # Acme 55.67 + Bolt 1,458.58 + 17.50


def test_one_client_is_reported_alone(ledger):
    report = aging_report(AS_OF, client_id=ledger["bolt"])
    assert {row.client_name for row in report.rows} == {"Bolt"}
    assert report.base_total == D("1476.08")  # 1,080.00 + 17.50 + 270.59 + 107.99


def test_clients_outside_the_visible_set_are_left_out(ledger):
    visible = select(Client.id).where(Client.name == "Acme")
    report = aging_report(AS_OF, visible=visible)
    assert {row.client_name for row in report.rows} == {"Acme"}


def test_ages_move_with_the_as_of_date(ledger):
    later = aging_report(AS_OF + timedelta(days=31), client_id=ledger["bolt"])
    eur = next(row for row in later.rows if row.currency == "EUR")
    # The invoice due on AS_OF is now 31 days overdue; the 45-day one 76; the 120-day one 151.
    assert eur.buckets == buckets("0", "0", "1000.00", "250.55", "99.99")


def test_nothing_open_is_an_empty_report():
    issued_invoice(ClientFactory(), on=ISSUED_ON).void("Duplicate")
    db.session.commit()
    report = aging_report(AS_OF)
    assert report.rows == [] and report.base_total == 0


def test_the_report_is_one_query_whatever_the_number_of_invoices(app):
    client = ClientFactory(location="Foreign", currency="PHP")
    aged(client, "10.00", 5)
    with counted_queries(app) as few:
        aging_report(AS_OF)
    for days in range(0, 200, 10):
        aged(ClientFactory(location="Foreign", currency="EUR"), "10.00", days)
    with counted_queries(app) as many:
        report = aging_report(AS_OF)
    assert len(report.rows) == 21
    assert len(few) == len(many) == 1
