"""Possible duplicate clients, and merging them into the one kept (Clients › Possible duplicates).

Only clients the user may see are listed and merged; a client outside their view answers 404.
The rules are the models' (``models.duplicates``, ``Client.action_merge_into``).
"""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from sqlalchemy import select

from extensions import db
from models import Client, DomainError, visible_client_ids
from models.duplicates import client_duplicates

from .roles import RESOURCE_PERMISSIONS
from .visibility import acting_user


def visible_clients(ids) -> list[Client]:
    """The live clients with these ids, all of them visible to the user.

    :raise 404: when one is missing, archived or not the user's to see.
    """
    ids = sorted(set(ids))
    clients = db.session.scalars(
        select(Client)
        .where(Client.id.in_(ids), Client.archived.is_(False))
        .where(Client.id.in_(visible_client_ids(acting_user())))
        .order_by(Client.name)
    ).all()
    if not ids or len(clients) != len(ids):
        abort(404)
    return list(clients)


def _ids(values) -> list[int]:
    try:
        return [int(value) for value in values if str(value).strip()]
    except ValueError:
        abort(404)


class DuplicatesView(BaseView):
    """Groups of clients that look like one, and the merge page."""

    route_base = "/duplicates"
    default_view = "groups"
    class_permission_name = "Client"
    base_permissions = RESOURCE_PERMISSIONS["Client"]
    method_permission_name = {"groups": "read", "merge": "archive"}

    @expose("/")
    @has_access
    def groups(self):
        """Live clients sharing a normalised name, an email or a web domain."""
        groups = client_duplicates(db.session, visible_client_ids(acting_user()))
        return self.render_template("admin/duplicates.html", groups=groups)

    @expose("/merge", methods=["GET", "POST"])
    @has_access
    def merge(self):
        """Pick the client to keep (GET ?ids=1,2), then merge the others into it (POST)."""
        if request.method == "GET":
            clients = visible_clients(_ids(request.args.get("ids", "").split(",")))
            if len(clients) < 2:
                flash("Select at least two clients to merge.", "warning")
                return redirect(url_for("ClientView.list"))
            return self.render_template("admin/merge.html", clients=clients)
        clients = visible_clients(_ids(request.form.getlist("ids")))
        kept_id = _ids([request.form.get("kept", "")])
        kept = next((c for c in clients if [c.id] == kept_id), None)
        if kept is None:
            flash("Choose the client to keep.", "danger")
            return self.render_template("admin/merge.html", clients=clients), 400
        names = []
        try:
            for duplicate in clients:
                if duplicate is not kept:
                    duplicate.action_merge_into(kept, acting_user())
                    names.append(duplicate.name)
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "danger")
            return redirect(url_for("DuplicatesView.groups"))
        flash(f"Merged {', '.join(names)} into {kept.name}.", "success")
        return redirect(url_for("ClientView.show", pk=kept.id))
