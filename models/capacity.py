"""The capacity of the next weeks against assigned work, per staff user and week: one
grouped statement (plus the holidays), whatever the number of job orders and time entries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from flask_appbuilder.security.sqla.models import User
from sqlalchemy import case, func, literal, select, union

from .billing_terms import setting
from .recruiting import JobOrder, job_order_recruiters
from .time_entries import StaffCapacity, TimeEntry, default_weekly_hours
from .utilization import CENT, HOURS, holidays_between, in_period, working_days


@dataclass(frozen=True)
class CapacityWeek:
    user_id: int
    name: str
    week: date  # its Monday
    capacity: Decimal
    assigned: Decimal
    open_orders: int

    @property
    def over_allocated(self) -> bool:
        return self.assigned > self.capacity


def capacity_plan(session, today: date | None = None, weeks: int = 4, ids=None):
    """Per staff user and week, for ``weeks`` weeks from this week's Monday: capacity hours
    against assigned hours (``list[CapacityWeek]``, over-allocated weeks flagged).

    Formula: capacity = ``weekly_hours × working days of the week / 5``; assigned = the open
    job orders the user is a recruiter on × ``HOURS_PER_OPEN_ORDER_WEEK`` (6) + the hours of
    time entries already dated in that week. Users: those with a capacity row, an open job
    order or an entry in the weeks. One statement, plus the holidays.
    """
    monday = (today or date.today()) - timedelta(days=(today or date.today()).weekday())
    starts = [monday + timedelta(weeks=n) for n in range(weeks)]
    end = monday + timedelta(weeks=weeks)
    per_order = Decimal(str(setting("HOURS_PER_OPEN_ORDER_WEEK", 6)))
    orders = (
        select(job_order_recruiters.c.user_id.label("uid"), func.count().label("n"))
        .join(JobOrder, JobOrder.id == job_order_recruiters.c.job_order_id)
        .where(JobOrder.status == "open")
        .group_by(job_order_recruiters.c.user_id)
        .subquery()
    )
    logged = (
        select(
            TimeEntry.user_id.label("uid"),
            *(
                func.sum(
                    case((in_period(TimeEntry.day, _Week(s)), TimeEntry.hours), else_=0)
                ).label(f"w{n}")
                for n, s in enumerate(starts)
            ),
        )
        .where(TimeEntry.day >= monday, TimeEntry.day < end)
        .group_by(TimeEntry.user_id)
        .subquery()
    )
    people = union(
        select(StaffCapacity.user_id), select(orders.c.uid), select(logged.c.uid)
    ).subquery()
    query = (
        select(
            User.id,
            User.first_name,
            User.last_name,
            func.coalesce(StaffCapacity.weekly_hours, literal(default_weekly_hours(), HOURS)),
            func.coalesce(orders.c.n, 0),
            *(func.coalesce(logged.c[f"w{n}"], 0) for n in range(weeks)),
        )
        .join(people, people.c.user_id == User.id)
        .outerjoin(StaffCapacity, StaffCapacity.user_id == User.id)
        .outerjoin(orders, orders.c.uid == User.id)
        .outerjoin(logged, logged.c.uid == User.id)
        .order_by(User.first_name, User.last_name, User.id)
    )
    if ids is not None:
        query = query.where(User.id.in_(list(ids)))
    rows = session.execute(query).all()
    holidays = holidays_between(session, monday, end) if rows else set()
    days = [working_days(session, s, s + timedelta(weeks=1), holidays) for s in starts]
    plan = []
    for uid, first, last, weekly, n_orders, *week_hours in rows:
        for n, start in enumerate(starts):
            plan.append(
                CapacityWeek(
                    uid,
                    f"{first} {last}".strip(),
                    start,
                    (Decimal(weekly) * days[n] / 5).quantize(CENT),
                    (per_order * n_orders + Decimal(week_hours[n])).quantize(CENT),
                    int(n_orders),
                )
            )
    return plan


@dataclass(frozen=True)
class _Week:
    start: date

    @property
    def end(self) -> date:
        return self.start + timedelta(weeks=1)
