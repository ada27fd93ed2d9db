"""Service levels: how long a ticket may wait for its first response and for its resolution.

Seed 003 gives the response times by priority (critical 4 h, high 24 h, medium 48 h, low 72 h).
They are data: an ``SlaPolicy`` row per priority overrides the default below, and a policy may
count in business hours instead of calendar hours.

Business hours are the working window of ``SERVICE_DESK_HOURS`` (default 09:00–17:00), Monday to
Friday, in the desk's time zone ``SERVICE_DESK_TIMEZONE`` (default UTC), skipping the
``Holiday`` days billing already keeps. A deadline that lands exactly on the end of a window
stays there (17:00 Friday), it does not roll over to Monday 09:00.

The clock stops while a ticket waits on the client: ``hours_between`` measures the pause in the
ticket's own kind of hours, and the resolution deadline moves out by as much.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Boolean, CheckConstraint, Integer, String, false, select
from sqlalchemy.orm import Mapped, mapped_column

from .base import DomainError, Model
from .billing_terms import Holiday, setting
from .clients import _choice_sql, _session

PRIORITIES = ("critical", "high", "medium", "low")
PRIORITY_LABELS = {
    "critical": "Critical — system down, major business impact",
    "high": "High — important feature not working",
    "medium": "Medium — enhancement request",
    "low": "Low — general question",
}
# (response hours, resolution hours) by priority; seed 003 sets the response times, the
# resolution targets are the agency's defaults.
DEFAULT_TARGETS = {
    "critical": (4, 24),
    "high": (24, 72),
    "medium": (48, 120),
    "low": (72, 240),
}
DEFAULT_HOURS = (9, 17)
WEEKEND = (5, 6)


class SlaError(DomainError):
    """A service-level policy breaks a rule."""


class SlaPolicy(Model):
    """The targets of one priority (``business_hours``: count only working hours)."""

    __tablename__ = "sla_policy"
    __table_args__ = (
        CheckConstraint(_choice_sql("priority", PRIORITIES), name="ck_sla_policy_priority"),
        CheckConstraint("response_hours > 0", name="ck_sla_policy_response"),
        CheckConstraint("resolution_hours >= response_hours", name="ck_sla_policy_resolution"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    priority: Mapped[str] = mapped_column(String(10), nullable=False, unique=True)
    response_hours: Mapped[int] = mapped_column(Integer, nullable=False)
    resolution_hours: Mapped[int] = mapped_column(Integer, nullable=False)
    business_hours: Mapped[bool] = mapped_column(
        Boolean, nullable=False, default=False, server_default=false()
    )

    def __str__(self) -> str:
        unit = "business hours" if self.business_hours else "hours"
        return (
            f"{self.priority}: respond within {self.response_hours} {unit}, "
            f"resolve within {self.resolution_hours} {unit}"
        )

    def violations(self) -> list[SlaError]:
        errors = []
        if self.priority not in PRIORITIES:
            errors.append(SlaError(f"Priority must be one of {', '.join(PRIORITIES)}.", "priority"))
        for field in ("response_hours", "resolution_hours"):
            value = getattr(self, field)
            if not isinstance(value, int) or value <= 0:
                label = field.replace("_", " ").capitalize()
                errors.append(SlaError(f"{label} must be a whole number above 0.", field))
        if not errors and self.resolution_hours < self.response_hours:
            errors.append(
                SlaError(
                    "Resolution hours cannot be fewer than response hours.", "resolution_hours"
                )
            )
        return errors

    def validate(self) -> None:
        """:raise SlaError: for the first rule this policy breaks."""
        errors = self.violations()
        if errors:
            raise errors[0]


@dataclass(frozen=True)
class Targets:
    priority: str
    response_hours: int
    resolution_hours: int
    business_hours: bool

    def response_due(self, start: datetime) -> datetime:
        return add_hours(start, self.response_hours, self.business_hours)

    def resolution_due(self, start: datetime) -> datetime:
        return add_hours(start, self.resolution_hours, self.business_hours)


def targets_for(priority: str) -> Targets:
    """The targets of ``priority``: its policy row, or the default.

    :raise SlaError: for an unknown priority (field ``priority``).
    """
    if priority not in PRIORITIES:
        raise SlaError(f"Priority must be one of {', '.join(PRIORITIES)}.", "priority")
    policy = _session().scalar(select(SlaPolicy).where(SlaPolicy.priority == priority))
    if policy is not None:
        return Targets(
            priority, policy.response_hours, policy.resolution_hours, policy.business_hours
        )
    response, resolution = DEFAULT_TARGETS[priority]
    return Targets(priority, response, resolution, bool(setting("SLA_BUSINESS_HOURS", False)))


# ---------------------------------------------------------------- the clock


def desk_zone() -> ZoneInfo:
    return ZoneInfo(setting("SERVICE_DESK_TIMEZONE", "UTC") or "UTC")


def desk_hours() -> tuple[int, int]:
    opens, closes = setting("SERVICE_DESK_HOURS", DEFAULT_HOURS) or DEFAULT_HOURS
    return int(opens), int(closes)


def add_hours(
    start: datetime,
    hours: int | float,
    business: bool,
    *,
    holidays: set[date] | None = None,
    zone: ZoneInfo | None = None,
    window: tuple[int, int] | None = None,
) -> datetime:
    """``start`` plus ``hours``: calendar hours, or working hours only when ``business``.

    In business hours the clock runs only inside the working window of working days; a start
    outside it begins counting at the next opening. The result is UTC.
    """
    if start.tzinfo is None:
        raise ValueError("naive datetime given; use timezone-aware UTC values")
    if not business:
        return (start + timedelta(hours=hours)).astimezone(UTC)
    zone = zone or desk_zone()
    opens, closes = window or desk_hours()
    if holidays is None:
        first = start.astimezone(zone).date()
        span = timedelta(days=int(hours // max(closes - opens, 1)) * 2 + 30)
        holidays = set(
            _session().scalars(
                select(Holiday.day).where(Holiday.day >= first, Holiday.day <= first + span)
            )
        )
    left = timedelta(hours=hours)
    cursor = start.astimezone(zone)
    while True:
        day = cursor.date()
        if day.weekday() in WEEKEND or day in holidays:
            cursor = _opening(day + timedelta(days=1), opens, zone)
            continue
        day_open, day_close = _opening(day, opens, zone), _opening(day, closes, zone)
        if cursor < day_open:
            cursor = day_open
        if cursor >= day_close:
            cursor = _opening(day + timedelta(days=1), opens, zone)
            continue
        available = day_close - cursor
        if left <= available:
            return (cursor + left).astimezone(UTC)
        left -= available
        cursor = _opening(day + timedelta(days=1), opens, zone)


def hours_between(
    start: datetime,
    end: datetime,
    business: bool,
    *,
    holidays: set[date] | None = None,
    zone: ZoneInfo | None = None,
    window: tuple[int, int] | None = None,
) -> float:
    """How many hours run from ``start`` to ``end``: calendar hours, or working hours only when
    ``business`` (the inverse of ``add_hours``). Never negative."""
    if start.tzinfo is None or end.tzinfo is None:
        raise ValueError("naive datetime given; use timezone-aware UTC values")
    if end <= start:
        return 0.0
    if not business:
        return (end - start).total_seconds() / 3600
    zone = zone or desk_zone()
    opens, closes = window or desk_hours()
    first, last = start.astimezone(zone).date(), end.astimezone(zone).date()
    if holidays is None:
        holidays = set(
            _session().scalars(select(Holiday.day).where(Holiday.day >= first, Holiday.day <= last))
        )
    total, day = timedelta(0), first
    while day <= last:
        if day.weekday() not in WEEKEND and day not in holidays:
            day_open, day_close = _opening(day, opens, zone), _opening(day, closes, zone)
            overlap = min(end, day_close) - max(start, day_open)
            total += max(overlap, timedelta(0))
        day += timedelta(days=1)
    return total.total_seconds() / 3600


def _opening(day: date, hour: int, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=zone)
