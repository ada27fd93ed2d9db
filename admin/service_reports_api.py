"""The service reports in the REST API, read-only (resource ``ServiceReport``; JWT only).

``GET /api/v1/service-reports/?from=YYYY-MM-DD&to=YYYY-MM-DD&client_id=``: the figures of
Reports › Service reports for the period (first and last day included; the last 90 days by
default) over the clients the user may see, or one of them: response and resolution
compliance by client and priority and by priority, first-time resolution, average times and
CSAT by client, open tickets by age and priority (now), and the breaches.

Rates, hours and averages are decimal strings (exact, as computed) or null where undefined.
A bad date or client id is a 400 naming the field; a client the user may not see is a 404.
"""

from __future__ import annotations

from flask import Response, request
from flask_appbuilder.api import BaseApi, expose, protect, safe
from flask_appbuilder.security.decorators import permission_name

from extensions import db
from models.kpis import KpiError
from models.service_reports import AGE_BUCKETS, service_report

from .roles import RESOURCE_PERMISSIONS
from .service_reports import scope_from


def _decimal(value):
    return None if value is None else str(value)


def _stamp(value):
    return value.isoformat() if value else None


def _compliance(rows) -> list[dict]:
    return [
        {
            "clientId": row.client_id or None,
            "client": row.client,
            "priority": row.priority,
            "met": row.met,
            "missed": row.missed,
            "pending": row.pending,
            "rate": _decimal(row.rate),
        }
        for row in rows
    ]


def report_json(report) -> dict:
    return {
        "period": {"from": report.period.start.isoformat(), "to": report.period.last.isoformat()},
        "now": report.now.isoformat(),
        "responseCompliance": _compliance(report.response),
        "responseComplianceByPriority": _compliance(report.response_by_priority),
        "resolutionCompliance": _compliance(report.resolution),
        "resolutionComplianceByPriority": _compliance(report.resolution_by_priority),
        "clients": [
            {
                "clientId": c.client_id,
                "client": c.client,
                "closed": c.closed,
                "closedNeverReopened": c.closed_first_time,
                "firstTimeResolutionRate": _decimal(c.first_time_rate),
                "averageFirstResponseHours": _decimal(c.average_response_hours),
                "averageResolutionHours": _decimal(c.average_resolution_hours),
                "csatAverage": _decimal(c.csat_average),
                "csatCount": c.csat_count,
            }
            for c in report.clients
        ],
        "openByAge": {
            "buckets": [label for label, _low in AGE_BUCKETS],
            "byPriority": report.open_by_age,
        },
        "breaches": [
            {
                "ticketId": b.ticket_id,
                "reference": b.reference,
                "clientId": b.client_id,
                "client": b.client,
                "subject": b.subject,
                "priority": b.priority,
                "status": b.status,
                "escalationLevel": b.escalation_level,
                "responseDueAt": _stamp(b.response_due_at),
                "responseLateHours": _decimal(b.response_late_hours),
                "resolutionDueAt": _stamp(b.resolution_due_at),
                "resolutionLateHours": _decimal(b.resolution_late_hours),
            }
            for b in report.breaches
        ],
    }


class ServiceReportApi(BaseApi):
    """The service desk's figures over a period."""

    resource_name = "service-reports"
    class_permission_name = "ServiceReport"
    base_permissions = RESOURCE_PERMISSIONS["ServiceReport"]
    method_permission_name = {"report": "read"}
    allow_browser_login = False

    @expose("/", methods=["GET"])
    @protect()
    @safe
    @permission_name("report")
    def report(self) -> Response:
        """The service reports' figures.
        ---
        get:
          parameters:
          - {in: query, schema: {type: string, format: date}, name: from}
          - {in: query, schema: {type: string, format: date}, name: to}
          - {in: query, schema: {type: integer}, name: client_id}
          responses:
            200: {description: The compliance, resolution, age and breach figures}
            400: {description: A bad date or client id, named}
            401: {$ref: '#/components/responses/401'}
            404: {$ref: '#/components/responses/404'}
        """
        try:
            scope = scope_from(request.args, start="from", end="to")
        except KpiError as error:
            if error.status_code == 404:
                return self.response_404()
            return self.response(400, message={error.field or "query": [error.message]})
        report = service_report(db.session, scope.period, scope.clients)
        return self.response(200, clientId=scope.client_id, **report_json(report))
