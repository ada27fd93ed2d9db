"""Job orders: what a client asks the agency to fill, its terms, people and status workflow.

The workflow (``TRANSITIONS``) is the one of the specification::

    draft → submitted → approved | rejected;  approved → open;  open ⇄ on hold;
    open | on hold → filled | cancelled;  filled | cancelled → closed

plus the ways back a real desk needs (a rejected order goes back to draft for another try,
an approved one can still be cancelled). Every move goes through ``transition_to`` and is
kept in ``JobOrderStatusChange``; a move the workflow does not allow raises
``JobOrderTransitionError`` naming both statuses. Approval takes one Account Manager, or two
levels (an Account Manager, then an Admin) when the estimated fee is above
``JOB_ORDER_SECOND_APPROVAL_FEE``; the final approval assigns the recruiters, who join the
client's team so that they can see it.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from flask_appbuilder.security.sqla.models import User
from sqlalchemy import (
    CheckConstraint,
    Column,
    ForeignKey,
    Integer,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
    inspect,
    select,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from .access import ROLE_ACCOUNT_MANAGER, ROLE_ADMIN, ROLE_RECRUITER
from .activity import record_activity
from .base import (
    ConstructorDefaults,
    DomainError,
    Model,
    TimestampMixin,
    UTCDateTime,
    length_violations,
    utcnow,
)
from .clients import CURRENCIES, Client, _blank, _choice_sql, _session
from .contacts import Contact

if TYPE_CHECKING:
    from .candidates import Application
    from .projects import Project

# ---------------------------------------------------------------- vocabularies

LEVELS = ("entry", "junior", "mid", "senior", "lead", "manager", "director", "executive")
WORK_TYPES = ("onsite", "hybrid", "remote")
FEE_TYPES = ("percentage", "fixed", "retained")
# What the agency sells (quote and contract lines, job orders); KPIs are reported per service type.
SERVICE_TYPES = (
    "retained executive search",
    "contingency recruitment",
    "contract staffing",
    "volume recruitment",
    "specialised consulting",
)


def default_service_type(fee_type: str | None) -> str:
    """The service type a job order is sold as when none is chosen: a retained fee is retained
    executive search; a percentage or fixed fee is contingency recruitment."""
    return SERVICE_TYPES[0] if fee_type == "retained" else SERVICE_TYPES[1]

FEE_TYPE_LABELS = {
    "percentage": "Percentage of first-year salary",
    "fixed": "Fixed fee",
    "retained": "Retained, paid in stages",
}
# What the replacement guarantee gives the client when a placed candidate leaves within it
# (models/placement_billing.py); unset: a replacement, as the contracts' terms promise.
GUARANTEE_REMEDIES = ("replacement", "pro_rata_credit", "full_credit")
PAYMENT_TERMS = ("immediate", "net_7", "net_15", "net_30", "net_45", "net_60")
URGENCIES = ("low", "medium", "high", "critical")
QUALITY_LEVELS = ("standard", "premium", "executive")
CULTURAL_FIT = ("flexible", "important", "critical")
STAKEHOLDER_ROLES = (
    "hiring manager",
    "decision maker",
    "interviewer",
    "approver",
    "hr partner",
    "influencer",
)
# Stakeholders who review presented candidates (and get the feedback reminders).
HIRING_ROLES = ("hiring manager", "decision maker")
# What decides the approval levels: fixed once approval has begun.
COMMERCIAL_FIELDS = ("fee_type", "fee", "salary_min", "salary_max", "currency")
OPENINGS_MAX = 1000
MONEY_MAX = Decimal("999999999999.99")  # Numeric(14, 2)
DEFAULT_CRITERIA = ("Skills", "Experience", "Cultural fit", "Communication")

STATUSES = (
    "draft",
    "submitted",
    "approved",
    "rejected",
    "open",
    "on_hold",
    "filled",
    "cancelled",
    "closed",
)
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "draft": ("submitted", "cancelled"),
    "submitted": ("approved", "rejected"),
    "approved": ("open", "cancelled"),
    "rejected": ("draft", "closed"),
    "open": ("on_hold", "filled", "cancelled"),
    "on_hold": ("open", "filled", "cancelled"),
    "filled": ("closed",),
    "cancelled": ("closed",),
    "closed": (),
}
# Statuses in which the agency works the order (candidates move, the clock runs).
LIVE_STATUSES = ("open", "on_hold")
# Statuses the client sees as "active" on its dashboard.
ACTIVE_STATUSES = ("submitted", "approved", "open", "on_hold")
# Which timestamp column a status stamps when it is reached.
STAMPS = {
    "submitted": "submitted_at",
    "approved": "approved_at",
    "open": "opened_at",
    "filled": "filled_at",
    "closed": "closed_at",
}


def _changed(state, field: str) -> bool:
    """Whether an edit changed ``field`` (a Decimal given as 20 for 20.00 is no change)."""
    history = state.attrs[field].history
    if not history.deleted:
        return False
    return history.deleted[0] != (history.added[0] if history.added else None)


def status_label(status: str) -> str:
    return status.replace("_", " ")


class JobOrderError(DomainError):
    """A job order breaks a rule of this module."""


class JobOrderTransitionError(JobOrderError):
    """The workflow does not allow this status change (the message names both statuses)."""

    status_code = 409


class JobOrderApprovalError(JobOrderError):
    """The approver may not approve (wrong role, or the same person at both levels)."""

    status_code = 403


# ---------------------------------------------------------------- association tables

job_order_recruiters = Table(
    "job_order_recruiter",
    Model.metadata,
    Column("job_order_id", ForeignKey("job_order.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("ab_user.id", ondelete="CASCADE"), primary_key=True),
)


# ---------------------------------------------------------------- job order


class JobOrder(ConstructorDefaults, TimestampMixin, Model):
    __tablename__ = "job_order"
    __table_args__ = (
        CheckConstraint(_choice_sql("status", STATUSES), name="ck_job_order_status"),
        CheckConstraint(_choice_sql("fee_type", FEE_TYPES), name="ck_job_order_fee_type"),
        CheckConstraint(
            _choice_sql("service_type", SERVICE_TYPES), name="ck_job_order_service_type"
        ),
        CheckConstraint(_choice_sql("urgency", URGENCIES), name="ck_job_order_urgency"),
    )

    # -- columns: the job
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client_id: Mapped[int] = mapped_column(
        ForeignKey("client.id"), nullable=False, index=True, active_history=True
    )
    project_id: Mapped[int | None] = mapped_column(ForeignKey("recruitment_project.id"), index=True)
    title: Mapped[str] = mapped_column(String(191), nullable=False)
    department: Mapped[str | None] = mapped_column(String(120))
    level: Mapped[str | None] = mapped_column(String(20))
    description: Mapped[str | None] = mapped_column(Text)
    # One requirement per line (the API takes and gives a list).
    requirements: Mapped[str | None] = mapped_column(Text)
    location: Mapped[str | None] = mapped_column(String(191))
    work_type: Mapped[str | None] = mapped_column(String(10))
    openings: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    salary_min: Mapped[Decimal | None] = mapped_column(Numeric(14, 2), active_history=True)
    salary_max: Mapped[Decimal | None] = mapped_column(Numeric(14, 2), active_history=True)
    currency: Mapped[str] = mapped_column(
        String(3), nullable=False, default="USD", active_history=True
    )

    # -- columns: commercial terms
    fee_type: Mapped[str] = mapped_column(
        String(12), nullable=False, default="percentage", active_history=True
    )
    # What is sold (SERVICE_TYPES); when none is given, default_service_type(fee_type).
    service_type: Mapped[str] = mapped_column(
        String(40),
        nullable=False,
        index=True,
        default=lambda context: default_service_type(
            context.get_current_parameters().get("fee_type")
        ),
    )
    # The amount for a fixed or retained fee; the percentage (e.g. 20.00) for a percentage fee.
    fee: Mapped[Decimal | None] = mapped_column(Numeric(14, 2), active_history=True)
    retainer_stages: Mapped[int | None] = mapped_column(Integer)
    timeline_days: Mapped[int | None] = mapped_column(Integer)
    replacement_guarantee_days: Mapped[int | None] = mapped_column(Integer)
    guarantee_remedy: Mapped[str | None] = mapped_column(String(16))
    payment_terms: Mapped[str | None] = mapped_column(String(12))

    # -- columns: priorities and success
    urgency: Mapped[str] = mapped_column(String(10), nullable=False, default="medium")
    quality_level: Mapped[str | None] = mapped_column(String(12))
    cultural_fit: Mapped[str | None] = mapped_column(String(12))
    success_criteria: Mapped[str | None] = mapped_column(Text)
    # The criteria the client scores candidates on, one per line (blank: DEFAULT_CRITERIA).
    evaluation_criteria: Mapped[str | None] = mapped_column(Text)

    # -- columns: workflow
    status: Mapped[str] = mapped_column(String(12), nullable=False, default="draft", index=True)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    filled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    requested_by_contact_id: Mapped[int | None] = mapped_column(ForeignKey("contact.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))

    # -- relationships
    # active_history: an edit keeps the value it replaced, so the change rules can see it.
    client: Mapped[Client] = relationship(Client, lazy="joined", active_history=True)
    project: Mapped[Project | None] = relationship("Project", back_populates="job_orders")
    requested_by: Mapped[Contact | None] = relationship(Contact)
    created_by: Mapped[User | None] = relationship(User, foreign_keys=[created_by_id])
    recruiters: Mapped[list[User]] = relationship(User, secondary=job_order_recruiters)
    stakeholders: Mapped[list[JobOrderStakeholder]] = relationship(
        back_populates="job_order", cascade="all, delete-orphan"
    )
    approvals: Mapped[list[JobOrderApproval]] = relationship(
        back_populates="job_order", cascade="all, delete-orphan", order_by="JobOrderApproval.id"
    )
    status_changes: Mapped[list[JobOrderStatusChange]] = relationship(
        back_populates="job_order",
        cascade="all, delete-orphan",
        order_by="JobOrderStatusChange.id",
    )
    applications: Mapped[list[Application]] = relationship(
        "Application", back_populates="job_order"
    )

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    @validates("title", "department", "location", "description", "requirements")
    def _strip(self, key, value):
        return value.strip() if isinstance(value, str) else value

    # -- derived values
    @property
    def reference(self) -> str:
        return f"JO-{self.id:05d}" if self.id else "JO-new"

    @property
    def status_label(self) -> str:
        return status_label(self.status)

    @property
    def requirement_list(self) -> list[str]:
        return [
            line.strip(" -•\t")
            for line in (self.requirements or "").splitlines()
            if line.strip(" -•\t")
        ]

    @property
    def criteria(self) -> list[str]:
        lines = [line.strip() for line in (self.evaluation_criteria or "").splitlines()]
        return [line for line in lines if line] or list(DEFAULT_CRITERIA)

    @property
    def estimated_fee(self) -> Decimal | None:
        """The fee the agency expects: the amount, or the percentage of the salary range's top."""
        if self.fee is None:
            return None
        if self.fee_type != "percentage":
            return self.fee
        salary = self.salary_max or self.salary_min
        if salary is None:
            return None
        return (salary * self.fee / Decimal(100)).quantize(Decimal("0.01"))

    @property
    def target_fill_date(self) -> date | None:
        """When the agreed timeline runs out, counted from the day the order opened."""
        if self.timeline_days is None or self.opened_at is None:
            return None
        return (self.opened_at + timedelta(days=self.timeline_days)).date()

    @property
    def days_open(self) -> int | None:
        """Days since the order opened (to its fill or close, if it has ended)."""
        if self.opened_at is None:
            return None
        end = self.filled_at or self.closed_at or utcnow()
        return (end - self.opened_at).days

    @property
    def allowed_next(self) -> tuple[str, ...]:
        return TRANSITIONS[self.status]

    @property
    def approvals_needed(self) -> int:
        """Two levels above the configured fee threshold, one otherwise."""
        threshold = second_approval_threshold()
        if threshold is None:
            return 1
        fee = self.estimated_fee
        if fee is None and self.fee_type == "percentage" and self.fee is not None:
            return 2  # a percentage of a salary not given yet: the amount could be anything
        return 2 if fee is not None and fee > threshold else 1

    @property
    def hiring_contacts(self) -> list[Contact]:
        return [s.contact for s in self.stakeholders if s.role in HIRING_ROLES]

    # -- rules
    def violations(self) -> list[JobOrderError]:
        errors = []
        if self.client is None and self.client_id is None:
            errors.append(JobOrderError("Choose the client this job order is for.", "client"))
        if _blank(self.title):
            errors.append(JobOrderError("Job title is required.", "title"))
        elif len(self.title) > 191:
            errors.append(JobOrderError("Job title may hold at most 191 characters.", "title"))
        for field, allowed in (
            ("level", LEVELS),
            ("work_type", WORK_TYPES),
            ("fee_type", FEE_TYPES),
            ("service_type", SERVICE_TYPES),
            ("payment_terms", PAYMENT_TERMS),
            ("urgency", URGENCIES),
            ("quality_level", QUALITY_LEVELS),
            ("cultural_fit", CULTURAL_FIT),
        ):
            value = getattr(self, field)
            if field == "service_type" and value is None:
                continue  # the insert default fills it from the fee type
            required = field in ("fee_type", "urgency")
            if (value is None and required) or (value is not None and value not in allowed):
                label = field.replace("_", " ").capitalize()
                errors.append(JobOrderError(f"{label} must be one of {', '.join(allowed)}.", field))
        if self.currency not in CURRENCIES:
            errors.append(
                JobOrderError("Currency must be an ISO 4217 code such as USD.", "currency")
            )
        if self.openings is None or not 1 <= self.openings <= OPENINGS_MAX:
            errors.append(JobOrderError(f"Openings must be 1 to {OPENINGS_MAX}.", "openings"))
        for field in ("salary_min", "salary_max", "fee"):
            value = getattr(self, field)
            if value is not None and not 0 <= value <= MONEY_MAX:
                errors.append(
                    JobOrderError(
                        f"{field.replace('_', ' ').capitalize()} must be 0 to {MONEY_MAX:,}.",
                        field,
                    )
                )
        if (
            self.salary_min is not None
            and self.salary_max is not None
            and self.salary_min > self.salary_max
        ):
            errors.append(
                JobOrderError("Salary max must be at least the salary min.", "salary_max")
            )
        if self.fee_type == "percentage" and self.fee is not None and self.fee > 100:
            errors.append(JobOrderError("A percentage fee must be between 0 and 100.", "fee"))
        if (
            self.fee_type == "retained"
            and self.retainer_stages is not None
            and not (1 <= self.retainer_stages <= 6)
        ):
            errors.append(JobOrderError("Retainer stages must be 1 to 6.", "retainer_stages"))
        if self.guarantee_remedy is not None and self.guarantee_remedy not in GUARANTEE_REMEDIES:
            errors.append(
                JobOrderError(
                    f"Guarantee remedy must be one of {', '.join(GUARANTEE_REMEDIES)}.",
                    "guarantee_remedy",
                )
            )
        for field in ("timeline_days", "replacement_guarantee_days"):
            value = getattr(self, field)
            if value is not None and not 0 <= value <= 3650:
                errors.append(
                    JobOrderError(
                        f"{field.replace('_', ' ').capitalize()} must be 0 to 3650.", field
                    )
                )
        # The client as chosen, before a flush copies it to ``client_id`` (a form's check).
        client_id = self.client.id if self.client is not None else self.client_id
        if (
            self.project is not None
            and client_id is not None
            and self.project.client_id != client_id
        ):
            errors.append(JobOrderError("The project belongs to another client.", "project"))
        if self.status not in STATUSES:
            errors.append(JobOrderError(f"Status must be one of {', '.join(STATUSES)}.", "status"))
        errors += length_violations(self, JobOrderError)
        errors += self._change_violations()
        return errors

    def _change_violations(self) -> list[JobOrderError]:
        """What an edit of a saved order may not change: its client once candidates are in
        its pipeline, its commercial terms once approval has begun (they decide the levels)."""
        if self.id is None:
            return []
        state = inspect(self)
        errors = []
        before = state.attrs.client.history.deleted
        moved = state.attrs.client_id.history.deleted or (before and before[0] is not None)
        if moved and self.applications:
            errors.append(
                JobOrderError(
                    "The client cannot change: candidates are in this order's pipeline.", "client"
                )
            )
        if self.approvals or self.status not in ("draft", "submitted", "rejected"):
            for field in COMMERCIAL_FIELDS:
                if _changed(state, field):
                    errors.append(
                        JobOrderError(
                            f"{field.replace('_', ' ').capitalize()} cannot change once approval "
                            f"has begun (the order is {status_label(self.status)}); cancel it "
                            "and request a new one, or reject it back to draft first.",
                            field,
                        )
                    )
                    break
        return errors

    def validate(self) -> None:
        """:raise JobOrderError: for the first rule this job order breaks."""
        errors = self.violations()
        if errors:
            raise errors[0]

    # -- actions
    def transition_to(self, status: str, by: User | None = None, note: str | None = None) -> None:
        """Move to ``status`` if the workflow allows it, stamping and logging the move.

        :raise JobOrderTransitionError: when it does not, naming both statuses.
        """
        if status not in STATUSES:
            raise JobOrderTransitionError(f"There is no job order status '{status}'.", "status")
        if status not in TRANSITIONS[self.status]:
            allowed = ", ".join(status_label(s) for s in TRANSITIONS[self.status]) or "nothing"
            raise JobOrderTransitionError(
                f"A job order that is {status_label(self.status)} cannot become "
                f"{status_label(status)} (from {status_label(self.status)} it can go to: "
                f"{allowed}).",
                "status",
            )
        if self.id is None:
            _session().flush()
        before, self.status = self.status, status
        now = utcnow()
        if status in STAMPS and not (status == "open" and self.opened_at is not None):
            # Resuming from hold keeps the day the search opened: the clock does not restart.
            setattr(self, STAMPS[status], now)
        change = JobOrderStatusChange(
            from_status=before, to_status=status, at=now, by=by, note=(note or None)
        )
        self.status_changes.append(change)
        summary = (
            f"Job order {self.reference} {self.title}: "
            f"{status_label(before)} → {status_label(status)}"
        )
        if note:
            summary += f" ({note})"
        record_activity(
            _session(),
            "job",
            summary,
            client_id=self.client_id,
            subject_type="job_order",
            subject_id=self.id,
            actor=by,
            changes={"status": [before, status]},
        )

    def action_submit(self, by: User | None = None) -> None:
        """Send a draft for approval.  :raise JobOrderTransitionError:"""
        self.validate()
        self.transition_to("submitted", by)

    def action_approve(
        self, by: User, recruiters: list[User] | None = None, comment: str | None = None
    ) -> bool:
        """Approve at the next level; the last level assigns the recruiters and approves.

        Returns True when the order is now approved, False when it waits for the next level.

        :raise JobOrderTransitionError: unless the order is submitted.
        :raise JobOrderApprovalError: for an approver without the level's role, the same
            approver at two levels, or a final approval with no recruiter to assign.
        """
        if self.status != "submitted":
            self.transition_to("approved", by)  # raises with the workflow's message
        level = len(self.approvals) + 1
        needed = self.approvals_needed
        roles = {role.name for role in by.roles}
        wanted = (ROLE_ACCOUNT_MANAGER, ROLE_ADMIN) if level == 1 else (ROLE_ADMIN,)
        if not roles & set(wanted):
            who = "an Account Manager" if level == 1 else "an Admin (second level)"
            raise JobOrderApprovalError(f"This approval needs {who}.", "status")
        if any(a.approver_id == by.id for a in self.approvals):
            raise JobOrderApprovalError(
                "The second approval must come from someone other than the first approver.",
                "status",
            )
        final = level >= needed
        assigned = list(recruiters or []) or list(self.recruiters)
        for user in assigned:
            if ROLE_RECRUITER not in {role.name for role in user.roles}:
                raise JobOrderApprovalError(
                    f"{user.first_name} {user.last_name} is not a recruiter: only users with "
                    "the Recruiter role can be assigned.",
                    "recruiters",
                )
        if final and not assigned:
            raise JobOrderApprovalError(
                "Assign at least one recruiter to approve this job order.", "recruiters"
            )
        self.approvals.append(
            JobOrderApproval(level=level, approver=by, at=utcnow(), comment=comment or None)
        )
        if not final:
            record_activity(
                _session(),
                "job",
                f"Job order {self.reference} {self.title}: approved at level {level} of {needed}",
                client_id=self.client_id,
                subject_type="job_order",
                subject_id=self.id,
                actor=by,
            )
            # Recruiters proposed at the first level wait for the final approver to confirm
            # them (they join the client's team only then).
            for user in recruiters or []:
                if user not in self.recruiters:
                    self.recruiters.append(user)
            return False
        self.assign_recruiters(assigned, by)
        self.transition_to("approved", by, comment)
        return True

    def action_reject(self, by: User, reason: str) -> None:
        """Refuse a submitted order, with the reason.  :raise JobOrderError:"""
        if _blank(reason):
            raise JobOrderError("Give a reason for the rejection.", "reason")
        self.transition_to("rejected", by, reason.strip())

    def action_open(self, by: User | None = None) -> None:
        self.transition_to("open", by)

    def action_hold(self, by: User | None = None, reason: str | None = None) -> None:
        self.transition_to("on_hold", by, reason)

    def action_resume(self, by: User | None = None) -> None:
        if self.status != "on_hold":
            self.transition_to("open", by)  # raises unless the workflow allows it
            return
        self.transition_to("open", by, "resumed")

    def action_fill(self, by: User | None = None) -> None:
        self.transition_to("filled", by)

    def action_cancel(self, by: User | None = None, reason: str | None = None) -> None:
        self.transition_to("cancelled", by, reason)

    def action_close(self, by: User | None = None) -> None:
        self.transition_to("closed", by)

    def action_redraft(self, by: User | None = None) -> None:
        """Take a rejected order back to draft so it can be changed and submitted again."""
        self.approvals.clear()
        self.transition_to("draft", by)

    def assign_recruiters(self, users: list[User], by: User | None = None) -> None:
        """Add ``users`` to the order's recruiters; each joins the client's team (so that the
        client is visible to them) unless they are on it already."""
        from .team import ClientTeamMember

        session = _session()
        on_team = set(
            session.scalars(
                select(ClientTeamMember.user_id).where(ClientTeamMember.client_id == self.client_id)
            )
        )
        for user in users:
            if user not in self.recruiters:
                self.recruiters.append(user)
            if user.id not in on_team:
                session.add(ClientTeamMember(client=self.client, user=user, role="recruiter"))
                on_team.add(user.id)

    def add_stakeholder(self, contact: Contact, role: str) -> JobOrderStakeholder:
        """:raise JobOrderError: for a contact not linked to the client, an unknown role, or a
        contact who is a stakeholder of this order already."""
        stakeholder = JobOrderStakeholder(contact=contact, role=role)
        with _session().no_autoflush:
            errors = stakeholder.violations(job=self)
            if any(s.contact is contact or s.contact_id == contact.id for s in self.stakeholders):
                errors.append(
                    JobOrderError(
                        f"{contact} is a stakeholder of this job order already.", "contact"
                    )
                )
        if errors:
            raise errors[0]
        self.stakeholders.append(stakeholder)
        return stakeholder

    def remove_stakeholder(self, stakeholder: JobOrderStakeholder) -> None:
        """Take ``stakeholder`` off this order.  :raise JobOrderError: if it is another's."""
        if stakeholder not in self.stakeholders:
            raise JobOrderError("This person is not a stakeholder of this job order.", "contact")
        self.stakeholders.remove(stakeholder)


# ---------------------------------------------------------------- people and history


class JobOrderStakeholder(ConstructorDefaults, Model):
    """A client contact with their part in the hiring decision."""

    __tablename__ = "job_order_stakeholder"
    __table_args__ = (
        UniqueConstraint("job_order_id", "contact_id", name="uq_job_order_stakeholder"),
        CheckConstraint(
            _choice_sql("role", STAKEHOLDER_ROLES), name="ck_job_order_stakeholder_role"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    job_order_id: Mapped[int] = mapped_column(
        ForeignKey("job_order.id", ondelete="CASCADE"), nullable=False, index=True
    )
    contact_id: Mapped[int] = mapped_column(ForeignKey("contact.id"), nullable=False, index=True)
    role: Mapped[str] = mapped_column(String(20), nullable=False, default="hiring manager")

    job_order: Mapped[JobOrder] = relationship(back_populates="stakeholders")
    contact: Mapped[Contact] = relationship(Contact, lazy="joined")

    def __str__(self) -> str:
        return f"{self.contact} ({self.role})"

    def violations(self, job: JobOrder | None = None) -> list[JobOrderError]:
        errors = []
        if self.role not in STAKEHOLDER_ROLES:
            errors.append(
                JobOrderError(f"Role must be one of {', '.join(STAKEHOLDER_ROLES)}.", "role")
            )
        job = job or self.job_order
        if job is not None and self.contact is not None:
            client_id = job.client_id or (job.client.id if job.client is not None else None)
            linked = any(link.client_id == client_id for link in self.contact.client_links)
            if not linked:
                # The person is not named: the caller may not be allowed to see them.
                errors.append(
                    JobOrderError(f"The person chosen is not a contact of {job.client}.", "contact")
                )
        return errors

    def validate(self) -> None:
        """:raise JobOrderError: for the first rule this stakeholder breaks."""
        errors = self.violations()
        if errors:
            raise errors[0]


class JobOrderApproval(Model):
    """One level of approval given to a job order."""

    __tablename__ = "job_order_approval"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    job_order_id: Mapped[int] = mapped_column(
        ForeignKey("job_order.id", ondelete="CASCADE"), nullable=False, index=True
    )
    level: Mapped[int] = mapped_column(Integer, nullable=False)
    approver_id: Mapped[int] = mapped_column(ForeignKey("ab_user.id"), nullable=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    comment: Mapped[str | None] = mapped_column(String(500))

    job_order: Mapped[JobOrder] = relationship(back_populates="approvals")
    approver: Mapped[User] = relationship(User, lazy="joined")


class JobOrderStatusChange(Model):
    """One move of a job order through the workflow: from, to, when, by whom, why."""

    __tablename__ = "job_order_status_change"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    job_order_id: Mapped[int] = mapped_column(
        ForeignKey("job_order.id", ondelete="CASCADE"), nullable=False, index=True
    )
    from_status: Mapped[str | None] = mapped_column(String(12))
    to_status: Mapped[str] = mapped_column(String(12), nullable=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    by_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))
    note: Mapped[str | None] = mapped_column(String(500))

    job_order: Mapped[JobOrder] = relationship(back_populates="status_changes")
    by: Mapped[User | None] = relationship(User, lazy="joined")


# ---------------------------------------------------------------- configuration


def second_approval_threshold() -> Decimal | None:
    """``JOB_ORDER_SECOND_APPROVAL_FEE`` from the app's configuration (None outside an app)."""
    from flask import current_app, has_app_context

    if not has_app_context():
        return None
    value = current_app.config.get("JOB_ORDER_SECOND_APPROVAL_FEE")
    return None if value is None else Decimal(str(value))
