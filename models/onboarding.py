"""Onboarding plans: a client's way from qualification to go-live, step by step.

``OnboardingPlan.start(client, template, by)`` copies a template's steps (models/
onboarding_templates.py) into a plan: each step keeps its owner role, target duration,
deliverables and checklist, and gets a due date chained from the plan's start (the previous
step's due date plus its own duration). A client has at most one active plan (a partial unique
index backs the rule against two requests at once). Steps move through ``pending`` →
``in_progress`` → ``done`` or ``skipped`` by their verbs (``action_start/complete/skip/reopen``),
each on the client's timeline; when every step is done or skipped the plan is ``completed``.

Progress is the share of steps done or skipped; the portal shows the client-visible steps only
(``client_progress``). The steps and their verbs are in models/onboarding_steps.py; a step
past its due date is mailed once to its owner (jobs/onboarding.py).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from flask_appbuilder.security.sqla.models import User
from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Integer, String, select, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .activity import record_activity
from .base import ConstructorDefaults, Model, TimestampMixin, UTCDateTime, utcnow
from .clients import Client, _choice_sql, _session
from .onboarding_steps import (  # noqa: F401  (re-exported: the statuses and their labels)
    CLOSED_STEP_STATUSES,
    OPEN_STEP_STATUSES,
    STATUS_LABELS,
    STEP_STATUSES,
    OnboardingStep,
    percent,
)
from .onboarding_templates import (
    OnboardingError,
    OnboardingStateError,
    OnboardingTemplate,
    default_template,
    lines,
)

PLAN_STATUSES = ("active", "completed", "cancelled")


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
