"""Reports › KPIs: every KPI (``models.kpis``) for a period, cut by client, recruiter, service
type or for the agency, with each KPI's formula under its label, and the same table as CSV.

The figures come from ``kpis.compute`` (one grouped query per KPI); this module only reads
the filters, names the groups and lays the table out. Per client, only the clients the user
may see are shown; the other cuts are agency figures.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from flask import Response, abort, current_app, request
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from flask_appbuilder.security.sqla.models import User
from sqlalchemy import select

from extensions import db
from models import Client, visible_client_ids
from models.benchmarks import benchmark
from models.kpis import AGENCY, ALL, DIMENSIONS, KPIS, KpiError, Period, check_dimension, compute

from .csv_export import csv_response
from .roles import RESOURCE_PERMISSIONS
from .visibility import acting_user

DIMENSION_LABELS = {
    "client": "Client",
    "recruiter": "Recruiter",
    "service_type": "Service type",
    "agency": "Agency",
}
PRESETS = {
    "this_month": "This month",
    "last_month": "Last month",
    "last_90_days": "Last 90 days",
    "year_to_date": "Year to date",
}
UNIT_SUFFIX = {"days": " days", "percent": " %", "ratio": "", "money": "", "count": "", "score": ""}


def preset_period(preset: str, today: date | None = None) -> Period:
    """The period a preset names. :raise KpiError: naming ``preset`` for an unknown one."""
    today = today or date.today()
    if preset == "this_month":
        return Period.month(today.year, today.month)
    if preset == "last_month":
        last = today.replace(day=1) - timedelta(days=1)
        return Period.month(last.year, last.month)
    if preset == "last_90_days":
        return Period.last_days(90, today)
    if preset == "year_to_date":
        return Period.year_to_date(today)
    raise KpiError(f"Preset must be one of {', '.join(PRESETS)} (got '{preset[:40]}').", "preset")


def period_from(args) -> Period:
    """The period of ``?preset=`` or ``?start=&end=`` (the last 90 days by default).

    :raise KpiError: naming the field for a bad date or preset.
    """
    preset = (args.get("preset") or "").strip()
    if preset:
        return preset_period(preset)
    return Period.parse(args.get("start"), args.get("end"))


def group_labels(by: str, keys) -> dict:
    """{group key: label} for the groups ``keys`` of dimension ``by`` (one query at most)."""
    keys = [k for k in keys if k is not None]
    if by == AGENCY:
        return {ALL: "Agency"}
    if by == "service_type":
        return {key: key.capitalize() for key in keys}
    if not keys:
        return {}
    if by == "client":
        rows = db.session.execute(select(Client.id, Client.name).where(Client.id.in_(keys)))
        return dict(rows.all())
    rows = db.session.execute(
        select(User.id, User.first_name, User.last_name, User.username).where(User.id.in_(keys))
    )
    return {
        uid: f"{first or ''} {last or ''}".strip() or username
        for uid, first, last, username in rows
    }


@dataclass(frozen=True)
class PerformanceRow:
    kpi: object
    value: object
    industry: object  # models.benchmarks.Benchmark or None
    service_type: object


def client_performance(client_id: int, period: Period | None = None):
    """(period, benchmarks, rows) of the client page's Performance tab: each KPI cut by client
    with the client's value and its industry's and service type's benchmark."""
    period = period or Period.last_days(90)
    keys = readable_kpis(key for key, kpi in KPIS.items() if "client" in kpi.dimensions)
    values = compute(keys, period, "client", [client_id])
    marks = benchmark(client_id, period, keys)
    rows = [
        PerformanceRow(
            KPIS[key],
            values[key].get(client_id),
            marks.by_industry.get(key),
            marks.by_service_type.get(key),
        )
        for key in keys
    ]
    return period, marks, rows


@dataclass
class KpiTable:
    period: Period
    by: str
    groups: list[tuple] = field(default_factory=list)  # (key, label), by label
    values: dict[str, dict] = field(default_factory=dict)  # {kpi key: {group key: value}}

    @property
    def kpis(self):
        """The KPIs computed for this table (those the user may read), in registry order."""
        return [kpi for key, kpi in KPIS.items() if key in self.values]

    def supports(self, kpi) -> bool:
        return self.by in kpi.dimensions


def readable_kpis(keys=None) -> list[str]:
    """The KPI keys (of ``keys``; None: all) the current user may read: a KPI with a
    ``resource`` (Invoice for the finance ones, Utilization for the cost ones) needs that
    resource's read as well as Kpi's."""
    sm = current_app.appbuilder.sm
    allowed = {}
    chosen = []
    for key in KPIS if keys is None else keys:
        resource = KPIS[key].resource
        if resource is not None and resource not in allowed:
            allowed[resource] = sm.has_access("can_read", resource)
        if resource is None or allowed[resource]:
            chosen.append(key)
    return chosen


def kpi_table(period: Period, by: str, client_ids=None) -> KpiTable:
    """Every KPI over ``period`` cut by ``by``. Per client: the clients the user may see
    (``client_ids`` restricts them further) that have a figure for any KPI.

    :raise KpiError: for an unknown dimension (``by``).
    """
    check_dimension(by)
    values = compute(readable_kpis(), period, by, client_ids)
    keys = {key for groups in values.values() for key in groups}
    if by == "client":
        visible = set(
            db.session.scalars(
                select(Client.id).where(Client.id.in_(visible_client_ids(acting_user())))
            )
        )
        keys &= visible
        values = {k: {g: v for g, v in groups.items() if g in keys} for k, groups in values.items()}
    labels = group_labels(by, keys)
    groups = sorted(((k, labels.get(k, str(k))) for k in keys), key=lambda g: str(g[1]).lower())
    return KpiTable(period, by, groups, values)


def figure(value, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "money":
        return f"{value:,.2f}"
    return f"{value}{UNIT_SUFFIX.get(unit, '')}"


def csv_rows(table: KpiTable) -> tuple[list[str], list[list]]:
    """(header, rows): one row per KPI: key, label, unit, formula, then its value per group."""
    header = ["kpi", "label", "unit", "formula", *(label for _key, label in table.groups)]
    rows = []
    for kpi in table.kpis:
        row = table.values.get(kpi.key, {})
        rows.append(
            [
                kpi.key,
                kpi.label,
                kpi.unit,
                kpi.formula,
                *("" if row.get(key) is None else row[key] for key, _label in table.groups),
            ]
        )
    return header, rows


class KpiView(BaseView):
    """The KPI table and its CSV export (Kpi resource: read)."""

    route_base = "/kpis"
    default_view = "index"
    class_permission_name = "Kpi"
    base_permissions = RESOURCE_PERMISSIONS["Kpi"]
    method_permission_name = {"index": "read", "export": "read", "client_tab": "read"}

    def _filters(self):
        """(table or None, the form's values, the error message and its field)."""
        form = {
            "start": (request.args.get("start") or "").strip(),
            "end": (request.args.get("end") or "").strip(),
            "preset": (request.args.get("preset") or "").strip(),
            "by": (request.args.get("by") or "client").strip(),
        }
        try:
            period = period_from(request.args)
            table = kpi_table(period, form["by"])
        except KpiError as error:
            return None, form, error
        if form["preset"] or not (form["start"] and form["end"]):
            form["start"], form["end"] = period.start.isoformat(), period.last.isoformat()
        return table, form, None

    @expose("/")
    @has_access
    def index(self):
        """The KPIs of the period, cut by the chosen dimension."""
        table, form, error = self._filters()
        return self.render_template(
            "admin/kpis.html",
            table=table,
            form=form,
            error=error,
            presets=PRESETS,
            dimensions=[(d, DIMENSION_LABELS[d]) for d in DIMENSIONS],
            figure=figure,
            title="KPIs",
        ), (400 if error else 200)

    @expose("/client/<int:pk>")
    @has_access
    def client_tab(self, pk: int):
        """The client page's Performance tab, loaded when the tab is opened (its benchmarks
        read every peer client's figures: the client page itself stays quick). 404 for a
        client the user may not see."""
        visible = visible_client_ids(acting_user())
        seen = select(Client.id).where(Client.id == pk, Client.id.in_(visible))
        if db.session.scalar(seen) is None:
            abort(404)
        period, marks, rows = client_performance(pk)
        return self.render_template(
            "admin/client_performance_tab.html",
            performance=rows,
            performance_of=(period, marks),
            kpi_figure=figure,
        )

    @expose("/csv")
    @has_access
    def export(self):
        """The same table as CSV: one row per KPI, one column per group."""
        table, _form, error = self._filters()
        if error:
            return Response(f"{error.field}: {error.message}\n", 400, mimetype="text/plain")
        return csv_response(
            f"kpis-{table.by}-{table.period.start}-{table.period.last}", *csv_rows(table)
        )
