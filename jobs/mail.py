"""Mail delivery: SMTP when ``MAIL_SERVER`` is set, otherwise the outbox keeps the message.

A message with an ``attachment_id`` (an invoice's PDF) carries that stored client document,
read from its file, under its original filename and content type.

A temporary failure (a 4xx answer, a connection refused or lost) leaves the message
``failed`` with the reason and the time of its next attempt (``OutboxMessage.RETRY_AFTER``);
``retry_due_mail`` (every minute from the RQ cron schedule, or ``flask clientdesk retry-mail``)
tries those again. A permanent refusal (5xx) is not retried. On RQ the job also raises, so the
worker's own retry and failed-job registry see it; the database stays the truth.
"""

from __future__ import annotations

import logging
import smtplib
from datetime import datetime
from email.message import EmailMessage
from email.utils import formataddr, make_msgid

from flask import current_app, render_template
from sqlalchemy import select

from extensions import db
from models import MessageError, OutboxMessage, utcnow
from models.documents import ClientDocument
from models.messaging import MAX_ATTEMPTS

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
    if message.delivered or (message.status == "failed" and message.next_attempt_at is None):
        db.session.rollback()  # delivered, or given up on: nothing more to do
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
        permanent = _permanent(exc)
        message.action_mark_failed(_reason(exc), permanent=permanent)
        db.session.commit()
        if permanent:
            log.warning("mail %s refused for good: %s", message_id, message.error)
            return message.status
        raise  # RQ records the failure and retries it
    message.action_mark_delivered(over_smtp=True)
    db.session.commit()
    return message.status


def _permanent(exc: Exception) -> bool:
    """A 5xx answer is the server's final word (no such mailbox); anything else may pass."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _msg in exc.recipients.values())
    code = getattr(exc, "smtp_code", None)
    return isinstance(code, int) and code >= 500


def _reason(exc: Exception) -> str:
    code, text = getattr(exc, "smtp_code", None), getattr(exc, "smtp_error", None)
    if isinstance(text, bytes):
        text = text.decode(errors="replace")
    if code:
        return f"{type(exc).__name__}: {code} {text}"
    return f"{type(exc).__name__}: {exc}"


def retry_due_mail(now: datetime | None = None) -> list[int]:
    """Try again every failed email whose next attempt is due; returns their ids.

    Safe to run twice and from two machines: ``deliver`` locks each message and skips one
    delivered or given up on meanwhile.
    """
    now = now or utcnow()
    due = db.session.scalars(
        select(OutboxMessage.id)
        .where(
            OutboxMessage.status == "failed",
            OutboxMessage.channel == "email",
            OutboxMessage.next_attempt_at.is_not(None),
            OutboxMessage.next_attempt_at <= now,
            OutboxMessage.attempts < MAX_ATTEMPTS,
        )
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
    ).all()
    db.session.rollback()
    for message_id in due:
        try:
            deliver(message_id)
        except (smtplib.SMTPException, OSError):
            db.session.rollback()  # kept failed with its next attempt; the next sweep tries it
    return list(due)


def _smtp_send(message: OutboxMessage, config) -> None:
    mail = EmailMessage()
    mail["Subject"] = message.subject
    mail["From"] = config["MAIL_DEFAULT_SENDER"]
    mail["To"] = formataddr((message.to_name or "", message.to_email))
    mail["Message-ID"] = make_msgid(idstring=f"outbox-{message.id}")
    if message.kind.startswith("ticket_") and config.get("SUPPORT_EMAIL"):
        mail["Reply-To"] = config["SUPPORT_EMAIL"]  # replies reach the service desk's intake
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
