"""The service desk's email intake: ``fetch_mail`` reads the support mailbox over IMAP
(``IMAP_*`` settings, standard library ``imaplib``) and files each unread mail with
``InboundMail.action_receive``: a comment on the ticket it replies to, a new ticket, or triage.

Each mail is committed on its own, through ``jobs/tickets.py`` (which queues the notification
emails), and only then flagged ``\\Seen`` on the server. A mail the desk refuses (a closed
ticket...) is kept in triage with the reason; one read before is left alone: running it twice,
or over a mailbox whose flags were reset, changes nothing. ``flask clientdesk fetch-mail`` runs
it; the rq schedule does every 5 minutes when ``IMAP_HOST`` is set.

The triage steps of Service desk › Mail triage commit here too.
"""

from __future__ import annotations

import imaplib
from dataclasses import dataclass

from flask import current_app
from flask_appbuilder.security.sqla.models import User
from sqlalchemy.exc import IntegrityError

from extensions import db
from models import DomainError, InboundMail
from models.mail_parsing import UNREADABLE, parse_mail

from . import job
from .tickets import commit_comment, commit_raised

TIMEOUT = 60  # seconds, for the IMAP connection


class MailboxError(Exception):
    """The mailbox cannot be read: not configured, unreachable, or the login refused."""


@dataclass
class FetchRun:
    tickets: int = 0
    comments: int = 0
    triage: int = 0
    duplicates: int = 0

    def __str__(self) -> str:
        return (
            f"{self.tickets} new ticket(s), {self.comments} comment(s), {self.triage} in "
            f"triage, {self.duplicates} received before."
        )


@job
def fetch_mail() -> FetchRun:
    """File every unread mail of the support mailbox; returns what each became.

    :raise MailboxError: when ``IMAP_HOST`` is not set, the server cannot be reached, or it
        refuses the login or the mailbox; nothing is changed then.
    """
    run = FetchRun()
    imap = _open(current_app.config)
    try:
        typ, found = imap.uid("SEARCH", "UNSEEN")
        _check(typ, found, "search the mailbox")
        for uid in (found[0] or b"").split():
            raw = _fetch(imap, uid)
            if raw is None:  # gone from the mailbox meanwhile
                continue
            outcome = file_mail(raw)
            setattr(run, outcome, getattr(run, outcome) + 1)
            imap.uid("STORE", uid, "+FLAGS", "(\\Seen)")  # after the commit: never lost
    finally:
        _close(imap)
    return run


def file_mail(raw: bytes) -> str:
    """Record one mail and file it, in one commit; returns the ``FetchRun`` count it adds to."""
    try:
        mail = InboundMail.action_receive(raw)
        if mail is None:
            return "duplicates"
        _commit(mail)
    except DomainError as error:
        db.session.rollback()
        mail = InboundMail.action_hold(raw, f"the service desk refused it: {error.message}")
        if mail is None:
            return "duplicates"
        db.session.commit()
    except IntegrityError:
        db.session.rollback()  # another run filed it at the same moment
        if _received_before(raw):
            return "duplicates"
        return _hold_after_failure(raw)
    except Exception:  # one mail that trips a fault must not hold up the mailbox behind it
        db.session.rollback()
        return _hold_after_failure(raw)
    return {"ticket": "tickets", "comment": "comments"}.get(mail.status, "triage")


# ---------------------------------------------------------------- triage (the admin's steps)


def make_ticket(mail: InboundMail, client, contact, by: User):
    """A ticket from a mail in triage; see ``InboundMail.action_make_ticket``."""
    ticket = mail.action_make_ticket(client, contact, by)
    return commit_raised(ticket)


def attach_to(mail: InboundMail, ticket, by: User):
    """A mail in triage as a comment on ``ticket``; see ``InboundMail.action_attach_to``."""
    return commit_comment(mail.action_attach_to(ticket, by))


def dismiss(mail: InboundMail, by: User, reason: str) -> InboundMail:
    mail.action_dismiss(by, reason)
    db.session.commit()
    return mail


# ---------------------------------------------------------------- helpers


def _commit(mail: InboundMail) -> None:
    if mail.status == "ticket":
        commit_raised(mail.ticket)
    elif mail.status == "comment":
        commit_comment(mail.comment)
    else:
        db.session.commit()


def _hold_after_failure(raw: bytes) -> str:
    """Keep a mail that could not be filed in triage (the fault is logged) and go on."""
    current_app.logger.exception("mail intake: a mail could not be filed; kept in triage")
    mail = InboundMail.action_hold(raw, "it could not be filed (see the log): file it by hand")
    if mail is None:
        return "duplicates"
    db.session.commit()
    return "triage"


def _received_before(raw: bytes) -> bool:
    try:
        message_id = parse_mail(raw).message_id
    except UNREADABLE:
        return False
    return InboundMail.by_message_id(message_id) is not None


def _open(config) -> imaplib.IMAP4:
    host, port = config.get("IMAP_HOST"), config.get("IMAP_PORT")
    if not host:
        raise MailboxError(
            "IMAP_HOST is not set: set IMAP_HOST, IMAP_USER and IMAP_PASSWORD (see the README) "
            "to read the support mailbox."
        )
    if not config.get("IMAP_USER"):
        raise MailboxError("IMAP_USER is not set: name the support mailbox's login.")
    connect = imaplib.IMAP4_SSL if config.get("IMAP_SSL") else imaplib.IMAP4
    try:
        imap = connect(host, port, timeout=TIMEOUT)
    except OSError as error:
        raise MailboxError(f"Cannot reach the IMAP server {host}:{port}: {error}") from error
    try:
        imap.login(config["IMAP_USER"], config.get("IMAP_PASSWORD") or "")
        mailbox = config.get("IMAP_MAILBOX") or "INBOX"
        typ, answer = imap.select(mailbox)
        _check(typ, answer, f"open the mailbox {mailbox}")
    except imaplib.IMAP4.error as error:
        _close(imap)
        raise MailboxError(
            f"The IMAP server {host} refused {config['IMAP_USER']}: {_text(error)}"
        ) from error
    except MailboxError:
        _close(imap)
        raise
    return imap


def _fetch(imap: imaplib.IMAP4, uid: bytes) -> bytes | None:
    typ, data = imap.uid("FETCH", uid, "(BODY.PEEK[])")  # PEEK: \Seen only once filed
    _check(typ, data, f"read message {uid.decode()}")
    return next((part[1] for part in data or () if isinstance(part, tuple)), None)


def _check(typ: str, answer, doing: str) -> None:
    if typ != "OK":
        said = b" ".join(a for a in answer or () if isinstance(a, bytes)).decode(errors="replace")
        raise MailboxError(f"The IMAP server would not {doing}: {typ} {said}".strip())


def _text(error: Exception) -> str:
    said = error.args[0] if error.args else error
    return said.decode(errors="replace") if isinstance(said, bytes) else str(said)


def _close(imap: imaplib.IMAP4) -> None:
    try:
        imap.logout()
    except (imaplib.IMAP4.error, OSError):
        pass  # the session is over either way
