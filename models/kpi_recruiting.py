"""Recruiting KPIs: time-to-fill and -submit, the funnel's ratios, offers, fill rate,
placements and fall-offs, client evaluations, feedback turnaround and the open workload.

Each is one grouped SQL query (``kpis.grouped``). The recruiter of a job order is every user
on its team (``job_order_recruiters``: a job order with two recruiters counts for both); of an
application, its ``recruiter_id``; of a placement, its ``placed_by_id``. Each formula says which
date puts a record in the period.
"""

from __future__ import annotations

from sqlalchemy import Numeric, case, cast, func, literal, or_, select, true

from .candidates import PIPELINE, Application, ApplicationStageChange, Interview, Placement
from .evaluations import Evaluation
from .feedback import _hours_between
from .kpis import KPI, ZERO, count_of, dimension, grouped, percent, register, rounded
from .offers import Offer
from .pipeline_metrics import days_between
from .recruiting import JobOrder, job_order_recruiters

INTERVIEW = PIPELINE.index("client_interview")
OFFER = PIPELINE.index("offer")


def _job_key(by):
    return dimension(
        by,
        client=JobOrder.client_id,
        recruiter=job_order_recruiters.c.user_id,
        service_type=JobOrder.service_type,
    )


def _with_team(query, by):
    if by == "recruiter":
        return query.join(job_order_recruiters, job_order_recruiters.c.job_order_id == JobOrder.id)
    return query


def _application_key(by):
    return dimension(
        by,
        client=Application.client_id,
        recruiter=Application.recruiter_id,
        service_type=JobOrder.service_type,
    )


# ---------------------------------------------------------------- time


def time_to_fill(session, period, by, ids):
    key = _job_key(by)
    query = select(key, func.avg(days_between(JobOrder.opened_at, JobOrder.filled_at))).where(
        JobOrder.opened_at.is_not(None), period.covers(JobOrder.filled_at)
    )
    return grouped(session, _with_team(query.select_from(JobOrder), by), key, by, ids)


def time_to_submit(session, period, by, ids):
    first = (
        select(
            Application.job_order_id.label("job_order_id"),
            func.min(Application.presented_at).label("first_at"),
        )
        .where(Application.presented_at.is_not(None))
        .group_by(Application.job_order_id)
        .subquery()
    )
    key = _job_key(by)
    query = (
        select(key, func.avg(days_between(JobOrder.opened_at, first.c.first_at)))
        .select_from(JobOrder)
        .join(first, first.c.job_order_id == JobOrder.id)
        .where(JobOrder.opened_at.is_not(None), period.covers(first.c.first_at))
    )
    return grouped(session, _with_team(query, by), key, by, ids)


# ---------------------------------------------------------------- the funnel


def _progress():
    """Per application: the furthest pipeline stage its kept moves reached (as an index of
    ``PIPELINE``) and when it first reached the client interview or later."""
    change = ApplicationStageChange
    rank = case(*((change.to_stage == s, i) for i, s in enumerate(PIPELINE)), else_=None)
    return (
        select(
            change.application_id.label("application_id"),
            func.max(rank).label("furthest"),
            func.min(case((rank >= INTERVIEW, change.at))).label("interviewed_at"),
        )
        .group_by(change.application_id)
        .subquery()
    )


def _funnel(session, period, by, ids, stamp, reached):
    progress = _progress()
    key = _application_key(by)
    start = Application.presented_at if stamp == "presented" else progress.c.interviewed_at
    query = (
        select(
            key,
            func.count(Application.id),
            func.coalesce(func.sum(case((progress.c.furthest >= reached, 1), else_=0)), 0),
        )
        .select_from(Application)
        .join(JobOrder, JobOrder.id == Application.job_order_id)
        .join(progress, progress.c.application_id == Application.id)
        .where(period.covers(start))
    )
    return grouped(session, query, key, by, ids, value=lambda row: percent(row[2], row[1]))


def submittal_to_interview(session, period, by, ids):
    return _funnel(session, period, by, ids, "presented", INTERVIEW)


def interview_to_offer(session, period, by, ids):
    return _funnel(session, period, by, ids, "interviewed", OFFER)


def submittals(session, period, by, ids):
    key = _application_key(by)
    query = (
        select(key, func.count(Application.id))
        .join(JobOrder, JobOrder.id == Application.job_order_id)
        .where(period.covers(Application.presented_at))
    )
    return grouped(session, query, key, by, ids, value=count_of, fill=ZERO)


def interviews(session, period, by, ids):
    key = _application_key(by)
    query = (
        select(key, func.count(Interview.id))
        .select_from(Interview)
        .join(Application, Application.id == Interview.application_id)
        .join(JobOrder, JobOrder.id == Application.job_order_id)
        .where(Interview.outcome == "completed", period.covers(Interview.scheduled_at))
    )
    return grouped(session, query, key, by, ids, value=count_of, fill=ZERO)


DECIDED = ("accepted", "declined", "expired")


def offer_acceptance(session, period, by, ids):
    key = _application_key(by)
    query = (
        select(
            key,
            func.count(Offer.id),
            func.coalesce(func.sum(case((Offer.status == "accepted", 1), else_=0)), 0),
        )
        .select_from(Offer)
        .join(Application, Application.id == Offer.application_id)
        .join(JobOrder, JobOrder.id == Offer.job_order_id)
        .where(Offer.status.in_(DECIDED), period.covers(Offer.decided_at))
    )
    return grouped(session, query, key, by, ids, value=lambda row: percent(row[2], row[1]))


# ---------------------------------------------------------------- filling


def fill_rate(session, period, by, ids):
    placed = (
        select(Placement.job_order_id.label("job_order_id"), func.count().label("placed"))
        .group_by(Placement.job_order_id)
        .subquery()
    )
    filled = func.coalesce(placed.c.placed, 0)
    capped = case((filled < JobOrder.openings, filled), else_=JobOrder.openings)
    key = _job_key(by)
    query = (
        select(key, func.sum(capped), func.sum(JobOrder.openings))
        .select_from(JobOrder)
        .outerjoin(placed, placed.c.job_order_id == JobOrder.id)
        .where(period.covers(JobOrder.opened_at))
    )
    return grouped(
        session, _with_team(query, by), key, by, ids, value=lambda row: percent(row[1], row[2])
    )


def _placement_key(by):
    return dimension(
        by,
        client=Placement.client_id,
        recruiter=Placement.placed_by_id,
        service_type=JobOrder.service_type,
    )


def placements(session, period, by, ids):
    key = _placement_key(by)
    query = (
        select(key, func.count(Placement.id))
        .join(JobOrder, JobOrder.id == Placement.job_order_id)
        .where(period.covers_day(Placement.start_date))
    )
    return grouped(session, query, key, by, ids, value=count_of, fill=ZERO)


def fall_offs(session, period, by, ids):
    key = _placement_key(by)
    query = (
        select(key, func.count(Placement.id))
        .join(JobOrder, JobOrder.id == Placement.job_order_id)
        .where(
            period.covers_day(Placement.left_on),
            Placement.guarantee_until.is_not(None),
            Placement.left_on <= Placement.guarantee_until,
        )
    )
    return grouped(session, query, key, by, ids, value=count_of, fill=ZERO)


def open_job_orders(session, period, by, ids):
    key = _job_key(by)
    end = literal(period.end_at, JobOrder.opened_at.type)
    query = (
        select(key, func.count(JobOrder.id))
        .select_from(JobOrder)
        .where(
            JobOrder.opened_at < end,
            or_(JobOrder.filled_at.is_(None), JobOrder.filled_at >= end),
            or_(JobOrder.closed_at.is_(None), JobOrder.closed_at >= end),
            JobOrder.status != "cancelled",
        )
    )
    return grouped(session, _with_team(query, by), key, by, ids, value=count_of, fill=ZERO)


# ---------------------------------------------------------------- the client's word


def _scores(session):
    """A table of (key, value) per evaluation score: ``json_each`` in SQLite, its text variant
    in PostgreSQL (both correlate with the evaluation in the FROM clause before it)."""
    name = "json_each_text" if session.get_bind().dialect.name == "postgresql" else "json_each"
    return getattr(func, name)(Evaluation.scores).table_valued("key", "value").alias("score")


def quality_rating(session, period, by, ids):
    score = _scores(session)
    key = _application_key(by)
    query = (
        select(key, func.avg(cast(score.c.value, Numeric(6, 2))))
        .select_from(Evaluation)
        .join(score, true())
        .join(Application, Application.id == Evaluation.application_id)
        .join(JobOrder, JobOrder.id == Application.job_order_id)
        .where(period.covers(Evaluation.created_at))
    )
    return grouped(session, query, key, by, ids, value=lambda row: rounded(row[1], 2))


def feedback_turnaround(session, period, by, ids):
    key = _application_key(by)
    hours = _hours_between(Application.first_review_at, Application.presented_at)
    query = (
        select(key, func.avg(hours))
        .join(JobOrder, JobOrder.id == Application.job_order_id)
        .where(Application.presented_at.is_not(None), period.covers(Application.first_review_at))
    )
    return grouped(session, query, key, by, ids, value=lambda row: _days(row[1]))


def _days(hours):
    return None if hours is None else rounded(hours / 24)


# ---------------------------------------------------------------- the registry, in order

JOB_TEAM = "recruiter: every recruiter on the job order's team"
APPLICATION_RECRUITER = "recruiter: the application's recruiter"

for _kpi in (
    KPI(
        "time_to_fill",
        "Time to fill",
        "days",
        "Average of (filled − opened) in days over the job orders filled in the period "
        f"(filled_at in the period). {JOB_TEAM}.",
        "lower",
        time_to_fill,
    ),
    KPI(
        "time_to_submit",
        "Time to submit",
        "days",
        "Average of (first candidate presented − job order opened) in days, over the job "
        "orders whose first candidate was presented in the period (the first application's "
        f"presented_at). {JOB_TEAM}.",
        "lower",
        time_to_submit,
    ),
    KPI(
        "submittals",
        "Submittals",
        "count",
        "Candidates presented to the client in the period (Application.presented_at, its first "
        f"move to a presented stage). {APPLICATION_RECRUITER}.",
        "higher",
        submittals,
    ),
    KPI(
        "submittal_to_interview",
        "Submittal to interview",
        "percent",
        "Of the candidates presented in the period (presented_at), the share that reached the "
        "client interview or a later stage (kept stage moves) × 100. "
        f"{APPLICATION_RECRUITER}.",
        "higher",
        submittal_to_interview,
    ),
    KPI(
        "interviews",
        "Interviews held",
        "count",
        "Client interviews with the outcome 'completed' scheduled in the period "
        f"(Interview.scheduled_at). {APPLICATION_RECRUITER}.",
        "higher",
        interviews,
    ),
    KPI(
        "interview_to_offer",
        "Interview to offer",
        "percent",
        "Of the candidates who first reached the client interview in the period (the stage "
        "move's date), the share that reached the offer stage or later × 100. "
        f"{APPLICATION_RECRUITER}.",
        "higher",
        interview_to_offer,
    ),
    KPI(
        "offer_acceptance",
        "Offer acceptance rate",
        "percent",
        "Offers accepted ÷ offers decided (accepted, declined or expired; withdrawn ones left "
        "out) × 100, over the offers decided in the period (decided_at). "
        f"{APPLICATION_RECRUITER}.",
        "higher",
        offer_acceptance,
    ),
    KPI(
        "fill_rate",
        "Fill rate",
        "percent",
        "Openings filled ÷ openings × 100 over the job orders opened in the period (opened_at); "
        "a job order's openings filled are its placements, at most its openings. "
        f"{JOB_TEAM}.",
        "higher",
        fill_rate,
    ),
    KPI(
        "placements",
        "Placements",
        "count",
        "Placements whose start date falls in the period. Recruiter: the placement's placed by.",
        "higher",
        placements,
    ),
    KPI(
        "fall_offs",
        "Guarantee fall-offs",
        "count",
        "Placed candidates who left within the replacement guarantee (left on ≤ guarantee "
        "until), counted when they left (left_on in the period). Recruiter: placed by.",
        "lower",
        fall_offs,
    ),
    KPI(
        "open_job_orders",
        "Open job orders",
        "count",
        "Job orders opened before the period's end and neither filled, closed nor cancelled "
        f"by then (the workload at the end of the period). {JOB_TEAM}.",
        "higher",
        open_job_orders,
    ),
    KPI(
        "quality_rating",
        "Quality rating",
        "score",
        "Average of every criterion score (1–5) in the client's evaluations of presented "
        f"candidates given in the period (Evaluation.created_at). {APPLICATION_RECRUITER}.",
        "higher",
        quality_rating,
    ),
    KPI(
        "feedback_turnaround",
        "Feedback turnaround",
        "days",
        "Average of (first review by the client − presented) in days over the candidates "
        "first reviewed in the period (first_review_at; models.feedback's turnaround). "
        f"{APPLICATION_RECRUITER}.",
        "lower",
        feedback_turnaround,
    ),
):
    register(_kpi)
