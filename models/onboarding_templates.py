"""Onboarding templates: the steps a new client's onboarding plan is made of, as editable data.

A template is an ordered list of steps, each with the role that owns it, a target duration in
days, its deliverables and (where the workflow has one) a checklist, and whether the client
sees it in the portal. ``OnboardingPlan.start`` (models/onboarding.py) copies a template's
steps into a plan, so a later edit of the template never changes a plan already under way.

The default template is the client service workflow of seed 003 (initial contact and
qualification, discovery, proposal and agreement, implementation planning, the four weeks of
implementation, training and handover, go-live); ``seed_default_template`` adds it once.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
    select,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from .base import ConstructorDefaults, DomainError, Model, TimestampMixin, length_violations
from .clients import _blank, _choice_sql

OWNER_ROLES = (
    "Sales Representative",
    "Account Manager",
    "Implementation Manager",
    "Implementation Team",
    "Training Coordinator",
)
DURATION_MAX = 365
DEFAULT_TEMPLATE_NAME = "Standard client onboarding"


class OnboardingError(DomainError):
    """An onboarding template, plan or step breaks a rule."""


class OnboardingStateError(OnboardingError):
    """The plan's or the step's status forbids the change (a second active plan...)."""

    status_code = 409


def lines(text: str | None) -> list[str]:
    """A text column kept one item per line, as a list (blank lines and bullets dropped)."""
    items = (line.strip(" -•\t") for line in (text or "").splitlines())
    return [item for item in items if item]


class OnboardingTemplate(ConstructorDefaults, TimestampMixin, Model):
    __tablename__ = "onboarding_template"
    __table_args__ = (UniqueConstraint("name", name="uq_onboarding_template_name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(191), nullable=False)
    description: Mapped[str | None] = mapped_column(Text)
    # The template the onboard action uses when none is named (one at most is meant to be).
    is_default: Mapped[bool] = mapped_column(
        Boolean, nullable=False, default=False, server_default=false()
    )
    active: Mapped[bool] = mapped_column(
        Boolean, nullable=False, default=True, server_default=true()
    )

    steps: Mapped[list[OnboardingTemplateStep]] = relationship(
        back_populates="template",
        cascade="all, delete-orphan",
        order_by="(OnboardingTemplateStep.position, OnboardingTemplateStep.id)",
    )

    def __str__(self) -> str:
        return self.name or ""

    @validates("name", "description")
    def _strip(self, key, value):
        return value.strip() if isinstance(value, str) else value

    @property
    def total_days(self) -> int:
        return sum(step.duration_days or 0 for step in self.steps)

    def violations(self) -> list[OnboardingError]:
        errors = []
        if _blank(self.name):
            errors.append(OnboardingError("Template name is required.", "name"))
        errors += length_violations(self, OnboardingError)
        return errors

    def validate(self) -> None:
        """:raise OnboardingError: for the first rule this template breaks."""
        errors = self.violations()
        if errors:
            raise errors[0]


class OnboardingTemplateStep(ConstructorDefaults, Model):
    __tablename__ = "onboarding_template_step"
    __table_args__ = (
        CheckConstraint(_choice_sql("owner_role", OWNER_ROLES), name="ck_onb_tstep_role"),
        CheckConstraint(f"duration_days BETWEEN 0 AND {DURATION_MAX}", name="ck_onb_tstep_days"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    template_id: Mapped[int] = mapped_column(
        ForeignKey("onboarding_template.id", ondelete="CASCADE"), nullable=False, index=True
    )
    position: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    phase: Mapped[str | None] = mapped_column(String(80))
    name: Mapped[str] = mapped_column(String(191), nullable=False)
    owner_role: Mapped[str] = mapped_column(String(40), nullable=False, default="Account Manager")
    duration_days: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    deliverables: Mapped[str | None] = mapped_column(Text)  # one per line
    checklist: Mapped[str | None] = mapped_column(Text)  # one item per line
    client_visible: Mapped[bool] = mapped_column(
        Boolean, nullable=False, default=True, server_default=true()
    )
    # The step is about the client's quote and contract: a plan's copy links them.
    links_commercial: Mapped[bool] = mapped_column(
        Boolean, nullable=False, default=False, server_default=false()
    )

    template: Mapped[OnboardingTemplate] = relationship(back_populates="steps")

    def __str__(self) -> str:
        return self.name or ""

    def violations(self) -> list[OnboardingError]:
        return step_violations(self)

    def validate(self) -> None:
        """:raise OnboardingError: for the first rule this step breaks."""
        errors = self.violations()
        if errors:
            raise errors[0]


def step_violations(step) -> list[OnboardingError]:
    """The rules a template step and a plan's step share (name, owner role, duration)."""
    errors = []
    if _blank(step.name):
        errors.append(OnboardingError("Step name is required.", "name"))
    errors += length_violations(step, OnboardingError)
    if step.owner_role not in OWNER_ROLES:
        errors.append(
            OnboardingError(f"Owner role must be one of {', '.join(OWNER_ROLES)}.", "owner_role")
        )
    days = step.duration_days
    if not isinstance(days, int) or isinstance(days, bool) or not 0 <= days <= DURATION_MAX:
        errors.append(
            OnboardingError(f"Duration must be 0 to {DURATION_MAX} days.", "duration_days")
        )
    return errors


# ---------------------------------------------------------------- the default template

# (phase, name, owner role, days, deliverables, checklist, client visible, links commercial)
DEFAULT_STEPS = (
    (
        "Client onboarding",
        "Lead capture and qualification",
        "Sales Representative",
        2,
        "Lead qualification form",
        "Company size and industry\nCurrent pain points\nBudget range\n"
        "Decision-making authority\nTimeline for implementation",
        False,
        False,
    ),
    (
        "Client onboarding",
        "Discovery meeting",
        "Sales Representative",
        1,
        "Discovery call notes\nPackage recommendation",
        "Conduct needs assessment\nPresent service packages\n"
        "Answer questions and objections\nNext steps confirmation",
        True,
        False,
    ),
    (
        "Client onboarding",
        "Proposal and agreement",
        "Account Manager",
        3,
        "Custom proposal document\nSigned contract\nPayment confirmation\nProject kickoff date",
        "Custom proposal created\nContract prepared (SLA, confidentiality, payment terms, "
        "cancellation policy)\nProposal presented\nSignature collected\n"
        "Initial payment processed",
        True,
        True,
    ),
    (
        "Client onboarding",
        "Implementation planning",
        "Implementation Manager",
        5,
        "Implementation plan\nTeam introduction\nProject timeline\nResource requirements",
        "Current systems audit\nStaff skill assessment\nTechnical requirements\n"
        "Timeline constraints\nSuccess metrics defined\nTeam assigned",
        True,
        False,
    ),
    (
        "Service delivery",
        "Implementation week 1: foundation setup",
        "Implementation Team",
        7,
        "Shared drive organised\nUser accounts",
        "Google Drive organization\nEmail system configuration\n"
        "Basic template installation\nUser account setup",
        True,
        False,
    ),
    (
        "Service delivery",
        "Implementation week 2: automation",
        "Implementation Team",
        7,
        "Forms and workflows in place",
        "Form creation and integration\nWorkflow automation setup\n"
        "Database configuration\nTesting and validation",
        True,
        False,
    ),
    (
        "Service delivery",
        "Implementation week 3: advanced features",
        "Implementation Team",
        7,
        "Integrations configured",
        "Accounting integration\nCompliance systems setup\nAdvanced automation\n"
        "Custom configurations",
        True,
        False,
    ),
    (
        "Service delivery",
        "Implementation week 4: testing and optimization",
        "Implementation Team",
        7,
        "Fully implemented systems\nTesting reports\nUser documentation\nPerformance metrics",
        "End-to-end testing\nPerformance optimization\nUser acceptance testing\nFinal adjustments",
        True,
        False,
    ),
    (
        "Service delivery",
        "Training and handover",
        "Training Coordinator",
        5,
        "Trained staff\nComplete documentation",
        "Staff training sessions\nManager training\nDocumentation handover",
        True,
        False,
    ),
    (
        "Service delivery",
        "Go-live",
        "Training Coordinator",
        2,
        "Go-live confirmation\nSupport system active",
        "On-site or remote assistance\nReal-time support\nIssue resolution\nPerformance monitoring",
        True,
        False,
    ),
)


def seed_default_template(session) -> OnboardingTemplate:
    """The default template (seed 003's workflow), added unless a template of its name exists
    (returned either way; flushed, not committed). Safe to run twice."""
    found = session.scalar(
        select(OnboardingTemplate).where(OnboardingTemplate.name == DEFAULT_TEMPLATE_NAME)
    )
    if found is not None:
        return found
    template = OnboardingTemplate(
        name=DEFAULT_TEMPLATE_NAME,
        description="The client service workflow: qualification to go-live.",
        is_default=True,
    )
    for position, row in enumerate(DEFAULT_STEPS, start=1):
        phase, name, role, days, deliverables, checklist, visible, commercial = row
        template.steps.append(
            OnboardingTemplateStep(
                position=position,
                phase=phase,
                name=name,
                owner_role=role,
                duration_days=days,
                deliverables=deliverables,
                checklist=checklist,
                client_visible=visible,
                links_commercial=commercial,
            )
        )
    session.add(template)
    session.flush()
    return template


def default_template(session) -> OnboardingTemplate:
    """The active default template, else the first active one, else the seeded default."""
    query = (
        select(OnboardingTemplate)
        .where(OnboardingTemplate.active.is_(True))
        .order_by(OnboardingTemplate.is_default.desc(), OnboardingTemplate.id)
        .limit(1)
    )
    return session.scalar(query) or seed_default_template(session)
