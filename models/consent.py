"""Consent records: what a contact agreed to (or withdrew from), when, and how we know.

A record is never edited: a change of mind is a new record, and the latest record for a
purpose is the contact's current answer. The history stays as the proof the law asks for.
"""

from __future__ import annotations

from datetime import datetime

from flask_appbuilder.security.sqla.models import User
from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, Integer, String, select
from sqlalchemy.orm import Mapped, mapped_column, object_session, relationship

from .activity import record_activity
from .base import DomainError, Model, UTCDateTime, utcnow
from .clients import _choice_sql, _session
from .contacts import Contact

# ---------------------------------------------------------------- vocabularies

MARKETING_EMAIL = "marketing email"
CONSENT_PURPOSES = (MARKETING_EMAIL, "newsletter", "sms marketing")
CONSENT_SOURCES = ("web form", "email", "phone", "import", "portal", "in person", "other")


class ConsentError(DomainError):
    """A consent record cannot be written as asked."""


class ConsentRecord(Model):
    """One answer of a contact about one purpose: granted or withdrawn, with date and source."""

    __tablename__ = "consent_record"
    __table_args__ = (
        CheckConstraint(_choice_sql("purpose", CONSENT_PURPOSES), name="ck_consent_record_purpose"),
        CheckConstraint(_choice_sql("source", CONSENT_SOURCES), name="ck_consent_record_source"),
        Index("ix_consent_record_contact_purpose_at", "contact_id", "purpose", "at"),
    )

    # ------------------------------------------------------------ columns
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    contact_id: Mapped[int] = mapped_column(
        ForeignKey("contact.id", name="fk_consent_record_contact_id"), nullable=False
    )
    purpose: Mapped[str] = mapped_column(String(40), nullable=False, default=MARKETING_EMAIL)
    granted: Mapped[bool] = mapped_column(Boolean, nullable=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    source: Mapped[str] = mapped_column(String(20), nullable=False)
    recorded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("ab_user.id", name="fk_consent_record_recorded_by_id")
    )
    note: Mapped[str | None] = mapped_column(String(500))

    # ------------------------------------------------------------ relationships
    contact: Mapped[Contact] = relationship(Contact, lazy="joined")
    recorded_by: Mapped[User | None] = relationship(User, lazy="joined")

    # ------------------------------------------------------------ derived values
    def __str__(self) -> str:
        answer = "granted" if self.granted else "withdrawn"
        return f"{self.purpose}: {answer}"

    @property
    def answer(self) -> str:
        return "granted" if self.granted else "withdrawn"

    # ------------------------------------------------------------ rules
    def violations(self) -> list[ConsentError]:
        errors = []
        if self.contact is None and self.contact_id is None:
            errors.append(ConsentError("Contact is required.", "contact"))
        if self.purpose not in CONSENT_PURPOSES:
            errors.append(
                ConsentError(f"Purpose must be one of {', '.join(CONSENT_PURPOSES)}.", "purpose")
            )
        if self.source not in CONSENT_SOURCES:
            errors.append(
                ConsentError(f"Source must be one of {', '.join(CONSENT_SOURCES)}.", "source")
            )
        if self.granted is None:
            errors.append(ConsentError("Say whether consent is granted or withdrawn.", "granted"))
        if self.at is not None and self.at > utcnow():
            errors.append(ConsentError("The date of a consent cannot be in the future.", "at"))
        contact = self.contact
        if contact is not None and contact.erased_at is not None and self.granted:
            errors.append(
                ConsentError(f"{contact} was erased; consent cannot be granted.", "contact")
            )
        return errors

    def validate(self) -> None:
        """:raise ConsentError: for the first rule this record breaks."""
        errors = self.violations()
        if errors:
            raise errors[0]

    # ------------------------------------------------------------ actions
    def action_log(self) -> None:
        """Put this answer on the contact's clients' timelines (the caller commits)."""
        contact = self.contact
        log_for_contact(
            object_session(self) or _session(),
            contact,
            "consent",
            f"{contact}: consent to {self.purpose} {self.answer} ({self.source})",
            actor=self.recorded_by,
        )


# ---------------------------------------------------------------- queries


def current_consent(contact: Contact, purpose: str = MARKETING_EMAIL) -> ConsentRecord | None:
    """The contact's latest answer for ``purpose``, or ``None`` when never asked."""
    session = object_session(contact) or _session()
    return session.scalar(
        select(ConsentRecord)
        .where(ConsentRecord.contact_id == contact.id, ConsentRecord.purpose == purpose)
        .order_by(ConsentRecord.at.desc(), ConsentRecord.id.desc())
        .limit(1)
    )


def has_consent(contact: Contact, purpose: str) -> bool:
    """Whether the latest answer for ``purpose`` is a grant (never asked means no)."""
    if contact.erased_at is not None:
        return False
    record = current_consent(contact, purpose)
    return bool(record and record.granted)


def has_marketing_consent(contact: Contact) -> bool:
    """Whether marketing email may be sent to this contact now."""
    return has_consent(contact, MARKETING_EMAIL)


# ---------------------------------------------------------------- verbs


def _record(contact, granted, purpose, source, by, note, at) -> ConsentRecord:
    session = object_session(contact) or _session()
    record = ConsentRecord(
        contact=contact,
        purpose=purpose,
        granted=granted,
        source=source,
        recorded_by=by,
        note=note,
        at=at or utcnow(),
    )
    record.validate()
    session.add(record)
    record.action_log()
    return record


def grant_consent(
    contact: Contact,
    source: str,
    by: User | None = None,
    *,
    purpose: str = MARKETING_EMAIL,
    note: str | None = None,
    at: datetime | None = None,
) -> ConsentRecord:
    """Record that ``contact`` agreed to ``purpose`` (the caller commits).

    :raise ConsentError: for an unknown purpose or source, a future date, or an erased contact.
    """
    return _record(contact, True, purpose, source, by, note, at)


def withdraw_consent(
    contact: Contact,
    source: str,
    by: User | None = None,
    *,
    purpose: str = MARKETING_EMAIL,
    note: str | None = None,
    at: datetime | None = None,
) -> ConsentRecord:
    """Record that ``contact`` withdrew from ``purpose`` (the caller commits).

    :raise ConsentError: for an unknown purpose or source, or a future date.
    """
    return _record(contact, False, purpose, source, by, note, at)


def log_for_contact(session, contact: Contact, kind: str, summary: str, **kwargs) -> None:
    """Record an event about a contact on the timeline of each client they belong to."""
    client_ids = sorted({link.client_id for link in contact.client_links}) or [None]
    for client_id in client_ids:
        record_activity(session, kind, summary, client_id=client_id, subject=contact, **kwargs)
