"""Notes on a client: free text by a staff user, pinned ones first (the Notes tab).

Adding, editing, pinning and unpinning a note each land on the client's timeline through the
audit trail (``models/audit.py``), kind ``note``.
"""

from __future__ import annotations

from flask_appbuilder.security.sqla.models import User
from sqlalchemy import Boolean, ForeignKey, Integer, Text, false
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from .base import DomainError, Model, TimestampMixin
from .clients import Client

NOTE_MAX = 10_000
EXCERPT = 80


class NoteError(DomainError):
    """A note breaks a rule (empty, too long, no client) or a pin that is already so."""


class Note(TimestampMixin, Model):
    __tablename__ = "note"

    # -- columns
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("client.id"), nullable=False, index=True)
    body: Mapped[str] = mapped_column(Text, nullable=False)
    pinned: Mapped[bool] = mapped_column(
        Boolean, nullable=False, default=False, server_default=false()
    )
    author_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))

    # -- relationships
    client: Mapped[Client] = relationship(Client, lazy="joined")
    author: Mapped[User | None] = relationship(User, lazy="joined")

    def __str__(self) -> str:
        return self.excerpt

    @validates("body")
    def _strip(self, key, value):
        return value.strip() if isinstance(value, str) else value

    # -- derived values
    @property
    def excerpt(self) -> str:
        text = " ".join((self.body or "").split())
        return text if len(text) <= EXCERPT else text[: EXCERPT - 1] + "…"

    # -- rules
    def violations(self) -> list[NoteError]:
        errors = []
        if self.client is None and self.client_id is None:
            errors.append(NoteError("Choose the client this note is about.", "client"))
        if not self.body:
            errors.append(NoteError("A note needs some text.", "body"))
        elif len(self.body) > NOTE_MAX:
            errors.append(
                NoteError(
                    f"A note may hold at most {NOTE_MAX:,} characters (it has {len(self.body):,}).",
                    "body",
                )
            )
        return errors

    def validate(self) -> None:
        """:raise NoteError: for the first rule this note breaks."""
        errors = self.violations()
        if errors:
            raise errors[0]

    # -- actions
    def action_pin(self) -> None:
        """Keep the note at the top of the Notes tab.

        :raise NoteError: when it is pinned already.
        """
        if self.pinned:
            raise NoteError("This note is pinned already.", "pinned")
        self.pinned = True

    def action_unpin(self) -> None:
        """Let the note fall back among the others, newest first.

        :raise NoteError: when it is not pinned.
        """
        if not self.pinned:
            raise NoteError("This note is not pinned.", "pinned")
        self.pinned = False
