"""Collections, run daily (``flask clientdesk collections``, see the README).

First the notices due are opened (``models.collections.run_collections``, one commit). Then
each open notice not sent yet is emailed to the client's billing contacts: the notice row is
locked and checked for an earlier message in the same transaction that queues the outbox rows
and records ``message_id`` and ``sent_at``, so a second run, or a second worker racing this one,
sends nothing twice. A notice whose client has no billing contact with an email is left unsent
(and named): it goes out on the first run after one is added.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from flask import current_app
from sqlalchemy import select

from extensions import db
from models import ClientContact, CollectionNotice, OutboxMessage, record_activity
from models.base import utcnow
from models.collections import run_collections

from . import job
from .mail import compose, send_later

NO_RECIPIENT = "no billing contact with an email"
WORDING = {
    1: "first",
    2: "second",
    3: "final",
    4: "legal",
}


@dataclass
class CollectionsRun:
    """What a run did (plain values: an RQ job's result is pickled)."""

    created: list[int] = field(default_factory=list)  # notice ids
    superseded: list[int] = field(default_factory=list)
    sent: list[int] = field(default_factory=list)  # notice ids emailed
    messages: list[int] = field(default_factory=list)  # outbox message ids
    skipped: list[tuple[str, int, str]] = field(default_factory=list)  # (kind, id, reason)


@job
def run_daily_collections(today: date | None = None) -> CollectionsRun:
    """Open the collection notices due and email the ones not sent yet (safe to run twice)."""
    today = today or date.today()
    opened = run_collections(today)
    db.session.commit()
    run = CollectionsRun(created=opened.created, superseded=opened.superseded)
    run.skipped += [("invoice", invoice_id, reason) for invoice_id, reason in opened.skipped]
    pending = db.session.scalars(
        select(CollectionNotice.id)
        .where(CollectionNotice.status == "open", CollectionNotice.message_id.is_(None))
        .order_by(CollectionNotice.id)
    ).all()
    db.session.rollback()
    for notice_id in pending:
        messages = send_notice(notice_id, today)
        if messages is None:
            run.skipped.append(("notice", notice_id, NO_RECIPIENT))
        elif messages:
            run.sent.append(notice_id)
            run.messages += messages
    return run


def billing_contacts(client_id: int) -> list[ClientContact]:
    """The client's contacts for billing with an email, not erased."""
    links = db.session.scalars(
        select(ClientContact)
        .where(ClientContact.client_id == client_id, ClientContact.can_billing.is_(True))
        .order_by(ClientContact.id)
    ).unique()
    return [link for link in links if link.contact.email and link.contact.erased_at is None]


def send_notice(notice_id: int, today: date | None = None) -> list[int] | None:
    """Email one notice to the billing contacts, once: the outbox message ids queued, [] when
    it was sent already (or closed, or paused), None when nobody can receive it. Commits."""
    query = select(CollectionNotice).where(CollectionNotice.id == notice_id)
    if db.engine.dialect.name == "postgresql":
        query = query.with_for_update(of=CollectionNotice)  # a racing worker waits, then sees it
    notice = db.session.scalar(query.execution_options(populate_existing=True))
    if notice is None or notice.message_id is not None or notice.status != "open":
        db.session.rollback()
        return []
    recipients = billing_contacts(notice.client_id)
    if not recipients:
        db.session.rollback()
        return None
    messages = [_compose(notice, link, today or date.today()) for link in recipients]
    db.session.flush()
    notice.message_id = messages[0].id
    notice.record_sent(utcnow())
    record_activity(
        db.session,
        "mail",
        f"{notice} sent to {', '.join(m.to_email for m in messages)}",
        client_id=notice.client_id,
        subject_type="invoice",
        subject_id=notice.invoice_id,
    )
    db.session.commit()
    for message in messages:
        send_later(message)
    return [message.id for message in messages]


def _compose(notice: CollectionNotice, link: ClientContact, today: date) -> OutboxMessage:
    invoice, contact = notice.invoice, link.contact
    return compose(
        "collection_notice",
        to_email=contact.email,
        to_name=f"{contact.first_name or ''} {contact.last_name or ''}".strip() or None,
        kind="collection_notice",
        notice=notice,
        wording=WORDING[notice.level],
        invoice=invoice,
        client=invoice.client,
        contact=contact,
        days_overdue=invoice.days_overdue(today),
        agency=current_app.config.get("AGENCY_NAME"),
        payment_instructions=current_app.config.get("PAYMENT_INSTRUCTIONS"),
        client_id=invoice.client_id,
        contact_id=contact.id,
    )
