"""Automated workflows: a trigger, then ordered steps that mail a template to a recipient role.

A workflow watches one trigger (``models/workflow_triggers.py``: a client onboarded, a job
order approved, an invoice overdue...). When a record fires it, each step comes due its delay
(days and hours) after the trigger time and sends its ``EmailTemplate`` to the step's
recipients (the primary contact, the billing contacts, the account manager...). The scheduler
(``jobs/workflows.py``) records each (step, record, occurrence) once in ``WorkflowRun``, under
a unique key, so a step sends once per record however often it runs and however many workers
race.

Only what fires after the workflow was activated counts (``activated_at``): turning a workflow
on never mails clients about old history. A paused workflow sends nothing; when it is resumed,
the steps that came due while it was paused are recorded as skipped ("paused"), and the steps
due after the resume are sent.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from flask_appbuilder.security.sqla.models import User
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    func,
    inspect,
    select,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import DomainError, Model, TimestampMixin, UTCDateTime, length_violations, utcnow
from .workflow_triggers import RECIPIENT_ROLES, TRIGGERS

if TYPE_CHECKING:
    from .mail_templates import EmailTemplate

KEY_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{1,59}$")
DAYS_MAX = 3650
HOURS_MAX = 23
STEPS_MAX = 20
# The reason a step that came due while its workflow was paused is not sent after the resume.
PAUSED = "paused"


class WorkflowError(DomainError):
    """A workflow, one of its steps or one of its verbs breaks a rule (the field is named)."""


def _choice_sql(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Workflow(TimestampMixin, Model):
    """A trigger and its steps; ``active`` sends, paused (``active`` false) does not."""

    __tablename__ = "workflow"
    __table_args__ = (
        CheckConstraint(_choice_sql("trigger", TRIGGERS), name="ck_workflow_trigger"),
        Index("uq_workflow_key", func.lower(text("key")), unique=True),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # Names a shipped workflow for its loader (``load_default_workflows``); optional otherwise.
    key: Mapped[str | None] = mapped_column(String(60))
    name: Mapped[str] = mapped_column(String(150), nullable=False)
    description: Mapped[str | None] = mapped_column(String(1000))
    trigger: Mapped[str] = mapped_column(String(30), nullable=False)
    # The trigger's N: days not viewed, days before renewal, days without activity.
    trigger_days: Mapped[int | None] = mapped_column(Integer)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    # What fires from this moment on counts (set when the workflow is first switched on).
    activated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    paused_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    paused_by_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))
    resumed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    resumed_by_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))

    steps: Mapped[list[WorkflowStep]] = relationship(
        back_populates="workflow",
        order_by="WorkflowStep.position",
        cascade="all, delete-orphan",
        lazy="selectin",
    )
    paused_by: Mapped[User | None] = relationship(User, foreign_keys=[paused_by_id])
    resumed_by: Mapped[User | None] = relationship(User, foreign_keys=[resumed_by_id])

    def __str__(self) -> str:
        return self.name

    # -- derived values
    @property
    def trigger_label(self) -> str:
        spec = TRIGGERS.get(self.trigger)
        if spec is None:
            return self.trigger or ""
        return spec.describe(self.trigger_days)

    @property
    def state(self) -> str:
        return "active" if self.active else "paused"

    @property
    def provides(self) -> tuple[str, ...]:
        """The records (template variables) this workflow's trigger gives its templates."""
        spec = TRIGGERS.get(self.trigger)
        return spec.records if spec else ()

    # -- rules
    def violations(self) -> list[WorkflowError]:
        errors: list[WorkflowError] = []
        if not (self.name or "").strip():
            errors.append(WorkflowError("Name is required.", "name"))
        if self.key is not None and not KEY_RE.match(self.key):
            errors.append(
                WorkflowError(
                    "Key is 2 to 60 lower-case letters, digits, - and _ (e.g. welcome-sequence).",
                    "key",
                )
            )
        elif self.key is not None:
            errors += self._key_taken()
        spec = TRIGGERS.get(self.trigger)
        if spec is None:
            errors.append(
                WorkflowError(f"Trigger must be one of {', '.join(TRIGGERS)}.", "trigger")
            )
        elif self._trigger_changed_after_runs():
            errors.append(
                WorkflowError(
                    "The trigger cannot change once the workflow has runs (they are about "
                    "another kind of record): pause it and make a new workflow.",
                    "trigger",
                )
            )
        elif spec.takes_days:
            if self.trigger_days is None:
                errors.append(
                    WorkflowError(
                        f"Trigger days (N) is required for the trigger '{spec.label}'.",
                        "trigger_days",
                    )
                )
            elif not 1 <= self.trigger_days <= DAYS_MAX:
                errors.append(
                    WorkflowError(f"Trigger days (N) must be 1 to {DAYS_MAX}.", "trigger_days")
                )
        elif self.trigger_days is not None:
            errors.append(
                WorkflowError(
                    f"The trigger '{spec.label}' takes no number of days: leave trigger days "
                    "(N) empty.",
                    "trigger_days",
                )
            )
        if len(self.steps) > STEPS_MAX:
            errors.append(WorkflowError(f"A workflow has at most {STEPS_MAX} steps.", "steps"))
        for number, step in enumerate(self.steps, start=1):
            errors += step.violations(self, number)
        return errors + length_violations(self, WorkflowError)

    def _trigger_changed_after_runs(self) -> bool:
        if self.id is None:
            return False
        history = inspect(self).attrs.trigger.history
        if not history.deleted or history.deleted[0] == self.trigger:
            return False
        from .clients import _session
        from .workflow_runs import WorkflowRun

        session = _session()
        with session.no_autoflush:
            query = select(WorkflowRun.id).where(WorkflowRun.workflow_id == self.id).limit(1)
            return session.execute(query).first() is not None

    def _key_taken(self) -> list[WorkflowError]:
        from .clients import _session

        query = select(Workflow.id).where(func.lower(Workflow.key) == self.key.lower())
        if self.id is not None:
            query = query.where(Workflow.id != self.id)
        session = _session()
        with session.no_autoflush:
            if session.execute(query.limit(1)).first():
                return [WorkflowError(f"Key {self.key} belongs to another workflow.", "key")]
        return []

    def validate(self) -> None:
        """:raise WorkflowError: for the first rule this workflow breaks."""
        errors = self.violations()
        if errors:
            raise errors[0]

    # -- actions
    def add_step(
        self,
        template: EmailTemplate | None,
        recipient_role: str = "primary",
        delay_days: int = 0,
        delay_hours: int = 0,
    ) -> WorkflowStep:
        """Append a step (checked with the workflow, before the flush)."""
        step = WorkflowStep(
            template=template,
            recipient_role=recipient_role,
            delay_days=delay_days,
            delay_hours=delay_hours,
            position=len(self.steps) + 1,
        )
        self.steps.append(step)
        return step

    def set_steps(self, steps: list[dict]) -> None:
        """Replace the steps with ``steps`` (dicts of ``add_step``'s arguments), in order.

        Steps that keep their position keep their row (and so their runs).
        """
        kept = list(self.steps)
        for index, values in enumerate(steps):
            if index < len(kept):
                step = kept[index]
                step.template = values.get("template")
                step.recipient_role = values.get("recipient_role", "primary")
                step.delay_days = values.get("delay_days", 0)
                step.delay_hours = values.get("delay_hours", 0)
                step.position = index + 1
            else:
                self.add_step(
                    values.get("template"),
                    values.get("recipient_role", "primary"),
                    values.get("delay_days", 0),
                    values.get("delay_hours", 0),
                )
        for step in kept[len(steps) :]:
            if step.id is not None and step.runs_count():
                raise WorkflowError(
                    f"Step {step.position} has runs and cannot be removed: pause the workflow "
                    "or make a new one.",
                    "steps",
                )
            self.steps.remove(step)

    def action_activate(self, by: User | None = None, now: datetime | None = None) -> None:
        """Switch a new workflow on: what fires from now on is sent.

        :raise WorkflowError: when it is active already.
        """
        self.action_resume(by, now)

    def action_pause(self, by: User | None = None, now: datetime | None = None) -> None:
        """Stop sending (steps due meanwhile are skipped once it is resumed).

        :raise WorkflowError: when it is paused already.
        """
        if not self.active:
            raise WorkflowError(f"Workflow '{self.name}' is paused already.", "active")
        self.active = False
        self.paused_at = now or utcnow()
        self.paused_by = by

    def action_resume(self, by: User | None = None, now: datetime | None = None) -> None:
        """Send again: steps due from now on are sent; those that came due while the workflow
        was paused are recorded as skipped. The first resume of a new workflow activates it.

        :raise WorkflowError: when it is active already, has no step, or a step's template
            is inactive.
        """
        if self.active:
            raise WorkflowError(f"Workflow '{self.name}' is active already.", "active")
        if not self.steps:
            raise WorkflowError(
                f"Workflow '{self.name}' has no step yet: add one before switching it on.",
                "steps",
            )
        for number, step in enumerate(self.steps, start=1):
            if step.template is not None and not step.template.active:
                raise WorkflowError(
                    f"Step {number}: the template '{step.template.name}' is inactive; activate "
                    "it or choose another before resuming.",
                    f"steps.{number - 1}.template",
                )
        now = now or utcnow()
        self.active = True
        if self.activated_at is None:
            self.activated_at = now
        else:
            self.resumed_at = now
            self.resumed_by = by


class WorkflowStep(Model):
    """One mail of a workflow: ``delay`` after the trigger, ``template`` to ``recipient_role``."""

    __tablename__ = "workflow_step"
    __table_args__ = (
        CheckConstraint(_choice_sql("recipient_role", RECIPIENT_ROLES), name="ck_step_role"),
        CheckConstraint("delay_days >= 0 AND delay_hours >= 0", name="ck_step_delay"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workflow_id: Mapped[int] = mapped_column(
        ForeignKey("workflow.id", ondelete="CASCADE"), nullable=False, index=True
    )
    position: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    delay_days: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    delay_hours: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    template_id: Mapped[int | None] = mapped_column(ForeignKey("email_template.id"))
    recipient_role: Mapped[str] = mapped_column(String(20), nullable=False, default="primary")

    workflow: Mapped[Workflow] = relationship(back_populates="steps")
    template: Mapped[EmailTemplate | None] = relationship("EmailTemplate", lazy="joined")

    def __str__(self) -> str:
        what = self.template.name if self.template else "no template"
        return f"{self.delay_label}: {what} → {RECIPIENT_ROLES.get(self.recipient_role, '?')}"

    @property
    def delay(self) -> timedelta:
        return timedelta(days=self.delay_days or 0, hours=self.delay_hours or 0)

    @property
    def delay_label(self) -> str:
        days, hours = self.delay_days or 0, self.delay_hours or 0
        if not days and not hours:
            return "at once"
        parts = [f"{days} day{'s' * (days != 1)}"] * bool(days)
        parts += [f"{hours} hour{'s' * (hours != 1)}"] * bool(hours)
        return " ".join(parts) + " after"

    @property
    def recipient_label(self) -> str:
        return RECIPIENT_ROLES.get(self.recipient_role, self.recipient_role or "")

    def runs_count(self) -> int:
        from .clients import _session
        from .workflow_runs import WorkflowRun

        return _session().scalar(
            select(func.count(WorkflowRun.id)).where(WorkflowRun.step_id == self.id)
        )

    def violations(self, workflow: Workflow | None = None, number: int | None = None):
        """The rules of this step; ``number`` (1-based) names it in the messages."""
        workflow = workflow or self.workflow
        number = number or self.position or 1
        at = f"steps.{number - 1}."
        label = f"Step {number}"
        errors: list[WorkflowError] = []
        template = self.template
        if template is None:
            errors.append(WorkflowError(f"{label}: a template is required.", at + "template"))
        elif not template.active:
            errors.append(
                WorkflowError(
                    f"{label}: the template '{template.name}' is inactive.", at + "template"
                )
            )
        elif workflow is not None and workflow.trigger in TRIGGERS:
            missing = [n for n in template.needs if n not in workflow.provides]
            if missing:
                spec = TRIGGERS[workflow.trigger]
                gives = ", ".join(workflow.provides) or "only the client and contact"
                errors.append(
                    WorkflowError(
                        f"{label}: the template '{template.name}' uses "
                        + ", ".join(f"{{{{ {n} }}}}" for n in missing)
                        + f", which the trigger '{spec.label}' does not provide (it gives "
                        f"{gives}).",
                        at + "template",
                    )
                )
        if self.recipient_role not in RECIPIENT_ROLES:
            errors.append(
                WorkflowError(
                    f"{label}: recipient must be one of {', '.join(RECIPIENT_ROLES)}.",
                    at + "recipient_role",
                )
            )
        for field, high, name in (
            ("delay_days", DAYS_MAX, "days"),
            ("delay_hours", HOURS_MAX, "hours"),
        ):
            value = getattr(self, field)
            if value is None or value < 0:
                errors.append(
                    WorkflowError(f"{label}: the delay in {name} cannot be negative.", at + field)
                )
            elif value > high:
                errors.append(
                    WorkflowError(f"{label}: the delay in {name} is at most {high}.", at + field)
                )
        return errors

    def validate(self) -> None:
        """:raise WorkflowError: for the first rule this step breaks (with its workflow's)."""
        errors = self.violations()
        if errors:
            raise errors[0]
