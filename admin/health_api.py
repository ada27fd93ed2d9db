"""The client health score in the REST API, read-only (resource ``ClientHealth``).

``GET /api/v1/clients/<id>/health-score``: the score, each factor with its value, score,
weight, contribution and rule, the fired flags, the movers since the last snapshot and that
snapshot. ``GET /api/v1/health/?page=&page_size=``: every client the user may see, by name,
paged. A client that does not exist or that the user may not see is a JSON 404.
"""

from __future__ import annotations

from flask import Response, request
from flask_appbuilder.api import BaseApi, expose, protect, safe
from flask_appbuilder.security.decorators import permission_name
from sqlalchemy import func, select

from extensions import db
from models import Client, visible_client_ids
from models.health import explain, health_table

from .health_shapes import explanation_json, row_json
from .roles import RESOURCE_PERMISSIONS
from .visibility import acting_user, client_is_visible

PAGE_SIZE = 25
PAGE_SIZE_MAX = 100


def _whole(name: str, default: int, low: int, high: int | None = None) -> int:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    if not raw.isdigit() or int(raw) < low or (high is not None and int(raw) > high):
        upper = f" and at most {high}" if high is not None else ""
        raise ValueError(f"'{raw}' must be a whole number of at least {low}{upper}.")
    return int(raw)


class ClientHealthApi(BaseApi):
    """A client's health score with its factors, flags and movers."""

    resource_name = "clients"
    class_permission_name = "ClientHealth"
    base_permissions = RESOURCE_PERMISSIONS["ClientHealth"]
    method_permission_name = {"score": "read"}
    allow_browser_login = False  # JWT only, like the other APIs

    @expose("/<int:client_id>/health-score", methods=["GET"])
    @protect()
    @safe
    @permission_name("read")
    def score(self, client_id: int) -> Response:
        """The client's health score explained.
        ---
        get:
          parameters:
          - {in: path, schema: {type: integer}, name: client_id}
          responses:
            200: {description: The score, its factors, flags, movers and last snapshot}
            401: {$ref: '#/components/responses/401'}
            404: {$ref: '#/components/responses/404'}
        """
        if not client_is_visible(client_id):
            return self.response_404()
        return self.response(200, result=explanation_json(explain(db.session, client_id)))


class HealthListApi(BaseApi):
    """Every visible client's health score, change since its last snapshot and flags."""

    resource_name = "health"
    class_permission_name = "ClientHealth"
    base_permissions = RESOURCE_PERMISSIONS["ClientHealth"]
    method_permission_name = {"scores": "read"}
    allow_browser_login = False

    @expose("/", methods=["GET"])
    @protect()
    @safe
    @permission_name("read")
    def scores(self) -> Response:
        """The clients' health, by client name, a page at a time.
        ---
        get:
          parameters:
          - {in: query, schema: {type: integer, minimum: 1}, name: page}
          - {in: query, schema: {type: integer, minimum: 1, maximum: 100}, name: page_size}
          responses:
            200: {description: A page of clients with their score, change and flags}
            400: {description: A page or page size that is not a whole number in range}
            401: {$ref: '#/components/responses/401'}
        """
        errors, numbers = {}, {}
        for name, default, high in (("page", 1, None), ("page_size", PAGE_SIZE, PAGE_SIZE_MAX)):
            try:
                numbers[name] = _whole(name, default, 1, high)
            except ValueError as error:
                errors[name] = [str(error)]
        if errors:
            return self.response(400, message=errors)
        page, size = numbers["page"], numbers["page_size"]
        visible = (
            select(Client.id, Client.name)
            .where(Client.archived.is_(False), Client.id.in_(visible_client_ids(acting_user())))
        )
        total = db.session.scalar(select(func.count()).select_from(visible.subquery()))
        ids = db.session.scalars(
            visible.with_only_columns(Client.id)
            .order_by(func.lower(Client.name), Client.id)
            .offset((page - 1) * size)
            .limit(size)
        ).all()
        rows = health_table(db.session, ids)
        return self.response(
            200, count=total, page=page, page_size=size, result=[row_json(r) for r in rows]
        )

