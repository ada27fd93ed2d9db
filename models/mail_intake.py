"""The service desk's inbound mail: every message read from the support mailbox, kept.

``InboundMail.action_receive(raw)`` records a message once (by its Message-ID) and files it:

- its subject names a ticket ("Re: [T-00012] ...") and the sender is a contact of that ticket's
  client, or a staff user who may see that client → a comment on the ticket (channel email,
  the quoted message below the reply trimmed);
- no reference, and the sender is a contact of exactly one (live) client → a new ticket for that
  client, raised by that contact (channel email);
- anything else → **triage**, with the reason (``REASON_*``), for staff to make a ticket of it,
  attach it to a ticket, or dismiss it. Nothing is dropped and nothing is deleted.

Files the mail carries follow the document upload rules; a refused file does not hold the mail
up: it is named in the ticket's or comment's text and in ``note``. The verbs write to the
session; ``jobs/mail_intake.py`` commits, through ``jobs/tickets.py``.
"""

from __future__ import annotations

import io
from datetime import datetime

from flask import current_app
from flask_appbuilder.security.sqla.models import User
from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    select,
)
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship
from werkzeug.datastructures import FileStorage

from .base import DomainError, Model, UTCDateTime, utcnow
from .clients import Client, _blank, _choice_sql, _session
from .contacts import Contact
from .documents import DEFAULT_MAX_BYTES, DocumentRefusedError, check_upload
from .mail_parsing import (
    UNREADABLE,
    ParsedMail,
    clean_subject,
    derived_message_id,
    parse_mail,
    reply_text,
)
from .mail_senders import REASON_UNKNOWN, contact_for, is_clients, staff_for, why_not_comment
from .privacy import PERSONAL_DATA, PersonalData, email_is, erased_email
from .ticket_comments import BODY_MAX, TicketAttachment, TicketComment
from .tickets import DESCRIPTION_MAX, SUBJECT_MAX, Ticket, parse_reference

STATUSES = ("ticket", "comment", "triage", "dismissed")
STATUS_LABELS = {
    "ticket": "New ticket",
    "comment": "Comment on a ticket",
    "triage": "In triage",
    "dismissed": "Dismissed",
}
REASON_SEVERAL = "sender is a contact of several clients"
REASON_NO_CLIENT = "sender is a contact of no live client"
REASON_STAFF = "sender is a staff user: a new ticket needs a client"
REASON_AUTOMATIC = "an automatic reply (Auto-Submitted: {})"
SUBJECT_STORED = 500
NO_SUBJECT = "(no subject)"
NO_TEXT = "(no text: see the attached files)"


class MailIntakeError(DomainError):
    """An inbound mail cannot take this step."""


class InboundMail(Model):
    __tablename__ = "inbound_mail"
    __table_args__ = (
        CheckConstraint(_choice_sql("status", STATUSES), name="ck_inbound_mail_status"),
        Index("ix_inbound_mail_status_received", "status", "received_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # The mail's own Message-ID, or one derived from its bytes: one row per mail, however often
    # the mailbox is read.
    message_id: Mapped[str] = mapped_column(String(255), nullable=False, unique=True)
    in_reply_to: Mapped[str | None] = mapped_column(String(255))
    from_address: Mapped[str] = mapped_column(String(254), nullable=False, default="")
    from_name: Mapped[str | None] = mapped_column(String(200))
    subject: Mapped[str] = mapped_column(String(SUBJECT_STORED), nullable=False, default="")
    body: Mapped[str] = mapped_column(Text, nullable=False, default="")
    size_bytes: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    # The message as received, files included: triage can still make a ticket of it.
    raw: Mapped[bytes] = deferred(mapped_column(LargeBinary, nullable=False))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    fetched_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    status: Mapped[str] = mapped_column(String(10), nullable=False, default="triage")
    reason: Mapped[str | None] = mapped_column(String(300))
    # Files refused by the upload rules, and a dismissal's reason.
    note: Mapped[str | None] = mapped_column(Text)
    ticket_id: Mapped[int | None] = mapped_column(
        ForeignKey("ticket.id", ondelete="SET NULL"), index=True
    )
    comment_id: Mapped[int | None] = mapped_column(
        ForeignKey("ticket_comment.id", ondelete="SET NULL")
    )
    handled_by_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))
    handled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    ticket: Mapped[Ticket | None] = relationship(Ticket)
    comment: Mapped[TicketComment | None] = relationship(TicketComment)
    handled_by: Mapped[User | None] = relationship(User)

    def __str__(self) -> str:
        return f"{self.sender}: {self.subject or NO_SUBJECT}"

    # ------------------------------------------------------------ derived values

    @property
    def sender(self) -> str:
        if self.from_name:
            return f"{self.from_name} <{self.from_address}>"
        return self.from_address or "(no sender)"

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status, self.status)

    # ------------------------------------------------------------ queries

    @classmethod
    def by_message_id(cls, message_id: str) -> InboundMail | None:
        return _session().scalar(select(cls).where(cls.message_id == message_id))

    # ------------------------------------------------------------ actions

    @classmethod
    def action_receive(cls, raw: bytes) -> InboundMail | None:
        """Record ``raw`` and file it as a comment, a new ticket, or in triage with the reason;
        ``None`` when this mail was received before (nothing changes).

        :raise DomainError: when the ticket or comment refuses it (a closed ticket...): the
            caller rolls back and keeps it with ``action_hold``.
        """
        try:
            parsed = parse_mail(raw)
        except UNREADABLE as error:
            return cls.action_hold(raw, f"the mail could not be read ({type(error).__name__})")
        if cls.by_message_id(parsed.message_id) or TicketComment.by_message_id(parsed.message_id):
            return None
        mail = cls._recorded(raw, parsed)
        if parsed.auto_submitted:
            return mail._triage(REASON_AUTOMATIC.format(parsed.auto_submitted))
        contact, user = contact_for(parsed.from_address), staff_for(parsed.from_address)
        reference = parse_reference(parsed.subject)
        if reference is not None:
            ticket = _session().get(Ticket, reference)
            reason = why_not_comment(ticket, reference, contact, user)
            if reason:
                return mail._triage(reason)
            person = {"contact": contact} if is_clients(ticket, contact) else {"user": user}
            mail._comment_on(ticket, **person)
            return mail
        if contact is None:
            return mail._triage(REASON_STAFF if user is not None else REASON_UNKNOWN)
        clients = [link.client for link in contact.client_links if not link.client.archived]
        if len(clients) != 1:
            return mail._triage(REASON_SEVERAL if clients else REASON_NO_CLIENT)
        mail._raise_for(clients[0], contact, by=None)
        return mail

    @classmethod
    def action_hold(cls, raw: bytes, reason: str) -> InboundMail | None:
        """Keep ``raw`` in triage with ``reason`` (a mail that could not be filed)."""
        try:
            parsed = parse_mail(raw)
        except UNREADABLE:
            parsed = ParsedMail(message_id=derived_message_id(raw))
        if cls.by_message_id(parsed.message_id) is not None:
            return None
        return cls._recorded(raw, parsed)._triage(reason[:300])

    def action_make_ticket(self, client: Client, contact: Contact | None, by: User) -> Ticket:
        """Triage: a new ticket of ``client`` from this mail, raised by ``contact`` (one of the
        client's) or, without one, logged by ``by``.

        :raise MailIntakeError: when the mail is not in triage; ``TicketError`` for a contact of
            another client or an archived client.
        """
        self._require_triage(doing="made a ticket")
        if client is None:
            raise MailIntakeError("Choose the client this ticket is for.", "client_id")
        ticket = self._raise_for(client, contact, by=by)
        self._handled(by)
        return ticket

    def action_attach_to(self, ticket: Ticket | None, by: User) -> TicketComment:
        """Triage: this mail as a comment on ``ticket``: by the sender when they are a contact
        of its client, otherwise as ``by``'s internal note quoting the sender.

        :raise MailIntakeError: when the mail is not in triage or no ticket is named;
            ``TicketError`` for a closed ticket.
        """
        self._require_triage(doing="attached to a ticket")
        if ticket is None:
            raise MailIntakeError("Name the ticket by its reference, e.g. T-00012.", "reference")
        contact = contact_for(self.from_address)
        if is_clients(ticket, contact):
            comment = self._comment_on(ticket, contact=contact)
        else:
            comment = self._comment_on(ticket, user=by, quoting=True)
        self._handled(by)
        return comment

    def action_dismiss(self, by: User, reason: str) -> None:
        """Triage: nothing to do with this mail (spam, a newsletter); it is kept, with why.

        :raise MailIntakeError: when the mail is not in triage or no reason is given.
        """
        self._require_triage(doing="dismissed")
        if _blank(reason):
            raise MailIntakeError("Say why this mail is dismissed.", "reason")
        self.status, self.note = "dismissed", reason.strip()
        self._handled(by)

    # ------------------------------------------------------------ helpers

    @classmethod
    def _recorded(cls, raw: bytes, parsed: ParsedMail) -> InboundMail:
        mail = cls(
            message_id=parsed.message_id,
            in_reply_to=(parsed.in_reply_to or "")[:255] or None,
            from_address=parsed.from_address[:254],
            from_name=parsed.from_name[:200] or None,
            subject=parsed.subject[:SUBJECT_STORED],
            body=parsed.body,
            size_bytes=len(raw),
            raw=raw,
            received_at=parsed.received_at or utcnow(),
            fetched_at=utcnow(),
            status="triage",
        )
        _session().add(mail)
        return mail

    def _triage(self, reason: str) -> InboundMail:
        self.status, self.reason = "triage", reason
        _session().flush()
        return self

    def _require_triage(self, doing: str) -> None:
        if self.status != "triage":
            raise MailIntakeError(
                f"This mail is {self.status_label.lower()} already: it cannot be {doing}.",
                "status",
            )

    def _handled(self, by: User | None) -> None:
        self.handled_by, self.handled_at = by, utcnow()

    def _uploads(self) -> tuple[list[FileStorage], str]:
        """The mail's files the upload rules accept, and a line naming each one refused."""
        max_bytes = int(current_app.config.get("DOCUMENT_MAX_BYTES") or DEFAULT_MAX_BYTES)
        accepted, refused = [], []
        try:
            files = parse_mail(self.raw).files
        except UNREADABLE:
            files = []  # kept in ``raw``, as received
        for file in files:
            try:
                check_upload(file.filename, file.data, max_bytes)
            except DocumentRefusedError as error:
                refused.append(f"{file.filename} was not attached: {error.message}")
                continue
            accepted.append(
                FileStorage(
                    io.BytesIO(file.data), filename=file.filename, content_type=file.content_type
                )
            )
        self.note = "\n".join(refused) or None
        return accepted, (f"\n\n[{'; '.join(refused)}]" if refused else "")

    def _raise_for(self, client: Client, contact: Contact | None, by: User | None) -> Ticket:
        files, refused = self._uploads()
        text = (self.body or (NO_TEXT if files else ""))[: DESCRIPTION_MAX - len(refused)]
        subject = clean_subject(self.subject)[:SUBJECT_MAX] or NO_SUBJECT
        ticket = Ticket.action_raise(
            client, subject, text + refused, channel="email", contact=contact, by=by
        )
        uploader = by or (contact.user if contact is not None else None)
        for upload in files:
            TicketAttachment.action_attach(None, upload, by=uploader, ticket=ticket)
        self.status, self.ticket = "ticket", ticket
        return ticket

    def _comment_on(self, ticket: Ticket, *, contact=None, user=None, quoting=False):
        files, refused = self._uploads()
        text = reply_text(self.body) or (NO_TEXT if files else "")
        if quoting:
            text = f"Email from {self.sender}, subject {self.subject or NO_SUBJECT}:\n\n{text}"
        comment = TicketComment.action_add(
            ticket,
            text[: BODY_MAX - len(refused)] + refused,
            contact=contact,
            user=user,
            internal=quoting,
            channel="email",
            files=files,
            message_id=self.message_id,
        )
        self.status, self.ticket, self.comment = "comment", ticket, comment
        return comment


# A mail a contact sent is theirs: exported, and erased on request (the row stays, as received
# mail, with the sender, the text and the message itself gone).
PERSONAL_DATA.append(
    PersonalData(
        "inbound_mail",
        InboundMail,
        email_is("from_address"),
        export=("received_at", "from_address", "from_name", "subject", "body", "status"),
        erase={
            "from_address": erased_email,
            "from_name": None,
            "subject": lambda row, person: person.scrub(row.subject),
            "body": "[removed: the sender's personal data was erased]",
            "raw": b"",
            "note": lambda row, person: person.scrub(row.note),
        },
    )
)
