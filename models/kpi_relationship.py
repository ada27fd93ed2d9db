"""Relationship KPIs: satisfaction (NPS, CSAT, survey response rate), mail responses,
activity recency and churn.

Surveys, mails and activity belong to a client, not to a job order: these KPIs are cut by
client and for the agency only. NPS and CSAT are ``survey_responses``'s own counts
(``_counts``) and formulas (``Scores``), grouped here by client.
"""

from __future__ import annotations

from sqlalchemy import and_, distinct, func, literal, select

from .activity import Activity
from .clients import Client
from .kpis import ALL, KPI, dimension, grouped, percent, register
from .messaging import OutboxMessage
from .pipeline_metrics import days_between
from .survey_responses import SurveyResponse, _counts, _scores
from .surveys import SurveyRecipient

CLIENT_AND_AGENCY = ("client", "agency")


def _survey_scores(session, period, by, ids, figure):
    key = dimension(by, client=SurveyResponse.client_id)
    query = select(key, *_counts()).where(period.covers(SurveyResponse.submitted_at))
    return grouped(session, query, key, by, ids, value=lambda row: figure(_scores(row[1:])))


def nps(session, period, by, ids):
    return _survey_scores(session, period, by, ids, lambda scores: scores.nps)


def csat(session, period, by, ids):
    return _survey_scores(session, period, by, ids, lambda scores: scores.csat)


def survey_response_rate(session, period, by, ids):
    key = dimension(by, client=SurveyRecipient.client_id)
    query = select(key, func.count(SurveyRecipient.responded_at), func.count()).where(
        period.covers(SurveyRecipient.sent_at)
    )
    return grouped(session, query, key, by, ids, value=lambda row: percent(row[1], row[2]))


def mail_response_rate(session, period, by, ids):
    mail = OutboxMessage
    key = dimension(by, client=mail.client_id)
    query = select(key, func.count(mail.responded_at), func.count()).where(
        mail.channel == "email",
        mail.status.in_(("sent", "stored")),
        mail.client_id.is_not(None),
        period.covers(mail.created_at),
    )
    return grouped(session, query, key, by, ids, value=lambda row: percent(row[1], row[2]))


def activity_recency(session, period, by, ids):
    end = literal(period.end_at, Activity.at.type)
    last = select(Activity.client_id.label("client_id"), func.max(Activity.at).label("last_at"))
    last = last.where(Activity.client_id.is_not(None), Activity.at < end)
    if by == "client":
        query = select(Activity.client_id, days_between(func.max(Activity.at), end)).where(
            Activity.client_id.is_not(None), Activity.at < end
        )
        return grouped(session, query, Activity.client_id, by, ids)
    per_client = last.group_by(Activity.client_id).subquery()
    query = select(literal(ALL), func.avg(days_between(per_client.c.last_at, end)))
    return grouped(session, query, literal(ALL), by, ids)


CHURNED = "churned"
NOT_YET_CLIENT = ("lead", "prospect")


def churn_rate(session, period, by, ids):
    """Churned in the period ÷ active at its start, both over the same clients: the clients
    active at the start (created before it, neither a lead nor a prospect then, not churned
    before it), so a client created, or still a lead, at the start never counts and the rate
    is at most 100 %."""
    dimension(by)  # the agency only
    status = Activity.kind == "status"
    churn = and_(status, Activity.changes["status"][1].as_string() == CHURNED)
    churned_before = select(Activity.client_id).where(
        churn, Activity.at < period.start_at, Activity.client_id.is_not(None)
    )
    # A status move from lead or prospect at or after the start: it was not a client yet then.
    not_yet_client = select(Activity.client_id).where(
        status,
        Activity.changes["status"][0].as_string().in_(NOT_YET_CLIENT),
        Activity.at >= period.start_at,
        Activity.client_id.is_not(None),
    )
    active_at_start = select(Client.id).where(
        Client.created_at < period.start_at,
        Client.status.not_in(NOT_YET_CLIENT),
        Client.id.not_in(churned_before),
        Client.id.not_in(not_yet_client),
    )
    churned_in = select(func.count(distinct(Activity.client_id))).where(
        churn, period.covers(Activity.at), Activity.client_id.in_(active_at_start)
    )
    active = select(func.count()).select_from(active_at_start.subquery())
    query = select(literal(ALL), churned_in.scalar_subquery(), active.scalar_subquery())
    return grouped(session, query, literal(ALL), by, ids, value=lambda r: percent(r[1], r[2]))


for _kpi in (
    KPI(
        "nps",
        "Net promoter score",
        "score",
        "% promoters (9–10) − % detractors (0–6) of the NPS answers in the survey responses "
        "submitted in the period (submitted_at); −100 to 100.",
        "higher",
        nps,
        CLIENT_AND_AGENCY,
    ),
    KPI(
        "csat",
        "Customer satisfaction (CSAT)",
        "percent",
        "Share of the CSAT answers (1–5) that are 4 or 5 × 100, over the survey responses "
        "submitted in the period (submitted_at).",
        "higher",
        csat,
        CLIENT_AND_AGENCY,
    ),
    KPI(
        "survey_response_rate",
        "Survey response rate",
        "percent",
        "Survey invitations answered ÷ invitations sent × 100, over the invitations sent in "
        "the period (SurveyRecipient.sent_at).",
        "higher",
        survey_response_rate,
        CLIENT_AND_AGENCY,
    ),
    KPI(
        "mail_response_rate",
        "Mail response rate",
        "percent",
        "Emails to the client's contacts answered (a reply, a portal message or a survey "
        "answer within the response window) ÷ emails delivered × 100, over the emails "
        "created in the period.",
        "higher",
        mail_response_rate,
        CLIENT_AND_AGENCY,
    ),
    KPI(
        "activity_recency",
        "Days since last activity",
        "days",
        "Days from the client's last timeline activity before the period's end to that end "
        "(the agency: the average over clients with any activity).",
        "lower",
        activity_recency,
        CLIENT_AND_AGENCY,
    ),
    KPI(
        "churn_rate",
        "Churn rate",
        "percent",
        "Clients active at the period's start (created before it, not a lead or prospect "
        "then, not churned before it) whose status went to churned in the period (a status "
        "activity {status: [before, 'churned']}) ÷ the clients active at the period's start "
        "× 100; a client created or still a lead at the start counts in neither. Agency only.",
        "lower",
        churn_rate,
        ("agency",),
    ),
):
    register(_kpi)
