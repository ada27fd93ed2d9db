"""Service reports (issue 9, part 5): how well the service desk keeps its targets.

Each figure is one grouped SQL query over the tickets, whatever their number:

- **Response compliance**, by client and priority: of the tickets whose first response was due
  in the period, those answered by the target ÷ those answered or already past their target.
  A ticket still unanswered after its deadline is *missed*; one still unanswered before it is
  *pending* and counts in neither (it may still be met).
- **Resolution compliance**: the same with the resolution and its deadline.
- **Per client**: the first-time resolution rate (tickets closed in the period never reopened
  ÷ tickets closed in the period), the average first response time (tickets first answered
  in the period) and resolution time (tickets resolved in the period), in hours, and the
  CSAT (the ratings given in the period, 1–5): average and count.
- **Open tickets by age** and priority, at ``now``: 0–1 d, 1–3 d, 3–7 d, 7–30 d, 30+ d since
  raised (a bucket holds its lower bound: exactly 1 day old is 1–3 d).
- **Breaches**: the tickets whose response or resolution target fell in the period and was
  missed, with how late (up to ``now`` while still not done) and their escalation level.

``clients`` restricts every figure: a list of client ids or a ``select`` of them (the user's
``visible_client_ids``); ``None`` is every client. Periods are ``kpis.Period`` (half-open
days, UTC). The KPI registry reuses the conditions below (``kpi_service``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import and_, case, func, literal, or_, select

from .base import UTCDateTime, utcnow
from .clients import Client
from .kpis import Period, percent, rounded
from .sla import PRIORITIES
from .tickets import OPEN_STATUSES, Ticket, reference_for

AGE_BUCKETS = (("0–1 d", 0), ("1–3 d", 1), ("3–7 d", 3), ("7–30 d", 7), ("30+ d", 30))
HOURS_PLACES = 1
CSAT_PLACES = 2


# ---------------------------------------------------------------- the conditions (SQL)


def _at(now: datetime):
    return literal(now, UTCDateTime())


def met(done, due):
    """SQL: the step (``done`` timestamp column) came by its deadline ``due``."""
    return and_(done.is_not(None), done <= due)


def missed(done, due, now: datetime, stopped=None):
    """SQL: the step came after its deadline, or has not come and the deadline passed (never
    NULL, so that its negation is "not missed"); the clock reads ``stopped`` (a column) while it
    holds a time: a ticket waiting on the client is measured when its wait began."""
    clock = _at(now) if stopped is None else func.coalesce(stopped, _at(now))
    return or_(and_(done.is_not(None), done > due), and_(done.is_(None), due < clock))


def response_met():
    return met(Ticket.first_response_at, Ticket.response_due_at)


def response_missed(now: datetime):
    return missed(Ticket.first_response_at, Ticket.response_due_at, now)


def first_time():
    """SQL: never reopened (no rejected resolution)."""
    return func.coalesce(Ticket.reopened_count, 0) == 0


def hours(later, earlier):
    """SQL: the hours from ``earlier`` to ``later`` (fractional)."""
    return func.extract("epoch", later - earlier) / 3600


def _count(condition):
    return func.count().filter(condition)


def _scope(query, clients):
    return query if clients is None else query.where(Ticket.client_id.in_(clients))


# ---------------------------------------------------------------- compliance


@dataclass(frozen=True)
class Compliance:
    """One client's tickets of one priority whose target fell in the period."""

    client_id: int
    client: str
    priority: str
    met: int
    missed: int
    pending: int

    @property
    def measured(self) -> int:
        return self.met + self.missed

    @property
    def rate(self) -> Decimal | None:
        """Met ÷ (met + missed) × 100, None when nothing was measured yet."""
        return percent(self.met, self.measured)


def _compliance(session, period, clients, now, done, due, stopped=None) -> list[Compliance]:
    query = (
        select(
            Ticket.client_id,
            Client.name,
            Ticket.priority,
            _count(met(done, due)),
            _count(missed(done, due, now, stopped)),
            func.count(),
        )
        .join(Client, Client.id == Ticket.client_id)
        .where(period.covers(due))
        .group_by(Ticket.client_id, Client.name, Ticket.priority)
    )
    rows = session.execute(_scope(query, clients)).all()
    order = {p: i for i, p in enumerate(PRIORITIES)}
    rows.sort(key=lambda r: (r[1].lower(), r[0], order[r[2]]))
    return [
        Compliance(cid, name, prio, m, x, total - m - x) for cid, name, prio, m, x, total in rows
    ]


def response_compliance(session, period: Period, clients=None, now=None) -> list[Compliance]:
    return _compliance(
        session, period, clients, now or utcnow(), Ticket.first_response_at, Ticket.response_due_at
    )


def resolution_compliance(session, period: Period, clients=None, now=None) -> list[Compliance]:
    return _compliance(
        session,
        period,
        clients,
        now or utcnow(),
        Ticket.resolved_at,
        Ticket.resolution_due_at,
        Ticket.paused_at,
    )


def by_priority(rows: list[Compliance]) -> list[Compliance]:
    """All clients together, one row per priority (sums of the grouped rows)."""
    totals = {}
    for row in rows:
        met_n, missed_n, pending_n = totals.get(row.priority, (0, 0, 0))
        totals[row.priority] = (met_n + row.met, missed_n + row.missed, pending_n + row.pending)
    return [
        Compliance(0, "All clients", priority, *totals[priority])
        for priority in PRIORITIES
        if priority in totals
    ]


# ---------------------------------------------------------------- per client


@dataclass(frozen=True)
class ClientService:
    client_id: int
    client: str
    closed: int
    closed_first_time: int
    average_response_hours: Decimal | None
    average_resolution_hours: Decimal | None
    csat_average: Decimal | None
    csat_count: int

    @property
    def first_time_rate(self) -> Decimal | None:
        """Closed never reopened ÷ closed × 100."""
        return percent(self.closed_first_time, self.closed)


def client_service(session, period: Period, clients=None) -> list[ClientService]:
    """The first-time resolution, average times and CSAT of each client with any of them."""
    closed = period.covers(Ticket.closed_at)
    answered = period.covers(Ticket.first_response_at)
    resolved = period.covers(Ticket.resolved_at)
    rated = and_(period.covers(Ticket.rated_at), Ticket.rating.is_not(None))
    query = (
        select(
            Ticket.client_id,
            Client.name,
            _count(closed),
            _count(and_(closed, first_time())),
            func.avg(hours(Ticket.first_response_at, Ticket.created_at)).filter(answered),
            func.avg(hours(Ticket.resolved_at, Ticket.created_at)).filter(resolved),
            func.avg(Ticket.rating).filter(rated),
            _count(rated),
        )
        .join(Client, Client.id == Ticket.client_id)
        .where(or_(closed, answered, resolved, rated))
        .group_by(Ticket.client_id, Client.name)
        .order_by(func.lower(Client.name), Ticket.client_id)
    )
    return [
        ClientService(
            cid,
            name,
            int(closed_n),
            int(first_n),
            rounded(response, HOURS_PLACES),
            rounded(resolution, HOURS_PLACES),
            rounded(csat, CSAT_PLACES),
            int(rated_n),
        )
        for cid, name, closed_n, first_n, response, resolution, csat, rated_n in session.execute(
            _scope(query, clients)
        )
    ]


# ---------------------------------------------------------------- open tickets by age


def age_bucket(now: datetime):
    """SQL: the index in ``AGE_BUCKETS`` of a ticket's age at ``now``."""
    age = _at(now) - Ticket.created_at
    whens = [
        (age >= timedelta(days=low), index)
        for index, (_label, low) in reversed(list(enumerate(AGE_BUCKETS)))
        if low
    ]
    return case(*whens, else_=0)


def open_by_age(session, clients=None, now=None) -> dict[str, list[int]]:
    """{priority: [open tickets in each age bucket]}, every priority listed (zeros included)."""
    bucket = age_bucket(now or utcnow()).label("bucket")
    query = (
        select(Ticket.priority, bucket, func.count())
        .where(Ticket.status.in_(OPEN_STATUSES))
        .group_by(Ticket.priority, bucket)
    )
    table = {priority: [0] * len(AGE_BUCKETS) for priority in PRIORITIES}
    for priority, index, count in session.execute(_scope(query, clients)):
        table[priority][index] = int(count)
    return table


# ---------------------------------------------------------------- breaches


@dataclass(frozen=True)
class Breach:
    ticket_id: int
    client_id: int
    client: str
    subject: str
    priority: str
    status: str
    escalation_level: int
    response_due_at: datetime
    response_late_hours: Decimal | None  # None: the response was not missed
    resolution_due_at: datetime
    resolution_late_hours: Decimal | None

    @property
    def reference(self) -> str:
        return reference_for(self.ticket_id)


def breaches(session, period: Period, clients=None, now=None) -> list[Breach]:
    """The tickets whose response or resolution target fell in the period and was missed,
    the latest first (by how late the worse of the two is)."""
    now = now or utcnow()
    response_late = hours(func.coalesce(Ticket.first_response_at, _at(now)), Ticket.response_due_at)
    resolution_late = hours(
        func.coalesce(Ticket.resolved_at, Ticket.paused_at, _at(now)), Ticket.resolution_due_at
    )
    response_breached = and_(period.covers(Ticket.response_due_at), response_missed(now))
    resolution_breached = and_(
        period.covers(Ticket.resolution_due_at),
        missed(Ticket.resolved_at, Ticket.resolution_due_at, now, Ticket.paused_at),
    )
    query = (
        select(
            Ticket.id,
            Ticket.client_id,
            Client.name,
            Ticket.subject,
            Ticket.priority,
            Ticket.status,
            Ticket.escalation_level,
            Ticket.response_due_at,
            case((response_breached, response_late)),
            Ticket.resolution_due_at,
            case((resolution_breached, resolution_late)),
        )
        .join(Client, Client.id == Ticket.client_id)
        .where(or_(response_breached, resolution_breached))
        .order_by(
            func.greatest(
                func.coalesce(case((response_breached, response_late)), 0),
                func.coalesce(case((resolution_breached, resolution_late)), 0),
            ).desc(),
            Ticket.id,
        )
    )
    return [
        Breach(*row[:8], rounded(row[8], HOURS_PLACES), row[9], rounded(row[10], HOURS_PLACES))
        for row in session.execute(_scope(query, clients))
    ]


# ---------------------------------------------------------------- the whole report


@dataclass(frozen=True)
class ServiceReport:
    period: Period
    now: datetime
    response: list[Compliance]
    resolution: list[Compliance]
    clients: list[ClientService]
    open_by_age: dict[str, list[int]]
    breaches: list[Breach]

    @property
    def response_by_priority(self) -> list[Compliance]:
        return by_priority(self.response)

    @property
    def resolution_by_priority(self) -> list[Compliance]:
        return by_priority(self.resolution)


def service_report(session, period: Period, clients=None, now=None) -> ServiceReport:
    """Every figure of the report over ``period`` for ``clients`` (five queries)."""
    now = now or utcnow()
    return ServiceReport(
        period,
        now,
        response_compliance(session, period, clients, now),
        resolution_compliance(session, period, clients, now),
        client_service(session, period, clients),
        open_by_age(session, clients, now),
        breaches(session, period, clients, now),
    )
