"""Feedback turnaround: how long each client takes to review the candidates presented to it,
and the one-click review links its reminders carry.

The turnaround of an application runs from ``Application.presented_at`` (its first move into a
presented stage) to ``Application.first_review_at`` (the first evaluation by anyone at the
client, stamped by ``Evaluation.action_submit``). A review is *pending* while nobody has
reviewed a candidate who is still waiting for the client: in a stage before the decision is
made (``AWAITING_STAGES``), on a job order the agency still works. The figures are one grouped
SQL query per call, whatever the number of applications.

A review link is a signed, expiring token naming an application, one contact of its client and
a decision; the portal's ``/portal/review/<token>`` page asks that contact to confirm it and
records it as their evaluation (``ReviewLink.action_record``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import and_, case, func, literal, select, type_coerce

from .base import DomainError, UTCDateTime, utcnow
from .candidates import STAGE_LABELS, Application
from .clients import Client, _session
from .contacts import ClientContact, Contact
from .evaluations import AWAITING_STAGES, DECISIONS, Evaluation
from .recruiting import LIVE_STATUSES, JobOrder

# Presented and still waiting on the client's word (a placed candidate has had it).
REVIEW_LINK_SALT = "clientdesk.feedback.review-link"
REVIEW_LINK_MAX_AGE = timedelta(days=14)


# ---------------------------------------------------------------- turnaround figures


@dataclass(frozen=True)
class ClientTurnaround:
    """One client's review figures (hours rounded to one decimal)."""

    client_id: int
    client_name: str
    presented: int
    reviewed: int
    average_hours: float | None
    longest_hours: float | None
    pending: int
    oldest_pending_since: datetime | None
    oldest_pending_hours: float | None

    @property
    def average_days(self) -> float | None:
        return _days(self.average_hours)

    @property
    def longest_days(self) -> float | None:
        return _days(self.longest_hours)

    @property
    def oldest_pending_days(self) -> float | None:
        return _days(self.oldest_pending_hours)


def _days(hours: float | None) -> float | None:
    return None if hours is None else round(hours / 24, 1)


def _hours(value) -> float | None:
    return None if value is None else round(float(value), 1)


def _dialect() -> str:
    return _session().get_bind().dialect.name


def _hours_between(later, earlier):
    """SQL: the hours from ``earlier`` to ``later`` (PostgreSQL or SQLite)."""
    if _dialect() == "postgresql":
        return func.extract("epoch", later - earlier) / 3600
    return (func.julianday(later) - func.julianday(earlier)) * 24


def _greatest(*values):
    return func.greatest(*values) if _dialect() == "postgresql" else func.max(*values)


def turnaround_by_client(
    client_ids=None,
    since: datetime | None = None,
    now: datetime | None = None,
    limit: int | None = None,
) -> list[ClientTurnaround]:
    """Per client: candidates presented, reviewed, average and longest review time, reviews
    pending and the oldest pending wait; slowest first (the longer of the average review and
    the oldest pending wait), in one grouped query.

    ``client_ids`` (ids, or a ``select`` of them such as ``visible_client_ids(user)``) limits
    the clients; ``since`` counts candidates presented from then on.
    """
    now = now or utcnow()
    reviewed = Application.first_review_at.is_not(None)
    awaiting = and_(
        Application.first_review_at.is_(None),
        Application.stage.in_(AWAITING_STAGES),
        JobOrder.status.in_(LIVE_STATUSES),
    )
    review_hours = _hours_between(Application.first_review_at, Application.presented_at)
    average = func.avg(case((reviewed, review_hours)))
    longest = func.max(case((reviewed, review_hours)))
    oldest = func.min(case((awaiting, Application.presented_at)))
    oldest_hours = _hours_between(literal(now, UTCDateTime()), oldest)
    slowness = _greatest(func.coalesce(average, 0), func.coalesce(oldest_hours, 0))
    query = (
        select(
            Client.id,
            Client.name,
            func.count(Application.id),
            func.count(Application.first_review_at),
            average,
            longest,
            func.count(case((awaiting, Application.id))),
            type_coerce(oldest, UTCDateTime()),
            oldest_hours,
        )
        .select_from(Application)
        .join(JobOrder, JobOrder.id == Application.job_order_id)
        .join(Client, Client.id == Application.client_id)
        .where(Application.presented_at.is_not(None))
        .group_by(Client.id, Client.name)
        .order_by(slowness.desc(), Client.name, Client.id)
    )
    if client_ids is not None:
        query = query.where(Application.client_id.in_(client_ids))
    if since is not None:
        query = query.where(Application.presented_at >= since)
    if limit is not None:
        query = query.limit(limit)
    return [
        ClientTurnaround(
            client_id=row[0],
            client_name=row[1],
            presented=row[2],
            reviewed=row[3],
            average_hours=_hours(row[4]),
            longest_hours=_hours(row[5]),
            pending=row[6],
            oldest_pending_since=row[7],
            oldest_pending_hours=_hours(row[8]),
        )
        for row in _session().execute(query)
    ]


def slowest_clients(
    limit: int = 10, since: datetime | None = None, client_ids=None, now: datetime | None = None
) -> list[ClientTurnaround]:
    """The ``limit`` clients whose reviews are slowest (see ``turnaround_by_client``)."""
    return turnaround_by_client(client_ids=client_ids, since=since, now=now, limit=limit)


def due_for_review_reminder(now: datetime | None = None, days: int | None = None):
    """Applications presented more than ``days`` days ago (``FEEDBACK_REMINDER_DAYS``) that
    nobody at the client has reviewed, still waiting on a live job order and not reminded yet,
    oldest first."""
    now = now or utcnow()
    days = days if days is not None else current_app.config["FEEDBACK_REMINDER_DAYS"]
    query = (
        select(Application)
        .join(JobOrder, JobOrder.id == Application.job_order_id)
        .where(
            Application.presented_at < now - timedelta(days=days),
            Application.first_review_at.is_(None),
            Application.review_reminded_at.is_(None),
            Application.stage.in_(AWAITING_STAGES),
            JobOrder.status.in_(LIVE_STATUSES),
        )
        .order_by(Application.presented_at, Application.id)
    )
    return list(_session().scalars(query))


# ---------------------------------------------------------------- one-click review links


class ReviewLinkError(DomainError):
    """A review link that cannot be used: tampered with, unknown, expired or refused."""

    status_code = 404


class ReviewLinkExpiredError(ReviewLinkError):
    status_code = 410


class ReviewLinkRefusedError(ReviewLinkError):
    """A genuine link that may not record its decision (any more)."""

    status_code = 409


class ReviewLinkNotYoursError(ReviewLinkRefusedError):
    """The contact is not (or no longer) one of the application's client."""

    status_code = 403


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=REVIEW_LINK_SALT)


def review_token(application: Application, contact: Contact, decision: str) -> str:
    """A signed token for ``contact``'s one-click ``decision`` on ``application``.

    :raise ReviewLinkError: for an unknown decision.
    """
    if decision not in DECISIONS:
        raise ReviewLinkError(f"Decision must be one of {', '.join(DECISIONS)}.", "decision")
    return _serializer().dumps({"a": application.id, "c": contact.id, "d": decision})


def review_link_expiry(issued_at: datetime | None = None) -> datetime:
    """When a link issued at ``issued_at`` (now) stops working."""
    return (issued_at or utcnow()) + REVIEW_LINK_MAX_AGE


@dataclass
class ReviewLink:
    """What a review token names: the application, the contact and their decision."""

    application: Application
    contact: Contact
    decision: str

    @classmethod
    def load(cls, token: str) -> ReviewLink:
        """Read and check a token.

        :raise ReviewLinkExpiredError: (410) for a link older than ``REVIEW_LINK_MAX_AGE``.
        :raise ReviewLinkError: (404) for a tampered, malformed or unknown link.
        """
        invalid = ReviewLinkError("This review link is not valid.", "token")
        try:
            data = _serializer().loads(token, max_age=int(REVIEW_LINK_MAX_AGE.total_seconds()))
        except SignatureExpired as error:
            raise ReviewLinkExpiredError(
                "This review link has expired. Sign in to the portal to review the candidate, "
                "or ask your account manager for a new link.",
                "token",
            ) from error
        except BadSignature as error:
            raise invalid from error
        if not isinstance(data, dict) or data.get("d") not in DECISIONS:
            raise invalid
        if not all(isinstance(data.get(key), int) for key in ("a", "c")):
            raise invalid
        session = _session()
        application = session.get(Application, data["a"])
        contact = session.get(Contact, data["c"])
        if application is None or contact is None:
            raise invalid
        return cls(application=application, contact=contact, decision=data["d"])

    @property
    def contact_is_the_clients(self) -> bool:
        query = select(ClientContact.id).where(
            ClientContact.client_id == self.application.client_id,
            ClientContact.contact_id == self.contact.id,
        )
        return _session().execute(query.limit(1)).first() is not None

    def refusal(self) -> ReviewLinkRefusedError | None:
        """Why this link may not record its decision now; ``None`` when it may.

        A contact who is not (or no longer) one of the application's client is told nothing
        about the candidate; a candidate no longer waiting for the review is named.
        """
        if (
            self.contact.erased_at is not None
            or not self.contact_is_the_clients
            or self.application.client.archived
        ):
            return ReviewLinkNotYoursError(
                "This link was sent to someone who is no longer a contact of the company the "
                "candidate was presented to, so it cannot record a decision. Please ask your "
                "account manager.",
                "contact",
            )
        application, job = self.application, self.application.job_order
        if application.stage not in AWAITING_STAGES or job.status not in LIVE_STATUSES:
            state = (
                STAGE_LABELS[application.stage].lower()
                if job.status in LIVE_STATUSES
                else f"job order {job.status.replace('_', ' ')}"
            )
            return ReviewLinkRefusedError(
                f"{application.candidate} is no longer waiting for your review for "
                f"{job.title} ({state}), so this link cannot record a decision.",
                "application",
            )
        return None

    @property
    def evaluation(self) -> Evaluation | None:
        """The contact's evaluation of this candidate so far, if any."""
        return (
            _session()
            .query(Evaluation)
            .filter_by(application_id=self.application.id, contact_id=self.contact.id)
            .one_or_none()
        )

    def action_record(self) -> tuple[Evaluation, bool]:
        """Record the link's decision as the contact's evaluation, keeping any scores and
        comments they gave before. Returns the evaluation and whether it changed (the same
        decision recorded already changes nothing: a second click is harmless).

        :raise ReviewLinkRefusedError: see ``refusal``.
        :raise EvaluationError: when the agency confirmed their evaluation already.
        """
        refused = self.refusal()
        if refused is not None:
            raise refused
        before = self.evaluation
        if before is not None and before.decision == self.decision:
            return before, False
        evaluation = Evaluation.action_submit(
            self.application,
            self.contact,
            self.decision,
            scores=dict(before.scores or {}) if before is not None else None,
            comments=before.comments if before is not None else None,
        )
        return evaluation, True
