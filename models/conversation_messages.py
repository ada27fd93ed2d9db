"""A message in a conversation: its text, its author (a staff user, side ``staff``, or one of
the client's contacts, side ``client``) and when it was written. Messages are added by
``Conversation.action_post`` (models/conversations.py), which keeps the thread's counts."""

from __future__ import annotations

from datetime import datetime

from flask_appbuilder.security.sqla.models import User
from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from .base import Model, UTCDateTime, utcnow
from .contacts import Contact
from .conversations import BODY_MAX, SIDES, Conversation, ConversationError, excerpt, person_name
from .privacy import PERSONAL_DATA, PersonalData, column_is


class ConversationMessage(Model):
    __tablename__ = "conversation_message"
    __table_args__ = (
        CheckConstraint("side IN ('staff', 'client')", name="ck_conversation_message_side"),
        CheckConstraint(
            "(author_user_id IS NULL) <> (author_contact_id IS NULL)",
            name="ck_conversation_message_author",
        ),
    )

    # -- columns
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversation.id"), nullable=False, index=True
    )
    side: Mapped[str] = mapped_column(String(10), nullable=False)
    author_user_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))
    author_contact_id: Mapped[int | None] = mapped_column(ForeignKey("contact.id"), index=True)
    body: Mapped[str] = mapped_column(Text, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)

    # -- relationships
    conversation: Mapped[Conversation] = relationship(Conversation, back_populates="messages")
    author_user: Mapped[User | None] = relationship(User, lazy="joined")
    author_contact: Mapped[Contact | None] = relationship(Contact, lazy="joined")

    def __str__(self) -> str:
        return excerpt(self.body)

    @validates("body")
    def _strip(self, key, value):
        return value.strip() if isinstance(value, str) else value

    # -- derived values
    @property
    def author_name(self) -> str:
        return person_name(self.author_user, self.author_contact)

    @property
    def client_id(self) -> int | None:
        return self.conversation.client_id if self.conversation is not None else None

    # -- rules
    def violations(self) -> list[ConversationError]:
        errors = []
        if self.side not in SIDES:
            errors.append(ConversationError(f"Side must be one of {', '.join(SIDES)}.", "side"))
        if not self.body:
            errors.append(ConversationError("Message is required: write something.", "body"))
        elif len(self.body) > BODY_MAX:
            errors.append(
                ConversationError(
                    f"Message may hold at most {BODY_MAX:,} characters "
                    f"(it has {len(self.body):,}).",
                    "body",
                )
            )
        if self.side == "staff" and self.author_user is None and self.author_user_id is None:
            errors.append(ConversationError("A staff message needs its staff author.", "author"))
        if self.side == "client" and self.author_contact is None and self.author_contact_id is None:
            errors.append(ConversationError("A client message needs its contact.", "author"))
        return errors

    def validate(self) -> None:
        """:raise ConversationError: for the first rule this message breaks."""
        errors = self.violations()
        if errors:
            raise errors[0]


PERSONAL_DATA.append(
    PersonalData(
        "conversation_messages",
        ConversationMessage,
        column_is("author_contact_id"),
        export=("conversation_id", "body", "created_at"),
        erase={"body": "[removed: the author's personal data was erased]"},
    )
)
