"""Overdue invoices with collection notices, for the admin and API tests of collections."""

from __future__ import annotations

from datetime import date, timedelta

from extensions import db
from models import CollectionNotice
from models.collections import run_collections
from tests.factories import ClientFactory, issued_invoice

ISSUED = date(2026, 6, 1)
DUE = date(2026, 7, 1)  # Net 30 from ISSUED


def overdue(client=None, days: int = 20, **fields) -> CollectionNotice:
    """An invoice of ``client`` (a new Foreign EUR one by default), its notice opened at
    ``days`` days overdue; committed."""
    client = client or ClientFactory(location="Foreign", currency="EUR")
    invoice = issued_invoice(client, on=ISSUED, lines=[("Retained search", "10000")], **fields)
    invoice.due_date = date.today() - timedelta(days=days)
    db.session.flush()
    [notice_id] = run_collections(date.today()).created
    db.session.commit()
    return db.session.get(CollectionNotice, notice_id)
