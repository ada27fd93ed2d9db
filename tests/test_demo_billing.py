"""The demo agency's billing (admin/demo_billing.py): every status, aging at several ages,
a credit note, an overpayment kept as credit, foreign zero-rated invoices; loaded once."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from admin.demo import load_demo
from extensions import db
from models import (
    ClientContact,
    ClientCredit,
    CollectionNotice,
    ExchangeRate,
    Holiday,
    Invoice,
    Payment,
)

pytestmark = pytest.mark.usefixtures("ctx")


def _count(model) -> int:
    return db.session.scalar(select(func.count(model.id)))


def test_the_billing_demo_covers_every_status_and_loads_once():
    load_demo()
    counts = {
        m.__name__: _count(m) for m in (Invoice, Payment, Holiday, ExchangeRate, CollectionNotice)
    }
    assert counts["Invoice"] >= 20 and counts["Holiday"] >= 10
    load_demo()
    assert {
        m.__name__: _count(m) for m in (Invoice, Payment, Holiday, ExchangeRate, CollectionNotice)
    } == counts

    invoices = db.session.scalars(select(Invoice).where(Invoice.source.like("demo:%"))).all()
    statuses = {i.status for i in invoices if i.kind == "invoice"}
    assert {"draft", "issued", "partially_paid", "paid", "void"} <= statuses
    assert {i.currency for i in invoices} >= {"PHP", "USD", "EUR", "GBP", "SGD", "JPY"}
    [note] = [i for i in invoices if i.kind == "credit_note"]
    assert note.number.startswith("CN-") and note.credited_invoice.amount_credited == note.total

    today = date.today()
    ages = sorted(i.days_overdue(today) for i in invoices if i.is_overdue(today))
    buckets = {
        "1-30": any(1 <= a <= 30 for a in ages),
        "31-60": any(31 <= a <= 60 for a in ages),
        "61-90": any(61 <= a <= 90 for a in ages),
        "90+": any(a > 90 for a in ages),
    }
    assert all(buckets.values()), (ages, buckets)

    foreign = [i for i in invoices if i.client.location == "Foreign" and i.number]
    assert foreign and all(i.tax_rate == 0 and i.tax_note for i in foreign)
    assert _count(ClientCredit) >= 1  # the overpayment, kept
    billing = db.session.scalar(
        select(func.count(ClientContact.id)).where(ClientContact.can_billing)
    )
    assert billing >= 8

    # Each overdue invoice has the notice of the level its age reached, not yet sent.
    notices = db.session.scalars(select(CollectionNotice)).all()
    assert {n.invoice_id for n in notices} == {
        i.id for i in invoices if i.is_overdue(today) and not i.is_disputed
    }
    assert all(n.status == "open" and n.message_id is None for n in notices)
