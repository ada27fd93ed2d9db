"""The billing pages' data: Acme's invoices in two currencies, and one of Zenith's.

Shared by tests/portal/test_billing*.py and the payment journey. Amounts are chosen so that no
two look alike: a test can look for one in a page and be sure what it found.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest

from extensions import db
from models import Client
from tests.factories import draft_invoice, issued_invoice

from .conftest import make_member


def books_of(acme_id: int, zenith_id: int) -> SimpleNamespace:
    """Acme: overdue PHP 10,000 (issued 60 days ago), open PHP 25,000, paid PHP 4,000, open
    USD 1,500 and a PHP draft of 7,777.77; Zenith: open PHP 98,765.43 (call in a context)."""
    acme = db.session.get(Client, acme_id)
    zenith = db.session.get(Client, zenith_id)
    today = date.today()
    overdue = issued_invoice(
        acme, lines=[("Retainer stage 1", "10000.00")], on=today - timedelta(60)
    )
    open_ = issued_invoice(acme, lines=[("Placement fee: analyst", "25000.00")])
    paid = issued_invoice(acme, lines=[("Expenses: travel", "4000.00")], on=today - timedelta(10))
    paid.register_payment(Decimal("4000.00"), "bank_transfer", reference="BT-4455")
    usd = issued_invoice(acme, lines=[("Hourly consulting", "1500.00")], currency="USD")
    draft = draft_invoice(acme, lines=[("Draft line", "7777.77")])
    theirs = issued_invoice(zenith, lines=[("Zenith secret search", "98765.43")])
    theirs.register_payment(Decimal("1234.56"), "bank_transfer", reference="ZEN-PAY-1")
    db.session.commit()
    return SimpleNamespace(
        overdue=(overdue.id, overdue.number),
        open=(open_.id, open_.number),
        paid=(paid.id, paid.number),
        paid_payment=paid.payments[0].id,
        usd=(usd.id, usd.number),
        draft=draft.id,
        theirs=(theirs.id, theirs.number),
        their_payment=theirs.payments[0].id,
    )


@pytest.fixture
def books(app, company, other_company):
    with app.app_context():
        values = books_of(company.id, other_company.id)
        db.session.remove()
    return values


@pytest.fixture
def finance(app, company):
    """An Acme contact with the portal's billing area only."""
    with app.app_context():
        return make_member(company.id, areas=("billing",), first_name="Fiona", last_name="Cruz")
