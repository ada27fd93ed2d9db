"""Invoices as documents and mail: issuing commits, then the PDF is rendered and sent.

Staff pages, the API and jobs issue an invoice through ``issue_invoice`` (one commit, then the
render-and-mail job), never by calling ``Invoice.issue`` and committing themselves. The job
(``deliver_invoice_job``) renders the PDF (``jobs/documents.py``, stored on the client's
Documents tab, shown in the portal once issued) and then emails it, attached, to the client's
billing contacts: every contact linked with the billing right, not erased, with an email,
plus the invoice's own contact when it names one. An invoice is a transactional document, so
a contact's marketing opt-out does not stop it.

Each run is safe to repeat: the PDF is not rendered twice for an unchanged invoice, and the
messages of one sending carry the kind ``invoice:<id>`` (a re-send by staff
``invoice:<id>:again:<token>``); a run that finds messages of its kind sends nothing more.
"""

from __future__ import annotations

import secrets

from flask import current_app
from sqlalchemy import select

from extensions import db
from models import ClientContact, Contact, Invoice, OutboxMessage
from models.activity import record_activity
from models.billing import BillingStateError, base_currency
from models.clients import Location
from models.documents import ClientDocument

from . import enqueue, job
from .documents import register_document_kind, render_document_job, source_of
from .mail import compose, send_later
from .pdf import agency

SENT_STATUSES = ("issued", "partially_paid", "paid")


def billing_address(client) -> list[str]:
    """The lines of the address an invoice goes to: the client's billing location, if it has
    one, else its address."""
    location = db.session.scalar(
        select(Location)
        .where(Location.client_id == client.id, Location.kind == "billing")
        .order_by(Location.id)
        .limit(1)
    )
    if location is None:
        return [line.strip() for line in (client.address or "").splitlines() if line.strip()]
    city = " ".join(part for part in (location.postal_code, location.city) if part)
    return [
        part
        for part in (
            location.address_line1,
            location.address_line2,
            ", ".join(part for part in (city, location.region) if part),
            location.country,
        )
        if part
    ]


def _invoice_context(invoice: Invoice) -> dict:
    instructions = current_app.config.get("PAYMENT_INSTRUCTIONS") or ""
    return {
        "invoice": invoice,
        "number": invoice.reference,
        "issued_on": invoice.issue_date,
        "client": invoice.client,
        "billing_address": billing_address(invoice.client),
        "base_currency": base_currency(),
        "payment_instructions": [line for line in instructions.splitlines() if line.strip()],
    }


def _filename(invoice: Invoice) -> str:
    prefix = "credit-note" if invoice.kind == "credit_note" else "invoice"
    return f"{prefix}-{invoice.number or f'draft-{invoice.id}'}.pdf"


# ClientDocument's types have no "invoice" (adding one would change its check constraint):
# invoices are stored as "other", and found by their source, "invoice:<id>".
register_document_kind(
    "invoice",
    load=lambda invoice_id: db.session.get(Invoice, invoice_id),
    template="documents/invoice.html",
    context=_invoice_context,
    client=lambda invoice: invoice.client,
    filename=_filename,
    title=lambda invoice: str(invoice),
    type="other",
    visible=lambda invoice: invoice.status in SENT_STATUSES,
)


def invoice_pdf(invoice_id: int) -> ClientDocument | None:
    """The invoice's current PDF (the latest rendering not archived), or None."""
    document = ClientDocument.latest_generated(source_of("invoice", invoice_id))
    return document if document is not None and document.archived_at is None else None


def billing_recipients(invoice: Invoice) -> list[Contact]:
    """Who gets the invoice by email: the client's billing contacts and the invoice's contact,
    each once, leaving out erased people and people without an email."""
    contacts = list(
        db.session.scalars(
            select(Contact)
            .join(ClientContact, ClientContact.contact_id == Contact.id)
            .where(ClientContact.client_id == invoice.client_id, ClientContact.can_billing)
            .order_by(Contact.id)
        )
    )
    if invoice.contact is not None:
        contacts.append(invoice.contact)
    chosen, seen = [], set()
    for contact in contacts:
        email = (contact.email or "").strip().lower()
        if contact.erased_at is not None or not email or email in seen:
            continue
        seen.add(email)
        chosen.append(contact)
    return chosen


@job
def deliver_invoice_job(invoice_id: int, kind: str | None = None) -> list[int]:
    """Render invoice ``invoice_id``'s PDF, then email it to the billing contacts once per
    ``kind`` (default ``invoice:<id>``); returns the ids of the messages queued by this run."""
    render_document_job("invoice", invoice_id)
    kind = kind or f"invoice:{invoice_id}"
    query = select(Invoice).where(Invoice.id == invoice_id)
    if db.engine.dialect.name == "postgresql":
        # Two runs of one sending (a retry, a double enqueue) queue up here; the second sees
        # the first's messages below.
        query = query.with_for_update(of=Invoice)
    invoice = db.session.scalar(query)
    if invoice is None or invoice.status not in SENT_STATUSES:
        db.session.rollback()
        return []
    already = db.session.scalar(select(OutboxMessage.id).where(OutboxMessage.kind == kind).limit(1))
    if already is not None:
        db.session.rollback()
        return []
    document = invoice_pdf(invoice_id)
    recipients = billing_recipients(invoice)
    messages = []
    for contact in recipients:
        message = compose(
            "invoice",
            contact.email,
            contact.full_name,
            kind,
            invoice=invoice,
            client=invoice.client,
            recipient=contact,
            agency_name=agency()["name"],
            client_id=invoice.client_id,
            contact_id=contact.id,
        )
        message.attachment_id = document.id if document is not None else None
        messages.append(message)
    if messages:
        summary = f"{invoice} emailed to {', '.join(m.to_email for m in messages)}"
    else:
        summary = (
            f"{invoice} not emailed: {invoice.client.name} has no billing contact with an email"
        )
    record_activity(
        db.session,
        "invoice",
        summary,
        client_id=invoice.client_id,
        subject_type="invoice",
        subject_id=invoice.id,
    )
    db.session.commit()
    for message in messages:
        send_later(message)
    return [message.id for message in messages]


def issue_invoice(invoice: Invoice, by=None) -> Invoice:
    """Issue a draft invoice or credit note and commit; then render its PDF and email it to
    the client's billing contacts (in a worker; inline without ``REDIS_URL``).

    :raise BillingError: when it cannot be issued (nothing is committed).
    """
    try:
        invoice.issue(by)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    enqueue(deliver_invoice_job, invoice.id)
    return invoice


def send_invoice_again(invoice: Invoice, by=None) -> str:
    """Email an issued invoice's PDF to its billing contacts once more (staff asked for it);
    returns the kind its messages carry.

    :raise BillingStateError: for a draft or void invoice.
    """
    if invoice.status not in SENT_STATUSES:
        raise BillingStateError(
            f"{invoice} is {invoice.status.replace('_', ' ')}: only an issued invoice is sent.",
            "status",
        )
    kind = f"invoice:{invoice.id}:again:{secrets.token_hex(4)}"
    record_activity(
        db.session,
        "invoice",
        f"{invoice} to be sent again",
        client_id=invoice.client_id,
        subject_type="invoice",
        subject_id=invoice.id,
        actor=by,
    )
    db.session.commit()
    enqueue(deliver_invoice_job, invoice.id, kind)
    return kind
