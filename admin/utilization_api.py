"""Utilization, profitability and capacity in the REST API (read-only; the Utilization
resource). ``GET /api/v1/utilization/?start=&end=`` per recruiter; ``GET
/api/v1/profitability/?start=&end=&by=client|service_type``; ``GET /api/v1/capacity/`` the
next four weeks. Dates are YYYY-MM-DD, the period half-open (this month by default); a bad
argument is a 400 naming it. Amounts are strings (decimals) in the base currency."""

from __future__ import annotations

from datetime import timedelta

from flask import Response, request
from flask_appbuilder.api import BaseApi, expose, protect, safe
from flask_appbuilder.security.decorators import permission_name

from extensions import db
from models import visible_client_ids
from models.billing_terms import base_currency
from models.capacity import capacity_plan
from models.profitability import profitability
from models.utilization import recruiter_productivity, usage

from .roles import RESOURCE_PERMISSIONS
from .utilization import parse_period
from .visibility import acting_user


def visible_ids(by: str) -> list[int] | None:
    """By client: the ids of the clients the acting user may see (None: every group)."""
    if by != "client":
        return None
    return list(db.session.scalars(visible_client_ids(acting_user())))


def _text(value):
    return None if value is None else str(value)


class _ReadApi(BaseApi):
    class_permission_name = "Utilization"
    base_permissions = RESOURCE_PERMISSIONS["Utilization"]
    method_permission_name = {"report": "read"}
    allow_browser_login = False

    def _period(self):
        """The period, or a 400 answer naming the argument."""
        period, problems = parse_period(request.args)
        if problems:
            field = "end" if problems[0].startswith(("End", "The period")) else "start"
            return None, self.response(400, message={field: problems})
        return period, None


class UtilizationApi(_ReadApi):
    resource_name = "utilization"

    @expose("/", methods=["GET"])
    @protect()
    @safe
    @permission_name("report")
    def report(self) -> Response:
        """Per recruiter: hours, billable hours, capacity hours, utilization %, placements,
        submittals and hours per placement.
        ---
        get:
          parameters:
          - {in: query, schema: {type: string, format: date}, name: start}
          - {in: query, schema: {type: string, format: date}, name: end}
          responses:
            200: {description: The figures}
            400: {description: A date that is not YYYY-MM-DD, or end not after start}
        """
        period, error = self._period()
        if error:
            return error
        done = {p.user_id: p for p in recruiter_productivity(db.session, period)}
        result = []
        for u in usage(db.session, period):
            p = done.get(u.user_id)
            result.append(
                {
                    "userId": u.user_id,
                    "name": u.name,
                    "hours": str(u.hours),
                    "billableHours": str(u.billable_hours),
                    "capacityHours": str(u.capacity),
                    "utilization": _text(u.utilization),
                    "billableUtilization": _text(u.billable_utilization),
                    "placements": p.placements if p else 0,
                    "submittals": p.submittals if p else 0,
                    "hoursPerPlacement": _text(p.hours_per_placement) if p else None,
                }
            )
        return self.response(200, start=str(period.start), end=str(period.last), result=result)


class ProfitabilityApi(_ReadApi):
    resource_name = "profitability"

    @expose("/", methods=["GET"])
    @protect()
    @safe
    @permission_name("report")
    def report(self) -> Response:
        """Fees billed, cost of time, profit, margin %, ROI % and cost per hire, by client
        or by service type.
        ---
        get:
          parameters:
          - {in: query, schema: {type: string, format: date}, name: start}
          - {in: query, schema: {type: string, format: date}, name: end}
          - {in: query, schema: {type: string, enum: [client, service_type]}, name: by}
          responses:
            200: {description: The figures}
            400: {description: A bad date or by}
        """
        by = request.args.get("by") or "client"
        if by not in ("client", "service_type"):
            return self.response(
                400, message={"by": [f"by must be client or service_type, not '{by}'."]}
            )
        period, error = self._period()
        if error:
            return error
        result = [
            {
                "key": row.key,
                "fees": str(row.fees),
                "cost": str(row.cost),
                "profit": str(row.profit),
                "margin": _text(row.margin),
                "roi": _text(row.roi),
                "costPerHire": _text(row.cost_per_hire),
            }
            for row in profitability(db.session, period, by, visible_ids(by))
        ]
        return self.response(
            200, start=str(period.start), end=str(period.last), by=by,
            currency=base_currency(), result=result,
        )  # fmt: skip


class CapacityApi(_ReadApi):
    resource_name = "capacity"

    @expose("/", methods=["GET"])
    @protect()
    @safe
    @permission_name("report")
    def report(self) -> Response:
        """Per staff user and week, the next four weeks: capacity hours, assigned hours,
        open job orders and whether the week is over-allocated.
        ---
        get:
          responses:
            200: {description: The weeks}
        """
        plan = capacity_plan(db.session)
        result = [
            {
                "userId": w.user_id,
                "name": w.name,
                "week": str(w.week),
                "weekEnd": str(w.week + timedelta(days=6)),
                "capacityHours": str(w.capacity),
                "assignedHours": str(w.assigned),
                "openJobOrders": w.open_orders,
                "overAllocated": w.over_allocated,
            }
            for w in plan
        ]
        return self.response(200, result=result)
