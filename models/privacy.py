"""Privacy: export everything held about a contact, and erase it on request.

Every table that holds a person's data is declared once in ``PERSONAL_DATA``: how to find
the contact's rows, which fields go into the export, and what erasure writes over which
field. Rows are never deleted, so foreign keys (a client's links, an invoice's contact, a
message's client) stay intact: only the personal values are overwritten. A module that adds a
table holding people's data adds one entry, e.g.::

    PERSONAL_DATA.append(
        PersonalData("meetings", MeetingAttendee, column_is("contact_id"),
                     export=("meeting_id", "email", "response"), erase={"email": None})
    )

tests/models/test_privacy.py fails for a table with a foreign key to ``contact`` that is
neither declared here nor listed in ``NOT_PERSONAL``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from flask_appbuilder.security.sqla.models import User
from sqlalchemy import Text, cast, false, func, or_, select
from sqlalchemy.orm import object_session

from .access import PortalInvitation, PortalLogin
from .activity import Activity
from .audit import audit_paused
from .base import DomainError, utcnow
from .clients import _session
from .consent import ConsentRecord, log_for_contact
from .contacts import ClientContact, Contact
from .messaging import OutboxMessage

EXPORT_FORMAT = "clientdesk-personal-data/1"


class ContactErasedError(DomainError):
    """The contact's personal data was erased already: there is nothing left to erase."""

    status_code = 409


# ---------------------------------------------------------------- the person being erased


@dataclass(frozen=True)
class Person:
    """The contact's original personal values, taken before anything is overwritten."""

    id: int
    first_name: str
    last_name: str
    email: str | None
    phone: str | None
    user_id: int | None
    link_ids: tuple[int, ...]
    at: datetime

    @classmethod
    def of(cls, contact: Contact, at: datetime | None = None) -> Person:
        return cls(
            id=contact.id,
            first_name=contact.first_name or "",
            last_name=contact.last_name or "",
            email=(contact.email or "").lower() or None,
            phone=contact.phone,
            user_id=contact.user_id,
            link_ids=tuple(link.id for link in contact.client_links),
            at=at or utcnow(),
        )

    @property
    def erased_name(self) -> str:
        return f"Erased contact #{self.id}"

    @property
    def erased_email(self) -> str:
        # Unique per contact (login and invitation emails must be), and undeliverable.
        return f"erased-contact-{self.id}@erased.invalid"

    @property
    def phrases(self) -> list[str]:
        """Values that identify the person wherever they appear (longest first)."""
        full = [f"{self.first_name} {self.last_name}", f"{self.last_name}, {self.first_name}"]
        return [value for value in [*full, self.email, self.phone] if value and value.strip()]

    def scrub(self, text: str | None) -> str | None:
        """``text`` with the person's name, email and phone replaced by a placeholder."""
        if not text:
            return text
        for phrase in self.phrases:
            text = re.sub(re.escape(phrase), self.erased_name, text, flags=re.IGNORECASE)
        for name in (self.first_name, self.last_name):
            if len(name.strip()) > 1:
                text = re.sub(rf"\b{re.escape(name)}\b", self.erased_name, text, flags=re.I)
        return text

    def scrub_json(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.scrub(value)
        if isinstance(value, list):
            return [self.scrub_json(item) for item in value]
        if isinstance(value, dict):
            return {key: self.scrub_json(item) for key, item in value.items()}
        return value

    def mentioned_in(self, column) -> Any:
        """A SQL condition: ``column`` (text or JSON) mentions the person's name, email or phone."""
        text = func.lower(cast(column, Text))
        conditions = []
        for phrase in self.phrases:
            conditions.append(text.contains(phrase.lower(), autoescape=True))
            escaped = _json_escaped(phrase.lower())
            if escaped != phrase.lower():  # JSON columns hold non-ASCII as \\u escapes
                conditions.append(text.contains(escaped, autoescape=True))
        return or_(*conditions) if conditions else false()


def _json_escaped(value: str) -> str:
    return json.dumps(value)[1:-1]


# ---------------------------------------------------------------- the registry

Rows = Callable[[type, Person], Any]  # (model, person) -> a WHERE condition
EraseValue = Any  # a value, or a callable (row, person) -> value


@dataclass(frozen=True)
class PersonalData:
    """One table holding people's data: which rows are the contact's, what to export and erase.

    ``export`` names columns or dotted attributes (``client.name``); ``erase`` maps a column
    to the value erasure writes, or to a callable ``(row, person) -> value``.
    """

    key: str
    model: type
    rows: Rows
    export: tuple[str, ...]
    erase: Mapping[str, EraseValue] = field(default_factory=dict)
    single: bool = False  # the export holds one object rather than a list


def column_is(column: str) -> Rows:
    """Rows whose ``column`` holds the contact's id (the usual ``contact_id`` foreign key)."""
    return lambda model, person: getattr(model, column) == person.id


def email_is(column: str) -> Rows:
    """Rows whose ``column`` holds the contact's email address, whatever its case."""
    return lambda model, person: _email_is(getattr(model, column))(person)


def _email_is(column) -> Any:
    return lambda person: func.lower(column) == person.email if person.email else false()


def erased_name(row, person: Person) -> str:
    return person.erased_name


def erased_email(row, person: Person) -> str:
    return person.erased_email


def _scrub(column: str) -> EraseValue:
    return lambda row, person: person.scrub(getattr(row, column))


def _activity_rows(model, person: Person):
    about_them = (model.subject_type == "contact") & (model.subject_id == person.id)
    about_links = (model.subject_type == "client_contact") & model.subject_id.in_(
        person.link_ids or (-1,)
    )
    return or_(
        about_them,
        about_links,
        person.mentioned_in(model.summary),
        person.mentioned_in(model.changes),
    )


def _activity_changes(row, person: Person):
    """Before and after values: all of them for the contact's own rows, mentions elsewhere."""
    if not row.changes:
        return row.changes
    if row.subject_type == "contact" and row.subject_id == person.id:
        return {
            key: [None for _ in value] if isinstance(value, list) else None
            for key, value in row.changes.items()
        }
    return person.scrub_json(row.changes)


def _revoke_pending(row, person: Person):
    return row.revoked_at or (None if row.accepted_at else person.at)


PERSONAL_DATA: list[PersonalData] = [
    PersonalData(
        "contact",
        Contact,
        lambda model, person: model.id == person.id,
        export=(
            "id",
            "first_name",
            "last_name",
            "title",
            "department",
            "email",
            "phone",
            "preferred_channel",
            "best_time",
            "frequency_limit",
            "opt_out_email",
            "opt_out_sms",
            "opt_out_phone",
            "engagement_level",
            "created_at",
            "updated_at",
        ),
        # The opt-outs stay: they only ever stop messages.
        erase={
            "first_name": "Erased",
            "last_name": lambda row, person: f"contact #{person.id}",
            "title": None,
            "department": None,
            "email": None,
            "phone": None,
            "preferred_channel": None,
            "best_time": None,
            "frequency_limit": None,
            "engagement_level": None,
        },
        single=True,
    ),
    PersonalData(
        "client_links",
        ClientContact,
        column_is("contact_id"),
        export=(
            "client_id",
            "client.name",
            "role",
            "portal_enabled",
            "can_hiring",
            "can_billing",
            "can_sign",
            "is_client_admin",
        ),
        erase={"portal_enabled": False},
    ),
    PersonalData(
        "portal_account",
        User,
        lambda model, person: model.id == person.user_id if person.user_id else false(),
        # Never the password hash.
        export=(
            "username",
            "first_name",
            "last_name",
            "email",
            "active",
            "created_on",
            "last_login",
            "login_count",
        ),
        erase={
            "username": erased_email,
            "email": erased_email,
            "first_name": "Erased",
            "last_name": lambda row, person: f"contact #{person.id}",
            "password": None,
            "active": False,
        },
        single=True,
    ),
    PersonalData(
        "portal_invitations",
        PortalInvitation,
        lambda model, person: or_(
            model.client_contact_id.in_(person.link_ids or (-1,)),
            _email_is(model.email)(person),
        ),
        export=(
            "client_contact_id",
            "email",
            "created_at",
            "expires_at",
            "accepted_at",
            "revoked_at",
        ),
        erase={"email": erased_email, "revoked_at": _revoke_pending},
    ),
    PersonalData(
        "portal_sign_ins",
        PortalLogin,
        lambda model, person: or_(
            model.user_id == person.user_id if person.user_id else false(),
            _email_is(model.username)(person),
        ),
        export=("at", "username", "succeeded", "reason", "ip", "user_agent", "client_id"),
        erase={"username": erased_email, "ip": None, "user_agent": None},
    ),
    PersonalData(
        "consent",
        ConsentRecord,
        column_is("contact_id"),
        export=("purpose", "granted", "at", "source", "recorded_by_id", "note"),
        erase={"note": None},
    ),
    PersonalData(
        "messages",
        OutboxMessage,
        lambda model, person: or_(model.contact_id == person.id, _email_is(model.to_email)(person)),
        export=(
            "created_at",
            "kind",
            "to_email",
            "to_phone",
            "to_name",
            "subject",
            "body_text",
            "status",
            "delivered_at",
            "client_id",
        ),
        # The row, its status and dates stay for the accounts; what was said to whom goes.
        erase={
            "to_email": erased_email,
            # An SMS row must keep some number (a check constraint): one that reaches nobody.
            "to_phone": lambda row, person: "erased" if row.channel == "sms" else None,
            "to_name": erased_name,
            "subject": _scrub("subject"),
            "body_text": "(erased on request)",
            "body_html": None,
            "error": _scrub("error"),
        },
    ),
    PersonalData(
        "activity",
        Activity,
        _activity_rows,
        export=("at", "kind", "client_id", "subject_type", "subject_id", "summary", "changes"),
        erase={"summary": _scrub("summary"), "changes": _activity_changes},
    ),
]

# Tables with a foreign key to a contact that hold nothing personal (checked by the tests).
NOT_PERSONAL: set[str] = set()


# ---------------------------------------------------------------- export and erasure


def _rows(session, entry: PersonalData, person: Person) -> list:
    query = select(entry.model).where(entry.rows(entry.model, person))
    order = getattr(entry.model, "id", None)
    if order is not None:
        query = query.order_by(order)
    return list(session.scalars(query).unique())


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _read(row, path: str) -> Any:
    for part in path.split("."):
        row = getattr(row, part) if row is not None else None
    return _json_value(row)


def export_contact(contact: Contact) -> dict:
    """Everything held about ``contact``, as a JSON-ready dict (one section per registry entry)."""
    session = object_session(contact) or _session()
    person = Person.of(contact)
    data: dict[str, Any] = {
        "format": EXPORT_FORMAT,
        "exported_at": person.at.isoformat(),
        "contact_id": contact.id,
        "erased_at": _json_value(contact.erased_at),
    }
    for entry in PERSONAL_DATA:
        rows = [
            {path: _read(row, path) for path in entry.export}
            for row in _rows(session, entry, person)
        ]
        data[entry.key] = (rows[0] if rows else None) if entry.single else rows
    return data


def erase_contact(
    contact: Contact,
    by: User | None = None,
    *,
    reason: str = "on request",
    at: datetime | None = None,
) -> None:
    """Overwrite every personal value held about ``contact``; keep every row (the caller commits).

    The erasure itself goes on the timeline of each of the contact's clients, with no
    personal data in it.

    :raise ContactErasedError: when the contact was erased already.
    """
    if contact.erased_at is not None:
        raise ContactErasedError(
            f"Contact #{contact.id} was erased on {contact.erased_at:%d %b %Y}; "
            "there is nothing left to erase.",
            "erased_at",
        )
    session = object_session(contact) or _session()
    session.flush()
    person = Person.of(contact, at)
    # Paused: the audit trail would otherwise copy the erased values into its "before".
    with audit_paused(session):
        for entry in PERSONAL_DATA:
            for row in _rows(session, entry, person):
                for column, value in entry.erase.items():
                    setattr(row, column, value(row, person) if callable(value) else value)
        contact.erased_at = person.at
        session.flush()
    log_for_contact(session, contact, "erased", f"Contact #{person.id} erased {reason}", actor=by)
