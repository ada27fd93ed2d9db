"""Churn-risk and growth flags: named rules, each stated in words, fired on the figures the
health score already has plus three grouped queries over all clients (the last NPS answer,
revenue in the last two 90-day periods, job orders opened in the last two 90-day periods).

Churn risk (any one fires the flag):

- ``low_score``: the health score is below ``LOW_SCORE`` (40).
- ``score_drop``: the score is ``DROP_POINTS`` (15) or more below the snapshot of
  ``DROP_DAYS`` (30) days before (the latest snapshot on or before that day).
- ``no_engagement``: nothing from the client (a portal sign-in, a message, a survey answer,
  an evaluation, a reply to the agency's mail) for ``SILENT_DAYS`` (60) days.
- ``long_overdue``: an invoice more than 60 days overdue (the aging report's 61–90 and over-90
  buckets, in the base currency).
- ``nps_detractor``: the client's latest NPS answer is a detractor (0–6).

Growth opportunity:

- ``strong_and_growing``: a score of ``GROWTH_SCORE`` (75) or more and revenue invoiced in the
  last 90 days above the 90 days before.
- ``promoter_more_jobs``: the latest NPS answer is a promoter (9–10) and more job orders opened
  in the last 90 days than in the 90 days before.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import case, func, select

from .billing import Invoice
from .health_factors import end_of
from .recruiting import JobOrder
from .revenue import COUNTED_STATUSES, signed_base_amount
from .survey_responses import DETRACTOR_MAX, PROMOTER_MIN, SurveyResponse

LOW_SCORE = 40
DROP_POINTS = 15
DROP_DAYS = 30
SILENT_DAYS = 60
LONG_OVERDUE_DAYS = 60
GROWTH_SCORE = 75
PERIOD_DAYS = 90


@dataclass
class Flag:
    kind: str  # "churn_risk" | "growth"
    rule_key: str
    rule: str
    detail: dict = field(default_factory=dict)

    def as_json(self) -> dict:
        return {
            "kind": self.kind,
            "rule_key": self.rule_key,
            "rule": self.rule,
            "detail": {k: _plain(v) for k, v in self.detail.items()},
        }


def _plain(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


RULES = {
    "low_score": ("churn_risk", f"The health score is below {LOW_SCORE}."),
    "score_drop": (
        "churn_risk",
        f"The score is {DROP_POINTS} or more points below the snapshot of {DROP_DAYS} days before.",
    ),
    "no_engagement": (
        "churn_risk",
        f"Nothing from the client (portal sign-in, message, survey answer, evaluation, mail "
        f"reply) for {SILENT_DAYS} days or more.",
    ),
    "long_overdue": ("churn_risk", f"An invoice more than {LONG_OVERDUE_DAYS} days overdue."),
    "nps_detractor": ("churn_risk", f"The latest NPS answer is a detractor (0–{DETRACTOR_MAX})."),
    "strong_and_growing": (
        "growth",
        f"A score of {GROWTH_SCORE} or more and revenue invoiced in the last {PERIOD_DAYS} days "
        f"above the {PERIOD_DAYS} days before.",
    ),
    "promoter_more_jobs": (
        "growth",
        f"The latest NPS answer is a promoter ({PROMOTER_MIN}–10) and more job orders opened in "
        f"the last {PERIOD_DAYS} days than in the {PERIOD_DAYS} days before.",
    ),
}


def flag(rule_key: str, **detail) -> Flag:
    kind, rule = RULES[rule_key]
    return Flag(kind, rule_key, rule, detail)


def _in(column, client_ids):
    return [] if client_ids is None else [column.in_(list(client_ids) or [-1])]


def last_nps(session, client_ids, as_of: date) -> dict[int, int]:
    """{client id: the NPS score of its latest answer with one} submitted by ``as_of``."""
    r = SurveyResponse
    ranked = (
        select(
            r.client_id,
            r.nps_score,
            func.row_number()
            .over(partition_by=r.client_id, order_by=(r.submitted_at.desc(), r.id.desc()))
            .label("n"),
        )
        .where(r.nps_score.is_not(None), r.submitted_at < end_of(as_of))
        .where(*_in(r.client_id, client_ids))
        .subquery()
    )
    rows = session.execute(select(ranked.c.client_id, ranked.c.nps_score).where(ranked.c.n == 1))
    return {cid: int(score) for cid, score in rows}


def two_periods(as_of: date) -> tuple[date, date, date]:
    """(start of the previous period, start of the last period, end of the last) as dates:
    the last period is the ``PERIOD_DAYS`` days ending on ``as_of``."""
    last_start = as_of - timedelta(days=PERIOD_DAYS - 1)
    return last_start - timedelta(days=PERIOD_DAYS), last_start, as_of


def revenue_periods(session, client_ids, as_of: date) -> dict[int, tuple[Decimal, Decimal]]:
    """{client id: (revenue of the previous period, of the last)} in the base currency: the
    same revenue as the KPIs and the home page (``revenue.signed_base_amount``: invoices minus
    credit notes issued in each period, not void, not drafts)."""
    prev_start, last_start, end = two_periods(as_of)
    amount = signed_base_amount()
    last = Invoice.issue_date >= last_start
    rows = session.execute(
        select(
            Invoice.client_id,
            func.coalesce(func.sum(case((~last, amount), else_=0)), 0),
            func.coalesce(func.sum(case((last, amount), else_=0)), 0),
        )
        .where(
            Invoice.status.in_(COUNTED_STATUSES),
            Invoice.issue_date >= prev_start,
            Invoice.issue_date <= end,
            *_in(Invoice.client_id, client_ids),
        )
        .group_by(Invoice.client_id)
    )
    cents = Decimal("0.01")
    return {
        cid: (Decimal(prev).quantize(cents), Decimal(cur).quantize(cents))
        for cid, prev, cur in rows
    }


def jobs_opened_periods(session, client_ids, as_of: date) -> dict[int, tuple[int, int]]:
    """{client id: (job orders opened in the previous period, in the last)}."""
    prev_start, last_start, end = two_periods(as_of)
    start = datetime.combine(prev_start, time.min, UTC)
    middle = datetime.combine(last_start, time.min, UTC)
    last = JobOrder.opened_at >= middle
    rows = session.execute(
        select(
            JobOrder.client_id,
            func.coalesce(func.sum(case((last, 0), else_=1)), 0),
            func.coalesce(func.sum(case((last, 1), else_=0)), 0),
        )
        .where(JobOrder.opened_at >= start, JobOrder.opened_at < end_of(end))
        .where(*_in(JobOrder.client_id, client_ids))
        .group_by(JobOrder.client_id)
    )
    return {cid: (int(prev), int(cur)) for cid, prev, cur in rows}


@dataclass
class FlagInputs:
    """The per-client figures the rules read (each a dict by client id)."""

    nps: dict
    revenue: dict
    jobs: dict
    month_ago: dict  # {client id: HealthSnapshot on or before as_of − DROP_DAYS}


def evaluate(client_id: int, score: int | None, figures: dict, inputs: FlagInputs) -> list[Flag]:
    """The fired rules for one client, from its score, its factor figures
    (``{factor key: FactorFigure}``) and ``inputs``."""
    flags = []
    if score is not None and score < LOW_SCORE:
        flags.append(flag("low_score", score=score, threshold=LOW_SCORE))
    before = inputs.month_ago.get(client_id)
    if score is not None and before is not None and before.score is not None:
        if before.score - score >= DROP_POINTS:
            flags.append(
                flag("score_drop", score=score, before=before.score, on=before.taken_on,
                     drop=before.score - score)
            )
    engagement = figures.get("engagement")
    if engagement is not None and engagement.value >= SILENT_DAYS:
        flags.append(flag("no_engagement", days=int(engagement.value)))
    payment = figures.get("payment")
    if payment is not None and payment.detail.get("over_60_days", 0) > 0:
        flags.append(flag("long_overdue", amount=payment.detail["over_60_days"]))
    nps = inputs.nps.get(client_id)
    if nps is not None and nps <= DETRACTOR_MAX:
        flags.append(flag("nps_detractor", nps_answer=nps))
    prev, cur = inputs.revenue.get(client_id, (Decimal(0), Decimal(0)))
    if score is not None and score >= GROWTH_SCORE and cur > prev:
        flags.append(flag("strong_and_growing", score=score, revenue_last=cur, revenue_before=prev))
    opened_before, opened_last = inputs.jobs.get(client_id, (0, 0))
    if nps is not None and nps >= PROMOTER_MIN and opened_last > opened_before:
        flags.append(
            flag("promoter_more_jobs", nps_answer=nps, jobs_last=opened_last,
                 jobs_before=opened_before)
        )
    return flags
