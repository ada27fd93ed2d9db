"""The admin home page's charts: each section's figures come from ``models`` (one grouped
query or a fixed few each) and are drawn with ``admin.charts``; the view only picks the
sections the user's role may read.

"""

from __future__ import annotations

from datetime import date

from markupsafe import Markup
from sqlalchemy import select

from models.aging import aging_report
from models.billing import base_currency
from models.candidates import PIPELINE, STAGE_LABELS
from models.clients import Client
from models.health import Health, clients_at_risk
from models.kpis import Period
from models.pipeline_metrics import applications_by_stage
from models.revenue import month_start, revenue_by_month
from models.survey_responses import survey_results
from models.utilization import usage

from .aging import aging_chart
from .charts import Bar, bar_chart, hbar_chart
from .surveys import trend_svg


def funnel_chart(session, visible) -> Markup:
    """Applications by the stage they are at now (rejected and withdrawn left out)."""
    counts = applications_by_stage(session, visible)
    bars = [Bar(stage, STAGE_LABELS[stage], counts[stage]) for stage in PIPELINE]
    return hbar_chart("funnel", bars, "Applications by pipeline stage")


def receivables_chart(visible, today: date | None = None) -> Markup:
    """Open receivables by days overdue, in the base currency (``models.aging``)."""
    report = aging_report(today or date.today(), None, visible)
    return aging_chart(report, "receivables-aging", horizontal=True)


def revenue_chart(session, visible, today: date | None = None) -> Markup:
    """Revenue invoiced per month over the last 12 months, in the base currency."""
    months = revenue_by_month(session, 12, today, visible)
    bars = [Bar(m.month, m.label[:3], m.amount) for m in months]
    return bar_chart("revenue", bars, f"Revenue invoiced per month in {base_currency()}")


def nps_chart(visible, today: date | None = None) -> Markup:
    """NPS and CSAT per month over the last 12 months (the survey results' trend)."""
    today = today or date.today()
    since = month_start(today, 11)
    return trend_svg(survey_results(visible, since, today).months)


def clients_at_risk_section(session, visible, limit: int = 5) -> list[tuple[Health, str]]:
    """The clients the user may see most at risk of churning, lowest health score first, each
    with its name (``models.health.clients_at_risk``)."""
    client_ids = session.scalars(
        select(Client.id).where(Client.id.in_(visible), Client.archived.is_(False))
    ).all()
    flagged = clients_at_risk(session, limit, client_ids=client_ids)
    names = dict(
        session.execute(
            select(Client.id, Client.name).where(Client.id.in_([h.client_id for h in flagged]))
        ).all()
    )
    return [(health, names[health.client_id]) for health in flagged]


def utilization_section(session, today: date | None = None) -> Markup:
    """Each staff user's utilization over the last four weeks (``models.utilization.usage``:
    hours logged ÷ capacity hours × 100), as horizontal bars; one query."""
    rows = usage(session, Period.last_days(28, today))
    bars = [Bar(str(row.user_id), row.name, row.utilization) for row in rows]
    return hbar_chart(
        "utilization", bars, "Utilization over the last 4 weeks (%)", fmt=_percent_label
    )


def _percent_label(value) -> str:
    return "—" if value is None else f"{value} %"
