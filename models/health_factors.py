"""The health score's factors: each one's raw figure per client from set-based SQL over all the
clients asked for at once, and the stated rule that maps the figure to a score of 0–100.

Every ``*_figures`` function issues a fixed number of grouped queries, whatever the number of
clients or rows, and returns ``{client id: FactorFigure}``; a client with no data for a factor
is simply absent (the score then leaves the factor out). The figures REUSE the existing
modules: survey NPS/CSAT (``survey_results``), the aging report (``aging_report``), the
feedback turnaround (``turnaround_by_client``) and the pipeline's ``days_between``.

Factor: figure → rule (figure → score 0–100):

- satisfaction: NPS and CSAT of the last 12 months' survey answers → the mean of
  (NPS + 100) / 2 and CSAT %.
- payment: the overdue share of the open balance and the on-time share of the invoices paid in
  the last 12 months → the mean of 100 − overdue % and on-time %.
- feedback: hours from presented to first review (the longer of the average and the oldest
  pending wait) → 100 at or under the target, 0 at 4 × the target, linear between.
- service_level: live job orders past their ``timeline_days``, the project milestones due in
  the last 180 days (up to ``as_of``) that were completed after their due date or are still
  open past it, and the tickets whose first response was due in those days and came after
  the deadline or had not come by ``as_of`` → 100 × the share of those commitments on time.
- engagement: days since the last thing that came FROM the client: a successful portal
  sign-in, a client message in a conversation, a survey response, a candidate evaluation or a
  reply to the agency's mail (``OutboxMessage.responded_at``) → 100 at 14 days or fewer, 0 at
  90 or more, linear between. The agency's own timeline rows (notes, mail sent, reports
  emailed, edits) are not engagement, and neither are mail opens (image proxies and scanners
  fetch the tracking pixel without anyone reading).
- pipeline: stage moves in the last 30 days on the client's live job orders → 25 points per
  move per live order, at most 100.

Evaluations (the client's scores of candidates) are not a satisfaction input: they rate the
candidates, not the agency. Service-level breaches are job orders past their timeline target,
overdue milestones and tickets answered after their response target (or not yet answered past it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from flask import current_app
from sqlalchemy import and_, case, func, literal, or_, select, true

from .access import PortalLogin
from .aging import aging_report
from .base import UTCDateTime
from .billing import Invoice
from .candidates import Application, ApplicationStageChange
from .conversation_messages import ConversationMessage
from .conversations import Conversation
from .evaluations import Evaluation
from .feedback import turnaround_by_client
from .messaging import OutboxMessage
from .pipeline_metrics import days_between
from .projects import Milestone, Project
from .recruiting import LIVE_STATUSES, JobOrder
from .survey_responses import SurveyResponse, survey_results
from .tickets import Ticket

HUNDRED = Decimal(100)
SURVEY_WINDOW_DAYS = 365
PAYMENT_WINDOW_DAYS = 365
FEEDBACK_WINDOW_DAYS = 180
FEEDBACK_ZERO_MULTIPLE = 4  # the feedback score reaches 0 at this multiple of the target
SERVICE_LEVEL_WINDOW_DAYS = 180  # milestones due in these last days (as_of included) count
ENGAGEMENT_FULL_DAYS = 14
ENGAGEMENT_ZERO_DAYS = 90
PIPELINE_WINDOW_DAYS = 30
PIPELINE_POINTS_PER_MOVE = Decimal(25)  # per move per live job order


@dataclass(frozen=True)
class FactorFigure:
    value: Decimal | None
    score: Decimal | None
    detail: dict


def q(value, places: str = "0.1") -> Decimal | None:
    if value is None:
        return None
    return Decimal(str(value)).quantize(Decimal(places), ROUND_HALF_UP)


def clamp(value: Decimal) -> Decimal:
    return q(min(HUNDRED, max(Decimal(0), value)))


def linear_down(value: Decimal, full_at: Decimal, zero_at: Decimal) -> Decimal:
    """100 at or below ``full_at``, 0 at or above ``zero_at``, a straight line between."""
    if value <= full_at:
        return q(HUNDRED)
    return clamp(HUNDRED * (zero_at - value) / (zero_at - full_at))


def mean(*scores) -> Decimal | None:
    known = [s for s in scores if s is not None]
    return clamp(sum(known, Decimal(0)) / len(known)) if known else None


def start_of(day: date) -> datetime:
    """The first instant of ``day`` (UTC)."""
    return datetime.combine(day, time.min, UTC)


def end_of(day: date) -> datetime:
    """The first instant after ``day`` (UTC): records before it existed on ``day``."""
    return datetime.combine(day + timedelta(days=1), time.min, UTC)


def _in(column, client_ids):
    return true() if client_ids is None else column.in_(list(client_ids) or [-1])


# ---------------------------------------------------------------- satisfaction


def satisfaction_figures(session, client_ids, as_of: date) -> dict[int, FactorFigure]:
    since = as_of - timedelta(days=SURVEY_WINDOW_DAYS - 1)
    results = survey_results(None if client_ids is None else list(client_ids), since, as_of)
    figures = {}
    for scores in results.clients:
        nps, csat = scores.nps, scores.csat
        if nps is None and csat is None:
            continue
        nps_score = None if nps is None else (nps + HUNDRED) / 2
        figures[scores.key] = FactorFigure(
            nps if nps is not None else csat,
            mean(nps_score, csat),
            {"nps": nps, "csat": csat, "answers": scores.responses},
        )
    return figures


# ---------------------------------------------------------------- payment behaviour


def payment_figures(session, client_ids, as_of: date, aging=None) -> dict[int, FactorFigure]:
    aging = aging or aging_report(as_of)
    open_by_client = aging.base_by_client()
    since = as_of - timedelta(days=PAYMENT_WINDOW_DAYS - 1)
    paid = and_(Invoice.paid_at.is_not(None), Invoice.status == "paid")
    on_time = func.date(Invoice.paid_at) <= Invoice.due_date
    rows = session.execute(
        select(
            Invoice.client_id,
            func.count(Invoice.id),
            func.coalesce(func.sum(case((on_time, 1), else_=0)), 0),
        )
        .where(
            paid,
            Invoice.kind == "invoice",
            Invoice.due_date.is_not(None),
            Invoice.paid_at >= datetime.combine(since, time.min, UTC),
            Invoice.paid_at < end_of(as_of),
            _in(Invoice.client_id, client_ids),
        )
        .group_by(Invoice.client_id)
    ).all()
    paid_counts = {cid: (int(n), int(ok)) for cid, n, ok in rows}
    wanted = None if client_ids is None else set(client_ids)
    figures = {}
    for cid in set(open_by_client) | set(paid_counts):
        if wanted is not None and cid not in wanted:
            continue
        buckets = open_by_client.get(cid)
        open_total = sum(buckets.values(), Decimal(0)) if buckets else Decimal(0)
        overdue = open_total - buckets["current"] if buckets else Decimal(0)
        share = q(HUNDRED * overdue / open_total) if open_total > 0 else None
        n, ok = paid_counts.get(cid, (0, 0))
        on_time_rate = q(HUNDRED * ok / n) if n else None
        if share is None and on_time_rate is None:
            continue
        figures[cid] = FactorFigure(
            share if share is not None else on_time_rate,
            mean(None if share is None else HUNDRED - share, on_time_rate),
            {
                "overdue_share": share,
                "open_balance": q(open_total, "0.01"),
                "overdue": q(overdue, "0.01"),
                "paid_invoices": n,
                "paid_on_time": ok,
                "on_time_rate": on_time_rate,
                "over_60_days": q(buckets["d61_90"] + buckets["over_90"], "0.01")
                if buckets
                else Decimal("0.00"),
            },
        )
    return figures


# ---------------------------------------------------------------- feedback turnaround


def feedback_target_hours() -> Decimal:
    """The turnaround target: the feedback reminder's ``FEEDBACK_REMINDER_DAYS`` × 24 hours."""
    return Decimal(current_app.config.get("FEEDBACK_REMINDER_DAYS", 3) * 24)


def feedback_figures(session, client_ids, as_of: date) -> dict[int, FactorFigure]:
    now = end_of(as_of)
    target = feedback_target_hours()
    rows = turnaround_by_client(
        None if client_ids is None else list(client_ids) or [-1],
        since=now - timedelta(days=FEEDBACK_WINDOW_DAYS),
        now=now,
    )
    figures = {}
    for row in rows:
        known = [h for h in (row.average_hours, row.oldest_pending_hours) if h is not None]
        if not known:
            continue
        hours = q(max(known))
        figures[row.client_id] = FactorFigure(
            hours,
            linear_down(hours, target, target * FEEDBACK_ZERO_MULTIPLE),
            {
                "average_hours": row.average_hours,
                "oldest_pending_hours": row.oldest_pending_hours,
                "target_hours": target,
            },
        )
    return figures


# ---------------------------------------------------------------- service-level breaches


def service_level_figures(session, client_ids, as_of: date) -> dict[int, FactorFigure]:
    now = literal(end_of(as_of), UTCDateTime())
    timed = and_(
        JobOrder.status.in_(LIVE_STATUSES),
        JobOrder.opened_at.is_not(None),
        JobOrder.opened_at < now,
        JobOrder.timeline_days.is_not(None),
    )
    late = days_between(JobOrder.opened_at, now) > JobOrder.timeline_days
    orders = session.execute(
        select(JobOrder.client_id, func.count(JobOrder.id), func.sum(case((late, 1), else_=0)))
        .where(timed, _in(JobOrder.client_id, client_ids))
        .group_by(JobOrder.client_id)
    ).all()
    # A milestone due in the window is a commitment; it is breached as of ``as_of`` when it was
    # completed after its due date, or is still open (not completed by ``as_of``) past it.
    done = and_(Milestone.completed_on.is_not(None), Milestone.completed_on <= as_of)
    overdue = or_(
        and_(done, Milestone.completed_on > Milestone.due_date),
        and_(~done, Milestone.due_date < as_of),
    )
    since = as_of - timedelta(days=SERVICE_LEVEL_WINDOW_DAYS - 1)
    milestones = session.execute(
        select(Project.client_id, func.count(Milestone.id), func.sum(case((overdue, 1), else_=0)))
        .join(Project, Project.id == Milestone.project_id)
        .where(Milestone.due_date.is_not(None), Milestone.due_date >= since)
        .where(Milestone.due_date <= as_of, _in(Project.client_id, client_ids))
        .group_by(Project.client_id)
    ).all()
    # A ticket whose first response was due in the window is a commitment too; it is breached
    # as of ``as_of`` when the response came after the deadline or had not come by ``as_of``.
    answered = func.coalesce(Ticket.first_response_at, now)
    tickets = session.execute(
        select(Ticket.client_id, func.count(Ticket.id),
               func.sum(case((answered > Ticket.response_due_at, 1), else_=0)))
        .where(Ticket.response_due_at >= start_of(since), Ticket.response_due_at < now)
        .where(_in(Ticket.client_id, client_ids))
        .group_by(Ticket.client_id)
    ).all()  # fmt: skip
    counts: dict[int, list[int]] = {}
    for offset, rows in ((0, orders), (2, milestones), (4, tickets)):
        for cid, measured, breached in rows:
            pair = [int(measured), int(breached or 0)]
            counts.setdefault(cid, [0] * 6)[offset : offset + 2] = pair
    figures = {}
    for cid, (orders_n, late_n, miles_n, overdue_n, tickets_n, breached_n) in counts.items():
        measured = orders_n + miles_n + tickets_n
        breaches = late_n + overdue_n + breached_n
        figures[cid] = FactorFigure(
            Decimal(breaches),
            clamp(HUNDRED * (measured - breaches) / measured),
            {
                "late_job_orders": late_n,
                "timed_job_orders": orders_n,
                "overdue_milestones": overdue_n,
                "milestones": miles_n,
                "late_ticket_responses": breached_n,
                "tickets": tickets_n,
            },
        )
    return figures


# ---------------------------------------------------------------- engagement recency


def last_engagement(session, client_ids, as_of: date) -> dict[int, datetime]:
    """{client id: the latest thing from the client} on or before ``as_of``: a successful
    portal sign-in, a client message, a survey response, a candidate evaluation given (its
    first save: the agency's confirmation touches the row too) or a reply to the agency's mail.
    The agency's own activity (notes, mail sent, reports emailed) is not the client engaging."""
    before = end_of(as_of)
    queries = [
        select(PortalLogin.client_id, func.max(PortalLogin.at))
        .where(PortalLogin.client_id.is_not(None), PortalLogin.succeeded.is_(True))
        .where(PortalLogin.at < before, _in(PortalLogin.client_id, client_ids))
        .group_by(PortalLogin.client_id),
        select(Conversation.client_id, func.max(ConversationMessage.created_at))
        .join(Conversation, Conversation.id == ConversationMessage.conversation_id)
        .where(ConversationMessage.side == "client", ConversationMessage.created_at < before)
        .where(_in(Conversation.client_id, client_ids))
        .group_by(Conversation.client_id),
        select(SurveyResponse.client_id, func.max(SurveyResponse.submitted_at))
        .where(SurveyResponse.submitted_at < before, _in(SurveyResponse.client_id, client_ids))
        .group_by(SurveyResponse.client_id),
        select(Evaluation.client_id, func.max(Evaluation.created_at))
        .where(Evaluation.created_at < before, _in(Evaluation.client_id, client_ids))
        .group_by(Evaluation.client_id),
        select(OutboxMessage.client_id, func.max(OutboxMessage.responded_at))
        .where(OutboxMessage.client_id.is_not(None), OutboxMessage.responded_at < before)
        .where(_in(OutboxMessage.client_id, client_ids))
        .group_by(OutboxMessage.client_id),
    ]
    latest: dict[int, datetime] = {}
    for query in queries:
        for cid, at in session.execute(query):
            if at is not None and (cid not in latest or at > latest[cid]):
                latest[cid] = at if at.tzinfo else at.replace(tzinfo=UTC)
    return latest


def engagement_figures(session, client_ids, as_of: date) -> dict[int, FactorFigure]:
    figures = {}
    for cid, at in last_engagement(session, client_ids, as_of).items():
        days = Decimal(max(0, (as_of - at.astimezone(UTC).date()).days))
        figures[cid] = FactorFigure(
            days,
            linear_down(days, Decimal(ENGAGEMENT_FULL_DAYS), Decimal(ENGAGEMENT_ZERO_DAYS)),
            {"last_engagement": at.isoformat()},
        )
    return figures


# ---------------------------------------------------------------- pipeline activity


def pipeline_figures(session, client_ids, as_of: date) -> dict[int, FactorFigure]:
    before = end_of(as_of)
    since = before - timedelta(days=PIPELINE_WINDOW_DAYS)
    live = session.execute(
        select(JobOrder.client_id, func.count(JobOrder.id))
        .where(JobOrder.status.in_(LIVE_STATUSES), _in(JobOrder.client_id, client_ids))
        .group_by(JobOrder.client_id)
    ).all()
    moves = dict(
        session.execute(
            select(JobOrder.client_id, func.count(ApplicationStageChange.id))
            .join(Application, Application.id == ApplicationStageChange.application_id)
            .join(JobOrder, JobOrder.id == Application.job_order_id)
            .where(JobOrder.status.in_(LIVE_STATUSES), _in(JobOrder.client_id, client_ids))
            .where(ApplicationStageChange.at >= since, ApplicationStageChange.at < before)
            .group_by(JobOrder.client_id)
        ).all()
    )
    figures = {}
    for cid, orders in live:
        count = int(moves.get(cid, 0))
        figures[cid] = FactorFigure(
            Decimal(count),
            clamp(PIPELINE_POINTS_PER_MOVE * count / int(orders)),
            {"moves": count, "live_job_orders": int(orders)},
        )
    return figures


# (key, label, unit, rule, figures function)
FACTORS = (
    (
        "satisfaction",
        "Satisfaction",
        "NPS",
        "Survey answers of the last 12 months: the mean of (NPS + 100) / 2 and CSAT % "
        "(whichever exist); the value shown is the NPS (CSAT % when no NPS).",
        satisfaction_figures,
    ),
    (
        "payment",
        "Payment behaviour",
        "% overdue",
        "The mean of 100 − the overdue share of the open balance (%) and the share of invoices "
        "paid in the last 12 months that were paid by their due date (%).",
        payment_figures,
    ),
    (
        "feedback",
        "Feedback turnaround",
        "hours",
        "Hours from presenting a candidate to the client's first review (the longer of the "
        "average of the last 180 days and the oldest pending wait): 100 at or under the target "
        "(FEEDBACK_REMINDER_DAYS × 24 h), 0 at 4 × the target, linear between.",
        feedback_figures,
    ),
    (
        "service_level",
        "Service-level breaches",
        "breaches",
        "Live job orders open longer than their timeline_days, and project milestones due in "
        "the last 180 days that were completed after their due date or are still open past it "
        "and tickets whose first response was due in the last 180 days and came late or has "
        "not come: 100 × the share of these commitments on time.",
        service_level_figures,
    ),
    (
        "engagement",
        "Engagement recency",
        "days",
        "Days since the client last did something: a successful portal sign-in, a message, a "
        "survey response, a candidate evaluation or a reply to the agency's mail (the agency's "
        "own notes, mail and reports do not count): 100 at 14 days or fewer, 0 at 90 or more, "
        "linear between.",
        engagement_figures,
    ),
    (
        "pipeline",
        "Pipeline activity",
        "moves",
        "Stage moves in the last 30 days on the client's live job orders: 25 points per move "
        "per live job order, at most 100 (4 moves per live order a month is full marks).",
        pipeline_figures,
    ),
)
FACTOR_KEYS = tuple(key for key, *_ in FACTORS)
DEFAULT_WEIGHTS = {
    "satisfaction": 25,
    "payment": 25,
    "feedback": 10,
    "service_level": 15,
    "engagement": 15,
    "pipeline": 10,
}
