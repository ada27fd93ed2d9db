"""Shared pieces of every domain module: the domain error, UTC timestamps, the model base."""

from __future__ import annotations

from datetime import UTC, datetime

from flask_appbuilder import Model
from sqlalchemy import DateTime
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

__all__ = ["Model", "ConstructorDefaults", "DomainError", "UTCDateTime", "utcnow", "TimestampMixin"]


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
