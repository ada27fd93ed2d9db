"""Mail and SMS to a client's contacts: composed on the client page, or sent by a workflow.

A message is a template (``EmailTemplate``) or a free text; both may use the template variables
and are rendered for each contact in Jinja's sandbox. One message per contact, stored in the
outbox and logged on the client's timeline in one commit; then one delivery job per message.
Contacts who opted out of the channel, have no address for it or reached their frequency limit
are skipped, and each skip is logged on the timeline with its reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from extensions import db
from models import ClientContact, Contact, MessageError, OutboxMessage, record_activity
from models.mail_context import template_context as build_context
from models.mail_templates import EmailTemplate, message_violations, render_message
from models.mail_tracking import tracked_html

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
    links: list[ClientContact],
    channel: str,
    body: str | None,
    subject: str | None = None,
    template: EmailTemplate | None = None,
    records: dict[str, Any] | None = None,
    sender=None,
) -> Sending:
    """Queue a message to the contact of each link, commit, and hand each to delivery.

    :raise MessageError: for a missing subject or text, an unknown variable, a record the
        text needs and was not given, or an SMS that is too long (nothing is queued then).
    """
    sending = prepare_messages(links, channel, body, subject, template, records, sender)
    db.session.commit()
    dispatch(sending)
    return sending


def prepare_messages(
    links: list[ClientContact],
    channel: str,
    body: str | None,
    subject: str | None = None,
    template: EmailTemplate | None = None,
    records: dict[str, Any] | None = None,
    sender=None,
    kind: str | None = None,
    label: str | None = None,
    urls: dict[str, str] | None = None,
) -> Sending:
    """The messages of ``message_contacts``, added to the session and not committed (a workflow
    commits them with its claim). ``label`` names what sends them on the timeline; ``urls``
    adds addresses to the template's ``links`` (a survey's link)."""
    if channel not in ("email", "sms"):
        raise MessageError(f"Cannot send on channel {channel!r}.", "channel")
    if template is not None:
        subject, body = template.subject, template.body
    body = (body or "").strip()
    subject = (subject or "").strip() if channel == "email" else body[:SMS_SUBJECT_PREVIEW] or "SMS"
    # The text is checked once, before anyone is looked at: all or nothing.
    errors = [e for e in message_violations(subject, body) if e.field != "body" or body]
    if not body:
        errors.insert(0, MessageError("The message text is required.", "body_text"))
    if errors:
        raise errors[0]
    sending = Sending()
    seen: set[int] = set()
    rendered: list[tuple[ClientContact, str, str]] = []
    skipped: list[tuple[ClientContact, str]] = []
    for link in links:
        contact = link.contact
        reason = "was selected twice" if contact.id in seen else contact.refusal(channel)
        seen.add(contact.id)
        if reason:
            skipped.append((link, reason))
            sending.skipped.append((contact, reason))
            continue
        context = build_context(link.client, contact, sender, records, urls)
        text_subject, text = render_message(subject, body, context)
        if channel == "sms":
            text_subject = text[:SMS_SUBJECT_PREVIEW]
        OutboxMessage(channel=channel, subject=text_subject, body_text=text).validate()
        rendered.append((link, text_subject, text))
    what = "Mail" if channel == "email" else "SMS"
    by = f" ({label})" if label else ""
    for link, text_subject, text in rendered:
        contact = link.contact
        message = OutboxMessage(
            kind=kind or (f"template:{template.key}" if template else f"client_{channel}"),
            channel=channel,
            to_email=contact.email if channel == "email" else None,
            to_phone=contact.phone if channel == "sms" else None,
            to_name=str(contact),
            subject=text_subject,
            body_text=text,
            status="queued",
            client_id=link.client_id,
            contact_id=contact.id,
            template_id=template.id if template is not None else None,
        )
        if channel == "email":
            message.body_html = tracked_html(message, text)
        db.session.add(message)
        db.session.flush()  # the message's id for the timeline; later frequency counts see it
        record_activity(
            db.session,
            "mail" if channel == "email" else "sms",
            f"{what} to {contact}{by}: {message.subject}",
            client_id=link.client_id,
            subject=message,
        )
        sending.queued.append(message)
    for link, reason in skipped:
        record_activity(
            db.session,
            "mail" if channel == "email" else "sms",
            f"{what} to {link.contact} not sent{by}: {reason}",
            client_id=link.client_id,
            subject_type="contact",
            subject_id=link.contact.id,
        )
    return sending


def prepare_staff_messages(
    users: list,
    template: EmailTemplate,
    client,
    records: dict[str, Any] | None = None,
    kind: str | None = None,
    label: str | None = None,
) -> Sending:
    """Mail ``template`` to staff users about ``client`` (a workflow step to the account
    manager), rendered like a contact's mail with the user as ``contact``; added to the
    session and logged on the client's timeline, not committed. A user without an email
    address is skipped (``Sending.skipped`` holds the user and the reason)."""
    sending = Sending()
    by = f" ({label})" if label else ""
    for user in users:
        name = f"{user.first_name or ''} {user.last_name or ''}".strip() or user.username
        if not user.email:
            sending.skipped.append((user, "has no email address"))
            record_activity(
                db.session, "mail", f"Mail to {name} not sent{by}: has no email address",
                client_id=client.id,
            )
            continue
        context = build_context(client, None, None, records)
        context["contact"] = {
            "first_name": user.first_name or name,
            "last_name": user.last_name or "",
            "full_name": name,
            "title": "",
            "department": "",
            "email": user.email,
        }
        subject, text = template.render(context)
        message = OutboxMessage(
            kind=kind or f"template:{template.key}",
            channel="email",
            to_email=user.email,
            to_name=name,
            subject=subject,
            body_text=text,
            status="queued",
            client_id=client.id,
            template_id=template.id,
        )
        message.body_html = tracked_html(message, text)
        db.session.add(message)
        db.session.flush()
        record_activity(
            db.session, "mail", f"Mail to {name}{by}: {message.subject}",
            client_id=client.id, subject=message,
        )
        sending.queued.append(message)
    return sending


def dispatch(sending: Sending) -> None:
    """Hand each committed message of ``sending`` to its delivery job."""
    for message in sending.queued:
        if message.channel == "email":
            send_later(message)
        else:
            enqueue(deliver_sms, message.id)
