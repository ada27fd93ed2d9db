"""Conversations' one commit point: start a thread or post in one, and tell the other side.

Every new message emails the other side, in the same transaction as the message:

- a client's message goes to the client's owner and engagement manager and to the staff who
  started the thread or wrote in it;
- a staff message goes to the client's people in the thread (who started it or was
  addressed, and who wrote), still contacts of the client. Contacts who opted out of email,
  have no address or reached their frequency limit are skipped, and the skip is on the
  client's timeline.

The author is never told of their own message. The messages are handed to the delivery job
after the commit (``send_later``). Replies by email are not read: the email links to the thread.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import current_app
from flask_appbuilder.security.sqla.models import User
from sqlalchemy import select

from extensions import db
from models import (
    Client,
    ClientContact,
    Contact,
    Conversation,
    ConversationMessage,
    OutboxMessage,
    record_activity,
)

from .mail import compose, send_later

NO_STAFF_EMAIL = "has no email address"


@dataclass
class Posting:
    """What posting did: the message, the emails queued and who was skipped, with the reason."""

    message: ConversationMessage
    queued: list[OutboxMessage] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (who, reason)

    @property
    def conversation(self) -> Conversation:
        return self.message.conversation


def start_conversation(
    client: Client,
    subject: str,
    body: str,
    *,
    user: User | None = None,
    contact: Contact | None = None,
    context_type: str = "client",
    context_id: int | None = None,
    addressed: Contact | None = None,
) -> Posting:
    """Open a thread with its first message, notify the other side, commit, send.

    :raise ConversationError: for any rule the thread or message breaks (nothing is written;
        the caller rolls back).
    """
    conversation = Conversation.action_start(
        client,
        subject,
        body,
        user=user,
        contact=contact,
        context_type=context_type,
        context_id=context_id,
        addressed=addressed,
    )
    return _notify_and_commit(conversation.messages[-1])


def post_message(
    conversation: Conversation,
    body: str,
    *,
    user: User | None = None,
    contact: Contact | None = None,
) -> Posting:
    """Add a message to the thread, notify the other side, commit, send.

    :raise ConversationError: for an empty or too long text, or an author outside the client.
    """
    if db.engine.dialect.name == "postgresql":
        # Two people writing at once: the second waits, then counts on the first's numbers.
        db.session.refresh(conversation, with_for_update={"of": Conversation})
    message = conversation.action_post(body, user=user, contact=contact)
    return _notify_and_commit(message)


def _notify_and_commit(message: ConversationMessage) -> Posting:
    posting = Posting(message)
    if message.side == "client":
        _notify_staff(message, posting)
    else:
        _notify_contacts(message, posting)
    db.session.commit()
    for outbox in posting.queued:
        send_later(outbox)
    return posting


# ---------------------------------------------------------------- recipients


def staff_recipients(conversation: Conversation) -> list[User]:
    """Who hears of a client's message: owner, engagement manager, staff of the thread."""
    client = conversation.client
    people: list[User] = []
    for user in [client.owner, client.engagement_manager, *conversation.staff_writers()]:
        if user is not None and user.active and user not in people:
            people.append(user)
    return people


def contact_recipients(conversation: Conversation) -> list[Contact]:
    """Who hears of a staff message: the thread's people still linked to the client."""
    linked = set(
        db.session.scalars(
            select(ClientContact.contact_id).where(
                ClientContact.client_id == conversation.client_id
            )
        )
    )
    return [contact for contact in conversation.participants() if contact.id in linked]


def thread_urls(conversation: Conversation) -> dict[str, str]:
    public = current_app.config["PUBLIC_URL"].rstrip("/")
    return {
        "client": f"{public}/portal/messages/{conversation.id}",
        "staff": f"{public}/conversationview/show/{conversation.id}",
    }


def _notify_staff(message: ConversationMessage, posting: Posting) -> None:
    conversation = message.conversation
    for user in staff_recipients(conversation):
        name = f"{user.first_name} {user.last_name}".strip() or user.username
        if not user.email:
            posting.skipped.append((name, NO_STAFF_EMAIL))
            continue
        posting.queued.append(_compose(message, user.email, name, user.first_name or name, "staff"))


def _notify_contacts(message: ConversationMessage, posting: Posting) -> None:
    conversation = message.conversation
    for contact in contact_recipients(conversation):
        reason = contact.refusal("email")
        if reason:
            posting.skipped.append((str(contact), reason))
            record_activity(
                db.session,
                "message",
                f"Not emailed to {contact} ({reason}): new message in “{conversation.subject}”",
                client_id=conversation.client_id,
                subject=message,
            )
            continue
        outbox = _compose(
            message, contact.email, str(contact), contact.first_name, "client", contact.id
        )
        db.session.flush()  # the next frequency count sees it
        posting.queued.append(outbox)


def _compose(
    message: ConversationMessage,
    email: str,
    name: str,
    first_name: str,
    side: str,
    contact_id: int | None = None,
) -> OutboxMessage:
    conversation = message.conversation
    return compose(
        "conversation_message",
        to_email=email,
        to_name=name,
        kind="conversation_message",
        recipient_first_name=first_name,
        side=side,
        conversation=conversation,
        message=message,
        client=conversation.client,
        thread_url=thread_urls(conversation)[side],
        client_id=conversation.client_id,
        contact_id=contact_id,
    )
