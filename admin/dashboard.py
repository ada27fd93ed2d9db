"""The admin home page's charts: each section's figures come from ``models`` (one grouped
query or a fixed few each) and are drawn with ``admin.charts``; the view only picks the
sections the user's role may read.

INTEGRATION POINTS (lead, at merge): ``utilization_section`` and ``clients_at_risk_section``
look for ``models.utilization`` and ``models.health``; until those modules land they return
None and the home page shows nothing for them.
"""

from __future__ import annotations

import importlib
import importlib.util
from pathlib import Path
from datetime import date

from markupsafe import Markup

from models.aging import aging_report
from models.billing import base_currency
from models.candidates import PIPELINE, STAGE_LABELS
from models.pipeline_metrics import applications_by_stage
from models.revenue import month_start, revenue_by_month
from models.survey_responses import survey_results

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


def _optional(module: str, name: str):
    """``module.name`` when the module is part of this tree's ``models`` package, else None
    (an editable install must not lend a module from another checkout)."""
    import models

    try:
        spec = importlib.util.find_spec(module)
    except (ImportError, ValueError):
        return None
    here = Path(models.__file__).resolve().parent
    if spec is None or not spec.origin or not Path(spec.origin).resolve().is_relative_to(here):
        return None
    return getattr(importlib.import_module(module), name, None)


def clients_at_risk_section(session, limit: int = 5):
    """The clients most at risk (``models.health.clients_at_risk``), or None before it lands."""
    clients_at_risk = _optional("models.health", "clients_at_risk")
    if clients_at_risk is None:
        return None
    return clients_at_risk(session, limit)


def utilization_section(session, today: date | None = None):
    """Recruiter utilization (``models.utilization``), or None before it lands.

    INTEGRATION POINT: the lead calls the module's per-recruiter function here and returns
    its rows (and adds the rows' table or chart in templates/admin/index.html)."""
    if _optional("models.utilization", "__name__") is None:
        return None
    return None  # INTEGRATION POINT: the module's per-recruiter rows




