"""Clients, their sites, tags and industries (their people are in ``contacts.py``).

Rules live here: every path that saves a client (admin form, REST API, CLI, demo) ends in
``validate()``, run again by the session before every flush so nothing skips it.
"""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from babel import Locale
from babel.numbers import list_currencies
from flask_appbuilder.security.sqla.models import User
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Table,
    Text,
    func,
    select,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, object_session, relationship, validates

from .base import DomainError, Model, TimestampMixin, UTCDateTime, utcnow
from .client_header import ClientHeaderMixin

if TYPE_CHECKING:
    from .contacts import ClientContact, Contact

# ---------------------------------------------------------------- vocabularies

CLIENT_STATUSES = ("lead", "prospect", "active", "inactive", "churned")
LOCATIONS = ("Local", "Foreign")
PAYMENT_TERM_LABELS = ("Net", "MFI", "Custom", "Immediate")
LATE_FEE_POLICIES = ("none", "flat", "interest")
TERMS_WITH_DAYS = ("Net", "MFI")
SIZE_BANDS = ("1-10", "11-50", "51-200", "201-1000", "1001-5000", "5000+")
CONTACT_ROLES = ("primary", "secondary", "emergency", "reference")
LOCATION_KINDS = ("billing", "workplace", "other")
FIRST_BUSINESS_YEAR = 2015
NAME_MIN, NAME_MAX = 2, 191

CURRENCIES = frozenset(list_currencies())
COUNTRIES = frozenset(code for code in Locale("en").territories if re.fullmatch(r"[A-Z]{2}", code))
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PHONE_RE = re.compile(r"^\+?[0-9 ()\-.]{6,24}$")


class ClientValidationError(DomainError):
    """A client, contact or location breaks one of the rules of this module."""


class ClientArchivedError(DomainError):
    """The change is not allowed on an archived client (or a live one, for restore)."""


def _choice_sql(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _check_length(errors, field, label, value, required=True):
    if _blank(value):
        if required:
            errors.append(ClientValidationError(f"{label} is required.", field))
        return
    if not NAME_MIN <= len(value.strip()) <= NAME_MAX:
        errors.append(
            ClientValidationError(
                f"{label} must be {NAME_MIN} to {NAME_MAX} characters long "
                f"(it has {len(value.strip())}).",
                field,
            )
        )


def is_staff(user: User | None) -> bool:
    """True for a user holding any staff role (everyone but portal-only Client users)."""
    from .access import STAFF_ROLES

    return any(role.name in STAFF_ROLES for role in getattr(user, "roles", None) or ())


# ---------------------------------------------------------------- reference tables

client_tags = Table(
    "client_tag",
    Model.metadata,
    Column("client_id", ForeignKey("client.id", ondelete="CASCADE"), primary_key=True),
    Column("tag_id", ForeignKey("tag.id", ondelete="CASCADE"), primary_key=True),
)


class Industry(Model):
    __tablename__ = "industry"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True, nullable=False)

    def __str__(self) -> str:
        return self.name


class Tag(Model):
    __tablename__ = "tag"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(60), unique=True, nullable=False)
    colour: Mapped[str | None] = mapped_column(String(7))

    def __str__(self) -> str:
        return self.name


# ---------------------------------------------------------------- client


class Client(ClientHeaderMixin, TimestampMixin, Model):
    __tablename__ = "client"
    __table_args__ = (
        CheckConstraint(_choice_sql("status", CLIENT_STATUSES), name="ck_client_status"),
        CheckConstraint(_choice_sql("location", LOCATIONS), name="ck_client_location"),
        CheckConstraint(
            "payment_term_label IS NULL OR "
            + _choice_sql("payment_term_label", PAYMENT_TERM_LABELS),
            name="ck_client_payment_term_label",
        ),
        CheckConstraint(
            "payment_term_days IS NULL OR payment_term_label IN ('Net', 'MFI')",
            name="ck_client_payment_term_days_label",
        ),
        CheckConstraint(
            f"new_business_year IS NULL OR new_business_year >= {FIRST_BUSINESS_YEAR}",
            name="ck_client_new_business_year",
        ),
        # Names are unique among clients that are not archived, whatever their case.
        Index(
            "uq_client_name_live",
            func.lower(text("name")),
            unique=True,
            sqlite_where=text("archived = 0"),
            postgresql_where=text("NOT archived"),
        ),
        Index(
            "uq_client_short_name_live",
            func.lower(text("short_name")),
            unique=True,
            sqlite_where=text("archived = 0"),
            postgresql_where=text("NOT archived"),
        ),
    )

    # -- columns
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(NAME_MAX), nullable=False)
    short_name: Mapped[str] = mapped_column(String(NAME_MAX), nullable=False)
    status: Mapped[str] = mapped_column(String(20), nullable=False, default="lead")
    location: Mapped[str] = mapped_column(String(10), nullable=False)
    tin: Mapped[str | None] = mapped_column(String(40))
    vat_number: Mapped[str | None] = mapped_column(String(40))
    address: Mapped[str | None] = mapped_column(Text)
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(40))
    website: Mapped[str | None] = mapped_column(String(200))
    industry_id: Mapped[int | None] = mapped_column(ForeignKey("industry.id"), index=True)
    size_band: Mapped[str | None] = mapped_column(String(12))
    currency: Mapped[str | None] = mapped_column(String(3))
    payment_term_label: Mapped[str | None] = mapped_column(String(12))
    payment_term_days: Mapped[int | None] = mapped_column(Integer)
    remittance_details: Mapped[str | None] = mapped_column(Text)
    # Billing (billing.py, collections.py): open receivables above the credit limit (in the
    # base currency) are flagged; late charges are none, a flat fee per collection notice, or
    # statutory interest by day (reference rate + margin).
    credit_limit: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    late_fee_policy: Mapped[str] = mapped_column(
        String(8), nullable=False, default="none", server_default="none"
    )
    late_fee_amount: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    new_business_year: Mapped[int | None] = mapped_column(Integer)
    engagement_manager_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"), index=True)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"), index=True)
    archived: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Segmentation (rules in segments.py): a revenue band, the country and a region in it.
    revenue_potential: Mapped[str | None] = mapped_column(String(12))
    country: Mapped[str | None] = mapped_column(String(2), index=True)
    region: Mapped[str | None] = mapped_column(String(100))
    # The client this one was merged into (it is then archived): see merge.py. A plain id,
    # not a foreign key: clients are never deleted, and a second self-reference would make
    # the parent/child relationship ambiguous and SQLite rebuild the table to add it.
    merged_into_id: Mapped[int | None] = mapped_column(Integer)
    # Organisation structure: a client may belong to a parent client (see client_header.py).
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("client.id", name="fk_client_parent_id"), index=True
    )

    # -- relationships (one-directional on purpose: a form may validate a transient client)
    industry: Mapped[Industry | None] = relationship(Industry, lazy="joined")
    engagement_manager: Mapped[User | None] = relationship(
        User, foreign_keys=[engagement_manager_id], lazy="joined"
    )
    owner: Mapped[User | None] = relationship(User, foreign_keys=[owner_id], lazy="joined")
    tags: Mapped[list[Tag]] = relationship(Tag, secondary=client_tags, order_by=Tag.name)
    parent: Mapped[Client | None] = relationship("Client", remote_side=[id])
    contact_links: Mapped[list[ClientContact]] = relationship(
        "ClientContact", back_populates="client", cascade="all, delete-orphan"
    )
    locations: Mapped[list[Location]] = relationship(
        "Location", back_populates="client", cascade="all, delete-orphan"
    )

    def __str__(self) -> str:
        return self.name

    @validates("name", "short_name", "tin", "vat_number", "email", "website")
    def _strip(self, key, value):
        return value.strip() if isinstance(value, str) else value

    @validates("currency", "country")
    def _upper(self, key, value):
        return value.strip().upper() or None if isinstance(value, str) else value

    # -- derived values
    @property
    def primary_contact(self) -> Contact | None:
        link = next((lk for lk in self.contact_links if lk.role == "primary"), None)
        return link.contact if link else None

    @property
    def account_manager(self) -> User | None:
        """Who the client talks to at the agency: the engagement manager, else the owner."""
        return self.engagement_manager or self.owner

    # -- queries
    @classmethod
    def live(cls):
        return select(cls).where(cls.archived.is_(False))

    @classmethod
    def count_by_status(cls) -> dict[str, int]:
        """Live clients per status, every status present (one grouped query)."""
        rows = _session().execute(
            select(cls.status, func.count(cls.id))
            .where(cls.archived.is_(False))
            .group_by(cls.status)
        )
        counts = dict.fromkeys(CLIENT_STATUSES, 0)
        counts.update(dict(rows.all()))
        return counts

    def _taken(self, column, value) -> bool:
        session = object_session(self) or _session()
        query = select(Client.id).where(
            func.lower(column) == value.strip().lower(), Client.archived.is_(False)
        )
        if self.id is not None:
            query = query.where(Client.id != self.id)
        with session.no_autoflush:
            return session.execute(query.limit(1)).first() is not None

    # -- rules
    def violations(self) -> list[ClientValidationError]:
        """Every rule this client breaks, in field order (empty when it may be saved)."""
        errors: list[ClientValidationError] = []
        _check_length(errors, "name", "Name", self.name)
        _check_length(errors, "short_name", "Short name", self.short_name)
        if not self.archived:
            if not _blank(self.name) and not any(e.field == "name" for e in errors):
                if self._taken(Client.name, self.name):
                    errors.append(
                        ClientValidationError(
                            f"Name '{self.name.strip()}' is already used by another client.", "name"
                        )
                    )
            if not _blank(self.short_name) and not any(e.field == "short_name" for e in errors):
                if self._taken(Client.short_name, self.short_name):
                    errors.append(
                        ClientValidationError(
                            f"Short name '{self.short_name.strip()}' is already used by another "
                            "client.",
                            "short_name",
                        )
                    )
        if (self.status or "lead") not in CLIENT_STATUSES:
            errors.append(
                ClientValidationError(
                    f"Status must be one of {', '.join(CLIENT_STATUSES)}.", "status"
                )
            )
        if _blank(self.location):
            errors.append(
                ClientValidationError("Location is required: Local or Foreign.", "location")
            )
        elif self.location not in LOCATIONS:
            errors.append(ClientValidationError("Location must be Local or Foreign.", "location"))
        if self.currency and self.currency not in CURRENCIES:
            errors.append(
                ClientValidationError(
                    f"Currency '{self.currency}' is not an ISO 4217 code (e.g. USD, EUR, PHP).",
                    "currency",
                )
            )
        if self.size_band and self.size_band not in SIZE_BANDS:
            errors.append(
                ClientValidationError(
                    f"Size band must be one of {', '.join(SIZE_BANDS)}.", "size_band"
                )
            )
        if self.email and not EMAIL_RE.match(self.email):
            errors.append(ClientValidationError("Email is not a valid email address.", "email"))
        errors.extend(self._payment_term_violations())
        errors.extend(self._billing_violations())
        from .segments import segmentation_violations

        errors.extend(segmentation_violations(self))
        errors.extend(self.structure_violations())
        if self.new_business_year is not None:
            this_year = utcnow().year
            if not FIRST_BUSINESS_YEAR <= self.new_business_year <= this_year:
                errors.append(
                    ClientValidationError(
                        f"New business year must be from {FIRST_BUSINESS_YEAR} to {this_year}.",
                        "new_business_year",
                    )
                )
        for field, label in (("engagement_manager", "Engagement manager"), ("owner", "Owner")):
            user = getattr(self, field)
            if user is not None and not is_staff(user):
                errors.append(
                    ClientValidationError(
                        f"{label} must be a staff user, not a client login.", field
                    )
                )
        return errors

    def _billing_violations(self) -> list[ClientValidationError]:
        errors = []
        limit, fee = self.credit_limit, self.late_fee_amount
        if limit is not None and (not limit.is_finite() or not 0 <= limit < 10**12):
            errors.append(ClientValidationError("Credit limit must be 0 or more.", "credit_limit"))
        policy = self.late_fee_policy or "none"
        if policy not in LATE_FEE_POLICIES:
            errors.append(
                ClientValidationError(
                    f"Late fee policy must be one of {', '.join(LATE_FEE_POLICIES)}.",
                    "late_fee_policy",
                )
            )
        if fee is not None and (not fee.is_finite() or not 0 <= fee < 10**12):
            errors.append(
                ClientValidationError("Late fee amount must be 0 or more.", "late_fee_amount")
            )
        if policy == "flat" and not fee:
            errors.append(
                ClientValidationError(
                    "A flat late fee policy needs the fee amount charged per notice.",
                    "late_fee_amount",
                )
            )
        return errors

    def _payment_term_violations(self) -> list[ClientValidationError]:
        label, days = self.payment_term_label, self.payment_term_days
        if label and label not in PAYMENT_TERM_LABELS:
            return [
                ClientValidationError(
                    f"Payment term must be one of {', '.join(PAYMENT_TERM_LABELS)}.",
                    "payment_term_label",
                )
            ]
        if days is not None and label not in TERMS_WITH_DAYS:
            return [
                ClientValidationError(
                    "Payment term days are allowed only with the Net or MFI payment term.",
                    "payment_term_days",
                )
            ]
        if label == "Net" and days is None:
            return [
                ClientValidationError(
                    "Payment term days are required with the Net payment term (e.g. 30).",
                    "payment_term_days",
                )
            ]
        if days is not None and not 1 <= days <= 365:
            return [
                ClientValidationError(
                    "Payment term days must be from 1 to 365.", "payment_term_days"
                )
            ]
        return []

    def validate(self) -> None:
        """:raise ClientValidationError: for the first rule this client breaks."""
        errors = self.violations()
        if errors:
            raise errors[0]

    # -- actions
    def action_take_ownership_if_unowned(self, user: User | None) -> None:
        """A client nobody owns belongs to the staff user who records it (so they still see it)."""
        if self.owner is None and self.owner_id is None and is_staff(user):
            self.owner = user

    def action_archive(self) -> None:
        """Archive the client: it leaves every list but is kept forever (clients are never deleted).

        :raise ClientArchivedError: when it is archived already.
        """
        if self.archived:
            raise ClientArchivedError(f"Client '{self.name}' is archived already.", "archived")
        self.archived = True
        self.archived_at = utcnow()

    def action_restore(self) -> None:
        """Bring an archived client back.

        :raise ClientArchivedError: when it is not archived.
        :raise ClientValidationError: when a live client took its name or short name meanwhile.
        """
        if not self.archived:
            raise ClientArchivedError(f"Client '{self.name}' is not archived.", "archived")
        self.archived = False
        self.archived_at = None
        self.validate()

    def action_merge_into(self, kept: Client, by: User | None = None) -> dict[str, int]:
        """Move everything about this client to ``kept``, then archive this one (see merge.py).

        :raise ClientMergeError: when merging a client into itself or an archived client.
        """
        from .merge import merge_client

        return merge_client(self, kept, by)

    def action_link_contact(self, contact: Contact, role: str = "secondary") -> ClientContact:
        """Link a contact to this client with a role (logged on the client's timeline).

        :raise ClientValidationError: for an unknown role, a second primary, or a second link.
        """
        if any(link.contact is contact for link in self.contact_links):
            raise ClientValidationError(
                f"{contact} is already a contact of {self.name}.", "contact"
            )
        from .contacts import ClientContact

        link = ClientContact(client=self, contact=contact, role=role)
        link.validate()
        (object_session(self) or _session()).add(link)
        link.record(f"assigned as {role} contact")
        return link


# ---------------------------------------------------------------- locations


class Location(Model):
    __tablename__ = "location"
    __table_args__ = (
        CheckConstraint(_choice_sql("kind", LOCATION_KINDS), name="ck_location_kind"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("client.id"), nullable=False, index=True)
    kind: Mapped[str] = mapped_column(String(12), nullable=False, default="workplace")
    label: Mapped[str | None] = mapped_column(String(100))
    address_line1: Mapped[str] = mapped_column(String(200), nullable=False)
    address_line2: Mapped[str | None] = mapped_column(String(200))
    city: Mapped[str] = mapped_column(String(100), nullable=False)
    region: Mapped[str | None] = mapped_column(String(100))
    postal_code: Mapped[str | None] = mapped_column(String(20))
    country: Mapped[str] = mapped_column(String(2), nullable=False)

    client: Mapped[Client] = relationship(Client, back_populates="locations")

    def __str__(self) -> str:
        return f"{self.kind}: {self.address_line1}, {self.city}, {self.country}"

    @validates("country")
    def _upper(self, key, value):
        return value.strip().upper() if isinstance(value, str) else value

    def violations(self) -> list[ClientValidationError]:
        errors = []
        if self.kind not in LOCATION_KINDS:
            errors.append(
                ClientValidationError(f"Kind must be one of {', '.join(LOCATION_KINDS)}.", "kind")
            )
        if _blank(self.address_line1):
            errors.append(ClientValidationError("Address line 1 is required.", "address_line1"))
        if _blank(self.city):
            errors.append(ClientValidationError("City is required.", "city"))
        if not self.country or self.country not in COUNTRIES:
            errors.append(
                ClientValidationError(
                    "Country must be an ISO 3166 two-letter code (e.g. PH, GB, US).", "country"
                )
            )
        return errors

    def validate(self) -> None:
        """:raise ClientValidationError: for the first rule this location breaks."""
        errors = self.violations()
        if errors:
            raise errors[0]


def _session():
    from extensions import db

    return db.session
