"""Finance › Aging report: what clients owe by days overdue, as of a date, for the clients the
user may see (``models.aging``, one SQL query): a table per client and currency with the
totals, the base-currency view, a bar chart drawn on the server (SVG, no script), and a CSV
export with one row per client and currency."""

from __future__ import annotations

from datetime import date

from flask import abort, flash, request
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from sqlalchemy import select

from extensions import db
from models import Client, visible_client_ids
from models.aging import BUCKET_KEYS, BUCKET_LABELS, AgingReport, aging_report

from .base import id_fits
from .charts import Bar, bar_chart, hbar_chart
from .csv_export import csv_response
from .roles import RESOURCE_PERMISSIONS
from .visibility import acting_user, client_is_visible

AGING_COLORS = {"current": "#15803d", "over_90": "#be123c"}  # the others: amber


def aging_chart(report: AgingReport, name: str = "aging-chart", horizontal: bool = False):
    """The base-currency open balances by bucket as a server-drawn bar chart (the tallest bar
    fills the plot's 200 pixels); ``horizontal`` for the home page's narrower panel."""
    totals = report.base_totals()
    bars = [
        Bar(key, BUCKET_LABELS[key], totals[key], AGING_COLORS.get(key, "#b45309"))
        for key in BUCKET_KEYS
    ]
    label = f"Open balances in {report.base_currency} by days overdue"
    if horizontal:
        return hbar_chart(name, bars, label)
    return bar_chart(name, bars, label, width=600, height=252)


CSV_HEADER = (
    "client",
    "currency",
    *(BUCKET_LABELS[key] for key in BUCKET_KEYS),
    "total",
)


def csv_rows(report: AgingReport) -> list[list]:
    """One row per client and currency: the buckets, the total, and the total in the base
    currency."""
    return [
        [
            row.client_name,
            row.currency,
            *(row.buckets[key] for key in BUCKET_KEYS),
            row.total,
            row.base_total,
        ]
        for row in report.rows
    ]


class AgingReportView(BaseView):
    """The aging report page and its CSV export (Payment resource: read)."""

    route_base = "/aging"
    default_view = "index"
    class_permission_name = "Payment"
    base_permissions = RESOURCE_PERMISSIONS["Payment"]
    method_permission_name = {"index": "read", "export": "read"}

    def _report(self) -> tuple[AgingReport, str, int | None]:
        """The report for ``?as_of=`` (today when missing or not a date) and ``?client=``.

        :raise 404: for a client the user may not see.
        """
        raw = (request.args.get("as_of") or "").strip()
        as_of = date.today()
        if raw:
            try:
                as_of = date.fromisoformat(raw)
            except ValueError:
                flash(f"As of must be a date as YYYY-MM-DD; showing today ({as_of}).", "danger")
        client_raw = (request.args.get("client") or "").strip()
        client_id = None
        if client_raw:
            client_id = int(client_raw) if id_fits(client_raw) else None
            if not client_is_visible(client_id):
                abort(404)
        visible = visible_client_ids(acting_user())
        return aging_report(as_of, client_id, visible), as_of.isoformat(), client_id

    @expose("/")
    @has_access
    def index(self):
        """The report as of a date, for every visible client or one."""
        report, as_of, client_id = self._report()
        clients = db.session.execute(
            select(Client.id, Client.name)
            .where(Client.id.in_(visible_client_ids(acting_user())), Client.archived.is_(False))
            .order_by(Client.name)
        ).all()
        return self.render_template(
            "admin/aging.html",
            report=report,
            as_of=as_of,
            client_id=client_id,
            clients=clients,
            buckets=[(key, BUCKET_LABELS[key]) for key in BUCKET_KEYS],
            chart=aging_chart(report),
        )

    @expose("/csv")
    @has_access
    def export(self):
        """The report as CSV, one row per client and currency."""
        report, as_of, _client_id = self._report()
        header = [*CSV_HEADER, f"total in {report.base_currency}"]
        return csv_response(f"aging-{as_of}.csv", header, csv_rows(report))
