"""Shared pieces of every domain module: the domain error, UTC timestamps, the model base."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from flask_appbuilder import Model
from sqlalchemy import DateTime, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

__all__ = [
    "Model",
    "ConcurrentChangeError",
    "ConstructorDefaults",
    "DomainError",
    "UTCDateTime",
    "utcnow",
    "TimestampMixin",
]


class DomainError(Exception):
    """A business rule refused a change.

    Every rule raises a subclass of this one type. ``field`` names the field the rule is
    about (``None`` for a rule about the whole record) so that a form can show the message
    beside the input and an API can name it in its JSON answer.
    """

    status_code = 422

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field

    def as_json(self) -> dict:
        return {"message": {self.field or "_schema": [self.message]}}


class NotFoundError(DomainError):
    """The record asked for does not exist (or is not yours to see)."""

    status_code = 404


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """A timezone-aware UTC datetime on every backend.

    PostgreSQL stores ``timestamptz``; SQLite has no time zones, so values are stored as
    naive UTC and given their zone back when read. Naive values are refused on the way in:
    a naive datetime is a bug waiting to happen.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use timezone-aware UTC values")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), default=utcnow, onupdate=utcnow, nullable=False
    )


class ConstructorDefaults:
    """Scalar column defaults applied when the object is built, not only at INSERT, so that
    the rules (run before the flush) and a new record's form see them."""

    def __init__(self, **kwargs):
        for column in self.__table__.columns:
            default = column.default
            if default is not None and default.is_scalar and column.key not in kwargs:
                kwargs[column.key] = default.arg
        super().__init__(**kwargs)


def finite(value) -> bool:
    """A number that can be compared: not None, NaN or infinite (forms accept "NaN")."""
    return value is not None and (not isinstance(value, Decimal) or value.is_finite())


def length_violations(record, error: type[DomainError]) -> list[DomainError]:
    """One ``error`` per text column holding more characters than its column allows."""
    errors = []
    for column in record.__table__.columns:
        limit = getattr(column.type, "length", None)
        value = getattr(record, column.key, None)
        if limit and isinstance(value, str) and len(value) > limit:
            label = column.key.replace("_", " ").capitalize()
            errors.append(
                error(
                    f"{label} may hold at most {limit} characters (it has {len(value)}).",
                    column.key,
                )
            )
    return errors


class ConcurrentChangeError(DomainError):
    """Two people changed the same record at the same moment; the second is told to retry."""

    status_code = 409


# Unique keys two simultaneous requests can both pass the checks for (numbering, one approval
# per level, one version per number, one contract per quote): the loser gets a clear 409.
RACED_TABLES = frozenset(
    {
        "quote",
        "contract",
        "contract_approval",
        "contract_version",
        "offer",
        "offer_round",
        "invoice",
        "payment",
        "provider_event",
        "collection_notice",
        "onboarding_plan",  # one active plan per client
    }
)


def _raced_table(error) -> str | None:
    """The table of a unique-key violation, or None for any other database error."""
    orig = getattr(error, "orig", None)
    diag = getattr(orig, "diag", None)
    if diag is not None:  # PostgreSQL (psycopg)
        unique = getattr(orig, "sqlstate", None) == "23505"
        return diag.table_name if unique else None
    text = str(orig or "")
    if text.startswith("UNIQUE constraint failed: "):  # SQLite
        return text.removeprefix("UNIQUE constraint failed: ").split(".", 1)[0]
    return None


@event.listens_for(Engine, "handle_error")
def _concurrent_change(context):
    table = _raced_table(context.sqlalchemy_exception)
    if table in RACED_TABLES:
        return ConcurrentChangeError(
            "Someone else changed this record at the same moment: reload the page and try again.",
            None,
        )
    return None
