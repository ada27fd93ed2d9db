"""Pipeline metrics computed from the kept dates, in SQL: time-to-fill and stage conversion.

Every figure here is one grouped query over the job orders' workflow stamps
(``JobOrder.opened_at`` and ``filled_at``) or the applications' stage moves
(``ApplicationStageChange``); nothing loops over rows in Python, so a pipeline of thousands
of applications costs the same few queries as one of five.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Float, case, func, literal, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import FunctionElement

from .base import utcnow
from .candidates import PIPELINE, STAGE_LABELS, Application, ApplicationStageChange
from .recruiting import JobOrder


class days_between(FunctionElement):
    """SQL: the days (a fraction) from the first timestamp argument to the second."""

    type = Float()
    inherit_cache = True
    name = "days_between"


@compiles(days_between)
def _days_between_postgresql(element, compiler, **kw):
    start, end = list(element.clauses)
    return (
        f"(EXTRACT(EPOCH FROM ({compiler.process(end, **kw)} - {compiler.process(start, **kw)}))"
        " / 86400.0)"
    )


@compiles(days_between, "sqlite")
def _days_between_sqlite(element, compiler, **kw):
    start, end = list(element.clauses)
    return (
        f"(julianday({compiler.process(end, **kw)}) - julianday({compiler.process(start, **kw)}))"
    )


# ---------------------------------------------------------------- time-to-fill


@dataclass(frozen=True)
class FillTime:
    """A job order's time-to-fill in whole days; ``filled`` False means "days open so far"."""

    days: int
    filled: bool


def time_to_fill(session, job_ids, as_of: datetime | None = None) -> dict[int, FillTime]:
    """{job order id: FillTime} for the given job orders, in one query.

    Formula: ``filled_at − opened_at`` in days (rounded down) for a filled order; for an order
    still open (no ``filled_at``), ``as_of − opened_at`` (now by default): the days open so
    far. An order that never opened (no ``opened_at``) has no time-to-fill and is left out.
    """
    now = literal(as_of or utcnow(), JobOrder.opened_at.type)
    rows = session.execute(
        select(
            JobOrder.id,
            func.floor(days_between(JobOrder.opened_at, func.coalesce(JobOrder.filled_at, now))),
            JobOrder.filled_at.is_not(None),
        ).where(JobOrder.id.in_(list(job_ids)), JobOrder.opened_at.is_not(None))
    )
    return {job_id: FillTime(int(days), bool(filled)) for job_id, days, filled in rows}


def average_time_to_fill(session, client_ids) -> dict[int, float]:
    """{client id: average days to fill} over each client's filled job orders, in one query.

    Formula: ``AVG(filled_at − opened_at)`` in days over the client's job orders that have both
    stamps (filled, and closed after filling); orders still open do not count, since their
    time-to-fill is not known yet. A client with no filled order is left out. One decimal.
    """
    rows = session.execute(
        select(JobOrder.client_id, func.avg(days_between(JobOrder.opened_at, JobOrder.filled_at)))
        .where(
            JobOrder.client_id.in_(list(client_ids)),
            JobOrder.opened_at.is_not(None),
            JobOrder.filled_at.is_not(None),
        )
        .group_by(JobOrder.client_id)
    )
    return {client_id: round(float(days), 1) for client_id, days in rows}


# ---------------------------------------------------------------- stage conversion


@dataclass(frozen=True)
class StageConversion:
    """How many applications reached ``stage``; the share of them that reached the next one."""

    stage: str
    label: str
    reached: int
    to_next: float | None  # percent, one decimal; None for the last stage or none reached
    avg_days: float | None = None  # days spent in the stage before leaving it, one decimal


def stage_conversion(session, job_id: int) -> list[StageConversion]:
    """The funnel of job order ``job_id``: one ``StageConversion`` per stage of ``PIPELINE``.

    Formula: an application *reached* stage S when one of its kept stage moves went to S or to
    a later pipeline stage (a candidate added straight at "submitted" has passed "screened");
    moves to rejected or withdrawn do not count, so a rejected candidate counts up to the
    furthest stage it got to. ``reached(S)`` is the number of the job order's applications
    whose furthest stage is S or later, and the conversion to the next stage is
    ``reached(next) / reached(S) × 100``. One statement: the furthest stage per application
    (grouped), then a count per stage over it.

    ``avg_days`` is the average time applications spent in S before they left it (forward or
    out): for each kept move out of S, its ``at`` minus the ``at`` of the move before it (the
    one into S, taken with ``LAG`` over the application's moves in order), averaged per stage.
    Applications still in S do not count.
    """
    rank = case(
        *(
            (ApplicationStageChange.to_stage == stage, index)
            for index, stage in enumerate(PIPELINE)
        ),
        else_=None,
    )
    furthest = (
        select(func.max(rank).label("furthest"))
        .join(Application, Application.id == ApplicationStageChange.application_id)
        .where(Application.job_order_id == job_id)
        .group_by(ApplicationStageChange.application_id)
        .subquery()
    )
    counts = session.execute(
        select(
            *(
                func.coalesce(func.sum(case((furthest.c.furthest >= index, 1), else_=0)), 0)
                for index in range(len(PIPELINE))
            )
        )
    ).one()
    reached = [int(count) for count in counts]
    dwell = _days_in_stage(session, job_id)
    funnel = []
    for index, stage in enumerate(PIPELINE):
        following = reached[index + 1] if index + 1 < len(PIPELINE) else None
        share = (
            round(100 * following / reached[index], 1)
            if following is not None and reached[index]
            else None
        )
        funnel.append(
            StageConversion(stage, STAGE_LABELS[stage], reached[index], share, dwell.get(stage))
        )
    return funnel


def _days_in_stage(session, job_id: int) -> dict[str, float]:
    """{stage: average days spent in it before leaving} for job order ``job_id``."""
    change = ApplicationStageChange
    entered = func.lag(change.at).over(
        partition_by=change.application_id, order_by=(change.at, change.id)
    )
    moves = (
        select(change.from_stage.label("stage"), days_between(entered, change.at).label("days"))
        .join(Application, Application.id == change.application_id)
        .where(Application.job_order_id == job_id)
        .subquery()
    )
    rows = session.execute(
        select(moves.c.stage, func.avg(moves.c.days))
        .where(moves.c.stage.is_not(None), moves.c.days.is_not(None))
        .group_by(moves.c.stage)
    )
    return {stage: round(float(days), 1) for stage, days in rows}


# ---------------------------------------------------------------- where applications stand


def applications_by_stage(session, client_ids=None) -> dict[str, int]:
    """{pipeline stage: applications now at it}, every ``PIPELINE`` stage (0 when none), for
    the job orders of ``client_ids`` (a list or a SELECT of ids; None: every client). One
    grouped query; applications rejected or withdrawn are left out."""
    query = (
        select(Application.stage, func.count(Application.id))
        .where(Application.stage.in_(PIPELINE))
        .group_by(Application.stage)
    )
    if client_ids is not None:
        query = query.join(JobOrder, JobOrder.id == Application.job_order_id).where(
            JobOrder.client_id.in_(client_ids)
        )
    counts = dict(session.execute(query).all())
    return {stage: int(counts.get(stage, 0)) for stage in PIPELINE}
