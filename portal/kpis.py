"""The portal dashboard's "Your KPIs against agreed targets": the logged-in client's targets
(``models.kpi_targets.scorecard``, bound to ``current_client()`` like every portal read) and
a bar chart of each figure with its target marked."""

from __future__ import annotations

from admin.charts import Bar, bar_chart
from extensions import db
from models.kpi_targets import scorecard

from .access import current_client

MET_COLORS = {True: "#15803d", False: "#be123c", None: "#9ca3af"}


def my_scorecard():
    """(rows, chart) for the logged-in client; rows are ``KpiStatus``; ([], "") with no target."""
    rows = scorecard(db.session, current_client().id)
    bars = [Bar(row.key, row.label, row.value, MET_COLORS[row.met]) for row in rows]
    chart = bar_chart(
        "kpi-targets",
        bars,
        "Your KPIs against the agreed targets",
        markers={row.key: row.target for row in rows},
        width=max(320, 110 * len(rows)),
    )
    return rows, chart
