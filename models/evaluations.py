"""Client evaluations of presented candidates, and the decisions they lead to.

Each person at the client evaluates a presented candidate once (and may revise it): a score of
1 to 5 per criterion of the job order, a decision (advance, hold, reject) and comments. Every
decision given or changed, and every confirmation by the agency, lands on the client's
timeline (the audit trail of hiring decisions, kind ``evaluation``). A decision moves the
application only when the agency confirms it (``action_confirm``). The first evaluation of an
application stamps ``Application.first_review_at``: the feedback turnaround is measured from
``presented_at`` to it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from flask_appbuilder.security.sqla.models import User
from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    select,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship, selectinload

from .activity import record_activity
from .base import DomainError, Model, TimestampMixin, UTCDateTime, utcnow
from .candidates import PRESENTED_STAGES, STAGE_LABELS, Application
from .clients import _choice_sql, _session
from .contacts import Contact
from .privacy import NOT_PERSONAL, PERSONAL_DATA, PersonalData, column_is
from .recruiting import LIVE_STATUSES, JobOrder, JobOrderStakeholder, status_label

DECISIONS = ("advance", "hold", "reject")
# Where a confirmed "advance" takes an application from each stage.
# Stages in which the client's decision is awaited (placed is decided).
AWAITING_STAGES = ("submitted", "client_interview", "offer")
ADVANCE_TO = {"submitted": "client_interview", "client_interview": "offer"}
SCORE_MIN, SCORE_MAX = 1, 5
COMMENTS_MAX = 5000


class EvaluationError(DomainError):
    """An evaluation breaks a rule (a score out of range, an unknown decision...)."""


class Evaluation(TimestampMixin, Model):
    __tablename__ = "candidate_evaluation"
    __table_args__ = (
        UniqueConstraint("application_id", "contact_id", name="uq_candidate_evaluation_person"),
        CheckConstraint(
            _choice_sql("decision", DECISIONS), name="ck_candidate_evaluation_decision"
        ),
    )

    # -- columns
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("application.id"), nullable=False, index=True
    )
    # The application's client (the portal's scoping helper reads it).
    client_id: Mapped[int] = mapped_column(ForeignKey("client.id"), nullable=False, index=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contact.id"), nullable=False, index=True)
    # {criterion: score 1..5}; criteria not scored are left out.
    scores: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False, default=dict)
    decision: Mapped[str] = mapped_column(String(10), nullable=False)
    comments: Mapped[str | None] = mapped_column(Text)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))

    # -- relationships
    application: Mapped[Application] = relationship(Application, back_populates="evaluations")
    contact: Mapped[Contact] = relationship(Contact, lazy="joined")
    confirmed_by: Mapped[User | None] = relationship(User)

    def __str__(self) -> str:
        return f"{self.contact}: {self.decision}"

    # -- derived values
    @property
    def average(self) -> Decimal | None:
        values = [Decimal(v) for v in (self.scores or {}).values()]
        if not values:
            return None
        return (sum(values) / len(values)).quantize(Decimal("0.1"), ROUND_HALF_UP)

    @property
    def stage_when_given(self) -> str:
        """The stage the candidate was at when this decision was last given."""
        given = self.updated_at or self.created_at
        moves = [c for c in self.application.stage_changes if given is None or c.at <= given]
        return moves[-1].to_stage if moves else self.application.stage

    # -- rules
    def violations(self) -> list[EvaluationError]:
        errors = []
        if self.decision not in DECISIONS:
            errors.append(
                EvaluationError(f"Decision must be one of {', '.join(DECISIONS)}.", "decision")
            )
        criteria = self.application.job_order.criteria if self.application else None
        for criterion, score in (self.scores or {}).items():
            if criteria is not None and criterion not in criteria:
                errors.append(
                    EvaluationError(f"'{criterion}' is not a criterion of this job.", "scores")
                )
            elif not isinstance(score, int) or not SCORE_MIN <= score <= SCORE_MAX:
                errors.append(
                    EvaluationError(
                        f"The score for {criterion} must be a whole number from "
                        f"{SCORE_MIN} to {SCORE_MAX}.",
                        "scores",
                    )
                )
        if self.comments and len(self.comments) > COMMENTS_MAX:
            errors.append(
                EvaluationError(
                    f"Comments may hold at most {COMMENTS_MAX:,} characters.", "comments"
                )
            )
        return errors

    def validate(self) -> None:
        """:raise EvaluationError: for the first rule this evaluation breaks."""
        errors = self.violations()
        if errors:
            raise errors[0]

    # -- actions
    @classmethod
    def action_submit(
        cls,
        application: Application,
        contact: Contact,
        decision: str,
        scores: dict[str, int] | None = None,
        comments: str | None = None,
    ) -> Evaluation:
        """Record (or revise) ``contact``'s evaluation of a presented candidate.

        :raise EvaluationError: when the candidate was not presented to the client, the
            evaluation was confirmed already, or a score or the decision breaks a rule.
        """
        if application.stage not in PRESENTED_STAGES and application.presented_at is None:
            raise EvaluationError(
                f"{application.candidate} has not been presented to you yet.", "application"
            )
        if application.stage not in AWAITING_STAGES or application.job_order.status not in (
            LIVE_STATUSES
        ):
            raise EvaluationError(
                f"{application.candidate} is no longer waiting for a decision "
                f"({STAGE_LABELS[application.stage].lower()}, job order "
                f"{status_label(application.job_order.status)}).",
                "application",
            )
        if not any(link.client_id == application.client_id for link in contact.client_links):
            # The person is not named: the caller may not be allowed to see them.
            raise EvaluationError(
                f"The person chosen is not a contact of {application.client}.", "contact"
            )
        session = _session()
        evaluation = (
            session.query(cls)
            .filter_by(application_id=application.id, contact_id=contact.id)
            .one_or_none()
        )
        if evaluation is not None and evaluation.confirmed_at is not None:
            raise EvaluationError(
                "Your evaluation was confirmed by the agency and can no longer change.", "decision"
            )
        before = evaluation.decision if evaluation is not None else None
        if evaluation is None:
            evaluation = cls(
                application=application, client_id=application.client_id, contact=contact
            )
        evaluation.decision = decision
        evaluation.scores = {k: v for k, v in (scores or {}).items() if v is not None}
        evaluation.comments = (comments or "").strip() or None
        evaluation.validate()
        session.add(evaluation)
        now = utcnow()
        if application.first_review_at is None:
            application.first_review_at = now
        session.flush()
        verb = "revised the evaluation of" if before else "evaluated"
        record_activity(
            session,
            "evaluation",
            f"{contact.full_name} {verb} {application.candidate} "
            f"({application.job_order.reference}): {decision}",
            client_id=application.client_id,
            subject_type="candidate_evaluation",
            subject_id=evaluation.id,
            changes={"decision": [before, decision]},
        )
        return evaluation

    def action_confirm(self, by: User) -> None:
        """The agency acts on the decision: advance moves to the next stage, reject rejects,
        hold keeps the candidate where they are.

        :raise EvaluationError: when it was confirmed already or cannot move the application.
        """
        if self.confirmed_at is not None:
            raise EvaluationError("This decision was confirmed already.", "decision")
        application = self.application
        if self.decision == "advance" and application.stage == self.stage_when_given:
            # (If another decision moved the candidate on since, this one is acted on already.)
            target = ADVANCE_TO.get(application.stage)
            if target is None:
                raise EvaluationError(
                    f"{application.candidate} is at {STAGE_LABELS[application.stage]}: "
                    "there is no next stage an evaluation can advance them to.",
                    "decision",
                )
            application.action_move(
                target, by, f"advanced on {self.contact.full_name}'s evaluation"
            )
        elif self.decision == "reject" and application.stage != "rejected":
            application.action_move(
                "rejected", by, f"rejected on {self.contact.full_name}'s evaluation"
            )
        self.confirmed_at = utcnow()
        self.confirmed_by = by
        record_activity(
            _session(),
            "evaluation",
            f"{self.contact.full_name}'s decision on {application.candidate} "
            f"confirmed: {self.decision}",
            client_id=self.client_id,
            subject_type="candidate_evaluation",
            subject_id=self.id,
            actor=by,
        )


# ---------------------------------------------------------------- queries


@dataclass
class CandidateEvaluations:
    """What the client thinks of one presented candidate."""

    application: Application
    evaluations: list[Evaluation]
    averages: dict[str, Decimal | None]  # per criterion of the job
    scored: dict[str, int]  # how many people scored each criterion
    overall: Decimal | None  # over every score given
    decision_counts: dict[str, int]

    @property
    def per_criterion(self) -> list[tuple[str, Decimal | None, int]]:
        """(criterion, average, how many scored it), in the job's order of criteria."""
        return [(c, average, self.scored[c]) for c, average in self.averages.items()]


def summarise(applications: list[Application], criteria: list[str]) -> list[CandidateEvaluations]:
    """The summary of each application's evaluations (loaded with them: no query here)."""
    rows = []
    for application in applications:
        evaluations = list(application.evaluations)
        per = {
            c: [Decimal(e.scores[c]) for e in evaluations if c in (e.scores or {})]
            for c in criteria
        }
        every = [Decimal(v) for e in evaluations for v in (e.scores or {}).values()]
        rows.append(
            CandidateEvaluations(
                application=application,
                evaluations=evaluations,
                averages={c: _mean(values) for c, values in per.items()},
                scored={c: len(values) for c, values in per.items()},
                overall=_mean(every),
                decision_counts={d: sum(e.decision == d for e in evaluations) for d in DECISIONS},
            )
        )
    return rows


def evaluation_summary(session, job: JobOrder) -> list[CandidateEvaluations]:
    """Each candidate presented for ``job`` (in the order presented), for the agency: two
    queries whatever the number of candidates. The portal summarises its own shortlist
    (``summarise``), which leaves out what the client may no longer see."""
    applications = session.scalars(
        select(Application)
        .where(Application.job_order_id == job.id, Application.presented_at.is_not(None))
        .options(selectinload(Application.evaluations))
        .order_by(Application.presented_at, Application.id)
    ).all()
    return summarise(applications, job.criteria)


def _mean(values: list[Decimal]) -> Decimal | None:
    if not values:
        return None
    return (sum(values) / len(values)).quantize(Decimal("0.1"), ROUND_HALF_UP)


# The client's people in the hiring process: what they said is theirs to export; comments go
# on erasure, the decision and scores stay (the hiring record needs them, they name no one).
PERSONAL_DATA.append(
    PersonalData(
        "candidate_evaluations",
        Evaluation,
        column_is("contact_id"),
        export=("application_id", "decision", "scores", "comments", "created_at", "confirmed_at"),
        erase={"comments": None},
    )
)
PERSONAL_DATA.append(
    PersonalData(
        "job_order_roles",
        JobOrderStakeholder,
        column_is("contact_id"),
        export=("job_order_id", "job_order.title", "role"),
    )
)
PERSONAL_DATA.append(
    PersonalData(
        "job_order_requests",
        JobOrder,
        column_is("requested_by_contact_id"),
        export=("id", "title", "status", "submitted_at"),
    )
)
# Who sat on an interview panel: a bare link, no value of the person's.
NOT_PERSONAL.add("interview_interviewer")
