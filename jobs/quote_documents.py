"""The quote as a document: registered with the PDF job (``jobs/documents.py``).

Staff and the portal call ``enqueue_document("quote", quote.id)`` after the commit that sent or
changed a quote; the PDF lands on the client's Documents tab, visible to the client once the
quote is sent. A draft's PDF stays staff-only.
"""

from __future__ import annotations

from extensions import db
from models import Quote

from .documents import enqueue_document, register_document_kind


def _context(quote: Quote) -> dict:
    return {
        "quote": quote,
        "number": quote.reference,
        "issued_on": (quote.sent_at or quote.created_at).date(),
        "valid_until": quote.valid_until,
        "client": quote.client,
    }


register_document_kind(
    "quote",
    load=lambda quote_id: db.session.get(Quote, quote_id),
    template="documents/quote.html",
    context=_context,
    client=lambda quote: quote.client,
    filename=lambda quote: f"quote-{quote.number}-v{quote.version}.pdf",
    title=lambda quote: f"Quote {quote.number} (version {quote.version})",
    type="quote",
    visible=lambda quote: quote.status != "draft",
)


def send_quote(quote: Quote, by=None) -> None:
    """Send a draft and render its PDF: one commit, then the document job (in a worker when
    one runs). The admin page and the API both send through here.

    :raise QuoteError: when the quote cannot be sent (nothing is committed).
    """
    quote.action_send(by)
    db.session.commit()
    enqueue_document("quote", quote.id)
