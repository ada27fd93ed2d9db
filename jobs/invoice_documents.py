"""Invoices as documents and mail: issuing commits, then the PDF is rendered and sent.

Staff pages, the API and jobs issue an invoice through ``issue_invoice`` (one commit, then the
render-and-mail job), never by calling ``Invoice.issue`` and committing themselves.
"""

from __future__ import annotations

from extensions import db
from models import Invoice


def issue_invoice(invoice: Invoice, by=None) -> Invoice:
    """Issue a draft invoice or credit note and commit.

    :raise BillingError: when it cannot be issued (nothing is committed).
    """
    try:
        invoice.issue(by)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return invoice
