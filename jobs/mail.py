"""Mail delivery: SMTP when ``MAIL_SERVER`` is set, otherwise the outbox keeps the message.

A message with an ``attachment_id`` (an invoice's PDF) carries that stored client document,
read from its file, under its original filename and content type.
"""

from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage
from email.utils import formataddr, make_msgid

from flask import current_app, render_template
from sqlalchemy import select

from extensions import db
from models import MessageError, OutboxMessage
from models.documents import ClientDocument

from . import enqueue, job, queue

log = logging.getLogger(__name__)


def compose(
    template: str, to_email: str, to_name: str | None, kind: str, **context
) -> OutboxMessage:
    """Render ``templates/email/<template>.{txt,html}`` as a queued outbox message.

    The message is added to the session, not committed.

    The first line of the text template is ``Subject: ...``.
    """
    text = render_template(f"email/{template}.txt", **context)
    first, _, body = text.partition("\n")
    if not first.startswith("Subject:"):
        raise ValueError(f"email/{template}.txt must start with a 'Subject:' line")
    html = render_template(f"email/{template}.html", **context)
    message = OutboxMessage(
        kind=kind,
        to_email=to_email,
        to_name=to_name,
        subject=first.removeprefix("Subject:").strip(),
        body_text=body.lstrip("\n"),
        body_html=html,
        status="queued",
        client_id=context.get("client_id"),
        contact_id=context.get("contact_id"),
    )
    db.session.add(message)
    return message


def send_later(message: OutboxMessage):
    """Hand a committed outbox message to the delivery job.

    On RQ a failed delivery is retried by the worker. Inline (no Redis) the failure is kept on
    the message, where the Outbox shows it, rather than breaking the request that sent it.
    """
    if queue() is not None:
        return enqueue(deliver, message.id)
    try:
        return deliver(message.id)
    except (smtplib.SMTPException, OSError):
        log.warning("mail %s not delivered: %s", message.id, message.error)
        return message.status


@job
def deliver(message_id: int) -> str:
    """Deliver one outbox message; a message already delivered is left alone (safe to retry)."""
    query = select(OutboxMessage).where(OutboxMessage.id == message_id)
    if db.engine.dialect.name == "postgresql":
        # Two workers racing on one message: one sends (lock this row, not its joined ones).
        query = query.with_for_update(of=OutboxMessage)
    message = db.session.scalar(query)
    if message is None:
        return "missing"
    if message.delivered:
        db.session.rollback()
        return message.status
    if message.channel != "email":
        db.session.rollback()
        raise MessageError(f"Outbox message {message_id} is not an email.", "channel")
    config = current_app.config
    if not config.get("MAIL_SERVER"):
        message.action_mark_delivered(over_smtp=False)
        db.session.commit()
        return message.status
    try:
        _smtp_send(message, config)
    except (smtplib.SMTPException, OSError) as exc:
        message.action_mark_failed(f"{type(exc).__name__}: {exc}")
        db.session.commit()
        raise  # RQ records the failure and retries it
    message.action_mark_delivered(over_smtp=True)
    db.session.commit()
    return message.status


def _smtp_send(message: OutboxMessage, config) -> None:
    mail = EmailMessage()
    mail["Subject"] = message.subject
    mail["From"] = config["MAIL_DEFAULT_SENDER"]
    mail["To"] = formataddr((message.to_name or "", message.to_email))
    mail["Message-ID"] = make_msgid(idstring=f"outbox-{message.id}")
    mail.set_content(message.body_text)
    if message.body_html:
        mail.add_alternative(message.body_html, subtype="html")
    if message.attachment_id is not None:
        _attach(mail, db.session.get(ClientDocument, message.attachment_id))
    with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=30) as smtp:
        if config.get("MAIL_USE_TLS"):
            smtp.starttls()
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
        smtp.send_message(mail)


def _attach(mail: EmailMessage, document: ClientDocument | None) -> None:
    """Attach a stored document's file (a missing file raises ``OSError``: the delivery fails
    and is retried, rather than going out without what it announces)."""
    if document is None:
        raise FileNotFoundError("The message's attachment is no longer stored.")
    maintype, _, subtype = document.content_type.partition("/")
    mail.add_attachment(
        document.path.read_bytes(),
        maintype=maintype,
        subtype=subtype or "octet-stream",
        filename=document.original_filename,
    )
