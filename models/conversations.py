"""Conversations: message threads between the agency and one client, about a context.

A thread belongs to one client and is about the client itself or one of its job orders,
invoices or quotes (``context_type`` + ``context_id``; the record must be the same client's,
and one the client can see: an issued invoice, a quote that was sent). Its messages are
written by staff users (side ``staff``) or by the client's contacts (side ``client``).

Each side has a read marker (when it last read the thread) and an unread count (messages of
the other side since), kept by the verbs: posting counts one unread for the other side and
marks the thread read for the author's side. Every message lands on the client's timeline
(kind ``message``). The message itself is ``conversation_messages.py``; the notifications by
email are ``jobs/conversations.py``'s.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from flask_appbuilder.security.sqla.models import User
from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    or_,
    select,
)
from sqlalchemy.orm import Mapped, mapped_column, object_session, relationship, validates

from .activity import record_activity
from .base import DomainError, Model, UTCDateTime, length_violations, utcnow
from .billing import Invoice
from .clients import Client, _session
from .commercial import Quote
from .contacts import ClientContact, Contact
from .privacy import PERSONAL_DATA, PersonalData
from .recruiting import JobOrder

if TYPE_CHECKING:
    from .conversation_messages import ConversationMessage

SIDES = ("staff", "client")
# What a thread can be about, the model behind it and the portal area that shows it
# (``None``: every portal user of the client).
CONTEXTS = {
    "client": (None, None),
    "job_order": (JobOrder, "hiring"),
    "invoice": (Invoice, "billing"),
    "quote": (Quote, "signatory"),
}
CONTEXT_LABELS = {
    "client": "General",
    "job_order": "Job order",
    "invoice": "Invoice",
    "quote": "Quote",
}
SUBJECT_MAX = 200
BODY_MAX = 5000
EXCERPT = 80


class ConversationError(DomainError):
    """A thread or message breaks a rule: no subject or text, too long, a context of another
    client, an author who is not part of the client."""


def excerpt(text: str | None) -> str:
    flat = " ".join((text or "").split())
    return flat if len(flat) <= EXCERPT else flat[: EXCERPT - 1] + "…"


def contexts_for_areas(areas) -> list[str]:
    """The context types a portal user with ``areas`` may read threads about."""
    return [kind for kind, (_model, area) in CONTEXTS.items() if area is None or area in areas]


def load_contexts(conversations) -> None:
    """Load the records ``conversations`` are about, one query per kind (a list's labels then
    read them from the session instead of one query per row)."""
    wanted: dict[type, set[int]] = {}
    for conversation in conversations:
        model = CONTEXTS.get(conversation.context_type, (None, None))[0]
        if model is not None and conversation.context_id is not None:
            wanted.setdefault(model, set()).add(conversation.context_id)
    session = _session()
    found = {
        (model, record.id): record
        for model, ids in wanted.items()
        for record in session.scalars(select(model).where(model.id.in_(ids)))
    }
    for conversation in conversations:
        model = CONTEXTS.get(conversation.context_type, (None, None))[0]
        if model is not None:
            conversation.__dict__["_context"] = found.get((model, conversation.context_id))


class Conversation(Model):
    __tablename__ = "conversation"
    __table_args__ = (
        CheckConstraint(
            "context_type IN ('client', 'job_order', 'invoice', 'quote')",
            name="ck_conversation_context_type",
        ),
        CheckConstraint(
            "(context_type = 'client') = (context_id IS NULL)", name="ck_conversation_context_id"
        ),
        Index("ix_conversation_client_last", "client_id", "last_message_at"),
        Index("ix_conversation_context", "context_type", "context_id"),
    )

    # -- columns
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("client.id"), nullable=False)
    context_type: Mapped[str] = mapped_column(String(20), nullable=False, default="client")
    context_id: Mapped[int | None] = mapped_column(Integer)
    subject: Mapped[str] = mapped_column(String(SUBJECT_MAX), nullable=False)
    # Who started it: a staff user or a contact of the client.
    started_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))
    started_by_contact_id: Mapped[int | None] = mapped_column(ForeignKey("contact.id"), index=True)
    # The client's contact a staff member addressed (the primary contact by default).
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contact.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    last_message_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    # Read markers and unread counts, one per side.
    staff_read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    client_read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    staff_unread: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    client_unread: Mapped[int] = mapped_column(Integer, nullable=False, default=0)

    # -- relationships
    client: Mapped[Client] = relationship(Client, lazy="joined")
    started_by_user: Mapped[User | None] = relationship(User, lazy="joined")
    started_by_contact: Mapped[Contact | None] = relationship(
        Contact, foreign_keys=[started_by_contact_id], lazy="joined"
    )
    contact: Mapped[Contact | None] = relationship(
        Contact, foreign_keys=[contact_id], lazy="joined"
    )
    messages: Mapped[list[ConversationMessage]] = relationship(
        "ConversationMessage",
        back_populates="conversation",
        order_by="ConversationMessage.id",
        cascade="all, delete-orphan",
    )

    def __str__(self) -> str:
        return self.subject or "New conversation"

    @validates("subject")
    def _strip(self, key, value):
        return " ".join(value.split()) if isinstance(value, str) else value

    # -- derived values
    @property
    def context(self):
        """The job order, invoice or quote the thread is about (``None`` for the client)."""
        model = CONTEXTS.get(self.context_type, (None, None))[0]
        if model is None or self.context_id is None:
            return None
        loaded = self.__dict__.get("_context")
        if loaded is not None and loaded.id == self.context_id and isinstance(loaded, model):
            return loaded
        session = object_session(self) or _session()
        with session.no_autoflush:
            return session.get(model, self.context_id)

    @property
    def context_area(self) -> str | None:
        return CONTEXTS.get(self.context_type, (None, None))[1]

    @property
    def context_label(self) -> str:
        """'General', 'Job order JO-00012 Warehouse lead', 'Invoice INV-2026-0004'..."""
        if self.context_type == "client":
            return CONTEXT_LABELS["client"]
        record = self.context
        if record is None:
            return f"{CONTEXT_LABELS.get(self.context_type, self.context_type)} (removed)"
        if isinstance(record, Invoice):
            return str(record)
        return f"{CONTEXT_LABELS[self.context_type]} {record}"

    @property
    def started_by_name(self) -> str:
        return person_name(self.started_by_user, self.started_by_contact)

    def unread_for(self, side: str) -> int:
        return self.staff_unread if side == "staff" else self.client_unread

    def participants(self) -> list[Contact]:
        """The client's people in the thread: who started it or was addressed, then who wrote."""
        people: list[Contact] = []
        candidates = [self.started_by_contact, self.contact]
        candidates += [m.author_contact for m in self.messages if m.side == "client"]
        for contact in candidates:
            if contact is not None and contact not in people:
                people.append(contact)
        return people

    def staff_writers(self) -> list[User]:
        """The staff users who started the thread or wrote in it, first come first."""
        people: list[User] = []
        candidates = [self.started_by_user]
        candidates += [m.author_user for m in self.messages if m.side == "staff"]
        for user in candidates:
            if user is not None and user not in people:
                people.append(user)
        return people

    # -- rules
    def violations(self) -> list[ConversationError]:
        errors: list[ConversationError] = []
        if self.client is None and self.client_id is None:
            errors.append(
                ConversationError("Choose the client this conversation is with.", "client")
            )
        if not self.subject:
            errors.append(ConversationError("Subject is required.", "subject"))
        errors += length_violations(self, ConversationError)
        errors += self._context_violations()
        if self.started_by_user_id is None and self.started_by_user is None:
            if self.started_by_contact is None and self.started_by_contact_id is None:
                errors.append(
                    ConversationError("A conversation is started by someone.", "started_by")
                )
        if self.contact is not None and not self._is_clients_contact(self.contact):
            errors.append(
                ConversationError(
                    f"{self.contact} is not a contact of {self.client}.", "contact_id"
                )
            )
        return errors

    def _context_violations(self) -> list[ConversationError]:
        if self.context_type not in CONTEXTS:
            return [
                ConversationError(
                    f"Context type must be one of {', '.join(CONTEXTS)}.", "context_type"
                )
            ]
        if self.context_type == "client":
            if self.context_id is not None:
                return [
                    ConversationError(
                        "A general conversation is about no job order, invoice or quote.",
                        "context_id",
                    )
                ]
            return []
        label = CONTEXT_LABELS[self.context_type].lower()
        if self.context_id is None:
            return [
                ConversationError(f"Choose the {label} this conversation is about.", "context_id")
            ]
        record = self.context
        client_id = self.client.id if self.client is not None else self.client_id
        if record is None or record.client_id != client_id:
            return [
                ConversationError(
                    f"No {label} {self.context_id} of {self.client or 'this client'}.",
                    "context_id",
                )
            ]
        if isinstance(record, Invoice) and record.number is None:
            return [
                ConversationError(
                    "The client cannot see a draft invoice: issue it first.", "context_id"
                )
            ]
        if isinstance(record, Quote) and record.status == "draft":
            return [
                ConversationError(
                    "The client cannot see a draft quote: send it first.", "context_id"
                )
            ]
        return []

    def _is_clients_contact(self, contact: Contact) -> bool:
        client_id = self.client.id if self.client is not None else self.client_id
        if contact.id is None or client_id is None:
            return any(link.client is self.client for link in contact.client_links)
        session = object_session(self) or _session()
        with session.no_autoflush:
            return (
                session.scalar(
                    select(ClientContact.id).where(
                        ClientContact.client_id == client_id,
                        ClientContact.contact_id == contact.id,
                    )
                )
                is not None
            )

    def validate(self) -> None:
        """:raise ConversationError: for the first rule this thread breaks."""
        errors = self.violations()
        if errors:
            raise errors[0]

    # -- actions
    @classmethod
    def action_start(
        cls,
        client: Client,
        subject: str,
        body: str,
        *,
        user: User | None = None,
        contact: Contact | None = None,
        context_type: str = "client",
        context_id: int | None = None,
        addressed: Contact | None = None,
    ) -> Conversation:
        """Open a thread with ``client`` and post its first message.

        Started by a staff ``user`` or by the client's ``contact`` (exactly one). A staff
        member may address one of the client's contacts (the primary contact by default),
        who is told by email and counts as taking part.

        :raise ConversationError: for a missing or too long subject or text, a context that
            is not the client's (or not visible to it), an author outside the client.
        """
        if (user is None) == (contact is None):
            raise ConversationError(
                "A conversation is started by a staff user or a contact.", "started_by"
            )
        if user is not None and addressed is None:
            addressed = client.primary_contact
        conversation = cls(
            client=client,
            subject=subject or "",
            context_type=context_type or "client",
            context_id=context_id,
            started_by_user=user,
            started_by_contact=contact,
            contact=addressed if user is not None else None,
            staff_unread=0,
            client_unread=0,
        )
        conversation.validate()
        session = object_session(client) or _session()
        session.add(conversation)
        conversation.action_post(body, user=user, contact=contact)
        return conversation

    def action_post(
        self, body: str, *, user: User | None = None, contact: Contact | None = None
    ) -> ConversationMessage:
        """Add a message by a staff ``user`` or a client ``contact`` (exactly one).

        The other side gets one more unread message; the author's side has read the thread.
        The message goes on the client's timeline.

        :raise ConversationError: for an empty or too long text, or a contact who is not the
            client's.
        """
        if (user is None) == (contact is None):
            raise ConversationError("A message is written by a staff user or a contact.", "author")
        if self.client is not None and self.client.archived:
            raise ConversationError(
                f"{self.client.name} is archived: restore it to write to it.", "client"
            )
        side = "staff" if user is not None else "client"
        if contact is not None and not self._is_clients_contact(contact):
            raise ConversationError(f"{contact} is not a contact of {self.client}.", "author")
        from .conversation_messages import ConversationMessage

        session = object_session(self) or _session()
        with session.no_autoflush:  # nothing is written before the message is checked
            message = ConversationMessage(
                side=side,
                author_user=user,
                author_contact=contact,
                body=body if isinstance(body, str) else "",
            )
            message.validate()
            now = utcnow()
            message.created_at = now
            self.last_message_at = now
            if side == "staff":
                self.client_unread = (self.client_unread or 0) + 1
                self.staff_unread, self.staff_read_at = 0, now
            else:
                self.staff_unread = (self.staff_unread or 0) + 1
                self.client_unread, self.client_read_at = 0, now
            message.conversation = self
            session.add(message)
        session.flush()  # ids for the timeline
        # A client's words stay out of the timeline's summary: erasing the contact blanks their
        # messages, and the summary would keep an excerpt of them.
        summary = f"{message.author_name} wrote in “{self.subject}”"
        if side == "staff":
            summary += f": {excerpt(message.body)}"
        record_activity(
            session,
            "message",
            summary,
            client_id=self.client_id,
            subject=message,
            actor=user,
        )
        if contact is not None:  # their answer to the mails we sent them lately
            from .messaging import mark_mails_answered

            mark_mails_answered(session, contact.id, message.created_at)
        return message

    def action_mark_read(self, side: str, at: datetime | None = None) -> None:
        """``side`` has read every message of the thread.

        :raise ConversationError: for a side that is neither staff nor client.
        """
        if side not in SIDES:
            raise ConversationError(f"Side must be one of {', '.join(SIDES)}.", "side")
        at = at or utcnow()
        if side == "staff":
            self.staff_unread, self.staff_read_at = 0, at
        else:
            self.client_unread, self.client_read_at = 0, at


def person_name(user: User | None, contact: Contact | None) -> str:
    if contact is not None:
        return str(contact)
    if user is not None:
        return f"{user.first_name} {user.last_name}".strip() or user.username
    return "someone"


PERSONAL_DATA.append(
    PersonalData(
        "conversations",
        Conversation,
        lambda model, person: or_(
            model.started_by_contact_id == person.id, model.contact_id == person.id
        ),
        export=("id", "client.name", "subject", "context_type", "context_id", "created_at"),
    )
)
