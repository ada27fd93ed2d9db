"""Mail and SMS to a client's contacts, sent from the client page's Contacts tab.

One message per contact, stored in the outbox and logged on the client's timeline in one
commit; then one delivery job per message. Contacts who opted out of the channel, have no
address for it or reached their frequency limit are skipped, with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from extensions import db
from models import ClientContact, Contact, MessageError, OutboxMessage, record_activity

from . import enqueue
from .mail import send_later
from .sms import deliver_sms

SMS_SUBJECT_PREVIEW = 60


@dataclass
class Sending:
    """What a send did: the messages queued and the contacts skipped, with the reason."""

    queued: list[OutboxMessage] = field(default_factory=list)
    skipped: list[tuple[Contact, str]] = field(default_factory=list)


def message_contacts(
    links: list[ClientContact], channel: str, body: str, subject: str | None = None
) -> Sending:
    """Queue ``body`` (an email with ``subject``, or an SMS) to the contact of each link.

    :raise MessageError: for a missing subject or text, or an SMS that is too long (nothing
        is queued then).
    """
    if channel not in ("email", "sms"):
        raise MessageError(f"Cannot send on channel {channel!r}.", "channel")
    body = (body or "").strip()
    subject = body[:SMS_SUBJECT_PREVIEW] if channel == "sms" else (subject or "").strip()
    # The text is checked once, before anyone is looked at: all or nothing.
    OutboxMessage(channel=channel, subject=subject, body_text=body).validate()
    sending = Sending()
    seen: set[int] = set()
    for link in links:
        contact = link.contact
        reason = "was selected twice" if contact.id in seen else contact.refusal(channel)
        seen.add(contact.id)
        if reason:
            sending.skipped.append((contact, reason))
            continue
        message = OutboxMessage(
            kind=f"client_{channel}",
            channel=channel,
            to_email=contact.email if channel == "email" else None,
            to_phone=contact.phone if channel == "sms" else None,
            to_name=str(contact),
            subject=subject,
            body_text=body,
            status="queued",
            client_id=link.client_id,
            contact_id=contact.id,
        )
        db.session.add(message)
        db.session.flush()  # the message's id for the timeline; later frequency counts see it
        record_activity(
            db.session,
            "mail" if channel == "email" else "sms",
            f"{'Mail' if channel == 'email' else 'SMS'} to {contact}: {message.subject}",
            client_id=link.client_id,
            subject=message,
        )
        sending.queued.append(message)
    db.session.commit()
    for message in sending.queued:
        if channel == "email":
            send_later(message)
        else:
            enqueue(deliver_sms, message.id)
    return sending
