"""Saved filters: a user names the search they made on a list and re-opens it as a link.

The client list shows the user's saved filters (and shared ones) above its search, with a
"Save this filter" control; "My saved filters" lists, renames, shares and deletes one's own.
"""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_appbuilder import expose
from flask_appbuilder.models.sqla.filters import FilterEqualFunction
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.decorators import has_access
from markupsafe import Markup, escape

from extensions import db
from models import SavedFilter

from .base import READ_WRITE, RulesModelView
from .roles import RESOURCE_PERMISSIONS
from .visibility import acting_user

# The lists a filter may be saved on: view name -> its list endpoint.
SAVABLE_LISTS = {"ClientView": "ClientView.list"}


def _me() -> int:
    return acting_user().id


def saved_filters(view_name: str) -> list[SavedFilter]:
    """The filters the current user sees on ``view_name``: their own and shared ones."""
    return list(db.session.scalars(SavedFilter.for_user(acting_user(), view_name)))


def filter_url(saved: SavedFilter) -> str:
    url = url_for(SAVABLE_LISTS.get(saved.view_name, "ClientView.list"))
    return f"{url}?{saved.query_string}" if saved.query_string else url


class SavedFilterView(RulesModelView):
    """The user's own saved filters (a shared filter is edited by its owner only)."""

    datamodel = SQLAInterface(SavedFilter)
    class_permission_name = "SavedFilter"
    base_permissions = RESOURCE_PERMISSIONS["SavedFilter"]
    method_permission_name = {**READ_WRITE, "delete": "write", "save": "write"}
    base_filters = [["user_id", FilterEqualFunction, _me]]
    exclude_route_methods = {"add"}  # filters are saved from the list they filter
    base_order = ("name", "asc")
    list_title = "My saved filters"
    list_columns = ["name", "view_name", "shared", "query_string"]
    show_columns = ["name", "view_name", "query_string", "shared", "created_at"]
    edit_columns = ["name", "shared"]
    search_columns = ["name", "view_name", "shared"]
    label_columns = {"view_name": "List", "query_string": "Filter"}
    description_columns = {"shared": "Shared filters are listed for every colleague."}
    # Every savable list is the client list for now, so the query string alone makes the link.
    formatters_columns = {
        "query_string": lambda qs: Markup(
            f'<a href="{escape(url_for("ClientView.list"))}?{escape(qs)}">open the list</a>'
        )
    }

    @expose("/save", methods=["POST"])
    @has_access
    def save(self):
        """Save the list's current query string under a name, then re-open the list with it."""
        view_name = request.form.get("view_name", "")
        if view_name not in SAVABLE_LISTS:
            flash("Filters can be saved on the client list only.", "danger")
            return redirect(url_for("ClientView.list"))
        saved = SavedFilter(
            user_id=acting_user().id,
            view_name=view_name,
            name=request.form.get("name", ""),
            query_string=request.form.get("query_string", ""),
            shared=request.form.get("shared") in ("y", "on", "1", "true"),
        )
        errors = saved.violations()
        if errors:
            for error in errors:
                flash(error.message, "danger")
        else:
            db.session.add(saved)
            db.session.commit()
            flash(f"Filter '{saved.name}' saved.", "success")
        return redirect(filter_url(saved))
