"""The people at a client: contacts, and their link to a client with a role and portal areas."""

from __future__ import annotations

from datetime import datetime

from flask_appbuilder.security.sqla.models import User
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    func,
    select,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, object_session, relationship, validates

from .base import Model, TimestampMixin, UTCDateTime
from .clients import (
    CONTACT_ROLES,
    EMAIL_RE,
    PHONE_RE,
    Client,
    ClientValidationError,
    _blank,
    _choice_sql,
    _session,
)


class Contact(TimestampMixin, Model):
    __tablename__ = "contact"
    __table_args__ = (Index("uq_contact_email", func.lower(text("email")), unique=True),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    first_name: Mapped[str] = mapped_column(String(100), nullable=False)
    last_name: Mapped[str] = mapped_column(String(100), nullable=False)
    title: Mapped[str | None] = mapped_column(String(120))
    department: Mapped[str | None] = mapped_column(String(120))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(40))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"), unique=True)
    # Set when the person's data was erased on request (models/privacy.py); the row stays.
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User | None] = relationship(User, lazy="joined")
    client_links: Mapped[list[ClientContact]] = relationship(
        "ClientContact", back_populates="contact", cascade="all, delete-orphan"
    )

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def full_name(self) -> str:
        return str(self)

    @validates("first_name", "last_name", "email", "phone", "title", "department")
    def _strip(self, key, value):
        value = value.strip() if isinstance(value, str) else value
        return value or None if key in ("email", "phone") else value

    def violations(self, unique: bool = True) -> list[ClientValidationError]:
        """Every rule this contact breaks; ``unique=False`` leaves out the one rule that reads
        the database (the email taken by another contact), for a caller checking it in bulk."""
        errors = []
        for field, label in (("first_name", "First name"), ("last_name", "Last name")):
            if _blank(getattr(self, field)):
                errors.append(ClientValidationError(f"{label} is required.", field))
        if self.email:
            if not EMAIL_RE.match(self.email):
                errors.append(ClientValidationError("Email is not a valid email address.", "email"))
            elif unique:
                session = object_session(self) or _session()
                query = select(Contact.id).where(func.lower(Contact.email) == self.email.lower())
                if self.id is not None:
                    query = query.where(Contact.id != self.id)
                with session.no_autoflush:
                    if session.execute(query.limit(1)).first():
                        errors.append(
                            ClientValidationError(
                                f"Email {self.email} belongs to another contact.", "email"
                            )
                        )
        if self.phone and not PHONE_RE.match(self.phone):
            errors.append(
                ClientValidationError(
                    "Phone may hold digits, spaces, + ( ) - . only, 6 to 24 characters.", "phone"
                )
            )
        return errors

    def validate(self) -> None:
        """:raise ClientValidationError: for the first rule this contact breaks."""
        errors = self.violations()
        if errors:
            raise errors[0]


class ClientContact(Model):
    """A contact's link to a client: their role there and what they may use in the portal."""

    __tablename__ = "client_contact"
    __table_args__ = (
        UniqueConstraint("client_id", "contact_id", name="uq_client_contact"),
        CheckConstraint(_choice_sql("role", CONTACT_ROLES), name="ck_client_contact_role"),
        # At most one primary contact per client.
        Index(
            "uq_client_primary_contact",
            "client_id",
            unique=True,
            sqlite_where=text("role = 'primary'"),
            postgresql_where=text("role = 'primary'"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("client.id"), nullable=False, index=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contact.id"), nullable=False, index=True)
    role: Mapped[str] = mapped_column(String(20), nullable=False, default="secondary")
    # Portal areas, per person rather than per company.
    can_hiring: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    can_billing: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    can_sign: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    is_client_admin: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    portal_enabled: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)

    client: Mapped[Client] = relationship(Client, back_populates="contact_links", lazy="joined")
    contact: Mapped[Contact] = relationship(Contact, back_populates="client_links", lazy="joined")

    AREAS = {
        "hiring": ("can_hiring", "Hiring: projects, candidates, evaluations"),
        "billing": ("can_billing", "Billing: invoices and payments"),
        "signatory": ("can_sign", "Signatory: quotes and contracts"),
        "client_admin": ("is_client_admin", "Client admin: invite and manage colleagues"),
    }

    def __str__(self) -> str:
        return f"{self.contact} ({self.role}) at {self.client}"

    def may(self, area: str) -> bool:
        return bool(getattr(self, self.AREAS[area][0]))

    @property
    def areas(self) -> list[str]:
        return [area for area in self.AREAS if self.may(area)]

    def violations(self) -> list[ClientValidationError]:
        if self.role not in CONTACT_ROLES:
            return [
                ClientValidationError(f"Role must be one of {', '.join(CONTACT_ROLES)}.", "role")
            ]
        if self.role == "primary" and self.client is not None:
            others = [
                link
                for link in self.client.contact_links
                if link is not self and link.role == "primary"
            ]
            if not others and self.client.id is not None:
                session = object_session(self) or _session()
                query = select(ClientContact.id).where(
                    ClientContact.client_id == self.client.id, ClientContact.role == "primary"
                )
                if self.id is not None:
                    query = query.where(ClientContact.id != self.id)
                with session.no_autoflush:
                    others = session.execute(query.limit(1)).all()
            if others:
                return [
                    ClientValidationError(
                        f"{self.client.name} already has a primary contact; "
                        "make that one secondary first.",
                        "role",
                    )
                ]
        return []

    def validate(self) -> None:
        """:raise ClientValidationError: for the first rule this link breaks."""
        errors = self.violations()
        if errors:
            raise errors[0]

    def action_set_areas(self, areas: list[str], by: ClientContact | None = None) -> None:
        """Grant exactly these portal areas; ``by`` is the client admin making the change, if any.

        :raise ClientValidationError: for an area that does not exist, or when a client admin
            would remove their own client admin area (which could leave the client with none).
        """
        unknown = set(areas) - set(self.AREAS)
        if unknown:
            raise ClientValidationError(
                f"Unknown portal area(s): {', '.join(sorted(unknown))}.", "areas"
            )
        if (
            by is not None
            and by.id == self.id
            and self.is_client_admin
            and ("client_admin" not in areas)
        ):
            raise ClientValidationError(
                "You cannot remove your own client admin area; ask another client admin.",
                "areas",
            )
        for area, (attr, _label) in self.AREAS.items():
            setattr(self, attr, area in areas)
