"""The steps of an onboarding plan (models/onboarding.py): their statuses and verbs.

A step goes ``pending`` → ``in_progress`` → ``done`` or ``skipped`` (``action_start``,
``action_complete``, ``action_skip``), and back to in progress (``action_reopen``); each change
is on the client's timeline with the plan's new progress, and may complete (or reactivate) the
plan. Its owner is the assigned staff user, else the client's owner, else its engagement
manager; ``notified_at`` remembers that the owner was told the step is late.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from flask_appbuilder.security.sqla.models import User
from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import ConstructorDefaults, Model, UTCDateTime, utcnow
from .clients import _choice_sql
from .onboarding_templates import OnboardingError, OnboardingStateError, lines, step_violations

if TYPE_CHECKING:
    from .commercial import Quote
    from .contracts import Contract
    from .onboarding import OnboardingPlan

STEP_STATUSES = ("pending", "in_progress", "done", "skipped")
STATUS_LABELS = {
    "pending": "Pending",
    "in_progress": "In progress",
    "done": "Done",
    "skipped": "Skipped",
    "active": "Active",
    "completed": "Completed",
    "cancelled": "Cancelled",
}
OPEN_STEP_STATUSES = ("pending", "in_progress")
CLOSED_STEP_STATUSES = ("done", "skipped")


def percent(steps) -> int:
    """Done and skipped steps over all of them, in whole percent (0 with no step)."""
    steps = list(steps)
    if not steps:
        return 0
    closed = sum(1 for step in steps if step.status in CLOSED_STEP_STATUSES)
    return round(100 * closed / len(steps))


class OnboardingStep(ConstructorDefaults, Model):
    __tablename__ = "onboarding_step"
    __table_args__ = (
        CheckConstraint(_choice_sql("status", STEP_STATUSES), name="ck_onboarding_step_status"),
        Index("ix_onboarding_step_due", "status", "due_date"),
    )

    # -- columns
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(
        ForeignKey("onboarding_plan.id", ondelete="CASCADE"), nullable=False, index=True
    )
    position: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    phase: Mapped[str | None] = mapped_column(String(80))
    name: Mapped[str] = mapped_column(String(191), nullable=False)
    owner_role: Mapped[str] = mapped_column(String(40), nullable=False)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))
    duration_days: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    due_date: Mapped[date | None] = mapped_column(Date)
    deliverables: Mapped[str | None] = mapped_column(Text)  # one per line
    # [{"item": "Budget range", "done": false}, ...]
    checklist: Mapped[list | None] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(12), nullable=False, default="pending")
    client_visible: Mapped[bool] = mapped_column(
        Boolean, nullable=False, default=True, server_default=true()
    )
    quote_id: Mapped[int | None] = mapped_column(ForeignKey("quote.id", ondelete="SET NULL"))
    contract_id: Mapped[int | None] = mapped_column(ForeignKey("contract.id", ondelete="SET NULL"))
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # When the owner was told the step is past its due date (once: jobs/onboarding.py).
    notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    # -- relationships
    plan: Mapped[OnboardingPlan] = relationship(back_populates="steps")
    assignee: Mapped[User | None] = relationship(User)
    quote: Mapped[Quote | None] = relationship("Quote")
    contract: Mapped[Contract | None] = relationship("Contract")

    def __str__(self) -> str:
        return self.name or ""

    # -- derived values
    @property
    def deliverable_list(self) -> list[str]:
        return lines(self.deliverables)

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status, self.status)

    def is_overdue(self, today: date | None = None) -> bool:
        return (
            self.status in OPEN_STEP_STATUSES
            and self.due_date is not None
            and self.due_date < (today or date.today())
        )

    @property
    def overdue(self) -> bool:
        return self.is_overdue()

    @property
    def owner(self) -> User | None:
        """Who answers for the step: its assignee, else the client's owner, else its
        engagement manager."""
        client = self.plan.client
        return self.assignee or client.owner or client.engagement_manager

    # -- rules
    def violations(self) -> list[OnboardingError]:
        errors = step_violations(self)
        if self.status not in STEP_STATUSES:
            errors.append(
                OnboardingError(f"Status must be one of {', '.join(STEP_STATUSES)}.", "status")
            )
        return errors

    def validate(self) -> None:
        """:raise OnboardingError: for the first rule this step breaks."""
        errors = self.violations()
        if errors:
            raise errors[0]

    # -- actions
    def action_start(self, by: User | None = None) -> None:
        """:raise OnboardingStateError: unless the step is pending."""
        self._move(("pending",), "in_progress", by, "started")
        self.started_at = utcnow()

    def action_complete(self, by: User | None = None) -> None:
        """:raise OnboardingStateError: unless the step is pending or in progress."""
        self._move(OPEN_STEP_STATUSES, "done", by, "done")

    def action_skip(self, by: User | None = None) -> None:
        """:raise OnboardingStateError: unless the step is pending or in progress."""
        self._move(OPEN_STEP_STATUSES, "skipped", by, "skipped")

    def action_reopen(self, by: User | None = None) -> None:
        """Back to in progress (a completed plan becomes active again).

        :raise OnboardingStateError: unless the step is done or skipped.
        """
        self._move(CLOSED_STEP_STATUSES, "in_progress", by, "reopened")

    def action_assign(self, user: User | None, by: User | None = None) -> None:
        """Give the step to a staff user (``None``: back to the client's owner)."""
        from .clients import is_staff

        if user is not None and not is_staff(user):
            raise OnboardingError(f"{user.username} is not an agency staff member.", "assignee")
        self.assignee = user
        self.notified_at = None  # a new owner hears of it if it is late
        who = f"{user.first_name} {user.last_name}".strip() if user else "the client's owner"
        self.plan._log(by, f"Onboarding step '{self.name}' assigned to {who}")

    def action_tick(self, index: int, done: bool, by: User | None = None) -> None:
        """Tick (or untick) checklist item ``index``.

        :raise OnboardingError: for an item the checklist does not have.
        """
        items = list(self.checklist or [])
        if not 0 <= index < len(items):
            raise OnboardingError("No such checklist item.", "checklist")
        items[index] = {**items[index], "done": bool(done)}
        self.checklist = items  # a new list: the JSON column sees the change

    def _move(self, allowed, status: str, by: User | None, verb: str) -> None:
        plan = self.plan
        if plan.status == "cancelled":
            raise OnboardingStateError("This onboarding plan was cancelled.", "status")
        if self.status not in allowed:
            raise OnboardingStateError(
                f"Step '{self.name}' is {self.status_label.lower()}: it cannot be {verb}.",
                "status",
            )
        self.status = status
        self.closed_at = utcnow() if status in CLOSED_STEP_STATUSES else None
        if status in OPEN_STEP_STATUSES:
            self.notified_at = None  # late again later: told again
        plan._log(by, f"Onboarding step '{self.name}' {verb} ({plan.progress}% complete)")
        plan._refresh(by)
