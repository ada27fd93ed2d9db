"""Privacy jobs: the retention sweep that anonymises contacts of long-archived clients."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import and_, exists, select

from extensions import db
from models import Client, ClientContact, Contact, erase_contact, utcnow

from . import job


def expired_contact_ids(now: datetime | None = None) -> list[int]:
    """Contacts not yet erased whose every client was archived more than the retention period ago.

    A contact still linked to a live client, or to one archived more recently, is kept.
    """
    days = int(current_app.config["RETENTION_DAYS_AFTER_ARCHIVE"])
    cutoff = (now or utcnow()) - timedelta(days=days)
    link, client = ClientContact, Client
    any_link = exists().where(link.contact_id == Contact.id)
    # A link to a client that is live, or archived inside the retention period.
    kept_link = exists().where(
        link.contact_id == Contact.id,
        link.client_id == client.id,
        ~and_(client.archived.is_(True), client.archived_at < cutoff),
    )
    query = (
        select(Contact.id)
        .where(Contact.erased_at.is_(None), any_link, ~kept_link)
        .order_by(Contact.id)
    )
    return list(db.session.scalars(query))


@job
def anonymise_expired_contacts(now: datetime | None = None) -> list[int]:
    """Erase the contacts of clients archived longer than RETENTION_DAYS_AFTER_ARCHIVE.

    One commit per contact, so a failure keeps the erasures done before it. Safe to run twice:
    an erased contact is not picked again. Returns the ids of the contacts erased.
    """
    erased = []
    for contact_id in expired_contact_ids(now):
        contact = db.session.get(Contact, contact_id)
        if contact is None or contact.erased_at is not None:
            continue
        erase_contact(contact, reason="by the retention policy", at=now)
        db.session.commit()
        erased.append(contact_id)
    return erased
