"""Row scoping for the staff side: each view and API sees only the clients its user may see.

The rule itself is ``models.team.client_visibility``; this is its FAB ``base_filters`` form,
the admin's twin of the portal's access module. A client outside it answers 404 on its page,
its related tabs and its API record, like a client that does not exist.
"""

from __future__ import annotations

from flask import current_app
from flask_appbuilder.models.filters import BaseFilter

from extensions import db
from models import Client, visible_client_ids


class FilterClientVisible(BaseFilter):
    """Keep the rows of clients the current user may see (``column_name`` holds a client id)."""

    name = "Visible to you"
    arg_name = "vis"

    def apply(self, query, value):
        column = Client.id if self.model is Client else getattr(self.model, self.column_name)
        return query.filter(column.in_(visible_client_ids(acting_user())))


def acting_user():
    """The user behind this request: the session's, or the JWT's on the API."""
    return current_app.appbuilder.sm.current_user


def visible_to_user(column: str = "client_id") -> list:
    """``base_filters`` entry restricting a view or API to the user's clients."""
    return [column, FilterClientVisible, None]


def client_is_visible(client_id: int | None) -> bool:
    """Whether the acting user may see client ``client_id`` (for writes naming a client)."""
    if client_id is None:
        return False
    query = db.select(Client.id).where(
        Client.id == client_id, Client.id.in_(visible_client_ids(acting_user()))
    )
    with db.session.no_autoflush:  # a record being added is not in the session yet
        return db.session.execute(query).first() is not None
