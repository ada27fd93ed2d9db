"""Candidates and the pipeline: applications to job orders, their stage moves, interviews and
placements.

An application moves through ``STAGES`` by ``Application.action_move``; every move is kept in
``ApplicationStageChange`` with its date, so time-to-fill and stage conversion are computed
from what happened, not from a status column. An application carries its job order's
``client_id`` so that the portal's scoping helper reads it like any other client record; the
portal only ever sees applications in ``PRESENTED_STAGES``.
"""

from __future__ import annotations

import os
import secrets
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
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
    UniqueConstraint,
    and_,
    or_,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

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
from .clients import CURRENCIES, EMAIL_RE, Client, _blank, _choice_sql, _session
from .contacts import Contact
from .documents import DEFAULT_MAX_BYTES, DocumentRefusedError, _read_upload, check_upload
from .recruiting import LIVE_STATUSES, MONEY_MAX, JobOrder, status_label

if TYPE_CHECKING:
    from .evaluations import Evaluation

# ---------------------------------------------------------------- vocabularies

# The pipeline in order, then the two ways out of it.
PIPELINE = ("sourced", "screened", "submitted", "client_interview", "offer", "placed")
EXITS = ("rejected", "withdrawn")
STAGES = PIPELINE + EXITS
STAGE_LABELS = {
    "sourced": "Sourced",
    "screened": "Screened",
    "submitted": "Submitted to client",
    "client_interview": "Client interview",
    "offer": "Offer",
    "placed": "Placed",
    "rejected": "Rejected",
    "withdrawn": "Withdrawn",
}
# What the client may see: presented to them, or later (an exit after presentation included).
PRESENTED_STAGES = ("submitted", "client_interview", "offer", "placed")
INTERVIEW_FORMATS = ("phone", "video", "onsite", "panel", "assessment")
INTERVIEW_OUTCOMES = ("scheduled", "completed", "cancelled", "no_show")


class PipelineError(DomainError):
    """A candidate, application, interview or placement breaks a rule of this module."""


class StageMoveError(PipelineError):
    """The pipeline does not allow this move (the message names both stages)."""

    status_code = 409


class CvRefusedError(PipelineError):
    """The uploaded CV is not accepted (kind, size, name); nothing was stored."""

    def __init__(self, message: str):
        super().__init__(message, "cv")


CV_SUBFOLDER = "cv"


def cv_folder() -> Path:
    """Where CV files live: ``UPLOAD_FOLDER/cv/``, out of FAB's own download routes."""
    from flask import current_app

    return Path(current_app.config["UPLOAD_FOLDER"]) / CV_SUBFOLDER


# ---------------------------------------------------------------- candidate


class Candidate(TimestampMixin, Model):
    __tablename__ = "candidate"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    first_name: Mapped[str] = mapped_column(String(100), nullable=False)
    last_name: Mapped[str] = mapped_column(String(100), nullable=False)
    email: Mapped[str | None] = mapped_column(String(254), index=True)
    phone: Mapped[str | None] = mapped_column(String(40))
    current_title: Mapped[str | None] = mapped_column(String(191))
    current_company: Mapped[str | None] = mapped_column(String(191))
    location: Mapped[str | None] = mapped_column(String(191))
    linkedin_url: Mapped[str | None] = mapped_column(String(300))
    summary: Mapped[str | None] = mapped_column(Text)
    # The CV: stored like a client document (checked by content), under UPLOAD_FOLDER/cv/.
    cv_filename: Mapped[str | None] = mapped_column(String(255))
    cv_stored_filename: Mapped[str | None] = mapped_column(String(64), unique=True)
    cv_content_type: Mapped[str | None] = mapped_column(String(100))
    cv_size_bytes: Mapped[int | None] = mapped_column(Integer)

    applications: Mapped[list[Application]] = relationship(back_populates="candidate")

    def __str__(self) -> str:
        return self.full_name

    @validates("first_name", "last_name", "email", "phone", "current_title")
    def _strip(self, key, value):
        value = value.strip() if isinstance(value, str) else value
        if key == "email" and value:
            value = value.lower()
        return value or None if key not in ("first_name", "last_name") else value

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def violations(self) -> list[PipelineError]:
        errors = []
        if _blank(self.first_name):
            errors.append(PipelineError("First name is required.", "first_name"))
        if _blank(self.last_name):
            errors.append(PipelineError("Last name is required.", "last_name"))
        if self.email and not EMAIL_RE.match(self.email):
            errors.append(PipelineError("Email must look like name@example.com.", "email"))
        return errors + length_violations(self, PipelineError)

    def validate(self) -> None:
        """:raise PipelineError: for the first rule this candidate breaks."""
        errors = self.violations()
        if errors:
            raise errors[0]

    @property
    def cv_path(self) -> Path | None:
        return cv_folder() / self.cv_stored_filename if self.cv_stored_filename else None

    def action_attach_cv(self, upload, by: User | None = None) -> str | None:
        """Check ``upload`` (a werkzeug ``FileStorage``) like a client document and write it
        under a generated name in ``UPLOAD_FOLDER/cv/``; it replaces the current CV.

        Returns the stored name of the CV it replaces (the caller removes that file once the
        change is committed, and removes the new one with ``discard_cv`` if it is not).

        :raise CvRefusedError: for an empty, oversize, executable or unlisted file, or one whose
            name disagrees with its content (field ``cv``); nothing is written.
        """
        from flask import current_app

        max_bytes = int(current_app.config.get("DOCUMENT_MAX_BYTES") or DEFAULT_MAX_BYTES)
        filename = os.path.basename((getattr(upload, "filename", None) or "").replace("\\", "/"))
        data = _read_upload(upload, max_bytes)
        try:
            kind = check_upload(filename, data, max_bytes)
        except DocumentRefusedError as error:
            raise CvRefusedError(error.message) from None
        replaced = self.cv_stored_filename
        stored = f"{secrets.token_hex(16)}{kind.extensions[0]}"
        folder = cv_folder()
        folder.mkdir(parents=True, exist_ok=True)
        partial = folder / f".{stored}.part"
        partial.write_bytes(data)
        os.replace(partial, folder / stored)
        self.cv_filename = filename[-255:]
        self.cv_stored_filename = stored
        self.cv_content_type = kind.content_type
        self.cv_size_bytes = len(data)
        return replaced

    @staticmethod
    def discard_cv(stored_filename: str | None) -> None:
        """Remove a CV file that no committed row points to (a replaced or uncommitted one)."""
        if stored_filename:
            (cv_folder() / stored_filename).unlink(missing_ok=True)


# ---------------------------------------------------------------- application


class Application(ConstructorDefaults, TimestampMixin, Model):
    """A candidate in the running for one job order."""

    __tablename__ = "application"
    __table_args__ = (
        UniqueConstraint("job_order_id", "candidate_id", name="uq_application_job_candidate"),
        CheckConstraint(_choice_sql("stage", STAGES), name="ck_application_stage"),
    )

    # -- columns
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    job_order_id: Mapped[int] = mapped_column(
        ForeignKey("job_order.id"), nullable=False, index=True
    )
    candidate_id: Mapped[int] = mapped_column(
        ForeignKey("candidate.id"), nullable=False, index=True
    )
    # The job order's client, kept here so the portal scopes applications like any record.
    client_id: Mapped[int] = mapped_column(ForeignKey("client.id"), nullable=False, index=True)
    stage: Mapped[str] = mapped_column(String(20), nullable=False, default="sourced", index=True)
    stage_changed_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), nullable=False, default=utcnow
    )
    source: Mapped[str | None] = mapped_column(String(60))
    recruiter_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))
    # The agency's pitch to the client: why this candidate (shown on the shortlist).
    pitch: Mapped[str | None] = mapped_column(Text)
    # Feedback turnaround: first presented to the client, first reviewed by them, reminded.
    presented_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    first_review_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    review_reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    # -- relationships
    job_order: Mapped[JobOrder] = relationship(
        JobOrder, back_populates="applications", lazy="joined"
    )
    candidate: Mapped[Candidate] = relationship(back_populates="applications", lazy="joined")
    client: Mapped[Client] = relationship(Client)
    recruiter: Mapped[User | None] = relationship(User)
    stage_changes: Mapped[list[ApplicationStageChange]] = relationship(
        back_populates="application",
        cascade="all, delete-orphan",
        order_by="ApplicationStageChange.id",
    )
    interviews: Mapped[list[Interview]] = relationship(
        back_populates="application", order_by="Interview.scheduled_at"
    )
    placement: Mapped[Placement | None] = relationship(back_populates="application")
    evaluations: Mapped[list[Evaluation]] = relationship(
        "Evaluation", back_populates="application", order_by="Evaluation.id"
    )

    def __str__(self) -> str:
        return f"{self.candidate} for {self.job_order}"

    # -- derived values
    @property
    def stage_label(self) -> str:
        return STAGE_LABELS[self.stage]

    @property
    def is_presented(self) -> bool:
        return self.presented_at is not None

    def entered(self, stage: str) -> datetime | None:
        """When the application first reached ``stage`` (None if it never did)."""
        return next((c.at for c in self.stage_changes if c.to_stage == stage), None)

    @property
    def is_shown_to_client(self) -> bool:
        """On the client's shortlist: see ``shown_to_client``."""
        return self.stage in PRESENTED_STAGES or (self.is_presented and self.stage in EXITS)

    # -- queries
    @classmethod
    def shown_to_client(cls):
        """SQL condition: what the client may see of the pipeline. An application in a presented
        stage, or presented and later rejected or withdrawn; never a sourced or screened one
        (not even one presented and then moved back)."""
        return or_(
            cls.stage.in_(PRESENTED_STAGES),
            and_(cls.presented_at.is_not(None), cls.stage.in_(EXITS)),
        )

    # -- rules
    def violations(self) -> list[PipelineError]:
        errors = []
        if self.job_order is None and self.job_order_id is None:
            errors.append(PipelineError("Choose the job order.", "job_order"))
        if self.candidate is None and self.candidate_id is None:
            errors.append(PipelineError("Choose the candidate.", "candidate"))
        if self.job_order is not None and self.client_id != self.job_order.client_id:
            errors.append(
                PipelineError("The application's client must be its job order's.", "client")
            )
        if self.stage not in STAGES:
            errors.append(PipelineError(f"Stage must be one of {', '.join(STAGES)}.", "stage"))
        return errors

    def validate(self) -> None:
        """:raise PipelineError: for the first rule this application breaks."""
        errors = self.violations()
        if errors:
            raise errors[0]

    # -- actions
    @classmethod
    def action_add(
        cls,
        job_order: JobOrder,
        candidate: Candidate,
        by: User | None = None,
        stage: str = "sourced",
        source: str | None = None,
    ) -> Application:
        """Put ``candidate`` in ``job_order``'s pipeline (the caller commits).

        :raise StageMoveError: when the job order is not open, or ``stage`` is an exit.
        :raise PipelineError: when the candidate is in this pipeline already.
        """
        if job_order.status not in LIVE_STATUSES:
            raise StageMoveError(
                f"Candidates can be added to an open job order only; {job_order.reference} is "
                f"{status_label(job_order.status)}.",
                "job_order",
            )
        if stage not in PIPELINE or stage == "placed":
            raise StageMoveError(
                f"A new application starts at a pipeline stage before placed, not {stage}.", "stage"
            )
        if any(a.candidate_id == candidate.id for a in job_order.applications if candidate.id):
            raise PipelineError(
                f"{candidate} is in the pipeline of {job_order.reference} already.", "candidate"
            )
        application = cls(
            job_order=job_order,
            candidate=candidate,
            client_id=job_order.client_id,
            stage="sourced",
            source=source,
            recruiter=by,
            stage_changed_at=utcnow(),
        )
        application.stage_changes.append(
            ApplicationStageChange(
                from_stage=None, to_stage="sourced", at=application.stage_changed_at, by=by
            )
        )
        session = _session()
        session.add(application)
        session.flush()
        record_activity(
            session,
            "candidate",
            f"{candidate} added to the pipeline of {job_order.reference} {job_order.title}",
            client_id=job_order.client_id,
            subject_type="application",
            subject_id=application.id,
            actor=by,
        )
        if stage != "sourced":
            application.action_move(stage, by)
        return application

    def action_move(self, stage: str, by: User | None = None, note: str | None = None) -> None:
        """Move to ``stage``, keeping the date of the move.

        Any live stage may move to any other stage but ``placed`` (``action_place`` records the
        placement); an exit may come back into the pipeline (the client reconsidered); a
        placed application does not move.

        :raise StageMoveError: naming both stages, or when the job order is not open.
        """
        if stage not in STAGES:
            raise StageMoveError(f"There is no pipeline stage '{stage}'.", "stage")
        here, there = STAGE_LABELS[self.stage], STAGE_LABELS[stage]
        if stage == self.stage:
            raise StageMoveError(f"{self.candidate} is at {here} already.", "stage")
        if self.stage == "placed":
            raise StageMoveError(
                f"{self.candidate} is placed; a placed candidate cannot move to {there}.", "stage"
            )
        if stage == "placed" and not getattr(self, "_placing", False):
            raise StageMoveError(
                f"Moving from {here} to {there} needs the placement: record its start date, "
                "salary and fee.",
                "stage",
            )
        if stage not in EXITS and self.job_order.status not in LIVE_STATUSES:
            raise StageMoveError(
                f"{self.job_order.reference} is {status_label(self.job_order.status)}: candidates "
                f"cannot move from {here} to {there}.",
                "stage",
            )
        if self.id is None:
            _session().flush()
        before, now = self.stage, utcnow()
        self.stage, self.stage_changed_at = stage, now
        self.stage_changes.append(
            ApplicationStageChange(
                from_stage=before, to_stage=stage, at=now, by=by, note=note or None
            )
        )
        if stage in PRESENTED_STAGES and self.presented_at is None:
            self.presented_at = now
        record_activity(
            _session(),
            "candidate",
            f"{self.candidate} ({self.job_order.reference} {self.job_order.title}): "
            f"{STAGE_LABELS[before]} → {there}",
            client_id=self.client_id,
            subject_type="application",
            subject_id=self.id,
            actor=by,
            changes={"stage": [before, stage]},
        )

    def action_place(
        self,
        start_date: date,
        salary: Decimal,
        by: User | None = None,
        fee_due: Decimal | None = None,
        currency: str | None = None,
    ) -> Placement:
        """Record the placement and move to ``placed``; the last opening fills the job order.

        ``fee_due`` defaults to the job order's terms (its percentage of ``salary``, or its
        fixed or retained fee).

        :raise StageMoveError: when the application cannot move to placed.
        :raise PipelineError: for a missing start date or a salary that is not positive.
        """
        if start_date is None:
            raise PipelineError("Start date is required.", "start_date")
        if salary is None or not 0 < Decimal(salary) <= MONEY_MAX:
            raise PipelineError(f"Salary must be more than 0 and at most {MONEY_MAX:,}.", "salary")
        job = self.job_order
        if fee_due is None:
            fee_due = placement_fee(job, Decimal(salary))
        self._placing = True
        try:
            self.action_move("placed", by)
        finally:
            self._placing = False
        placement = Placement(
            application=self,
            client_id=self.client_id,
            job_order_id=self.job_order_id,
            start_date=start_date,
            salary=Decimal(salary),
            currency=currency or job.currency,
            fee_due=fee_due,
            placed_by=by,
            guarantee_until=(start_date + timedelta(days=job.replacement_guarantee_days))
            if job.replacement_guarantee_days
            else None,
        )
        placement.validate()
        _session().add(placement)
        # Billing follows the placement: a draft invoice for the fee (models/placement_billing).
        from .placement_billing import propose_placement_invoice

        propose_placement_invoice(placement, by)
        placed = sum(1 for a in job.applications if a.stage == "placed")
        if placed >= job.openings and job.status in ("open", "on_hold"):
            job.action_fill(by)
        return placement

    def action_schedule_interview(
        self,
        scheduled_at: datetime | None,
        format: str = "video",
        duration_minutes: int | None = 60,
        location: str | None = None,
        interviewers: list[Contact] | None = None,
        other_interviewers: str | None = None,
        by: User | None = None,
    ) -> Interview:
        """Schedule an interview of this candidate (the caller commits).

        ``scheduled_at`` is a timezone-aware time; ``interviewers`` are the client's contacts,
        ``other_interviewers`` anyone else, as text.

        :raise PipelineError: for a time without a zone, a candidate out of the pipeline
            (placed, rejected, withdrawn), or an interview breaking one of its rules.
        """
        if scheduled_at is not None and scheduled_at.tzinfo is None:
            raise PipelineError("Interview time must say its time zone (UTC).", "scheduled_at")
        if self.stage in EXITS or self.stage == "placed":
            raise PipelineError(
                f"{self.candidate} is {STAGE_LABELS[self.stage]}: interviews are scheduled for "
                "candidates in the pipeline only.",
                "application",
            )
        interview = Interview(
            application=self,
            client_id=self.client_id,
            scheduled_at=scheduled_at,
            duration_minutes=duration_minutes,
            format=format,
            location=(location or "").strip() or None,
            other_interviewers=(other_interviewers or "").strip() or None,
            interviewers=list(interviewers or []),
        )
        with _session().no_autoflush:
            interview.validate()
        _session().add(interview)
        record_activity(
            _session(),
            "candidate",
            f"{self.candidate} ({self.job_order.reference} {self.job_order.title}): {interview} "
            "scheduled",
            client_id=self.client_id,
            subject_type="application",
            subject_id=self.id,
            actor=by,
        )
        return interview


def placement_fee(job: JobOrder, salary: Decimal) -> Decimal | None:
    """The fee a placement at ``salary`` earns under ``job``'s terms."""
    if job.fee is None:
        return None
    if job.fee_type == "percentage":
        return (salary * job.fee / Decimal(100)).quantize(Decimal("0.01"))
    return job.fee


class ApplicationStageChange(Model):
    """One move of an application: from, to, when, by whom."""

    __tablename__ = "application_stage_change"
    __table_args__ = (
        CheckConstraint(_choice_sql("to_stage", STAGES), name="ck_application_stage_change_to"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("application.id", ondelete="CASCADE"), nullable=False, index=True
    )
    from_stage: Mapped[str | None] = mapped_column(String(20))
    to_stage: Mapped[str] = mapped_column(String(20), nullable=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    by_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))
    note: Mapped[str | None] = mapped_column(String(500))

    application: Mapped[Application] = relationship(back_populates="stage_changes")
    by: Mapped[User | None] = relationship(User)


# ---------------------------------------------------------------- interviews and placements

interview_interviewers = Table(
    "interview_interviewer",
    Model.metadata,
    Column("interview_id", ForeignKey("interview.id", ondelete="CASCADE"), primary_key=True),
    Column("contact_id", ForeignKey("contact.id", ondelete="CASCADE"), primary_key=True),
)


class Interview(ConstructorDefaults, TimestampMixin, Model):
    __tablename__ = "interview"
    __table_args__ = (
        CheckConstraint(_choice_sql("format", INTERVIEW_FORMATS), name="ck_interview_format"),
        CheckConstraint(_choice_sql("outcome", INTERVIEW_OUTCOMES), name="ck_interview_outcome"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("application.id"), nullable=False, index=True
    )
    client_id: Mapped[int] = mapped_column(ForeignKey("client.id"), nullable=False, index=True)
    scheduled_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    duration_minutes: Mapped[int] = mapped_column(Integer, nullable=False, default=60)
    format: Mapped[str] = mapped_column(String(12), nullable=False, default="video")
    location: Mapped[str | None] = mapped_column(String(300))
    # Agency-side or outside interviewers, free text; the client's are in ``interviewers``.
    other_interviewers: Mapped[str | None] = mapped_column(String(300))
    outcome: Mapped[str] = mapped_column(String(12), nullable=False, default="scheduled")
    notes: Mapped[str | None] = mapped_column(Text)

    application: Mapped[Application] = relationship(back_populates="interviews")
    interviewers: Mapped[list[Contact]] = relationship(Contact, secondary=interview_interviewers)

    def __str__(self) -> str:
        return f"{self.format} interview, {self.scheduled_at:%Y-%m-%d %H:%M} UTC"

    def violations(self) -> list[PipelineError]:
        errors = []
        if self.scheduled_at is None:
            errors.append(PipelineError("Interview time is required.", "scheduled_at"))
        if self.format not in INTERVIEW_FORMATS:
            errors.append(
                PipelineError(f"Format must be one of {', '.join(INTERVIEW_FORMATS)}.", "format")
            )
        if self.outcome not in INTERVIEW_OUTCOMES:
            errors.append(
                PipelineError(f"Outcome must be one of {', '.join(INTERVIEW_OUTCOMES)}.", "outcome")
            )
        if self.duration_minutes is None or not 5 <= self.duration_minutes <= 600:
            errors.append(PipelineError("Duration must be 5 to 600 minutes.", "duration_minutes"))
        errors += length_violations(self, PipelineError)
        if self.application is not None and self.client_id != self.application.client_id:
            errors.append(
                PipelineError("The interview's client must be its application's.", "client")
            )
        for person in self.interviewers:
            if not any(link.client_id == self.client_id for link in person.client_links):
                errors.append(
                    PipelineError(f"{person} is not a contact of this client.", "interviewers")
                )
        return errors

    def validate(self) -> None:
        """:raise PipelineError: for the first rule this interview breaks."""
        errors = self.violations()
        if errors:
            raise errors[0]


class Placement(TimestampMixin, Model):
    """A candidate hired: start date, salary and the fee it earns the agency."""

    __tablename__ = "placement"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("application.id"), nullable=False, unique=True
    )
    job_order_id: Mapped[int] = mapped_column(
        ForeignKey("job_order.id"), nullable=False, index=True
    )
    client_id: Mapped[int] = mapped_column(ForeignKey("client.id"), nullable=False, index=True)
    start_date: Mapped[date] = mapped_column(Date, nullable=False)
    salary: Mapped[Decimal] = mapped_column(Numeric(14, 2), nullable=False)
    currency: Mapped[str] = mapped_column(String(3), nullable=False)
    fee_due: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    guarantee_until: Mapped[date | None] = mapped_column(Date)
    placed_by_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))
    # The candidate left the client: when, why, and what the replacement guarantee did about
    # it (placement_billing.GUARANTEE_OUTCOMES).
    left_on: Mapped[date | None] = mapped_column(Date)
    exit_reason: Mapped[str | None] = mapped_column(String(500))
    guarantee_outcome: Mapped[str | None] = mapped_column(String(20))

    application: Mapped[Application] = relationship(back_populates="placement")
    job_order: Mapped[JobOrder] = relationship(JobOrder)
    placed_by: Mapped[User | None] = relationship(User)

    def __str__(self) -> str:
        return f"{self.application.candidate} from {self.start_date}"

    def violations(self) -> list[PipelineError]:
        errors = []
        if self.start_date is None:
            errors.append(PipelineError("Start date is required.", "start_date"))
        if self.salary is None or not 0 < self.salary <= MONEY_MAX:
            errors.append(
                PipelineError(f"Salary must be more than 0 and at most {MONEY_MAX:,}.", "salary")
            )
        if self.fee_due is not None and not 0 <= self.fee_due <= MONEY_MAX:
            errors.append(PipelineError(f"Fee due must be 0 to {MONEY_MAX:,}.", "fee_due"))
        if self.currency not in CURRENCIES:
            errors.append(
                PipelineError("Currency must be an ISO 4217 code such as USD.", "currency")
            )
        return errors

    def validate(self) -> None:
        """:raise PipelineError: for the first rule this placement breaks."""
        errors = self.violations()
        if errors:
            raise errors[0]

    @property
    def left_within_guarantee(self) -> bool:
        return (
            self.left_on is not None
            and self.guarantee_until is not None
            and self.left_on <= self.guarantee_until
        )

    def record_departure(self, left_on: date, reason: str, by: User | None = None) -> None:
        """The placed candidate left the client on ``left_on``. Within the replacement
        guarantee, the job order's remedy follows at once (a draft credit note, a reduced or
        voided draft invoice, or a replacement owed: ``placement_billing.apply_guarantee``).

        :raise PipelineError: for a missing or future date, a date before the start, no
            reason, or a departure recorded already.
        """
        if self.left_on is not None:
            raise PipelineError(
                f"{self.application.candidate} left on {self.left_on:%Y-%m-%d} already.",
                "left_on",
            )
        if left_on is None:
            raise PipelineError("The date the candidate left is required.", "left_on")
        if left_on > date.today():
            raise PipelineError("The date the candidate left cannot be in the future.", "left_on")
        if left_on < self.start_date:
            raise PipelineError(
                f"The date the candidate left must be on or after the start date "
                f"({self.start_date:%Y-%m-%d}).",
                "left_on",
            )
        if _blank(reason):
            raise PipelineError("Give the reason the candidate left.", "exit_reason")
        self.left_on, self.exit_reason = left_on, reason.strip()[:500]
        within = self.left_within_guarantee
        record_activity(
            _session(),
            "candidate",
            f"{self.application.candidate} ({self.job_order.reference} {self.job_order.title}) "
            f"left on {left_on:%Y-%m-%d}: {self.exit_reason}"
            + (f" (within the guarantee, to {self.guarantee_until:%Y-%m-%d})" if within else ""),
            client_id=self.client_id,
            subject_type="placement",
            subject_id=self.id,
            actor=by,
        )
        if within:
            from .placement_billing import apply_guarantee

            apply_guarantee(self, by)
