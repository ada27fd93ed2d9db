"""Reports › Service reports: how the service desk kept its targets over a period (a preset, or
first and last day; the last 90 days by default), for the clients the user may see or one of
them: response and resolution compliance by client and priority, first-time resolution,
average times and CSAT by client, open tickets by age and priority, and the breaches. Each
table exports to CSV (``csv_export``). The figures are ``models.service_reports``'s; this page
reads the filters and lays them out."""

from __future__ import annotations

from collections import namedtuple
from dataclasses import dataclass

from flask import Response, abort, request
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from sqlalchemy import func, select

from extensions import db
from models import Client, visible_client_ids
from models.kpis import KpiError, Period
from models.service_reports import AGE_BUCKETS, ServiceReport, service_report
from models.sla import PRIORITIES

from .base import id_fits
from .csv_export import csv_response
from .kpis import PRESETS, period_from
from .roles import RESOURCE_PERMISSIONS
from .visibility import acting_user, client_is_visible

Table = namedtuple("Table", "key title header rows")
COMPLIANCE_HEADER = ["Met", "Missed", "Pending", "Compliance %"]


class UnknownClientError(KpiError):
    status_code = 404


@dataclass(frozen=True)
class Scope:
    period: Period
    client_id: int | None  # one client, or None: every client the user may see

    @property
    def clients(self):
        if self.client_id is not None:
            return [self.client_id]
        return visible_client_ids(acting_user())


def scope_from(args, start: str = "start", end: str = "end") -> Scope:
    """The period (``preset``, or ``start`` and ``end``, named as the caller's query string
    names them) and the client of the request.

    :raise KpiError: naming the field for a bad date or preset, a client id that is not one;
        ``UnknownClientError`` (404) for a client the user may not see.
    """
    try:
        period = period_from(
            {"preset": args.get("preset"), "start": args.get(start), "end": args.get(end)}
        )
    except KpiError as error:
        field = {"start": start, "end": end}.get(error.field, error.field)
        raise KpiError(error.message, field) from None
    raw = (args.get("client_id") or "").strip()
    if not raw:
        return Scope(period, None)
    if not id_fits(raw):
        raise KpiError(f"'{raw[:40]}' is not a client id.", "client_id")
    if not client_is_visible(int(raw)):
        raise UnknownClientError("No such client.", "client_id")
    return Scope(period, int(raw))


def _figure(value) -> str:
    return "" if value is None else str(value)


def _compliance_rows(rows) -> list[list]:
    return [[r.client, r.priority, r.met, r.missed, r.pending, _figure(r.rate)] for r in rows]


def _stamp(value) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value else ""


def report_tables(report: ServiceReport) -> list[Table]:
    """The page's tables as rows of display values (the CSVs are the same rows)."""
    ages = report.open_by_age
    return [
        Table("response", "Response-time compliance by client and priority",
              ["Client", "Priority", *COMPLIANCE_HEADER], _compliance_rows(report.response)),
        Table("response_priority", "Response-time compliance by priority (all these clients)",
              ["Clients", "Priority", *COMPLIANCE_HEADER],
              _compliance_rows(report.response_by_priority)),
        Table("resolution", "Resolution compliance by client and priority",
              ["Client", "Priority", *COMPLIANCE_HEADER], _compliance_rows(report.resolution)),
        Table("clients", "First-time resolution, average times and CSAT by client",
              ["Client", "Closed", "Closed never reopened", "First-time resolution %",
               "Average first response (h)", "Average resolution (h)", "CSAT average (1–5)",
               "Ratings"],
              [[c.client, c.closed, c.closed_first_time, _figure(c.first_time_rate),
                _figure(c.average_response_hours), _figure(c.average_resolution_hours),
                _figure(c.csat_average), c.csat_count] for c in report.clients]),
        Table("age", f"Open tickets by age and priority (now, {_stamp(report.now)} UTC)",
              ["Priority", *(label for label, _low in AGE_BUCKETS), "Total"],
              [[p, *ages[p], sum(ages[p])] for p in PRIORITIES if sum(ages[p])]),
        Table("breaches", "Breaches (response or resolution target missed)",
              ["Ticket", "Client", "Subject", "Priority", "Status", "Response due",
               "Response late (h)", "Resolution due", "Resolution late (h)", "Escalation level"],
              [[b.reference, b.client, b.subject, b.priority, b.status,
                _stamp(b.response_due_at), _figure(b.response_late_hours),
                _stamp(b.resolution_due_at), _figure(b.resolution_late_hours),
                b.escalation_level] for b in report.breaches]),
    ]  # fmt: skip


class ServiceReportView(BaseView):
    """The service reports and their CSV exports (ServiceReport resource: read)."""

    route_base = "/service-reports"
    default_view = "index"
    class_permission_name = "ServiceReport"
    base_permissions = RESOURCE_PERMISSIONS["ServiceReport"]
    method_permission_name = {"index": "read", "export": "read"}

    @expose("/")
    @has_access
    def index(self):
        error = None
        try:
            scope = scope_from(request.args)
        except KpiError as problem:
            error, scope = problem, Scope(period_from({}), None)
        report = service_report(db.session, scope.period, scope.clients)
        clients = db.session.execute(
            select(Client.id, Client.name)
            .where(Client.id.in_(visible_client_ids(acting_user())), Client.archived.is_(False))
            .order_by(func.lower(Client.name))
        ).all()
        return self.render_template(
            "admin/service_reports.html",
            scope=scope,
            report=report,
            tables=report_tables(report),
            presets=PRESETS,
            clients=clients,
            error=error,
            title="Service reports",
        ), (400 if error else 200)

    @expose("/csv/<string:table>")
    @has_access
    def export(self, table: str):
        try:
            scope = scope_from(request.args)
        except KpiError as error:
            if error.status_code == 404:
                abort(404)
            return Response(error.message, status=400, mimetype="text/plain")
        report = service_report(db.session, scope.period, scope.clients)
        chosen = {t.key: t for t in report_tables(report)}.get(table)
        if chosen is None:
            abort(404)
        period = scope.period
        return csv_response(
            f"service-{table}-{period.start}-{period.last}", chosen.header, chosen.rows
        )
