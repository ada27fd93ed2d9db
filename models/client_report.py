"""The monthly client report: what happened for one client in one calendar month.

Each figure is a grouped SQL query (a fixed number of queries, whatever the client's size):

- jobs opened / filled: job orders whose ``opened_at`` / ``filled_at`` falls in the month;
- placements: the ``placements`` KPI over the month (``models.kpis``);
- pipeline by stage: the client's applications at each pipeline stage now
  (``pipeline_metrics.applications_by_stage``);
- invoices issued: number and base-currency total (ROUND(total × rate at issue, 2)) of the
  invoices with an ``issue_date`` in the month (drafts and voids left out); paid: those whose
  ``paid_at`` is in the month; overdue: open invoices whose due date is before the month's end
  (what is still owed past due at the end of the month, by today's balances);
- NPS / CSAT: the survey results of the responses submitted in the month (``survey_results``);
- KPI targets: ``kpi_targets.scorecard`` over the month;
- KPIs: every registry KPI that has a per-client figure (``models.kpis.compute``), for the
  month, with its formula;
- health: the client's health score with each factor's contribution (``models.health``), as
  of the month's last day (or today, for the month under way) — for the agency's copy only
  (``audience="agency"``); the client's copy (``audience="client"``) never carries it.

The KPIs are the client-facing ones (``kpi_targets.TARGET_KPIS``): never costs or margins.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import Numeric, and_, case, func, select, type_coerce

from .billing import Invoice, base_currency
from .clients import Client
from .health import Health, health_scores
from .kpi_targets import TARGET_KPIS, KpiStatus, scorecard
from .kpis import KPI, Period, compute
from .pipeline_metrics import applications_by_stage
from .recruiting import JobOrder
from .revenue import COUNTED_STATUSES, month_start
from .survey_responses import Scores, survey_results

AMOUNT = Numeric(16, 2)


@dataclass
class MonthlyReport:
    client: Client
    month: date  # the first day of the month
    base_currency: str
    jobs_opened: int = 0
    jobs_filled: int = 0
    placements: int = 0
    pipeline: dict[str, int] = field(default_factory=dict)
    invoices_issued: int = 0
    issued_amount: Decimal = Decimal("0.00")
    invoices_paid: int = 0
    paid_amount: Decimal = Decimal("0.00")
    invoices_overdue: int = 0
    overdue_amount: Decimal = Decimal("0.00")
    surveys: Scores | None = None
    targets: list[KpiStatus] = field(default_factory=list)
    # (KPI, the client's value over the month) for every per-client KPI, in registry order
    kpis: list[tuple[KPI, Decimal | None]] = field(default_factory=list)
    health: Health | None = None
    audience: str = "agency"  # or "client": the copy mailed to the client's contacts
    show_billing: bool = True  # the admin page hides the invoices from roles without them

    @property
    def end(self) -> date:
        """The first day after the month."""
        return month_start(self.month, -1)

    @property
    def label(self) -> str:
        return self.month.strftime("%B %Y")

    @property
    def key(self) -> str:
        return self.month.strftime("%Y-%m")


def parse_month(raw: str | None) -> date | None:
    """'YYYY-MM' as the month's first day; None when missing, not a month, or outside the
    years 1900 to 9000."""
    try:
        month = datetime.strptime((raw or "").strip(), "%Y-%m").date()
    except ValueError:
        return None
    return month if 1900 <= month.year <= 9000 else None


def previous_month(today: date | None = None) -> date:
    return month_start(today or date.today(), 1)


def _at(day: date) -> datetime:
    return datetime.combine(day, time.min, UTC)


def _in(column, start: date, end: date):
    return and_(column >= _at(start), column < _at(end))


def _count(condition):
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _sum(condition, amount):
    return type_coerce(func.coalesce(func.sum(case((condition, amount), else_=0)), 0), AMOUNT)


def _money(value) -> Decimal:
    return Decimal(value or 0).quantize(Decimal("0.01"))


def monthly_report(
    session, client: Client, month: date, audience: str = "agency"
) -> MonthlyReport:
    """Client ``client``'s report for the month starting ``month`` (any day in it); the
    client's copy (``audience="client"``) leaves the health score out."""
    start = month_start(month)
    report = MonthlyReport(
        client=client, month=start, base_currency=base_currency(), audience=audience
    )
    end = report.end
    jobs = session.execute(
        select(
            _count(_in(JobOrder.opened_at, start, end)), _count(_in(JobOrder.filled_at, start, end))
        ).where(JobOrder.client_id == client.id)
    ).one()
    report.jobs_opened, report.jobs_filled = int(jobs[0]), int(jobs[1])
    figures = compute(list(TARGET_KPIS), Period(start, end), ids=[client.id], session=session)
    report.kpis = [(kpi, figures[key].get(client.id)) for key, kpi in TARGET_KPIS.items()]
    report.placements = int(figures["placements"].get(client.id) or 0)
    report.pipeline = applications_by_stage(session, [client.id])
    base = func.round(
        type_coerce(Invoice.total * func.coalesce(Invoice.exchange_rate, 1), AMOUNT), 2
    )
    owed = func.round(
        type_coerce(Invoice.balance * func.coalesce(Invoice.exchange_rate, 1), AMOUNT), 2
    )
    issued = and_(
        Invoice.status.in_(COUNTED_STATUSES),
        Invoice.issue_date >= start,
        Invoice.issue_date < end,
    )
    paid = _in(Invoice.paid_at, start, end)
    overdue = Invoice.overdue_clause(end)
    row = session.execute(
        select(
            _count(issued), _sum(issued, base), _count(paid), _sum(paid, base),
            _count(overdue), _sum(overdue, owed),
        ).where(Invoice.client_id == client.id, Invoice.kind == "invoice")
    ).one()
    report.invoices_issued, report.issued_amount = int(row[0]), _money(row[1])
    report.invoices_paid, report.paid_amount = int(row[2]), _money(row[3])
    report.invoices_overdue, report.overdue_amount = int(row[4]), _money(row[5])
    report.surveys = survey_results([client.id], start, end - timedelta(days=1)).overall
    report.targets = scorecard(session, client.id, start, end)
    if audience == "agency":
        as_of = min(end - timedelta(days=1), date.today())
        report.health = health_scores(session, [client.id], as_of=as_of).get(client.id)
    return report
