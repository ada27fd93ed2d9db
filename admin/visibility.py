"""Row scoping for the staff side: each view and API sees only the clients its user may see.

The rule itself is ``models.team.client_visibility``; this is its FAB ``base_filters`` form,
the admin's twin of the portal's access module. A client outside it answers 404 on its page,
its related tabs and its API record, like a client that does not exist.
"""

from __future__ import annotations

from flask import current_app
from flask_appbuilder.models.filters import BaseFilter
from sqlalchemy import or_, select

from extensions import db
from models import Client, ClientContact, Contact, visible_client_ids


class FilterClientVisible(BaseFilter):
    """Keep the rows of clients the current user may see (``column_name`` holds a client id)."""

    name = "Visible to you"
    arg_name = "vis"

    def apply(self, query, value):
        column = Client.id if self.model is Client else getattr(self.model, self.column_name)
        return query.filter(column.in_(visible_client_ids(acting_user())))


class FilterContactVisible(BaseFilter):
    """Keep the contacts linked to a client the user may see, or to no client at all
    (``column_name`` holds a contact id)."""

    name = "Visible to you"
    arg_name = "cvis"

    def apply(self, query, value):
        column = Contact.id if self.model is Contact else getattr(self.model, self.column_name)
        return query.filter(visible_contact_condition(column))


class FilterClientVisibleOrNone(BaseFilter):
    """Like ``FilterClientVisible``, also keeping rows tied to no client (agency-wide mail)."""

    name = "Visible to you"
    arg_name = "vis0"

    def apply(self, query, value):
        column = getattr(self.model, self.column_name)
        return query.filter(or_(column.is_(None), column.in_(visible_client_ids(acting_user()))))


def visible_contact_condition(contact_id_column):
    """SQL: the contact behind ``contact_id_column`` is linked to a visible client, or to none."""
    links = select(ClientContact.contact_id)
    return or_(
        contact_id_column.in_(
            links.where(ClientContact.client_id.in_(visible_client_ids(acting_user())))
        ),
        ~contact_id_column.in_(links),
    )


class FilterStaffUser(BaseFilter):
    """Keep the agency's staff users (not the clients' portal logins)."""

    name = "Staff"
    arg_name = "staff"

    def apply(self, query, value):
        from flask_appbuilder.security.sqla.models import Role, User

        from models.access import STAFF_ROLES

        return query.filter(User.active.is_(True), User.roles.any(Role.name.in_(STAFF_ROLES)))


def acting_user():
    """The user behind this request: the session's, or the JWT's on the API."""
    return current_app.appbuilder.sm.current_user


def visible_to_user(column: str = "client_id") -> list:
    """``base_filters`` entry restricting a view or API to the user's clients."""
    return [column, FilterClientVisible, None]


def contacts_visible_to_user(column: str = "contact_id") -> list:
    """``base_filters`` entry restricting a view or API to the contacts of the user's clients."""
    return [column, FilterContactVisible, None]


def visible_to_user_or_unassigned(column: str = "client_id") -> list:
    """``base_filters`` entry for rows of the user's clients or of no client."""
    return [column, FilterClientVisibleOrNone, None]


def staff_users() -> list:
    """``query_rel_fields`` entry offering only active staff users."""
    return ["id", FilterStaffUser, None]


def client_is_visible(client_id: int | None) -> bool:
    """Whether the acting user may see client ``client_id`` (for writes naming a client)."""
    if client_id is None:
        return False
    query = db.select(Client.id).where(
        Client.id == client_id, Client.id.in_(visible_client_ids(acting_user()))
    )
    with db.session.no_autoflush:  # a record being added is not in the session yet
        return db.session.execute(query).first() is not None
