"""Reports › Utilization: for a period (this month by default), utilization by recruiter,
productivity, profitability by client and by service type with ROI, cost per hire, and the
capacity of the next four weeks; each table exports to CSV. The figures are the models'
(``models.utilization``, ``models.profitability``); this page only lays them out."""

from __future__ import annotations

from collections import namedtuple
from datetime import date, timedelta

from flask import Response, abort, flash, request
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from sqlalchemy import select

from extensions import db
from models import Client, visible_client_ids
from models.capacity import capacity_plan
from models.kpis import KpiError, Period
from models.profitability import acquisition_cost, profitability
from models.recruiting import SERVICE_TYPES
from models.utilization import recruiter_productivity, usage

from .csv_export import csv_response
from .roles import RESOURCE_PERMISSIONS
from .visibility import acting_user

Table = namedtuple("Table", "key title header rows")


def parse_period(args) -> tuple[Period, list[str]]:
    """``?start=&end=`` (the first and the last day, inclusive, as on Reports › KPIs) as a
    half-open period, this month when both are missing; the problems found, each naming the
    field (a bad value falls back to this month)."""
    today = date.today()
    this_month = Period.month(today.year, today.month)
    start = (args.get("start") or "").strip() or None
    end = (args.get("end") or "").strip() or None
    if start is None and end is None:
        return this_month, []
    try:
        return Period.parse(start, end, default_days=31), []
    except KpiError as error:
        return this_month, [str(error)]


def _money(value) -> str:
    return "" if value is None else f"{value:.2f}"


def _pct(value) -> str:
    return "" if value is None else f"{value}"


def _profit_rows(session, period, by, names, ids=None) -> list[list]:
    return [
        [names.get(r.key, r.key), _money(r.fees), _money(r.cost), _money(r.profit),
         _pct(r.margin), _pct(r.roi), _money(r.cost_per_hire)]
        for r in profitability(session, period, by, ids)
    ]  # fmt: skip


def report_tables(session, period: Period, today: date | None = None) -> list[Table]:
    """The page's tables, as rows of display strings (the CSV is the same rows). The
    profitability by client covers the clients the user may see."""
    used = usage(session, period)
    clients = dict(
        session.execute(
            select(Client.id, Client.name).where(Client.id.in_(visible_client_ids(acting_user())))
        ).all()
    )
    profit_header = ["Fees billed", "Cost of time", "Profit", "Margin %", "ROI %", "Cost per hire"]
    plan = capacity_plan(session, today)
    return [
        Table(
            "utilization",
            "Utilization by recruiter",
            [
                "Recruiter",
                "Hours",
                "Billable hours",
                "Capacity hours",
                "Utilization %",
                "Billable utilization %",
            ],
            [
                [
                    u.name,
                    u.hours,
                    u.billable_hours,
                    u.capacity,
                    _pct(u.utilization),
                    _pct(u.billable_utilization),
                ]
                for u in used
            ],
        ),  # fmt: skip
        Table(
            "productivity",
            "Recruiter productivity",
            ["Recruiter", "Hours", "Placements", "Submittals", "Hours per placement"],
            [
                [p.name, p.hours, p.placements, p.submittals, _pct(p.hours_per_placement)]
                for p in recruiter_productivity(session, period)
            ],
        ),  # fmt: skip
        Table(
            "clients",
            "Profitability by client",
            ["Client", *profit_header],
            _profit_rows(session, period, "client", clients, list(clients)),
        ),  # fmt: skip
        Table(
            "acquisition",
            "Acquisition cost (clients first billed in the period)",
            ["Client", "Cost of time before the first invoice"],
            [
                [clients.get(key, key), _money(cost)]
                for key, cost in sorted(
                    acquisition_cost(session, period, "client", list(clients)).items(),
                    key=lambda item: str(clients.get(item[0], item[0])),
                )
            ],
        ),  # fmt: skip
        Table(
            "services",
            "Profitability by service type",
            ["Service type", *profit_header],
            _profit_rows(session, period, "service_type", {s: s for s in SERVICE_TYPES}),
        ),  # fmt: skip
        Table(
            "capacity",
            "Capacity, next four weeks",
            [
                "Recruiter",
                "Week of",
                "Capacity hours",
                "Assigned hours",
                "Open job orders",
                "Over-allocated",
            ],
            [
                [
                    w.name,
                    w.week.isoformat(),
                    w.capacity,
                    w.assigned,
                    w.open_orders,
                    "yes" if w.over_allocated else "",
                ]
                for w in plan
            ],
        ),  # fmt: skip
    ]


class UtilizationReportView(BaseView):
    """The utilization report and its CSV exports (Utilization resource: read)."""

    route_base = "/utilization"
    default_view = "index"
    class_permission_name = "Utilization"
    base_permissions = RESOURCE_PERMISSIONS["Utilization"]
    method_permission_name = {"index": "read", "export": "read"}

    @expose("/")
    @has_access
    def index(self):
        period, problems = parse_period(request.args)
        for problem in problems:
            flash(problem, "danger")
        return self.render_template(
            "admin/utilization.html",
            period=period,
            last_day=period.end - timedelta(days=1),
            tables=report_tables(db.session, period),
        )

    @expose("/csv/<string:table>")
    @has_access
    def export(self, table: str):
        period, problems = parse_period(request.args)
        if problems:
            return Response("; ".join(problems), status=400, mimetype="text/plain")
        chosen = {t.key: t for t in report_tables(db.session, period)}.get(table)
        if chosen is None:
            abort(404)
        return csv_response(f"{table}-{period.start}-{period.last}", chosen.header, chosen.rows)
