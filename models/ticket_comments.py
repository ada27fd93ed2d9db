"""Comments on a ticket and the files attached to them.

A comment is written by a staff user or by one of the client's contacts, in the admin, the
portal, by email or through the API. Staff may keep a comment internal: the client never sees
it (the portal and the client's notifications read ``public_comments`` only). The first public
staff comment is the ticket's first response. A client's comment on a ticket waiting for them
puts it back in progress.

Attachments are the client's documents (``ClientDocument``, the same upload rules: size, kind by
content, no programs), visible to the client exactly when the comment is.
"""

from __future__ import annotations

from datetime import datetime

from flask_appbuilder.security.sqla.models import User
from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, false, select
from sqlalchemy.orm import Mapped, mapped_column, object_session, relationship

from .activity import record_activity
from .base import Model, UTCDateTime, utcnow
from .clients import _blank, _session
from .contacts import Contact
from .documents import ClientDocument
from .privacy import PERSONAL_DATA, PersonalData, column_is
from .ticket_events import TicketEvent
from .tickets import Ticket, TicketError, TicketStateError, _name

BODY_MAX = 10000
COMMENT_CHANNELS = ("admin", "portal", "email", "api", "phone", "whatsapp")


class TicketComment(Model):
    __tablename__ = "ticket_comment"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(
        ForeignKey("ticket.id", ondelete="CASCADE"), nullable=False, index=True
    )
    author_user_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))
    author_contact_id: Mapped[int | None] = mapped_column(ForeignKey("contact.id"), index=True)
    body: Mapped[str] = mapped_column(Text, nullable=False)
    internal: Mapped[bool] = mapped_column(
        Boolean, nullable=False, default=False, server_default=false()
    )
    channel: Mapped[str] = mapped_column(String(10), nullable=False, default="admin")
    # The Message-ID of the email it came from: one mail makes one comment, however often the
    # mailbox is read.
    message_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)

    ticket: Mapped[Ticket] = relationship(Ticket, back_populates="comments")
    author_user: Mapped[User | None] = relationship(User, lazy="joined")
    author_contact: Mapped[Contact | None] = relationship(Contact, lazy="joined")
    attachments = relationship("TicketAttachment", back_populates="comment", cascade="all")

    def __str__(self) -> str:
        return f"{self.author_name}: {self.body[:60]}"

    @property
    def side(self) -> str:
        return "client" if self.author_contact_id or self.author_contact else "staff"

    @property
    def author_name(self) -> str:
        if self.author_contact is not None:
            return str(self.author_contact)
        return _name(self.author_user) if self.author_user else "someone"

    @classmethod
    def action_add(
        cls,
        ticket: Ticket,
        body: str,
        *,
        user: User | None = None,
        contact: Contact | None = None,
        internal: bool = False,
        channel: str = "admin",
        message_id: str | None = None,
        files=(),
        at: datetime | None = None,
    ) -> TicketComment:
        """Add a comment by a staff ``user`` or a client ``contact`` (exactly one), with
        ``files`` (werkzeug ``FileStorage`` objects) attached.

        :raise TicketError: for an empty or too long text, an internal comment by the client, a
            contact of another client, a closed ticket; a refused file raises
            ``DocumentRefusedError`` (field ``file``). Nothing is saved then.
        """
        if (user is None) == (contact is None):
            raise TicketError("A comment is written by a staff user or a contact.", "author")
        if ticket.status == "closed":
            raise TicketStateError(
                f"{ticket.reference} is closed: raise a new ticket instead.", "status"
            )
        if contact is not None:
            ticket._check_client_person(contact)
            if internal:
                raise TicketError("Only staff can write internal notes.", "internal")
        if _blank(body):
            raise TicketError("Write a comment.", "body")
        if len(body) > BODY_MAX:
            raise TicketError(f"A comment may hold at most {BODY_MAX} characters.", "body")
        if channel not in COMMENT_CHANNELS:
            raise TicketError(f"Channel must be one of {', '.join(COMMENT_CHANNELS)}.", "channel")
        session = object_session(ticket) or _session()
        at = at or utcnow()
        comment = cls(
            ticket=ticket,
            author_user=user,
            author_contact=contact,
            body=body.strip(),
            internal=bool(internal),
            channel=channel,
            message_id=message_id,
            created_at=at,
        )
        session.add(comment)
        session.flush()
        for upload in files or ():
            if upload is not None and getattr(upload, "filename", None):
                TicketAttachment.action_attach(comment, upload, by=user or contact.user)
        if user is not None and not internal:
            ticket._responded(at)
            if ticket.status == "new":
                ticket.status = "acknowledged"
        if contact is not None and ticket.status == "waiting_on_client":
            ticket.status = "in_progress"
            ticket._resume(at)
            ticket._event("status", "Waiting on client → In progress (the client answered)",
                          contact=contact)
        if not internal:
            record_activity(
                session,
                "ticket",
                f"{comment.author_name} commented on ticket {ticket.reference}",
                client_id=ticket.client_id,
                subject=ticket,
                actor=user,
            )
        return comment

    @classmethod
    def by_message_id(cls, message_id: str) -> TicketComment | None:
        return _session().scalar(select(cls).where(cls.message_id == message_id))


class TicketAttachment(Model):
    """A file on a ticket: the client document it is stored as, and the comment it came with."""

    __tablename__ = "ticket_attachment"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(
        ForeignKey("ticket.id", ondelete="CASCADE"), nullable=False, index=True
    )
    comment_id: Mapped[int | None] = mapped_column(
        ForeignKey("ticket_comment.id", ondelete="CASCADE"), index=True
    )
    document_id: Mapped[int] = mapped_column(ForeignKey("client_document.id"), nullable=False)

    ticket: Mapped[Ticket] = relationship(Ticket)
    comment: Mapped[TicketComment | None] = relationship(
        TicketComment, back_populates="attachments"
    )
    document: Mapped[ClientDocument] = relationship(ClientDocument, lazy="joined")

    def __str__(self) -> str:
        return self.document.original_filename if self.document else "attachment"

    @property
    def internal(self) -> bool:
        return bool(self.comment is not None and self.comment.internal)

    @classmethod
    def action_attach(
        cls, comment: TicketComment | None, upload, *, by: User | None, ticket: Ticket | None = None
    ) -> TicketAttachment:
        """Store ``upload`` as the client's document and attach it (to ``comment``'s ticket, or
        to ``ticket`` itself when it comes with the request).

        :raise DocumentRefusedError: when the file is refused; nothing is written.
        """
        ticket = ticket or comment.ticket
        name = getattr(upload, "filename", "") or "file"
        visible = not (comment is not None and comment.internal)
        document = ClientDocument.action_store(
            ticket.client, upload, f"{ticket.reference}: {name}"[:200], "other", visible, by
        )
        attachment = cls(ticket=ticket, comment=comment, document=document)
        (object_session(ticket) or _session()).add(attachment)
        return attachment


def public_comments(ticket: Ticket) -> list[TicketComment]:
    """What the client may read of the conversation on ``ticket``."""
    return [comment for comment in ticket.comments if not comment.internal]


# What a contact wrote or asked on the service desk is theirs: exported, and erased on request
# (an event's text names them: their name is scrubbed from it).
REMOVED = "[removed: the author's personal data was erased]"
PERSONAL_DATA.extend(
    [
        PersonalData(
            "tickets",
            Ticket,
            column_is("contact_id"),
            export=(
                "id",
                "client.name",
                "subject",
                "description",
                "status",
                "created_at",
                "rating",
                "rating_comment",
            ),
            erase={
                "subject": lambda row, person: person.scrub(row.subject),
                "description": REMOVED,
                "rating_comment": None,
            },
        ),
        PersonalData(
            "ticket_comments",
            TicketComment,
            column_is("author_contact_id"),
            export=("ticket_id", "body", "created_at"),
            erase={"body": REMOVED},
        ),
        PersonalData(
            "ticket_events",
            TicketEvent,
            column_is("contact_id"),
            export=("ticket_id", "kind", "at"),
            erase={"detail": lambda row, person: person.scrub(row.detail)},
        ),
    ]
)
