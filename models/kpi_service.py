"""Service desk KPIs (issue 9): ticket response-time compliance, first-time resolution rate
and ticket CSAT, cut by client, by assignee (the recruiter dimension) and for the agency.

The conditions are the service reports' (``service_reports``), so the KPI and the report's
figure agree: a ticket whose response was due in the period and is still unanswered past its
deadline now is missed, one unanswered before its deadline is not counted yet.
"""

from __future__ import annotations

from sqlalchemy import and_, func, select

from .base import utcnow
from .kpis import KPI, dimension, grouped, percent, register, rounded
from .service_reports import CSAT_PLACES, first_time, response_met, response_missed
from .tickets import Ticket

SERVICE_DIMENSIONS = ("client", "recruiter", "agency")


def _key(by):
    return dimension(by, client=Ticket.client_id, recruiter=Ticket.assignee_id)


def _grouped(session, query, by, ids, value):
    """``grouped`` over the tickets; by recruiter, the unassigned ones are in no group."""
    key = _key(by)
    if by == "recruiter":
        query = query.where(Ticket.assignee_id.is_not(None))
    return grouped(session, query, key, by, ids, value=value)


def response_compliance(session, period, by, ids):
    key = _key(by)
    now = utcnow()
    query = select(
        key,
        func.count().filter(response_met()),
        func.count().filter(response_missed(now)),
    ).where(period.covers(Ticket.response_due_at))
    return _grouped(session, query, by, ids, lambda row: percent(row[1], row[1] + row[2]))


def first_time_resolution(session, period, by, ids):
    key = _key(by)
    query = select(key, func.count().filter(first_time()), func.count()).where(
        period.covers(Ticket.closed_at)
    )
    return _grouped(session, query, by, ids, lambda row: percent(row[1], row[2]))


def ticket_csat(session, period, by, ids):
    key = _key(by)
    query = select(key, func.avg(Ticket.rating)).where(
        and_(period.covers(Ticket.rated_at), Ticket.rating.is_not(None))
    )
    return _grouped(session, query, by, ids, lambda row: rounded(row[1], CSAT_PLACES))


for _kpi in (
    KPI(
        "ticket_response_compliance",
        "Ticket response-time compliance",
        "percent",
        "Tickets whose first response was due in the period (response_due_at) and came by "
        "that deadline ÷ those answered or already past it (an unanswered ticket past its "
        "deadline is missed; one before it is not counted yet) × 100. By assignee for the "
        "recruiter cut.",
        "higher",
        response_compliance,
        SERVICE_DIMENSIONS,
    ),
    KPI(
        "first_time_resolution_rate",
        "First-time resolution rate",
        "percent",
        "Tickets closed in the period (closed_at) that were never reopened (no rejected "
        "resolution) ÷ tickets closed in the period × 100.",
        "higher",
        first_time_resolution,
        SERVICE_DIMENSIONS,
    ),
    KPI(
        "ticket_csat",
        "Ticket CSAT",
        "score",
        "The average of the clients' ratings (1–5) of their closed tickets, over the ratings "
        "given in the period (rated_at).",
        "higher",
        ticket_csat,
        SERVICE_DIMENSIONS,
    ),
):
    register(_kpi)
