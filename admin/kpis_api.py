"""KPIs and benchmarks in the REST API, read-only (the Kpi resource; JWT only).

``GET /api/v1/kpis/?start=YYYY-MM-DD&end=YYYY-MM-DD&by=client|recruiter|service_type|agency
&client_id=``: every KPI with its key, label, unit, formula and direction, and its value per
group (per client: the clients the user may see; ``client_id`` one of them). The period's days
are inclusive, the last 90 days by default. ``GET /api/v1/kpis/benchmarks/<client id>?start=&end=``:
the client's KPIs against its industry's and service type's median and quartiles.

Values are decimal strings (exact, as computed) or null where undefined. Bad input is a 400
naming the field; a client that does not exist or that the user may not see is a 404.
"""

from __future__ import annotations

from flask import Response, request
from flask_appbuilder.api import BaseApi, expose, protect, safe
from flask_appbuilder.security.decorators import permission_name

from models.benchmarks import Benchmark, UnknownClientError, benchmark
from models.kpis import KPIS, KpiError, Period

from .base import id_fits
from .kpis import group_labels, kpi_table, readable_kpis
from .roles import RESOURCE_PERMISSIONS
from .visibility import client_is_visible


def _decimal(value):
    return None if value is None else str(value)


def _kpi_json(kpi) -> dict:
    return {
        "key": kpi.key,
        "label": kpi.label,
        "unit": kpi.unit,
        "formula": kpi.formula,
        "better": kpi.better,
        "dimensions": list(kpi.dimensions),
    }


def _period_json(period: Period) -> dict:
    return {"start": period.start.isoformat(), "end": period.last.isoformat()}


def _benchmark_json(mark: Benchmark | None, better: str) -> dict | None:
    if mark is None:
        return None
    return {
        "peers": mark.peers,
        "value": _decimal(mark.value),
        "lowerQuartile": _decimal(mark.lower_quartile),
        "median": _decimal(mark.median),
        "upperQuartile": _decimal(mark.upper_quartile),
        "quartile": mark.position,
        "standing": mark.standing(better),
    }


class KpiApi(BaseApi):
    """The KPIs of a period by dimension, and one client's benchmarks."""

    resource_name = "kpis"
    class_permission_name = "Kpi"
    base_permissions = RESOURCE_PERMISSIONS["Kpi"]
    method_permission_name = {"kpis": "read", "benchmarks": "read"}
    allow_browser_login = False

    def _error(self, error: KpiError) -> Response:
        if error.status_code == 404:
            return self.response_404()
        return self.response(400, message={error.field or "query": [error.message]})

    def _client_id(self, raw):
        """:raise KpiError: naming ``client_id`` for a value that is no id (404: unseen)."""
        if not id_fits(raw):
            raise KpiError(f"'{str(raw)[:40]}' is not a client id.", "client_id")
        if not client_is_visible(int(raw)):
            raise UnknownClientError("No such client.", "client_id")
        return int(raw)

    @expose("/", methods=["GET"])
    @protect()
    @safe
    @permission_name("kpis")
    def kpis(self) -> Response:
        """Every KPI over the period, per group of the dimension.
        ---
        get:
          parameters:
          - {in: query, schema: {type: string, format: date}, name: start}
          - {in: query, schema: {type: string, format: date}, name: end}
          - in: query
            name: by
            schema: {type: string, enum: [client, recruiter, service_type, agency]}
          - {in: query, schema: {type: integer}, name: client_id}
          responses:
            200: {description: The KPIs with their formulas and values}
            400: {description: A bad date, dimension or client id, named}
            404: {$ref: '#/components/responses/404'}
        """
        by = request.args.get("by") or "client"
        try:
            period = Period.parse(request.args.get("start"), request.args.get("end"))
            ids = None
            raw = request.args.get("client_id")
            if raw:
                if by != "client":
                    raise KpiError("client_id goes with by=client only.", "client_id")
                ids = [self._client_id(raw)]
            table = kpi_table(period, by, ids)
        except KpiError as error:
            return self._error(error)
        labels = dict(table.groups)
        result = []
        for kpi in table.kpis:
            values = table.values.get(kpi.key, {})
            result.append(
                {
                    **_kpi_json(kpi),
                    "values": [
                        {"group": key, "label": labels[key], "value": _decimal(values.get(key))}
                        for key, _label in table.groups
                    ]
                    if table.supports(kpi)
                    else [],
                }
            )
        return self.response(200, period=_period_json(period), by=by, kpis=result)

    @expose("/benchmarks/<client_id>", methods=["GET"])
    @protect()
    @safe
    @permission_name("benchmarks")
    def benchmarks(self, client_id) -> Response:
        """One client's KPIs against its industry's and service type's distribution.
        ---
        get:
          parameters:
          - {in: path, schema: {type: integer}, name: client_id}
          - {in: query, schema: {type: string, format: date}, name: start}
          - {in: query, schema: {type: string, format: date}, name: end}
          responses:
            200: {description: The benchmarks}
            400: {description: A bad date, named}
            404: {$ref: '#/components/responses/404'}
        """
        try:
            client_id = self._client_id(client_id)
            period = Period.parse(request.args.get("start"), request.args.get("end"))
            keys = readable_kpis(key for key, kpi in KPIS.items() if "client" in kpi.dimensions)
            marks = benchmark(client_id, period, keys)
        except KpiError as error:
            return self._error(error)
        kpis = [
            {
                **_kpi_json(kpi),
                "industry": _benchmark_json(marks.by_industry.get(kpi.key), kpi.better),
                "serviceType": _benchmark_json(marks.by_service_type.get(kpi.key), kpi.better),
            }
            for kpi in (KPIS[key] for key in keys)
        ]
        return self.response(
            200,
            clientId=client_id,
            client=group_labels("client", [client_id]).get(client_id),
            period=_period_json(period),
            industry=marks.industry,
            serviceType=marks.service_type,
            kpis=kpis,
        )
