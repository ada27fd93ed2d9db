"""Reports › Client health (every visible client's score, change since its last snapshot and
flags; sortable; CSV) and the client page's Health tab (the score, a bar per factor's
contribution, the movers since the last snapshot, the fired flags, the snapshots' history as
a small server-drawn SVG line). The figures are ``models.health``'s; this only lays them out.
"""

from __future__ import annotations

from datetime import date

from flask import request
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from sqlalchemy import select

from extensions import db
from models import Client, visible_client_ids
from models.health import explain, health_table, score_history

from .csv_export import csv_response
from .health_shapes import CSV_HEADER, row_csv
from .roles import RESOURCE_PERMISSIONS
from .visibility import acting_user

SPARK_WIDTH, SPARK_HEIGHT = 300, 60
SORTS = {
    "name": lambda row: (row.client_name.lower(), row.client_id),
    "score": lambda row: (row.health.score is None, row.health.score or 0, row.client_name),
    "change": lambda row: (row.change is None, row.change or 0, row.client_name),
    "flags": lambda row: (-len(row.health.flags), row.client_name),
}


def sparkline(snapshots) -> str:
    """The SVG polyline points of the snapshots' scores (0 at the bottom, 100 at the top)."""
    scored = [s for s in snapshots if s.score is not None]
    if not scored:
        return ""
    step = SPARK_WIDTH / max(1, len(scored) - 1)
    return " ".join(
        f"{round(i * step, 1)},{round(SPARK_HEIGHT - s.score * SPARK_HEIGHT / 100, 1)}"
        for i, s in enumerate(scored)
    )


def health_tab(sm, client) -> dict:
    """The Health tab's context, for users who may read ClientHealth (none for the others)."""
    if not sm.has_access("can_read", "ClientHealth"):
        return {}
    snapshots = score_history(db.session, client.id)
    return {
        "health": explain(db.session, client.id),
        "health_history": snapshots,
        "health_spark": sparkline(snapshots),
        "health_chart": {"width": SPARK_WIDTH, "height": SPARK_HEIGHT},
    }


def _rows():
    ids = db.session.scalars(
        select(Client.id).where(
            Client.archived.is_(False), Client.id.in_(visible_client_ids(acting_user()))
        )
    ).all()
    sort = request.args.get("sort", "name")
    key = SORTS.get(sort, SORTS["name"])
    descending = request.args.get("desc") == "1"
    rows = sorted(health_table(db.session, ids), key=key, reverse=descending)
    return rows, (sort if sort in SORTS else "name"), descending


class ClientHealthView(BaseView):
    """Reports › Client health and its CSV export (ClientHealth resource: read)."""

    route_base = "/client-health"
    default_view = "index"
    class_permission_name = "ClientHealth"
    base_permissions = RESOURCE_PERMISSIONS["ClientHealth"]
    method_permission_name = {"index": "read", "export": "read"}

    @expose("/")
    @has_access
    def index(self):
        rows, sort, descending = _rows()
        return self.render_template(
            "admin/client_health.html", rows=rows, sort=sort, desc=descending, sorts=list(SORTS)
        )

    @expose("/csv")
    @has_access
    def export(self):
        rows, _sort, _desc = _rows()
        return csv_response(
            f"client-health-{date.today()}", CSV_HEADER, [row_csv(row) for row in rows]
        )
