"""Resource utilization in SQL: hours against capacity, recruiter productivity and the cost
of time (the next weeks' capacity is in ``capacity.py``).

Every figure is one grouped query (plus, for capacity, one query of the holidays), whatever
the number of time entries; Python only divides the few grouped rows. A period is half-open
``[period.start, period.end)`` of dates. The KPI-shaped functions take
``(session, period, by, ids=None)`` and answer ``{group key: Decimal | None}``: ``by`` is
"recruiter" (user id), "client" (client id), "service_type" (the job order's service type)
or "agency" (the key "all"); a dimension a figure has no meaning for raises ValueError.
``ids`` restricts the groups (user ids, client ids or service types).

Capacity hours of a user in a period: ``weekly_hours × working days / 5``, working days being
weekdays that are no ``Holiday`` (billing's calendar). A user without a ``StaffCapacity`` row
has ``DEFAULT_WEEKLY_CAPACITY_HOURS`` (40) and costs ``DEFAULT_COST_RATE`` an hour.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from flask_appbuilder.security.sqla.models import User
from sqlalchemy import Numeric, case, func, literal, or_, select, type_coerce, union

from .billing_terms import Holiday
from .candidates import Application, Placement
from .recruiting import JobOrder
from .time_entries import StaffCapacity, TimeEntry, default_cost_rate, default_weekly_hours

HOURS = Numeric(12, 2)
MONEY = Numeric(16, 2)
CENT = Decimal("0.01")
TENTH = Decimal("0.1")
AGENCY = "all"


def check_by(by: str, allowed: tuple[str, ...]) -> None:
    if by not in allowed:
        raise ValueError(f"by must be one of {', '.join(allowed)} here, not {by!r}.")


def percent(part, whole) -> Decimal | None:
    """``part / whole × 100`` to one decimal; None when ``whole`` is 0 or unknown."""
    if part is None or not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(TENTH)


def moment(day: date) -> datetime:
    """Midnight UTC at the start of ``day`` (a date bound for a timestamp column)."""
    return datetime.combine(day, time.min, tzinfo=UTC)


def holidays_between(session, start: date, end: date) -> set[date]:
    return set(session.scalars(select(Holiday.day).where(Holiday.day >= start, Holiday.day < end)))


def working_days(session, start: date, end: date, holidays: set[date] | None = None) -> int:
    """Weekdays in ``[start, end)`` that are no holiday (one query of the holidays)."""
    if holidays is None:
        holidays = holidays_between(session, start, end)
    days, day = 0, start
    while day < end:
        days += day.weekday() < 5 and day not in holidays
        day += timedelta(days=1)
    return days


def cost_rate():
    """SQL: the hourly cost rate of a time entry's user (outer-joined ``StaffCapacity``)."""
    return func.coalesce(StaffCapacity.cost_rate, literal(default_cost_rate(), MONEY))


def entry_cost():
    """SQL: one entry's cost, ``hours × cost rate``."""
    return type_coerce(TimeEntry.hours * cost_rate(), MONEY)


def in_period(column, period):
    return (column >= period.start) & (column < period.end)


# ---------------------------------------------------------------- hours and utilization


@dataclass(frozen=True)
class Usage:
    user_id: int
    name: str
    hours: Decimal
    billable_hours: Decimal
    capacity: Decimal

    @property
    def utilization(self) -> Decimal | None:
        return percent(self.hours, self.capacity)

    @property
    def billable_utilization(self) -> Decimal | None:
        return percent(self.billable_hours, self.capacity)


def usage(session, period, ids=None) -> list[Usage]:
    """Hours, billable hours and capacity hours per staff user in ``period``, in one query.

    The users are those with a capacity row or with time logged in the period (``ids``:
    these users only). Capacity: ``weekly_hours × working days / 5``.
    """
    logged = (
        select(
            TimeEntry.user_id.label("user_id"),
            func.sum(TimeEntry.hours).label("hours"),
            func.sum(case((TimeEntry.billable, TimeEntry.hours), else_=0)).label("billable"),
        )
        .where(in_period(TimeEntry.day, period))
        .group_by(TimeEntry.user_id)
        .subquery()
    )
    people = union(select(StaffCapacity.user_id), select(logged.c.user_id)).subquery()
    query = (
        select(
            User.id,
            User.first_name,
            User.last_name,
            func.coalesce(logged.c.hours, 0),
            func.coalesce(logged.c.billable, 0),
            func.coalesce(StaffCapacity.weekly_hours, literal(default_weekly_hours(), HOURS)),
        )
        .join(people, people.c.user_id == User.id)
        .outerjoin(logged, logged.c.user_id == User.id)
        .outerjoin(StaffCapacity, StaffCapacity.user_id == User.id)
        .order_by(User.first_name, User.last_name, User.id)
    )
    if ids is not None:
        query = query.where(User.id.in_(list(ids)))
    days = Decimal(working_days(session, period.start, period.end))
    return [
        Usage(
            user_id,
            f"{first} {last}".strip(),
            Decimal(hours).quantize(CENT),
            Decimal(billable).quantize(CENT),
            (Decimal(weekly) * days / 5).quantize(CENT),
        )
        for user_id, first, last, hours, billable, weekly in session.execute(query)
    ]


def _utilization(session, period, by, ids, attribute: str) -> dict:
    check_by(by, ("recruiter", "agency"))
    rows = usage(session, period, ids if by == "recruiter" else None)
    if by == "agency":
        hours = sum((getattr(row, attribute) for row in rows), Decimal(0))
        return {AGENCY: percent(hours, sum((row.capacity for row in rows), Decimal(0)))}
    return {row.user_id: percent(getattr(row, attribute), row.capacity) for row in rows}


def utilization(session, period, by, ids=None) -> dict:
    """Utilization %, by recruiter or agency.

    Formula: ``SUM(hours logged in the period) / capacity hours × 100``, capacity hours being
    ``weekly_hours × working days in the period / 5``; the agency's is total hours over total
    capacity. None when the capacity is 0.
    """
    return _utilization(session, period, by, ids, "hours")


def billable_utilization(session, period, by, ids=None) -> dict:
    """Billable utilization %, by recruiter or agency.

    Formula: ``SUM(billable hours in the period) / capacity hours × 100`` (as ``utilization``).
    """
    return _utilization(session, period, by, ids, "billable_hours")


# ---------------------------------------------------------------- cost of time


def _dimension(by: str):
    """The grouping column of a time entry for ``by`` (service type: through its job order)."""
    return {
        "recruiter": TimeEntry.user_id,
        "client": TimeEntry.client_id,
        "service_type": JobOrder.service_type,
        "agency": literal(AGENCY),
    }[by]


def cost_query(period, by, ids=None, on_job_orders: bool = False):
    """The grouped query ``(key, cost)`` of the time entries in ``period``."""
    key = _dimension(by)
    query = (
        select(key.label("key"), func.sum(entry_cost()).label("cost"))
        .select_from(TimeEntry)
        .outerjoin(StaffCapacity, StaffCapacity.user_id == TimeEntry.user_id)
        .where(in_period(TimeEntry.day, period))
        .group_by(key)
    )
    if by == "service_type":
        query = query.join(JobOrder, JobOrder.id == TimeEntry.job_order_id)
    elif on_job_orders:
        query = query.where(TimeEntry.job_order_id.is_not(None))
    if ids is not None and by != "agency":
        query = query.where(key.in_(list(ids)))
    return query


def cost_of_time(session, period, by, ids=None) -> dict:
    """The cost of time in the base currency, by recruiter, client, service type or agency.

    Formula: ``SUM(hours × the user's hourly cost rate)`` over the time entries dated in the
    period (rate: ``StaffCapacity.cost_rate``, else ``DEFAULT_COST_RATE``). By service type:
    the entries on a job order, by its service type (entries on no job order are left out).
    """
    check_by(by, ("recruiter", "client", "service_type", "agency"))
    rows = session.execute(cost_query(period, by, ids))
    return {key: Decimal(cost).quantize(CENT) for key, cost in rows}


# ---------------------------------------------------------------- productivity


def _placement_key(by: str):
    return {
        "recruiter": Placement.placed_by_id,
        "client": Placement.client_id,
        "service_type": JobOrder.service_type,
        "agency": literal(AGENCY),
    }[by]


def placements_query(period, by, ids=None):
    """The grouped query ``(key, placements)``: placements starting in ``period``."""
    key = _placement_key(by)
    query = (
        select(key.label("key"), func.count(Placement.id).label("placements"))
        .select_from(Placement)
        .where(in_period(Placement.start_date, period))
        .group_by(key)
    )
    if by == "service_type":
        query = query.join(JobOrder, JobOrder.id == Placement.job_order_id)
    if ids is not None and by != "agency":
        query = query.where(key.in_(list(ids)))
    return query


@dataclass(frozen=True)
class Productivity:
    user_id: int
    name: str
    hours: Decimal
    placements: int
    submittals: int

    @property
    def hours_per_placement(self) -> Decimal | None:
        return (self.hours / self.placements).quantize(TENTH) if self.placements else None


def recruiter_productivity(session, period, ids=None) -> list[Productivity]:
    """Per recruiter: hours logged, placements, submittals and hours per placement.

    Placements: ``Placement.placed_by_id``, ``start_date`` in the period. Submittals: the
    applications first presented to the client (``Application.presented_at``, the first move
    into a presented stage) in the period, credited to the application's recruiter. Hours per
    placement: ``hours / placements``. One statement: three grouped subqueries joined to users.
    """
    hours = (
        select(TimeEntry.user_id.label("uid"), func.sum(TimeEntry.hours).label("n"))
        .where(in_period(TimeEntry.day, period))
        .group_by(TimeEntry.user_id)
        .subquery()
    )
    placed = placements_query(period, "recruiter").subquery()
    submitted = (
        select(Application.recruiter_id.label("uid"), func.count(Application.id).label("n"))
        .where(
            Application.presented_at >= moment(period.start),
            Application.presented_at < moment(period.end),
        )
        .group_by(Application.recruiter_id)
        .subquery()
    )
    query = (
        select(
            User.id,
            User.first_name,
            User.last_name,
            func.coalesce(hours.c.n, 0),
            func.coalesce(placed.c.placements, 0),
            func.coalesce(submitted.c.n, 0),
        )
        .outerjoin(hours, hours.c.uid == User.id)
        .outerjoin(placed, placed.c.key == User.id)
        .outerjoin(submitted, submitted.c.uid == User.id)
        .where(
            or_(
                hours.c.n.is_not(None), placed.c.placements.is_not(None), submitted.c.n.is_not(None)
            )
        )
        .order_by(User.first_name, User.last_name, User.id)
    )
    if ids is not None:
        query = query.where(User.id.in_(list(ids)))
    return [
        Productivity(uid, f"{first} {last}".strip(), Decimal(h).quantize(CENT), int(p), int(s))
        for uid, first, last, h, p, s in session.execute(query)
    ]


def hours_per_placement(session, period, by, ids=None) -> dict:
    """Hours per placement, by recruiter or agency.

    Formula: ``SUM(hours logged in the period) / COUNT(placements starting in the period)``
    (the recruiter's own placements, ``placed_by``); None without a placement.
    """
    check_by(by, ("recruiter", "agency"))
    rows = recruiter_productivity(session, period, ids if by == "recruiter" else None)
    if by == "agency":
        total = Productivity(0, "", sum((r.hours for r in rows), Decimal(0)),
                             sum(r.placements for r in rows), 0)  # fmt: skip
        return {AGENCY: total.hours_per_placement}
    return {row.user_id: row.hours_per_placement for row in rows}
