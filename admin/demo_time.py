"""The demo agency's time: capacities and cost rates for the recruiter and the account
manager, and four weeks of time entries on the job orders they work on (mostly billable,
some internal), so Reports › Utilization is not empty.

Called by ``load_demo()`` (admin/demo.py) inside its transaction; safe to run again: a user
who has any time entry already gets none added, and a capacity row is never changed.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select

from extensions import db
from models import JobOrder, StaffCapacity, TimeEntry
from models.access import ROLE_ACCOUNT_MANAGER, ROLE_RECRUITER

# (role, weekly hours, cost rate in the base currency an hour, hours a day: Mon..Fri)
PEOPLE = (
    (ROLE_RECRUITER, Decimal(40), Decimal("35.00"), ("7.5", "6", "8", "5.5", "4")),
    (ROLE_ACCOUNT_MANAGER, Decimal(32), Decimal("55.00"), ("3", "4", "2.5", "5", "2")),
)
WEEKS = 4


def load_time(staff: dict, count) -> None:
    jobs = db.session.scalars(select(JobOrder).order_by(JobOrder.id)).unique().all()
    if not jobs:
        return
    monday = date.today() - timedelta(days=date.today().weekday() + 7 * WEEKS)
    for role, weekly, rate, daily in PEOPLE:
        user = staff.get(role)
        if user is None:
            continue
        if (
            db.session.scalar(select(StaffCapacity.id).where(StaffCapacity.user_id == user.id))
            is None
        ):
            db.session.add(StaffCapacity(user=user, weekly_hours=weekly, cost_rate=rate))
            count("staff capacities")
        if db.session.scalar(select(TimeEntry.id).where(TimeEntry.user_id == user.id).limit(1)):
            continue
        mine = [job for job in jobs if user in job.recruiters] or jobs
        for week in range(WEEKS):
            for weekday, hours in enumerate(daily):
                job = mine[(week + weekday) % len(mine)]
                internal = weekday == 4  # Fridays: admin time, not billable
                TimeEntry.log(user, monday + timedelta(weeks=week, days=weekday), hours,
                              job_order=job, billable=not internal,
                              note="Internal: pipeline review" if internal else None)  # fmt: skip
                count("time entries")
