"""Recruitment projects: a client's job orders grouped, with recruiters, a budget and milestones.

Progress is the share of milestones completed; completing (or reopening) a milestone is a
verb that lands on the client's timeline. ``progress_by_project`` gives the same figure for
many projects in one grouped query (the portal dashboard uses it).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from flask_appbuilder.security.sqla.models import User
from sqlalchemy import (
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Integer,
    Numeric,
    String,
    Table,
    Text,
    case,
    func,
    select,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from .activity import record_activity
from .base import (
    ConstructorDefaults,
    DomainError,
    Model,
    TimestampMixin,
    UTCDateTime,
    finite,
    length_violations,
    utcnow,
)
from .clients import CURRENCIES, Client, _blank, _choice_sql, _session
from .recruiting import MONEY_MAX

if TYPE_CHECKING:
    from .recruiting import JobOrder

PROJECT_STATUSES = ("planning", "active", "on_hold", "completed", "cancelled")


class ProjectError(DomainError):
    """A project or milestone breaks a rule of this module."""


project_recruiters = Table(
    "project_recruiter",
    Model.metadata,
    Column(
        "project_id", ForeignKey("recruitment_project.id", ondelete="CASCADE"), primary_key=True
    ),
    Column("user_id", ForeignKey("ab_user.id", ondelete="CASCADE"), primary_key=True),
)


class Project(ConstructorDefaults, TimestampMixin, Model):
    __tablename__ = "recruitment_project"
    __table_args__ = (
        CheckConstraint(_choice_sql("status", PROJECT_STATUSES), name="ck_project_status"),
    )

    # -- columns
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("client.id"), nullable=False, index=True)
    name: Mapped[str] = mapped_column(String(191), nullable=False)
    description: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(12), nullable=False, default="active")
    start_date: Mapped[date | None] = mapped_column(Date)
    target_end_date: Mapped[date | None] = mapped_column(Date)
    budget: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    currency: Mapped[str] = mapped_column(String(3), nullable=False, default="USD")
    # When the status last became completed (the "project completed" workflow trigger).
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    # -- relationships
    client: Mapped[Client] = relationship(Client, lazy="joined")
    recruiters: Mapped[list[User]] = relationship(User, secondary=project_recruiters)
    job_orders: Mapped[list[JobOrder]] = relationship("JobOrder", back_populates="project")
    milestones: Mapped[list[Milestone]] = relationship(
        back_populates="project",
        cascade="all, delete-orphan",
        order_by="(Milestone.due_date, Milestone.id)",
    )

    def __str__(self) -> str:
        return self.name

    @validates("name", "description")
    def _strip(self, key, value):
        return value.strip() if isinstance(value, str) else value

    @validates("status")
    def _stamp_completion(self, key, value):
        """Stamp the moment a project becomes completed (cleared when it is reopened)."""
        if value == "completed" and self.status != "completed":
            self.completed_at = utcnow()
        elif value != "completed":
            self.completed_at = None
        return value

    # -- derived values
    @property
    def progress(self) -> int:
        """Percent of milestones completed (0 with no milestone)."""
        if not self.milestones:
            return 0
        done = sum(1 for m in self.milestones if m.completed_on is not None)
        return round(100 * done / len(self.milestones))

    @property
    def next_milestone(self) -> Milestone | None:
        return next((m for m in self.milestones if m.completed_on is None), None)

    # -- rules
    def violations(self) -> list[ProjectError]:
        errors = []
        if self.client is None and self.client_id is None:
            errors.append(ProjectError("Choose the client this project is for.", "client"))
        if _blank(self.name):
            errors.append(ProjectError("Project name is required.", "name"))
        errors += length_violations(self, ProjectError)
        if self.status not in PROJECT_STATUSES:
            errors.append(
                ProjectError(f"Status must be one of {', '.join(PROJECT_STATUSES)}.", "status")
            )
        if self.budget is not None and not 0 <= self.budget <= MONEY_MAX:
            errors.append(ProjectError(f"Budget must be 0 to {MONEY_MAX:,}.", "budget"))
        if self.currency not in CURRENCIES:
            errors.append(
                ProjectError("Currency must be an ISO 4217 code such as USD.", "currency")
            )
        if self.start_date and self.target_end_date and self.target_end_date < self.start_date:
            errors.append(
                ProjectError(
                    "Target end date must be on or after the start date.", "target_end_date"
                )
            )
        for job in self.job_orders:
            if (
                job.client_id is not None
                and self.client_id is not None
                and job.client_id != self.client_id
            ):
                errors.append(
                    ProjectError(
                        f"Job order {job.reference} belongs to another client.", "job_orders"
                    )
                )
        return errors

    def validate(self) -> None:
        """:raise ProjectError: for the first rule this project breaks."""
        errors = self.violations()
        if errors:
            raise errors[0]


class Milestone(Model):
    __tablename__ = "project_milestone"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("recruitment_project.id", ondelete="CASCADE"), nullable=False, index=True
    )
    name: Mapped[str] = mapped_column(String(191), nullable=False)
    due_date: Mapped[date | None] = mapped_column(Date)
    completed_on: Mapped[date | None] = mapped_column(Date)
    # Billable: completing the milestone proposes a draft invoice of this amount, in the
    # project's currency (models/placement_billing.py).
    billing_amount: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))

    project: Mapped[Project] = relationship(back_populates="milestones")

    def __str__(self) -> str:
        return self.name

    @property
    def is_overdue(self) -> bool:
        return (
            self.completed_on is None and self.due_date is not None and self.due_date < date.today()
        )

    def violations(self) -> list[ProjectError]:
        errors = []
        if _blank(self.name):
            errors.append(ProjectError("Milestone name is required.", "name"))
        errors += length_violations(self, ProjectError)
        if self.project is None and self.project_id is None:
            errors.append(ProjectError("Choose the project of this milestone.", "project"))
        if self.billing_amount is not None and (
            not finite(self.billing_amount) or not 0 < self.billing_amount <= MONEY_MAX
        ):
            errors.append(
                ProjectError(
                    f"Billing amount must be more than 0 and at most {MONEY_MAX:,}.",
                    "billing_amount",
                )
            )
        return errors

    def validate(self) -> None:
        """:raise ProjectError: for the first rule this milestone breaks."""
        errors = self.violations()
        if errors:
            raise errors[0]

    def action_complete(self, by: User | None = None, on: date | None = None) -> None:
        """Mark the milestone done (today unless ``on`` is given).

        :raise ProjectError: when it is completed already, or ``on`` is in the future.
        """
        if self.completed_on is not None:
            raise ProjectError(
                f"Milestone '{self.name}' was completed on {self.completed_on}.", "completed_on"
            )
        on = on or date.today()
        if on > date.today():
            raise ProjectError("A milestone cannot be completed in the future.", "completed_on")
        self.completed_on = on
        self._log(by, f"Milestone '{self.name}' of {self.project.name} completed")
        if self.billing_amount:
            from .placement_billing import propose_milestone_invoice

            propose_milestone_invoice(self, by)

    def action_reopen(self, by: User | None = None) -> None:
        """:raise ProjectError: when it is not completed."""
        if self.completed_on is None:
            raise ProjectError(f"Milestone '{self.name}' is not completed.", "completed_on")
        self.completed_on = None
        self._log(by, f"Milestone '{self.name}' of {self.project.name} reopened")

    def action_remove(self, by: User | None = None) -> None:
        """Take the milestone off its project (progress is counted without it)."""
        project = self.project
        self._log(by, f"Milestone '{self.name}' removed from {project.name}")
        project.milestones.remove(self)

    def _log(self, by: User | None, summary: str) -> None:
        record_activity(
            _session(),
            "project",
            summary,
            client_id=self.project.client_id,
            subject_type="recruitment_project",
            subject_id=self.project_id,
            actor=by,
        )


def progress_by_project(session, project_ids) -> dict[int, tuple[int, int]]:
    """{project id: (milestones completed, milestones in all)} in one grouped query."""
    rows = session.execute(
        select(
            Milestone.project_id,
            func.sum(case((Milestone.completed_on.is_not(None), 1), else_=0)),
            func.count(Milestone.id),
        )
        .where(Milestone.project_id.in_(list(project_ids)))
        .group_by(Milestone.project_id)
    )
    return {pid: (int(done or 0), int(total)) for pid, done, total in rows}
