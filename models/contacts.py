"""The people at a client: contacts with their communication preferences, and their link to a
client with a role and portal areas (one primary contact per client at most)."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask_appbuilder.security.sqla.models import User
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    false,
    func,
    select,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, object_session, relationship, validates

from .base import Model, TimestampMixin, UTCDateTime, utcnow
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

# Communication preferences (seed 002): how, when and how often a contact wants to hear from us.
CHANNELS = ("email", "phone", "sms", "none")
BEST_TIMES = ("morning", "afternoon", "evening", "any")
ENGAGEMENT_LEVELS = ("hot", "warm", "cold", "dormant")
FREQUENCY_WINDOW = timedelta(days=7)
FREQUENCY_MAX = 100
# Channels a message can be sent on from the client page, with their opt-out flag and address.
MESSAGE_CHANNELS = {
    "email": ("opt_out_email", "email", "email address"),
    "sms": ("opt_out_sms", "phone", "phone number"),
}


class Contact(TimestampMixin, Model):
    __tablename__ = "contact"
    __table_args__ = (
        Index("uq_contact_email", func.lower(text("email")), unique=True),
        CheckConstraint(_choice_sql("preferred_channel", CHANNELS), name="ck_contact_channel"),
        CheckConstraint(_choice_sql("best_time", BEST_TIMES), name="ck_contact_best_time"),
        CheckConstraint(
            _choice_sql("engagement_level", ENGAGEMENT_LEVELS), name="ck_contact_engagement"
        ),
        CheckConstraint(
            f"frequency_limit IS NULL OR frequency_limit BETWEEN 1 AND {FREQUENCY_MAX}",
            name="ck_contact_frequency_limit",
        ),
    )

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
    # -- communication preferences
    preferred_channel: Mapped[str | None] = mapped_column(String(10))
    best_time: Mapped[str | None] = mapped_column(String(10))
    frequency_limit: Mapped[int | None] = mapped_column(Integer)  # messages per 7 days
    opt_out_email: Mapped[bool] = mapped_column(
        Boolean, nullable=False, default=False, server_default=false()
    )
    opt_out_sms: Mapped[bool] = mapped_column(
        Boolean, nullable=False, default=False, server_default=false()
    )
    opt_out_phone: Mapped[bool] = mapped_column(
        Boolean, nullable=False, default=False, server_default=false()
    )
    engagement_level: Mapped[str | None] = mapped_column(String(10))

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

    @validates("preferred_channel", "best_time", "engagement_level")
    def _blank_choice(self, key, value):
        return value.strip() or None if isinstance(value, str) else value

    # -- derived values
    def messages_in_window(self) -> int:
        """Messages queued or delivered to this contact over the last 7 days (failed ones aside)."""
        from .messaging import OutboxMessage

        session = object_session(self) or _session()
        with session.no_autoflush:
            return session.scalar(
                select(func.count(OutboxMessage.id)).where(
                    OutboxMessage.contact_id == self.id,
                    OutboxMessage.status != "failed",
                    OutboxMessage.created_at >= utcnow() - FREQUENCY_WINDOW,
                )
            )

    def refusal(self, channel: str) -> str | None:
        """Why this contact may not be sent a message on ``channel`` now; ``None`` when they may."""
        opt_out, address, address_label = MESSAGE_CHANNELS[channel]
        if getattr(self, opt_out):
            return f"opted out of {'SMS' if channel == 'sms' else channel}"
        if not getattr(self, address):
            return f"has no {address_label}"
        if self.frequency_limit is not None and self.id is not None:
            if self.messages_in_window() >= self.frequency_limit:
                return f"reached their limit of {self.frequency_limit} messages per 7 days"
        return None

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
        errors.extend(self._preference_violations())
        return errors

    def _preference_violations(self) -> list[ClientValidationError]:
        errors = []
        for field, label, values in (
            ("preferred_channel", "Preferred channel", CHANNELS),
            ("best_time", "Best time to contact", BEST_TIMES),
            ("engagement_level", "Engagement level", ENGAGEMENT_LEVELS),
        ):
            value = getattr(self, field)
            if value is not None and value not in values:
                errors.append(
                    ClientValidationError(f"{label} must be one of {', '.join(values)}.", field)
                )
        limit = self.frequency_limit
        if limit is not None and (
            isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= FREQUENCY_MAX
        ):
            errors.append(
                ClientValidationError(
                    f"Frequency limit is a whole number of messages per 7 days, 1 to "
                    f"{FREQUENCY_MAX} (leave it empty for no limit).",
                    "frequency_limit",
                )
            )
        channel = self.preferred_channel
        if channel in ("email", "sms", "phone") and getattr(self, f"opt_out_{channel}"):
            errors.append(
                ClientValidationError(
                    f"Preferred channel is {channel}, but the contact opted out of {channel}.",
                    "preferred_channel",
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

    # -- the Contacts tab: primary contact, delink, and their trace on the client's timeline
    @property
    def is_primary(self) -> bool:
        return self.role == "primary"

    def record(self, what: str, changes: dict | None = None) -> None:
        """Put "<contact> <what>" on the client's timeline (kind ``contact``)."""
        from .activity import record_activity

        session = object_session(self) or _session()
        with session.no_autoflush:  # a link from a form may not be in the session yet
            contact_id, client_id, name = self.contact.id, self.client.id, str(self.contact)
        if contact_id is None or client_id is None:
            session.flush()
            contact_id, client_id = self.contact.id, self.client.id
        record_activity(
            session,
            "contact",
            f"{name} {what}",
            client_id=client_id,
            subject_type="contact",
            subject_id=contact_id,
            changes=changes,
        )

    def record_changes(self) -> None:
        """Log a change of role made on the edit form (call it before the flush)."""
        session = object_session(self) or _session()
        with session.no_autoflush:  # the stored role: a form may set it without loading it
            if self.id is None:
                return
            before = session.scalar(select(ClientContact.role).where(ClientContact.id == self.id))
        if before != self.role:
            self.record(
                f"changed from {before} to {self.role} contact", {"role": [before, self.role]}
            )

    def action_make_primary(self) -> None:
        """Make this contact the client's primary contact; the previous one becomes secondary.

        Both changes happen in the caller's transaction: the previous primary steps down (and
        is flushed) first, so the one-primary index never sees two.

        :raise ClientValidationError: when this contact is the primary contact already.
        """
        if self.is_primary:
            raise ClientValidationError(
                f"{self.contact} is the primary contact of {self.client} already.", "role"
            )
        session = object_session(self) or _session()
        previous = session.scalars(
            select(ClientContact).where(
                ClientContact.client_id == self.client_id,
                ClientContact.role == "primary",
                ClientContact.id != self.id,
            )
        ).all()
        for link in previous:
            link.role = "secondary"
            link.record("is no longer the primary contact", {"role": ["primary", "secondary"]})
        session.flush()
        before, self.role = self.role, "primary"
        self.record("made the primary contact", {"role": [before, "primary"]})

    def action_delink(self) -> None:
        """Detach the contact from this client; the contact itself is kept.

        Their portal invitations to this client go with the link (they opened this client
        only); the timeline keeps the event.
        """
        from .access import PortalInvitation

        session = object_session(self) or _session()
        self.record(f"delinked from {self.client}", {"role": [self.role, None]})
        for invitation in session.scalars(
            select(PortalInvitation).where(PortalInvitation.client_contact_id == self.id)
        ):
            session.delete(invitation)
        session.delete(self)
