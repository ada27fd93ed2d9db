"""Ongoing service (seed 003, steps 6 and 7): the weekly status report, the monthly business
review and the quarterly business review, each scheduled as a ``Meeting`` with the client
(through its own verb, ``Meeting.action_schedule``) and an agenda drawn from the client's
figures (``models.client_report.monthly_report`` for the month, plus the open job orders and
open invoices).

A ``ServiceReview`` row says which kind of review a meeting is; after a quarterly review has
been held, ``action_request_feedback`` sends the client's primary contact a satisfaction
survey, once (the survey is remembered on the row).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from flask_appbuilder.security.sqla.models import User
from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, UniqueConstraint, func, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .activity import record_activity
from .base import Model, UTCDateTime, utcnow
from .billing import Invoice
from .candidates import PIPELINE
from .clients import Client, _choice_sql, _session
from .contacts import ClientContact
from .meetings import Meeting
from .onboarding_templates import OnboardingError, OnboardingStateError
from .recruiting import LIVE_STATUSES, JobOrder

# kind: (title, minutes)
REVIEW_KINDS = {
    "weekly": ("Weekly status report", 30),
    "monthly": ("Monthly business review", 60),
    "quarterly": ("Quarterly business review", 90),
}
FEEDBACK_SURVEY_KIND = "csat"


class ServiceReview(Model):
    """Which ongoing-service review a meeting is, and the feedback survey it led to."""

    __tablename__ = "service_review"
    __table_args__ = (
        CheckConstraint(_choice_sql("kind", tuple(REVIEW_KINDS)), name="ck_service_review_kind"),
        UniqueConstraint("meeting_id", name="uq_service_review_meeting"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("client.id"), nullable=False, index=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meeting.id", ondelete="CASCADE"), nullable=False
    )
    kind: Mapped[str] = mapped_column(String(10), nullable=False)
    survey_id: Mapped[int | None] = mapped_column(ForeignKey("survey.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)

    client: Mapped[Client] = relationship(Client)
    meeting: Mapped[Meeting] = relationship(Meeting)

    @property
    def title(self) -> str:
        return REVIEW_KINDS[self.kind][0]

    def held(self, now: datetime | None = None) -> bool:
        return self.meeting.ends_at <= (now or utcnow())

    # -- actions
    @classmethod
    def schedule(
        cls,
        client: Client,
        kind: str,
        starts_at: datetime,
        by: User | None = None,
        today: date | None = None,
    ) -> ServiceReview:
        """Schedule a review of ``kind`` with ``client``'s primary contact and its account
        manager (and ``by``), its agenda from the client's figures. The caller commits.

        :raise OnboardingError: naming ``kind`` or ``starts_at``; :raise MeetingError: for a
            meeting rule (no attendee...).
        """
        if kind not in REVIEW_KINDS:
            raise OnboardingError(f"Kind must be one of {', '.join(REVIEW_KINDS)}.", "kind")
        if starts_at is None or starts_at.tzinfo is None:
            raise OnboardingError("Give the start as a date and time with a zone.", "starts_at")
        title, minutes = REVIEW_KINDS[kind]
        session = _session()
        primary = _primary_contact(session, client.id)
        staff = [u for u in {by, client.account_manager} if u is not None]
        meeting = Meeting(
            client=client,
            client_id=client.id,
            title=f"{title}: {client.name}"[:200],
            starts_at=starts_at,
            ends_at=starts_at + timedelta(minutes=minutes),
            agenda=review_agenda(session, client, kind, today),
            contacts=[primary] if primary is not None else [],
            staff=sorted(staff, key=lambda u: u.id or 0),
        )
        meeting.action_schedule(by)
        review = cls(client=client, client_id=client.id, meeting=meeting, kind=kind)
        session.add(review)
        session.flush()
        return review

    def action_request_feedback(self, by: User | None = None, now: datetime | None = None):
        """After a held quarterly review, a satisfaction survey for the client's primary
        contact (created and sent; the caller commits, then ``send_survey_later``). Idempotent:
        a second call returns the survey of the first.

        :raise OnboardingStateError: for another kind of review, or one not held yet.
        :raise OnboardingError: when the client has no primary contact.
        """
        from .surveys import Survey

        if self.survey_id is not None:
            return _session().get(Survey, self.survey_id)
        if self.kind != "quarterly":
            raise OnboardingStateError("Feedback follows a quarterly business review.", "kind")
        if not self.held(now):
            raise OnboardingStateError("The review has not been held yet.", "meeting")
        session = _session()
        primary = _primary_contact(session, self.client_id)
        if primary is None:
            raise OnboardingError("The client has no primary contact to ask.", "contacts")
        survey = Survey.create_for(
            self.client,
            FEEDBACK_SURVEY_KIND,
            [primary],
            by=by,
            title=f"Your feedback after our quarterly review ({self.client.name})"[:191],
        )
        survey.action_send(by)
        session.flush()
        self.survey_id = survey.id
        record_activity(
            session,
            "onboarding",
            f"Feedback survey after the quarterly business review sent to {primary}",
            client_id=self.client_id,
            subject=self.meeting,
            actor=by,
        )
        return survey


def _primary_contact(session, client_id: int):
    link = session.scalar(
        select(ClientContact)
        .where(ClientContact.client_id == client_id, ClientContact.role == "primary")
        .order_by(ClientContact.id)
        .limit(1)
    )
    return link.contact if link is not None and link.contact.erased_at is None else None


def review_figures(session, client: Client, today: date | None = None) -> dict:
    """The client's figures a review goes through: the month's report (placements, pipeline,
    overdue invoices, health) and the open job orders and open invoices now."""
    from .client_report import monthly_report

    today = today or date.today()
    report = monthly_report(session, client, today)
    open_jobs = session.scalar(
        select(func.count(JobOrder.id)).where(
            JobOrder.client_id == client.id, JobOrder.status.in_(LIVE_STATUSES)
        )
    )
    open_invoices = session.scalar(
        select(func.count(Invoice.id)).where(Invoice.client_id == client.id, Invoice.open_clause())
    )
    return {
        "month": report.label,
        "open_job_orders": int(open_jobs or 0),
        "in_pipeline": sum(
            report.pipeline.get(stage, 0) for stage in PIPELINE if stage != "placed"
        ),
        "placements": report.placements,
        "open_invoices": int(open_invoices or 0),
        "overdue_invoices": report.invoices_overdue,
        "overdue_amount": report.overdue_amount,
        "currency": report.base_currency,
        "health": report.health.score if report.health is not None else None,
    }


def review_agenda(session, client: Client, kind: str, today: date | None = None) -> str:
    """The agenda of a review: the figures, then the points seed 003 lists for its kind."""
    f = review_figures(session, client, today)
    lines = [
        f"Figures ({f['month']}):",
        f"- Open job orders: {f['open_job_orders']}",
        f"- Candidates in pipeline: {f['in_pipeline']}",
        f"- Placements this month: {f['placements']}",
        f"- Open invoices: {f['open_invoices']} ({f['overdue_invoices']} overdue, "
        f"{f['currency']} {f['overdue_amount']:,.2f})",
    ]
    if f["health"] is not None:
        lines.append(f"- Health score: {f['health']}/100")
    lines += ["", "Points:"]
    lines += [f"- {point}" for point in AGENDA_POINTS[kind]]
    return "\n".join(lines)


AGENDA_POINTS = {
    "weekly": ("Performance report", "Client check-in", "Open issues and their resolution"),
    "monthly": (
        "Performance analysis",
        "ROI calculation",
        "Process optimization",
        "Strategic planning",
    ),
    "quarterly": (
        "Performance metrics review",
        "Goal achievement assessment",
        "New requirements",
        "Improvement planning",
        "Client feedback (a satisfaction survey follows this review)",
    ),
}
