"""Time logged by staff, and what their time costs: ``TimeEntry`` and ``StaffCapacity``.

A time entry is hours a recruiter (``user``) spent on one day for a client, optionally on one
of its projects and job orders. A job order implies its client (and its project, when it has
one): an entry naming a job order takes its client and project from it, and naming another
client or project is refused. Hours are more than 0 and at most 24, to the hundredth.

``StaffCapacity`` is one row per staff user: the hours a week they work
(``DEFAULT_WEEKLY_CAPACITY_HOURS``, 40, when they have no row) and what an hour of theirs
costs in the base currency (``DEFAULT_COST_RATE``, the "configured cost rates"). The figures
built on them are in ``utilization.py``.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

from flask_appbuilder.security.sqla.models import User
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    Numeric,
    String,
    select,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import ConstructorDefaults, DomainError, Model, UTCDateTime, utcnow
from .billing_terms import setting
from .clients import Client, _session

if TYPE_CHECKING:
    from .projects import Project
    from .recruiting import JobOrder

HOURS_MAX = Decimal("24")
WEEKLY_HOURS_MAX = Decimal("168")
RATE_MAX = Decimal("999999")


class TimeEntryError(DomainError):
    """A time entry or a capacity breaks a rule (``field`` names the field)."""


def default_weekly_hours() -> Decimal:
    return Decimal(str(setting("DEFAULT_WEEKLY_CAPACITY_HOURS", 40)))


def default_cost_rate() -> Decimal:
    return Decimal(str(setting("DEFAULT_COST_RATE", "50")))


def _decimal(value) -> Decimal | None:
    if value is None or isinstance(value, Decimal):
        return value
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


class TimeEntry(ConstructorDefaults, Model):
    __tablename__ = "time_entry"
    __table_args__ = (CheckConstraint("hours > 0 AND hours <= 24", name="ck_time_entry_hours"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("ab_user.id"), nullable=False, index=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("client.id"), nullable=False, index=True)
    project_id: Mapped[int | None] = mapped_column(ForeignKey("recruitment_project.id"))
    job_order_id: Mapped[int | None] = mapped_column(ForeignKey("job_order.id"), index=True)
    day: Mapped[date] = mapped_column(Date, nullable=False, index=True)
    hours: Mapped[Decimal] = mapped_column(Numeric(5, 2), nullable=False)
    billable: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    note: Mapped[str | None] = mapped_column(String(500))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)

    user: Mapped[User] = relationship(User, foreign_keys=[user_id])
    client: Mapped[Client] = relationship(Client)
    project: Mapped[Project | None] = relationship("Project")
    job_order: Mapped[JobOrder | None] = relationship("JobOrder")
    created_by: Mapped[User | None] = relationship(User, foreign_keys=[created_by_id])

    def __str__(self) -> str:
        return f"{self.hours} h on {self.day:%Y-%m-%d}"

    def _job(self):
        if self.job_order is not None:
            return self.job_order
        if self.job_order_id is not None:
            from .recruiting import JobOrder

            return _session().get(JobOrder, self.job_order_id)
        return None

    def _ids(self, name: str):
        related = getattr(self, name)
        return related.id if related is not None else getattr(self, f"{name}_id")

    def take_from_job_order(self) -> None:
        """A job order implies its client and project: fill them in when not given."""
        job = self._job()
        if job is None:
            return
        if self.client is None and self.client_id is None:
            self.client = job.client
        if self.project is None and self.project_id is None and job.project is not None:
            self.project = job.project

    def violations(self) -> list[TimeEntryError]:
        errors = []
        if self.user is None and self.user_id is None:
            errors.append(TimeEntryError("Recruiter is required.", "user"))
        if self.day is None:
            errors.append(TimeEntryError("Day is required (YYYY-MM-DD).", "day"))
        hours = _decimal(self.hours)
        if hours is None:
            errors.append(TimeEntryError("Hours are required: a number such as 1.5.", "hours"))
        elif not hours.is_finite() or hours <= 0 or hours > HOURS_MAX:
            errors.append(TimeEntryError("Hours must be more than 0 and at most 24.", "hours"))
        elif hours != hours.quantize(Decimal("0.01")):
            errors.append(TimeEntryError("Hours take at most 2 decimals.", "hours"))
        if self.note and len(self.note) > 500:
            errors.append(TimeEntryError("Note: at most 500 characters.", "note"))
        self.take_from_job_order()
        client_id, project_id = self._ids("client"), self._ids("project")
        if client_id is None:
            errors.append(TimeEntryError("Client is required (or a job order).", "client"))
        job = self._job()
        if job is not None and client_id is not None and job.client_id != client_id:
            errors.append(
                TimeEntryError(f"Job order {job.reference} is for another client.", "job_order")
            )
        if job is not None and job.project_id and project_id and job.project_id != project_id:
            errors.append(
                TimeEntryError(f"Job order {job.reference} is in another project.", "project")
            )
        project = self.project
        if project is None and project_id is not None:
            from .projects import Project

            project = _session().get(Project, project_id)
        if project is not None and client_id is not None and project.client_id != client_id:
            errors.append(TimeEntryError("The project is another client's.", "project"))
        return errors

    def validate(self) -> None:
        """:raise TimeEntryError: the first broken rule."""
        errors = self.violations()
        if errors:
            raise errors[0]

    @classmethod
    def log(cls, user, day: date, hours, by=None, **fields) -> TimeEntry:
        """A new entry of ``hours`` by ``user`` on ``day`` (client, project, job_order,
        billable, note as keywords), checked and added to the session (not committed).

        :raise TimeEntryError: naming the field of the first broken rule.
        """
        entry = cls(user=user, day=day, hours=_decimal(hours), created_by=by, **fields)
        with _session().no_autoflush:
            entry.validate()
        _session().add(entry)
        return entry


class StaffCapacity(ConstructorDefaults, Model):
    """A staff user's weekly hours and hourly cost rate (base currency)."""

    __tablename__ = "staff_capacity"
    __table_args__ = (
        CheckConstraint(
            "weekly_hours >= 0 AND weekly_hours <= 168", name="ck_staff_capacity_hours"
        ),
        CheckConstraint("cost_rate >= 0", name="ck_staff_capacity_rate"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("ab_user.id"), nullable=False, unique=True)
    weekly_hours: Mapped[Decimal] = mapped_column(
        Numeric(5, 2), nullable=False, default=lambda: default_weekly_hours()
    )
    cost_rate: Mapped[Decimal] = mapped_column(
        Numeric(12, 2), nullable=False, default=lambda: default_cost_rate()
    )

    user: Mapped[User] = relationship(User)

    def __str__(self) -> str:
        return f"{self.weekly_hours} h/week at {self.cost_rate}/h"

    def violations(self) -> list[TimeEntryError]:
        errors = []
        user_id = self.user.id if self.user is not None else self.user_id
        if user_id is None:
            errors.append(TimeEntryError("Staff user is required.", "user"))
        else:
            other = select(StaffCapacity.id).where(StaffCapacity.user_id == user_id)
            if self.id is not None:
                other = other.where(StaffCapacity.id != self.id)
            if _session().scalar(other) is not None:
                errors.append(TimeEntryError("This user has a capacity row already.", "user"))
        hours = _decimal(self.weekly_hours)
        if hours is not None and not (0 <= hours <= WEEKLY_HOURS_MAX):
            errors.append(TimeEntryError("Weekly hours must be between 0 and 168.", "weekly_hours"))
        rate = _decimal(self.cost_rate)
        if rate is not None and not (0 <= rate <= RATE_MAX):
            errors.append(
                TimeEntryError("Cost rate must be between 0 and 999,999 an hour.", "cost_rate")
            )
        return errors

    def validate(self) -> None:
        errors = self.violations()
        if errors:
            raise errors[0]
