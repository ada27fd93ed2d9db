"""How contacts relate to each other (seed 002, relationship mapping): who reports to whom,
who assists whom, who referred whom. Shown on the contact's page."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, UniqueConstraint, or_, select
from sqlalchemy.orm import Mapped, backref, mapped_column, object_session, relationship

from .base import Model, UTCDateTime, utcnow
from .clients import ClientValidationError, _choice_sql, _session
from .contacts import Contact
from .privacy import PERSONAL_DATA, PersonalData

RELATIONSHIP_KINDS = (
    "reports to",
    "manager of",
    "assistant to",
    "colleague",
    "referred by",
    "other",
)


class ContactRelationship(Model):
    """``from_contact`` <kind> ``to_contact``: "Ana Cruz reports to Ben Tan"."""

    __tablename__ = "contact_relationship"
    __table_args__ = (
        UniqueConstraint(
            "from_contact_id", "to_contact_id", "kind", name="uq_contact_relationship"
        ),
        CheckConstraint("from_contact_id <> to_contact_id", name="ck_contact_relationship_self"),
        CheckConstraint(
            _choice_sql("kind", RELATIONSHIP_KINDS), name="ck_contact_relationship_kind"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    from_contact_id: Mapped[int] = mapped_column(
        ForeignKey("contact.id", ondelete="CASCADE"), nullable=False, index=True
    )
    to_contact_id: Mapped[int] = mapped_column(
        ForeignKey("contact.id", ondelete="CASCADE"), nullable=False, index=True
    )
    kind: Mapped[str] = mapped_column(String(20), nullable=False, default="colleague")
    note: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)

    # Declared first: the contact page lists the relationships a contact has towards others.
    from_contact: Mapped[Contact] = relationship(
        Contact,
        foreign_keys=[from_contact_id],
        lazy="joined",
        backref=backref("relationships", cascade="all, delete-orphan"),
    )
    to_contact: Mapped[Contact] = relationship(
        Contact,
        foreign_keys=[to_contact_id],
        lazy="joined",
        backref=backref("related_by", cascade="all, delete-orphan"),
    )

    def __str__(self) -> str:
        return f"{self.from_contact} {self.kind} {self.to_contact}"

    def violations(self) -> list[ClientValidationError]:
        errors = []
        if self.kind not in RELATIONSHIP_KINDS:
            errors.append(
                ClientValidationError(
                    f"Kind must be one of {', '.join(RELATIONSHIP_KINDS)}.", "kind"
                )
            )
        if self.from_contact is None:
            errors.append(
                ClientValidationError("Choose the contact it starts from.", "from_contact")
            )
        if self.to_contact is None:
            errors.append(ClientValidationError("Choose the related contact.", "to_contact"))
        if errors:
            return errors
        if self.from_contact is self.to_contact or (
            self.from_contact.id is not None and self.from_contact.id == self.to_contact.id
        ):
            return [
                ClientValidationError(
                    "A contact cannot be related to themselves; choose another contact.",
                    "to_contact",
                )
            ]
        if self._duplicate():
            errors.append(
                ClientValidationError(
                    f"{self.from_contact} {self.kind} {self.to_contact} is recorded already.",
                    "to_contact",
                )
            )
        return errors

    def _duplicate(self) -> bool:
        if self.from_contact.id is None or self.to_contact.id is None:
            return False
        session = object_session(self) or _session()
        query = select(ContactRelationship.id).where(
            ContactRelationship.from_contact_id == self.from_contact.id,
            ContactRelationship.to_contact_id == self.to_contact.id,
            ContactRelationship.kind == self.kind,
        )
        if self.id is not None:
            query = query.where(ContactRelationship.id != self.id)
        with session.no_autoflush:
            return session.execute(query.limit(1)).first() is not None

    def validate(self) -> None:
        """:raise ClientValidationError: for the first rule this relationship breaks."""
        errors = self.violations()
        if errors:
            raise errors[0]

    def action_remove(self) -> None:
        """Forget this relationship (the two contacts stay)."""
        (object_session(self) or _session()).delete(self)


# Both ends of a relationship are the person's data; its free-text note may describe them.
PERSONAL_DATA.append(
    PersonalData(
        "relationships",
        ContactRelationship,
        lambda model, person: or_(
            model.from_contact_id == person.id, model.to_contact_id == person.id
        ),
        export=("from_contact_id", "kind", "to_contact_id", "note", "created_at"),
        erase={"note": None},
    )
)
