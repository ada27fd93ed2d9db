"""Onboarding plans: a client's way from qualification to go-live, step by step.

``OnboardingPlan.start(client, template, by)`` copies a template's steps (models/
onboarding_templates.py) into a plan: each step keeps its owner role, target duration,
deliverables and checklist, and gets a due date chained from the plan's start (the previous
step's due date plus its own duration). A client has at most one active plan (a partial unique
index backs the rule against two requests at once). Steps move through ``pending`` →
``in_progress`` → ``done`` or ``skipped`` by their verbs (``action_start/complete/skip/reopen``),
each on the client's timeline; when every step is done or skipped the plan is ``completed``.

Progress is the share of steps done or skipped; the portal shows the client-visible steps only
(``client_progress``). A step past its due date is mailed once to its owner
(jobs/onboarding.py; ``notified_at`` remembers it).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
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
    select,
    text,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .activity import record_activity
from .base import ConstructorDefaults, Model, TimestampMixin, UTCDateTime, utcnow
from .clients import Client, _choice_sql, _session
from .onboarding_templates import (
    OnboardingError,
    OnboardingStateError,
    OnboardingTemplate,
    default_template,
    lines,
    step_violations,
)

if TYPE_CHECKING:
    from .commercial import Quote
    from .contracts import Contract

PLAN_STATUSES = ("active", "completed", "cancelled")
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


class OnboardingPlan(ConstructorDefaults, TimestampMixin, Model):
    __tablename__ = "onboarding_plan"
    __table_args__ = (
        CheckConstraint(_choice_sql("status", PLAN_STATUSES), name="ck_onboarding_plan_status"),
        Index(
            "uq_onboarding_plan_active_client",
            "client_id",
            unique=True,
            sqlite_where=text("status = 'active'"),
            postgresql_where=text("status = 'active'"),
        ),
    )

    # -- columns
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("client.id"), nullable=False, index=True)
    template_id: Mapped[int | None] = mapped_column(
        ForeignKey("onboarding_template.id", ondelete="SET NULL")
    )
    name: Mapped[str] = mapped_column(String(191), nullable=False)
    status: Mapped[str] = mapped_column(String(10), nullable=False, default="active")
    start_date: Mapped[date] = mapped_column(Date, nullable=False)
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    # -- relationships
    client: Mapped[Client] = relationship(Client, lazy="joined")
    template: Mapped[OnboardingTemplate | None] = relationship(OnboardingTemplate)
    started_by: Mapped[User | None] = relationship(User)
    steps: Mapped[list[OnboardingStep]] = relationship(
        back_populates="plan",
        cascade="all, delete-orphan",
        order_by="(OnboardingStep.position, OnboardingStep.id)",
    )

    def __str__(self) -> str:
        return self.name or ""

    # -- derived values
    @property
    def progress(self) -> int:
        return percent(self.steps)

    @property
    def client_steps(self) -> list[OnboardingStep]:
        return [step for step in self.steps if step.client_visible]

    @property
    def client_progress(self) -> int:
        """The progress the portal shows: over the client-visible steps only."""
        return percent(self.client_steps)

    @property
    def target_end(self) -> date | None:
        return self.steps[-1].due_date if self.steps else None

    @property
    def current_step(self) -> OnboardingStep | None:
        return next((s for s in self.steps if s.status in OPEN_STEP_STATUSES), None)

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status, self.status)

    # -- queries
    @staticmethod
    def active_for(session, client_id: int) -> OnboardingPlan | None:
        return session.scalar(
            select(OnboardingPlan).where(
                OnboardingPlan.client_id == client_id, OnboardingPlan.status == "active"
            )
        )

    @staticmethod
    def latest_for(session, client_id: int) -> OnboardingPlan | None:
        """The client's active plan, else its latest one (None when never onboarded)."""
        return session.scalar(
            select(OnboardingPlan)
            .where(OnboardingPlan.client_id == client_id, OnboardingPlan.status != "cancelled")
            .order_by((OnboardingPlan.status == "active").desc(), OnboardingPlan.id.desc())
            .limit(1)
        )

    # -- rules
    def violations(self) -> list[OnboardingError]:
        errors = []
        if self.client is None and self.client_id is None:
            errors.append(OnboardingError("Choose the client to onboard.", "client"))
        if self.status not in PLAN_STATUSES:
            errors.append(
                OnboardingError(f"Status must be one of {', '.join(PLAN_STATUSES)}.", "status")
            )
        if self.start_date is None:
            errors.append(OnboardingError("Start date is required.", "start_date"))
        return errors

    def validate(self) -> None:
        """:raise OnboardingError: for the first rule this plan breaks."""
        errors = self.violations()
        if errors:
            raise errors[0]

    # -- actions
    @classmethod
    def start(
        cls,
        client: Client,
        template: OnboardingTemplate | None = None,
        by: User | None = None,
        start_date: date | None = None,
    ) -> OnboardingPlan:
        """Onboard ``client``: a plan from ``template`` (the default template, seeded when
        there is none, if not given), on the timeline. Added and flushed; the caller commits.

        :raise OnboardingStateError: when the client has an active plan already, or is archived.
        :raise OnboardingError: for a template that is inactive or has no step.
        """
        session = _session()
        if client.archived:
            raise OnboardingStateError(f"{client.name} is archived.", "client")
        if cls.active_for(session, client.id) is not None:
            raise OnboardingStateError(
                f"{client.name} has an onboarding plan under way already.", "client"
            )
        template = template or default_template(session)
        if not template.active:
            raise OnboardingError(f"Template '{template.name}' is not active.", "template_id")
        if not template.steps:
            raise OnboardingError(f"Template '{template.name}' has no step.", "template_id")
        start_date = start_date or date.today()
        plan = cls(
            client=client,
            client_id=client.id,
            template=template,
            name=f"Onboarding {client.name}"[:191],
            start_date=start_date,
            started_by=by,
        )
        quote, contract = _commercial_of(session, client.id)
        for position, source in enumerate(template.steps, start=1):
            plan.steps.append(
                OnboardingStep(
                    position=position,
                    phase=source.phase,
                    name=source.name,
                    owner_role=source.owner_role,
                    duration_days=source.duration_days,
                    deliverables=source.deliverables,
                    checklist=[{"item": item, "done": False} for item in lines(source.checklist)],
                    client_visible=source.client_visible,
                    quote=quote if source.links_commercial else None,
                    contract=contract if source.links_commercial else None,
                )
            )
        plan.schedule()
        session.add(plan)
        session.flush()
        plan._log(
            by,
            f"Onboarding started from '{template.name}': {len(plan.steps)} steps, "
            f"target go-live {plan.target_end:%d %b %Y}",
        )
        return plan

    def schedule(self) -> None:
        """Chain the due dates: each step is due its duration after the previous one's due
        date (the first, after the plan's start)."""
        due = self.start_date
        for step in self.steps:
            due = due + timedelta(days=step.duration_days or 0)
            step.due_date = due

    def action_cancel(self, by: User | None = None) -> None:
        """Stop an active plan (the client may then be onboarded again).

        :raise OnboardingStateError: unless the plan is active.
        """
        if self.status != "active":
            raise OnboardingStateError(f"This plan is {self.status}.", "status")
        self.status = "cancelled"
        self._log(by, f"Onboarding cancelled at {self.progress}%")

    def _refresh(self, by: User | None) -> None:
        """Complete the plan when its last open step closes; reopen it when a step reopens."""
        if self.status == "active" and all(s.status in CLOSED_STEP_STATUSES for s in self.steps):
            self.status = "completed"
            self.completed_at = utcnow()
            self._log(by, "Onboarding completed: every step done or skipped")
        elif self.status == "completed" and any(s.status in OPEN_STEP_STATUSES for s in self.steps):
            other = OnboardingPlan.active_for(_session(), self.client_id)
            if other is not None and other.id != self.id:
                raise OnboardingStateError(
                    "The client has another onboarding plan under way.", "status"
                )
            self.status = "active"
            self.completed_at = None

    def _log(self, by: User | None, summary: str) -> None:
        record_activity(
            _session(),
            "onboarding",
            summary,
            client_id=self.client_id,
            subject_type="onboarding_plan",
            subject_id=self.id,
            actor=by,
        )


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


def _commercial_of(session, client_id: int):
    """The client's latest quote and contract (None for each it has not)."""
    from .commercial import Quote
    from .contracts import Contract

    quote = session.scalar(
        select(Quote).where(Quote.client_id == client_id).order_by(Quote.id.desc()).limit(1)
    )
    contract = session.scalar(
        select(Contract)
        .where(Contract.client_id == client_id)
        .order_by(Contract.id.desc())
        .limit(1)
    )
    return quote, contract


def overdue_step_ids(session, today: date | None = None) -> list[int]:
    """Ids of the open steps of active plans past their due date whose owner was not told."""
    return list(
        session.scalars(
            select(OnboardingStep.id)
            .join(OnboardingPlan, OnboardingPlan.id == OnboardingStep.plan_id)
            .where(
                OnboardingPlan.status == "active",
                OnboardingStep.status.in_(OPEN_STEP_STATUSES),
                OnboardingStep.due_date < (today or date.today()),
                OnboardingStep.notified_at.is_(None),
            )
            .order_by(OnboardingStep.id)
        )
    )
